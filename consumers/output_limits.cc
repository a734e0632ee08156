#include "consumers/output_limits.h"

#include <openssl/sha.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

namespace newsflow::consumers {
namespace {

// librdkafka's per-record overhead (MessageSet v2 record header, varints) is below this.
constexpr int64_t kRecordOverhead = 64;
constexpr int64_t kHeaderOverhead = 12;
// A dead letter's value prefix leaves this much room besides the headers.
constexpr int64_t kDeadLetterMargin = 1024;

int64_t HeadersSize(const std::vector<schemas::Header>& headers) {
  int64_t n = 0;
  for (const auto& h : headers) {
    n += static_cast<int64_t>(h.key.size() + h.value.size()) + kHeaderOverhead;
  }
  return n;
}

// The longest prefix of `text` of at most `max` bytes that ends on a UTF-8 character boundary.
size_t Utf8Prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return text.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n;
}

void CapArray(rapidjson::Value& object, const char* name, size_t max) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsArray()) return;
  while (it->value.Size() > max) it->value.PopBack();
}

}  // namespace

int64_t MessageSize(const OutMessage& message) {
  return static_cast<int64_t>(message.value.size() + (message.key ? message.key->size() : 0)) +
         HeadersSize(message.headers) + kRecordOverhead;
}

std::optional<std::string> ReduceEnrichedEvent(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  auto& a = doc.GetAllocator();
  auto set = [&](const char* name, rapidjson::Value value) {
    auto it = doc.FindMember(name);
    if (it != doc.MemberEnd()) it->value = std::move(value);
  };
  set("body", rapidjson::Value("", a));
  set("lead", rapidjson::Value(rapidjson::kNullType));
  set("related", rapidjson::Value(rapidjson::kArrayType));
  set("extra", rapidjson::Value(rapidjson::kObjectType));
  CapArray(doc, "keywords", kReducedMatches);
  for (const char* field : {"title", "url", "source", "published_raw"}) {
    auto it = doc.FindMember(field);
    if (it == doc.MemberEnd() || !it->value.IsString()) continue;
    const std::string_view text(it->value.GetString(), it->value.GetStringLength());
    const size_t n = Utf8Prefix(text, kReducedTextBytes);
    if (n < text.size()) {
      it->value.SetString(text.data(), static_cast<rapidjson::SizeType>(n), a);
    }
  }
  for (const auto& [list, matches] : {std::pair{"topics", "matches"}, {"entities", "mentions"}}) {
    auto it = doc.FindMember(list);
    if (it == doc.MemberEnd() || !it->value.IsArray()) continue;
    for (auto& item : it->value.GetArray()) {
      if (!item.IsObject()) continue;
      CapArray(item, matches, kReducedMatches);
      auto m = item.FindMember(matches);
      if (m == item.MemberEnd() || !m->value.IsArray()) continue;
      for (auto& match : m->value.GetArray()) {
        auto text = match.IsObject() ? match.FindMember("text") : match.MemberEnd();
        if (!match.IsObject() || text == match.MemberEnd() || !text->value.IsString()) continue;
        const std::string_view t(text->value.GetString(), text->value.GetStringLength());
        const size_t n = Utf8Prefix(t, kReducedTextBytes);
        if (n < t.size()) text->value.SetString(t.data(), static_cast<rapidjson::SizeType>(n), a);
      }
    }
  }
  auto truncated = doc.FindMember("truncated");
  if (truncated != doc.MemberEnd()) {
    truncated->value.SetBool(true);
  } else {
    doc.AddMember("truncated", true, a);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char c : digest) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

OutMessage BoundDeadLetter(OutMessage message, int64_t limit) {
  if (MessageSize(message) <= limit) return message;
  const int64_t original_length = static_cast<int64_t>(message.value.size());
  const std::string sha = Sha256Hex(message.value);
  std::vector<schemas::Header> added = {
      {"newsflow.error.value_truncated", "true"},
      {"newsflow.error.original_length", std::to_string(original_length)},
      {"newsflow.error.original_sha256", sha},
  };
  const int64_t key = message.key ? static_cast<int64_t>(message.key->size()) : 0;
  int64_t room = limit - kRecordOverhead - kDeadLetterMargin - key - HeadersSize(message.headers) -
                 HeadersSize(added);
  if (room < limit / 2) {
    // The original headers themselves are too large: drop them (only the newsflow.error.*
    // headers, which are small, stay).
    std::vector<schemas::Header> kept;
    size_t dropped = 0;
    for (auto& h : message.headers) {
      if (h.key.rfind("newsflow.error.", 0) == 0 && h.value.size() <= 4096) {
        kept.push_back(std::move(h));
      } else {
        ++dropped;
      }
    }
    message.headers = std::move(kept);
    added.push_back({"newsflow.error.headers_dropped", std::to_string(dropped)});
    room = limit - kRecordOverhead - kDeadLetterMargin - key - HeadersSize(message.headers) -
           HeadersSize(added);
  }
  room = std::max<int64_t>(room, 0);
  if (static_cast<int64_t>(message.value.size()) > room) {
    message.value.resize(static_cast<size_t>(room));
  }
  for (auto& h : added) message.headers.push_back(std::move(h));
  return message;
}

}  // namespace newsflow::consumers
