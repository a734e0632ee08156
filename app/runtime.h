// RunRuntime(): what `newsflow run` and `newsflow demo` share — the Kafka runtime plus the
// metrics/health HTTP endpoint, run until `stop` turns true (or a failure), then drained.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "consumers/config.h"
#include "consumers/kafka_runtime.h"
#include "consumers/log.h"
#include "processors/core/pipeline.h"

namespace newsflow::app {

struct RuntimeRun {
  consumers::KafkaConfig kafka;
  consumers::MetricsConfig metrics;
  const core::Pipeline* pipeline = nullptr;
  consumers::Logger* log = nullptr;
  std::function<bool()> taxonomy_loaded;
  // Called with the metrics once they exist, and with nullptr before they are destroyed
  // (so that a taxonomy reload on another thread can count itself safely).
  std::function<void(consumers::RuntimeMetrics*)> on_metrics;
  // Optional: runs once the metrics and health endpoint are up, before any input is consumed
  // (the story-state restore). Returns false when `stop` turned true meanwhile: the runtime
  // then exits without consuming.
  std::function<bool(const std::atomic<bool>& stop)> before_consume;
  // Optional: a reason /readyz must report 503 for, checked before the runtime's own.
  std::function<std::optional<std::string>()> not_ready;
};

// Returns the process exit code.
int RunRuntime(const RuntimeRun& run, const std::atomic<bool>& stop);

}  // namespace newsflow::app
