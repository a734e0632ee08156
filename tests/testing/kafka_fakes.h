// Fakes of the runtime's I/O seams (consumers/io.h), for any test of the Engine, the PollLoop or
// code built on them: no broker, deterministic, thread-safe.
//
//   FakeSource     partitions as in-memory logs; rebalances and errors are scripted and
//                  reported to the RebalanceListener from inside the next Poll(), as
//                  librdkafka does; Pause/Resume are honoured and, as in librdkafka, a
//                  partition keeps its pause flag across revocation; Rewind() imitates librdkafka's
//                  fetch rewind; SeekToCommitted() reads a FakeCommitter.
//   FakeSink       records what was produced; deliveries are reported only when the test calls
//                  AckAll() (optionally failing some, with a chosen DeliveryFailure), so "in
//                  flight" is under the test's control, or, with set_serve_listener(), whenever
//                  the Engine calls ServeDeliveries(); Produce() can be made to fail outright
//                  or to refuse values above a size.
//   FakeCommitter  stored and committed offsets per partition (stores must only move forward).
//   FakePipeline   one stage: tombstones and values starting with "bad" are dead-lettered
//                  (malformed); others give one enriched output keyed by the value's first 64
//                  bytes: "out:<value>", or the value itself when it is a JSON object (starts
//                  with '{'), plus an alert when the value contains "alert". It sleeps a
//                  value-dependent few hundred microseconds so workers finish out of order, and
//                  waits on an optional Gate (to fill the work queue on purpose).
//
// Ownership: a FakeSink owns nothing; the cookies it holds belong to the Engine until they are
// acknowledged, so a test must AckAll() before destroying the Engine (Engine::Stop first).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "consumers/engine.h"
#include "consumers/io.h"
#include "processors/core/pipeline.h"

namespace newsflow::testing {

using consumers::TopicPartition;

class FakeCommitter final : public consumers::OffsetCommitter {
 public:
  void Store(const TopicPartition& tp, int64_t next_offset) override;
  Status Commit(const std::vector<consumers::PartitionOffset>& offsets,
                std::chrono::milliseconds timeout) override;
  int64_t stored(const TopicPartition& tp) const;  // 0 when nothing was stored
  std::map<TopicPartition, int64_t> committed() const;
  // Stored offsets that went backwards (always 0 for a correct Engine).
  int64_t backward_stores() const;
  int commit_calls() const;

 private:
  mutable std::mutex mu_;
  std::map<TopicPartition, int64_t> stored_;
  std::map<TopicPartition, int64_t> committed_;
  int64_t backward_stores_ = 0;
  int commit_calls_ = 0;
};

class FakeSink final : public consumers::Sink {
 public:
  Status Produce(consumers::OutMessage message, void* cookie) override;
  int64_t QueueDepth() const override;
  // Reports every message not yet reported (in reverse order, to exercise out-of-order
  // completion): failed when its value contains `fail` (non-empty), else acknowledged.
  void AckAll(consumers::DeliveryListener& listener, const std::string& fail = "");
  std::vector<consumers::OutMessage> Messages() const;
  size_t size() const;
  void set_fail_produce(bool fail);
  // The failure AckAll() reports for failed messages (default kOther).
  void set_failure(consumers::DeliveryFailure failure);
  // Produce() refuses values above this many bytes with kTooLarge (0: no limit).
  void set_max_bytes(int64_t max_bytes);
  // ServeDeliveries() acknowledges every message not yet reported to `listener` (null: does
  // nothing, the default), as librdkafka's poll(0) serves the reports that have arrived.
  void ServeDeliveries() override;
  void set_serve_listener(consumers::DeliveryListener* listener);
  // ServeDeliveries() calls that reported at least one message, and the names of the threads
  // that made them (/proc/thread-self/comm).
  int64_t serving_calls() const;
  std::set<std::string> serving_threads() const;

 private:
  struct Sent {
    consumers::OutMessage message;
    void* cookie;
  };
  mutable std::mutex mu_;
  std::vector<Sent> sent_;
  size_t acked_ = 0;
  bool fail_produce_ = false;
  consumers::DeliveryFailure failure_ = consumers::DeliveryFailure::kOther;
  int64_t max_bytes_ = 0;
  consumers::DeliveryListener* serve_listener_ = nullptr;
  int64_t serving_calls_ = 0;
  std::set<std::string> serving_threads_;
};

class FakeSource final : public consumers::Source {
 public:
  // `committer` (optional) gives the starting position of assigned partitions and serves
  // SeekToCommitted(); without it partitions start at offset 0.
  explicit FakeSource(const FakeCommitter* committer = nullptr) : committer_(committer) {}

