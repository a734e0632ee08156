#include "processors/encode/encode_stage.h"

#include <rapidjson/document.h>
#include <rapidjson/internal/itoa.h>

#include <cstring>

#include "processors/core/config.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace newsflow::encode {
namespace {

using schemas::JsonWriter;
using schemas::WriteKey;
using schemas::WriteLiteral;
using schemas::WriteString;

void StringOrNull(JsonWriter& w, std::string_view s) {
  if (s.empty()) {
    w.Null();
  } else {
    WriteString(w, s);
  }
}

// The keys written for every entity and topic.
const schemas::JsonConstant kId("id");
const schemas::JsonConstant kLabel("label");
const schemas::JsonConstant kScore("score");
const schemas::JsonConstant kMatches("matches");
const schemas::JsonConstant kName("name");
const schemas::JsonConstant kType("type");
const schemas::JsonConstant kSalience("salience");
const schemas::JsonConstant kMentions("mentions");

// Matches (an entity's mentions, a topic's matched terms) are most of an event's values, and
// through the Writer each costs nine calls (keys, text, field, offsets, object), every one with
// its comma/colon bookkeeping and a byte-at-a-time copy of its raw bytes. So a match list is
// written by hand, straight into the Writer's buffer, after one RawValue call that does the
// bookkeeping for the list; the bytes are the ones the Writer would write:
//   * the keys and field names are the literals below (what the Writer writes for them);
//   * a text or rule with no byte the Writer escapes (control characters, '"', '\\') is its
//     bytes between quotes (the Writer, with the default flags, copies every other byte as it
//     is); any other string is rendered by a RapidJSON Writer (rare: clean text has none);
//   * numbers by rapidjson::internal::u32toa, the function Writer::Uint calls.
// EncodeStageTest.MatchListsAreWhatTheWriterWrites compares the bytes with the Writer's own
// (escapes, every field, 2^32 - 1, empty lists).
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

// Writes `s` as a JSON string at p (room: 6 * size + 2); returns the end.
char* PutString(char* p, std::string_view s) {
  unsigned escape = 0;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    escape |= static_cast<unsigned>(b < 0x20) | static_cast<unsigned>(b == '"') |
              static_cast<unsigned>(b == '\\');
  }
  if (escape == 0) {
    *p++ = '"';
    p = Put(p, s);
    *p++ = '"';
    return p;
  }
  thread_local rapidjson::StringBuffer sb;
  thread_local JsonWriter w;
  sb.Clear();
  w.Reset(sb);
  WriteString(w, s);
  return Put(p, std::string_view(sb.GetString(), sb.GetSize()));
}

// Writes `matches` as the value of the key just written into `w`, whose buffer is `sb`.
void WriteMatches(JsonWriter& w, rapidjson::StringBuffer& sb,
                  const std::vector<core::Match>& matches) {
  w.RawValue("", 0, rapidjson::kArrayType);  // the comma or colon before the list
  size_t bound = 2;
  for (const auto& m : matches) bound += 6 * (m.text.size() + m.rule.size()) + kMatchFixedBytes;
  char* const start = sb.Push(bound);
  char* p = start;
  *p++ = '[';
  for (size_t k = 0; k < matches.size(); ++k) {
    const core::Match& m = matches[k];
    if (k != 0) *p++ = ',';
    p = Put(p, kOpenText);
    p = PutString(p, m.text);
    p = Put(p, kFieldBegin[static_cast<size_t>(m.field)]);
    p = rapidjson::internal::u32toa(m.begin, p);
    p = Put(p, kEndKey);
    p = rapidjson::internal::u32toa(m.end, p);
    if (!m.rule.empty()) {
      p = Put(p, kRuleKey);
      p = PutString(p, m.rule);
    }
    *p++ = '}';
  }
  *p++ = ']';
  sb.Pop(bound - static_cast<size_t>(p - start));
}

void WriteStrings(JsonWriter& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const auto& s : items) WriteString(w, s);
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
  thread_local JsonWriter w;
  sb.Clear();
  w.Reset(sb);
  w.StartObject();
  WriteKey(w, "schema");
  WriteLiteral(w, "newsflow.enriched_event.v1");
  WriteKey(w, "id");
  WriteString(w, a.id);
  WriteKey(w, "url");
  StringOrNull(w, a.url);
  WriteKey(w, "source");
  StringOrNull(w, a.source);
  WriteKey(w, "title");
  WriteString(w, doc.normalized ? doc.title : a.title);
  WriteKey(w, "body");
  WriteString(w, include_body ? (doc.normalized ? doc.body : a.body) : std::string());
  WriteKey(w, "lead");
  StringOrNull(w, doc.lead);
  WriteKey(w, "keywords");
  WriteStrings(w, doc.keywords);
  WriteKey(w, "related");
  WriteStrings(w, doc.related);
  WriteKey(w, "word_count");
  if (doc.word_count) {
    w.Int64(*doc.word_count);
  } else {
    w.Null();
  }
  WriteKey(w, "language");
  w.StartObject();
  WriteKey(w, "code");
  StringOrNull(w, doc.language.code);
  WriteKey(w, "confidence");
  if (doc.language.code.empty()) {
    w.Null();
  } else {
    w.Double(doc.language.confidence);
  }
  WriteKey(w, "script");
  StringOrNull(w, doc.language.script);
  w.EndObject();
  WriteKey(w, "published_at");
  if (doc.published_at_ms) {
    WriteString(w, schemas::FormatRfc3339(*doc.published_at_ms));
  } else {
    w.Null();
  }
  WriteKey(w, "published_raw");
  StringOrNull(w, doc.published_raw.empty() ? std::string_view(a.published)
                                            : std::string_view(doc.published_raw));
  WriteKey(w, "topics");
  w.StartArray();
  for (const auto& t : doc.topics) {
    w.StartObject();
    kId.Write(w);
    WriteString(w, t.id);
    kLabel.Write(w);
    WriteString(w, t.label);
    kScore.Write(w);
    w.Double(t.score);
    kMatches.Write(w);
    WriteMatches(w, sb, t.matches);
    w.EndObject();
  }
  w.EndArray();
  WriteKey(w, "entities");
  w.StartArray();
  for (const auto& e : doc.entities) {
    w.StartObject();
    kId.Write(w);
    WriteString(w, e.id);
    kName.Write(w);
    WriteString(w, e.name);
    kType.Write(w);
    WriteString(w, e.type);
    kSalience.Write(w);
    w.Double(e.salience);
    kMentions.Write(w);
    WriteMatches(w, sb, e.mentions);
    w.EndObject();
  }
  w.EndArray();
  WriteKey(w, "story");
  w.StartObject();
  WriteKey(w, "id");
  StringOrNull(w, doc.story_id);
  WriteKey(w, "duplicate_of");
  StringOrNull(w, doc.duplicate_of);
  w.EndObject();
  WriteKey(w, "provenance");
  w.StartObject();
  WriteKey(w, "input");
  schemas::WriteOriginJson(w, doc.raw->origin);
  WriteKey(w, "processed_at");
  WriteString(w, schemas::FormatRfc3339(processed_at_ms));
  WriteKey(w, "pipeline_version");
  WriteString(w, pipeline_version);
  WriteKey(w, "taxonomy_version");
  StringOrNull(w, doc.taxonomy_version);
  w.EndObject();
  if (!a.extra_json.empty()) {
    WriteKey(w, "extra");
    w.RawValue(a.extra_json.data(), a.extra_json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace newsflow::encode
