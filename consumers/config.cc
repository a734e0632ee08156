#include "consumers/config.h"

#include <librdkafka/rdkafkacpp.h>

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <string>

#include "processors/core/config.h"

namespace newsflow::consumers {

const std::vector<std::string> kManagedConsumerProperties = {"bootstrap.servers",
                                                             "metadata.broker.list",
                                                             "group.id",
                                                             "enable.auto.offset.store",
                                                             "partition.assignment.strategy",
                                                             "enable.auto.commit",
                                                             "statistics.interval.ms",
                                                             "group.instance.id",
                                                             "auto.commit.interval.ms",
                                                             "isolation.level"};
const std::vector<std::string> kManagedProducerProperties = {
    "bootstrap.servers",     "metadata.broker.list",   "enable.idempotence", "acks",
    "request.required.acks", "statistics.interval.ms", "transactional.id"};

namespace {

Status ConfigError(std::string message) {
  return Status(Code::kInvalidConfig, "config", std::move(message));
}

// Why a managed property may not be set, and what to set instead.
std::string ManagedHint(const std::string& key) {
  if (key == "transactional.id") {
    return "the transactional.id is derived per instance as newsflow-<group_id>-<instance_id> "
           "when kafka.processing_guarantee is exactly_once; remove it and set "
           "kafka.processing_guarantee: exactly_once (and kafka.instance_id)";
  }
  if (key == "group.instance.id") return "set kafka.instance_id instead";
  if (key == "auto.commit.interval.ms") return "set kafka.commit_interval_ms instead";
  if (key == "isolation.level") return "newsflow reads with read_committed";
  return "delivery guarantees depend on it";
}

// A map of librdkafka property -> scalar value.
Status ReadPassThrough(const YAML::Node& node, const std::string& path,
                       const std::vector<std::string>& managed,
                       std::map<std::string, std::string>* out) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsMap()) return ConfigError(path + ": expected a map of librdkafka properties");
  for (const auto& item : node) {
    const std::string key = item.first.as<std::string>();
    if (!item.second.IsScalar()) {
      return ConfigError(path + "." + key + ": expected a scalar librdkafka property value");
    }
    if (std::find(managed.begin(), managed.end(), key) != managed.end()) {
      return ConfigError(path + "." + key + ": managed by newsflow (" + ManagedHint(key) +
                         "); see consumers/README.md");
    }
    (*out)[key] = item.second.Scalar();
  }
  return Status::Ok();
}

Status Set(RdKafka::Conf& conf, const std::string& config_key, const std::string& name,
           const std::string& value) {
  std::string errstr;
  if (conf.set(name, value, errstr) != RdKafka::Conf::CONF_OK) {
    return ConfigError(config_key + ": " + errstr);
  }
  return Status::Ok();
}

}  // namespace

Status CheckOffsetReset(const KafkaConfig& cfg, const std::string& path) {
  auto it = cfg.consumer.find("auto.offset.reset");
  if (it == cfg.consumer.end() || cfg.allow_skip_backlog) return Status::Ok();
  const std::string& v = it->second;
  if (v == "latest" || v == "largest" || v == "end") {
    return ConfigError(path + ".consumer.auto.offset.reset: " + v +
                       " makes a new consumer group skip every record already in the input "
                       "topics; use earliest, or set " +
                       path + ".allow_skip_backlog: true if that is intended");
  }
  return Status::Ok();
}

Result<KafkaConfig> ParseKafkaConfig(const YAML::Node& node, const std::string& path) {
  KafkaConfig cfg;
  core::ConfigReader r(node, path);
  r.Read("brokers", &cfg.brokers,
         "Bootstrap servers, host:port[,host:port]. Env: NEWSFLOW_KAFKA_BROKERS.");
  r.Read("group_id", &cfg.group_id, "Consumer group id. Env: NEWSFLOW_KAFKA_GROUP_ID.");
  r.Read("instance_id", &cfg.instance_id,
         "Static group membership (group.instance.id) and the transactional.id suffix; a "
         "restarted instance gets its partitions back without waiting for the session timeout. "
         "Unique per instance (e.g. a StatefulSet pod name). Env: NEWSFLOW_KAFKA_INSTANCE_ID.");
  r.Read("static_membership", &cfg.static_membership,
         "With instance_id: join as a static member (group.instance.id = instance_id). false: "
         "dynamic membership (leaves the group at once on shutdown; instance_id then only names "
         "the exactly_once transactional.id).");
  std::string guarantee = "at_least_once";
  r.Read("processing_guarantee", &guarantee,
         "at_least_once (idempotent producer, offsets committed after acknowledgement) or "
         "exactly_once (Kafka transactions: outputs and offsets committed together; readers "
         "must use isolation.level=read_committed).");
  r.Read("transaction_max_records", &cfg.transaction_max_records,
         "exactly_once: records per transaction at most (larger: less overhead, more to redo "
         "after an abort).");
  r.Read("transaction_interval_ms", &cfg.transaction_interval_ms,
         "exactly_once: a transaction is committed after this long at most (read_committed "
         "readers see outputs only then: it adds up to this much latency).");
  r.Read("commit_interval_ms", &cfg.commit_interval_ms,
         "at_least_once: how often acknowledged offsets are committed (a crash re-delivers "
         "what was acknowledged since the last commit).");
  r.Read("unhealthy_after_ms", &cfg.unhealthy_after_ms,
         "/readyz turns 503 when the broker has acknowledged nothing for this long while "
         "messages wait.");
  r.Read("allow_skip_backlog", &cfg.allow_skip_backlog,
         "Allow kafka.consumer.auto.offset.reset: latest (a new group then skips the backlog).");
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
  r.Require(guarantee == "at_least_once" || guarantee == "exactly_once", "processing_guarantee",
            "must be at_least_once or exactly_once");
  r.Require(cfg.transaction_max_records >= 1, "transaction_max_records", "must be at least 1");
  r.Require(cfg.transaction_interval_ms >= 1, "transaction_interval_ms", "must be at least 1");
  r.Require(cfg.commit_interval_ms >= 1, "commit_interval_ms", "must be at least 1");
  r.Require(cfg.unhealthy_after_ms >= 1, "unhealthy_after_ms", "must be at least 1");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  cfg.guarantee = guarantee == "exactly_once" ? Guarantee::kExactlyOnce : Guarantee::kAtLeastOnce;

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
  NEWSFLOW_RETURN_IF_ERROR(CheckOffsetReset(cfg, path));
  return cfg;
}

