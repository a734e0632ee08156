// The Kafka side of the configuration, shared by `run`, `demo` and `validate-config`: parses
// the `kafka:` and `metrics:` sections (consumers/config.h), applies the NEWSFLOW_* environment
// overrides and checks every librdkafka property by building the real RdKafka::Conf objects,
// so a bad `kafka.producer.compression.type` fails before anything starts, naming the key.
#pragma once

#include "app/app_config.h"
#include "consumers/config.h"
#include "schemas/result.h"

namespace newsflow::app {

struct KafkaSetup {
  consumers::KafkaConfig kafka;
  consumers::MetricsConfig metrics;
};

// `getenv` null: the process environment.
Result<KafkaSetup> LoadKafkaSetup(const AppConfig& config,
                                  const consumers::GetEnv& getenv = nullptr);

}  // namespace newsflow::app
