// Signature: SimHash and lead sets of similar and different texts, numbers, event time.
#include "processors/story/signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

#include "app/pipeline_setup.h"
#include "tests/testing/testing.h"

namespace newsflow::story {
namespace {

class SignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pipeline_setup = app::BuildPipelineSetup("");
    ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
    pipeline_setup_ = std::move(pipeline_setup).value();
  }
  ArticleSignature Sign(const std::string& json, int64_t now = 1000,
                        const SignatureOptions& options = SignatureOptions{}) {
    schemas::RawRecord record = testing::MakeRecord(json, "application/json");
    core::Document doc(record);
    core::FixedClock clock(now);
    EXPECT_TRUE(pipeline_setup_->pipeline->ProcessDocument(doc, {&clock, "test"}).ok());
    ArticleSignature sig;
    ComputeSignature(doc, now, options, &sig);
    return sig;
  }
  std::unique_ptr<app::PipelineSetup> pipeline_setup_;
};

const char* kBody =
    "The United Nations envoy announced on Friday that the warring parties agreed to a two "
    "month truce starting on Saturday, with the possibility of extending it. The truce covers "
    "all military operations inside the country and across its borders, and fuel ships will "
    "be allowed into the port while commercial flights resume from the capital airport.";

TEST_F(SignatureTest, SameTextGivesTheSameHashesAndAnEditedCopyIsClose) {
  const std::string a = std::string(R"({"id":"a","title":"Truce agreed","body":")") + kBody + "\"}";
  const std::string b = std::string(R"({"id":"b","title":"Truce agreed","body":")") + kBody + "\"}";
  std::string edited = kBody;
  edited.replace(edited.find("Friday"), 6, "Thursday");
  const std::string c =
      std::string(R"({"id":"c","title":"Truce agreed","body":")") + edited + "\"}";
  const ArticleSignature sa = Sign(a), sb = Sign(b), sc = Sign(c);
  ASSERT_TRUE(sa.has_fingerprint);
  EXPECT_EQ(sa.text_hash, sb.text_hash);
  EXPECT_EQ(sa.simhash, sb.simhash);
  EXPECT_NE(sa.text_hash, sc.text_hash);
  EXPECT_LE(HammingDistance(sa.simhash, sc.simhash), 12);
  EXPECT_FALSE(sa.lead_shingles.empty());
}

TEST_F(SignatureTest, UnrelatedTextsAreFarApart) {
  const ArticleSignature a =
      Sign(std::string(R"({"id":"a","title":"Truce","body":")") + kBody + "\"}");
  const ArticleSignature b = Sign(
      R"({"id":"b","title":"Football","body":"The home side won the cup final after extra time )"
      R"(in front of a record crowd, with two late goals from the young striker who joined )"
      R"(the club last summer from a second division team in the north of the country."})");
  EXPECT_GE(HammingDistance(a.simhash, b.simhash), 16);
}

double Jaccard(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<uint32_t> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  const size_t uni = a.size() + b.size() - both.size();
  return uni == 0 ? 0.0 : static_cast<double>(both.size()) / static_cast<double>(uni);
}

// A statement that two independent reports both quote at length.
const char* kQuote =
    "The parties to the conflict have accepted to renew the truce for two more months under "
    "the same terms, and I call on them to use this time to agree on the opening of roads and "
    "the payment of public salaries without delay";

