// StoryRuntime's start-up restore against a broker that cannot be reached: the instance stays
// "not ready" with the reason, logs the failure once, retries, and stops retrying (without
// consuming) when asked to stop. The restore that succeeds, and the tail after it, run against
// the real broker in tests/integration/story_integration_test.cc; a wrong SASL password in
// tests/integration/fault_test.cc.
#include "app/story_runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "app/app_config.h"
#include "app/kafka_setup.h"
#include "app/pipeline_setup.h"
#include "tests/testing/testing.h"

namespace newsflow::app {
namespace {

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) out.append(buf, n);
  return out;
}

TEST(StoryRuntimeTest, UnreachableBrokerKeepsTheInstanceNotReadyAndStopEndsTheRetries) {
  auto config = LoadAppConfig("");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  config->pipeline["story"]["instance_id"] = "unit-test";
  // Nothing listens on port 1.
  config->kafka["brokers"] = "127.0.0.1:1";
  auto setup = BuildPipelineSetup(std::move(config).value());
  ASSERT_TRUE(setup.ok()) << setup.status().ToString();
  ASSERT_NE((*setup)->stories, nullptr) << "the default pipeline has the story stage";
  auto kafka = LoadKafkaSetup((*setup)->config, [](const char*) -> const char* { return nullptr; });
  ASSERT_TRUE(kafka.ok()) << kafka.status().ToString();
  ASSERT_EQ(kafka->kafka.brokers, "127.0.0.1:1");

  std::FILE* log_file = std::tmpfile();
  ASSERT_NE(log_file, nullptr);
  consumers::Logger log(log_file, consumers::LogLevel::kInfo);
  auto runtime = StoryRuntime::Create(kafka->kafka, **setup, &log);
  ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
  std::optional<std::string> before = (*runtime)->NotReady();
  ASSERT_TRUE(before.has_value());
  EXPECT_NE(before->find("restoring the story state from news.stories"), std::string::npos)
      << *before;

  std::atomic<bool> stop{false};
  std::atomic<bool> finished{false};
  bool restored = true;
  std::thread restore([&] {
    restored =
        (*runtime)->RestoreThenTail(std::chrono::seconds(5), std::chrono::milliseconds(100), stop);
    finished.store(true);
  });
  // The first attempt fails (metadata request times out); the reason then names it.
  std::optional<std::string> reason;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    reason = (*runtime)->NotReady();
    if (reason && reason->find("cannot restore") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("cannot restore the story state: "), std::string::npos) << *reason;
  EXPECT_FALSE(finished.load()) << "it keeps retrying";
  stop.store(true);
  restore.join();
  EXPECT_FALSE(restored) << "stopped before a restore: the caller must not consume";
  EXPECT_TRUE((*runtime)->NotReady().has_value()) << "still not ready";
  (*runtime)->Stop();
  const std::string logged = ReadAll(log_file);
  EXPECT_NE(logged.find("cannot restore the story state; retrying"), std::string::npos) << logged;
  std::fclose(log_file);
}

}  // namespace
}  // namespace newsflow::app
