// `newsflow run` against a real Kafka broker (label `integration`; NEWSFLOW_TEST_BROKERS is set
// by ops/test.sh). Each test uses its own topics and group, so re-runs never collide.
#include <signal.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "tests/integration/kafka_harness.h"

namespace newsflow::integration {
namespace {

constexpr int kPartitions = 6;
constexpr int kGood = 10000;
constexpr int kBad = 50;
constexpr int kMidFlowGood = 30000;  // the kill -9 and SIGTERM tests

class RuntimeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Brokers().empty()) {
      FAIL() << "NEWSFLOW_TEST_BROKERS is not set. Integration tests need a real Kafka broker: "
                "run ops/test.sh, or BOOTSTRAP=$(ops/kafka/local-kafka.sh start) and "
                "NEWSFLOW_TEST_BROKERS=$BOOTSTRAP ctest -L integration";
    }
  }

  // Creates the topics and the corpus (`good` articles plus kBad bad records); produces the
  // corpus unless `produce` is false.
  static Flow Prepare(const std::string& test, bool produce = true, int good = kGood) {
    return PrepareFlow(test, kPartitions, good, kBad, produce);
  }

  static void ExpectAllAccountedFor(const Flow& f, const Tally& t) {
    size_t missing = 0;
    for (const auto& id : f.good_ids) {
      if (!t.enriched.contains(id)) ++missing;
    }
    EXPECT_EQ(missing, 0u) << "good articles missing from the enriched topic";
    EXPECT_EQ(t.enriched.size(), f.good_ids.size());
    EXPECT_EQ(t.dead.size(), f.bad_ids.size());
    for (const auto& [key, n] : t.dead) EXPECT_TRUE(f.bad_ids.contains(key)) << key;
  }

  static void WaitForCommitsAtEnd(const Flow& f) {
    const auto high = HighWatermarks(f.config.input, kPartitions);
    std::map<int32_t, int64_t> committed;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      committed = CommittedOffsets(f.config.group, f.config.input, kPartitions);
      if (committed == high) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    EXPECT_EQ(committed, high) << "committed offsets must reach the end of every partition";
  }

  static void Report(const std::string& what, int64_t value) {
    std::cout << "[ FIGURE   ] " << what << " = " << value << std::endl;
    ::testing::Test::RecordProperty(what, std::to_string(value));
  }

  std::string LogPath(const Flow& f, const std::string& suffix) {
    return ::testing::TempDir() + "/" + f.name + "-" + suffix + ".log";
  }
};

TEST_F(RuntimeIntegrationTest, EveryGoodArticleIsEnrichedAndEveryBadOneDeadLetteredUnchanged) {
  Flow f = Prepare("fullflow");
  const auto start = std::chrono::steady_clock::now();
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(),
                           std::chrono::seconds(120));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ExpectAllAccountedFor(f, t);
  Report("fullflow_records", t.total);
  Report("fullflow_duplicates", t.Duplicates());
  Report("fullflow_records_per_second",
         static_cast<int64_t>(static_cast<double>(t.total) / seconds));
  EXPECT_EQ(t.Duplicates(), 0);

  // Dead letters: original key and bytes, error and origin headers.
  std::map<std::string, std::string> original;
  for (const auto& r : f.corpus) original[*r.key] = r.value;
  for (const auto& m : dead.messages()) {
    EXPECT_EQ(m.value, original[m.key]) << m.key;
    EXPECT_EQ(m.headers.at("content-type"), "application/json") << "original headers kept";
    EXPECT_EQ(m.headers.at("newsflow.error.stage"), "decode");
    EXPECT_TRUE(m.headers.at("newsflow.error.class") == "malformed" ||
                m.headers.at("newsflow.error.class") == "invalid_encoding")
        << m.headers.at("newsflow.error.class");
    EXPECT_FALSE(m.headers.at("newsflow.error.message").empty());
    EXPECT_EQ(m.headers.at("newsflow.error.topic"), f.config.input);
    EXPECT_GE(std::stoi(m.headers.at("newsflow.error.partition")), 0);
    EXPECT_GE(std::stoll(m.headers.at("newsflow.error.offset")), 0);
    EXPECT_GT(std::stoll(m.headers.at("newsflow.error.timestamp")), 0);
  }
  // Enriched events: keyed by article id, CloudEvents + provenance headers.
  ASSERT_FALSE(enriched.messages().empty());
  const ReadMessage& e = enriched.messages().front();
  EXPECT_EQ(e.headers.at("ce_id"), e.key);
  EXPECT_EQ(e.headers.at("ce_specversion"), "1.0");
  EXPECT_EQ(e.headers.at("ce_type"), "io.newsflow.enriched_event.v1");
  EXPECT_EQ(e.headers.at("ce_source"), "newsflow/" + f.config.input);
  EXPECT_EQ(e.headers.at("content-type"), "application/json");
  EXPECT_EQ(e.headers.at("newsflow-source-topic"), f.config.input);
  EXPECT_NE(e.value.find("\"" + e.key + "\""), std::string::npos);

  WaitForCommitsAtEnd(f);
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(std::chrono::seconds(40)), 0) << run.Log();
}

