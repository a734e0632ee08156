#include "app/offline.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "app/pipeline_setup.h"
#include "tests/testing/testing.h"

namespace newsflow::app {
namespace {

class OfflineRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pipeline_setup = BuildPipelineSetup("");
    ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
    pipeline_setup_ = std::move(pipeline_setup).value();
    pipeline_ = pipeline_setup_->pipeline.get();
  }

  OfflineStats Run(const std::string& input, InputKind kind) {
    std::istringstream in(input);
    OfflineRunner runner(*pipeline_, ctx_, out_, &dead_, log_);
    runner.ProcessStream(in, "mem", kind, false);
    return runner.stats();
  }

  std::unique_ptr<PipelineSetup> pipeline_setup_;
  const core::Pipeline* pipeline_ = nullptr;
  core::FixedClock clock_{1767225600000};
  core::StageContext ctx_{&clock_, "test"};
  std::ostringstream out_, dead_, log_;
};

TEST_F(OfflineRunnerTest, SniffsJsonLines) {
  OfflineStats s = Run("\n{\"title\":\"a\"}\n\n{\"title\":\"b\"}", InputKind::kAuto);
  EXPECT_EQ(s.read, 2);
  EXPECT_EQ(s.enriched, 2);
  EXPECT_EQ(s.blank_lines, 2);
  EXPECT_NE(out_.str().find("\"processed_at\":\"2026-01-01T00:00:00.000Z\""), std::string::npos);
}

TEST_F(OfflineRunnerTest, SniffsPlainTextArticle) {
  OfflineStats s = Run("Headline\nBody line\n", InputKind::kAuto);
  EXPECT_EQ(s.read, 1);
  EXPECT_EQ(s.enriched, 1);
  EXPECT_NE(out_.str().find("\"title\":\"Headline\""), std::string::npos);
  EXPECT_NE(out_.str().find(R"("input":{"kind":"file","file":"mem","line":0})"), std::string::npos);
}

TEST_F(OfflineRunnerTest, CrlfLinesAreAccepted) {
  OfflineStats s = Run("{\"title\":\"a\"}\r\n{\"title\":\"b\"}\r\n", InputKind::kJsonLines);
  EXPECT_EQ(s.enriched, 2);
  EXPECT_EQ(s.dead_lettered, 0);
}

TEST_F(OfflineRunnerTest, CountsReconcile) {
  OfflineStats s = Run("{\"title\":\"a\"}\nnope\n{}\n", InputKind::kJsonLines);
  EXPECT_EQ(s.read, 3);
  EXPECT_EQ(s.read, s.enriched + s.dead_lettered);
  EXPECT_EQ(s.dead_lettered, 2);
}

TEST(KindFromPathTest, ByExtension) {
  EXPECT_EQ(KindFromPath("a.jsonl"), InputKind::kJsonLines);
  EXPECT_EQ(KindFromPath("a.ndjson"), InputKind::kJsonLines);
  EXPECT_EQ(KindFromPath("a.txt"), InputKind::kText);
  EXPECT_EQ(KindFromPath("a.html"), InputKind::kHtml);
  EXPECT_EQ(KindFromPath("a"), InputKind::kAuto);
}

}  // namespace
}  // namespace newsflow::app

namespace newsflow::app {
namespace {

// A config file that leaves a section out gets the built-in default's section: a Kafka-only
// file still runs the full pipeline (regression: it used to run decode+encode only).
TEST(AppConfigTest, MissingSectionsFallBackToTheBuiltInDefaults) {
  const std::string path = ::testing::TempDir() + "/only_taxonomy.yaml";
  std::ofstream(path) << "taxonomy:\n  watch: false\n";
  auto config = LoadAppConfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_TRUE(config->pipeline["stages"].IsSequence());
  EXPECT_EQ(config->pipeline["stages"].size(), 7u);  // decode ... score, story, alert, encode
  EXPECT_FALSE(config->taxonomy["watch"].as<bool>());
  auto pipeline_setup = BuildPipelineSetup(path);
  ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
  EXPECT_NE((*pipeline_setup)->pipeline->FindStage("tag"), nullptr);
}

}  // namespace
}  // namespace newsflow::app
