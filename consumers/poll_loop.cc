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
                   EngineProbe* probe, Logger* log)
    : options_(options),
      source_(source),
      engine_(engine),
      sink_(sink),
      probe_(probe != nullptr ? probe : &null_probe_),
      log_(log) {}

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

Polled::Kind PollLoop::Step() {
  // Back-pressure from the workers: a full work queue holds the loop for a moment instead of
  // pausing the partitions (see the header comment).
  if (HoldForQueueRoom()) {
    Backpressure();
    return Polled::Kind::kNothing;
  }
  Polled polled = source_->Poll(paused_ ? options_.paused_poll_timeout : options_.poll_timeout);
  switch (polled.kind) {
    case Polled::Kind::kRecord: {
      const core::Origin& o = polled.record.origin;
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
        expected->second = o.offset + 1;
        engine_->Dispatch(std::move(polled.record));
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
  if (paused_) source_->Pause(partitions);
  assigned_once_.store(true);
  probe_->OnRebalance("assign");
  probe_->SetAssigned(static_cast<int64_t>(source_->Assignment().size()));
  log_->Info("partitions assigned", {{"count", static_cast<int64_t>(partitions.size())},
                                     {"partitions", DescribePartitions(partitions)}});
}

void PollLoop::OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) {
  for (const auto& tp : partitions) next_offset_.erase(tp);
  const auto start = Clock::now();
  const size_t left = engine_->Revoke(partitions, options_.revoke_timeout, lost);
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
