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
