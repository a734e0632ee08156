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

// Start-up consistency of the size limits: the producer's message.max.bytes must hold a dead
// letter of the largest record decode accepts (pipeline.decode.max_record_bytes + the dead-letter
// header budget, consumers/output_limits.h). The error says what to set. (The output topics'
// own max.message.bytes is not known here; a broker refusal is handled at delivery time by
// re-routing the record to the dead-letter path, consumers/engine.h.)
Status CheckSizeLimits(const AppConfig& config, const consumers::KafkaConfig& kafka);

// `getenv` null: the process environment. Runs CheckSizeLimits() too.
Result<KafkaSetup> LoadKafkaSetup(const AppConfig& config,
                                  const consumers::GetEnv& getenv = nullptr);

}  // namespace newsflow::app
