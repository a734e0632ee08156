#include "schemas/raw_article.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <iterator>
#include <optional>

#include "schemas/json_writer.h"
#include "schemas/text.h"
#include "schemas/validate.h"

namespace newsflow::schemas {
namespace {

// Forwards SAX events to a Document while refusing nesting deeper than `max_depth`, so that
// "deeply nested junk" is rejected during parsing instead of being stored and later walked
// recursively by a validator or writer.
class DepthLimitingHandler {
 public:
  DepthLimitingHandler(rapidjson::Document& doc, int max_depth)
      : doc_(doc), max_depth_(max_depth) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(int64_t i) { return doc_.Int64(i); }
  bool Uint64(uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return Enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return Enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    if (++depth_ > max_depth_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  rapidjson::Document& doc_;
  int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
};

// `bytes` as a NUL-terminated per-thread copy padded with 15 more NULs, valid until the next
// call on the thread. RapidJSON's SSE2 paths (RAPIDJSON_SSE2, cmake/NewsflowDeps.cmake) skip
// whitespace and copy unescaped string runs 16 bytes at a time only on NUL-terminated input,
// and their aligned 16-byte loads stop at the terminator's block, which the padding keeps inside
// the buffer. The record has no NUL of its own (the decode stage rejects those first; a NUL here
// would end the input early, which RapidJSON reports as an error, as it does for a truncated
// record).
char* PaddedCopy(std::string_view bytes) {
  thread_local std::string padded;
  padded.assign(bytes);
  padded.append(16, '\0');
  return padded.data();
}

// The article fields of raw_article.v1 (the index is FlatArticleHandler's field number), and the
// byte lengths within which the schema's code-point limits surely hold (longer values go to the
// full validator, which counts code points).
constexpr std::string_view kArticleFields[] = {
    "id", "url", "source", "title", "body", "published", "language", "content_type", "fetched_at"};
int ArticleField(std::string_view key) {
  for (int i = 0; i < static_cast<int>(std::size(kArticleFields)); ++i) {
    if (kArticleFields[i] == key) return i;
  }
  return -1;
}
constexpr size_t kMaxIdBytes = 512;
constexpr size_t kMaxLanguageBytes = 35;

struct Parser {
  std::string_view bytes;
  int max_depth;
  rapidjson::ParseResult result;
  bool too_deep = false;

  bool operator()(rapidjson::Document& doc) {
    DepthLimitingHandler handler(doc, max_depth);
    rapidjson::Reader reader;
    rapidjson::StringStream ss(PaddedCopy(bytes));
    // Recursive descent is safe here: the handler stops the parse at max_depth, before the
    // parser recurses any deeper (and it is faster than kParseIterativeFlag).
    result = reader.Parse<rapidjson::kParseDefaultFlags>(ss, handler);
    too_deep = handler.too_deep();
    return !result.IsError();
  }
};

const char* TypeName(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return "number";
  }
  return "value";
}

bool HasText(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return true;
  }
  return false;
}

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Status CheckNotEmpty(const RawArticle& a) {
  if (!HasText(a.title) && !HasText(a.body)) {
    return Status(Code::kEmptyArticle, "decode", "neither title nor body contains any text");
  }
  return Status::Ok();
}

}  // namespace

bool QuickValidRawArticle(const rapidjson::Value& doc) {
  if (!doc.IsObject()) return false;
  bool has_text = false;
  for (const auto& m : doc.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (ArticleField(key) < 0) continue;
    if (m.value.IsNull()) continue;
    if (!m.value.IsString()) return false;
    const size_t n = m.value.GetStringLength();
    if (key == "content_type") {
      const std::string_view v(m.value.GetString(), n);
      if (v != "text/plain" && v != "text/html") return false;
    }
    if (key == "id" && (n == 0 || n > kMaxIdBytes)) return false;
    if (key == "language" && n > kMaxLanguageBytes) return false;
    if ((key == "title" || key == "body") && n > 0) has_text = true;
  }
  return has_text;
}

Result<RawArticle> DecodeRawArticleJsonDom(std::string_view bytes, const JsonLimits& limits) {
  rapidjson::Document doc;
  Parser parser{bytes, limits.max_depth, {}, false};
  doc.Populate(parser);
  if (parser.too_deep) {
    return Status(Code::kMalformed, "decode",
                  "JSON nesting deeper than " + std::to_string(limits.max_depth) +
                      " levels at byte " + std::to_string(parser.result.Offset()));
  }
  if (parser.result.IsError()) {
    return Status(Code::kMalformed, "decode",
                  std::string("invalid JSON at byte ") + std::to_string(parser.result.Offset()) +
                      ": " + rapidjson::GetParseError_En(parser.result.Code()));
  }
  if (!doc.IsObject()) {
    return Status(Code::kSchemaViolation, "decode",
                  std::string("expected a JSON object (one article), got ") + TypeName(doc));
  }
  // The full SchemaValidator costs more than the rest of decoding; records that pass the quick
  // check (which never accepts what the schema rejects: tests/unit/schemas) skip it.
  if (Status s = QuickValidRawArticle(doc) ? Status::Ok() : Validate(SchemaId::kRawArticle, doc);
      !s.ok()) {
    // The schema's top-level anyOf is the "title or body" rule: report it in plain words.
    if (s.message().rfind("/: violates 'anyOf'", 0) == 0) {
      return Status(Code::kEmptyArticle, "decode", "neither title nor body contains any text");
    }
    return s;
  }

  RawArticle a;
  bool has_id = false;
  // Only a \u escape can decode to bytes that are not UTF-8 (the record itself was validated).
  const bool has_escapes = bytes.find("\\u") != std::string_view::npos;
  rapidjson::Document extra(rapidjson::kObjectType);
  for (auto& m : doc.GetObject()) {
    const std::string_view key(m.name.GetString(), m.name.GetStringLength());
    std::string* target = nullptr;
    if (key == "id") {
      target = &a.id;
      has_id = m.value.IsString();
    } else if (key == "url") {
      target = &a.url;
    } else if (key == "source") {
      target = &a.source;
    } else if (key == "title") {
      target = &a.title;
    } else if (key == "body") {
      target = &a.body;
    } else if (key == "published") {
      target = &a.published;
    } else if (key == "language") {
      target = &a.language;
    } else if (key == "content_type") {
      target = &a.content_type;
    } else if (key == "fetched_at") {
      target = &a.fetched_at;
    }
    if (target == nullptr) {
      extra.AddMember(rapidjson::Value(m.name, extra.GetAllocator()),
                      rapidjson::Value(m.value, extra.GetAllocator()), extra.GetAllocator());
      continue;
    }
    if (m.value.IsNull()) continue;  // null = absent; the schema allowed it
    target->assign(m.value.GetString(), m.value.GetStringLength());
    // A \udc00-style lone surrogate escape decodes to bytes that are not UTF-8.
    if (auto bad = has_escapes ? FindInvalidUtf8(*target) : std::nullopt) {
      return Status(Code::kInvalidEncoding, "decode",
                    "field '" + std::string(key) + "' decodes to invalid UTF-8 at byte " +
                        std::to_string(*bad) + " of its value (lone surrogate escape?)");
    }
  }
  if (a.content_type.empty()) a.content_type = "text/plain";
  if (extra.MemberCount() > 0) {
    rapidjson::StringBuffer sb;
    PutStringWriter writer(sb);
    extra.Accept(writer);
    a.extra_json.assign(sb.GetString(), sb.GetSize());
  }
  if (Status s = CheckNotEmpty(a); !s.ok()) return s;
  if (!has_id) AssignId(a);
  return a;
}

namespace {

// The common case in one pass, without a DOM: RapidJSON's Reader hands the members of the
// top-level object to this handler, which assigns the known fields straight to a RawArticle and
// forwards the unknown members, value by value, to the Writer that makes `extra_json` (the same
// events, in the same order, that the DOM path's Document::Accept replays). Whatever it is not
// sure of it gives up on (returns false, which stops the parse), and the record goes to the DOM
// path, which decides and explains: a root that is not an object, a known field twice or not a
// string or null, nesting near the depth limit, a value QuickValidRawArticle would not pass.
class FlatArticleHandler {
 public:
  FlatArticleHandler(RawArticle& article, PutStringWriter& extra, int max_depth)
      : a_(article), extra_(extra), max_depth_(max_depth) {}

