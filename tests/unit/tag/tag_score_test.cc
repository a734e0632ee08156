// Matching and scoring, one test per rule feature, on a small inline taxonomy run through the
// real decode -> normalize -> tag -> score stages.
#include <cmath>

#include <gtest/gtest.h>

#include "processors/score/score_stage.h"
#include "processors/tag/tag_stage.h"
#include "tests/unit/tag/tag_fixture.h"

namespace newsflow::tag {
namespace {

const char* kEntities = R"(
entities:
  - id: person/donald-trump
    type: person
    name: Donald Trump
    tags: [head_of_state]
    aliases:
      en: ["Donald Trump", "Trump"]
      ar: ["دونالد ترامب", "ترامب"]
      he: ["טראמפ"]
      ru: ["Трамп", "Трампа"]
  - id: person/vladimir-putin
    type: person
    name: Vladimir Putin
    aliases:
      ar: ["بوتين"]
  - id: organization/white-house
    type: organization
    name: White House
    aliases:
      ar: ["البيت الأبيض"]
      en: ["White House"]
  - id: city/vienna
    type: city
    name: Vienna
    aliases:
      fa: ["وین"]
  - id: country/united-states
    type: country
    name: United States
    aliases:
      en: ["United States", "US"]
  - id: person/george-washington
    type: person
    name: George Washington
    weak_aliases:
      en: ["Washington"]
    context:
      en: ["general", "founding father"]
    aliases:
      en: ["George Washington"]
  - id: place/gaza-strip
    type: place
    name: Gaza Strip
    tags: [conflict_zone]
    aliases:
      en: ["Gaza Strip"]
  - id: city/gaza
    type: city
    name: Gaza City
    aliases:
      en: ["Gaza"]
  - id: person/mediator
    type: person
    name: Steve Mediator
    tags: [mediator]
    aliases:
      en: ["Mediator Steve"]
)";

const char* kTopics = R"(
topic:
  id: ceasefire_talks
  labels: {en: "Ceasefire talks"}
  threshold: 0.5
  groups:
    ceasefire:
      en: ["ceasefire", "cease-fire", "truce"]
      ru: ["перемири*"]
      ar: ["وقف إطلاق النار", "هدنة"]
    talks:
      en: ["~negotiation", "talks"]
    sport:
      en: ["football"]
  rules:
    - {name: term, any: [ceasefire]}
    - {name: with-talks, near: [ceasefire, talks], within: 3, weight: 0.5}
    - {name: with-mediator, near: [ceasefire, "@tag:mediator"], within: 10, weight: 0.5}
    - {name: term-and-zone, all: [ceasefire, "@tag:conflict_zone"], weight: 0.25}
    - {name: sports, all: [ceasefire, sport], weight: -2.0}
    - {name: not-demo, any: [talks], not: [sport], weight: 0.1}
  exclude:
    en: ["tariff truce"]
    ar: ["إطلاق النار على"]
)";

class TagScoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = CompileInline(kEntities, kTopics);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    pipeline_ = std::make_unique<TaggedPipeline>(*t);
  }

  const core::Document& Run(const std::string& title, const std::string& body) {
    return pipeline_->Run(Article(title, body));
  }

  static std::vector<std::string> EntityNames(const core::Document& doc) {
    std::vector<std::string> names;
    for (const auto& e : doc.entities) names.push_back(e.name);
    std::sort(names.begin(), names.end());
    return names;
  }

  static const core::EntityResult* Entity(const core::Document& doc, const std::string& name) {
    for (const auto& e : doc.entities) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }

  static double TopicScore(const core::Document& doc) {
    for (const auto& s : score::ScoreTopics(doc, true)) return s.score;
    return -1;
  }

  static const score::RuleResult* RuleNamed(const core::Document& doc, const std::string& name) {
    static std::vector<score::TopicScore> scores;
    scores = score::ScoreTopics(doc, true);
    for (const auto& r : scores[0].rules) {
      if (r.rule->name == name) return &r;
    }
    return nullptr;
  }

  std::unique_ptr<TaggedPipeline> pipeline_;
};

// Expected score for a rule set: 1 - exp(-sum w * (1 - exp(-n))).
double Expected(std::initializer_list<std::pair<double, double>> weight_n) {
  double raw = 0;
  for (auto [w, n] : weight_n) raw += w * (1 - std::exp(-n));
  return 1 - std::exp(-std::max(raw, 0.0));
}