TEST_F(RuntimeIntegrationTest, Kill9MidFlowThenRestartLosesNothing) {
  // 30,000 articles: the flow takes several seconds, so the signal surely lands mid-flow even
  // when the instance's /metrics answers late under load.
  Flow f = Prepare("kill9", true, kMidFlowGood);
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  const std::string config = WriteConfig(f.config, f.name);
  {
    NewsflowProcess first(config, LogPath(f, "first"));
    // Mid-flow: 3,000 outputs acknowledged, more queued or in flight, the rest unread.
    ASSERT_GE(WaitForProduced(f.config.metrics_port, 3000, std::chrono::seconds(90)), 3000)
        << first.Log();
    first.Signal(SIGKILL);
    EXPECT_EQ(first.Wait(std::chrono::seconds(10)), 128 + SIGKILL);
    enriched.Poll(std::chrono::milliseconds(500));
    dead.Poll(std::chrono::milliseconds(100));
    Report("kill9_outputs_before_kill", CountOutputs(enriched, dead).total);
    int64_t committed = 0;
    for (const auto& [p, offset] : CommittedOffsets(f.config.group, f.config.input, kPartitions)) {
      if (offset > 0) committed += offset;
    }
    Report("kill9_records_committed_before_kill", committed);
    EXPECT_LT(committed, static_cast<int64_t>(f.corpus.size())) << "the kill must come mid-flow";
  }
  NewsflowProcess second(config, LogPath(f, "second"));
  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(),
                           std::chrono::seconds(120));
  enriched.Poll(std::chrono::seconds(2));  // let late duplicates arrive before counting
  t = CountOutputs(enriched, dead);
  ExpectAllAccountedFor(f, t);
  Report("kill9_duplicates", t.Duplicates());
  WaitForCommitsAtEnd(f);
  second.Signal(SIGTERM);
  EXPECT_EQ(second.Wait(std::chrono::seconds(40)), 0) << second.Log();
}

TEST_F(RuntimeIntegrationTest, SigtermMidFlowExitsZeroAndRestartProducesNoDuplicate) {
  Flow f = Prepare("sigterm", true, kMidFlowGood);
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  const std::string config = WriteConfig(f.config, f.name);
  {
    NewsflowProcess first(config, LogPath(f, "first"));
    ASSERT_GE(WaitForProduced(f.config.metrics_port, 3000, std::chrono::seconds(90)), 3000)
        << first.Log();
    const auto stop = std::chrono::steady_clock::now();
    first.Signal(SIGTERM);
    EXPECT_EQ(first.Wait(std::chrono::seconds(35)), 0) << first.Log();
    Report("sigterm_shutdown_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - stop)
                                      .count());
  }
  enriched.Poll(std::chrono::seconds(1));
  dead.Poll(std::chrono::milliseconds(100));
  const int64_t before_restart = CountOutputs(enriched, dead).total;
  Report("sigterm_outputs_before_restart", before_restart);
  EXPECT_LT(before_restart, static_cast<int64_t>(f.corpus.size())) << "the stop must come mid-flow";
  NewsflowProcess second(config, LogPath(f, "second"));
  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(),
                           std::chrono::seconds(120));
  enriched.Poll(std::chrono::seconds(2));
  t = CountOutputs(enriched, dead);
  ExpectAllAccountedFor(f, t);
  Report("sigterm_duplicates", t.Duplicates());
  // A graceful stop commits everything it produced, so the restart produces nothing twice. (The
  // restarted consumer may see librdkafka 2.0.x re-fetch older offsets after a pause/resume; the
  // runtime skips those, see consumers/README.md "Fetch rewinds".)
  EXPECT_EQ(t.Duplicates(), 0) << "a graceful stop commits everything it produced";
  second.Signal(SIGTERM);
  EXPECT_EQ(second.Wait(std::chrono::seconds(40)), 0) << second.Log();
}

