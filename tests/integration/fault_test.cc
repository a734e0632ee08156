// The fault suite (issue 13, item 6): `newsflow run` (the real binary) against the real broker
// of ops/kafka/local-kafka.sh while things go wrong: kill -9 during a backlog in both
// guarantees, a frozen and a restarted broker, SIGTERM while the broker is frozen, a
// rebalance 1 -> 3 -> 1 with SIGTERM during it, records too large for the outputs, and 30+
// classes of bad input. Labels `integration` and `fault`; run one at a time (they freeze and
// restart the shared broker). Figures are printed as `[ FIGURE   ] name = value`.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/kafka_harness.h"

namespace newsflow::integration {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kPartitions = 6;

int64_t Ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

void Report(const std::string& what, int64_t value) {
  std::cout << "[ FIGURE   ] " << what << " = " << value << std::endl;
  ::testing::Test::RecordProperty(what, std::to_string(value));
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Brokers().empty()) {
      FAIL() << "NEWSFLOW_TEST_BROKERS is not set: run ops/test.sh (it starts the broker)";
    }
  }
  void TearDown() override {
    // Never leave the shared broker frozen for the next test.
    if (frozen_) BrokerCtl("thaw");
  }

  std::string LogPath(const Flow& f, const std::string& suffix) {
    return ::testing::TempDir() + "/" + f.name + "-" + suffix + ".log";
  }

  // Five kill -9 at random moments during a 20,000-article backlog, each followed by an
  // immediate restart (static membership: the restarted instance gets its partitions back at
  // once). Returns the tally read by a reader with `read_committed`.
  Tally KillNineFiveTimes(const std::string& test, const std::string& guarantee, Flow* flow) {
    Flow& f = *flow;
    f = PrepareFlow(test, kPartitions, 20000, 50);
    f.config.kafka_extra = "processing_guarantee: " + guarantee + "\ninstance_id: " + f.name + "-0";
    // Measurement aid (bench/README.md, commit interval): NEWSFLOW_TEST_COMMIT_INTERVAL_MS.
    if (const char* interval = std::getenv("NEWSFLOW_TEST_COMMIT_INTERVAL_MS")) {
      f.config.kafka_extra += std::string("\ncommit_interval_ms: ") + interval;
    }
    const std::string config = WriteConfig(f.config, f.name);
    std::mt19937 rng(static_cast<unsigned>(std::random_device{}()));
    int64_t last = 0;
    for (int kill = 0; kill < 5; ++kill) {
      NewsflowProcess run(config, LogPath(f, "run" + std::to_string(kill)));
      const auto started = Clock::now();
      // A random moment: between 300 and 3,000 more outputs acknowledged than before.
      const int64_t target = last + std::uniform_int_distribution<int64_t>(300, 3000)(rng);
      const int64_t seen = WaitForProduced(f.config.metrics_port, target, seconds(60));
      if (kill > 0)
        Report(test + "_restart" + std::to_string(kill) + "_ms_to_target",
               Ms(Clock::now() - started));
      EXPECT_GE(seen, target) << run.Log();
      run.Signal(SIGKILL);
      EXPECT_EQ(run.Wait(seconds(10)), 128 + SIGKILL);
      last = 0;  // a new process counts from zero
    }
    NewsflowProcess final_run(config, LogPath(f, "final"));
    TopicReader enriched(f.config.enriched, /*read_committed=*/true);
    TopicReader dead(f.config.dead_letter, /*read_committed=*/true);
    Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(), seconds(180));
    enriched.Poll(seconds(3));  // late duplicates
    dead.Poll(milliseconds(200));
    t = CountOutputs(enriched, dead);
    final_run.Signal(SIGTERM);
    EXPECT_EQ(final_run.Wait(seconds(20)), 0) << final_run.Log();
    return t;
  }

  bool frozen_ = false;
};

TEST_F(FaultTest, ExactlyOnceKill9FiveTimesDuringABacklogLosesAndDuplicatesNothing) {
  Flow f;
  const auto start = Clock::now();
  Tally t = KillNineFiveTimes("eos_kill9", "exactly_once", &f);
  EXPECT_EQ(MissingOutputs(f, t), 0u) << "lost records";
  EXPECT_EQ(t.Duplicates(), 0) << "duplicates seen by a read_committed reader";
  Report("eos_kill9_outputs", t.total);
  Report("eos_kill9_duplicates_read_committed", t.Duplicates());
  Report("eos_kill9_test_ms", Ms(Clock::now() - start));
}

