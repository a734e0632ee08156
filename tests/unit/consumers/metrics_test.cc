#include "consumers/metrics.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

namespace newsflow::consumers {
namespace {

std::unique_ptr<RuntimeMetrics> Populated() {
  auto owned = std::make_unique<RuntimeMetrics>("1.2.3");
  RuntimeMetrics& m = *owned;
  m.CreateKnownSeries(KafkaConfig{});
  m.OnConsumed("news.raw");
  m.OnProduced("news.enriched");
  m.OnDeadLettered("news.raw", Status(Code::kMalformed, "decode", "x"));
  m.OnDeliveryFailed("news.enriched", "too_large");
  m.OnReduced("news.enriched");
  m.OnStage("decode", std::chrono::microseconds(50), true);
  m.OnEndToEnd(0.02);
  m.OnRebalance("assign");
  m.SetConsumerLag("news.raw", 0, 12);
  m.SetPaused(true);
  m.SetReady(true);
  return owned;
}

TEST(MetricsTest, NamesFollowPrometheusConventions) {
  auto metrics = Populated();
  RuntimeMetrics& m = *metrics;
  const std::string text = m.Render();
  EXPECT_NE(text.find("newsflow_build_info{version=\"1.2.3\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("newsflow_records_consumed_total{topic=\"news.raw\"} 1"), std::string::npos);
  EXPECT_NE(text.find("newsflow_records_dead_lettered_total{"), std::string::npos);
  EXPECT_NE(
      text.find("newsflow_delivery_failures_total{reason=\"too_large\",topic=\"news.enriched\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("newsflow_outputs_reduced_total{topic=\"news.enriched\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("newsflow_stage_duration_seconds_bucket{stage=\"decode\""),
            std::string::npos);
  EXPECT_NE(text.find("newsflow_end_to_end_latency_seconds_count 1"), std::string::npos);
  EXPECT_NE(text.find("newsflow_consumer_lag_messages{partition=\"0\",topic=\"news.raw\"} 12"),
            std::string::npos);
  EXPECT_NE(text.find("newsflow_pauses_total 1"), std::string::npos);
  std::regex type_line("# TYPE (\\S+) (\\S+)");
  std::set<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), type_line), end; it != end; ++it) {
    const std::string name = (*it)[1], type = (*it)[2];
    names.insert(name);
    EXPECT_EQ(name.rfind("newsflow_", 0), 0u) << name;
    if (type == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
    if (type == "histogram") {
      EXPECT_TRUE(name.ends_with("_seconds")) << name;
    }
  }
  EXPECT_GE(names.size(), 15u);
}

TEST(MetricsTest, PromtoolAcceptsTheExposition) {
#ifndef NEWSFLOW_PROMTOOL
  GTEST_SKIP() << "promtool not found at configure time (installed by ops/install-deps.sh)";
#else
  auto metrics = Populated();
  RuntimeMetrics& m = *metrics;
  const std::string path = ::testing::TempDir() + "/newsflow_metrics.txt";
  std::ofstream(path) << m.Render();
  const std::string cmd = std::string(NEWSFLOW_PROMTOOL) + " check metrics < " + path + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) output += buf;
  const int rc = pclose(p);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_EQ(output, "") << "promtool lint findings";
#endif
}

// Labelled series known from the configuration exist at 0 before any event, so that rate() and
// increase() count the first events (a series born with value N hides them).
TEST(MetricsTest, KnownSeriesExistAtZeroFromTheStart) {
  RuntimeMetrics m("1.2.3");
  KafkaConfig kafka;
  kafka.input_topics = {"in.a", "in.b"};
  kafka.output = {"out.enriched", "out.alerts", "out.dead", "out.stories"};
  m.CreateKnownSeries(kafka);
  m.CreateKnownSeries(kafka);  // idempotent
  std::string text = m.Render();
  auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has("newsflow_records_consumed_total{topic=\"in.a\"} 0")) << text;
  EXPECT_TRUE(has("newsflow_records_consumed_total{topic=\"in.b\"} 0"));
  for (const char* topic : {"out.enriched", "out.alerts", "out.dead", "out.stories"}) {
    EXPECT_TRUE(has(std::string("newsflow_records_produced_total{topic=\"") + topic + "\"} 0"))
        << topic;
    for (const char* reason : {"too_large", "unknown_topic", "timed_out", "fatal", "other"}) {
      EXPECT_TRUE(has(std::string("newsflow_delivery_failures_total{reason=\"") + reason +
                      "\",topic=\"" + topic + "\"} 0"))
          << topic << " " << reason;
    }
  }
  EXPECT_TRUE(has("newsflow_outputs_reduced_total{topic=\"out.enriched\"} 0"));
  for (const char* kind : {"assign", "revoke", "lost"}) {
    EXPECT_TRUE(has(std::string("newsflow_rebalances_total{kind=\"") + kind + "\"} 0")) << kind;
  }
  // at_least_once: no transaction series (they would claim a mode that is not in use).
  EXPECT_EQ(text.find("newsflow_transactions_total{"), std::string::npos) << text;
  // The first events increment the same series (no second series with other labels).
  m.OnConsumed("in.a");
  m.OnDeliveryFailed("out.stories", "unknown_topic");
  m.OnRebalance("assign");
  text = m.Render();
  EXPECT_TRUE(has("newsflow_records_consumed_total{topic=\"in.a\"} 1")) << text;
  EXPECT_TRUE(
      has("newsflow_delivery_failures_total{reason=\"unknown_topic\",topic=\"out.stories\"} 1"));
  EXPECT_TRUE(has("newsflow_rebalances_total{kind=\"assign\"} 1"));
  EXPECT_TRUE(has("newsflow_rebalances_total{kind=\"revoke\"} 0"));