  bool Null() {
    if (depth_ == 1 && target_ != nullptr) {  // null = absent
      target_ = nullptr;
      return true;
    }
    return depth_ >= 1 && !AwaitingKnown() && extra_.Null();
  }
  bool Bool(bool b) { return InExtraValue() && extra_.Bool(b); }
  bool Int(int i) { return InExtraValue() && extra_.Int(i); }
  bool Uint(unsigned u) { return InExtraValue() && extra_.Uint(u); }
  bool Int64(int64_t i) { return InExtraValue() && extra_.Int64(i); }
  bool Uint64(uint64_t u) { return InExtraValue() && extra_.Uint64(u); }
  bool Double(double d) { return InExtraValue() && extra_.Double(d); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return false; }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == 1 && target_ != nullptr) {
      target_->assign(s, n);
      target_ = nullptr;
      assigned_ |= 1u << field_;
      return true;
    }
    return InExtraValue() && extra_.String(s, n);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ > 1) return extra_.Key(s, n);
    const int field = ArticleField(std::string_view(s, n));
    if (field < 0) {
      if (!has_extra_) {
        has_extra_ = true;
        extra_.StartObject();
      }
      return extra_.Key(s, n);
    }
    if (seen_ & (1u << field)) return false;  // a known field twice: the DOM path decides
    seen_ |= 1u << field;
    field_ = field;
    target_ = Field(field);
    return true;
  }
  bool StartObject() {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    return Enter() && extra_.StartObject();
  }
  bool EndObject(rapidjson::SizeType) {
    if (--depth_ == 0) return true;
    return extra_.EndObject();
  }
  bool StartArray() { return depth_ > 0 && Enter() && extra_.StartArray(); }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return extra_.EndArray();
  }

  bool has_extra() const { return has_extra_; }
  // Whether the field (an index into kArticleFields) was given as a string (not absent, not null).
  bool assigned(int field) const { return (assigned_ & (1u << field)) != 0; }
  static constexpr int kId = 0;
  static constexpr int kContentType = 7;

 private:
  std::string* Field(int field) {
    std::string* const targets[] = {&a_.id,       &a_.url,          &a_.source,
                                    &a_.title,    &a_.body,         &a_.published,
                                    &a_.language, &a_.content_type, &a_.fetched_at};
    return targets[field];
  }
  // A known field whose value has not come yet: only a string or null may follow.
  bool AwaitingKnown() const { return depth_ == 1 && target_ != nullptr; }
  bool InExtraValue() const { return depth_ >= 1 && !AwaitingKnown(); }
  // One nesting level more inside an unknown member. Stops a little before the limit, so that
  // the DOM path (which counts the same way) is the one that reports a too-deep record.
  bool Enter() {
    if (AwaitingKnown()) return false;
    return ++depth_ < max_depth_;
  }

  RawArticle& a_;
  PutStringWriter& extra_;
  int max_depth_;
  int depth_ = 0;
  uint32_t seen_ = 0;
  uint32_t assigned_ = 0;
  int field_ = -1;
  std::string* target_ = nullptr;
  bool has_extra_ = false;
};