int64_t MetricValue(const std::string& text, const std::string& name) {
  const size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return static_cast<int64_t>(std::stod(text.substr(at + name.size() + 2)));
}

// Back-pressure: with a work queue of 200 records the input partitions pause and resume
// hundreds of times over the flow. librdkafka 2.0.x may re-fetch from an older position after
// a resume (consumers/README.md, "Fetch rewinds"); the runtime must neither lose a record nor
// produce one twice in a single run.
TEST_F(RuntimeIntegrationTest, BackPressurePausesAndResumesWithoutLossOrDuplicate) {
  Flow f = Prepare("backpressure");
  f.config.kafka_extra = "queue_max_records: 20\nproducer_max_messages: 100";
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(),
                           std::chrono::seconds(180));
  enriched.Poll(std::chrono::seconds(2));  // let late duplicates arrive before counting
  t = CountOutputs(enriched, dead);
  ExpectAllAccountedFor(f, t);
  EXPECT_EQ(t.Duplicates(), 0);
  const std::string metrics = HttpGet(f.config.metrics_port, "/metrics").second;
  const int64_t pauses = MetricValue(metrics, "newsflow_pauses_total");
  Report("backpressure_pauses", pauses);
  Report("backpressure_redelivery_skipped",
         MetricValue(metrics, "newsflow_records_redelivery_skipped_total"));
  EXPECT_GT(pauses, 10) << "the flow must actually have paused the partitions";
  WaitForCommitsAtEnd(f);
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(std::chrono::seconds(40)), 0) << run.Log();
}

