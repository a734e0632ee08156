// The I/O seams of the runtime, in the manner of Redpanda's transform/io.h: the Engine (queue,
// workers, sequencer, offset tracking) talks to Kafka only through these interfaces, so its
// logic is unit-tested with fakes (tests/unit/consumers) and an exactly-once mode can later
// swap in a transactional sink + committer (send_offsets_to_transaction) without touching it.
//
//   source side:  KafkaRuntime's poll thread calls Engine::Assign/Dispatch/Revoke.
//   Sink:         hands messages to the producer; delivery reports come back through
//                 DeliveryListener::OnDelivery (librdkafka: the dr_cb on the producer poll
//                 thread).
//   OffsetCommitter: where completed offsets go (at-least-once: offsets_store + auto commit,
//                 explicit commitSync on revoke/shutdown).
#pragma once

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
};

// What the broker said about one message. Converted at the librdkafka boundary: librdkafka
// retries retriable errors itself (idempotent producer, until message.timeout.ms), so every
// error that reaches a delivery report is final for that message.
enum class DeliveryResult { kAcked, kFailed };

class DeliveryListener {
 public:
  virtual ~DeliveryListener() = default;
  // Exactly once per message a Sink accepted. `cookie` is what was passed to Produce().
  virtual void OnDelivery(void* cookie, std::string_view topic, DeliveryResult result,
                          std::string_view error) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Enqueues one message. While the producer queue is full it polls and retries (blocking the
  // caller: that is the back-pressure). OK: OnDelivery(cookie, ...) will follow exactly once.
  // Not OK: the message was not enqueued and never will be (fatal producer error).
  virtual Status Produce(OutMessage message, void* cookie) = 0;
  // Messages enqueued and not yet delivered.
  virtual int64_t QueueDepth() const = 0;
};

struct PartitionOffset {
  TopicPartition tp;
  int64_t offset = -1;  // next offset to read
};

class OffsetCommitter {
 public:
  virtual ~OffsetCommitter() = default;
  // A new committable offset (called from the delivery thread; must not block for long).
  virtual void Store(const TopicPartition& tp, int64_t next_offset) = 0;
  // Commits now, synchronously (revocation, shutdown).
  virtual Status Commit(const std::vector<PartitionOffset>& offsets) = 0;
};

}  // namespace newsflow::consumers
