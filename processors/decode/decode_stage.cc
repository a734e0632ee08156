#include "processors/decode/decode_stage.h"

#include <strings.h>

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "processors/core/config.h"
#include "schemas/text.h"

namespace newsflow::processors {
namespace {

using core::Code;
using core::Status;

Status Fail(Code code, std::string message) { return Status(code, "decode", std::move(message)); }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Two or more NULs among the first bytes in alternating positions: UTF-16 without a BOM.
bool LooksLikeUtf16(std::string_view s) {
  const size_t n = std::min<size_t>(s.size(), 64);
  size_t even = 0;
  size_t odd = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == '\0') ((i % 2 == 0) ? even : odd)++;
  }
  return n >= 4 && (even + odd) * 3 >= n && (even == 0 || odd == 0);
}

enum class Format { kJson, kText, kHtmlText };

Format DetectFormat(const core::RawRecord& record, std::string_view value,
                    const DecodeConfig& cfg) {
  if (cfg.format == "json") return Format::kJson;
  if (cfg.format == "text") return Format::kText;
  if (const std::string* ct = record.FindHeader("content-type")) {
    std::string_view media(*ct);
    media = media.substr(0, media.find(';'));
    if (strncasecmp(media.data(), "application/json", media.size()) == 0 && media.size() == 16) {
      return Format::kJson;
    }
    if (media.size() == 10 && strncasecmp(media.data(), "text/plain", 10) == 0) {
      return Format::kText;
    }
    if (media.size() == 9 && strncasecmp(media.data(), "text/html", 9) == 0) {
      return Format::kHtmlText;
    }
  }
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return (c == '{' || c == '[') ? Format::kJson : Format::kText;
  }
  return Format::kText;
}

bool HasText(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return true;
  }
  return false;
}

// A JSON string at p (after its opening quote) decoded into *out; p is left after the closing
// quote. False for what the fast path leaves to RapidJSON: \u escapes (which may be lone
// surrogates), unknown escapes, raw control characters, a missing closing quote.
bool ParseSimpleString(const char*& p, const char* end, std::string* out) {
  out->clear();
  const char* run = p;
  while (true) {
    const char* q = p;
    while (q < end && *q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20) ++q;
    if (q == end || static_cast<unsigned char>(*q) < 0x20) return false;
    out->append(run, q);
    if (*q == '"') {
      p = q + 1;
      return true;
    }
    if (q + 1 == end) return false;
    char c = q[1];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        break;
      case 'b':
        c = '\b';
        break;
      case 'f':
        c = '\f';
        break;
      case 'n':
        c = '\n';
        break;
      case 'r':
        c = '\r';
        break;
      case 't':
        c = '\t';
        break;
      default:
        return false;
    }
    out->push_back(c);
    p = run = q + 2;
  }
}

// SAX handler that writes the events of one extra member's value, refusing nesting deeper
// than `max_depth` levels (counted from inside the article object).
class ExtraValueWriter {
 public:
  ExtraValueWriter(rapidjson::Writer<rapidjson::StringBuffer>& w, int max_depth)
      : w_(w), max_depth_(max_depth) {}
  bool Null() { return w_.Null(); }
  bool Bool(bool b) { return w_.Bool(b); }
  bool Int(int i) { return w_.Int(i); }
  bool Uint(unsigned u) { return w_.Uint(u); }
  bool Int64(int64_t i) { return w_.Int64(i); }
  bool Uint64(uint64_t u) { return w_.Uint64(u); }
  bool Double(double d) { return w_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return w_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return w_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return w_.Key(s, n, copy); }
  bool StartObject() { return ++depth_ <= max_depth_ && w_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return w_.EndObject(n);
  }
  bool StartArray() { return ++depth_ <= max_depth_ && w_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return w_.EndArray(n);
  }

 private:
  rapidjson::Writer<rapidjson::StringBuffer>& w_;
  int max_depth_;
  int depth_ = 0;
};