// Hot reload under load: the taxonomy files change (a new version, then an invalid file, then
// a fix and a SIGHUP) while records flow. The input arrives in three batches, each produced only
// once the previous reload has been seen in /metrics, so every phase has records in flight.
// Nothing is lost or stalled, every event names the taxonomy version it was tagged with, and
// reloads are counted in the metrics.
TEST_F(RuntimeIntegrationTest, TaxonomyReloadUnderLoadLosesAndStallsNothing) {
  namespace fs = std::filesystem;
  Flow f = Prepare("reload", /*produce=*/false);

  const fs::path dir = fs::path(::testing::TempDir()) / (f.name + "-taxonomy");
  fs::remove_all(dir);
  fs::copy(fs::path(NEWSFLOW_SOURCE_DIR) / "config/taxonomy", dir, fs::copy_options::recursive);
  auto set_version = [&](const std::string& v) {
    std::string text;
    {
      std::ifstream in(dir / "taxonomy.yaml");
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    const size_t at = text.find("version: ");
    text.replace(at, text.find('\n', at) - at, "version: \"" + v + "\"");
    std::ofstream(dir / "taxonomy.yaml", std::ios::trunc) << text;
  };
  auto wait_for_metric = [&](const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      if (HttpGet(f.config.metrics_port, "/metrics").second.find(needle) != std::string::npos) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  const size_t third = f.corpus.size() / 3;
  auto batch = [&](size_t i) {
    return std::vector<TestRecord>(
        f.corpus.begin() + static_cast<std::ptrdiff_t>(i * third),
        i == 2 ? f.corpus.end() : f.corpus.begin() + static_cast<std::ptrdiff_t>((i + 1) * third));
  };

  set_version("reload-v1");
  f.config.taxonomy_path = (dir / "taxonomy.yaml").string();
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  ASSERT_TRUE(wait_for_metric("newsflow_taxonomy_info{version=\"reload-v1\"} 1")) << run.Log();

  Produce(f.config.input, batch(0));
  set_version("reload-v2");  // a change while batch 0 is being processed
  ASSERT_TRUE(wait_for_metric("newsflow_taxonomy_info{version=\"reload-v2\"} 1")) << run.Log();
  Produce(f.config.input, batch(1));
  std::ofstream(dir / "topics" / "zz_broken.yaml") << "topic:\n  id: broken\n  rules: [\n";
  ASSERT_TRUE(wait_for_metric("newsflow_taxonomy_reloads_total{result=\"failure\"} 1"))
      << "the broken file is rejected and counted";
  fs::remove(dir / "topics" / "zz_broken.yaml");
  set_version("reload-v3");
  run.Signal(SIGHUP);
  ASSERT_TRUE(wait_for_metric("newsflow_taxonomy_info{version=\"reload-v3\"} 1")) << run.Log();
  Produce(f.config.input, batch(2));

  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(),
                           std::chrono::seconds(120));
  ExpectAllAccountedFor(f, t);
  std::map<std::string, int64_t> versions;
  for (const auto& m : enriched.messages()) {
    const size_t at = m.value.find("\"taxonomy_version\":\"");
    ASSERT_NE(at, std::string::npos) << m.value.substr(0, 200);
    const size_t begin = at + 20;
    ++versions[m.value.substr(begin, m.value.find('"', begin) - begin)];
  }
  for (const auto& [v, n] : versions) Report("reload_events_tagged_with_" + v, n);
  EXPECT_GT(versions["reload-v3"], 0) << "records produced after the last reload use it";
  EXPECT_GT(versions["reload-v1"] + versions["reload-v2"], 0);
  EXPECT_EQ(versions.size(), versions.count("reload-v1") + versions.count("reload-v2") +
                                 versions.count("reload-v3"));
  EXPECT_NE(run.Log().find("taxonomy reload failed"), std::string::npos);
  WaitForCommitsAtEnd(f);
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(std::chrono::seconds(40)), 0) << run.Log();
}

TEST_F(RuntimeIntegrationTest, TwoInstancesShareTheGroupAndStoppingOneHandsOverWithNothingLost) {
  Flow f = Prepare("twoinstances");
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  RunConfig second_config = f.config;
  second_config.metrics_port = FreePort();
  NewsflowProcess a(WriteConfig(f.config, f.name + "-a"), LogPath(f, "a"));
  Tally t = WaitForOutputs(enriched, dead, 1000, std::chrono::seconds(90));
  ASSERT_GE(t.enriched.size() + t.dead.size(), 1000u) << a.Log();
  NewsflowProcess b(WriteConfig(second_config, f.name + "-b"), LogPath(f, "b"));
  // Both members hold partitions after the cooperative rebalance.
  int64_t assigned_a = -1, assigned_b = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    assigned_a = MetricValue(HttpGet(f.config.metrics_port, "/metrics").second,
                             "newsflow_assigned_partitions");
    assigned_b = MetricValue(HttpGet(second_config.metrics_port, "/metrics").second,
                             "newsflow_assigned_partitions");
    if (assigned_a > 0 && assigned_b > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GT(assigned_a, 0);
  EXPECT_GT(assigned_b, 0);
  EXPECT_EQ(assigned_a + assigned_b, kPartitions);
  Report("two_instances_partitions_a", assigned_a);
  Report("two_instances_partitions_b", assigned_b);
  a.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(std::chrono::seconds(40)), 0) << a.Log();
  t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(),
                     std::chrono::seconds(120));
  enriched.Poll(std::chrono::seconds(2));
  t = CountOutputs(enriched, dead);
  ExpectAllAccountedFor(f, t);
  Report("two_instances_duplicates", t.Duplicates());
  EXPECT_EQ(MetricValue(HttpGet(second_config.metrics_port, "/metrics").second,
                        "newsflow_assigned_partitions"),
            kPartitions)
      << "the survivor owns every partition";
  WaitForCommitsAtEnd(f);
  b.Signal(SIGTERM);
  EXPECT_EQ(b.Wait(std::chrono::seconds(40)), 0) << b.Log();
}

