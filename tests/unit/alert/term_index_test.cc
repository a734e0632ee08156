// TermIndex: one pass over an article's tokens finds every rule with a term in it, with the
// same result as scanning the tokens for each term (the prefix rule: a folded form at most 3
// bytes longer than the term; or a stem equal to it), on hand-made cases and on the corpora.
#include "processors/alert/term_index.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <fstream>
#include <string>
#include <string_view>

#include "app/pipeline_setup.h"
#include "processors/alert/alert_stage.h"
#include "tests/testing/testing.h"

namespace newsflow::alert {
namespace {

class TermIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pipeline_setup = app::BuildPipelineSetup("");
    ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
    pipeline_setup_ = std::move(pipeline_setup).value();
  }
  // The document after normalize (tokens with folded forms and stems).
  std::unique_ptr<core::Document> Doc(const std::string& json) {
    record_ = std::make_unique<schemas::RawRecord>(testing::MakeRecord(json, "application/json"));
    auto doc = std::make_unique<core::Document>(*record_);
    core::FixedClock clock(0);
    EXPECT_TRUE(pipeline_setup_->pipeline->ProcessDocument(*doc, {&clock, "test"}).ok());
    return doc;
  }
  // The stem the normalizer gave the token whose folded form is `folded` (empty: none).
  static std::string StemOf(const core::Document& doc, std::string_view folded) {
    for (const auto& t : doc.tokens) {
      if (doc.TokenForm(t.folded_offset, t.folded_size) == folded && t.stem_size > 0) {
        return std::string(doc.TokenForm(t.stem_offset, t.stem_size));
      }
    }
    return {};
  }
  std::unique_ptr<app::PipelineSetup> pipeline_setup_;
  std::unique_ptr<schemas::RawRecord> record_;
};

TEST_F(TermIndexTest, PrefixUpToThreeMoreBytesStemsAndOneByteTerms) {
  TermIndex index;
  index.Add(0, "ceasefire");  // "ceasefires" (+1) matches
  index.Add(1, "talk");       // "talks" (+1) and "talking" (+3) match
  index.Add(2, "negotiat");   // "negotiations" is +4 bytes: no prefix match
  index.Add(3, "x");          // a one-byte term: "x" .. "xxxx" match, "xxxxx" does not
  index.Add(4, "truce");      // absent
  index.Add(5, "перемир");  // Cyrillic prefix of "перемирие" (+4 bytes: 2 letters): no match
  index.Add(5, "перемири");  // +2 bytes (one letter): matches
  auto doc = Doc(R"({"id":"t","title":"Ceasefires","body":"Talking of talks and negotiations, )"
                 R"(xxxxx then xxxx; перемирие."})");
  std::vector<uint8_t> hit;
  index.Find(*doc, 7, &hit);
  EXPECT_EQ(hit, (std::vector<uint8_t>{1, 1, 0, 1, 0, 1, 0}));
  auto no_x = Doc(R"({"id":"u","title":"T","body":"xxxxx and more words"})");
  index.Find(*no_x, 7, &hit);
  EXPECT_EQ(hit[3], 0);
  TermIndex empty;
  empty.Find(*doc, 3, &hit);
  EXPECT_EQ(hit, (std::vector<uint8_t>{0, 0, 0}));
}

// Arabic and Russian terms share their first 4 bytes (two letters: the article "ال", "на")
// with many words: those pass the 4-byte filter, and the whole-form filter must still let every
// term through and reject the rest.
TEST_F(TermIndexTest, FormsSharingATermsFirstLettersAreNotTerms) {
  auto yes = Doc(R"({"id":"y","title":"T","body":"أعلنت الهدنة и наступление"})");
  // The terms as the normalizer folds them (rules' terms are folded the same way).
  std::vector<std::string> forms;
  for (const auto& t : yes->tokens) {
    if (t.field != core::Field::kTitle) {
      forms.emplace_back(yes->TokenForm(t.folded_offset, t.folded_size));
    }
  }
  ASSERT_EQ(forms.size(), 4u);
  TermIndex index;
  index.Add(0, forms[1]);  // الهدنة
  index.Add(1, forms[3]);  // наступление
  std::vector<uint8_t> hit;
  index.Find(*yes, 2, &hit);
  EXPECT_EQ(hit, (std::vector<uint8_t>{1, 1}));
  auto no = Doc(R"({"id":"n","title":"T","body":"الحكومة الاتفاق الهدوء на наступит )"
                R"(направление"})");
  index.Find(*no, 2, &hit);
  EXPECT_EQ(hit, (std::vector<uint8_t>{0, 0}));
}

TEST_F(TermIndexTest, StemEqualToTheTermMatchesAShorterFoldedForm) {
  TermIndex index;
  // "negotiations" stems to "negoti" (Snowball English): the stem equals the term although the
  // folded form is 6 bytes longer.
  auto doc = Doc(R"({"id":"s","title":"T","body":"The negotiations went on.","language":"en"})");
  const std::string stem = StemOf(*doc, "negotiations");
  ASSERT_FALSE(stem.empty());
  ASSERT_GT(std::string("negotiations").size(), stem.size() + 3);
  index.Add(0, stem);
  std::vector<uint8_t> hit;
  index.Find(*doc, 1, &hit);
  EXPECT_EQ(hit[0], 1);
}

