#include "processors/encode/encode_stage.h"

#include <rapidjson/document.h>
#include <rapidjson/internal/dtoa.h>
#include <rapidjson/internal/ieee754.h>
#include <rapidjson/internal/itoa.h>

#include <cstdint>
#include <cstring>

#include "processors/core/config.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace newsflow::encode {
namespace {

using internal::EventWriter;

using internal::WriteJsonString;

// A key, or a literal value, with no byte to escape (every one in this file: ASCII letters,
// digits, '_' and '.'), written as its bytes between quotes after the Writer's bookkeeping.
template <size_t N>
void Literal(EventWriter& w, rapidjson::StringBuffer& sb, const char (&s)[N]) {
  w.BeginValue(rapidjson::kStringType);
  char* const p = sb.Push(N + 1);
  p[0] = '"';
  std::memcpy(p + 1, s, N - 1);
  p[N] = '"';
}

void StringOrNull(EventWriter& w, rapidjson::StringBuffer& sb, std::string_view s) {
  if (s.empty()) {
    w.Null();
  } else {
    WriteJsonString(w, sb, s);
  }
}

// Matches (an entity's mentions, a topic's matched terms) are most of an event's values, and
// through the Writer each costs nine calls (keys, text, field, offsets, object), every one with
// its comma/colon bookkeeping and a byte-at-a-time copy of its raw bytes. So a match list -- and
// the topic or entity object around it (WriteResultObject) -- is written by hand, straight into
// the Writer's buffer, after one BeginValue call that does the bookkeeping for the object; the
// bytes are the ones the Writer would write:
//   * the keys and field names are the literals below (what the Writer writes for them);
//   * texts and rules by schemas::PutJsonString (json_writer.h: the Writer's escapes);
//   * numbers by rapidjson::internal::u32toa, the function Writer::Uint calls, and scores by
//     rapidjson::internal::dtoa, the function Writer::Double calls (PutDouble);
// EncodeStageTest.MatchListsAreWhatTheWriterWrites compares the bytes with the Writer's own
// (escapes, every field, 2^32 - 1, empty lists), and
// EncodeStageTest.TopicsAndEntitiesAreWhatTheWriterWrites the objects around them. The other
// strings of the event go the same way (WriteJsonString, Literal).
constexpr std::string_view kOpenText = R"({"text":)";
constexpr std::string_view kFieldBegin[] = {
    R"(,"field":"title","begin":)", R"(,"field":"lead","begin":)", R"(,"field":"body","begin":)"};
constexpr std::string_view kEndKey = R"(,"end":)";
constexpr std::string_view kRuleKey = R"(,"rule":)";
// Bytes a match needs besides 6 per byte of its text and rule (the longest escape is \u00XX):
// the literals, two numbers of at most 10 digits, four quotes, a comma and a brace.
constexpr size_t kMatchFixedBytes = 128;

[[gnu::always_inline]] inline char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());  // a constant size for the literals: no call
  return p + s.size();
}

}  // namespace

void internal::WriteJsonString(EventWriter& w, rapidjson::StringBuffer& sb, std::string_view s) {
  // The Writer's bookkeeping (the comma or colon before the string), then the string goes
  // straight into the buffer.
  w.BeginValue(rapidjson::kStringType);
  const size_t bound = 6 * s.size() + 2;
  char* const start = sb.Push(bound);
  char* const p = schemas::PutJsonString(start, s);
  sb.Pop(bound - static_cast<size_t>(p - start));
}

