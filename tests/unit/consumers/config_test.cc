#include "consumers/config.h"

#include <gtest/gtest.h>

#include <map>

namespace newsflow::consumers {
namespace {

KafkaConfig Parse(const std::string& yaml) {
  auto r = ParseKafkaConfig(YAML::Load(yaml));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r.value() : KafkaConfig{};
}

std::string Error(const std::string& yaml) {
  auto r = ParseKafkaConfig(YAML::Load(yaml));
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(KafkaConfigTest, DefaultsWhenSectionIsAbsent) {
  auto r = ParseKafkaConfig(YAML::Node());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->group_id, "newsflow");
  EXPECT_EQ(r->output.dead_letter, "news.dead_letter");
  EXPECT_EQ(r->shutdown_timeout_ms, 30000);
}

TEST(KafkaConfigTest, ReadsEveryField) {
  KafkaConfig c = Parse(R"(
brokers: b1:9092,b2:9092
group_id: g
input_topics: [a, b]
output_topics: {enriched: e, alerts: al, dead_letter: d}
workers: 8
queue_max_records: 10
producer_max_messages: 20
shutdown_timeout_ms: 1000
revoke_timeout_ms: 500
statistics_interval_ms: 0
consumer: {session.timeout.ms: 6000}
producer: {compression.type: zstd}
)");
  EXPECT_EQ(c.brokers, "b1:9092,b2:9092");
  EXPECT_EQ(c.input_topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.output.alerts, "al");
  EXPECT_EQ(c.workers, 8);
  EXPECT_EQ(c.consumer.at("session.timeout.ms"), "6000");
  EXPECT_EQ(c.producer.at("compression.type"), "zstd");
}

TEST(KafkaConfigTest, UnknownKeysAreNamed) {
  EXPECT_EQ(Error("brokerz: x"), "kafka.brokerz: unknown key");
  EXPECT_EQ(Error("output_topics: {enrichd: x}"), "kafka.output_topics.enrichd: unknown key");
}

TEST(KafkaConfigTest, BadValuesAreNamed) {
  EXPECT_NE(Error("workers: many").find("kafka.workers"), std::string::npos);
  EXPECT_NE(Error("workers: 0").find("kafka.workers: must be between 1 and 256"),
            std::string::npos);
  EXPECT_NE(Error("input_topics: []").find("kafka.input_topics"), std::string::npos);
  EXPECT_NE(Error("consumer: [a]").find("kafka.consumer: expected a map"), std::string::npos);
}

TEST(KafkaConfigTest, ManagedPropertiesCannotBeOverridden) {
  EXPECT_NE(Error("consumer: {enable.auto.offset.store: true}")
                .find("kafka.consumer.enable.auto.offset.store: managed by newsflow"),
            std::string::npos);
  EXPECT_NE(Error("producer: {acks: 1}").find("kafka.producer.acks: managed"), std::string::npos);
}

TEST(KafkaConfigTest, EnvironmentOverridesBrokersAndSecrets) {
  KafkaConfig kafka = Parse("brokers: file:9092\nconsumer: {sasl.username: fromfile}");
  MetricsConfig metrics;
  std::map<std::string, std::string> env = {{"NEWSFLOW_KAFKA_BROKERS", "env:9093"},
                                            {"NEWSFLOW_KAFKA_SASL_USERNAME", "user"},
                                            {"NEWSFLOW_KAFKA_SASL_PASSWORD", "s3cret"},
                                            {"NEWSFLOW_KAFKA_GROUP_ID", ""},
                                            {"NEWSFLOW_METRICS_ADDRESS", "127.0.0.1:0"}};
  ApplyEnvironment(&kafka, &metrics, [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  EXPECT_EQ(kafka.brokers, "env:9093");
  EXPECT_EQ(kafka.group_id, "newsflow") << "empty variables are ignored";
  EXPECT_EQ(kafka.consumer.at("sasl.username"), "user");
  EXPECT_EQ(kafka.producer.at("sasl.password"), "s3cret");
  EXPECT_EQ(metrics.address, "127.0.0.1:0");
}

TEST(KafkaConfigTest, PassThroughIsValidatedByLibrdkafkaNamingTheKey) {
  auto ok = BuildRdKafkaConfs(
      Parse("producer: {compression.type: zstd}\nconsumer: {security.protocol: plaintext}"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  std::string value;
  ASSERT_EQ(ok->producer->get("compression.type", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "zstd");
  ASSERT_EQ(ok->producer->get("enable.idempotence", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "true");
  ASSERT_EQ(ok->consumer->get("partition.assignment.strategy", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "cooperative-sticky");
  ASSERT_EQ(ok->consumer->get("enable.auto.offset.store", value), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(value, "false");

  auto unknown = BuildRdKafkaConfs(Parse("consumer: {securty.protocol: SSL}"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("kafka.consumer.securty.protocol: "), std::string::npos)
      << unknown.status().message();
  auto bad_value = BuildRdKafkaConfs(Parse("producer: {compression.type: brotli}"));
  ASSERT_FALSE(bad_value.ok());
  EXPECT_NE(bad_value.status().message().find("kafka.producer.compression.type: "),
            std::string::npos)
      << bad_value.status().message();
}

TEST(KafkaConfigTest, TransactionalIdInTheProducerSectionIsRejectedWithTheReason) {
  const std::string e = Error("producer: {transactional.id: mine}");
  EXPECT_NE(e.find("kafka.producer.transactional.id: managed by newsflow"), std::string::npos) << e;
  EXPECT_NE(e.find("kafka.processing_guarantee: exactly_once"), std::string::npos) << e;
  EXPECT_NE(Error("consumer: {group.instance.id: x}").find("set kafka.instance_id instead"),
            std::string::npos);
  EXPECT_NE(Error("consumer: {auto.commit.interval.ms: 5}").find("kafka.commit_interval_ms"),
            std::string::npos);
}

TEST(KafkaConfigTest, AutoOffsetResetLatestNeedsAllowSkipBacklog) {
  const std::string e = Error("consumer: {auto.offset.reset: latest}");
  EXPECT_NE(e.find("kafka.consumer.auto.offset.reset: latest makes a new consumer group skip"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("kafka.allow_skip_backlog: true"), std::string::npos) << e;
  EXPECT_FALSE(Error("consumer: {auto.offset.reset: largest}").empty());
  Parse("consumer: {auto.offset.reset: latest}\nallow_skip_backlog: true");
  Parse("consumer: {auto.offset.reset: earliest}");
}

TEST(KafkaConfigTest, ExactlyOnceDerivesTheTransactionalIdAndStaticMembership) {
  KafkaConfig c = Parse(
      "processing_guarantee: exactly_once\ngroup_id: g\ninstance_id: pod-1\n"
      "transaction_max_records: 50\ntransaction_interval_ms: 20\ncommit_interval_ms: 300");
  EXPECT_EQ(c.guarantee, Guarantee::kExactlyOnce);
  EXPECT_EQ(c.transaction_max_records, 50);
  EXPECT_EQ(TransactionalId(c), "newsflow-g-pod-1");
  auto confs = BuildRdKafkaConfs(c);
  ASSERT_TRUE(confs.ok()) << confs.status().ToString();
  std::string v;
  ASSERT_EQ(confs->producer->get("transactional.id", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "newsflow-g-pod-1");
  ASSERT_EQ(confs->consumer->get("group.instance.id", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "pod-1");
  ASSERT_EQ(confs->consumer->get("enable.auto.commit", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "false") << "offsets travel in the transaction";
  ASSERT_EQ(confs->consumer->get("isolation.level", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "read_committed");
  EXPECT_NE(Error("processing_guarantee: twice").find("must be at_least_once or exactly_once"),
            std::string::npos);
}

TEST(KafkaConfigTest, AtLeastOnceCommitsOnTheCommitInterval) {
  KafkaConfig c = Parse("commit_interval_ms: 150");
  EXPECT_EQ(c.guarantee, Guarantee::kAtLeastOnce);
  auto confs = BuildRdKafkaConfs(c);
  ASSERT_TRUE(confs.ok());
  std::string v;
  ASSERT_EQ(confs->consumer->get("auto.commit.interval.ms", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "150");
  ASSERT_EQ(confs->consumer->get("enable.auto.commit", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "true");
  EXPECT_NE(confs->consumer->get("group.instance.id", v), RdKafka::Conf::CONF_OK)
      << "dynamic membership without kafka.instance_id";
  EXPECT_NE(confs->producer->get("transactional.id", v), RdKafka::Conf::CONF_OK);
}

// Latency defaults (consumers/README.md, "Latency"): no linger, up to 5 requests in flight (the
// idempotent producer's ordering limit), no producer statistics (nothing reads them); the consumer
// keeps its statistics for the lag metrics; a linger.ms in kafka.producer still wins.
TEST(KafkaConfigTest, LatencyDefaultsAndTheirOverride) {
  auto confs = BuildRdKafkaConfs(Parse(""));
  ASSERT_TRUE(confs.ok()) << confs.status().ToString();
  std::string v;
  ASSERT_EQ(confs->producer->get("linger.ms", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "0");
  ASSERT_EQ(confs->producer->get("max.in.flight.requests.per.connection", v),
            RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "5") << "sent at once: up to 5 requests in flight";
  ASSERT_EQ(confs->producer->get("statistics.interval.ms", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "0");
  ASSERT_EQ(confs->consumer->get("statistics.interval.ms", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "5000");
  auto tuned = BuildRdKafkaConfs(Parse("producer: {linger.ms: 20}"));
  ASSERT_TRUE(tuned.ok()) << tuned.status().ToString();
  ASSERT_EQ(tuned->producer->get("linger.ms", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "20");
}

TEST(KafkaConfigTest, StaticMembershipCanBeTurnedOffKeepingTheTransactionalId) {
  KafkaConfig c = Parse(
      "processing_guarantee: exactly_once\ngroup_id: g\ninstance_id: pod-1\n"
      "static_membership: false");
  auto confs = BuildRdKafkaConfs(c);
  ASSERT_TRUE(confs.ok()) << confs.status().ToString();
  std::string v;
  EXPECT_NE(confs->consumer->get("group.instance.id", v), RdKafka::Conf::CONF_OK);
  ASSERT_EQ(confs->producer->get("transactional.id", v), RdKafka::Conf::CONF_OK);
  EXPECT_EQ(v, "newsflow-g-pod-1");
}

TEST(KafkaConfigTest, InstanceIdFromTheEnvironment) {
  KafkaConfig kafka = Parse("");
  MetricsConfig metrics;
  ApplyEnvironment(&kafka, &metrics, [](const char* name) -> const char* {
    return std::string(name) == "NEWSFLOW_KAFKA_INSTANCE_ID" ? "pod-7" : nullptr;
  });
  EXPECT_EQ(kafka.instance_id, "pod-7");
}

TEST(MetricsConfigTest, ParsesAndNamesErrors) {
  auto ok = ParseMetricsConfig(YAML::Load("enabled: false\naddress: 127.0.0.1:9000"));
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->enabled);
  auto bad = ParseMetricsConfig(YAML::Load("adress: x"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "metrics.adress: unknown key");
}

}  // namespace
}  // namespace newsflow::consumers
