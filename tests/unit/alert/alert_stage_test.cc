// The alert stage: rules match, one alert per (rule, story) until the level escalates, ids are
// deterministic, and every alert and story output validates against its schema.
#include "processors/alert/alert_stage.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cinttypes>
#include <cstdio>
#include <random>
#include <set>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/pipeline_setup.h"
#include "schemas/validate.h"
#include "tests/testing/testing.h"

namespace newsflow::alert {
namespace {

const char* kRules = R"(
version: test.1
rules:
  - id: truce
    severity: warning
    when:
      topics: {ceasefire_talks: 0.5}
      terms: [truce, trêve]
    reason: "{rule}: {articles} articles in {languages} languages"
    suppress_for: 24h
    escalate: {articles: [3, 10], languages: true, critical_at: 10}
  - id: confirmed
    severity: info
    when:
      story: {min_articles: 3, min_sources: 3, min_languages: 2, within: 2h}
  - id: never
    when:
      entities: {all: [person/nobody]}
surge: {enabled: false}
)";

std::string Article(int i, const std::string& lang, int minute) {
  const std::string body =
      lang == "fr"
          ? "L'envoyé de l'ONU Hans Grundberg a annoncé une trêve de deux mois au Yémen entre "
            "les Houthis et la coalition, un cessez-le-feu qui commence samedi après sept ans "
            "de guerre."
          : "UN envoy Hans Grundberg announced a two-month truce in Yemen between the Houthis "
            "and the Saudi-led coalition, a ceasefire that starts on Saturday after seven years "
            "of war.";
  char published[32];
  std::snprintf(published, sizeof(published), "2022-04-01T10:%02d:00Z", minute);
  return std::string(R"({"id":"a)") + std::to_string(i) + R"(","title":"Truce in Yemen )" +
         std::to_string(i) + R"(","body":")" + body + R"(","source":"outlet)" + std::to_string(i) +
         R"(","published":")" + published + R"("})";
}

class AlertStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pipeline_setup = app::BuildPipelineSetup("");
    ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
    pipeline_setup_ = std::move(pipeline_setup).value();
    auto rules = CompileAlertRules("test", kRules);
    ASSERT_TRUE(rules.ok()) << rules.status().ToString();
    pipeline_setup_->alerts.rules->Swap(*rules);
  }
  std::vector<schemas::Output> Alerts(const std::string& json) {
    schemas::RawRecord record = testing::MakeRecord(json, "application/json");
    core::FixedClock clock(1700000000000);
    core::Outcome o = pipeline_setup_->pipeline->Process(record, {&clock, "test"});
    EXPECT_TRUE(o.ok()) << o.status.ToString();
    std::vector<schemas::Output> alerts;
    for (auto& out : o.outputs) {
      if (out.kind == schemas::Output::Kind::kAlert) {
        EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kAlert, out.value).ok())
            << schemas::ValidateText(schemas::SchemaId::kAlert, out.value).ToString() << "\n"
            << out.value;
        alerts.push_back(out);
      }
      if (out.kind == schemas::Output::Kind::kStory) {
        EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kStory, out.value).ok())
            << schemas::ValidateText(schemas::SchemaId::kStory, out.value).ToString() << "\n"
            << out.value;
      }
      if (out.kind == schemas::Output::Kind::kEnriched) {
        EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kEnrichedEvent, out.value).ok());
      }
    }
    return alerts;
  }
  static std::string Rule(const schemas::Output& o) {
    const size_t p = o.value.find("\"rule\":\"");
    return o.value.substr(p + 8, o.value.find('"', p + 8) - p - 8);
  }
  std::unique_ptr<app::PipelineSetup> pipeline_setup_;
};

