// The encode stage on hand-built Documents: every field of enriched_event.v1, what is null
// before a stage filled it, escaping, the body option, and the output record it queues.
#include "processors/encode/encode_stage.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "schemas/json_writer.h"
#include "schemas/validate.h"

namespace newsflow::encode {
namespace {

constexpr int64_t kProcessedAt = 1767225600000;  // 2026-01-01T00:00:00.000Z

schemas::RawRecord KafkaRecord() {
  schemas::RawRecord r;
  r.value = "{}";
  r.origin.kind = schemas::Origin::Kind::kKafka;
  r.origin.topic = "news.raw";
  r.origin.partition = 2;
  r.origin.offset = 77;
  r.origin.timestamp_ms = 1767225600500;
  return r;
}

rapidjson::Document Parse(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  EXPECT_FALSE(d.HasParseError()) << json;
  const Status valid = schemas::ValidateText(schemas::SchemaId::kEnrichedEvent, json);
  EXPECT_TRUE(valid.ok()) << valid.ToString() << "\n" << json;
  return d;
}

TEST(EncodeStageTest, DecodedOnlyArticleHasNullsAndEmptyListsNotInventedValues) {
  const schemas::RawRecord record = KafkaRecord();
  core::Document doc(record);
  doc.article.id = "a1";
  doc.article.title = "Raw title";
  doc.article.body = "Raw body";
  doc.article.published = "yesterday";
  const rapidjson::Document e = Parse(EncodeEnrichedEvent(doc, kProcessedAt, "0.1.0", true));
  EXPECT_STREQ(e["schema"].GetString(), "newsflow.enriched_event.v1");
  EXPECT_STREQ(e["id"].GetString(), "a1");
  EXPECT_STREQ(e["title"].GetString(), "Raw title") << "the article's own before normalize";
  EXPECT_STREQ(e["body"].GetString(), "Raw body");
  for (const char* key : {"url", "source", "lead", "word_count", "published_at"}) {
    EXPECT_TRUE(e[key].IsNull()) << key;
  }
  EXPECT_STREQ(e["published_raw"].GetString(), "yesterday");
  EXPECT_TRUE(e["language"]["code"].IsNull());
  EXPECT_TRUE(e["language"]["confidence"].IsNull());
  for (const char* key : {"keywords", "related", "topics", "entities"}) {
    ASSERT_TRUE(e[key].IsArray()) << key;
    EXPECT_EQ(e[key].Size(), 0u) << key;
  }
  EXPECT_TRUE(e["story"]["id"].IsNull());
  EXPECT_TRUE(e["story"]["duplicate_of"].IsNull());
  EXPECT_TRUE(e["provenance"]["taxonomy_version"].IsNull());
  EXPECT_FALSE(e.HasMember("extra")) << "no unknown input fields, no extra object";
}

TEST(EncodeStageTest, EveryStageFieldIsWrittenWithOffsetsAndProvenance) {
  const schemas::RawRecord record = KafkaRecord();
  core::Document doc(record);
  doc.article.id = "a2";
  doc.article.url = "https://example.org/a2";
  doc.article.source = "Example";
  doc.article.extra_json = R"({"feed":{"rank":3}})";
  doc.normalized = true;
  doc.title = "Ceasefire talks";
  doc.body = "Talks resumed in Cairo.";
  doc.lead = "Talks resumed in Cairo.";
  doc.keywords = {"Gaza", "talks"};
  doc.related = {"Earlier round failed"};
  doc.word_count = 4;
  doc.language = {"en", 0.99, "Latn"};
  doc.published_at_ms = 1761004800123;
  doc.published_raw = "21 Oct 2025";
  doc.topics.push_back({"ceasefire_talks",
                        "Ceasefire talks",
                        0.75,
                        {{"Ceasefire talks", core::Field::kTitle, 0, 15, "ceasefire.phrases"}}});
  doc.entities.push_back(
      {"place/cairo", "Cairo", "place", 0.5, {{"Cairo", core::Field::kBody, 17, 22, ""}}});
  doc.taxonomy_version = "tax-1";
  doc.story_id = "s-1";
  doc.duplicate_of = "a0";
  const rapidjson::Document e = Parse(EncodeEnrichedEvent(doc, kProcessedAt, "0.1.0", true));
  EXPECT_STREQ(e["title"].GetString(), "Ceasefire talks");
  EXPECT_STREQ(e["lead"].GetString(), "Talks resumed in Cairo.");
  EXPECT_EQ(e["keywords"].Size(), 2u);
  EXPECT_STREQ(e["related"][0].GetString(), "Earlier round failed");
  EXPECT_EQ(e["word_count"].GetInt64(), 4);
  EXPECT_STREQ(e["language"]["code"].GetString(), "en");
  EXPECT_DOUBLE_EQ(e["language"]["confidence"].GetDouble(), 0.99);
  EXPECT_STREQ(e["language"]["script"].GetString(), "Latn");
  EXPECT_STREQ(e["published_at"].GetString(), "2025-10-21T00:00:00.123Z");
  EXPECT_STREQ(e["published_raw"].GetString(), "21 Oct 2025");
  const auto& topic = e["topics"][0];
  EXPECT_STREQ(topic["id"].GetString(), "ceasefire_talks");
  EXPECT_DOUBLE_EQ(topic["score"].GetDouble(), 0.75);
  EXPECT_STREQ(topic["matches"][0]["field"].GetString(), "title");
  EXPECT_EQ(topic["matches"][0]["end"].GetUint(), 15u);
  EXPECT_STREQ(topic["matches"][0]["rule"].GetString(), "ceasefire.phrases");
  const auto& mention = e["entities"][0]["mentions"][0];
  EXPECT_STREQ(mention["field"].GetString(), "body");
  EXPECT_EQ(mention["begin"].GetUint(), 17u);
  EXPECT_FALSE(mention.HasMember("rule")) << "an empty rule is left out";
  EXPECT_STREQ(e["story"]["id"].GetString(), "s-1");
  EXPECT_STREQ(e["story"]["duplicate_of"].GetString(), "a0");
  const auto& input = e["provenance"]["input"];
  EXPECT_STREQ(input["kind"].GetString(), "kafka");
  EXPECT_STREQ(input["topic"].GetString(), "news.raw");
  EXPECT_EQ(input["partition"].GetInt(), 2);
  EXPECT_EQ(input["offset"].GetInt64(), 77);
  EXPECT_STREQ(input["timestamp"].GetString(), "2026-01-01T00:00:00.500Z");
  EXPECT_STREQ(e["provenance"]["processed_at"].GetString(), "2026-01-01T00:00:00.000Z");
  EXPECT_STREQ(e["provenance"]["pipeline_version"].GetString(), "0.1.0");
  EXPECT_STREQ(e["provenance"]["taxonomy_version"].GetString(), "tax-1");
  EXPECT_EQ(e["extra"]["feed"]["rank"].GetInt(), 3) << "unknown input fields pass through";
}

TEST(EncodeStageTest, TextIsEscapedAndIncludeBodyFalseLeavesTheBodyEmpty) {
  const schemas::RawRecord record = KafkaRecord();
  core::Document doc(record);
  doc.article.id = "a3";
  doc.article.title = "quote \" backslash \\ newline \n tab \t ctl \x01 ب";
  doc.article.body = "secret body";
  const std::string json = EncodeEnrichedEvent(doc, kProcessedAt, "v", false);
  const rapidjson::Document e = Parse(json);
  EXPECT_EQ(std::string(e["title"].GetString()), doc.article.title);
  EXPECT_STREQ(e["body"].GetString(), "");
  EXPECT_EQ(json.find("secret"), std::string::npos);
}

// The match lists are rendered without the Writer's per-value calls (encode_stage.cc); this is
// the Writer's own rendering they must equal byte for byte.
std::string WriterMatches(const std::vector<core::Match>& matches) {
  rapidjson::StringBuffer sb;
  schemas::JsonWriter w(sb);
  w.StartArray();
  for (const auto& m : matches) {
    w.StartObject();
    w.Key("text");
    w.String(m.text.data(), static_cast<rapidjson::SizeType>(m.text.size()));
    w.Key("field");
    const std::string_view field = core::FieldName(m.field);
    w.String(field.data(), static_cast<rapidjson::SizeType>(field.size()));
    w.Key("begin");
    w.Uint(m.begin);
    w.Key("end");
    w.Uint(m.end);
    if (!m.rule.empty()) {
      w.Key("rule");
      w.String(m.rule.data(), static_cast<rapidjson::SizeType>(m.rule.size()));
    }
    w.EndObject();
  }
  w.EndArray();
  return std::string(sb.GetString(), sb.GetSize());
}

TEST(EncodeStageTest, MatchListsAreWhatTheWriterWrites) {
  const schemas::RawRecord record = KafkaRecord();
  core::Document doc(record);
  doc.article.id = "a5";
  const std::vector<core::Match> tricky = {
      {"plain", core::Field::kTitle, 0, 5, ""},
      {"quote \" backslash \\ nl \n tab \t ctl \x01 del \x7f / ب ש 😀", core::Field::kLead, 9,
       4294967295u, "rule \"x\"\\y"},
      {"", core::Field::kBody, 1234567890, 1234567899, "r"},
      {"Ünïcödé", core::Field::kBody, 10, 100, ""}};
  doc.topics.push_back({"t1", "Topic", 0.5, tricky});
  doc.topics.push_back({"t2", "Empty", 0.25, {}});
  doc.entities.push_back({"e/1", "E", "person", 0.5, tricky});
  doc.entities.push_back({"e/2", "F", "place", 0.0, {{"F", core::Field::kBody, 3, 4, ""}}});
  const std::string json = EncodeEnrichedEvent(doc, kProcessedAt, "v", true);
  Parse(json);
  const std::string expected_tricky = "\"matches\":" + WriterMatches(tricky) + "}";
  EXPECT_NE(json.find(expected_tricky), std::string::npos) << json;
  EXPECT_NE(json.find("\"mentions\":" + WriterMatches(tricky) + "}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"matches\":[]}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"mentions\":" + WriterMatches(doc.entities[1].mentions) + "}]"),
            std::string::npos)
      << json;
  // Escapes as JSON readers see them.
  const rapidjson::Document e = Parse(json);
  EXPECT_EQ(std::string(e["topics"][0]["matches"][1]["text"].GetString()), tricky[1].text);
  EXPECT_EQ(std::string(e["entities"][0]["mentions"][1]["rule"].GetString()), tricky[1].rule);
  EXPECT_EQ(e["entities"][0]["mentions"][1]["end"].GetUint(), 4294967295u);
}

// The "topics" and "entities" arrays as RapidJSON's Writer writes them, key by key.
std::string WriterResults(const core::Document& doc) {
  rapidjson::StringBuffer sb;
  schemas::JsonWriter w(sb);
  auto str = [&w](const std::string& s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  auto matches = [&w](const std::vector<core::Match>& list) {
    const std::string json = WriterMatches(list);
    w.RawValue(json.data(), json.size(), rapidjson::kArrayType);
  };
  w.StartObject();
  w.Key("topics");
  w.StartArray();
  for (const auto& t : doc.topics) {
    w.StartObject();
    w.Key("id");
    str(t.id);
    w.Key("label");
    str(t.label);
    w.Key("score");
    w.Double(t.score);
    w.Key("matches");
    matches(t.matches);
    w.EndObject();
  }
  w.EndArray();
  w.Key("entities");
  w.StartArray();
  for (const auto& e : doc.entities) {
    w.StartObject();
    w.Key("id");
    str(e.id);
    w.Key("name");
    str(e.name);
    w.Key("type");
    str(e.type);
    w.Key("salience");
    w.Double(e.salience);
    w.Key("mentions");
    matches(e.mentions);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  // Without the braces: the two members as they appear inside the event.
  return std::string(sb.GetString() + 1, sb.GetSize() - 2);
}

TEST(EncodeStageTest, TopicsAndEntitiesAreWhatTheWriterWrites) {
  const schemas::RawRecord record = KafkaRecord();
  core::Document doc(record);
  doc.article.id = "a6";
  const std::vector<core::Match> some = {
      {"Gaza \"strip\"", core::Field::kTitle, 0, 12, ""},
      {"\xD8\xBA\xD8\xB2\xD8\xA9", core::Field::kBody, 40, 46, "rule\\1"}};
  // Scores (0-1, as the schema says) with short, long, tiny and negative-zero renderings.
  const double numbers[] = {0.0, 1.0, 0.5, 1.0 / 3.0, 0.1 + 0.2, 1e-7, 0.987654321, 4.9e-324, -0.0};
  int k = 0;
  for (const double x : numbers) {
    const std::string n = std::to_string(k++);
    doc.topics.push_back({"topic/" + n, "Label \"" + n + "\"\n\\", x,
                          k % 2 == 0 ? some : std::vector<core::Match>{}});
    doc.entities.push_back({"e/" + n, "Name \xD7\xA9 " + n, k % 3 == 0 ? "person" : "name\t", x,
                            k % 2 == 1 ? some : std::vector<core::Match>{}});
  }
  const std::string json = EncodeEnrichedEvent(doc, kProcessedAt, "v", true);
  Parse(json);
  const std::string expected = WriterResults(doc);
  EXPECT_NE(json.find("," + expected + ","), std::string::npos) << json << "\n" << expected;
  // No topics and no entities: empty arrays.
  doc.topics.clear();
  doc.entities.clear();
  EXPECT_NE(
      EncodeEnrichedEvent(doc, kProcessedAt, "v", true).find(R"(,"topics":[],"entities":[],)"),
      std::string::npos);
}

TEST(EncodeStageTest, ExtraMembersAreCopiedAsTheyAreAtTheEndOfTheEvent) {
  const schemas::RawRecord record = KafkaRecord();
  core::Document doc(record);
  doc.article.id = "a7";
  // As decode writes them: escapes, nesting, non-ASCII, and longer than the Writer's buffers.
  std::string extra = R"({"note":"a \"quoted\"\nline \u0001","tags":["x",{"n":[1,2.5,null]}],)";
  for (int i = 0; i < 40; ++i)
    extra += "\"k" + std::to_string(i) + "\":\"\xD8\xBA\xD8\xB2\xD8\xA9\",";
  extra += R"("last":true})";
  doc.article.extra_json = extra;
  const std::string json = EncodeEnrichedEvent(doc, kProcessedAt, "v", true);
  const rapidjson::Document e = Parse(json);
  const std::string tail = ",\"extra\":" + extra + "}";
  ASSERT_GE(json.size(), tail.size());
  EXPECT_EQ(json.substr(json.size() - tail.size()), tail);
  EXPECT_EQ(std::string(e["extra"]["note"].GetString()), "a \"quoted\"\nline \x01");
  EXPECT_TRUE(e["extra"]["last"].GetBool());
  // And as the Writer's RawValue writes it.
  rapidjson::StringBuffer sb;
  schemas::JsonWriter w(sb);
  w.StartObject();
  w.Key("x");
  w.RawValue(extra.data(), extra.size(), rapidjson::kObjectType);
  w.EndObject();
  EXPECT_EQ(std::string(sb.GetString(), sb.GetSize()), "{\"x\":" + extra + "}");
}

// The Writer's own rendering of an object {s: s} and an array [s, s].
std::string WriterRendering(std::string_view s) {
  rapidjson::StringBuffer sb;
  schemas::JsonWriter w(sb);
  w.StartArray();
  w.StartObject();
  schemas::WriteString(w, s);
  schemas::WriteString(w, s);
  w.EndObject();
  schemas::WriteString(w, s);
  schemas::WriteString(w, s);
  w.EndArray();
  return std::string(sb.GetString(), sb.GetSize());
}

std::string FastRendering(std::string_view s) {
  rapidjson::StringBuffer sb;
  internal::EventWriter w(sb);
  w.StartArray();
  w.StartObject();
  internal::WriteJsonString(w, sb, s);
  internal::WriteJsonString(w, sb, s);
  w.EndObject();
  internal::WriteJsonString(w, sb, s);
  internal::WriteJsonString(w, sb, s);
  w.EndArray();
  return std::string(sb.GetString(), sb.GetSize());
}

// What WriteJsonString must write: the Writer's bytes, except that 0x1A-0x1F are always
// escaped (\u001A...). RapidJSON 1.1.0 escapes them on its byte-wise path but copies them as
// they are inside its aligned 16-byte blocks (its SIMD test is "<= 0x19"), which is not valid
// JSON and depends on the string's address. A string with such bytes must not contain 'Q'
// (the placeholder).
std::string Expected(std::string_view s) {
  std::string placeholder(s);
  std::string escapes;
  for (char& c : placeholder) {
    if (c >= 0x1A && c <= 0x1F) {
      escapes.push_back(c);
      c = 'Q';
    }
  }
  if (escapes.empty()) return WriterRendering(s);
  const std::string out = WriterRendering(placeholder);
  // Each string appears four times in the rendering.
  std::string result;
  size_t k = 0;
  for (char c : out) {
    if (c != 'Q') {
      result.push_back(c);
      continue;
    }
    constexpr char kHex[] = "0123456789ABCDEF";
    const auto b = static_cast<unsigned char>(escapes[k++ % escapes.size()]);
    result += "\\u00";
    result.push_back(kHex[b >> 4]);
    result.push_back(kHex[b & 0xF]);
  }
  return result;
}

TEST(EncodeStageTest, StringsAreWhatTheWriterWritesForEveryByteLengthAndPosition) {
  // Every byte value, alone and at each position of strings of 1 to 40 bytes (the 16-byte
  // steps and the byte-wise tail), in plain ASCII and multi-byte text, at every alignment.
  const std::string fillers[] = {"abcdefghijklmnopqrstuvwxyz0123456789ABCD",
                                 "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
                                 "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xe4\xb8\xad\xe6\x96\x87 x"};
  size_t compared = 0;
  for (int b = 0; b < 256; ++b) {
    for (const std::string& filler : fillers) {
      for (size_t len = 1; len <= 40; ++len) {
        for (size_t pos = 0; pos < len; pos += (len > 20 ? 3 : 1)) {
          std::string s = filler.substr(0, len);
          s.resize(len, 'z');
          s[pos] = static_cast<char>(b);
          const std::string backing = "....." + s;  // unaligned starts too
          for (size_t shift = 0; shift < 5; shift += 2) {
            const std::string_view v = std::string_view(backing).substr(5 - shift, len);
            ASSERT_EQ(FastRendering(v), Expected(v)) << "byte " << b << " at " << pos;
            ++compared;
          }
        }
      }
    }
  }
  // Strings made only of bytes to escape, long and short, and the empty string.
  for (const std::string& s :
       {std::string(), std::string(100, '"'), std::string(37, '\\'), std::string(33, '\n'),
        std::string(50, '\0'), std::string("\x01\x1f\x7f\x80\xff/")}) {
    EXPECT_EQ(FastRendering(s), Expected(s));
    ++compared;
  }
  EXPECT_GT(compared, 100000u);
}

TEST(EncodeStageTest, ProcessQueuesOneEnrichedOutputKeyedByArticleId) {
  auto stage = EncodeStage::Create(YAML::Load("{include_body: false}"), "pipeline.encode");
  ASSERT_TRUE(stage.ok()) << stage.status().ToString();
  const schemas::RawRecord record = KafkaRecord();
  core::Document doc(record);
  core::FixedClock clock(kProcessedAt);
  const core::StageContext ctx{&clock, "0.1.0"};
  const Status no_article = (*stage)->Process(doc, ctx);
  EXPECT_EQ(no_article.code(), Code::kInternal) << "encode before decode is a bug, not input";
  doc.article.id = "a4";
  doc.article.body = "body";
  ASSERT_TRUE((*stage)->Process(doc, ctx).ok());
  ASSERT_EQ(doc.outputs.size(), 1u);
  EXPECT_EQ(doc.outputs[0].kind, schemas::Output::Kind::kEnriched);
  EXPECT_EQ(doc.outputs[0].key, "a4");
  EXPECT_NE(doc.outputs[0].value.find("\"body\":\"\""), std::string::npos);
}

TEST(EncodeStageTest, UnknownOptionIsAConfigErrorNamingTheKey) {
  auto stage = EncodeStage::Create(YAML::Load("{include_bodies: false}"), "pipeline.encode");
  ASSERT_FALSE(stage.ok());
  EXPECT_NE(stage.status().message().find("pipeline.encode.include_bodies"), std::string::npos)
      << stage.status().message();
}

}  // namespace
}  // namespace newsflow::encode