// The two prefix filters: a term of 4-7 bytes is found in forms up to 3 bytes longer through
// the 4-byte filter (forms of at most 10 bytes), a term of 8+ bytes through the 8-byte one.
TEST_F(TermIndexTest, TermsOfSevenAndEightBytesAtTheFiltersBoundaries) {
  TermIndex index;
  index.Add(0, "kalimba");     // 7 bytes: "kalimbaxyz" (10) matches, "kalimbaxyzw" (11) does not
  index.Add(1, "marimbas");    // 8 bytes: "marimbasxyz" (11) matches
  index.Add(2, "vibraphone");  // 10 bytes: only "vibraphonexyzw" (14, +4) present: no match
  index.Add(3, "kali");        // 4 bytes: "kalimba..." are 7+ bytes longer: no match
  auto doc = Doc(R"({"id":"b","title":"T","body":"kalimbaxyzw marimbasxyz vibraphonexyzw"})");
  std::vector<uint8_t> hit;
  index.Find(*doc, 4, &hit);
  EXPECT_EQ(hit, (std::vector<uint8_t>{0, 1, 0, 0}));
  auto ten = Doc(R"({"id":"c","title":"T","body":"kalimbaxyz and kaliy"})");
  index.Find(*ten, 4, &hit);
  EXPECT_EQ(hit, (std::vector<uint8_t>{1, 0, 0, 1}));
}

// A stem is found by the normalizer's FormHash of it (doc.token_hashes) and, where that is
// missing, by hashing it: the same hits either way.
TEST_F(TermIndexTest, StemsAreFoundWithAndWithoutTheNormalizersHashes) {
  auto doc = Doc(R"({"id":"h","title":"T","body":"The negotiations went on.","language":"en"})");
  const std::string stem = StemOf(*doc, "negotiations");
  ASSERT_FALSE(stem.empty());
  ASSERT_EQ(doc->token_hashes.size(), doc->tokens.size());
  TermIndex index;
  index.Add(0, stem);
  index.Add(1, "went");
  std::vector<uint8_t> with, without;
  index.Find(*doc, 2, &with);
  doc->token_hashes.clear();
  index.Find(*doc, 2, &without);
  EXPECT_EQ(with, (std::vector<uint8_t>{1, 1}));
  EXPECT_EQ(without, with);
}

// Every default rule's terms, on every article of the dev and story corpora: the index (as the
// stage uses it, through TermHits) and the per-term token scan agree.
TEST_F(TermIndexTest, SameAsTheTokenScanOnTheCorpora) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  auto rules = LoadAlertRules("");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  int hits = 0, checks = 0;
  const int articles =
      testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
        TermHits term_hits(**rules, doc);
        for (const Rule& rule : (*rules)->rules()) {
          if (rule.terms.empty()) continue;
          Rule terms_only;  // the term condition alone (the others would hide it)
          terms_only.index = rule.index;
          terms_only.terms = rule.terms;
          const bool scanned = RuleMatches(terms_only, doc, nullptr, nullptr);
          const bool indexed = RuleMatches(terms_only, doc, nullptr, &term_hits);
          EXPECT_EQ(indexed, scanned) << doc.article.id << " " << rule.id;
          hits += scanned ? 1 : 0;
          ++checks;
        }
      });
  EXPECT_GT(articles, 100);
  EXPECT_GT(hits, 10);           // the comparison covers matches
  EXPECT_GT(checks - hits, 10);  // and misses
}

// TermHits scans only as far as the asking rule's first hit and goes on from there for the next
// rule: whatever order the rules ask in, each answer is Find's, and steps until the end mark
// exactly what Find marks.
TEST_F(TermIndexTest, StepsStopAtTheAskingRulesHitAndGiveFindsAnswersInAnyOrder) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  auto rules = LoadAlertRules("");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  const std::vector<Rule>& all = (*rules)->rules();
  const TermIndex& index = (*rules)->terms();
  int stopped_early = 0;
  const int articles =
      testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
        std::vector<uint8_t> expected;
        index.Find(doc, all.size(), &expected);
        std::vector<size_t> order(all.size());
        for (size_t r = 0; r < order.size(); ++r) order[r] = r;
        for (int pass = 0; pass < 3; ++pass) {
          if (pass == 1) std::reverse(order.begin(), order.end());
          if (pass == 2) std::rotate(order.begin(), order.begin() + order.size() / 2, order.end());
          TermHits term_hits(**rules, doc);
          for (size_t r : order) {
            EXPECT_EQ(term_hits.Has(all[r]), expected[r] != 0)
                << doc.article.id << " " << all[r].id;
          }
          // The steps themselves: one rule's step, then on to the end.
          for (size_t r : order) {
            std::vector<uint8_t> hit(all.size(), 0);
            size_t next = 0;
            index.FindFrom(doc, &next, r, &hit);
            EXPECT_EQ(hit[r], expected[r]) << doc.article.id << " " << all[r].id;
            if (next < doc.tokens.size()) {
              ++stopped_early;
              EXPECT_EQ(hit[r], 1);  // it stops only at a hit
            }
            index.FindFrom(doc, &next, all.size(), &hit);
            EXPECT_EQ(next, doc.tokens.size());
            EXPECT_EQ(hit, expected) << doc.article.id << " after " << all[r].id;
          }
        }
      });
  EXPECT_GT(articles, 100);
  EXPECT_GT(stopped_early, 30);  // the stop is exercised, not only the scans to the end
}

}  // namespace
}  // namespace newsflow::alert