// The common shape of a raw article: one flat JSON object whose members are known fields
// (each at most once) with string or null values, which the schema accepts as they are
// (QuickValidRawArticle's conditions) and with text in the title or body. Decoded straight
// into *article without building a DOM; anything else returns false and goes to
// schemas::DecodeRawArticleJson, which gives the same article for these records and the exact
// error for the others.
bool DecodeSimpleArticleJson(std::string_view json, int max_depth, schemas::RawArticle* article) {
  const char* p = json.data();
  const char* const end = p + json.size();
  auto skip_ws = [&] {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
  };
  schemas::RawArticle& a = *article;
  skip_ws();
  if (p == end || *p != '{') return false;
  ++p;
  skip_ws();
  unsigned seen = 0;
  bool has_id = false;
  thread_local rapidjson::StringBuffer extra;
  extra.Clear();
  rapidjson::Writer<rapidjson::StringBuffer> extra_writer(extra);
  bool extra_started = false;
  bool has_text = false;
  while (true) {
    if (p == end || *p != '"') return false;
    const char* key_begin = ++p;
    while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
    if (p == end || *p != '"') return false;
    const std::string_view key(key_begin, static_cast<size_t>(p - key_begin));
    ++p;
    skip_ws();
    if (p == end || *p != ':') return false;
    ++p;
    skip_ws();
    static constexpr std::string_view kKeys[] = {"id",       "url",          "source",
                                                 "title",    "body",         "published",
                                                 "language", "content_type", "fetched_at"};
    std::string* const targets[] = {&a.id,       &a.url,          &a.source,
                                    &a.title,    &a.body,         &a.published,
                                    &a.language, &a.content_type, &a.fetched_at};
    size_t field = 0;
    while (field < std::size(kKeys) && kKeys[field] != key) ++field;
    if (field == std::size(kKeys)) {
      // Unknown members are kept, re-written compactly by RapidJSON as the full decoder does
      // (numbers, escapes and all), in the order they come.
      if (!extra_started) {
        extra_writer.StartObject();
        extra_started = true;
      }
      extra_writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
      ExtraValueWriter handler(extra_writer, max_depth - 1);
      rapidjson::Reader reader;
      rapidjson::MemoryStream ms(p, static_cast<size_t>(end - p));
      if (reader.Parse<rapidjson::kParseStopWhenDoneFlag>(ms, handler).IsError()) return false;
      p += ms.Tell();
      skip_ws();
      if (p == end) return false;
      if (*p == '}') {
        ++p;
        break;
      }
      if (*p != ',') return false;
      ++p;
      skip_ws();
      continue;
    }
    if ((seen & (1u << field)) != 0) return false;
    seen |= 1u << field;
    if (end - p >= 4 && std::string_view(p, 4) == "null") {
      p += 4;  // null = absent
    } else if (p < end && *p == '"') {
      ++p;
      std::string* target = targets[field];
      if (!ParseSimpleString(p, end, target)) return false;
      const size_t n = target->size();
      switch (field) {
        case 0:  // id: 1..512 code points; longer byte strings are left to the validator
          if (n == 0 || n > 512) return false;
          has_id = true;
          break;
        case 3:  // title
        case 4:  // body
          has_text = has_text || n > 0;
          break;
        case 6:  // language
          if (n > 35) return false;
          break;
        case 7:  // content_type
          if (*target != "text/plain" && *target != "text/html") return false;
          break;
        default:
          break;
      }
    } else {
      return false;
    }
    skip_ws();
    if (p == end) return false;
    if (*p == '}') {
      ++p;
      break;
    }
    if (*p != ',') return false;
    ++p;
    skip_ws();
  }
  skip_ws();
  if (p != end || !has_text) return false;
  if (!HasText(a.title) && !HasText(a.body)) return false;  // the full decoder explains
  if (extra_started) {
    extra_writer.EndObject();
    a.extra_json.assign(extra.GetString(), extra.GetSize());
  }
  if (!has_id) schemas::AssignId(a);
  return true;
}

}  // namespace