TEST_F(AlertStageTest, OneAlertPerRuleAndStoryUntilItEscalates) {
  auto first = Alerts(Article(1, "en", 0));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(Rule(first[0]), "truce");
  const std::string story = first[0].key;
  EXPECT_EQ(story.substr(0, 3), "st-");  // keyed by story id
  // Same story, same language, below the next step: suppressed.
  EXPECT_TRUE(Alerts(Article(2, "en", 10)).empty());
  // Third article, second language: escalates (step 3 reached, new language) and confirms.
  auto third = Alerts(Article(3, "fr", 20));
  ASSERT_EQ(third.size(), 2u);
  EXPECT_EQ(Rule(third[0]), "truce");
  EXPECT_EQ(Rule(third[1]), "confirmed");
  EXPECT_EQ(third[0].key, story);
  EXPECT_NE(third[0].value.find("\"key\":\"a1.l2.s1.r0\""), std::string::npos) << third[0].value;
  EXPECT_TRUE(Alerts(Article(4, "fr", 30)).empty());
  const AlertCounters c = pipeline_setup_->alerts.state->Counters();
  EXPECT_EQ(c.raised.at("truce|warning"), 2);
  EXPECT_EQ(c.suppressed.at("truce"), 2);
}

TEST_F(AlertStageTest, StoryLanguagesAreCountedOnceAndListedSorted) {
  // A story whose recent articles repeat languages, more distinct ones than the stage keeps
  // inline (16), in no order: the level counts each language once and the alert lists them
  // sorted; the story condition counts distinct sources and languages the same way.
  schemas::RawRecord record = testing::MakeRecord("{}", "application/json");
  core::Document doc(record);
  doc.article.id = "x1";
  doc.story_id = "st-0000000000000001";
  doc.story.event_time_ms = 1700000000000;
  doc.story.event_time_basis = "published";
  doc.story.first_seen_ms = 1700000000000;
  doc.story.article_count = 40;
  // (The articles' names are views: their texts live here.)
  std::vector<std::string> outlets, codes;
  for (int k = 0; k < 40; ++k) {
    const int lang = (k * 7) % 20;  // 20 distinct, each twice, out of order
    char code[8];
    std::snprintf(code, sizeof(code), "l%02d", lang);
    outlets.push_back("outlet" + std::to_string(k % 5));
    codes.push_back(code);
  }
  for (int k = 0; k < 40; ++k) doc.story.recent.push_back({1700000000000, outlets[k], codes[k]});
  AlertStage stage(pipeline_setup_->alerts);
  core::FixedClock clock(1700000000000);
  std::vector<Verdict> verdicts;
  ASSERT_TRUE(stage.Run(doc, {&clock, "test"}, &verdicts).ok());
  const schemas::Output* confirmed = nullptr;
  for (const auto& out : doc.outputs) {
    if (out.kind == schemas::Output::Kind::kAlert && Rule(out) == "confirmed") confirmed = &out;
  }
  ASSERT_NE(confirmed, nullptr);
  std::string expected = "\"languages\":[";
  for (int l = 0; l < 20; ++l) {
    char code[8];
    std::snprintf(code, sizeof(code), "l%02d", l);
    expected += std::string(l > 0 ? "," : "") + "\"" + code + "\"";
  }
  expected += "]";
  EXPECT_NE(confirmed->value.find(expected), std::string::npos) << confirmed->value;
  EXPECT_NE(confirmed->value.find("\"languages\":20"), std::string::npos) << confirmed->value;
  for (const auto& v : verdicts) {
    if (v.rule == "confirmed") {
      EXPECT_NE(v.why.find("40 articles, 5 outlets, 20 languages"), std::string::npos) << v.why;
    }
  }
}

