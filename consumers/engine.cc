#include "consumers/engine.h"

#include <cassert>
#include <utility>

#include "consumers/headers.h"

namespace newsflow::consumers {

struct Engine::Partition {
  TopicPartition tp;
  // Guarded by Engine::mu_.
  OffsetTracker tracker;
  uint64_t next_seq = 0;
  int64_t last_stored = -1;
  int64_t failed = 0;  // records whose delivery failed (never complete)
  bool revoked = false;
  std::atomic<bool> dropped{false};  // revoked: workers drop its queued records
  // Guarded by release_mu: results waiting for their turn, and the hand-over to the sink.
  std::mutex release_mu;
  Sequencer<Processed> sequencer;
};

// One input record in flight: lives from release to the sink until its last delivery report.
struct Engine::Record {
  std::shared_ptr<Partition> partition;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;
  bool tracked = true;
  std::atomic<int> pending{0};
  std::atomic<bool> failed{false};
};

struct Engine::Processed {
  std::unique_ptr<Record> record;
  std::vector<OutMessage> messages;
};

struct Engine::WorkItem {
  std::shared_ptr<Partition> partition;
  uint64_t seq = 0;
  bool tracked = true;
  core::RawRecord record;
};

Engine::Engine(EngineOptions options, Sink* sink, OffsetCommitter* committer, EngineProbe* probe)
    : options_(std::move(options)),
      sink_(sink),
      committer_(committer),
      probe_(probe != nullptr ? probe : &null_probe_) {
  assert(options_.clock != nullptr);
}

Engine::~Engine() { Stop(); }

void Engine::Start() {
  std::lock_guard lock(queue_mu_);
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void Engine::Stop() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

std::shared_ptr<Engine::Partition> Engine::FindOrCreate(const TopicPartition& tp) {
  auto& slot = partitions_[tp];
  if (!slot) {
    slot = std::make_shared<Partition>();
    slot->tp = tp;
  }
  return slot;
}

void Engine::Assign(const std::vector<TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  for (const auto& tp : partitions) FindOrCreate(tp);
}

void Engine::Dispatch(core::RawRecord record) {
  WorkItem item;
  {
    std::lock_guard lock(mu_);
    auto it = partitions_.find({record.origin.topic, record.origin.partition});
    if (it == partitions_.end()) {
      // Not assigned (a stale message after a revoke): processing it could store an offset
      // past records the new owner has not processed. The owner re-reads it.
      ++counts_.dropped_unassigned;
      return;
    }
    item.partition = it->second;
    item.tracked = item.partition->tracker.Begin(record.origin.offset);
    // The first offset seen is where the group's committed position already is.
    if (item.tracked && item.partition->last_stored < 0) {
      item.partition->last_stored = record.origin.offset;
    }
    item.seq = item.partition->next_seq++;
    ++counts_.dispatched;
    ++in_flight_;
  }
  probe_->OnConsumed(record.origin.topic);
  item.record = std::move(record);
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(std::move(item));
  }
  queue_cv_.notify_one();
}

void Engine::WorkerLoop() {
  for (;;) {
    WorkItem item;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left
      item = std::move(queue_.front());
      queue_.pop_front();
      ++busy_workers_;
    }
    Partition& partition = *item.partition;
    if (partition.dropped.load()) {
      std::lock_guard release(partition.release_mu);
      DropLocked(partition, 1);
    } else {
      Processed processed;
      processed.record = std::make_unique<Record>();
      processed.record->partition = item.partition;
      processed.record->offset = item.record.origin.offset;
      processed.record->timestamp_ms = item.record.origin.timestamp_ms;
      processed.record->tracked = item.tracked;
      const core::RawRecord& raw = item.record;
      if (options_.pipeline == nullptr) {
        processed.messages.push_back({options_.topics.enriched, raw.key, raw.value, raw.headers});
        std::lock_guard lock(mu_);
        ++counts_.enriched;
      } else {
        const core::StageContext ctx{options_.clock, options_.pipeline_version};
        core::Outcome outcome = options_.pipeline->Process(raw, ctx, probe_);
        if (outcome.ok()) {
          const int64_t now = options_.clock->NowMs();
          for (auto& output : outcome.outputs) {
            std::string topic;
            switch (output.kind) {
              case core::Output::Kind::kEnriched:
                topic = options_.topics.enriched;
                break;
              case core::Output::Kind::kAlert:
                topic = options_.topics.alerts;
                break;
              case core::Output::Kind::kStory:  // issue 14: story states (compacted topic)
                topic = options_.topics.stories;
                break;
            }
            std::vector<core::Header> headers = OutputHeaders(raw, output, now);
            processed.messages.push_back(
                {std::move(topic), output.key, std::move(output.value), std::move(headers)});
          }
          std::lock_guard lock(mu_);
          ++counts_.enriched;
        } else {
          probe_->OnDeadLettered(raw.origin.topic, outcome.status);
          processed.messages.push_back({options_.topics.dead_letter, raw.key, raw.value,
                                        DeadLetterHeaders(raw, outcome.status, outcome.id)});
          std::lock_guard lock(mu_);
          ++counts_.dead_lettered;
        }
      }
      Release(partition, item.seq, std::move(processed));
    }
    {
      std::lock_guard lock(queue_mu_);
      --busy_workers_;
    }
    progress_cv_.notify_all();
  }
}