TEST_F(TagScoreTest, PhraseMatchesAcrossCaseAndFindsOffsets) {
  const auto& doc = Run("Statement", "Officials at the WHITE HOUSE said so.");
  ASSERT_NE(Entity(doc, "White House"), nullptr);
  const auto& m = Entity(doc, "White House")->mentions[0];
  EXPECT_EQ(m.text, "WHITE HOUSE");
  EXPECT_EQ(m.field, core::Field::kLead);
  EXPECT_EQ(doc.article.body.substr(m.begin, m.end - m.begin), "WHITE HOUSE");
}

TEST_F(TagScoreTest, ArabicCliticsAndArticle) {
  const auto& doc = Run("عنوان", "قال مسؤول في والبيت الأبيض إن ترامب وبوتين اتفقا.");
  EXPECT_EQ(EntityNames(doc),
            (std::vector<std::string>{"Donald Trump", "Vladimir Putin", "White House"}));
  const auto* putin = Entity(doc, "Vladimir Putin");
  ASSERT_NE(putin, nullptr);
  EXPECT_EQ(putin->mentions[0].text, "وبوتين");
}

TEST_F(TagScoreTest, CliticStrippingDoesNotInventNames) {
  // "بين" (between) must not match Persian "وین" (Vienna) by stripping different clitic letters.
  const auto& doc = Run("عنوان", "الاجتماع بين الطرفين فيما بعد.");
  EXPECT_EQ(Entity(doc, "Vienna"), nullptr);
}

TEST_F(TagScoreTest, ApostropheSuffixesAndElisions) {
  EXPECT_NE(Entity(Run("Başlık", "Trump'ın açıklaması geldi."), "Donald Trump"), nullptr);
  EXPECT_NE(Entity(Run("Title", "Trump's plan was shelved."), "Donald Trump"), nullptr);
  const auto& fr = Run("Titre", "Des officiels de l’White House ont parlé.");
  ASSERT_NE(Entity(fr, "White House"), nullptr) << "elided article before a phrase";
  EXPECT_EQ(Entity(fr, "White House")->mentions[0].text, "l’White House");
}

TEST_F(TagScoreTest, LongestMatchWins) {
  const auto& doc = Run("Title", "Donald Trump spoke. Fighting in the Gaza Strip continued.");
  const auto* trump = Entity(doc, "Donald Trump");
  ASSERT_NE(trump, nullptr);
  ASSERT_EQ(trump->mentions.size(), 1u);
  EXPECT_EQ(trump->mentions[0].text, "Donald Trump");
  EXPECT_NE(Entity(doc, "Gaza Strip"), nullptr);
  EXPECT_EQ(Entity(doc, "Gaza City"), nullptr) << "Gaza inside Gaza Strip is the Strip";
}

TEST_F(TagScoreTest, ShortAcronymsAreCaseSensitive) {
  EXPECT_NE(Entity(Run("Title", "The US said it would help."), "United States"), nullptr);
  EXPECT_EQ(Entity(Run("Title", "Tell us what you think."), "United States"), nullptr);
}

TEST_F(TagScoreTest, WeakAliasNeedsContextOrAStrongMention) {
  EXPECT_EQ(Entity(Run("Title", "Washington announced new tariffs."), "George Washington"),
            nullptr);
  EXPECT_NE(Entity(Run("Title", "The general Washington crossed the river."), "George Washington"),
            nullptr);
  const auto& doc = Run("George Washington", "Later Washington retired.");
  ASSERT_NE(Entity(doc, "George Washington"), nullptr);
  EXPECT_EQ(Entity(doc, "George Washington")->mentions.size(), 2u);
}

