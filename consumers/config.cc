#include "consumers/config.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>

#include "processors/core/config.h"

namespace newsflow::consumers {

const std::vector<std::string> kManagedConsumerProperties = {
    "bootstrap.servers",        "metadata.broker.list",          "group.id",
    "enable.auto.offset.store", "partition.assignment.strategy", "enable.auto.commit",
    "statistics.interval.ms"};
const std::vector<std::string> kManagedProducerProperties = {
    "bootstrap.servers",     "metadata.broker.list",  "enable.idempotence", "acks",
    "request.required.acks", "statistics.interval.ms"};

namespace {

core::Status ConfigError(std::string message) {
  return core::Status(core::Code::kInvalidConfig, "config", std::move(message));
}

// A map of librdkafka property -> scalar value.
core::Status ReadPassThrough(const YAML::Node& node, const std::string& path,
                             const std::vector<std::string>& managed,
                             std::map<std::string, std::string>* out) {
  if (!node.IsDefined() || node.IsNull()) return core::Status::Ok();
  if (!node.IsMap()) return ConfigError(path + ": expected a map of librdkafka properties");
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    if (!item.second.IsScalar()) {
      return ConfigError(path + "." + key + ": expected a scalar librdkafka property value");
    }
    if (std::find(managed.begin(), managed.end(), key) != managed.end()) {
      return ConfigError(path + "." + key +
                         ": managed by newsflow (delivery guarantees depend on it); see "
                         "consumers/README.md");
    }
    (*out)[key] = item.second.Scalar();
  }
  return core::Status::Ok();
}

core::Status Set(RdKafka::Conf& conf, const std::string& config_key, const std::string& name,
                 const std::string& value) {
  std::string errstr;
  if (conf.set(name, value, errstr) != RdKafka::Conf::CONF_OK) {
    return ConfigError(config_key + ": " + errstr);
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<KafkaConfig> ParseKafkaConfig(const YAML::Node& node, const std::string& path) {
  KafkaConfig cfg;
  core::ConfigReader r(node, path);
  r.Read("brokers", &cfg.brokers,
         "Bootstrap servers, host:port[,host:port]. Env: NEWSFLOW_KAFKA_BROKERS.");
  r.Read("group_id", &cfg.group_id, "Consumer group id. Env: NEWSFLOW_KAFKA_GROUP_ID.");
  r.Read("input_topics", &cfg.input_topics, "Topics of raw articles to consume.");
  YAML::Node out_node = r.Section("output_topics", "Topics to produce to.");
  r.Read("workers", &cfg.workers, "Pipeline worker threads.");
  r.Read("queue_max_records", &cfg.queue_max_records,
         "Records waiting for a worker above which input partitions are paused.");
  r.Read("producer_max_messages", &cfg.producer_max_messages,
         "Producer queue depth (messages not yet acknowledged) above which input partitions "
         "are paused.");
  r.Read("shutdown_timeout_ms", &cfg.shutdown_timeout_ms,
         "On SIGTERM/SIGINT: bound on drain + commit + close.");
  r.Read("revoke_timeout_ms", &cfg.revoke_timeout_ms,
         "On partition revocation: how long to wait for in-flight records before giving up "
         "the partition (uncommitted records are then reprocessed by the new owner).");
  r.Read("statistics_interval_ms", &cfg.statistics_interval_ms,
         "librdkafka statistics interval (consumer lag, queue depth metrics); 0 disables.");
  YAML::Node consumer = r.Section("consumer", "librdkafka consumer properties (pass-through).");
  YAML::Node producer = r.Section("producer", "librdkafka producer properties (pass-through).");
  r.Require(!cfg.brokers.empty(), "brokers", "must not be empty");
  r.Require(!cfg.group_id.empty(), "group_id", "must not be empty");
  r.Require(!cfg.input_topics.empty(), "input_topics", "must name at least one topic");
  r.Require(cfg.workers >= 1 && cfg.workers <= 256, "workers", "must be between 1 and 256");
  r.Require(cfg.queue_max_records >= 1, "queue_max_records", "must be at least 1");
  r.Require(cfg.producer_max_messages >= 1, "producer_max_messages", "must be at least 1");
  r.Require(cfg.shutdown_timeout_ms >= 0, "shutdown_timeout_ms", "must not be negative");
  r.Require(cfg.revoke_timeout_ms >= 0, "revoke_timeout_ms", "must not be negative");
  r.Require(cfg.statistics_interval_ms >= 0, "statistics_interval_ms", "must not be negative");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());

  core::ConfigReader o(out_node, path + ".output_topics");
  o.Read("enriched", &cfg.output.enriched, "Enriched events, keyed by article id.");
  o.Read("alerts", &cfg.output.alerts, "Alerts.");
  o.Read("dead_letter", &cfg.output.dead_letter,
         "Records that could not be processed: original key and value, error headers.");
  o.Read("stories", &cfg.output.stories,
         "Story states (schema story.v1, key = story id; create it compacted). Every instance "
         "also reads it in full to share the story index (consumers/story_state.h).");
  o.Require(!cfg.output.enriched.empty(), "enriched", "must not be empty");
  o.Require(!cfg.output.alerts.empty(), "alerts", "must not be empty");
  o.Require(!cfg.output.dead_letter.empty(), "dead_letter", "must not be empty");
  o.Require(!cfg.output.stories.empty(), "stories", "must not be empty");
  NEWSFLOW_RETURN_IF_ERROR(o.Finish());

  NEWSFLOW_RETURN_IF_ERROR(
      ReadPassThrough(consumer, path + ".consumer", kManagedConsumerProperties, &cfg.consumer));
  NEWSFLOW_RETURN_IF_ERROR(
      ReadPassThrough(producer, path + ".producer", kManagedProducerProperties, &cfg.producer));
  return cfg;
}

core::Result<MetricsConfig> ParseMetricsConfig(const YAML::Node& node, const std::string& path) {
  MetricsConfig cfg;
  core::ConfigReader r(node, path);
  r.Read("enabled", &cfg.enabled, "Serve /metrics, /healthz and /readyz over HTTP.");
  r.Read("address", &cfg.address,
         "host:port to listen on (port 0: any free port). Env: NEWSFLOW_METRICS_ADDRESS.");
  r.Require(cfg.address.find(':') != std::string::npos, "address", "expected host:port");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return cfg;
}

void ApplyEnvironment(KafkaConfig* kafka, MetricsConfig* metrics, const GetEnv& getenv) {
  auto value = [&](const char* name) -> std::optional<std::string> {
    const char* v = getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  if (auto v = value("NEWSFLOW_KAFKA_BROKERS")) kafka->brokers = *v;
  if (auto v = value("NEWSFLOW_KAFKA_GROUP_ID")) kafka->group_id = *v;
  const std::pair<const char*, const char*> both[] = {
      {"NEWSFLOW_KAFKA_SECURITY_PROTOCOL", "security.protocol"},
      {"NEWSFLOW_KAFKA_SASL_MECHANISM", "sasl.mechanism"},
      {"NEWSFLOW_KAFKA_SASL_USERNAME", "sasl.username"},
      {"NEWSFLOW_KAFKA_SASL_PASSWORD", "sasl.password"},
      {"NEWSFLOW_KAFKA_SSL_KEY_PASSWORD", "ssl.key.password"},
  };
  for (const auto& [env, property] : both) {
    if (auto v = value(env)) {
      kafka->consumer[property] = *v;
      kafka->producer[property] = *v;
    }
  }
  if (auto v = value("NEWSFLOW_METRICS_ADDRESS")) metrics->address = *v;
}

core::Result<RdKafkaConfs> BuildRdKafkaConfs(const KafkaConfig& config, const std::string& path) {
  RdKafkaConfs confs;
  confs.consumer.reset(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  confs.producer.reset(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  RdKafka::Conf& c = *confs.consumer;
  RdKafka::Conf& p = *confs.producer;

  // Defaults a user may override.
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer", "client.id", "newsflow"));
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer", "auto.offset.reset", "earliest"));
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer", "auto.commit.interval.ms", "1000"));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "client.id", "newsflow"));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "compression.type", "lz4"));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "linger.ms", "5"));

  for (const auto& [key, value] : config.consumer) {
    NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer." + key, key, value));
  }
  for (const auto& [key, value] : config.producer) {
    NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer." + key, key, value));
  }

  // Managed: at-least-once depends on these.
  const std::string stats = std::to_string(config.statistics_interval_ms);
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".brokers", "bootstrap.servers", config.brokers));
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".group_id", "group.id", config.group_id));
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer", "enable.auto.offset.store", "false"));
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer", "enable.auto.commit", "true"));
  NEWSFLOW_RETURN_IF_ERROR(
      Set(c, path + ".consumer", "partition.assignment.strategy", "cooperative-sticky"));
  NEWSFLOW_RETURN_IF_ERROR(
      Set(c, path + ".statistics_interval_ms", "statistics.interval.ms", stats));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".brokers", "bootstrap.servers", config.brokers));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "enable.idempotence", "true"));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "acks", "all"));
  NEWSFLOW_RETURN_IF_ERROR(
      Set(p, path + ".statistics_interval_ms", "statistics.interval.ms", stats));
  return confs;
}

}  // namespace newsflow::consumers
