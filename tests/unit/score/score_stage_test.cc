// The score stage (processors/score/score_stage.h): the hand formula, the calibrated
// (logistic) formula of a topic with calibration.yaml, assignment, and the compiler's checks of
// calibration files.
#include "processors/score/score_stage.h"

#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "tests/unit/tag/tag_fixture.h"

namespace newsflow::score {
namespace {

using tag::Article;
using tag::MemorySource;
using tag::TaggedPipeline;

const char* kTopic =
    "topic:\n"
    "  id: t\n"
    "  threshold: 0.5\n"
    "  groups: {truce: {en: [truce]}, talks: {en: [talks]}}\n"
    "  rules:\n"
    "    - {name: truce, any: [truce], weight: 1.0}\n"
    "    - {name: truce-talks, near: [truce, talks], within: 3, weight: 0.5}\n";
const char* kEntities =
    "entities: [{id: misc/x, type: organization, name: X, aliases: {en: [X]}}]\n";

Result<std::shared_ptr<const tag::Taxonomy>> Compile(const std::string& calibration) {
  std::map<std::string, std::string> files = {
      {"taxonomy.yaml",
       "version: v\nentities: [\"entities/*\"]\ntopics: [\"topics/*\"]\n" +
           (calibration.empty() ? std::string() : std::string("calibration: cal.yaml\n"))},
      {"entities/e.yaml", kEntities},
      {"topics/t.yaml", kTopic}};
  if (!calibration.empty()) files["cal.yaml"] = calibration;
  return tag::CompileTaxonomy("taxonomy.yaml", MemorySource(files));
}

TEST(ScoreStageTest, HandFormula) {
  auto tax = Compile("");
  ASSERT_TRUE(tax.ok()) << tax.status().ToString();
  EXPECT_FALSE((*tax)->topics()[0].calibrated);
  TaggedPipeline p(*tax);
  // One mention of "truce" in the lead (field weight 1.5, so n = 1.5) near "talks":
  // raw = 1.0 (1-e^-1.5) + 0.5 (1-e^-1.5).
  const auto& doc = p.Run(Article("", "The truce talks went on.", "en"));
  const double raw = 1.5 * (1 - std::exp(-1.5));
  ASSERT_EQ(doc.topics.size(), 1u);
  EXPECT_NEAR(doc.topics[0].score, 1 - std::exp(-raw), 1e-4);
}

TEST(ScoreStageTest, CalibratedFormulaAndThreshold) {
  auto tax = Compile(
      "calibration:\n  fitted_on: test\n  topics:\n    t:\n      bias: -2.0\n"
      "      threshold: 0.6\n      weights: {truce: 3.0, truce-talks: 1.0}\n");
  ASSERT_TRUE(tax.ok()) << tax.status().ToString();
  const tag::Topic& topic = (*tax)->topics()[0];
  EXPECT_TRUE(topic.calibrated);
  EXPECT_DOUBLE_EQ(topic.threshold, 0.6);
  EXPECT_DOUBLE_EQ(topic.hand_threshold, 0.5);
  EXPECT_EQ((*tax)->calibration_note(), "test");
  TaggedPipeline p(*tax);
  {
    // Both rules fire once in the lead (n = 1.5): z = -2 + (3 + 1)(1 - e^-1.5) = 1.108,
    // p = 0.752.
    const auto& doc = p.Run(Article("", "The truce talks went on.", "en"));
    const double z = -2.0 + 4.0 * (1 - std::exp(-1.5));
    ASSERT_EQ(doc.topics.size(), 1u);
    EXPECT_NEAR(doc.topics[0].score, 1 / (1 + std::exp(-z)), 1e-4);
  }
  {
    // Only "truce": z = -2 + 3 (1 - e^-1.5) = 0.331, p = 0.582 < 0.6: listed by ScoreTopics,
    // not assigned.
    const auto& doc = p.Run(Article("", "A truce.", "en"));
    EXPECT_TRUE(doc.topics.empty());
    const auto scores = ScoreTopics(doc, false);
    ASSERT_EQ(scores.size(), 1u);
    EXPECT_NEAR(scores[0].score, 1 / (1 + std::exp(2.0 - 3 * (1 - std::exp(-1.5)))), 1e-4);
    EXPECT_FALSE(scores[0].assigned);
  }
  {
    // No evidence at all: the bias alone never lists a topic.
    const auto& doc = p.Run(Article("", "Nothing here.", "en"));
    EXPECT_TRUE(ScoreTopics(doc, false).empty());
  }
}

TEST(ScoreStageTest, StaleOrInvalidCalibrationIsRejected) {
  auto missing =
      Compile("calibration:\n  topics:\n    t: {bias: 0, threshold: 0.5, weights: {truce: 1}}\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("re-run newsflow fit"), std::string::npos);
  auto unknown_rule = Compile(
      "calibration:\n  topics:\n    t: {bias: 0, threshold: 0.5, weights: {truce: 1, "
      "truce-talks: 1, gone: 1}}\n");
  ASSERT_FALSE(unknown_rule.ok());
  EXPECT_NE(unknown_rule.status().message().find("unknown rule 'gone'"), std::string::npos);
  auto unknown_topic = Compile("calibration:\n  topics:\n    u: {bias: 0, threshold: 0.5}\n");
  ASSERT_FALSE(unknown_topic.ok());
  EXPECT_NE(unknown_topic.status().message().find("unknown topic 'u'"), std::string::npos);
  auto bad_threshold = Compile(
      "calibration:\n  topics:\n    t: {bias: 0, threshold: 1.5, weights: {truce: 1, "
      "truce-talks: 1}}\n");
  EXPECT_FALSE(bad_threshold.ok());
}

TEST(ScoreStageTest, TheBuiltInTaxonomyIsCalibrated) {
  auto tax = tag::LoadTaxonomy("");
  ASSERT_TRUE(tax.ok()) << tax.status().ToString();
  for (const auto& t : (*tax)->topics()) EXPECT_TRUE(t.calibrated) << t.id;
  EXPECT_FALSE((*tax)->calibration_note().empty());
}

}  // namespace
}  // namespace newsflow::score

namespace newsflow::score {
namespace {

// A group's occurrences are read in hit order, also when the hits of groups interleave (the
// per-group sort keeps hit order among equal groups): `near` takes the first partner in that
// order within the window.
TEST(ScoreStageTest, NearTakesTheFirstPartnerInHitOrderWhenGroupsInterleave) {
  auto tax = Compile("");
  ASSERT_TRUE(tax.ok()) << tax.status().ToString();
  TaggedPipeline p(*tax);
  // Talks(0) and(1) truce(2) and(3) talks(4): hits of talks, truce, talks; both talks within 3.
  const auto& doc = p.Run(Article("", "Talks and truce and talks.", "en"));
  const std::vector<TopicScore> scores = ScoreTopics(doc, false);
  ASSERT_EQ(scores.size(), 1u);
  ASSERT_EQ(scores[0].rules.size(), 2u);
  const RuleResult& near = scores[0].rules[1];
  ASSERT_TRUE(near.fired);
  ASSERT_EQ(near.occurrences.size(), 2u);
  EXPECT_EQ(near.occurrences[0].begin, 2u);  // truce
  EXPECT_EQ(near.occurrences[1].begin, 0u) << "the first talks in hit order, not the last";
  const RuleResult& any = scores[0].rules[0];
  ASSERT_EQ(any.occurrences.size(), 1u);
  EXPECT_EQ(any.occurrences[0].begin, 2u);
}

// A topic's matches: the occurrences of its fired rules (positive weight) in rule order, each
// place once, at most max_matches of them.
TEST(ScoreStageTest, MatchesAreTheRulesOccurrencesOncePerPlaceUpToMaxMatches) {
  auto tax = Compile("");
  ASSERT_TRUE(tax.ok()) << tax.status().ToString();
  const std::string body = "The truce talks. Truce again. Another truce, a fourth truce. Truce.";
  const auto texts = [](const core::Document& doc) {
    std::vector<std::string> out;
    for (const core::Match& m : doc.topics.at(0).matches) {
      out.push_back(m.text + "@" + std::to_string(m.begin) + ":" + m.rule);
    }
    return out;
  };
  // The `any` rule's five truces in text order, then the `near` rule's: its truce (already
  // listed) and its partner, talks.
  TaggedPipeline all(*tax);
  const auto& doc = all.Run(Article("", body, "en"));
  ASSERT_EQ(doc.topics.size(), 1u);
  EXPECT_EQ(texts(doc),
            (std::vector<std::string>{"truce@4:truce", "Truce@17:truce", "truce@38:truce",
                                      "truce@54:truce", "Truce@61:truce", "talks@10:truce-talks"}));
  TaggedPipeline three(*tax, ", score: {max_matches: 3}");
  const auto& first = three.Run(Article("", body, "en"));
  ASSERT_EQ(first.topics.size(), 1u);
  EXPECT_EQ(texts(first),
            (std::vector<std::string>{"truce@4:truce", "Truce@17:truce", "truce@38:truce"}));
  TaggedPipeline six(*tax, ", score: {max_matches: 6}");
  EXPECT_EQ(texts(six.Run(Article("", body, "en"))), texts(doc));
}

// Each group's occurrences are gathered per group in hit order, whatever order the groups
// first occur in: an `any` rule sees exactly its group's tokens, a `near` rule takes the first
// partner in hit order. Groups first occur c, b, a in the first article and a, b in the second
// (scored after it on the same thread), against their order in the taxonomy, a, b, c.
TEST(ScoreStageTest, EachGroupsOccurrencesAreItsOwnInHitOrderWhateverOrderGroupsComeIn) {
  auto tax = tag::CompileInline(
      "entities: []\n",
      "topic:\n  id: t\n  groups: {a: {en: [alpha]}, b: {en: [beta]}, c: {en: [gamma]}}\n"
      "  rules:\n"
      "    - {name: a, any: [a]}\n"
      "    - {name: b, any: [b]}\n"
      "    - {name: c, any: [c]}\n"
      "    - {name: near-ab, near: [a, b], within: 10}\n"
      "    - {name: near-cb, near: [c, b], within: 10}\n");
  ASSERT_TRUE(tax.ok()) << tax.status().ToString();
  TaggedPipeline p(*tax);
  const auto begins = [](const core::Document& doc) {
    std::vector<std::vector<uint32_t>> out;
    const std::vector<TopicScore> scores = ScoreTopics(doc, false);
    EXPECT_EQ(scores.size(), 1u);
    if (scores.empty()) return out;
    for (const RuleResult& r : scores[0].rules) {
      out.emplace_back();
      for (const Occurrence& o : r.occurrences) out.back().push_back(o.begin);
    }
    return out;
  };
  // Tokens: gamma(0) beta(1) alpha(2) gamma(3) beta(4) alpha(5) beta(6) gamma(7). A near rule
  // lists its fired occurrences, then each one's partner: the first beta, 1, for all of them.
  const auto& doc = p.Run(Article("", "Gamma beta alpha gamma beta alpha beta gamma.", "en"));
  EXPECT_EQ(begins(doc), (std::vector<std::vector<uint32_t>>{
                             {2, 5}, {1, 4, 6}, {0, 3, 7}, {2, 5, 1, 1}, {0, 3, 7, 1, 1, 1}}));
  const auto& next = p.Run(Article("", "Alpha alpha beta, then beta.", "en"));
  EXPECT_EQ(begins(next),
            (std::vector<std::vector<uint32_t>>{{0, 1}, {2, 4}, {}, {0, 1, 2, 2}, {}}));
}

// Rule references are looked up in a per-thread index of the groups and entity selections that
// occur in the current document; entries left by earlier documents, and by a taxonomy whose ids
// mean other groups, must not count. Each document scored after others on one thread gets the
// scores it gets alone on a fresh thread.
TEST(ScoreStageTest, ReferencesSeeOnlyTheCurrentDocumentsOccurrences) {
  const std::string entities =
      "entities: [{id: misc/x, type: organization, name: X, tags: [club], aliases: {en: "
      "[Xylo]}}]\n";
  auto first = tag::CompileInline(
      entities,
      "topic:\n  id: t\n  groups: {truce: {en: [truce]}, talks: {en: [talks]}, calm: {en: "
      "[calm]}}\n"
      "  rules:\n"
      "    - {name: truce, any: [truce], not: [calm]}\n"
      "    - {name: both, all: [truce, talks], weight: 0.5}\n"
      "    - {name: club, any: [\"@tag:club\"], weight: 0.3}\n");
  // The same words under other group ids (talks is group 0 here, truce group 0 above).
  auto second =
      tag::CompileInline(entities,
                         "topic:\n  id: u\n  groups: {talks: {en: [talks]}, truce: {en: [truce]}}\n"
                         "  rules:\n"
                         "    - {name: talks, any: [talks]}\n"
                         "    - {name: club-talks, near: [talks, \"@tag:club\"], within: 3}\n");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  TaggedPipeline p1(*first);
  TaggedPipeline p2(*second);
  struct Case {
    TaggedPipeline* pipeline;
    std::string article;
  };
  const std::vector<Case> cases = {
      {&p1, Article("", "Xylo signed a truce and talks went on.", "en")},
      {&p1, Article("", "The talks went on.", "en")},
      {&p1, Article("", "A truce, but calm.", "en")},
      {&p2, Article("", "A truce.", "en")},
      {&p2, Article("", "Talks with Xylo.", "en")},
      {&p1, Article("", "Nothing here.", "en")},
  };
  // (topic, score, fired rules as a bit mask, blocked rules as a bit mask) per document.
  using Summary = std::vector<std::tuple<uint32_t, double, int, int>>;
  auto summarize = [](const core::Document& doc) {
    Summary out;
    for (const TopicScore& s : ScoreTopics(doc, true)) {
      int fired = 0;
      int blocked = 0;
      for (size_t k = 0; k < s.rules.size(); ++k) {
        fired |= (s.rules[k].fired ? 1 : 0) << k;
        blocked |= (s.rules[k].blocked ? 1 : 0) << k;
      }
      out.emplace_back(s.topic, s.score, fired, blocked);
    }
    return out;
  };
  std::vector<Summary> in_sequence;
  for (const Case& c : cases) in_sequence.push_back(summarize(c.pipeline->Run(c.article)));
  for (size_t k = 0; k < cases.size(); ++k) {
    Summary alone;
    std::thread([&] { alone = summarize(cases[k].pipeline->Run(cases[k].article)); }).join();
    EXPECT_EQ(in_sequence[k], alone) << "document " << k;
  }
  // What fired: all three rules; none (talks alone); none, truce blocked by calm; the second
  // taxonomy: nothing (truce is in no rule), then talks and club-talks.
  const std::vector<std::pair<int, int>> expected = {{7, 0}, {0, 0}, {0, 1},
                                                     {0, 0}, {3, 0}, {0, 0}};
  for (size_t k = 0; k < cases.size(); ++k) {
    ASSERT_EQ(in_sequence[k].size(), 1u) << "document " << k;
    EXPECT_EQ(std::get<2>(in_sequence[k][0]), expected[k].first) << "document " << k;
    EXPECT_EQ(std::get<3>(in_sequence[k][0]), expected[k].second) << "document " << k;
  }
}

TEST(ScoreStageTest, PairNeedsTwoDifferentEntitiesNearTheAnchor) {
  auto tax = tag::CompileInline(
      "entities:\n"
      "  - {id: person/a, type: person, name: A, tags: [head_of_state], aliases: {en: [Abel]}}\n"
      "  - {id: person/b, type: person, name: B, tags: [foreign_minister], aliases: {en: "
      "[Bork]}}\n",
      "topic:\n  id: t\n  groups: {meet: {en: [met]}}\n"
      "  rules: [{name: pair, pair: [meet, \"@tag:head_of_state\", \"@tag:foreign_minister\"], "
      "within: 3}]\n");
  ASSERT_TRUE(tax.ok()) << tax.status().ToString();
  TaggedPipeline p(*tax);
  EXPECT_EQ(p.Run(Article("", "Yesterday Abel met Bork in town.", "en")).topics.size(), 1u);
  // One entity twice is not a meeting between two.
  EXPECT_TRUE(p.Run(Article("", "Yesterday Abel met Abel in town.", "en")).topics.empty());
  // The counterpart too far away.
  EXPECT_TRUE(
      p.Run(Article("", "Abel met the people of the town and then Bork.", "en")).topics.empty());

  auto bad = tag::CompileInline(
      "entities: [{id: misc/x, type: organization, name: X, aliases: {en: [X]}}]\n",
      "topic: {id: t, groups: {g: {en: [y]}}, rules: [{name: r, pair: [g, g], within: 2}]}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("must be entities"), std::string::npos);
}

}  // namespace
}  // namespace newsflow::score