TEST_F(FaultTest, AtLeastOnceKill9FiveTimesDuringABacklogLosesNothing) {
  Flow f;
  const auto start = Clock::now();
  Tally t = KillNineFiveTimes("alo_kill9", "at_least_once", &f);
  EXPECT_EQ(MissingOutputs(f, t), 0u) << "lost records";
  Report("alo_kill9_outputs", t.total);
  Report("alo_kill9_duplicates_total", t.Duplicates());
  Report("alo_kill9_duplicates_per_kill", t.Duplicates() / 5);
  Report("alo_kill9_test_ms", Ms(Clock::now() - start));
}

TEST_F(FaultTest, BrokerFrozenThenRestartedMidStreamLosesNothingAndReadyzFollows) {
  Flow f = PrepareFlow("freeze", kPartitions, 20000, 50, /*produce=*/false);
  // Dynamic membership: a static member whose session expires during the freeze is fenced when
  // it comes back (librdkafka: fatal), exits 1 and must be restarted (consumers/README.md).
  f.config.kafka_extra = "unhealthy_after_ms: 3000";
  // A steady stream: the backlog arrives in slices while the broker misbehaves.
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  ASSERT_GE(WaitForReadyz(f.config.metrics_port, 200, seconds(60)), 0) << run.Log();
  const size_t half = f.corpus.size() / 2;
  Produce(f.config.input, {f.corpus.begin(), f.corpus.begin() + static_cast<long>(half)});
  ASSERT_GE(WaitForProduced(f.config.metrics_port, 2000, seconds(60)), 2000) << run.Log();

  // 1. Frozen for 20 s: /readyz turns 503 (outputs wait unacknowledged), then 200 again.
  const auto freeze = Clock::now();
  ASSERT_EQ(BrokerCtl("freeze"), 0);
  frozen_ = true;
  const int64_t to_503 = WaitForReadyz(f.config.metrics_port, 503, seconds(15));
  EXPECT_GE(to_503, 0) << "/readyz must turn 503 while the broker is frozen";
  const std::string reason = HttpGet(f.config.metrics_port, "/readyz").second;
  std::this_thread::sleep_for(seconds(20) - (Clock::now() - freeze));
  ASSERT_EQ(BrokerCtl("thaw"), 0);
  frozen_ = false;
  const int64_t to_200 = WaitForReadyz(f.config.metrics_port, 200, seconds(60));
  EXPECT_GE(to_200, 0) << "/readyz must turn 200 after the broker is back\n" << run.Log();
  Report("freeze_readyz_503_after_ms", to_503);
  Report("freeze_readyz_200_after_thaw_ms", to_200);
  std::cout << "readyz while frozen: " << reason;
  EXPECT_NE(reason.find("not acknowledging"), std::string::npos) << reason;

  // 2. Killed (SIGKILL) and restarted on the same data, with the rest of the stream arriving.
  const auto kill = Clock::now();
  ASSERT_EQ(BrokerCtl("kill9-restart"), 0);
  Report("broker_restart_ms", Ms(Clock::now() - kill));
  const int64_t back = WaitForReadyz(f.config.metrics_port, 200, seconds(90));
  EXPECT_GE(back, 0) << run.Log();
  Report("broker_restart_readyz_200_after_ms", back);
  Produce(f.config.input, {f.corpus.begin() + static_cast<long>(half), f.corpus.end()});

  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(), seconds(180));
  EXPECT_EQ(MissingOutputs(f, t), 0u);
  EXPECT_TRUE(run.running()) << "no restart of newsflow was needed\n" << run.Log();
  Report("freeze_restart_duplicates", t.Duplicates());
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(seconds(40)), 0) << run.Log();
}

