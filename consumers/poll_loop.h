// PollLoop: the consumer side of `newsflow run`, independent of librdkafka. It owns the
// policies that decide what reaches the Engine and when the input stops:
//
//   * hold, then pause: a full work queue first holds the loop (no Poll(): records stay in the
//     source's prefetch queue) for at most `max_hold`; when the queue stays full that long, or
//     the producer backs up (Sink::QueueDepth() >= producer_max_messages), every assigned
//     partition is paused (also partitions assigned while paused). Both queues back under half:
//     resume. Why hold first: consumers/README.md, "Back-pressure".
//   * rewind-skip: the next expected offset per assigned partition; a record below it was
//     already dispatched in this assignment (librdkafka 2.0 rewinds after pause/resume) and is
//     skipped, counted (EngineProbe::OnRedeliverySkipped) and logged once per 1000.
//   * rebalances (RebalanceListener, called from inside Source::Poll): assigned partitions are
//     registered with the Engine (and paused at once while the loop is paused); revoked ones
//     wait up to revoke_timeout for their in-flight records, then their offsets are committed;
//     lost ones are dropped at once and never committed.
//   * stop conditions: a fatal source error, or a delivery failure the Engine reports
//     (Engine::failed()) end Run().
//
// The KafkaRuntime wires it to a KafkaConsumer (KafkaSource); unit tests wire it to the fakes
// of tests/testing/kafka_fakes.h.
//
// Threading: every method runs on the poll thread (the caller of Step/Run/Shutdown; the
// listener calls come from inside Source::Poll/Close on that same thread), except the
// accessors marked thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consumers/engine.h"
#include "consumers/io.h"
#include "consumers/log.h"

namespace newsflow::consumers {

struct PollLoopOptions {
  int64_t queue_max_records = 2000;
  int64_t producer_max_messages = 20000;
  std::chrono::milliseconds revoke_timeout{10000};
  // How long a full work queue only holds the loop before the partitions are paused. The loop
  // serves no rebalance or statistics events while holding, hence the bound.
  std::chrono::milliseconds max_hold{1000};
  // Poll timeouts: while paused nothing arrives, so wake up often to resume promptly.
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds paused_poll_timeout{5};
  // exactly_once (PollLoop constructed with a Transactions): a transaction is committed after
  // this many dispatched records or this long, whichever comes first.
  int64_t transaction_max_records = 2000;
  std::chrono::milliseconds transaction_interval{100};
  // Bound on draining + committing (or aborting) one transaction.
  std::chrono::milliseconds transaction_timeout{30000};
};

class PollLoop final : public RebalanceListener {
 public:
  using Clock = std::chrono::steady_clock;

  // None owned; all must outlive the loop. `probe` may be null. `transactions` non-null:
  // exactly_once (the Engine's OffsetCommitter must then ignore Store/Commit: offsets travel in
  // the transaction).
  PollLoop(PollLoopOptions options, Source* source, Engine* engine, Sink* sink, EngineProbe* probe,
           Logger* log, Transactions* transactions = nullptr);

  // exactly_once: ends the open transaction, if any: waits (bounded) until every dispatched
  // record is acknowledged, then commits the outputs with the committable offsets of every
  // assigned partition. Aborts instead when `commit` is false, when the records could not be
  // acknowledged in time or failed, or when the commit fails with an abortable error; an abort
  // rewinds every assigned partition to its committed offset (the batch is processed again).
  // A fatal error sets fatal(). Returns true when committed (or nothing was open).
  bool EndTransaction(bool commit);
  bool in_transaction() const { return txn_open_; }

  // One iteration: hold for queue room, or poll one record and dispatch it; then apply
  // back-pressure. Returns what the source returned (kNothing while holding).
  Polled::Kind Step();

  // True once a fatal source error was seen (thread-safe).
  bool fatal() const { return fatal_.load(); }
  // True while the input partitions are paused.
  bool paused() const { return paused_; }
  // True once the first assignment arrived (thread-safe).
  bool assigned_once() const { return assigned_once_.load(); }
  // True from a lost-partitions event until the next assignment (thread-safe).
  bool lost() const { return lost_.load(); }
  // Steady-clock ms when the loop last made progress (a Step or a rebalance callback ended);
  // the /healthz watchdog (thread-safe).
  int64_t heartbeat_ms() const { return heartbeat_ms_.load(); }
  // Records skipped by the rewind check so far.
  int64_t rewound_skipped() const { return rewound_skipped_; }
  // Pauses every assigned partition (shutdown: stop fetching).
  void PauseAll();

  // RebalanceListener.
  void OnAssigned(const std::vector<TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override;

 private:
  // True while the loop should hold off polling because the work queue is full; waits a
  // millisecond for the workers before returning true.
  bool HoldForQueueRoom();
  void Backpressure();

  void BeginTransaction();
  void Rewind(const std::string& why);

  PollLoopOptions options_;
  Transactions* txn_;
  bool txn_open_ = false;
  int64_t txn_records_ = 0;
  Clock::time_point txn_start_;
  Source* source_;
  Engine* engine_;
  Sink* sink_;
  EngineProbe* probe_;
  EngineProbe null_probe_;
  Logger* log_;

  std::atomic<bool> fatal_{false};
  std::atomic<bool> assigned_once_{false};
  std::atomic<bool> lost_{false};
  std::atomic<int64_t> heartbeat_ms_{0};
  void Beat();
  bool paused_ = false;
  // Since when the work queue has been full without a pause (unset: not full).
  std::optional<Clock::time_point> full_since_;
  // The next offset expected per assigned partition (see the header comment).
  std::map<TopicPartition, int64_t> next_offset_;
  int64_t rewound_skipped_ = 0;
};

std::string DescribePartitions(const std::vector<TopicPartition>& partitions);

}  // namespace newsflow::consumers
