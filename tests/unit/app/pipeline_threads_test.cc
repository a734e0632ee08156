// One Pipeline shared by several threads, as the Kafka runtime's workers share it. The
// stateless stages must write what a single thread writes, record for record; the stateful
// ones (story, alert: their stores are shared and locked) must still give every record its
// story. ops/test.sh also runs these tests under ThreadSanitizer (the tsan preset), which
// reports any data race in the stages' shared state (taxonomy snapshot, per-thread memos,
// lazily built tables, the story store and the alert state).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/app_config.h"
#include "app/pipeline_setup.h"
#include "tests/testing/testing.h"

namespace newsflow::app {
namespace {

std::vector<schemas::RawRecord> SampleRecords() {
  std::vector<schemas::RawRecord> records;
  std::istringstream lines(testing::ReadFile(testing::SourcePath("samples/articles.jsonl")));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    schemas::RawRecord r;
    r.value = line;
    r.headers = {{"content-type", "application/json"}};
    records.push_back(std::move(r));
  }
  schemas::RawRecord seed;
  seed.value = testing::ReadFile(testing::SourcePath("samples/seed_ar.txt"));
  seed.headers = {{"content-type", "text/plain"}};
  records.push_back(std::move(seed));
  return records;
}

// Every record's outputs (or its dead-letter status) as one string.
std::string ProcessOne(const core::Pipeline& pipeline, const schemas::RawRecord& record) {
  core::FixedClock clock(1767225600000);
  const core::Outcome outcome = pipeline.Process(record, {&clock, "test"});
  if (!outcome.ok()) return "dead: " + outcome.status.ToString();
  std::string all;
  for (const auto& output : outcome.outputs) all += output.key + " " + output.value + "\n";
  return all;
}

// The default pipeline without its stateful stages (story, alert): outputs depend only on the
// record.
std::unique_ptr<PipelineSetup> StatelessSetup() {
  auto config = LoadAppConfig("");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  config->pipeline["stages"] = YAML::Load("[decode, normalize, tag, score, encode]");
  config->pipeline.remove("story");  // a section of a stage not run is an unknown key
  config->pipeline.remove("alert");
  auto setup = BuildPipelineSetup(std::move(config).value());
  EXPECT_TRUE(setup.ok()) << setup.status().ToString();
  return setup.ok() ? std::move(setup).value() : nullptr;
}

TEST(PipelineThreadsTest, FourThreadsSharingOnePipelineWriteWhatOneThreadWrites) {
  auto setup = StatelessSetup();
  ASSERT_NE(setup, nullptr);
  const core::Pipeline& pipeline = *setup->pipeline;
  const std::vector<schemas::RawRecord> records = SampleRecords();
  ASSERT_GE(records.size(), 10u);
  std::vector<std::string> expected;
  for (const auto& record : records) expected.push_back(ProcessOne(pipeline, record));

  constexpr int kThreads = 4;
  constexpr int kRounds = 3;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread starts at another record, so that different stages run at the same time.
      for (int round = 0; round < kRounds; ++round) {
        for (size_t i = 0; i < records.size(); ++i) {
          const size_t at = (i + static_cast<size_t>(t) * 3) % records.size();
          got[t].push_back(std::to_string(at) + ": " + ProcessOne(pipeline, records[at]));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[t].size(), records.size() * kRounds);
    for (size_t k = 0; k < got[t].size(); ++k) {
      const size_t at = (k % records.size() + static_cast<size_t>(t) * 3) % records.size();
      EXPECT_EQ(got[t][k], std::to_string(at) + ": " + expected[at]) << "thread " << t;
    }
  }
}

TEST(PipelineThreadsTest, FourThreadsSharingTheStoryAndAlertStoresGiveEveryRecordAStory) {
  auto setup = BuildPipelineSetup("");
  ASSERT_TRUE(setup.ok()) << setup.status().ToString();
  const core::Pipeline& pipeline = *(*setup)->pipeline;
  const std::vector<schemas::RawRecord> records = SampleRecords();
  constexpr int kThreads = 4;
  std::vector<int> enriched(kThreads, 0), with_story(kThreads, 0), failed(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      core::FixedClock clock(1767225600000);
      for (int round = 0; round < 3; ++round) {
        for (const auto& record : records) {
          const core::Outcome outcome = pipeline.Process(record, {&clock, "test"});
          if (!outcome.ok()) {
            ++failed[t];
            continue;
          }
          for (const auto& output : outcome.outputs) {
            if (output.kind != schemas::Output::Kind::kEnriched) continue;
            ++enriched[t];
            with_story[t] += output.value.find("\"story\":{\"id\":\"st-") != std::string::npos;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(enriched[t] + failed[t], static_cast<int>(records.size()) * 3) << "thread " << t;
    EXPECT_EQ(with_story[t], enriched[t]) << "every enriched event has a story, thread " << t;
    EXPECT_GT(enriched[t], 0);
  }
}

}  // namespace
}  // namespace newsflow::app
