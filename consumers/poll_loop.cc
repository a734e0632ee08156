#include "consumers/poll_loop.h"

#include <thread>
#include <utility>

namespace newsflow::consumers {

std::string DescribePartitions(const std::vector<TopicPartition>& partitions) {
  std::string s;
  for (const auto& tp : partitions) {
    if (!s.empty()) s += ",";
    s += tp.ToString();
  }
  return s;
}

PollLoop::PollLoop(PollLoopOptions options, Source* source, Engine* engine, Sink* sink,
                   EngineProbe* probe, Logger* log, Transactions* transactions)
    : options_(options),
      txn_(transactions),
      source_(source),
      engine_(engine),
      sink_(sink),
      probe_(probe != nullptr ? probe : &null_probe_),
      log_(log) {
  Beat();
}

bool PollLoop::HoldForQueueRoom() {
  const auto queue = static_cast<int64_t>(engine_->QueueSize());
  if (queue < options_.queue_max_records) {
    full_since_.reset();
    return false;
  }
  if (paused_) return false;  // paused: poll (nothing arrives) to keep serving events
  const auto now = Clock::now();
  if (!full_since_) full_since_ = now;
  if (now - *full_since_ >= options_.max_hold) return false;  // Backpressure() pauses now
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void PollLoop::PauseAll() {
  source_->Pause(source_->Assignment());
  if (!paused_) {
    paused_ = true;
    probe_->SetPaused(true);
  }
}

void PollLoop::Backpressure() {
  const int64_t queue = static_cast<int64_t>(engine_->QueueSize());
  const int64_t depth = sink_->QueueDepth();
  const int64_t qmax = options_.queue_max_records;
  const int64_t pmax = options_.producer_max_messages;
  // A full work queue alone first only holds the loop (HoldForQueueRoom()); it pauses once
  // that has lasted max_hold. A backed-up producer pauses at once.
  const bool queue_stuck = full_since_ && Clock::now() - *full_since_ >= options_.max_hold;
  if (!paused_ && ((queue >= qmax && queue_stuck) || depth >= pmax)) {
    PauseAll();
  } else if (paused_ && queue <= qmax / 2 && depth <= pmax / 2) {
    source_->Resume(source_->Assignment());
    paused_ = false;
    probe_->SetPaused(false);
  }
}

void PollLoop::Beat() {
  heartbeat_ms_.store(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
          .count());
}

void PollLoop::BeginTransaction() {
  TxnStatus status = txn_->Begin();
  if (!status.ok()) {
    log_->Error("begin_transaction failed", {{"error", status.error}});
    fatal_.store(true);
    return;
  }
  txn_open_ = true;
  txn_records_ = 0;
  txn_start_ = Clock::now();
}

void PollLoop::Rewind(const std::string& why) {
  const std::vector<TopicPartition> assigned = source_->Assignment();
  // Forget the batch: no commit (lost=true), queued records dropped, late failures of these
  // partitions count as dropped (engine.h).
  (void)engine_->Revoke(assigned, std::chrono::milliseconds(0), /*lost=*/true);
  for (const auto& tp : assigned) next_offset_.erase(tp);
  engine_->Assign(assigned);
  Status seek = source_->SeekToCommitted(assigned, options_.transaction_timeout);
  if (!seek.ok()) {
    log_->Error("cannot rewind after an aborted transaction", {{"error", seek.message()}});
    fatal_.store(true);
    return;
  }
  log_->Warn("transaction aborted; the batch is read again from the committed offsets",
             {{"reason", why}, {"partitions", DescribePartitions(assigned)}});
}

bool PollLoop::EndTransaction(bool commit) {
  if (txn_ == nullptr || !txn_open_) return true;
  txn_open_ = false;
  const auto start = txn_start_;
  auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  std::string why = "requested";
  if (commit) {
    const bool drained = engine_->Drain(options_.transaction_timeout);
    if (!drained) {
      why = "records not acknowledged within the transaction timeout";
    } else if (engine_->failed()) {
      why = "a delivery failed";
    } else {
      TxnStatus status = txn_->Commit(engine_->CommittableOffsets(), options_.transaction_timeout);
      if (status.ok()) {
        probe_->OnTransaction(true, seconds());
        return true;
      }
      if (status.kind == TxnStatus::Kind::kFatal) {
        log_->Error("fatal transaction error; exiting for a restart", {{"error", status.error}});
        fatal_.store(true);
        return false;
      }
      why = "commit failed: " + status.error;
    }
  }
  TxnStatus aborted = txn_->Abort(options_.transaction_timeout);
  probe_->OnTransaction(false, seconds());
  if (aborted.kind == TxnStatus::Kind::kFatal || aborted.kind == TxnStatus::Kind::kAbortable) {
    log_->Error("abort_transaction failed; exiting for a restart", {{"error", aborted.error}});
    fatal_.store(true);
    return false;
  }
  // The aborted outputs are purged; their delivery reports land on revoked partitions.
  Rewind(why);
  (void)engine_->Drain(options_.transaction_timeout);
  engine_->ResetFailures();
  return false;
}

Polled::Kind PollLoop::Step() {
  Beat();
  if (txn_open_ &&
      (txn_records_ >= options_.transaction_max_records ||
       Clock::now() - txn_start_ >= options_.transaction_interval || engine_->failed())) {
    EndTransaction(true);
    if (fatal_.load()) return Polled::Kind::kFatal;
  }
  // Back-pressure from the workers: a full work queue holds the loop for a moment instead of
  // pausing the partitions (see the header comment).
  if (HoldForQueueRoom()) {
    Backpressure();
    return Polled::Kind::kNothing;
  }
  Polled polled = source_->Poll(paused_ ? options_.paused_poll_timeout : options_.poll_timeout);
  switch (polled.kind) {
    case Polled::Kind::kRecord: {
      const schemas::Origin& o = polled.record.origin;
      auto [expected, inserted] = next_offset_.try_emplace({o.topic, o.partition}, o.offset);
      if (!inserted && o.offset < expected->second) {
        // A rewound fetch position: this record was already dispatched (see next_offset_).
        probe_->OnRedeliverySkipped();
        if (rewound_skipped_++ % 1000 == 0) {
          log_->Warn("skipping records re-delivered after a fetch rewind",
                     {{"topic", o.topic},
                      {"partition", o.partition},
                      {"offset", o.offset},
                      {"expected", expected->second},
                      {"skipped_so_far", rewound_skipped_}});
        }
      } else {
        if (txn_ != nullptr && !txn_open_) BeginTransaction();
        if (fatal_.load()) break;
        expected->second = o.offset + 1;
        engine_->Dispatch(std::move(polled.record));
        ++txn_records_;
      }
      break;
    }
    case Polled::Kind::kNothing:
      break;
    case Polled::Kind::kError:
      // Retriable: the source recovers by itself.
      log_->Warn("consume error", {{"error", polled.error}});
      break;
    case Polled::Kind::kFatal:
      log_->Error("fatal consume error", {{"error", polled.error}});
      fatal_.store(true);
      break;
  }
  Backpressure();
  return polled.kind;
}

void PollLoop::OnAssigned(const std::vector<TopicPartition>& partitions) {
  // A (re)assigned partition starts from wherever the group says (committed offset).
  for (const auto& tp : partitions) next_offset_.erase(tp);
  engine_->Assign(partitions);
  // librdkafka keeps a partition's pause flag across revocation and re-assignment, and a
  // Resume() of the whole assignment while the partitions were away (lost, revoked) never
  // reached them: set the flag of every newly assigned partition to the loop's state.
  if (paused_) {
    source_->Pause(partitions);
  } else {
    source_->Resume(partitions);
  }
  assigned_once_.store(true);
  lost_.store(false);
  Beat();
  probe_->OnRebalance("assign");
  probe_->SetAssigned(static_cast<int64_t>(source_->Assignment().size()));
  log_->Info("partitions assigned", {{"count", static_cast<int64_t>(partitions.size())},
                                     {"partitions", DescribePartitions(partitions)}});
}

void PollLoop::OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) {
  // exactly_once: every output of the open transaction is committed with its offsets while
  // the partitions are still ours; lost ones cannot be committed (abort and rewind).
  EndTransaction(/*commit=*/!lost);
  for (const auto& tp : partitions) next_offset_.erase(tp);
  const auto start = Clock::now();
  if (lost) lost_.store(true);
  const size_t left = engine_->Revoke(partitions, options_.revoke_timeout, lost);
  Beat();
  probe_->OnRebalance(lost ? "lost" : "revoke");
  for (const auto& tp : partitions) probe_->RemoveConsumerLag(tp.topic, tp.partition);
  const int64_t remaining =
      static_cast<int64_t>(source_->Assignment().size()) - static_cast<int64_t>(partitions.size());
  probe_->SetAssigned(remaining > 0 ? remaining : 0);
  log_->Info(
      lost ? "partitions lost" : "partitions revoked",
      {{"count", static_cast<int64_t>(partitions.size())},
       {"partitions", DescribePartitions(partitions)},
       {"in_flight_abandoned", static_cast<int64_t>(left)},
       {"drain_ms",
        static_cast<int64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count())}});
}

}  // namespace newsflow::consumers
