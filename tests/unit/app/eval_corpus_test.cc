// The acceptance figures of the tagger on the labelled dev corpus (skipped when the corpus is
// absent): micro-F1 >= 0.90 for ceasefire_talks, >= 0.85 for every other topic with at least 5
// positive articles, entity recall >= 0.90. Prints the whole `newsflow eval` report.
#include <gtest/gtest.h>

#include "app/eval.h"
#include "app/pipeline_setup.h"
#include "tests/testing/testing.h"

namespace newsflow::app {
namespace {

TEST(EvalCorpusTest, DevCorpusMeetsTheTargets) {
  const auto corpus = testing::DevCorpusPath();
  if (!corpus) GTEST_SKIP() << "dev corpus not found (../shared/corpus/dev/articles.jsonl)";
  auto pipeline_setup = BuildPipelineSetup("");
  ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
  auto result = Evaluate(*(*pipeline_setup)->pipeline, *corpus);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::printf("%s", FormatReport(*result, 40).c_str());
  EXPECT_EQ(result->failed, 0);
  ASSERT_TRUE(result->topics.contains("ceasefire_talks"));
  EXPECT_GE(result->topics.at("ceasefire_talks").F1(), 0.90);
  for (const auto& [id, c] : result->topics) {
    if (id == "ceasefire_talks" || c.tp + c.fn < 5) continue;
    EXPECT_GE(c.F1(), 0.85) << id;
  }
  EXPECT_GE(result->EntityRecall(), 0.90);
}

}  // namespace
}  // namespace newsflow::app
