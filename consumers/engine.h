// Engine: the processing core of `newsflow run`, independent of librdkafka.
//
// Threads and queues:
//   poll thread (the caller of Assign/Dispatch/Revoke/Drain)
//     -> one work queue (FIFO; soft-bounded: the poll thread pauses input partitions when
//        QueueSize() reaches queue_max, see KafkaRuntime)
//     -> N worker threads run core::Pipeline::Process (const, shared)
//     -> per-partition Sequencer: results are released to the Sink in the partition's
//        dispatch order, under the partition's release mutex, so outputs of one input
//        partition reach the producer in offset order although workers finish in any order
//     -> Sink (one producer) -> delivery reports -> OnDelivery (served by a worker after its
//        record, Sink::ServeDeliveries(); else by the runtime's delivery thread, or by Drain())
//     -> per-partition OffsetTracker -> OffsetCommitter::Store(committable offset).
//
// A record completes when every message it produced (enriched event + alerts, or its one dead
// letter) is acknowledged. A dead letter is an ordinary output: it never blocks its partition.
// Size limits (output_limits.h): every output is checked against max_message_bytes before it
// is produced (enriched events too large are reduced, records whose outputs still do not fit
// are dead-lettered as too_large, dead letters too large carry a bounded prefix). When the
// producer or the broker still refuses an output as too large (DeliveryFailure::kTooLarge), the
// record -- not the cluster -- is at fault: it is re-routed to the dead-letter path (a worker
// produces its dead letter, outside the partition's order) and completes normally.
// Any other permanent delivery failure leaves the record in flight forever (its offset is never
// committed); failed() turns true and the runtime shuts down (see consumers/README.md).
//
// Revocation: Revoke() waits (bounded) until the partitions' in-flight records complete, then
// commits their final offsets through OffsetCommitter::Commit and forgets them. Records of a
// revoked partition still queued are dropped by the workers (the new owner reprocesses them
// from the committed offset).
//
// Pass-through mode (options.pipeline == nullptr, used by the benchmark as a baseline): each
// record is produced unchanged to the enriched topic.
//
// Lifetime: the Sink, OffsetCommitter, probe, pipeline and clock must outlive the Engine. Stop()
// (also run by the destructor) joins the workers; call it before destroying the Sink. Delivery
// reports for messages already enqueued may arrive after Stop(): OnDelivery stays valid until
// the Engine is destroyed, so destroy the producer (after flushing) before the Engine.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "consumers/config.h"
#include "consumers/io.h"
#include "consumers/log.h"
#include "consumers/offset_tracker.h"
#include "consumers/sequencer.h"
#include "processors/core/clock.h"
#include "processors/core/pipeline.h"

namespace newsflow::consumers {

// Where one record's end-to-end latency went, in seconds. consume + queue + process + order +
// produce = the end-to-end latency (up to the millisecond resolution of the Kafka timestamp).
struct LatencyPhases {
  double consume = 0;  // Kafka timestamp -> dispatched by the poll loop (upstream producer,
                       // broker, fetch, librdkafka's queue, the poll loop)
  double queue = 0;    // dispatched -> a worker starts it (work queue wait, worker wake-up)
  double process = 0;  // the pipeline (all stages) and building the output messages
  double order = 0;    // processed -> handed to the producer (waiting for earlier offsets of
                       // its partition in the Sequencer, the release mutex)
  double produce = 0;  // handed to the producer -> its last output acknowledged (linger.ms,
                       // broker round trip, delivery report)
};

// Engine statistics hooks (the Prometheus implementation is RuntimeMetrics). Called from
// worker and delivery threads: implementations must be thread-safe. Defaults do nothing.
class EngineProbe : public core::PipelineObserver {
 public:
  void OnStage(std::string_view, std::chrono::nanoseconds, bool) override {}
  virtual void OnConsumed(const std::string& /*topic*/) {}
  virtual void OnDeadLettered(const std::string& /*topic*/, const Status& /*why*/) {}
  virtual void OnProduced(std::string_view /*topic*/) {}
  // A message that could not be delivered or enqueued; `reason` is DeliveryFailureName().
  virtual void OnDeliveryFailed(std::string_view /*topic*/, std::string_view /*reason*/) {}
  // An enriched event produced in its reduced form (output_limits.h).
  virtual void OnReduced(std::string_view /*topic*/) {}
  // Kafka timestamp of the input -> acknowledgement of its last output.
  virtual void OnEndToEnd(double /*seconds*/) {}
  // The same interval cut into its phases (LatencyPhases), once per completed record: where
  // a tail comes from (consumers/README.md, "Latency").
  virtual void OnLatencyPhases(const LatencyPhases& /*phases*/) {}
  // exactly_once: a transaction ended (committed or aborted) after `seconds`.
  virtual void OnTransaction(bool /*committed*/, double /*seconds*/) {}
  // PollLoop (poll thread): rebalances, assignment size, pause state, rewind skips.
  virtual void OnRebalance(std::string_view /*kind*/) {}
  virtual void SetAssigned(int64_t /*n*/) {}
  virtual void SetPaused(bool /*paused*/) {}
  virtual void OnRedeliverySkipped() {}
  virtual void RemoveConsumerLag(const std::string& /*topic*/, int32_t /*partition*/) {}
};

struct EngineOptions {
  const core::Pipeline* pipeline = nullptr;  // null: pass-through
  const core::Clock* clock = nullptr;        // required
  std::string pipeline_version;
  OutputTopics topics;
  int workers = 2;
  // The producer's message.max.bytes: every output is checked against it before producing
  // (consumers/output_limits.h).
  int64_t max_message_bytes = 1000000;
  Logger* log = nullptr;  // optional: produce errors, reduced and re-routed records
};

struct EngineCounts {
  int64_t dispatched = 0;
  int64_t enriched = 0;       // records whose pipeline succeeded (outputs released)
  int64_t dead_lettered = 0;  // records sent to the dead-letter topic
  int64_t completed = 0;      // records whose every output was acknowledged
  int64_t delivery_failures = 0;
  int64_t dropped_revoked = 0;     // queued records dropped because their partition was revoked
  int64_t dropped_unassigned = 0;  // records of partitions not assigned (stale), not processed
  int64_t rerouted = 0;  // records dead-lettered after the broker refused an output as too large
};

class Engine final : public DeliveryListener {
 public:
  Engine(EngineOptions options, Sink* sink, OffsetCommitter* committer, EngineProbe* probe);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void Start();  // starts the workers
  void Stop();   // stops taking work and joins the workers (idempotent)