// Decodes `bytes` with FlatArticleHandler; nullopt when the DOM path has to decide.
std::optional<RawArticle> DecodeFlatArticle(std::string_view bytes, const JsonLimits& limits) {
  // Parsed in place (kParseInsituFlag) from PaddedCopy(), for RapidJSON's SSE2 scanning: strings
  // are unescaped inside the copy and handed over from there, rather than first copied to the
  // reader's stack (the copy is this call's own, and the DOM path makes its own again). One
  // reader and buffers per thread, reused.
  thread_local rapidjson::Reader reader;
  thread_local rapidjson::StringBuffer extra_buffer;
  thread_local PutStringWriter extra;
  extra_buffer.Clear();
  extra.Reset(extra_buffer);
  RawArticle a;
  FlatArticleHandler handler(a, extra, limits.max_depth);
  rapidjson::InsituStringStream ss(PaddedCopy(bytes));
  if (reader.Parse<rapidjson::kParseInsituFlag>(ss, handler).IsError()) return std::nullopt;
  // QuickValidRawArticle's conditions, on the decoded fields (a field given as null kept its
  // default: content_type "text/plain", the others empty).
  if (a.title.empty() && a.body.empty()) return std::nullopt;
  if (a.content_type != "text/plain" && a.content_type != "text/html") return std::nullopt;
  const bool has_id = handler.assigned(FlatArticleHandler::kId);
  if ((has_id && a.id.empty()) || a.id.size() > kMaxIdBytes ||
      a.language.size() > kMaxLanguageBytes) {
    return std::nullopt;
  }
  // A \u escape that decodes to bytes that are not UTF-8 (a lone surrogate): the DOM path
  // rejects the record and says which field.
  if (bytes.find("\\u") != std::string_view::npos) {
    for (const std::string* f : {&a.id, &a.url, &a.source, &a.title, &a.body, &a.published,
                                 &a.language, &a.content_type, &a.fetched_at}) {
      if (FindInvalidUtf8(*f)) return std::nullopt;
    }
  }
  if (handler.has_extra()) {
    extra.EndObject();
    a.extra_json.assign(extra_buffer.GetString(), extra_buffer.GetSize());
  }
  if (!CheckNotEmpty(a).ok()) return std::nullopt;
  if (!has_id) AssignId(a);
  return a;
}

}  // namespace

