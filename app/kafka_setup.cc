#include "app/kafka_setup.h"

#include <cstdlib>

namespace newsflow::app {

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
  return setup;
}

}  // namespace newsflow::app