TEST_F(SignatureTest, LeadSetLeavesQuotationsOut) {
  const std::string a =
      std::string(R"({"id":"a","title":"Truce renewed","body":"Aden, Saturday. )") +
      R"(The envoy of the United Nations said in a written statement: \")" + kQuote +
      R"(.\" Residents of the port city welcomed the news while local )"
      R"(traders hoped fuel prices would finally fall this month."})";
  const std::string b =
      std::string(R"({"id":"b","title":"UN: truce extended","body":"In a brief announcement )") +
      R"(from his office, Hans Grundberg declared: “)" + kQuote +
      R"(.” Analysts in Riyadh expect the talks on prisoners to resume soon, a diplomat told )"
      R"(our correspondent."})";
  const ArticleSignature sa = Sign(a), sb = Sign(b);
  ASSERT_GE(sa.lead_shingles.size(), 8u);
  ASSERT_GE(sb.lead_shingles.size(), 8u);
  // Without quotations the two openings share nothing; with them, the quote dominates.
  EXPECT_LT(Jaccard(sa.lead_shingles, sb.lead_shingles), 0.05);
  SignatureOptions with_quotes;
  with_quotes.lead_skip_quotes = false;
  const ArticleSignature qa = Sign(a, 1000, with_quotes), qb = Sign(b, 1000, with_quotes);
  EXPECT_GT(Jaccard(qa.lead_shingles, qb.lead_shingles), 0.30);
  // A republished copy with the same quotation still matches fully.
  std::string copy = a;
  copy.replace(copy.find(R"("id":"a")"), 8, R"("id":"c")");
  EXPECT_EQ(Jaccard(sa.lead_shingles, Sign(copy).lead_shingles), 1.0);
}

TEST_F(SignatureTest, MostlyQuotedOrUnbalancedOpeningFallsBackToThePlainLead) {
  // An opening quotation mark never closed runs to the paragraph's end: nearly every word is
  // "quoted", so the lead set is the plain opening (still compared), not empty.
  const std::string json = std::string(R"({"id":"u","title":"Statement","body":"\")") + kBody +
                           R"( And more words follow in the same paragraph here."})";
  SignatureOptions plain;
  plain.lead_skip_quotes = false;
  const ArticleSignature s = Sign(json), p = Sign(json, 1000, plain);
  EXPECT_FALSE(s.lead_shingles.empty());
  EXPECT_EQ(s.lead_shingles, p.lead_shingles);
}

TEST_F(SignatureTest, QuotedTokensFollowMarksOfSeveralScriptsAndEndAtTheParagraph) {
  schemas::RawRecord record = testing::MakeRecord(
      R"({"id":"q","title":"T","body":"one «two three» four “five” six \"seven\nnine ten"})",
      "application/json");
  core::Document doc(record);
  core::FixedClock clock(0);
  ASSERT_TRUE(pipeline_setup_->pipeline->ProcessDocument(doc, {&clock, "test"}).ok());
  size_t first = 0;
  while (first < doc.tokens.size() && doc.tokens[first].field == core::Field::kTitle) ++first;
  std::vector<uint8_t> quoted;
  QuotedTokens(doc, first, doc.tokens.size(), &quoted);
  std::string marked;
  for (size_t i = first; i < doc.tokens.size(); ++i) {
    marked += std::string(doc.TokenForm(doc.tokens[i].folded_offset, doc.tokens[i].folded_size)) +
              (quoted[i - first] != 0 ? "+ " : "- ");
  }
  EXPECT_EQ(marked, "one- two+ three+ four- five+ six- seven+ nine- ten- ");
}

TEST_F(SignatureTest, NumbersDropSeparatorsYearsAndSingleDigits) {
  const ArticleSignature s = Sign(
      R"({"id":"n","title":"Swap","body":"They agreed to exchange 1,000 prisoners each in 2025, )"
      R"(after 3 hours; another 1.200 later and 6000 bodies."})");
  EXPECT_EQ(s.numbers, (std::vector<std::string>{"1000", "1200", "6000"}));
}

TEST_F(SignatureTest, EventTimeIsPublishedElseKafkaElseClock) {
  const ArticleSignature published =
      Sign(R"({"id":"p","title":"t","body":"b","published":"2025-05-16T10:00:00Z"})", 5);
  EXPECT_EQ(published.time_basis, "published");
  EXPECT_EQ(published.event_time_ms, 1747389600000);
  const ArticleSignature clock = Sign(R"({"id":"q","title":"t","body":"b"})", 42);
  EXPECT_EQ(clock.time_basis, "clock");
  EXPECT_EQ(clock.event_time_ms, 42);
  EXPECT_FALSE(clock.has_fingerprint);  // too short
}

}  // namespace
}  // namespace newsflow::story