namespace {

using schemas::PutJsonString;

// Bytes PutMatches() needs at most for `matches`.
size_t MatchesBound(const std::vector<core::Match>& matches) {
  size_t bound = 2;
  for (const auto& m : matches) bound += 6 * (m.text.size() + m.rule.size()) + kMatchFixedBytes;
  return bound;
}

// Puts `matches` as a JSON array at `p`, which has room for MatchesBound(matches) bytes;
// returns the end.
char* PutMatches(char* p, const std::vector<core::Match>& matches) {
  *p++ = '[';
  for (size_t k = 0; k < matches.size(); ++k) {
    const core::Match& m = matches[k];
    if (k != 0) *p++ = ',';
    p = Put(p, kOpenText);
    p = PutJsonString(p, m.text);
    p = Put(p, kFieldBegin[static_cast<size_t>(m.field)]);
    p = rapidjson::internal::u32toa(m.begin, p);
    p = Put(p, kEndKey);
    p = rapidjson::internal::u32toa(m.end, p);
    if (!m.rule.empty()) {
      p = Put(p, kRuleKey);
      p = PutJsonString(p, m.rule);
    }
    *p++ = '}';
  }
  *p++ = ']';
  return p;
}

// A number as Writer::Double writes it with the default flags and decimal places: what
// rapidjson::internal::dtoa writes, and nothing for NaN and infinities (the Writer writes no
// value for them either).
char* PutDouble(char* p, double d) {
  if (rapidjson::internal::Double(d).IsNanOrInf()) return p;
  return rapidjson::internal::dtoa(d, p, schemas::JsonWriter::kDefaultMaxDecimalPlaces);
}
// Room for a number PutDouble() writes (the Writer's own buffer for it has 25 bytes).
constexpr size_t kDoubleBytes = 32;

// A topic or an entity object -- three strings, a number and a match list under the given
// keys -- written by hand like the match lists (one BeginValue call for the object, whose
// bytes are then put straight into the buffer) rather than through eleven Writer calls:
//   {"<k0>":<s0>,"<k1>":<s1>,"<k2>":<s2>,"<k3>":<number>,"<k4>":<matches>}
// (the topic has no third string: `s2` null). The keys are literals with nothing to escape.
struct ObjectKeys {
  std::string_view open_first;  // {"id":
  std::string_view second;      // ,"label": / ,"name":
  std::string_view third;       // ,"type": (entities)
  std::string_view number;      // ,"score": / ,"salience":
  std::string_view list;        // ,"matches": / ,"mentions":
};
constexpr ObjectKeys kTopicKeys = {R"({"id":)", R"(,"label":)", "", R"(,"score":)",
                                   R"(,"matches":)"};
constexpr ObjectKeys kEntityKeys = {R"({"id":)", R"(,"name":)", R"(,"type":)", R"(,"salience":)",
                                    R"(,"mentions":)"};
constexpr size_t kObjectFixedBytes = 96;  // the keys, six quotes and the closing brace

void WriteResultObject(EventWriter& w, rapidjson::StringBuffer& sb, const ObjectKeys& keys,
                       std::string_view s0, std::string_view s1, const std::string_view* s2,
                       double number, const std::vector<core::Match>& matches) {
  w.BeginValue(rapidjson::kObjectType);  // the comma before the object in its array
  const size_t bound = 6 * (s0.size() + s1.size() + (s2 != nullptr ? s2->size() : 0)) + 6 +
                       kObjectFixedBytes + kDoubleBytes + MatchesBound(matches);
  char* const start = sb.Push(bound);
  char* p = start;
  p = Put(p, keys.open_first);
  p = PutJsonString(p, s0);
  p = Put(p, keys.second);
  p = PutJsonString(p, s1);
  if (s2 != nullptr) {
    p = Put(p, keys.third);
    p = PutJsonString(p, *s2);
  }
  p = Put(p, keys.number);
  p = PutDouble(p, number);
  p = Put(p, keys.list);
  p = PutMatches(p, matches);
  *p++ = '}';
  sb.Pop(bound - static_cast<size_t>(p - start));
}

void WriteStrings(EventWriter& w, rapidjson::StringBuffer& sb,
                  const std::vector<std::string>& items) {
  w.StartArray();
  for (const auto& s : items) WriteJsonString(w, sb, s);
  w.EndArray();
}

}  // namespace

Result<EncodeConfig> EncodeConfig::FromYaml(const YAML::Node& node, const std::string& path) {
  EncodeConfig c;
  core::ConfigReader r(node, path);
  r.Read("include_body", &c.include_body, "Write the clean article body into the event.");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return c;
}

Result<std::unique_ptr<core::Stage>> EncodeStage::Create(const YAML::Node& node,
                                                         const std::string& path) {
  NEWSFLOW_ASSIGN_OR_RETURN(EncodeConfig config, EncodeConfig::FromYaml(node, path));
  return std::unique_ptr<core::Stage>(std::make_unique<EncodeStage>(config));
}

Status EncodeStage::Process(core::Document& doc, const core::StageContext& ctx) const {
  if (doc.article.id.empty()) {
    return Status(Code::kInternal, "encode", "no article decoded before encode");
  }
  const int64_t now = ctx.clock != nullptr ? ctx.clock->NowMs() : 0;
  doc.outputs.push_back(
      {schemas::Output::Kind::kEnriched, doc.article.id,
       EncodeEnrichedEvent(doc, now, ctx.pipeline_version, config_.include_body)});
  return Status::Ok();
}

