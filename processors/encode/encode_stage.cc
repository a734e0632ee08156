#include "processors/encode/encode_stage.h"

#include <rapidjson/document.h>

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

// The keys and values written for every match, entity and topic.
const schemas::JsonConstant kText("text");
const schemas::JsonConstant kField("field");
const schemas::JsonConstant kBegin("begin");
const schemas::JsonConstant kEnd("end");
const schemas::JsonConstant kRule("rule");
const schemas::JsonConstant kId("id");
const schemas::JsonConstant kLabel("label");
const schemas::JsonConstant kScore("score");
const schemas::JsonConstant kMatches("matches");
const schemas::JsonConstant kName("name");
const schemas::JsonConstant kType("type");
const schemas::JsonConstant kSalience("salience");
const schemas::JsonConstant kMentions("mentions");
const schemas::JsonConstant kFieldNames[] = {
    schemas::JsonConstant(core::FieldName(core::Field::kTitle)),
    schemas::JsonConstant(core::FieldName(core::Field::kLead)),
    schemas::JsonConstant(core::FieldName(core::Field::kBody))};

void WriteMatches(JsonWriter& w, const std::vector<core::Match>& matches) {
  w.StartArray();
  for (const auto& m : matches) {
    w.StartObject();
    kText.Write(w);
    WriteString(w, m.text);
    kField.Write(w);
    kFieldNames[static_cast<size_t>(m.field)].Write(w);
    kBegin.Write(w);
    w.Uint(m.begin);
    kEnd.Write(w);
    w.Uint(m.end);
    if (!m.rule.empty()) {
      kRule.Write(w);
      WriteString(w, m.rule);
    }
    w.EndObject();
  }
  w.EndArray();
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
    WriteMatches(w, t.matches);
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
    WriteMatches(w, e.mentions);
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