Result<MetricsConfig> ParseMetricsConfig(const YAML::Node& node, const std::string& path) {
  MetricsConfig cfg;
  core::ConfigReader r(node, path);
  r.Read("enabled", &cfg.enabled, "Serve /metrics, /healthz and /readyz over HTTP.");
  r.Read("address", &cfg.address,
         "host:port to listen on (port 0: any free port). Env: NEWSFLOW_METRICS_ADDRESS.");
  r.Require(cfg.address.find(':') != std::string::npos, "address", "expected host:port");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return cfg;
}

std::string_view GuaranteeName(Guarantee guarantee) {
  switch (guarantee) {
    case Guarantee::kAtLeastOnce:
      return "at_least_once";
    case Guarantee::kExactlyOnce:
      return "exactly_once";
  }
  return "at_least_once";
}

std::string TransactionalId(const KafkaConfig& config) {
  std::string suffix = config.instance_id;
  if (suffix.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) == 0) suffix = host;
    if (suffix.empty()) suffix = "default";
  }
  return "newsflow-" + config.group_id + "-" + suffix;
}

int64_t ProducerMessageMaxBytes(const KafkaConfig& config) {
  auto it = config.producer.find("message.max.bytes");
  if (it == config.producer.end()) return 1000000;
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    return 1000000;  // BuildRdKafkaConfs() rejects the value
  }
}

void ApplyEnvironment(KafkaConfig* kafka, MetricsConfig* metrics, const GetEnv& getenv) {
  auto value = [&](const char* name) -> std::optional<std::string> {
    const char* v = getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  if (auto v = value("NEWSFLOW_KAFKA_BROKERS")) kafka->brokers = *v;
  if (auto v = value("NEWSFLOW_KAFKA_GROUP_ID")) kafka->group_id = *v;
  if (auto v = value("NEWSFLOW_KAFKA_INSTANCE_ID")) kafka->instance_id = *v;
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

Result<RdKafkaConfs> BuildRdKafkaConfs(const KafkaConfig& config, const std::string& path) {
  RdKafkaConfs confs;
  confs.consumer.reset(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  confs.producer.reset(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  RdKafka::Conf& c = *confs.consumer;
  RdKafka::Conf& p = *confs.producer;

  // Defaults a user may override.
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer", "client.id", "newsflow"));
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer", "auto.offset.reset", "earliest"));

  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "client.id", "newsflow"));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "compression.type", "lz4"));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "linger.ms", kDefaultLingerMs));
  NEWSFLOW_RETURN_IF_ERROR(
      Set(p, path + ".producer", "max.in.flight.requests.per.connection", kDefaultMaxInFlight));

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
  const bool eos = config.guarantee == Guarantee::kExactlyOnce;
  // exactly_once: offsets travel in the transaction (send_offsets_to_transaction), never
  // through the consumer's own commits.
  NEWSFLOW_RETURN_IF_ERROR(
      Set(c, path + ".consumer", "enable.auto.commit", eos ? "false" : "true"));
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".commit_interval_ms", "auto.commit.interval.ms",
                               std::to_string(config.commit_interval_ms)));
  // Outputs of aborted transactions (ours or upstream's) are never processed.
  NEWSFLOW_RETURN_IF_ERROR(Set(c, path + ".consumer", "isolation.level", "read_committed"));
  if (!config.instance_id.empty() && config.static_membership) {
    NEWSFLOW_RETURN_IF_ERROR(
        Set(c, path + ".instance_id", "group.instance.id", config.instance_id));
  }
  NEWSFLOW_RETURN_IF_ERROR(
      Set(c, path + ".consumer", "partition.assignment.strategy", "cooperative-sticky"));
  NEWSFLOW_RETURN_IF_ERROR(
      Set(c, path + ".statistics_interval_ms", "statistics.interval.ms", stats));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".brokers", "bootstrap.servers", config.brokers));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "enable.idempotence", "true"));
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".producer", "acks", "all"));
  if (eos) {
    NEWSFLOW_RETURN_IF_ERROR(
        Set(p, path + ".instance_id", "transactional.id", TransactionalId(config)));
  }
  // The producer's statistics are not used (readiness and lag come from the consumer's, queue
  // depth from outq_len()): building and parsing them every interval on the delivery-report
  // thread only delayed acknowledgements.
  NEWSFLOW_RETURN_IF_ERROR(Set(p, path + ".statistics_interval_ms", "statistics.interval.ms", "0"));
  return confs;
}

}  // namespace newsflow::consumers
