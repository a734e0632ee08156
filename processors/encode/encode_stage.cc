#include "processors/encode/encode_stage.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <rapidjson/internal/dtoa.h>

#include "processors/core/config.h"
#include "processors/core/json.h"
#include "schemas/text.h"

namespace newsflow::processors {
namespace {

// Compact JSON straight into a std::string, byte for byte what rapidjson::Writer (default
// flags, UTF-8 in and out) writes for the same calls: no whitespace; strings escape '"', '\\'
// and the control characters below 0x20 (\b \t \n \f \r, else \u00XX with upper-case hex)
// and copy every other byte; doubles use RapidJSON's own dtoa. The Writer handles strings one
// byte at a time through its escape table and stack; the event is mostly long strings (title,
// body, matched texts), which this copies in runs found 16 bytes at a time.
class EventWriter {
 public:
  // Writes into `buffer` (whose bytes past size() are scratch); size() is the JSON's length.
  explicit EventWriter(std::string* buffer) : buf_(*buffer) {}
  size_t size() const { return size_; }

  void StartObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void StartArray() { Open('['); }
  void EndArray() { Close(']'); }
  // `name` is a literal that needs no escaping.
  template <size_t N>
  void Key(const char (&name)[N]) {
    char* d = Reserve(N + 3);
    d = Prefix(d);
    *d++ = '"';
    std::memcpy(d, name, N - 1);
    d += N - 1;
    *d++ = '"';
    *d++ = ':';
    Commit(d, false);
  }
  void String(std::string_view s) {
    char* d = Reserve(3 + 6 * s.size());
    Commit(AppendEscaped(Prefix(d), s), true);
  }
  void StringOrNull(std::string_view s) {
    if (s.empty()) {
      Null();
    } else {
      String(s);
    }
  }
  void Null() { Raw("null"); }
  void Int64(int64_t v) {
    char* d = Prefix(Reserve(24));
    Commit(std::to_chars(d, d + 22, v).ptr, true);
  }
  void Double(double d) {
    char* out = Prefix(Reserve(40));
    // rapidjson::Writer writes nothing for NaN and infinities (and reports failure).
    if (std::isfinite(d)) out = rapidjson::internal::dtoa(d, out);
    Commit(out, true);
  }
  // A complete JSON value, copied verbatim.
  void Raw(std::string_view json) {
    char* d = Prefix(Reserve(json.size() + 1));
    std::memcpy(d, json.data(), json.size());
    Commit(d + json.size(), true);
  }

 private:
  // A pointer to at least n writable bytes at the end of the JSON.
  char* Reserve(size_t n) {
    if (buf_.size() - size_ < n) buf_.resize(std::max(buf_.size() * 2, size_ + n + 4096));
    return buf_.data() + size_;
  }
  void Commit(char* end, bool value) {
    size_ = static_cast<size_t>(end - buf_.data());
    comma_ = value;
  }
  char* Prefix(char* d) const {
    if (comma_) *d++ = ',';
    return d;
  }
  void Open(char c) {
    char* d = Prefix(Reserve(2));
    *d++ = c;
    Commit(d, false);
  }
  void Close(char c) {
    char* d = Reserve(1);
    *d++ = c;
    Commit(d, true);
  }
  static char* AppendEscape(char* d, unsigned char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    *d++ = '\\';
    switch (c) {
      case '"':
      case '\\':
        *d++ = static_cast<char>(c);
        return d;
      case '\b':
        *d++ = 'b';
        return d;
      case '\t':
        *d++ = 't';
        return d;
      case '\n':
        *d++ = 'n';
        return d;
      case '\f':
        *d++ = 'f';
        return d;
      case '\r':
        *d++ = 'r';
        return d;
      default:
        *d++ = 'u';
        *d++ = '0';
        *d++ = '0';
        *d++ = kHex[c >> 4];
        *d++ = kHex[c & 0xF];
        return d;
    }
  }
  static bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }
  // Writes `s` quoted and escaped at d (room for 2 + 6 * size bytes); returns the end.
  static char* AppendEscaped(char* d, std::string_view s) {
    *d++ = '"';
    const char* p = s.data();
    const char* const end = p + s.size();
    const char* run = p;  // start of the bytes not yet copied
    auto flush = [&](const char* upto) {
      std::memcpy(d, run, static_cast<size_t>(upto - run));
      d += upto - run;
    };
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control_max = _mm_set1_epi8(0x1F);
    while (end - p >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      // Unsigned v <= 0x1F  <=>  min(v, 0x1F) == v.
      const __m128i hit =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                       _mm_cmpeq_epi8(_mm_min_epu8(v, control_max), v));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
      if (mask == 0) {
        p += 16;
        continue;
      }
      p += __builtin_ctz(mask);
      flush(p);
      d = AppendEscape(d, static_cast<unsigned char>(*p));
      run = ++p;
    }
#endif
    for (; p < end; ++p) {
      const auto c = static_cast<unsigned char>(*p);
      if (!NeedsEscape(c)) continue;
      flush(p);
      d = AppendEscape(d, c);
      run = p + 1;
    }
    flush(end);
    *d++ = '"';
    return d;
  }

  std::string& buf_;
  size_t size_ = 0;
  bool comma_ = false;  // a value precedes at this level: the next one needs a comma
};

void WriteMatches(EventWriter& w, const std::vector<core::Match>& matches) {
  w.StartArray();
  for (const auto& m : matches) {
    w.StartObject();
    w.Key("text");
    w.String(m.text);
    w.Key("field");
    w.String(core::FieldName(m.field));
    w.Key("begin");
    w.Int64(m.begin);
    w.Key("end");
    w.Int64(m.end);
    if (!m.rule.empty()) {
      w.Key("rule");
      w.String(m.rule);
    }
    w.EndObject();
  }
  w.EndArray();
}