  // Poll thread: partitions newly assigned to this instance.
  void Assign(const std::vector<TopicPartition>& partitions);
  // Poll thread: one consumed record (origin.topic/partition/offset set). A record of a
  // partition not assigned (Assign() not called, or revoked) is dropped and counted.
  void Dispatch(schemas::RawRecord record);
  // Poll thread: waits up to `timeout` for in-flight records of `partitions`, commits their
  // final offsets (unless `lost`), forgets them. Returns how many records were still in flight.
  size_t Revoke(const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout,
                bool lost);
  // Waits until the queue is empty and every record completed (or failed). False on timeout.
  bool Drain(std::chrono::milliseconds timeout);
  // Commits the committable offset of every assigned partition now (waits at most `timeout`).
  Status CommitAll(std::chrono::milliseconds timeout);
  // The committable offset of every assigned partition (exactly_once: what goes into the
  // transaction).
  std::vector<PartitionOffset> CommittableOffsets() const;
  // exactly_once, after an aborted transaction whose partitions were revoked (lost=true) and
  // drained: forgets the failed records so the engine can carry on. Poll thread.
  void ResetFailures();

  // Readiness: the first output topic with messages waiting that the broker has acknowledged
  // nothing for `after` (frozen broker, missing topic), as "topic: N messages waiting, no
  // acknowledgement for T ms"; nullopt when every topic is healthy. Thread-safe.
  std::optional<std::string> Stalled(std::chrono::milliseconds after) const;

  // /healthz watchdog: a reason when a worker has been processing one record for longer than
  // `after` (a stage that never returns); nullopt otherwise. Thread-safe.
  std::optional<std::string> Wedged(std::chrono::milliseconds after) const;

  size_t QueueSize() const;
  int64_t InFlight() const;  // records dispatched and not completed
  bool failed() const { return failed_.load(); }
  EngineCounts counts() const;
  std::vector<TopicPartition> Assigned() const;

  void OnDelivery(void* cookie, const DeliveryReport& report) override;

 private:
  struct Partition;
  struct Record;
  struct Processed;
  struct WorkItem;

  void WorkerLoop(int index);
  // Runs the pipeline on one record and builds its messages (size limits applied).
  void Process(WorkItem& item, Processed* processed);
  OutMessage DeadLetter(const schemas::RawRecord& raw, const Status& status,
                        std::string_view article_id) const;
  void ApplyLimits(const schemas::RawRecord& raw, std::string_view article_id,
                   std::vector<OutMessage>* messages, bool* dead_lettered);
  // Dead-letter path for a record whose output was refused as too large (worker thread).
  void EnqueueReroute(Record* record, std::string reason);
  void Reroute(Record* record);
  void ReportProduceError(const Record& record, std::string_view topic, const Status& status);
  void Release(Partition& partition, uint64_t seq, Processed processed);
  // Forgets `records` records of a revoked partition plus its sequencer backlog; caller holds
  // partition.release_mu.
  void DropLocked(Partition& partition, int64_t records);
  void FinishMessage(Record* record);
  // Before a commit of `offset`: no Store() decided earlier lands after it (engine.cc).
  static void FenceStores(Partition& partition, int64_t offset);
  std::shared_ptr<Partition> FindOrCreate(const TopicPartition& tp);

  // Per output topic: messages waiting and the last sign of progress (steady-clock ms).
  struct TopicHealth {
    std::atomic<int64_t> pending{0};
    std::atomic<int64_t> progress_ms{0};  // last ack, or when pending went up from 0
  };
  TopicHealth& Health(std::string_view topic);
  void BeforeProduce(std::string_view topic);
  void AfterDelivery(std::string_view topic, bool acked);

  EngineOptions options_;
  std::map<std::string, std::unique_ptr<TopicHealth>, std::less<>> health_;  // fixed at start
  TopicHealth other_health_;
  Sink* sink_;
  OffsetCommitter* committer_;
  EngineProbe* probe_;
  EngineProbe null_probe_;

  mutable std::mutex mu_;  // partitions_, trackers, counts_
  std::condition_variable progress_cv_;
  std::map<TopicPartition, std::shared_ptr<Partition>> partitions_;
  EngineCounts counts_;
  int64_t in_flight_ = 0;
  int64_t failed_records_ = 0;

  mutable std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<WorkItem> queue_;
  int busy_workers_ = 0;
  bool stopping_ = false;

  std::atomic<bool> failed_{false};
  std::vector<std::thread> workers_;
  // Per worker: steady-clock ms since it started its current record, 0 when idle.
  std::unique_ptr<std::atomic<int64_t>[]> busy_since_;
};

}  // namespace newsflow::consumers