std::string EncodeEnrichedEvent(const core::Document& doc, int64_t processed_at_ms,
                                std::string_view pipeline_version, bool include_body) {
  const auto& a = doc.article;
  // One buffer and writer per thread, reused: the event is written without allocating (once the
  // buffer has grown to the largest event so far) and copied out once at its exact size.
  thread_local rapidjson::StringBuffer sb;
  thread_local EventWriter w;
  sb.Clear();
  w.Reset(sb);
  w.StartObject();
  Literal(w, sb, "schema");
  Literal(w, sb, "newsflow.enriched_event.v1");
  Literal(w, sb, "id");
  WriteJsonString(w, sb, a.id);
  Literal(w, sb, "url");
  StringOrNull(w, sb, a.url);
  Literal(w, sb, "source");
  StringOrNull(w, sb, a.source);
  Literal(w, sb, "title");
  WriteJsonString(w, sb, doc.normalized ? doc.title : a.title);
  Literal(w, sb, "body");
  WriteJsonString(w, sb, include_body ? (doc.normalized ? doc.body : a.body) : std::string());
  Literal(w, sb, "lead");
  StringOrNull(w, sb, doc.lead);
  Literal(w, sb, "keywords");
  WriteStrings(w, sb, doc.keywords);
  Literal(w, sb, "related");
  WriteStrings(w, sb, doc.related);
  Literal(w, sb, "word_count");
  if (doc.word_count) {
    w.Int64(*doc.word_count);
  } else {
    w.Null();
  }
  Literal(w, sb, "language");
  w.StartObject();
  Literal(w, sb, "code");
  StringOrNull(w, sb, doc.language.code);
  Literal(w, sb, "confidence");
  if (doc.language.code.empty()) {
    w.Null();
  } else {
    w.Double(doc.language.confidence);
  }
  Literal(w, sb, "script");
  StringOrNull(w, sb, doc.language.script);
  w.EndObject();
  Literal(w, sb, "published_at");
  if (doc.published_at_ms) {
    WriteJsonString(w, sb, schemas::FormatRfc3339(*doc.published_at_ms));
  } else {
    w.Null();
  }
  Literal(w, sb, "published_raw");
  StringOrNull(w, sb,
               doc.published_raw.empty() ? std::string_view(a.published)
                                         : std::string_view(doc.published_raw));
  Literal(w, sb, "topics");
  w.StartArray();
  for (const auto& t : doc.topics) {
    WriteResultObject(w, sb, kTopicKeys, t.id, t.label, nullptr, t.score, t.matches);
  }
  w.EndArray();
  Literal(w, sb, "entities");
  w.StartArray();
  for (const auto& e : doc.entities) {
    const std::string_view type = e.type;
    WriteResultObject(w, sb, kEntityKeys, e.id, e.name, &type, e.salience, e.mentions);
  }
  w.EndArray();
  Literal(w, sb, "story");
  w.StartObject();
  Literal(w, sb, "id");
  StringOrNull(w, sb, doc.story_id);
  Literal(w, sb, "duplicate_of");
  StringOrNull(w, sb, doc.duplicate_of);
  w.EndObject();
  Literal(w, sb, "provenance");
  w.StartObject();
  Literal(w, sb, "input");
  schemas::WriteOriginJson(w, doc.raw->origin);
  Literal(w, sb, "processed_at");
  WriteJsonString(w, sb, schemas::FormatRfc3339(processed_at_ms));
  Literal(w, sb, "pipeline_version");
  WriteJsonString(w, sb, pipeline_version);
  Literal(w, sb, "taxonomy_version");
  StringOrNull(w, sb, doc.taxonomy_version);
  w.EndObject();
  if (!a.extra_json.empty()) {
    Literal(w, sb, "extra");
    // The record's unknown members, already JSON (decode wrote them): copied as one block after
    // the Writer's bookkeeping. Writer::RawValue copies them byte by byte (~450 bytes per
    // article on the dev corpus: ~4 K instructions, measured).
    w.BeginValue(rapidjson::kObjectType);
    std::memcpy(sb.Push(a.extra_json.size()), a.extra_json.data(), a.extra_json.size());
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace newsflow::encode