core::Result<DecodeConfig> DecodeConfig::FromYaml(const YAML::Node& node, const std::string& path) {
  DecodeConfig c;
  core::ConfigReader r(node, path);
  r.Read("max_record_bytes", &c.max_record_bytes,
         "Largest record accepted, in bytes; larger ones are dead-lettered (too_large).");
  r.Read("max_json_depth", &c.max_json_depth, "Deepest JSON nesting accepted.");
  r.Read("format", &c.format, "Input format: auto (header, then sniff), json or text.");
  r.Read("on_invalid_utf8", &c.on_invalid_utf8,
         "reject: dead-letter records that are not UTF-8; replace: substitute U+FFFD.");
  r.Require(c.max_record_bytes > 0, "max_record_bytes", "must be positive");
  r.Require(c.max_json_depth >= 2 && c.max_json_depth <= 1000, "max_json_depth",
            "must be between 2 and 1000");
  r.Require(c.format == "auto" || c.format == "json" || c.format == "text", "format",
            "must be auto, json or text, got '" + c.format + "'");
  r.Require(c.on_invalid_utf8 == "reject" || c.on_invalid_utf8 == "replace", "on_invalid_utf8",
            "must be reject or replace, got '" + c.on_invalid_utf8 + "'");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return c;
}

core::Result<std::unique_ptr<core::Stage>> DecodeStage::Create(const YAML::Node& node,
                                                               const std::string& path) {
  NEWSFLOW_ASSIGN_OR_RETURN(DecodeConfig config, DecodeConfig::FromYaml(node, path));
  return std::unique_ptr<core::Stage>(std::make_unique<DecodeStage>(std::move(config)));
}

core::Status DecodeStage::Process(core::Document& doc, const core::StageContext& /*ctx*/) const {
  std::string_view value = doc.raw->value;
  if (value.size() > static_cast<uint64_t>(config_.max_record_bytes)) {
    return Fail(Code::kTooLarge, "record is " + std::to_string(value.size()) +
                                     " bytes; the limit (max_record_bytes) is " +
                                     std::to_string(config_.max_record_bytes));
  }
  if (StartsWith(value, "\xEF\xBB\xBF")) value.remove_prefix(3);
  if (StartsWith(value, "\xFF\xFE") || StartsWith(value, "\xFE\xFF")) {
    return Fail(Code::kInvalidEncoding,
                "UTF-16 input (byte-order mark at byte 0); records must be UTF-8");
  }
  if (LooksLikeUtf16(value)) {
    return Fail(Code::kInvalidEncoding,
                "UTF-16 input without byte-order mark (NUL bytes in alternate positions); "
                "records must be UTF-8");
  }
  if (auto nul = schemas::FindNul(value)) {
    return Fail(Code::kInvalidEncoding, "NUL byte at byte " + std::to_string(*nul));
  }
  std::string replaced;
  if (auto bad = schemas::FindInvalidUtf8(value)) {
    if (config_.on_invalid_utf8 != "replace") {
      return Fail(Code::kInvalidEncoding, "invalid UTF-8 at byte " + std::to_string(*bad));
    }
    replaced = ReplaceInvalidUtf8(value);
    value = replaced;
  }

  const Format format = DetectFormat(*doc.raw, value, config_);
  if (format == Format::kJson) {
    schemas::RawArticle simple;
    if (DecodeSimpleArticleJson(value, static_cast<int>(config_.max_json_depth), &simple)) {
      doc.article = std::move(simple);
      return Status::Ok();
    }
  }
  core::Result<schemas::RawArticle> article =
      format == Format::kJson ? schemas::DecodeRawArticleJson(
                                    value, {.max_depth = static_cast<int>(config_.max_json_depth)})
                              : schemas::DecodeRawArticleText(value);
  if (!article.ok()) return article.status();
  doc.article = std::move(article).value();
  if (format == Format::kHtmlText) doc.article.content_type = "text/html";
  return Status::Ok();
}

std::string ReplaceInvalidUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    const auto bad = schemas::FindInvalidUtf8(bytes);
    if (!bad) {
      out.append(bytes);
      break;
    }
    out.append(bytes.substr(0, *bad));
    out.append("\xEF\xBF\xBD");
    // Skip the lead byte and any continuation bytes that followed it.
    size_t skip = 1;
    while (*bad + skip < bytes.size() && skip < 4 &&
           (static_cast<unsigned char>(bytes[*bad + skip]) & 0xC0) == 0x80) {
      ++skip;
    }
    bytes.remove_prefix(*bad + skip);
  }
  return out;
}

}  // namespace newsflow::processors