  // Test side (any thread). Appends a record at the partition's next offset (returned); the
  // key is "k-<value>", one header content-type: application/json.
  int64_t Append(const TopicPartition& tp, std::string value);
  // The next Poll() reports these (in call order) to the listener instead of a record.
  void ScheduleAssign(std::vector<TopicPartition> partitions);
  void ScheduleRevoke(std::vector<TopicPartition> partitions, bool lost);
  void ScheduleError(std::string error, bool fatal);
  // Moves a partition's fetch position back (librdkafka 2.0's rewind after pause/resume).
  void Rewind(const TopicPartition& tp, int64_t offset);
  std::set<TopicPartition> paused() const;
  // The pause flag of a partition, assigned or not (librdkafka keeps it across revocation).
  bool PausedFlag(const TopicPartition& tp) const;
  int pause_calls() const;
  int resume_calls() const;
  int64_t position(const TopicPartition& tp) const;

  // consumers::Source.
  Status Subscribe(const std::vector<std::string>& topics,
                   consumers::RebalanceListener* listener) override;
  consumers::Polled Poll(std::chrono::milliseconds timeout) override;
  std::vector<TopicPartition> Assignment() override;
  void Pause(const std::vector<TopicPartition>& partitions) override;
  void Resume(const std::vector<TopicPartition>& partitions) override;
  Status SeekToCommitted(const std::vector<TopicPartition>& partitions,
                         std::chrono::milliseconds timeout) override;
  void Close() override;

 private:
  struct Event {
    enum class Kind { kAssign, kRevoke, kError } kind;
    std::vector<TopicPartition> partitions;
    bool flag = false;  // lost / fatal
    std::string error;
  };
  int64_t StartOffset(const TopicPartition& tp) const;

  const FakeCommitter* committer_;
  consumers::RebalanceListener* listener_ = nullptr;
  mutable std::mutex mu_;
  std::map<TopicPartition, std::vector<schemas::RawRecord>> logs_;
  std::map<TopicPartition, int64_t> positions_;  // assigned partitions -> next offset
  std::set<TopicPartition> paused_;
  std::deque<Event> events_;
  size_t next_partition_ = 0;  // round robin over assigned partitions
  int pause_calls_ = 0;
  int resume_calls_ = 0;
};

// exactly_once fake: transactions over a FakeSink and a FakeCommitter. Messages produced
// between Begin() and Commit() become "visible" (what a read_committed reader sees) on Commit,
// together with the offsets (written to the FakeCommitter); Abort() discards them. The next
// Commit() can be made to fail (abortable or fatal).
class FakeTransactions final : public consumers::Transactions {
 public:
  FakeTransactions(FakeSink* sink, FakeCommitter* committer) : sink_(sink), committer_(committer) {}
  consumers::TxnStatus Begin() override;
  consumers::TxnStatus Commit(const std::vector<consumers::PartitionOffset>& offsets,
                              std::chrono::milliseconds timeout) override;
  consumers::TxnStatus Abort(std::chrono::milliseconds timeout) override;
  void FailNextCommit(consumers::TxnStatus::Kind kind);
  std::vector<consumers::OutMessage> Visible() const;
  int begun() const;
  int committed() const;
  int aborted() const;

 private:
  FakeSink* sink_;
  FakeCommitter* committer_;
  mutable std::mutex mu_;
  size_t begin_index_ = 0;
  std::vector<consumers::OutMessage> visible_;
  consumers::TxnStatus::Kind next_commit_ = consumers::TxnStatus::Kind::kOk;
  int begun_ = 0, committed_ = 0, aborted_ = 0;
};

// Blocks FakePipeline's stage while closed.
class Gate {
 public:
  void Close();
  void Open();
  void Wait() const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool open_ = true;
};

// See the header comment. `gate` (optional) must outlive the pipeline.
std::unique_ptr<core::Pipeline> FakePipeline(const Gate* gate = nullptr);

// Engine options of the tests: `pipeline`, `clock`, `workers`, and the output topics
// "enriched", "alerts", "dlq".
consumers::EngineOptions FakeEngineOptions(const core::Pipeline* pipeline, const core::Clock* clock,
                                           int workers);

// A consumed record as a Source would return it (key "k-<value>", content-type header).
schemas::RawRecord KafkaRecord(const std::string& topic, int32_t partition, int64_t offset,
                               std::string value);

}  // namespace newsflow::testing