  RuntimeMetrics eos("1.2.3");
  kafka.guarantee = Guarantee::kExactlyOnce;
  eos.CreateKnownSeries(kafka);
  text = eos.Render();
  EXPECT_TRUE(has("newsflow_transactions_total{result=\"committed\"} 0")) << text;
  EXPECT_TRUE(has("newsflow_transactions_total{result=\"aborted\"} 0"));
}

TEST(MetricsTest, ConsumerLagAndBrokerStateFromLibrdkafkaStatistics) {
  const std::string stats = R"({"type":"consumer","brokers":{
      "127.0.0.1:19092/bootstrap":{"nodeid":-1,"state":"UP"},
      "127.0.0.1:19092/1":{"nodeid":1,"state":"UP"}},
    "topics":{"news.raw":{"partitions":{
      "0":{"partition":0,"consumer_lag":5},
      "1":{"partition":1,"consumer_lag":-1},
      "-1":{"partition":-1,"consumer_lag":-1}}}}})";
  std::vector<ConsumerLag> lag = ParseConsumerLag(stats);
  ASSERT_EQ(lag.size(), 1u);
  EXPECT_EQ(lag[0].topic, "news.raw");
  EXPECT_EQ(lag[0].partition, 0);
  EXPECT_EQ(lag[0].lag, 5);
  EXPECT_TRUE(AnyBrokerUp(stats));
  EXPECT_FALSE(AnyBrokerUp(
      R"({"brokers":{"b/bootstrap":{"nodeid":-1,"state":"UP"},"b/1":{"nodeid":1,"state":"DOWN"}}})"));
  EXPECT_TRUE(ParseConsumerLag("not json").empty());
}

// A partition that leaves the assignment (revoked, or absent from the next statistics) loses
// its lag series instead of showing its last value forever.
TEST(MetricsTest, LagOfPartitionsNoLongerAssignedIsRemoved) {
  RuntimeMetrics m("1.2.3");
  m.ReplaceConsumerLags({{"news.raw", 0, 5}, {"news.raw", 1, 7}});
  std::string text = m.Render();
  EXPECT_NE(text.find("newsflow_consumer_lag_messages{partition=\"0\",topic=\"news.raw\"} 5"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("newsflow_consumer_lag_messages{partition=\"1\",topic=\"news.raw\"} 7"),
            std::string::npos);
  m.ReplaceConsumerLags({{"news.raw", 1, 3}});  // partition 0 moved to another instance
  text = m.Render();
  EXPECT_EQ(text.find("newsflow_consumer_lag_messages{partition=\"0\""), std::string::npos) << text;
  EXPECT_NE(text.find("newsflow_consumer_lag_messages{partition=\"1\",topic=\"news.raw\"} 3"),
            std::string::npos);
  m.RemoveConsumerLag("news.raw", 1);  // revoke callback
  m.RemoveConsumerLag("news.raw", 9);  // never had a series: no-op
  text = m.Render();
  EXPECT_EQ(text.find("newsflow_consumer_lag_messages{"), std::string::npos) << text;
}

TEST(MetricsTest, HttpEndpointServesMetricsHealthAndReadiness) {
  auto metrics = Populated();
  RuntimeMetrics& m = *metrics;
  std::atomic<bool> ready{false};
  auto endpoint = HttpEndpoint::Start(
      "127.0.0.1:0", [&] { return m.Render(); },
      [&] {
        return ready ? Readiness{true, "ready"}
                     : Readiness{false, "waiting for partition assignment"};
      });
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  const int port = (*endpoint)->port();
  ASSERT_GT(port, 0);
  auto get = [&](const std::string& path) {
    const std::string cmd =
        "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:" + std::to_string(port) + path;
    std::FILE* p = popen(cmd.c_str(), "r");
    char buf[16] = {};
    if (std::fgets(buf, sizeof(buf), p) == nullptr) buf[0] = 0;
    pclose(p);
    return std::string(buf);
  };
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl not installed";
  EXPECT_EQ((*endpoint)->metrics_served(), 0);
  EXPECT_EQ(get("/metrics"), "200");
  EXPECT_EQ(get("/healthz"), "200");
  EXPECT_EQ(get("/readyz"), "503");
  ready = true;
  EXPECT_EQ(get("/readyz"), "200");
  // Only /metrics pages count (app/cmd_run.cc's final scrape waits for one after a failure).
  EXPECT_EQ((*endpoint)->metrics_started(), 1);
  EXPECT_EQ((*endpoint)->metrics_served(), 1);
  const int64_t mark = (*endpoint)->metrics_started();
  EXPECT_EQ(get("/metrics"), "200");
  EXPECT_GT((*endpoint)->metrics_served(), mark);
}

}  // namespace
}  // namespace newsflow::consumers