TEST_F(AlertStageTest, IdsAreDeterministicAcrossInstances) {
  auto a = Alerts(Article(1, "en", 0));
  // A second pipeline_setup (another instance, or a restart) raising the same alert: same id.
  auto engine2 = app::BuildPipelineSetup("");
  ASSERT_TRUE(engine2.ok());
  (*engine2)->alerts.rules->Swap(pipeline_setup_->alerts.rules->Get());
  schemas::RawRecord record = testing::MakeRecord(Article(1, "en", 0), "application/json");
  core::FixedClock clock(1800000000000);
  core::Outcome o = (*engine2)->pipeline->Process(record, {&clock, "test"});
  ASSERT_EQ(a.size(), 1u);
  std::string id_a = a[0].value.substr(a[0].value.find("\"id\":\""), 26);
  bool found = false;
  for (const auto& out : o.outputs) {
    if (out.kind == schemas::Output::Kind::kAlert) {
      found = true;
      EXPECT_EQ(out.value.substr(out.value.find("\"id\":\""), 26), id_a);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(AlertId("r", "s", "a0.l1.s1.r0"), AlertId("r", "s", "a0.l1.s1.r0"));
  EXPECT_NE(AlertId("r", "s", "a0.l1.s1.r0"), AlertId("r", "s", "a1.l1.s1.r0"));
}

// The stage writes alert.v1 records itself (no RapidJSON Writer): the bytes are the Writer's.
// An alert whose title, outlet, topics and entities need escapes (quotes, backslash, line ends,
// control bytes, non-ASCII) and whose reason uses every placeholder: parsed and written again by
// the Writer, the record is the same bytes; the reason is the template with the values (the
// topics' labels joined by ", " as ever: an empty label between two others leaves ", , ").
TEST(AlertRecordTest, RecordIsTheWritersBytesAndTheReasonFillsEveryPlaceholder) {
  auto rules = CompileAlertRules("test", R"(
version: test.1
rules:
  - id: every
    severity: critical
    when:
      topics: {ceasefire_talks: 0.1}
    reason: "<{rule}|{severity}|{title}|{article_id}|{story_id}|{articles}|{sources}|{languages}|{language}|{source}|{topics}|{entities}|{level}>"
surge: {enabled: false}
)");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  AlertServices services{std::make_shared<AlertRuleStore>(*rules), std::make_shared<AlertState>(),
                         std::make_shared<SurgeDetector>()};
  AlertStage stage(services);
  schemas::RawRecord record = testing::MakeRecord("{}", "application/json");
  core::Document doc(record);
  doc.article.id = "id \"1\"";
  doc.article.url = "https://example.org/a?b=\\c";
  doc.article.source = "Outlet\tÜ";
  doc.article.title =
      "Title \"quoted\"\nline\x01 \xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A \xF0\x9F\x98\x80";
  doc.language.code = "ar";
  doc.story_id = "st-00000000000000ab";
  doc.story.event_time_ms = 1700000000123;
  doc.story.event_time_basis = "published";
  doc.story.first_seen_ms = 1699990000000;
  doc.story.article_count = 12;
  doc.story.recent = {{1699990000000, "a", "en"}, {1700000000123, "b\"", "ar"}};
  doc.topics.push_back({"ceasefire_talks", "Ceasefire \"talks\"", 0.9311, {}});
  doc.topics.push_back({"other", "", 1.0 / 3.0, {}});
  doc.topics.push_back({"third", "Third", 1e-7, {}});
  core::EntityResult e1, e2;
  e1.id = "country/x\\y";
  e1.name = "X\\Y";
  e2.id = "person/z";
  e2.name = "Zé";
  doc.entities = {e1, e2};
  core::FixedClock clock(1700000001000);
  ASSERT_TRUE(stage.Process(doc, {&clock, "test"}).ok());
  ASSERT_EQ(doc.outputs.size(), 1u);
  const std::string& value = doc.outputs[0].value;
  EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kAlert, value).ok()) << value;
  rapidjson::Document parsed;
  parsed.Parse(value.data(), value.size());
  ASSERT_FALSE(parsed.HasParseError()) << value;
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  parsed.Accept(w);
  EXPECT_EQ(std::string(sb.GetString(), sb.GetSize()), value);
  const std::string level = parsed["level"]["key"].GetString();
  EXPECT_EQ(level, "a2.l2.s2.r0");
  const std::string expected = "<every|critical|" + doc.article.title + "|" + doc.article.id +
                               "|st-00000000000000ab|12|2|2|ar|" + doc.article.source +
                               "|Ceasefire \"talks\", , Third|X\\Y, Zé|" + level + ">";
  EXPECT_EQ(parsed["reason"].GetString(), expected);
  EXPECT_EQ(parsed["topics"][1]["score"].GetDouble(), 1.0 / 3.0);
  EXPECT_EQ(parsed["topics"][2]["score"].GetDouble(), 1e-7);
  EXPECT_EQ(std::string(parsed["event_time"].GetString()), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(std::string(parsed["raised_at"].GetString()), "2023-11-14T22:13:21.000Z");
  EXPECT_TRUE(parsed["url"].IsString());
}

