// KafkaRuntime: `newsflow run` — the PollLoop and the Engine wired to a librdkafka
// KafkaConsumer (KafkaSource, one poll thread: the caller of Run) and an idempotent Producer
// (KafkaSink; its own poll thread for delivery reports). See consumers/README.md for the delivery
// guarantees and the shutdown sequence.
//
// Threads:
//   Run()'s thread   PollLoop::Step (consume(), rebalance callbacks: drain + commit on revoke,
//                    pause/resume), gauges; on stop: drain, commit, close (each bounded by the
//                    shutdown deadline).
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
#include <mutex>
#include <optional>
#include <string>

#include "consumers/config.h"
#include "consumers/engine.h"
#include "consumers/log.h"
#include "consumers/metrics.h"
#include "consumers/poll_loop.h"
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

  // /readyz: not ready while starting, shutting down, failing, after lost partitions (until
  // reassigned), when the broker is down or refuses our credentials, when an output topic has
  // messages waiting and no acknowledgement for kafka.unhealthy_after_ms, or without taxonomy.
  Readiness readiness() const;
  // /healthz: false only when wedged (the poll loop or a worker stuck far beyond any
  // legitimate wait; see kWatchdogMarginMs).
  Readiness liveness() const;
  EngineCounts counts() const;
  // True when a blocking librdkafka call of the shutdown path missed its deadline and is still
  // running: the caller must end the process without destroying the runtime (std::_Exit).
  bool abandoned() const { return abandoned_.load(); }

 private:
  class Callbacks;
  class KafkaSink;
  class KafkaCommitter;
  class KafkaSource;
  class KafkaTransactions;
  class TransactionalCommitter;
  explicit KafkaRuntime(RuntimeOptions options);
  void UpdateGauges();
  std::string AuthError() const;
  void Shutdown(std::chrono::steady_clock::time_point deadline);

  RuntimeOptions options_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> fatal_{false};
  std::atomic<bool> brokers_down_{false};  // ALL_BROKERS_DOWN seen, no sign of life since
  std::atomic<bool> auth_failed_{false};
  mutable std::mutex auth_mu_;
  std::string auth_error_;  // guarded by auth_mu_
  std::atomic<bool> closed_{false};
  std::atomic<bool> abandoned_{false};

  // Declaration order is destruction order in reverse; see the header comment.
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<KafkaSource> source_;  // the consumer's rebalance callback
  std::unique_ptr<KafkaCommitter> committer_;
  std::unique_ptr<TransactionalCommitter> txn_committer_;  // exactly_once only
  std::unique_ptr<KafkaTransactions> transactions_;        // exactly_once only
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<KafkaSink> sink_;
  std::unique_ptr<PollLoop> loop_;
  struct Handles;
  std::unique_ptr<Handles> handles_;
};

}  // namespace newsflow::consumers