// The context window's edges (context_window 10 by default: a context word 10 tokens before or
// after the weak alias confirms it, 11 does not), with the context words of another entity in
// between, before and after: only the entity's own context words within the window count.
TEST_F(TagScoreTest, WeakAliasContextWindowEdgesAndOtherEntitiesContextWords) {
  const char* entities = R"(
entities:
  - id: person/george-washington
    type: person
    name: George Washington
    weak_aliases:
      en: ["Washington"]
    context:
      en: ["general"]
    aliases:
      en: ["George Washington"]
  - id: city/paris-texas
    type: city
    name: Paris Texas
    weak_aliases:
      en: ["Paris"]
    context:
      en: ["texas", "ranch"]
    aliases:
      en: ["Paris Texas"]
)";
  auto t = CompileInline(entities, kTopics);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  TaggedPipeline pipeline(*t, ", tag: {unlinked_names: false}");
  // `n` filler words.
  auto words = [](int n, const std::string& w) {
    std::string s;
    for (int k = 0; k < n; ++k) s += w + " ";
    return s;
  };
  auto found = [&](const std::string& body, const std::string& name) {
    const auto& doc = pipeline.Run(Article("Title", body));
    for (const auto& e : doc.entities) {
      if (e.name == name) return true;
    }
    return false;
  };
  // Before the weak alias: distance 10 confirms, 11 does not.
  EXPECT_TRUE(found("general " + words(9, "apple") + "Washington spoke.", "George Washington"));
  EXPECT_FALSE(found("general " + words(10, "apple") + "Washington spoke.", "George Washington"));
  // After it.
  EXPECT_TRUE(found("Washington " + words(9, "apple") + "general spoke.", "George Washington"));
  EXPECT_FALSE(found("Washington " + words(10, "apple") + "general spoke.", "George Washington"));
  // Another entity's context words around and inside the window do not confirm it; its own
  // after many of the other's do.
  const std::string others = words(8, "texas ranch");
  EXPECT_FALSE(found(others + "Washington " + others + "spoke.", "George Washington"));
  EXPECT_TRUE(found(others + "Washington texas ranch general " + others, "George Washington"));
  EXPECT_TRUE(
      found(others + "general texas ranch texas Washington " + others, "George Washington"));
  EXPECT_FALSE(found("general " + others + "Washington " + others, "George Washington"));
  // Both weak aliases in one article, each confirmed by its own context only.
  const auto& doc = pipeline.Run(
      Article("Title", "texas " + words(3, "apple") + "Paris " + words(20, "apple") +
                           "Washington " + words(12, "apple") + "general " + words(3, "ranch")));
  std::vector<std::string> names;
  for (const auto& e : doc.entities) names.push_back(e.name);
  EXPECT_EQ(names, std::vector<std::string>{"Paris Texas"});
}

// The hits the tag stage keeps are every hit of the matcher except the dropped alias hits
// (shadowed by a longer alias, or weak and unconfirmed), in the matcher's order, with dropped
// hits at the start, between kept ones, in a row and at the end; and every mention is one of
// the kept hits.
TEST_F(TagScoreTest, KeptHitsAreTheMatchersHitsWithoutTheDroppedAliasHits) {
  const auto& doc = Run("Gaza truce",
                        "Gaza talks Trump Trump ceasefire Donald Trump truce Gaza Strip "
                        "Washington Washington talks Gaza City Washington");
  const auto& tax = dynamic_cast<const Taxonomy&>(*doc.taxonomy);
  std::vector<core::PatternHit> all;
  tax.matcher().Match(doc.tokens, doc.token_text, {doc.article.title, doc.article.body}, &all,
                      doc.token_hashes);
  auto owner_name = [&](const core::PatternHit& h) {
    const PatternInfo& info = tax.patterns()[h.pattern];
    return info.kind == PatternKind::kAlias || info.kind == PatternKind::kWeakAlias
               ? tax.entities()[info.owner].name
               : std::string();
  };
  std::vector<std::string> dropped;
  std::vector<core::PatternHit> expected;
  for (const auto& h : all) {
    const std::string name = owner_name(h);
    // "Gaza" inside "Gaza Strip", "Trump" inside "Donald Trump", the unconfirmed "Washington"s.
    const bool inside_longer =
        (name == "Gaza City" && h.token_end < doc.tokens.size() &&
         doc.token_text.substr(doc.tokens[h.token_end].folded_offset,
                               doc.tokens[h.token_end].folded_size) == "strip") ||
        (name == "Donald Trump" && h.token_end - h.token_begin == 1 && h.token_begin > 0 &&
         doc.token_text.substr(doc.tokens[h.token_begin - 1].folded_offset,
                               doc.tokens[h.token_begin - 1].folded_size) == "donald");
    if (inside_longer || name == "George Washington") {
      dropped.push_back(name);
    } else {
      expected.push_back(h);
    }
  }
  EXPECT_EQ(dropped.size(), 5u) << "Gaza, Trump, three Washingtons";
  ASSERT_EQ(doc.hits.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(doc.hits[k].pattern, expected[k].pattern) << k;
    EXPECT_EQ(doc.hits[k].token_begin, expected[k].token_begin) << k;
    EXPECT_EQ(doc.hits[k].token_end, expected[k].token_end) << k;
  }
  // Trump: three mentions (two alone, one "Donald Trump"); Gaza City: three ("Gaza" in the
  // title, in the body, "Gaza City" is "Gaza" + a word no alias has).
  const auto* trump = Entity(doc, "Donald Trump");
  ASSERT_NE(trump, nullptr);
  ASSERT_EQ(trump->mentions.size(), 3u);
  EXPECT_EQ(trump->mentions[2].text, "Donald Trump");
  const auto* gaza = Entity(doc, "Gaza City");
  ASSERT_NE(gaza, nullptr);
  EXPECT_EQ(gaza->mentions.size(), 3u);
  EXPECT_EQ(Entity(doc, "George Washington"), nullptr);
  EXPECT_NE(Entity(doc, "Gaza Strip"), nullptr);
}

