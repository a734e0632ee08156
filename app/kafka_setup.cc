#include "app/kafka_setup.h"

#include <cstdlib>
#include <string>

#include "consumers/output_limits.h"
#include "processors/decode/decode_stage.h"

namespace newsflow::app {

Status CheckSizeLimits(const AppConfig& config, const consumers::KafkaConfig& kafka) {
  int64_t max_record = decode::DecodeConfig{}.max_record_bytes;
  // A const Node's operator[] gives an invalid node for a missing key, and asking an invalid
  // node its type throws: IsDefined() first (the fuzzer found a `decode` section without
  // max_record_bytes). The pipeline's own validation reports bad or unknown keys.
  const YAML::Node& pipeline = config.pipeline;
  const YAML::Node decode =
      pipeline.IsDefined() && pipeline.IsMap() ? pipeline["decode"] : YAML::Node();
  if (decode.IsDefined() && decode.IsMap()) {
    const YAML::Node value = decode["max_record_bytes"];
    if (value.IsDefined() && value.IsScalar()) {
      try {
        max_record = value.as<int64_t>();
      } catch (const YAML::Exception&) {
        // Reported by the decode stage's config check.
      }
    }
  }
  const int64_t message_max = consumers::ProducerMessageMaxBytes(kafka);
  const int64_t needed = max_record + consumers::kDeadLetterHeaderBudget;
  if (message_max >= needed) return Status::Ok();
  return Status(Code::kInvalidConfig, "config",
                "kafka.producer.message.max.bytes (" + std::to_string(message_max) +
                    ") is too small for pipeline.decode.max_record_bytes (" +
                    std::to_string(max_record) +
                    "): a dead letter carries the whole record plus up to " +
                    std::to_string(consumers::kDeadLetterHeaderBudget) +
                    " bytes of headers. Set kafka.producer.message.max.bytes to at least " +
                    std::to_string(needed) +
                    " (and the output topics' max.message.bytes to match), or "
                    "pipeline.decode.max_record_bytes to at most " +
                    std::to_string(message_max - consumers::kDeadLetterHeaderBudget));
}

Result<KafkaSetup> LoadKafkaSetup(const AppConfig& config, const consumers::GetEnv& getenv) {
  KafkaSetup setup;
  auto prefix = [&](const Status& s) {
    return Status(Code::kInvalidConfig, "config", config.origin + ": " + s.message());
  };
  Result<consumers::KafkaConfig> kafka = consumers::ParseKafkaConfig(config.kafka);
  if (!kafka.ok()) return prefix(kafka.status());
  Result<consumers::MetricsConfig> metrics = consumers::ParseMetricsConfig(config.metrics);
  if (!metrics.ok()) return prefix(metrics.status());
  setup.kafka = std::move(kafka).value();
  setup.metrics = std::move(metrics).value();
  consumers::ApplyEnvironment(
      &setup.kafka, &setup.metrics,
      getenv ? getenv : [](const char* name) { return std::getenv(name); });
  Result<consumers::RdKafkaConfs> confs = consumers::BuildRdKafkaConfs(setup.kafka);
  if (!confs.ok()) return prefix(confs.status());
  Status sizes = CheckSizeLimits(config, setup.kafka);
  if (!sizes.ok()) return prefix(sizes);
  return setup;
}

}  // namespace newsflow::app