// The story condition's shortcut for languages compares the recent articles' language codes by
// their bytes, not by where they are stored: the same code in different buffers is one language,
// two codes are two.
TEST(StoryConditionTest, LanguagesAreTheSameByTheirBytesWhereverStored) {
  schemas::RawRecord record =
      testing::MakeRecord(R"({"id":"s","title":"t","body":"b"})", "application/json");
  core::Document doc(record);
  doc.story.event_time_ms = 10'000'000;
  const std::string en1 = "en", en2 = "en", en3 = "en", fr = "fr";
  Rule rule;
  rule.has_story = true;
  rule.story = {0, 0, 2, 0};
  doc.story.recent = {{0, "a", en1}, {0, "b", ""}, {0, "c", en2}, {0, "d", en3}};
  EXPECT_FALSE(RuleMatches(rule, doc, nullptr));
  doc.story.recent.push_back({0, "e", fr});
  EXPECT_TRUE(RuleMatches(rule, doc, nullptr));
  // Two languages among the recent articles, but one of them outside the window: not met.
  rule.story.within_ms = 1000;
  doc.story.recent.back().time_ms = 10'000'000;
  for (size_t i = 0; i + 1 < doc.story.recent.size(); ++i) doc.story.recent[i].time_ms = 0;
  EXPECT_FALSE(RuleMatches(rule, doc, nullptr));
  doc.story.recent[0].time_ms = 9'999'500;
  EXPECT_TRUE(RuleMatches(rule, doc, nullptr));
}

// Level keys and alert ids are written without printf: the same text as the printf formats
// they replaced ("a%" PRId64 ".l%" PRId64 ".s%d.r%" PRId64, "al-%016" PRIx64 of the XXH3 of
// "rule|story|level"), over small, large and negative values.
// Without `why`, a story condition stops collecting outlets and languages once it has enough of
// each; with `why` it counts them all for the text. Both must decide alike: random stories
// (repeated and empty outlets and languages, articles inside and outside the window) against
// every combination of small minimums and windows.
TEST(StoryConditionTest, DecidesAsTheFullCountsWithOrWithoutTheText) {
  schemas::RawRecord record =
      testing::MakeRecord(R"({"id":"s","title":"t","body":"b"})", "application/json");
  core::Document doc(record);
  std::mt19937 rng(14);
  const std::vector<std::string> outlets = {"", "a", "b", "c", "d", "e", "reuters", "bbc"};
  const std::vector<std::string> langs = {"", "en", "fr", "de", "ar"};
  int met = 0, checks = 0;
  for (int story = 0; story < 300; ++story) {
    doc.story.recent.clear();
    doc.story.event_time_ms = 10'000'000;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      core::StoryArticle a;
      a.time_ms = doc.story.event_time_ms - static_cast<int64_t>(rng() % 4) * 3'600'000 / 2;
      a.source = outlets[rng() % outlets.size()];
      a.language = langs[rng() % langs.size()];
      doc.story.recent.push_back(a);
    }
    for (int64_t min_articles : {0, 1, 3, 6}) {
      for (int64_t min_sources : {0, 1, 2, 3, 5}) {
        for (int64_t min_languages : {0, 1, 2, 3}) {
          for (int64_t within_ms : {int64_t{0}, int64_t{3'600'000}, int64_t{7'200'000}}) {
            Rule rule;
            rule.has_story = true;
            rule.story = {min_articles, min_sources, min_languages, within_ms};
            std::string why;
            const bool counted = RuleMatches(rule, doc, &why);
            EXPECT_EQ(RuleMatches(rule, doc, nullptr), counted) << why;
            met += counted ? 1 : 0;
            ++checks;
          }
        }
      }
    }
  }
  EXPECT_GT(met, checks / 10);  // both answers occur often
  EXPECT_LT(met, checks * 9 / 10);
}