TEST_F(RuntimeIntegrationTest, MetricsPassPromtoolAndReadyzTurnsReadyOnlyAfterAssignment) {
  Flow f = NamedFlow("metrics");
  CreateTopic(f.config.input, 2);
  CreateTopic(f.config.enriched, 1);
  CreateTopic(f.config.alerts, 1);
  CreateTopic(f.config.dead_letter, 1);
  CreateTopic(f.config.stories, 1);
  Produce(f.config.input, MakeCorpus(f.name, 20, 2, &f.good_ids, &f.bad_ids));
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  std::vector<int> statuses;  // distinct /readyz statuses in the order seen
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto [status, body] = HttpGet(f.config.metrics_port, "/readyz");
    if (status != 0 && (statuses.empty() || statuses.back() != status)) statuses.push_back(status);
    if (status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(statuses, (std::vector<int>{503, 200})) << run.Log();
  EXPECT_EQ(HttpGet(f.config.metrics_port, "/healthz").first, 200);
  TopicReader enriched(f.config.enriched);
  for (int i = 0; i < 100 && enriched.messages().size() < 20; ++i) {
    enriched.Poll(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // statistics + gauges refresh
  const std::string metrics = HttpGet(f.config.metrics_port, "/metrics").second;
  for (const char* name :
       {"newsflow_build_info{", "newsflow_records_consumed_total{",
        "newsflow_records_produced_total{", "newsflow_records_dead_lettered_total{",
        "newsflow_stage_duration_seconds_bucket{", "newsflow_end_to_end_latency_seconds_bucket{",
        "newsflow_consumer_lag_messages{", "newsflow_rebalances_total{",
        "newsflow_producer_queue_messages ", "newsflow_ready 1"}) {
    EXPECT_NE(metrics.find(name), std::string::npos) << name << "\n" << metrics;
  }
  const std::string path = ::testing::TempDir() + "/" + f.name + "-metrics.txt";
  std::ofstream(path) << metrics;
  if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("promtool check metrics < " + path).c_str()), 0) << metrics;
  } else {
    ADD_FAILURE() << "promtool not installed (ops/install-deps.sh installs it)";
  }
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(std::chrono::seconds(40)), 0) << run.Log();
}

TEST_F(RuntimeIntegrationTest, PermanentDeliveryFailureExitsOneAndNeverCommitsThatRecord) {
  // The dead-letter topic does not exist (auto-creation is off): the bad record's dead letter
  // can never be delivered. Its offset must not be committed, and the instance must stop.
  Flow f = NamedFlow("deliveryfailure");
  f.config.dead_letter = f.name + "-missing-dlq";
  f.config.producer_properties = "message.timeout.ms: 3000";
  CreateTopic(f.config.input, 1);
  CreateTopic(f.config.enriched, 1);
  CreateTopic(f.config.alerts, 1);
  CreateTopic(f.config.stories, 1);
  std::vector<TestRecord> corpus = MakeCorpus(f.name, 6, 0, &f.good_ids, &f.bad_ids);
  corpus.insert(corpus.begin() + 3, TestRecord{"bad", "{\"id\":", {}});  // offset 3
  Produce(f.config.input, corpus);
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  EXPECT_EQ(run.Wait(std::chrono::seconds(90)), 1) << run.Log();
  EXPECT_NE(run.Log().find("delivery failed"), std::string::npos) << run.Log();
  const auto committed = CommittedOffsets(f.config.group, f.config.input, 1);
  ASSERT_TRUE(committed.contains(0));
  EXPECT_EQ(committed.at(0), 3) << "offsets 0-2 are done; 3 failed, so 4-6 are held back";
  TopicReader enriched(f.config.enriched);
  enriched.Poll(std::chrono::seconds(2));
  EXPECT_EQ(enriched.messages().size(), 6u) << "the good records were all produced";
}

}  // namespace
}  // namespace newsflow::integration