TEST_F(FaultTest, SigtermWhileTheBrokerIsFrozenExitsWithinTheShutdownTimeout) {
  Flow f = PrepareFlow("frozen_sigterm", kPartitions, 20000, 0);
  f.config.kafka_extra = "shutdown_timeout_ms: 5000";
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  ASSERT_GE(WaitForProduced(f.config.metrics_port, 2000, seconds(60)), 2000) << run.Log();
  ASSERT_EQ(BrokerCtl("freeze"), 0);
  frozen_ = true;
  std::this_thread::sleep_for(seconds(1));
  const auto stop = Clock::now();
  run.Signal(SIGTERM);
  const std::optional<int> code = run.Wait(seconds(20));
  const int64_t exit_ms = Ms(Clock::now() - stop);
  ASSERT_EQ(BrokerCtl("thaw"), 0);
  frozen_ = false;
  ASSERT_TRUE(code.has_value()) << run.Log();
  Report("frozen_sigterm_exit_ms", exit_ms);
  Report("frozen_sigterm_exit_code", *code);
  EXPECT_LE(exit_ms, 5000 + 2000) << run.Log();
  // Nothing is lost: a new instance finishes the flow from the committed offsets.
  NewsflowProcess second(WriteConfig(f.config, f.name), LogPath(f, "second"));
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size(), seconds(180));
  EXPECT_EQ(MissingOutputs(f, t), 0u);
  Report("frozen_sigterm_duplicates", t.Duplicates());
  second.Signal(SIGTERM);
  EXPECT_EQ(second.Wait(seconds(40)), 0) << second.Log();
}