TEST_F(TagScoreTest, SalienceFavoursTitleAndFrequency) {
  const auto& doc = Run("Trump speaks", "Trump said. Trump added. Later the White House agreed.");
  const auto* trump = Entity(doc, "Donald Trump");
  const auto* house = Entity(doc, "White House");
  ASSERT_TRUE(trump != nullptr && house != nullptr);
  EXPECT_GT(trump->salience, house->salience);
  EXPECT_LE(trump->salience, 1.0);
  EXPECT_EQ(doc.entities.front().name, "Donald Trump") << "entities are listed by salience";
}

// Entities come most salient first; equal salience by name; equal name by first mention
// (three entities share the alias "Quux", so their mentions and saliences are equal; two of
// them share the name "Bravo" too).
TEST_F(TagScoreTest, EntitiesAreOrderedBySalienceThenNameThenFirstMention) {
  const char* entities = R"(
entities:
  - id: org/charlie
    type: organization
    name: Charlie
    aliases:
      en: ["Quux"]
  - id: org/bravo-one
    type: organization
    name: Bravo
    aliases:
      en: ["Quux"]
  - id: org/bravo-two
    type: organization
    name: Bravo
    aliases:
      en: ["Quux"]
  - id: org/delta
    type: organization
    name: Delta
    aliases:
      en: ["Delta Org"]
  - id: org/alpha
    type: organization
    name: Alpha
    aliases:
      en: ["Alpha Org"]
)";
  auto t = CompileInline(entities, kTopics);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  TaggedPipeline pipeline(*t, ", tag: {unlinked_names: false}");
  // Delta in the title (most salient); Quux twice (the two Bravos, by their first mention: the
  // same token, the hits in the order of the patterns), then Alpha last (least salient).
  const auto& doc = pipeline.Run(
      Article("Delta Org news", "Quux said more. Quux again. The rest is later: Alpha Org."));
  std::vector<std::string> ids;
  for (const auto& e : doc.entities) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"org/delta", "org/bravo-one", "org/bravo-two",
                                           "org/charlie", "org/alpha"}));
  ASSERT_EQ(doc.entities.size(), 5u);
  EXPECT_EQ(doc.entities[1].salience, doc.entities[3].salience);
  EXPECT_EQ(doc.entities[2].salience, doc.entities[3].salience);
  EXPECT_GT(doc.entities[0].salience, doc.entities[1].salience);
  EXPECT_GT(doc.entities[3].salience, doc.entities[4].salience);
  EXPECT_EQ(doc.entities[1].mentions.size(), 2u);
  // Each result names its entity's index in the snapshot pinned for the record (the story
  // store's key for its interned ids).
  const auto* pinned = dynamic_cast<const Taxonomy*>(doc.taxonomy.get());
  ASSERT_NE(pinned, nullptr);
  std::vector<uint32_t> indexes;
  for (const auto& e : doc.entities) {
    ASSERT_LT(e.taxonomy_index, pinned->entities().size()) << e.id;
    EXPECT_EQ(pinned->entities()[e.taxonomy_index].id, e.id);
    indexes.push_back(e.taxonomy_index);
  }
  EXPECT_EQ(indexes, (std::vector<uint32_t>{3, 1, 2, 0, 4})) << "the entities' order in the file";
}