void Engine::DropLocked(Partition& partition, int64_t records) {
  // Everything waiting in the sequencer belongs to the dropped partition too; without this,
  // results queued behind a dropped record would wait forever and block Drain().
  records += static_cast<int64_t>(partition.sequencer.Clear());
  {
    std::lock_guard lock(mu_);
    counts_.dropped_revoked += records;
    in_flight_ -= records;
  }
  progress_cv_.notify_all();
}

void Engine::Release(Partition& partition, uint64_t seq, Processed processed) {
  std::lock_guard release(partition.release_mu);
  if (partition.dropped.load()) {
    DropLocked(partition, 1);
    return;
  }
  const bool added = partition.sequencer.Add(seq, std::move(processed));
  assert(added);
  (void)added;
  for (Processed& ready : partition.sequencer.TakeReady()) {
    Record* record = ready.record.release();  // owned by its deliveries from here on
    const int n = static_cast<int>(ready.messages.size());
    // +1 guard so a fast delivery report cannot finish the record while we still enqueue.
    record->pending.store(n + 1);
    for (auto& message : ready.messages) {
      core::Status status = sink_->Produce(std::move(message), record);
      if (!status.ok()) {
        record->failed.store(true);
        FinishMessage(record);  // this message will never be reported
      }
    }
    FinishMessage(record);  // the guard
  }
}

void Engine::OnDelivery(void* cookie, std::string_view topic, DeliveryResult result,
                        std::string_view /*error*/) {
  Record* record = static_cast<Record*>(cookie);
  switch (result) {
    case DeliveryResult::kAcked:
      probe_->OnProduced(topic);
      break;
    case DeliveryResult::kFailed:
      probe_->OnDeliveryFailed(topic);
      record->failed.store(true);
      break;
  }
  FinishMessage(record);
}

void Engine::FinishMessage(Record* record) {
  if (record->pending.fetch_sub(1) != 1) return;
  std::unique_ptr<Record> owned(record);
  Partition& partition = *owned->partition;
  std::optional<int64_t> store;
  {
    std::lock_guard lock(mu_);
    if (owned->failed.load()) {
      ++partition.failed;
      ++failed_records_;
      ++counts_.delivery_failures;
      failed_.store(true);
    } else {
      ++counts_.completed;
      --in_flight_;
      if (owned->tracked) partition.tracker.Complete(owned->offset);
      std::optional<int64_t> committable = partition.tracker.Committable();
      if (!partition.revoked && committable && *committable > partition.last_stored) {
        partition.last_stored = *committable;
        store = committable;
      }
    }
  }
  if (store) committer_->Store(partition.tp, *store);
  if (!owned->failed.load() && owned->timestamp_ms >= 0) {
    probe_->OnEndToEnd(static_cast<double>(options_.clock->NowMs() - owned->timestamp_ms) / 1000.0);
  }
  progress_cv_.notify_all();
}

size_t Engine::Revoke(const std::vector<TopicPartition>& partitions,
                      std::chrono::milliseconds timeout, bool lost) {
  std::vector<std::shared_ptr<Partition>> states;
  std::vector<PartitionOffset> offsets;
  size_t left = 0;
  {
    std::unique_lock lock(mu_);
    for (const auto& tp : partitions) {
      auto it = partitions_.find(tp);
      if (it != partitions_.end()) states.push_back(it->second);
    }
    if (lost) {
      // Lost (session timeout): another member may already own them; do not wait.
      for (auto& s : states) s->dropped.store(true);
      timeout = std::chrono::milliseconds(0);
    }
    auto drained = [&] {
      for (auto& s : states) {
        if (static_cast<int64_t>(s->tracker.InFlight()) > s->failed) return false;
      }
      return true;
    };
    progress_cv_.wait_for(lock, timeout, drained);
    for (auto& s : states) {
      left += s->tracker.InFlight();
      s->revoked = true;
      s->dropped.store(true);
      std::optional<int64_t> committable = s->tracker.Committable();
      if (!lost && committable) offsets.push_back({s->tp, *committable});
      partitions_.erase(s->tp);
    }
  }
  if (!offsets.empty()) (void)committer_->Commit(offsets);
  return left;
}

bool Engine::Drain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool queue_idle = false;
    {
      std::lock_guard lock(queue_mu_);
      queue_idle = queue_.empty() && busy_workers_ == 0;
    }
    {
      std::unique_lock lock(mu_);
      if (queue_idle && in_flight_ <= failed_records_) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      progress_cv_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
}

core::Status Engine::CommitAll() {
  std::vector<PartitionOffset> offsets;
  {
    std::lock_guard lock(mu_);
    for (auto& [tp, state] : partitions_) {
      std::optional<int64_t> committable = state->tracker.Committable();
      if (committable) offsets.push_back({tp, *committable});
    }
  }
  if (offsets.empty()) return core::Status::Ok();
  return committer_->Commit(offsets);
}

size_t Engine::QueueSize() const {
  std::lock_guard lock(queue_mu_);
  return queue_.size();
}

int64_t Engine::InFlight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

EngineCounts Engine::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

std::vector<TopicPartition> Engine::Assigned() const {
  std::lock_guard lock(mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : partitions_) out.push_back(tp);
  return out;
}

}  // namespace newsflow::consumers