// The story's outlets and languages are counted as distinct strings: names that differ in one
// byte anywhere (first, middle, last, across the 4- and 8-byte loads of the comparison) or in
// length are different outlets, equal ones the same; the counts in `why` equal a std::set's.
TEST(StoryConditionTest, CountsDistinctOutletsAndLanguagesAsAStdSetDoes) {
  schemas::RawRecord record =
      testing::MakeRecord(R"({"id":"s","title":"t","body":"b"})", "application/json");
  core::Document doc(record);
  std::mt19937 rng(16);
  const std::vector<std::string> outlets = {"reuters.com",      "reuters.con",  "seuters.com",
                                            "reutexs.com",      "apnews.com",   "bbc.co.uk",
                                            "bbc.co.uk.",       "bbc",          "bbd",
                                            "tass.ru",          "tass.com",     "tasS.ru",
                                            "aljazeera.net",    "aljazeera.ne", "aljazeera.net/ar",
                                            "aljazeera.net/aR", "lemonde.fr",   "lemonde.fx",
                                            "n-tv.de",          "n-tv.dx",      "spiegel.de",
                                            "dw.com",           "dw.con",       "",
                                            "www.aljazeera.net"};
  const std::vector<std::string> langs = {"en", "en-GB", "en-GC", "fr", "fx", "uk", "ar", "", "de"};
  for (int story = 0; story < 500; ++story) {
    doc.story.recent.clear();
    doc.story.event_time_ms = 10'000'000;
    std::set<std::string> sources, languages;
    const int n = static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      core::StoryArticle a;
      a.time_ms = doc.story.event_time_ms;
      a.source = outlets[rng() % outlets.size()];
      a.language = langs[rng() % langs.size()];
      if (!a.source.empty()) sources.emplace(a.source);
      if (!a.language.empty()) languages.emplace(a.language);
      doc.story.recent.push_back(a);
    }
    Rule rule;
    rule.has_story = true;
    rule.story = {0, 0, 0, 0};
    std::string why;
    ASSERT_TRUE(RuleMatches(rule, doc, &why));
    const std::string counts = "story has " + std::to_string(n) + " articles, " +
                               std::to_string(sources.size()) + " outlets, " +
                               std::to_string(languages.size()) + " languages";
    EXPECT_EQ(why.substr(0, counts.size()), counts) << why;
    // The condition without the text: met exactly at the distinct counts.
    rule.story = {0, static_cast<int64_t>(sources.size()), static_cast<int64_t>(languages.size()),
                  0};
    EXPECT_TRUE(RuleMatches(rule, doc, nullptr));
    rule.story.min_sources = static_cast<int64_t>(sources.size()) + 1;
    EXPECT_FALSE(RuleMatches(rule, doc, nullptr));
    rule.story.min_sources = 0;
    rule.story.min_languages = static_cast<int64_t>(languages.size()) + 1;
    EXPECT_FALSE(RuleMatches(rule, doc, nullptr));
  }
}

TEST(AlertFormatTest, LevelKeyAndIdAreThePrintfFormats) {
  const int64_t values[] = {0, 1, 3, 9, 10, 42, 99999, -1, -7, INT64_MAX, INT64_MIN};
  for (int64_t a : values) {
    for (int64_t r : values) {
      const AlertLevel level{a, r / 3, static_cast<int>(a % 3), r};
      char buf[128];
      std::snprintf(buf, sizeof(buf), "a%" PRId64 ".l%" PRId64 ".s%d.r%" PRId64,
                    level.articles_step, level.languages, level.severity, level.renewal);
      EXPECT_EQ(level.Key(), buf);
    }
  }
  for (const char* story : {"st-1", "st-0123456789abcdef", "", "ü-story"}) {
    for (const char* key : {"a0.l1.s1.r0", "a3.l12.s2.r40"}) {
      const std::string joined = std::string("ceasefire-announced|") + story + "|" + key;
      char buf[32];
      std::snprintf(buf, sizeof(buf), "al-%016" PRIx64, XXH3_64bits(joined.data(), joined.size()));
      EXPECT_EQ(AlertId("ceasefire-announced", story, key), buf);
    }
  }
  // A hash with leading zero digits is padded.
  bool padded = false;
  for (int i = 0; i < 2000 && !padded; ++i) {
    const std::string s = "s" + std::to_string(i);
    const uint64_t h = XXH3_64bits(("r|" + s + "|k").data(), ("r|" + s + "|k").size());
    if ((h >> 60) != 0) continue;
    char buf[32];
    std::snprintf(buf, sizeof(buf), "al-%016" PRIx64, h);
    EXPECT_EQ(AlertId("r", s, "k"), buf);
    padded = true;
  }
  EXPECT_TRUE(padded);
}

