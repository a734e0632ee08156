// Signature: SimHash and lead sets of similar and different texts, numbers, event time.
#include "processors/story/signature.h"

#include <gtest/gtest.h>

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
  ArticleSignature Sign(const std::string& json, int64_t now = 1000) {
    schemas::RawRecord record = testing::MakeRecord(json, "application/json");
    core::Document doc(record);
    core::FixedClock clock(now);
    EXPECT_TRUE(pipeline_setup_->pipeline->ProcessDocument(doc, {&clock, "test"}).ok());
    ArticleSignature sig;
    ComputeSignature(doc, now, SignatureOptions{}, &sig);
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