TEST_F(FaultTest, RebalanceOneToThreeToOneWithSigtermDuringTheRebalance) {
  Flow f = PrepareFlow("rebalance", kPartitions, 20000, 50);
  auto config_for = [&](int i) {
    RunConfig c = f.config;
    c.metrics_port = i == 0 ? f.config.metrics_port : FreePort();
    // Dynamic members (they leave the group on SIGTERM); instance_id names the transactional.id.
    c.kafka_extra = "processing_guarantee: exactly_once\ninstance_id: " + f.name + "-" +
                    std::to_string(i) + "\nstatic_membership: false\nshutdown_timeout_ms: 10000";
    return c;
  };
  const RunConfig ca = config_for(0), cb = config_for(1), cc = config_for(2);
  NewsflowProcess a(WriteConfig(ca, f.name + "-a"), LogPath(f, "a"));
  ASSERT_GE(WaitForProduced(ca.metrics_port, 1000, seconds(60)), 1000) << a.Log();
  NewsflowProcess b(WriteConfig(cb, f.name + "-b"), LogPath(f, "b"));
  NewsflowProcess c(WriteConfig(cc, f.name + "-c"), LogPath(f, "c"));
  // SIGTERM to b while the group is rebalancing to three members.
  ASSERT_GE(WaitForReadyz(cb.metrics_port, 503, seconds(30)), 0);
  std::this_thread::sleep_for(milliseconds(300));
  const auto term = Clock::now();
  b.Signal(SIGTERM);
  EXPECT_EQ(b.Wait(seconds(30)), 0) << b.Log();
  Report("rebalance_sigterm_exit_ms", Ms(Clock::now() - term));
  auto assigned = [](int port) {
    return MetricSum(HttpGet(port, "/metrics").second, "newsflow_assigned_partitions");
  };
  // Every partition owned again by a and c.
  int64_t owned_after = -1;
  while (Clock::now() - term < seconds(60)) {
    if (assigned(ca.metrics_port) + assigned(cc.metrics_port) == kPartitions) {
      owned_after = Ms(Clock::now() - term);
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  Report("rebalance_partitions_owned_again_after_ms", owned_after);
  EXPECT_GE(owned_after, 0);
  c.Signal(SIGTERM);
  EXPECT_EQ(c.Wait(seconds(30)), 0) << c.Log();
  const auto back_to_one = Clock::now();
  int64_t one_owner = -1;
  while (Clock::now() - back_to_one < seconds(60)) {
    if (assigned(ca.metrics_port) == kPartitions) {
      one_owner = Ms(Clock::now() - back_to_one);
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  Report("rebalance_back_to_one_owner_after_ms", one_owner);
  EXPECT_GE(one_owner, 0);
  TopicReader enriched(f.config.enriched, true), dead(f.config.dead_letter, true);
  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(), seconds(180));
  enriched.Poll(seconds(2));
  t = CountOutputs(enriched, dead);
  EXPECT_EQ(MissingOutputs(f, t), 0u);
  EXPECT_EQ(t.Duplicates(), 0) << "exactly_once: no duplicate for a read_committed reader";
  Report("rebalance_duplicates_read_committed", t.Duplicates());
  a.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(seconds(30)), 0) << a.Log();
}

TEST_F(FaultTest, OversizedArticleAndBadRecordKeepThePartitionMoving) {
  Flow f = NamedFlow("oversized");
  CreateTopic(f.config.input, 1, {{"max.message.bytes", "3000000"}});
  CreateTopic(f.config.enriched, 1);
  CreateTopic(f.config.alerts, 1);
  CreateTopic(f.config.dead_letter, 1);
  CreateTopic(f.config.stories, 1);
  // A valid 950 KB article: the sample's text repeated (its enriched event is ~2x larger than
  // the producer limit), and a 2 MB bad record; 20 ordinary articles behind them.
  std::vector<TestRecord> records;
  std::string body;
  while (body.size() < 950 * 1000) {
    body +=
        "The delegations met again in Geneva on Tuesday to discuss the ceasefire and the "
        "exchange of prisoners, officials said. ";
  }
  records.push_back(
      {std::string("big-article"),
       R"({"id":"big-article","title":"A very long report","body":")" + body + R"("})",
       {{"content-type", "application/json"}}});
  records.push_back({std::string("big-bad"),
                     std::string(2 * 1000 * 1000, '{'),
                     {{"content-type", "application/json"}}});
  MakeCorpus(f.name, 20, 0, &f.good_ids, &f.bad_ids);
  for (auto& r : MakeCorpus(f.name, 20, 0, &f.good_ids, &f.bad_ids)) records.push_back(r);
  Produce(f.config.input, records, {{"message.max.bytes", "3000000"}});
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  Tally t = WaitForOutputs(enriched, dead, 22, seconds(120));
  EXPECT_TRUE(t.enriched.contains("big-article")) << run.Log();
  EXPECT_TRUE(t.dead.contains("big-bad")) << run.Log();
  for (const auto& id : f.good_ids) EXPECT_TRUE(t.enriched.contains(id)) << id;
  for (const auto& m : enriched.messages()) {
    if (m.key != "big-article") continue;
    EXPECT_LT(m.value.size(), 1000000u);
    EXPECT_NE(m.value.find(R"("truncated":true)"), std::string::npos);
    Report("oversized_article_reduced_event_bytes", static_cast<int64_t>(m.value.size()));
  }
  for (const auto& m : dead.messages()) {
    if (m.key != "big-bad") continue;
    EXPECT_EQ(m.headers.at("newsflow.error.class"), "too_large");
    EXPECT_EQ(m.headers.at("newsflow.error.value_truncated"), "true");
    EXPECT_EQ(m.headers.at("newsflow.error.original_length"), "2000000");
    EXPECT_EQ(m.headers.at("newsflow.error.original_sha256").size(), 64u);
    EXPECT_EQ(m.value, std::string(m.value.size(), '{')) << "a prefix of the original";
    Report("oversized_dead_letter_bytes", static_cast<int64_t>(m.value.size()));
  }
  EXPECT_TRUE(run.running()) << "no crash loop";
  const auto committed = CommittedOffsets(f.config.group, f.config.input, 1);
  const auto deadline = Clock::now() + seconds(20);
  auto now_committed = committed;
  while (Clock::now() < deadline && now_committed[0] != 22) {
    std::this_thread::sleep_for(milliseconds(300));
    now_committed = CommittedOffsets(f.config.group, f.config.input, 1);
  }
  EXPECT_EQ(now_committed[0], 22) << "the partition moved past both";
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(seconds(40)), 0) << run.Log();
}

// SASL (the broker's SASL_PLAINTEXT listener, ops/kafka/local-kafka.sh): credentials from the
// environment work; a wrong password gives a clear error and /readyz 503; no secret is ever
// written to the log. Mechanism: NEWSFLOW_TEST_SASL_MECHANISM, default PLAIN, because
// librdkafka < 2.6.1 (Debian 12: 2.0.2) fails SCRAM against Kafka 4.x brokers with "invalid
// credentials" whatever the password (librdkafka#4895: the client nonce is sent twice, which
// Kafka 4 rejects); SCRAM-SHA-256 passes with a fixed librdkafka or a 3.x broker.
TEST_F(FaultTest, SaslCredentialsFromTheEnvironmentWorkAndAWrongPasswordIsReported) {
  Flow f = PrepareFlow("sasl", kPartitions, 200, 5);
  f.config.brokers = SaslBrokers();
  const char* user = std::getenv("KAFKA_SASL_USER");
  const char* password = std::getenv("KAFKA_SASL_PASSWORD");
  const std::string good_password = password ? password : "newsflow-test-secret";
  const std::string wrong_password = "not-the-secret-" + f.name;
  auto with_env = [&](const std::string& pass, const std::string& suffix) {
    setenv("NEWSFLOW_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", 1);
    const char* mechanism = std::getenv("NEWSFLOW_TEST_SASL_MECHANISM");
    setenv("NEWSFLOW_KAFKA_SASL_MECHANISM", mechanism ? mechanism : "PLAIN", 1);
    setenv("NEWSFLOW_KAFKA_SASL_USERNAME", user ? user : "newsflow", 1);
    setenv("NEWSFLOW_KAFKA_SASL_PASSWORD", pass.c_str(), 1);
    auto process = std::make_unique<NewsflowProcess>(WriteConfig(f.config, f.name + suffix),
                                                     LogPath(f, suffix));
    for (const char* v : {"NEWSFLOW_KAFKA_SECURITY_PROTOCOL", "NEWSFLOW_KAFKA_SASL_MECHANISM",
                          "NEWSFLOW_KAFKA_SASL_USERNAME", "NEWSFLOW_KAFKA_SASL_PASSWORD"}) {
      unsetenv(v);
    }
    return process;
  };
  {
    // Wrong password: a clear error, 503 with the reason, never ready.
    auto bad = with_env(wrong_password, "wrong");
    const int64_t to_503 = WaitForReadyz(f.config.metrics_port, 503, seconds(30));
    ASSERT_GE(to_503, 0) << bad->Log();
    std::string reason;
    const auto deadline = Clock::now() + seconds(30);
    while (Clock::now() < deadline) {
      reason = HttpGet(f.config.metrics_port, "/readyz").second;
      if (reason.find("authentication failed") != std::string::npos) break;
      std::this_thread::sleep_for(milliseconds(200));
    }
    std::cout << "readyz with a wrong password: " << reason;
    EXPECT_NE(reason.find("broker authentication failed"), std::string::npos) << reason;
    bad->Signal(SIGTERM);
    bad->Wait(seconds(40));
    const std::string log = bad->Log();
    EXPECT_NE(log.find("broker authentication failed; check the SASL credentials"),
              std::string::npos)
        << log;
    EXPECT_EQ(log.find(wrong_password), std::string::npos) << "the password appears in the log";
  }
  // Right credentials: everything flows; the password never appears in the log.
  auto good = with_env(good_password, "good");
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  Tally t = WaitForOutputs(enriched, dead, f.good_ids.size() + f.bad_ids.size(), seconds(90));
  EXPECT_EQ(MissingOutputs(f, t), 0u) << good->Log();
  EXPECT_EQ(HttpGet(f.config.metrics_port, "/readyz").first, 200);
  good->Signal(SIGTERM);
  EXPECT_EQ(good->Wait(seconds(40)), 0);
  EXPECT_EQ(good->Log().find(good_password), std::string::npos)
      << "the password appears in the log";
}

// One bad input per class; `expect` is the newsflow.error.class its dead letter must carry.
struct BadInput {
  std::string name = "";
  std::string value = "";
  std::string content_type = "application/json";
  std::string expect = "";
  bool tombstone = false;
  bool null_header = false;
  std::string compression = "";  // produced in a batch compressed with this codec
};

std::vector<BadInput> BadInputs() {
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  std::vector<BadInput> in = {
      // encoding
      {"utf8_lone_continuation",
       "{\"title\":\"a\x80"
       "b\",\"body\":\"x\"}",
       "application/json", "invalid_encoding"},
      {"utf8_overlong", "{\"title\":\"\xc0\xaf\",\"body\":\"x\"}", "application/json",
       "invalid_encoding"},
      {"utf8_surrogate", "{\"title\":\"\xed\xa0\x80\",\"body\":\"x\"}", "application/json",
       "invalid_encoding"},
      {"utf8_truncated_sequence", "{\"title\":\"\xe2\x82\",\"body\":\"x\"}", "application/json",
       "invalid_encoding"},
      {"utf8_above_u10ffff", "{\"title\":\"\xf4\x90\x80\x80\",\"body\":\"x\"}", "application/json",
       "invalid_encoding"},
      {"latin1_text", "{\"title\":\"caf\xe9\",\"body\":\"x\"}", "application/json",
       "invalid_encoding"},
      {"utf16le_bom", std::string("\xff\xfe{\0\"\0t\0\"\0:\0\"\0x\0\"\0}\0", 20),
       "application/json", "invalid_encoding"},
      {"nul_byte", std::string("{\"title\":\"a\0b\",\"body\":\"x\"}", 26), "application/json",
       "invalid_encoding"},
      {"plain_text_invalid_utf8", "Title\n\nbody \xff\xfe text", "text/plain", "invalid_encoding"},
      // JSON syntax
      {"json_truncated", "{\"title\":\"x", "application/json", "malformed"},
      {"json_trailing_comma", "{\"title\":\"x\",\"body\":\"y\",}", "application/json", "malformed"},
      {"json_unquoted_key", "{title:\"x\"}", "application/json", "malformed"},
      {"json_single_quotes", "{'title':'x'}", "application/json", "malformed"},
      {"json_nan", "{\"title\":\"x\",\"body\":\"y\",\"n\":NaN}", "application/json", "malformed"},
      {"json_comment", "{/*c*/\"title\":\"x\",\"body\":\"y\"}", "application/json", "malformed"},
      {"json_trailing_garbage", "{\"title\":\"x\",\"body\":\"y\"} tail", "application/json",
       "malformed"},
      {"json_too_deep", deep, "application/json", "malformed"},
      {"json_bad_escape", "{\"title\":\"\\q\",\"body\":\"y\"}", "application/json", "malformed"},
      {"json_lone_surrogate_escape", "{\"title\":\"\\ud800\",\"body\":\"y\"}", "application/json",
       "malformed"},
      {"json_declared_but_text", "Just a headline\n\nand a body", "application/json", "malformed"},
      // schema
      {"schema_title_number", "{\"title\":42,\"body\":\"y\"}", "application/json",
       "schema_violation"},
      {"schema_body_array", "{\"title\":\"x\",\"body\":[\"y\"]}", "application/json",
       "schema_violation"},
      {"schema_top_level_array", "[{\"title\":\"x\"}]", "application/json", "schema_violation"},
      {"schema_top_level_string", "\"hello\"", "application/json", "schema_violation"},
      {"schema_body_number", "{\"title\":\"x\",\"body\":7}", "application/json",
       "schema_violation"},
      {"schema_id_object", "{\"id\":{\"a\":1},\"title\":\"x\",\"body\":\"y\"}", "application/json",
       "schema_violation"},
      // empty
      {"empty_object", "{}", "application/json", "empty_article"},
      {"empty_title_and_body", "{\"title\":\"\",\"body\":\"\"}", "application/json",
       "empty_article"},
      {"whitespace_title_and_body", "{\"title\":\"  \",\"body\":\"\\n\\t \"}", "application/json",
       "empty_article"},
      {"plain_text_blank", "   \n\n  ", "text/plain", "empty_article"},
      // size
      {"too_large", "{\"title\":\"x\",\"body\":\"" + std::string(990000, 'a') + "\"}",
       "application/json", "too_large"},
      // tombstones and headers
      {"tombstone", "", "application/json", "", true},
      {"null_header_bad_json", "{\"title\":", "application/json", "malformed", false, true},
      // compression (the batch is compressed on the wire; the record stays the same)
      {"gzip_batch_bad_json", "{\"gzip\":", "application/json", "malformed", false, false, "gzip"},
      {"zstd_batch_bad_json", "{\"zstd\":", "application/json", "malformed", false, false, "zstd"},
      {"lz4_batch_bad_json", "{\"lz4\":", "application/json", "malformed", false, false, "lz4"},
      {"snappy_batch_bad_json", "{\"snappy\":", "application/json", "malformed", false, false,
       "snappy"},
  };
  return in;
}

TEST_F(FaultTest, ThirtyBadInputClassesAreEachDeadLetteredWithClassAndOriginalBytes) {
  Flow f = NamedFlow("badinputs");
  CreateTopic(f.config.input, 2, {{"max.message.bytes", "3000000"}});
  CreateTopic(f.config.enriched, 1);
  CreateTopic(f.config.alerts, 1);
  CreateTopic(f.config.dead_letter, 1);
  CreateTopic(f.config.stories, 1);
  const std::vector<BadInput> inputs = BadInputs();
  ASSERT_GE(inputs.size(), 30u);
  std::set<std::string> good;
  const std::vector<TestRecord> articles = MakeCorpus(f.name, 10, 0, &good, &f.bad_ids);
  std::map<std::string, std::vector<TestRecord>> by_codec;
  for (const auto& b : inputs) {
    TestRecord r{"bad-" + b.name, b.value, {{"content-type", b.content_type}, {"case", b.name}}};
    r.tombstone = b.tombstone;
    if (b.null_header) {
      r.headers.push_back({"trace", ""});
      r.null_headers.insert("trace");
    }
    by_codec[b.compression].push_back(std::move(r));
  }
  Produce(f.config.input, articles);
  for (const auto& [codec, records] : by_codec) {
    std::map<std::string, std::string> conf = {{"message.max.bytes", "3000000"}};
    if (!codec.empty()) conf["compression.type"] = codec;
    Produce(f.config.input, records, conf);
  }
  NewsflowProcess run(WriteConfig(f.config, f.name), LogPath(f, "run"));
  TopicReader enriched(f.config.enriched), dead(f.config.dead_letter);
  Tally t = WaitForOutputs(enriched, dead, good.size() + inputs.size(), seconds(120));
  std::map<std::string, const ReadMessage*> letters;
  for (const auto& m : dead.messages()) letters[m.key] = &m;
  int classes_ok = 0;
  for (const auto& b : inputs) {
    SCOPED_TRACE(b.name);
    auto it = letters.find("bad-" + b.name);
    if (it == letters.end()) {
      ADD_FAILURE() << "no dead letter for " << b.name;
      continue;
    }
    const ReadMessage& m = *it->second;
    const std::string& cls = m.headers.at("newsflow.error.class");
    std::cout << "bad input " << b.name << " -> " << cls << std::endl;
    EXPECT_EQ(m.headers.at("case"), b.name) << "original headers kept";
    if (b.tombstone) {
      EXPECT_TRUE(m.null_value) << "a tombstone stays a tombstone";
      EXPECT_FALSE(m.headers.at("newsflow.error.class").empty());
    } else {
      EXPECT_FALSE(m.null_value);
      EXPECT_EQ(m.value, b.value) << "original bytes";
      EXPECT_EQ(m.headers.at("newsflow.error.class"), b.expect);
    }
    if (b.null_header) {
      EXPECT_TRUE(m.null_headers.contains("trace")) << "a null header stays null";
    }
    if ((b.tombstone ? m.null_value : m.value == b.value && cls == b.expect) &&
        m.headers.at("case") == b.name) {
      ++classes_ok;
    }
  }
  EXPECT_EQ(t.enriched.size(), good.size());
  // Counts reconcile: every consumed record is enriched or dead-lettered, once.
  const std::string metrics = HttpGet(f.config.metrics_port, "/metrics").second;
  const int64_t consumed = MetricSum(metrics, "newsflow_records_consumed_total");
  const int64_t dead_lettered = MetricSum(metrics, "newsflow_records_dead_lettered_total");
  EXPECT_EQ(consumed, static_cast<int64_t>(articles.size() + inputs.size()));
  EXPECT_EQ(dead_lettered, static_cast<int64_t>(inputs.size()));
  EXPECT_EQ(consumed, static_cast<int64_t>(t.enriched.size()) + dead_lettered);
  Report("bad_input_classes", static_cast<int64_t>(inputs.size()));
  Report("bad_input_classes_ok", classes_ok);
  run.Signal(SIGTERM);
  EXPECT_EQ(run.Wait(seconds(40)), 0) << run.Log();
}

}  // namespace
}  // namespace newsflow::integration