void WriteStrings(EventWriter& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const auto& s : items) w.String(s);
  w.EndArray();
}

// The origin object, written by the shared core writer (small, once per record).
std::string_view OriginJson(const core::Origin& origin, rapidjson::StringBuffer* sb) {
  sb->Clear();
  core::JsonWriter w(*sb);
  core::WriteOriginJson(w, origin);
  return std::string_view(sb->GetString(), sb->GetSize());
}

}  // namespace

core::Result<EncodeConfig> EncodeConfig::FromYaml(const YAML::Node& node, const std::string& path) {
  EncodeConfig c;
  core::ConfigReader r(node, path);
  r.Read("include_body", &c.include_body, "Write the clean article body into the event.");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return c;
}

core::Result<std::unique_ptr<core::Stage>> EncodeStage::Create(const YAML::Node& node,
                                                               const std::string& path) {
  NEWSFLOW_ASSIGN_OR_RETURN(EncodeConfig config, EncodeConfig::FromYaml(node, path));
  return std::unique_ptr<core::Stage>(std::make_unique<EncodeStage>(config));
}

core::Status EncodeStage::Process(core::Document& doc, const core::StageContext& ctx) const {
  if (doc.article.id.empty()) {
    return core::Status(core::Code::kInternal, "encode", "no article decoded before encode");
  }
  const int64_t now = ctx.clock != nullptr ? ctx.clock->NowMs() : 0;
  doc.outputs.push_back(
      {core::Output::Kind::kEnriched, doc.article.id,
       EncodeEnrichedEvent(doc, now, ctx.pipeline_version, config_.include_body)});
  return core::Status::Ok();
}

std::string EncodeEnrichedEvent(const core::Document& doc, int64_t processed_at_ms,
                                std::string_view pipeline_version, bool include_body) {
  const auto& a = doc.article;
  // Rendered into a per-thread buffer that keeps its capacity, then copied once at its exact
  // size: one allocation per event instead of the buffer's growth steps.
  thread_local std::string buffer;
  thread_local rapidjson::StringBuffer origin_buffer;
  EventWriter w(&buffer);
  w.StartObject();
  w.Key("schema");
  w.String("newsflow.enriched_event.v1");
  w.Key("id");
  w.String(a.id);
  w.Key("url");
  w.StringOrNull(a.url);
  w.Key("source");
  w.StringOrNull(a.source);
  w.Key("title");
  w.String(doc.normalized ? doc.title : a.title);
  w.Key("body");
  w.String(include_body ? std::string_view(doc.normalized ? doc.body : a.body)
                        : std::string_view());
  w.Key("lead");
  w.StringOrNull(doc.lead);
  w.Key("keywords");
  WriteStrings(w, doc.keywords);
  w.Key("related");
  WriteStrings(w, doc.related);
  w.Key("word_count");
  if (doc.word_count) {
    w.Int64(*doc.word_count);
  } else {
    w.Null();
  }
  w.Key("language");
  w.StartObject();
  w.Key("code");
  w.StringOrNull(doc.language.code);
  w.Key("confidence");
  if (doc.language.code.empty()) {
    w.Null();
  } else {
    w.Double(doc.language.confidence);
  }
  w.Key("script");
  w.StringOrNull(doc.language.script);
  w.EndObject();
  w.Key("published_at");
  if (doc.published_at_ms) {
    w.String(schemas::FormatRfc3339(*doc.published_at_ms));
  } else {
    w.Null();
  }
  w.Key("published_raw");
  w.StringOrNull(doc.published_raw.empty() ? std::string_view(a.published)
                                           : std::string_view(doc.published_raw));
  w.Key("topics");
  w.StartArray();
  for (const auto& t : doc.topics) {
    w.StartObject();
    w.Key("id");
    w.String(t.id);
    w.Key("label");
    w.String(t.label);
    w.Key("score");
    w.Double(t.score);
    w.Key("matches");
    WriteMatches(w, t.matches);
    w.EndObject();
  }
  w.EndArray();
  w.Key("entities");
  w.StartArray();
  for (const auto& e : doc.entities) {
    w.StartObject();
    w.Key("id");
    w.String(e.id);
    w.Key("name");
    w.String(e.name);
    w.Key("type");
    w.String(e.type);
    w.Key("salience");
    w.Double(e.salience);
    w.Key("mentions");
    WriteMatches(w, e.mentions);
    w.EndObject();
  }
  w.EndArray();
  w.Key("story");
  w.StartObject();
  w.Key("id");
  w.StringOrNull(doc.story_id);
  w.Key("duplicate_of");
  w.StringOrNull(doc.duplicate_of);
  w.EndObject();
  w.Key("provenance");
  w.StartObject();
  w.Key("input");
  w.Raw(OriginJson(doc.raw->origin, &origin_buffer));
  w.Key("processed_at");
  w.String(schemas::FormatRfc3339(processed_at_ms));
  w.Key("pipeline_version");
  w.String(pipeline_version);
  w.Key("taxonomy_version");
  w.StringOrNull(doc.taxonomy_version);
  w.EndObject();
  if (!a.extra_json.empty()) {
    w.Key("extra");
    w.Raw(a.extra_json);
  }
  w.EndObject();
  return std::string(buffer.data(), w.size());
}

}  // namespace newsflow::processors