TEST_F(TagScoreTest, SingleBodyMentionScoresByTheFormula) {
  // The first paragraph is the lead (weight 1.5); the truce stands in the second (body, 1.0).
  const auto& doc = Run("Update", "Officials met.\nThey said a truce was possible.");
  EXPECT_NEAR(TopicScore(doc), Expected({{1.0, 1.0}}), 1e-3);
  EXPECT_TRUE(doc.topics.empty()) << "0.47 is below the 0.5 threshold";
}

TEST_F(TagScoreTest, FieldWeightsMakeTitleCountMore) {
  const auto& title = Run("Truce agreed", "Officials spoke.");
  EXPECT_NEAR(TopicScore(title), Expected({{1.0, 2.0}}), 1e-3);
  ASSERT_EQ(title.topics.size(), 1u);
  EXPECT_EQ(title.topics[0].id, "ceasefire_talks");
  EXPECT_EQ(title.topics[0].matches[0].field, core::Field::kTitle);
  EXPECT_EQ(title.topics[0].matches[0].text, "Truce");
}

TEST_F(TagScoreTest, PrefixTermMatchesInflections) {
  const auto& doc = Run("Новости", "Стороны обсудили условия перемирия.");
  EXPECT_GT(TopicScore(doc), 0.4);
  EXPECT_EQ(RuleNamed(doc, "term")->occurrences.size(), 1u);
}

TEST_F(TagScoreTest, StemTermMatchesOtherWordForms) {
  const auto& doc = Run("Update", "A truce after negotiations ended.");
  EXPECT_TRUE(RuleNamed(doc, "with-talks")->fired) << "~negotiation matches negotiations";
}

TEST_F(TagScoreTest, ProximityRespectsWithin) {
  EXPECT_TRUE(RuleNamed(Run("U", "The truce talks resumed."), "with-talks")->fired);
  EXPECT_FALSE(
      RuleNamed(Run("U", "The truce held for a long while before any talks."), "with-talks")
          ->fired);
}

TEST_F(TagScoreTest, ProximityDoesNotCrossTitleAndBody) {
  EXPECT_FALSE(RuleNamed(Run("Truce", "talks began."), "with-talks")->fired);
}

TEST_F(TagScoreTest, EntityConditionByTag) {
  const auto& doc = Run("U", "A truce proposed by Mediator Steve.");
  EXPECT_TRUE(RuleNamed(doc, "with-mediator")->fired);
  EXPECT_FALSE(RuleNamed(Run("U", "A truce proposed by nobody."), "with-mediator")->fired);
}

TEST_F(TagScoreTest, AllNeedsEveryReference) {
  EXPECT_TRUE(RuleNamed(Run("U", "A truce in the Gaza Strip."), "term-and-zone")->fired);
  EXPECT_FALSE(RuleNamed(Run("U", "A truce in the north."), "term-and-zone")->fired);
}

TEST_F(TagScoreTest, NegativeWeightSuppresses) {
  const auto& doc = Run("Truce between football fans", "The truce held.");
  EXPECT_TRUE(RuleNamed(doc, "sports")->fired);
  EXPECT_TRUE(doc.topics.empty());
}

TEST_F(TagScoreTest, NotBlocksTheRule) {
  EXPECT_TRUE(RuleNamed(Run("U", "Talks went on."), "not-demo")->fired);
  const auto* r = RuleNamed(Run("U", "Talks about football went on."), "not-demo");
  EXPECT_TRUE(r->blocked);
  EXPECT_FALSE(r->fired);
}

TEST_F(TagScoreTest, ExclusionMasksFalseFriends) {
  EXPECT_FALSE(RuleNamed(Run("U", "The tariff truce was extended."), "term")->fired);
  EXPECT_FALSE(RuleNamed(Run("عنوان", "أقدم مسلح على إطلاق النار على المارة."), "term")->fired);
  EXPECT_TRUE(RuleNamed(Run("عنوان", "أعلن الطرفان وقف إطلاق النار في المدينة."), "term")->fired);
}

TEST_F(TagScoreTest, PresearchSkipsTopicsWithoutOccurrences) {
  const auto& doc = Run("Weather", "It rained all day.");
  EXPECT_TRUE(score::ScoreTopics(doc, false).empty());
  EXPECT_EQ(score::ScoreTopics(doc, true).size(), 1u);
}