TEST_F(AlertStageTest, VerdictsSayWhyARuleDidNotFireOrWasSuppressed) {
  schemas::RawRecord record = testing::MakeRecord(Article(1, "en", 0), "application/json");
  core::FixedClock clock(0);
  core::Document doc(record);
  const core::StageContext ctx{&clock, "t"};
  for (auto name : pipeline_setup_->pipeline->StageNames()) {
    if (name == "alert" || name == "encode") continue;
    ASSERT_TRUE(pipeline_setup_->pipeline->FindStage(name)->Process(doc, ctx).ok());
  }
  const auto* stage =
      dynamic_cast<const AlertStage*>(pipeline_setup_->pipeline->FindStage("alert"));
  ASSERT_NE(stage, nullptr);
  std::vector<Verdict> verdicts;
  ASSERT_TRUE(stage->Run(doc, ctx, &verdicts).ok());
  ASSERT_EQ(verdicts.size(), 3u);
  EXPECT_TRUE(verdicts[0].raised);
  EXPECT_NE(verdicts[0].why.find("first for the story"), std::string::npos);
  EXPECT_FALSE(verdicts[1].matched);
  EXPECT_NE(verdicts[1].why.find("story has 1 articles"), std::string::npos);
  EXPECT_NE(verdicts[2].why.find("person/nobody"), std::string::npos);
  verdicts.clear();
  ASSERT_TRUE(stage->Run(doc, ctx, &verdicts).ok());
  EXPECT_FALSE(verdicts[0].raised);
  EXPECT_NE(verdicts[0].why.find("suppressed"), std::string::npos);
}

// The stage's hot path (Process: no verdicts, no Verdict per rule that does not match) raises
// what Run with verdicts raises: over the corpora with the default rules, a second stage with
// its own state, run with verdicts on each processed article, appends the same alerts, and its
// verdicts say raised for exactly as many rule alerts.
TEST(AlertStagePathsTest, ProcessRaisesWhatRunWithVerdictsRaisesOnTheCorpora) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  auto first = app::BuildPipelineSetup("");
  auto second = app::BuildPipelineSetup("");
  ASSERT_TRUE(first.ok() && second.ok());
  const auto* with_verdicts =
      dynamic_cast<const AlertStage*>((*second)->pipeline->FindStage("alert"));
  ASSERT_NE(with_verdicts, nullptr);
  size_t alerts = 0, matched = 0;
  auto alerts_of = [](const std::vector<schemas::Output>& outputs, size_t from) {
    std::vector<std::string> out;
    for (size_t i = from; i < outputs.size(); ++i) {
      if (outputs[i].kind == schemas::Output::Kind::kAlert) out.push_back(outputs[i].value);
    }
    return out;
  };
  testing::ForEachProcessedArticle(files, *(*first)->pipeline, [&](core::Document& doc) {
    const std::vector<std::string> raised = alerts_of(doc.outputs, 0);
    const size_t from = doc.outputs.size();
    core::FixedClock clock(0);
    std::vector<Verdict> verdicts;
    ASSERT_TRUE(with_verdicts->Run(doc, {&clock, "test"}, &verdicts).ok());
    EXPECT_EQ(alerts_of(doc.outputs, from), raised) << doc.article.id;
    size_t raised_rules = 0;
    for (const Verdict& v : verdicts) {
      matched += v.matched ? 1 : 0;
      raised_rules += v.raised && v.rule != "surge" ? 1 : 0;
    }
    size_t rule_alerts = 0;
    for (const std::string& a : raised)
      rule_alerts += a.find("\"kind\":\"rule\"") != std::string::npos;
    EXPECT_EQ(raised_rules, rule_alerts) << doc.article.id;
    alerts += raised.size();
  });
  EXPECT_GT(alerts, 30u);  // the corpora raise alerts: both paths are exercised
  EXPECT_GE(matched, alerts);
}

}  // namespace
}  // namespace newsflow::alert
