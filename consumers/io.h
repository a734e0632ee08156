// The I/O seams of the runtime, in the manner of Redpanda's transform/io.h: the Engine (queue,
// workers, sequencer, offset tracking) and the PollLoop (pause/resume, rewind-skip, revocation)
// talk to Kafka only through these interfaces, so their policies are unit-tested with the fakes
// of tests/testing/kafka_fakes.h, and the exactly-once mode swaps in a transactional sink +
// committer (send_offsets_to_transaction) without touching them.
//
//   Source:       the consumer. PollLoop calls Poll() on its one thread; rebalances are reported
//                 through RebalanceListener from inside Poll() (librdkafka: the rebalance_cb runs
//                 inside consume()). KafkaRuntime's KafkaSource wraps a KafkaConsumer.
//   Sink:         hands messages to the producer; delivery reports come back through
//                 DeliveryListener::OnDelivery (librdkafka: the dr_cb, on whichever thread
//                 polls the producer: a worker after its record (ServeDeliveries), the
//                 runtime's delivery thread, or Engine::Drain's caller).
//   OffsetCommitter: where completed offsets go (at-least-once: offsets_store + auto commit,
//                 explicit commitSync on revoke/shutdown; exactly-once: offsets ride in the
//                 producer's transaction).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "processors/core/document.h"
#include "schemas/status.h"

namespace newsflow::consumers {

struct TopicPartition {
  std::string topic;
  int32_t partition = -1;
  auto operator<=>(const TopicPartition&) const = default;
  std::string ToString() const { return topic + "/" + std::to_string(partition); }
};

struct OutMessage {
  std::string topic;
  std::optional<std::string> key;
  std::string value;
  std::vector<schemas::Header> headers;
  // A null value (a tombstone), distinct from an empty one: produced with no payload. Set for
  // the dead letter of a consumed tombstone, so it is preserved exactly.
  bool null_value = false;
};

// What the broker said about one message. Converted at the librdkafka boundary: librdkafka
// retries retriable errors itself (idempotent producer, until message.timeout.ms), so every
// error that reaches a delivery report is final for that message.
enum class DeliveryResult { kAcked, kFailed };

// Why a message could not be delivered: a bounded label for
// newsflow_delivery_failures_total{topic,reason}, and the Engine's decision between "the record
// is at fault" (kTooLarge: re-routed to the dead-letter path) and "the cluster is at fault"
// (everything else: the offset is not committed and the instance stops).
enum class DeliveryFailure {
  kNone,
  kTooLarge,      // above the producer's message.max.bytes or the topic's max.message.bytes
  kUnknownTopic,  // the topic does not exist or is not authorized
  kTimedOut,      // message.timeout.ms elapsed (broker unreachable)
  kFatal,         // a fatal producer error (fenced, out of order sequence, ...)
  kOther,
};
std::string_view DeliveryFailureName(DeliveryFailure failure);

struct DeliveryReport {
  std::string_view topic;
  int32_t partition = -1;  // output partition, -1 when never assigned
  DeliveryResult result = DeliveryResult::kAcked;
  DeliveryFailure failure = DeliveryFailure::kNone;
  std::string_view error;  // librdkafka's error text when failed
};

class DeliveryListener {
 public:
  virtual ~DeliveryListener() = default;
  // Exactly once per message a Sink accepted. `cookie` is what was passed to Produce().
  virtual void OnDelivery(void* cookie, const DeliveryReport& report) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Enqueues one message. While the producer queue is full it polls and retries (blocking the
  // caller: that is the back-pressure). OK: OnDelivery(cookie, ...) will follow exactly once.
  // Not OK: the message was not enqueued and never will be; code kTooLarge when the message is
  // above the producer's limit (the Engine then dead-letters the record), kInternal otherwise
  // (fatal producer error). The message names the topic and librdkafka's error.
  virtual Status Produce(OutMessage message, void* cookie) = 0;
  // Messages enqueued and not yet delivered.
  virtual int64_t QueueDepth() const = 0;
  // Serves the delivery reports already waiting (OnDelivery on the calling thread), without
  // blocking; returns at once when another thread is serving them. The Engine's workers call
  // it after each record, so that under load the reports are served by threads that are awake
  // anyway instead of waking the delivery thread for each (consumers/README.md, "Threads,
  // queues and ordering").
  virtual void ServeDeliveries() {}
};

struct PartitionOffset {
  TopicPartition tp;
  int64_t offset = -1;  // next offset to read
};

class OffsetCommitter {
 public:
  virtual ~OffsetCommitter() = default;
  // A new committable offset (called from whichever thread serves the delivery report: a
  // worker, the delivery thread or Drain()'s caller; must not block for long).
  virtual void Store(const TopicPartition& tp, int64_t next_offset) = 0;
  // Commits now, synchronously (revocation, shutdown), waiting at most `timeout`.
  virtual Status Commit(const std::vector<PartitionOffset>& offsets,
                        std::chrono::milliseconds timeout) = 0;
};

// exactly_once: the producer's transactions. One transaction spans a batch of records: it is
// opened before the first record of the batch is dispatched, and committed together with the
// input offsets (send_offsets_to_transaction with the consumer group metadata, KIP-447) once
// every record of the batch is acknowledged (see PollLoop).
struct TxnStatus {
  enum class Kind {
    kOk,
    kAbortable,  // the transaction must be aborted; the instance carries on
    kFatal,      // the producer is unusable (fenced, ...): the instance must exit
  };
  Kind kind = Kind::kOk;
  std::string error;
  bool ok() const { return kind == Kind::kOk; }
};

class Transactions {
 public:
  virtual ~Transactions() = default;
  virtual TxnStatus Begin() = 0;
  // Adds `offsets` (next offsets to read) to the transaction and commits it.
  virtual TxnStatus Commit(const std::vector<PartitionOffset>& offsets,
                           std::chrono::milliseconds timeout) = 0;
  virtual TxnStatus Abort(std::chrono::milliseconds timeout) = 0;
};

// What the Source reports about the group (called from inside Source::Poll/Close, on the poll
// thread).
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // `partitions` were added to this member's assignment (already assigned on the source, so
  // Pause() applies to them).
  virtual void OnAssigned(const std::vector<TopicPartition>& partitions) = 0;
  // `partitions` are being taken away (still assigned until this returns, so offsets can still
  // be committed). `lost`: the group already gave them to another member (session timeout,
  // fencing): nothing may be committed for them.
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) = 0;
};

