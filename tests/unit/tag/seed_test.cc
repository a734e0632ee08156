// The seed article (tests/data/seed_ar_...txt) through the default pipeline and taxonomy: the
// issue's acceptance case for tagging. It is about a cancelled Trump-Putin summit and a
// ceasefire in Ukraine; the appended "read also" article (Tomahawk missiles) must not count.
#include <algorithm>

#include <gtest/gtest.h>

#include "app/pipeline_setup.h"
#include "tests/testing/testing.h"

namespace newsflow {
namespace {

TEST(SeedArticleTest, TopicsAndEntitiesFromThisArticleOnly) {
  auto pipeline_setup = app::BuildPipelineSetup("");
  ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
  schemas::RawRecord record = testing::MakeRecord(
      testing::ReadFile(testing::SourcePath("tests/data/seed_ar_000_66ca287a9a26f914.txt")),
      "text/plain");
  core::Document doc(record);
  core::FixedClock clock(0);
  ASSERT_TRUE((*pipeline_setup)->pipeline->ProcessDocument(doc, {&clock, "test"}).ok());

  std::vector<std::string> topics;
  for (const auto& t : doc.topics) topics.push_back(t.id);
  EXPECT_NE(std::find(topics.begin(), topics.end(), "summit_diplomacy"), topics.end());
  EXPECT_NE(std::find(topics.begin(), topics.end(), "ceasefire_talks"), topics.end());
  EXPECT_EQ(std::find(topics.begin(), topics.end(), "weapons_supply"), topics.end())
      << "the only weapons evidence (Tomahawk) is in the appended article";

  std::vector<std::string> names;
  for (const auto& e : doc.entities) names.push_back(e.name);
  for (const char* expected :
       {"Donald Trump", "Vladimir Putin", "Volodymyr Zelensky", "Marco Rubio", "Sergei Lavrov",
        "Budapest", "Hungary", "Ukraine", "Russia", "White House"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  // Nothing is matched in the related article: every mention lies before its marker.
  const size_t related = doc.article.body.find("إقرأ أيضاً");
  ASSERT_NE(related, std::string::npos);
  for (const auto& e : doc.entities) {
    for (const auto& m : e.mentions) {
      if (m.field != core::Field::kTitle) {
        EXPECT_LT(m.end, related) << e.name << " " << m.text;
      }
    }
  }
  for (const auto& t : doc.topics) {
    for (const auto& m : t.matches) {
      if (m.field != core::Field::kTitle) {
        EXPECT_LT(m.end, related) << t.id << " " << m.text;
      }
    }
  }
}

}  // namespace
}  // namespace newsflow