TEST_F(TagScoreTest, ScoreTopicsIntoAReusedVectorEqualsFreshScores) {
  // The score stage reuses one vector of scores per thread (and the vectors inside it): what is
  // left over from one article must not reach the next, whatever their sizes.
  const std::pair<const char*, const char*> articles[] = {
      {"Truce", "Talks on a ceasefire and a truce began; the truce held."},
      {"Weather", "It rained all day."},
      {"U", "The tariff truce was extended."},
      {"عنوان", "أعلن الطرفان وقف إطلاق النار في المدينة."},
      {"Truce", "x"},
      {"Weather", "It rained all day."},
  };
  std::vector<score::TopicScore> reused;
  for (int round = 0; round < 2; ++round) {
    for (const auto& [title, body] : articles) {
      const auto& doc = Run(title, body);
      for (bool include_all : {false, true}) {
        SCOPED_TRACE(std::string(body) + (include_all ? " (all)" : ""));
        const auto fresh = score::ScoreTopics(doc, include_all);
        const size_t n = score::ScoreTopicsInto(doc, include_all, &reused);
        ASSERT_EQ(n, fresh.size());
        for (size_t k = 0; k < n; ++k) {
          const auto& a = reused[k];
          const auto& b = fresh[k];
          EXPECT_EQ(a.topic, b.topic);
          EXPECT_EQ(a.score, b.score);
          EXPECT_EQ(a.assigned, b.assigned);
          ASSERT_EQ(a.rules.size(), b.rules.size());
          for (size_t r = 0; r < a.rules.size(); ++r) {
            EXPECT_EQ(a.rules[r].rule, b.rules[r].rule);
            EXPECT_EQ(a.rules[r].fired, b.rules[r].fired);
            EXPECT_EQ(a.rules[r].blocked, b.rules[r].blocked);
            EXPECT_EQ(a.rules[r].n, b.rules[r].n);
            EXPECT_EQ(a.rules[r].contribution, b.rules[r].contribution);
            ASSERT_EQ(a.rules[r].occurrences.size(), b.rules[r].occurrences.size());
            for (size_t o = 0; o < a.rules[r].occurrences.size(); ++o) {
              EXPECT_EQ(a.rules[r].occurrences[o].begin, b.rules[r].occurrences[o].begin);
              EXPECT_EQ(a.rules[r].occurrences[o].end, b.rules[r].occurrences[o].end);
            }
          }
        }
      }
    }
  }
}

TEST_F(TagScoreTest, TaxonomyVersionIsPinnedPerRecord) {
  const auto& doc = Run("Truce", "x");
  EXPECT_EQ(doc.taxonomy_version, "t1");
  auto next = CompileInline(kEntities, kTopics, "t2");
  ASSERT_TRUE(next.ok());
  pipeline_->store().Swap(*next);
  EXPECT_EQ(Run("Truce", "x").taxonomy_version, "t2");
}

// Offsets point at the right bytes of the original text in every script, including text that
// normalization changed (NFD input, zero-width characters, NBSP).
TEST_F(TagScoreTest, OffsetsPointIntoTheOriginalTextInEveryScript) {
  struct Case {
    std::string body;
    std::string entity;
    std::string surface;
  };
  const Case cases[] = {
      {"\u200Fقال ترامب إن", "Donald Trump", "ترامب"},
      {"אמר טראמפ היום", "Donald Trump", "טראמפ"},
      {"По словам Трампа, всё", "Donald Trump", "Трампа"},
      {"Zero\u200Bwidth\u00A0then Trump\u00A0spoke", "Donald Trump", "Trump"},
      {"Caf\u0065\u0301 talk with Trump", "Donald Trump", "Trump"},
      {"بازدید از وین انجام شد", "Vienna", "وین"},
  };
  for (const auto& c : cases) {
    const auto& doc = Run("Title", c.body);
    const auto* e = Entity(doc, c.entity);
    ASSERT_NE(e, nullptr) << c.body;
    const auto& m = e->mentions[0];
    EXPECT_EQ(doc.article.body.substr(m.begin, m.end - m.begin), c.surface) << c.body;
    EXPECT_EQ(m.text, c.surface);
  }
}

}  // namespace
}  // namespace newsflow::tag