// One result of Source::Poll.
struct Polled {
  enum class Kind {
    kRecord,   // `record` holds a consumed record (origin topic/partition/offset/timestamp set)
    kNothing,  // timeout, end of partition
    kError,    // a consumer error librdkafka recovers from by itself (logged)
    kFatal,    // a fatal consumer error: the instance must stop
  };
  Kind kind = Kind::kNothing;
  schemas::RawRecord record;
  std::string error;
};

class Source {
 public:
  virtual ~Source() = default;
  // Joins the group; rebalances are reported to `listener` from inside Poll().
  virtual Status Subscribe(const std::vector<std::string>& topics, RebalanceListener* listener) = 0;
  // Waits up to `timeout` for one record of a partition that is assigned and not paused.
  virtual Polled Poll(std::chrono::milliseconds timeout) = 0;
  virtual std::vector<TopicPartition> Assignment() = 0;
  virtual void Pause(const std::vector<TopicPartition>& partitions) = 0;
  virtual void Resume(const std::vector<TopicPartition>& partitions) = 0;
  // Moves the fetch position of `partitions` back to the group's committed offsets (used after
  // an aborted transaction, whose records must be read again).
  virtual Status SeekToCommitted(const std::vector<TopicPartition>& partitions,
                                 std::chrono::milliseconds timeout) = 0;
  // Leaves the group (the listener's OnRevoked runs inside) and stops consuming.
  virtual void Close() = 0;
};

}  // namespace newsflow::consumers
