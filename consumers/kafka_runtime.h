// KafkaRuntime: `newsflow run` — the Engine wired to a librdkafka KafkaConsumer (one poll
// thread: the caller of Run) and an idempotent Producer (its own poll thread for delivery
// reports). See consumers/README.md for the delivery guarantees and the shutdown sequence.
//
// Threads:
//   Run()'s thread   consume(), rebalance callbacks (drain + commit on revoke), pause/resume,
//                    gauges; on stop: drain, commit, close.
//   producer poller  producer->poll(): delivery reports -> Engine::OnDelivery -> offsets_store.
//   N workers        owned by the Engine.
//   librdkafka's own threads call the event callbacks (stats, errors, logs) — they only touch
//   atomics, the metrics and the logger.
//
// Lifetime and destruction order (ClickHouse KafkaConsumer.h style; members are destroyed in
// reverse declaration order, and ~KafkaRuntime() does the explicit part first):
//   1. Run() returns only after: consumer closed, workers joined, producer flushed, producer
//      poller joined. ~KafkaRuntime() repeats whatever Run() did not get to.
//   2. consumer_ is destroyed before producer_ (its rebalance callback commits through the
//      engine, which produces through the producer).
//   3. producer_ is destroyed before engine_ (late delivery reports call engine_).
//   4. callbacks (rebalance_cb_, event_cb_, delivery_cb_) are declared first, so they outlive
//      both handles that call them.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "consumers/config.h"
#include "consumers/engine.h"
#include "consumers/log.h"
#include "consumers/metrics.h"
#include "schemas/result.h"

namespace newsflow::consumers {

struct RuntimeOptions {
  KafkaConfig kafka;
  const core::Pipeline* pipeline = nullptr;  // null: pass-through (benchmark baseline)
  const core::Clock* clock = nullptr;        // required
  std::string version;
  Logger* log = nullptr;              // required
  RuntimeMetrics* metrics = nullptr;  // optional
  // Readiness hook: /readyz needs it to return true (a taxonomy snapshot is loaded); null
  // means there is nothing to wait for (pass-through benchmark).
  std::function<bool()> taxonomy_loaded;
};

class KafkaRuntime {
 public:
  static Result<std::unique_ptr<KafkaRuntime>> Create(RuntimeOptions options);
  ~KafkaRuntime();
  KafkaRuntime(const KafkaRuntime&) = delete;
  KafkaRuntime& operator=(const KafkaRuntime&) = delete;

  // Consumes until `stop` turns true or a fatal condition (permanent delivery failure, fatal
  // librdkafka error); then stops fetching, drains, commits and closes within
  // kafka.shutdown_timeout_ms. OK only for a clean stop with nothing failed.
  Status Run(const std::atomic<bool>& stop);

  Readiness readiness() const;
  EngineCounts counts() const;

 private:
  class Callbacks;
  class KafkaSink;
  class KafkaCommitter;
  explicit KafkaRuntime(RuntimeOptions options);
  void Backpressure();
  // True while the poll loop should hold off consuming because the work queue is full (see
  // Run()); waits a millisecond for the workers before returning true.
  bool HoldForQueueRoom();
  void UpdateGauges();
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  RuntimeOptions options_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> fatal_{false};
  std::atomic<bool> assigned_once_{false};
  std::atomic<bool> broker_up_{false};
  std::atomic<bool> closed_{false};
  bool paused_ = false;
  // Since when the work queue has been full without a pause (unset: not full).
  std::optional<std::chrono::steady_clock::time_point> full_since_;
  // Poll thread only (consume loop and rebalance callbacks): the next offset expected per
  // assigned partition. librdkafka 2.0 can rewind a partition's fetch position after
  // pause/resume (upstream issues 4637/4686, fixed in 2.4); records below the expected offset
  // were already dispatched in this assignment and are skipped, not processed twice.
  std::map<std::pair<std::string, int32_t>, int64_t> next_offset_;
  int64_t rewound_skipped_ = 0;

  // Declaration order is destruction order in reverse; see the header comment.
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<KafkaCommitter> committer_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<KafkaSink> sink_;
  struct Handles;
  std::unique_ptr<Handles> handles_;
};

}  // namespace newsflow::consumers