Result<RawArticle> DecodeRawArticleJson(std::string_view bytes, const JsonLimits& limits) {
  if (std::optional<RawArticle> a = DecodeFlatArticle(bytes, limits)) return std::move(*a);
  return DecodeRawArticleJsonDom(bytes, limits);
}

Result<RawArticle> DecodeRawArticleText(std::string_view text) {
  RawArticle a;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = TrimAscii(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (HasText(line)) {
      a.title.assign(line);
      break;
    }
  }
  if (pos < text.size()) a.body.assign(text.substr(pos));
  if (Status s = CheckNotEmpty(a); !s.ok()) return s;
  AssignId(a);
  return a;
}

void AssignId(RawArticle& article) {
  const std::string_view url = TrimAscii(article.url);
  if (!url.empty()) {
    article.id = Hash128Hex(url);
    article.id_source = IdSource::kUrl;
    return;
  }
  std::string content;
  content.reserve(article.title.size() + article.body.size() + 1);
  content += article.title;
  content += '\n';
  content += article.body;
  article.id = Hash128Hex(content);
  article.id_source = IdSource::kContent;
}

std::string EncodeRawArticleJson(const RawArticle& a) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  auto field = [&](const char* name, const std::string& value, bool always) {
    if (value.empty() && !always) return;
    w.Key(name);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  field("id", a.id, false);
  field("url", a.url, false);
  field("source", a.source, false);
  field("title", a.title, true);
  field("body", a.body, true);
  field("published", a.published, false);
  field("language", a.language, false);
  if (a.content_type != "text/plain") field("content_type", a.content_type, false);
  field("fetched_at", a.fetched_at, false);
  if (!a.extra_json.empty()) {
    rapidjson::Document extra;
    extra.Parse(a.extra_json.data(), a.extra_json.size());
    if (extra.IsObject()) {
      for (auto& m : extra.GetObject()) {
        w.Key(m.name.GetString(), m.name.GetStringLength());
        m.value.Accept(w);
      }
    }
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace newsflow::schemas
