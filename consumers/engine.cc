#include "consumers/engine.h"

#include <algorithm>
#include <cassert>
#include <optional>
#include <string>
#include <utility>

#include "consumers/output_limits.h"
#include "consumers/thread_name.h"
#include "schemas/cloudevents.h"
#include "schemas/dead_letter.h"

namespace newsflow::consumers {

std::string_view DeliveryFailureName(DeliveryFailure failure) {
  switch (failure) {
    case DeliveryFailure::kNone:
      return "none";
    case DeliveryFailure::kTooLarge:
      return "too_large";
    case DeliveryFailure::kUnknownTopic:
      return "unknown_topic";
    case DeliveryFailure::kTimedOut:
      return "timed_out";
    case DeliveryFailure::kFatal:
      return "fatal";
    case DeliveryFailure::kOther:
      return "other";
  }
  return "other";
}

namespace {
// A revocation commit gets at least this long even when the drain used up the revoke timeout.
constexpr std::chrono::milliseconds kMinCommitTimeout{2000};
// The bound of a dead letter the broker refused as too large (its topic limit is unknown).
constexpr int64_t kMinimalDeadLetterBytes = 64 * 1024;
}  // namespace

struct Engine::Partition {
  TopicPartition tp;
  // Guarded by Engine::mu_.
  OffsetTracker tracker;
  uint64_t next_seq = 0;
  int64_t last_stored = -1;
  int64_t failed = 0;  // records whose delivery failed (never complete)
  bool revoked = false;
  std::atomic<bool> dropped{false};  // revoked: workers drop its queued records
  // Guarded by store_mu: the last offset handed to OffsetCommitter::Store. Two threads finishing
  // records of one partition decide their offsets in order under Engine::mu_ but call Store
  // after releasing it (Store allocates and takes librdkafka's locks), so the later decision can
  // reach Store first; the earlier one is then skipped here instead of moving the stored offset
  // back (which a commit in between would make a committed step back: re-delivery).
  std::mutex store_mu;
  int64_t last_written = -1;
  // Guarded by release_mu: results waiting for their turn, and the hand-over to the sink.
  std::mutex release_mu;
  Sequencer<Processed> sequencer;
};

// One input record in flight: lives from release to the sink until its last delivery report.
struct Engine::Record {
  std::shared_ptr<Partition> partition;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;
  // Latency phases (LatencyPhases): wall ms at dispatch, steady times of each hand-over.
  int64_t dispatched_ms = -1;
  std::chrono::steady_clock::time_point dispatched, started, processed, released;
  bool tracked = true;
  std::atomic<int> pending{0};
  std::atomic<bool> failed{false};
  // The input, kept for a re-route to the dead-letter path (see OnDelivery).
  schemas::RawRecord raw;
  std::string article_id;
  // Re-route state: touched by one thread at a time (the delivery thread, then the worker that
  // produces the dead letter, then the delivery thread again).
  bool rerouted = false;
  bool dead_letter_refused = false;
  std::string reroute_reason;
};

struct Engine::Processed {
  std::unique_ptr<Record> record;
  std::vector<OutMessage> messages;
};

struct Engine::WorkItem {
  std::shared_ptr<Partition> partition;
  uint64_t seq = 0;
  bool tracked = true;
  schemas::RawRecord record;
  Record* reroute = nullptr;   // set: produce this in-flight record's dead letter instead
  int64_t dispatched_ms = -1;  // clock ms when the poll loop dispatched it
  std::chrono::steady_clock::time_point dispatched;
};

Engine::Engine(EngineOptions options, Sink* sink, OffsetCommitter* committer, EngineProbe* probe)
    : options_(std::move(options)),
      sink_(sink),
      committer_(committer),
      probe_(probe != nullptr ? probe : &null_probe_) {
  assert(options_.clock != nullptr);
  busy_since_ = std::make_unique<std::atomic<int64_t>[]>(static_cast<size_t>(options_.workers));
  for (int i = 0; i < options_.workers; ++i) busy_since_[static_cast<size_t>(i)].store(0);
  for (const std::string* topic :
       {&options_.topics.enriched, &options_.topics.alerts, &options_.topics.dead_letter}) {
    health_.emplace(*topic, std::make_unique<TopicHealth>());
  }
}

namespace {
int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Engine::TopicHealth& Engine::Health(std::string_view topic) {
  auto it = health_.find(topic);
  return it == health_.end() ? other_health_ : *it->second;
}

void Engine::BeforeProduce(std::string_view topic) {
  TopicHealth& h = Health(topic);
  if (h.pending.fetch_add(1) == 0) h.progress_ms.store(SteadyMs());
}

void Engine::AfterDelivery(std::string_view topic, bool acked) {
  TopicHealth& h = Health(topic);
  if (acked) h.progress_ms.store(SteadyMs());
  h.pending.fetch_sub(1);
}

std::optional<std::string> Engine::Stalled(std::chrono::milliseconds after) const {
  const int64_t now = SteadyMs();
  for (const auto& [topic, h] : health_) {
    const int64_t pending = h->pending.load();
    const int64_t idle = now - h->progress_ms.load();
    if (pending > 0 && idle >= after.count()) {
      return topic + ": " + std::to_string(pending) +
             " messages waiting, no acknowledgement from the broker for " + std::to_string(idle) +
             " ms";
    }
  }
  return std::nullopt;
}

Engine::~Engine() { Stop(); }

void Engine::Start() {
  std::lock_guard lock(queue_mu_);
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) {
    busy_since_[static_cast<size_t>(i)].store(0);
    workers_.emplace_back([this, i] { WorkerLoop(i); });
  }
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

void Engine::Dispatch(schemas::RawRecord record) {
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
  item.dispatched_ms = options_.clock->NowMs();
  item.dispatched = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(std::move(item));
  }
  queue_cv_.notify_one();
}

OutMessage Engine::DeadLetter(const schemas::RawRecord& raw, const Status& status,
                              std::string_view article_id) const {
  OutMessage m{options_.topics.dead_letter, raw.key, raw.value,
               schemas::DeadLetterHeaders({raw, status, article_id, options_.clock->NowMs()})};
  m.null_value = raw.null_value;
  return m;
}

void Engine::ApplyLimits(const schemas::RawRecord& raw, std::string_view article_id,
                         std::vector<OutMessage>* messages, bool* dead_lettered) {
  const int64_t limit = options_.max_message_bytes;
  std::string too_large;  // why the record must be dead-lettered instead
  for (auto& m : *messages) {
    if (m.topic == options_.topics.dead_letter) continue;
    const int64_t size = MessageSize(m);
    if (size <= limit) continue;
    if (m.topic == options_.topics.enriched) {
      if (std::optional<std::string> reduced = ReduceEnrichedEvent(m.value)) {
        const std::string original = std::exchange(m.value, std::move(*reduced));
        if (MessageSize(m) <= limit) {
          probe_->OnReduced(m.topic);
          if (options_.log != nullptr) {
            options_.log->Warn("enriched event too large; produced in its reduced form",
                               {{"topic", raw.origin.topic},
                                {"partition", raw.origin.partition},
                                {"offset", raw.origin.offset},
                                {"key", raw.key.value_or("")},
                                {"bytes", size},
                                {"reduced_bytes", MessageSize(m)},
                                {"limit", limit}});
          }
          continue;
        }
        m.value = original;
      }
    }
    too_large = "output to " + m.topic + " is " + std::to_string(size) +
                " bytes, above the producer limit (kafka.producer message.max.bytes) of " +
                std::to_string(limit) +
                (m.topic == options_.topics.enriched ? " even in its reduced form" : "");
    break;
  }
  if (!too_large.empty()) {
    messages->clear();
    const Status why(Code::kTooLarge, "produce", too_large);
    probe_->OnDeadLettered(raw.origin.topic, why);
    messages->push_back(DeadLetter(raw, why, article_id));
    *dead_lettered = true;
  }
  for (auto& m : *messages) {
    if (m.topic == options_.topics.dead_letter) m = BoundDeadLetter(std::move(m), limit);
  }
}

void Engine::Process(WorkItem& item, Processed* processed) {
  processed->record = std::make_unique<Record>();
  Record& record = *processed->record;
  record.partition = item.partition;
  record.offset = item.record.origin.offset;
  record.timestamp_ms = item.record.origin.timestamp_ms;
  record.tracked = item.tracked;
  record.dispatched_ms = item.dispatched_ms;
  record.dispatched = item.dispatched;
  record.started = std::chrono::steady_clock::now();
  const schemas::RawRecord& raw = item.record;
  std::vector<OutMessage>& messages = processed->messages;
  bool dead_lettered = false;
  std::string article_id;
  if (options_.pipeline == nullptr) {
    OutMessage m{options_.topics.enriched, raw.key, raw.value, raw.headers};
    m.null_value = raw.null_value;
    messages.push_back(std::move(m));
  } else {
    const core::StageContext ctx{options_.clock, options_.pipeline_version};
    core::Outcome outcome = options_.pipeline->Process(raw, ctx, probe_);
    article_id = outcome.id;
    if (outcome.ok()) {
      const int64_t now = options_.clock->NowMs();
      for (auto& output : outcome.outputs) {
        std::string topic;
        switch (output.kind) {
          case schemas::Output::Kind::kEnriched:
            topic = options_.topics.enriched;
            break;
          case schemas::Output::Kind::kAlert:
            topic = options_.topics.alerts;
            break;
          case schemas::Output::Kind::kStory:  // story states (news.stories, compacted)
            topic = options_.topics.stories;
            break;
        }
        std::vector<schemas::Header> headers = schemas::OutputHeaders(raw, output, now);
        messages.push_back(
            {std::move(topic), output.key, std::move(output.value), std::move(headers)});
      }
    } else {
      probe_->OnDeadLettered(raw.origin.topic, outcome.status);
      messages.push_back(DeadLetter(raw, outcome.status, outcome.id));
      dead_lettered = true;
    }
  }
  ApplyLimits(raw, article_id, &messages, &dead_lettered);
  {
    std::lock_guard lock(mu_);
    ++(dead_lettered ? counts_.dead_lettered : counts_.enriched);
  }
  // Kept until the record completes: a broker that rejects an output as too large re-routes
  // the record to the dead-letter path (OnDelivery), which needs the original bytes.
  record.article_id = std::move(article_id);
  record.raw = std::move(item.record);
  record.processed = std::chrono::steady_clock::now();
}

void Engine::Reroute(Record* record) {
  const Status why(Code::kTooLarge, "produce", record->reroute_reason);
  probe_->OnDeadLettered(record->raw.origin.topic, why);
  OutMessage m = DeadLetter(record->raw, why, record->article_id);
  // A dead letter the broker itself refused as too large gets a small prefix the second time.
  m = BoundDeadLetter(std::move(m), record->dead_letter_refused ? kMinimalDeadLetterBytes
                                                                : options_.max_message_bytes);
  {
    std::lock_guard lock(mu_);
    ++counts_.dead_lettered;
    ++counts_.rerouted;
  }
  if (options_.log != nullptr) {
    options_.log->Warn("output refused as too large; record re-routed to the dead-letter topic",
                       {{"topic", record->raw.origin.topic},
                        {"partition", record->raw.origin.partition},
                        {"offset", record->raw.origin.offset},
                        {"key", record->raw.key.value_or("")},
                        {"reason", record->reroute_reason}});
  }
  BeforeProduce(options_.topics.dead_letter);
  Status status = sink_->Produce(std::move(m), record);
  if (!status.ok()) {
    AfterDelivery(options_.topics.dead_letter, false);
    ReportProduceError(*record, options_.topics.dead_letter, status);
    record->failed.store(true);
    FinishMessage(record);
  }
}

void Engine::WorkerLoop(int index) {
  SetCurrentThreadName("nf-worker-" + std::to_string(index));
  std::atomic<int64_t>& busy_since = busy_since_[static_cast<size_t>(index)];
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
    if (item.reroute != nullptr) {
      Reroute(item.reroute);
    } else if (item.partition->dropped.load()) {
      std::lock_guard release(item.partition->release_mu);
      DropLocked(*item.partition, 1);
    } else {
      Processed processed;
      busy_since.store(SteadyMs());
      Process(item, &processed);
      busy_since.store(0);
      Release(*item.partition, item.seq, std::move(processed));
    }
    {
      std::lock_guard lock(queue_mu_);
      --busy_workers_;
    }
    progress_cv_.notify_all();
    // Acknowledgements of earlier records, while this thread is awake anyway (io.h).
    sink_->ServeDeliveries();
  }
}

void Engine::EnqueueReroute(Record* record, std::string reason) {
  record->reroute_reason = std::move(reason);
  WorkItem item;
  item.reroute = record;
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(std::move(item));
  }
  queue_cv_.notify_one();
}

void Engine::ReportProduceError(const Record& record, std::string_view topic,
                                const Status& status) {
  const DeliveryFailure failure =
      status.code() == Code::kTooLarge ? DeliveryFailure::kTooLarge : DeliveryFailure::kFatal;
  probe_->OnDeliveryFailed(topic, DeliveryFailureName(failure));
  if (options_.log != nullptr) {
    options_.log->Error("produce failed; offset will not be committed",
                        {{"output_topic", topic},
                         {"topic", record.raw.origin.topic},
                         {"partition", record.raw.origin.partition},
                         {"offset", record.offset},
                         {"key", record.raw.key.value_or("")},
                         {"reason", DeliveryFailureName(failure)},
                         {"error", status.message()}});
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
    record->released = std::chrono::steady_clock::now();
    const int n = static_cast<int>(ready.messages.size());
    // +1 guard so a fast delivery report cannot finish the record while we still enqueue.
    record->pending.store(n + 1);
    for (auto& message : ready.messages) {
      const bool is_dead_letter = message.topic == options_.topics.dead_letter;
      std::string topic = message.topic;
      BeforeProduce(topic);
      Status status = sink_->Produce(std::move(message), record);
      if (status.ok()) continue;
      AfterDelivery(topic, false);
      if (status.code() == Code::kTooLarge && !is_dead_letter && !record->rerouted) {
        // The size check (MessageSize) should have caught it; librdkafka counts differently.
        record->rerouted = true;
        EnqueueReroute(record, status.message());  // the dead letter replaces this message
        continue;
      }
      ReportProduceError(*record, topic, status);
      record->failed.store(true);
      FinishMessage(record);  // this message will never be reported
    }
    FinishMessage(record);  // the guard
  }
}

void Engine::OnDelivery(void* cookie, const DeliveryReport& report) {
  Record* record = static_cast<Record*>(cookie);
  AfterDelivery(report.topic, report.result == DeliveryResult::kAcked);
  switch (report.result) {
    case DeliveryResult::kAcked:
      probe_->OnProduced(report.topic);
      break;
    case DeliveryResult::kFailed: {
      const bool is_dead_letter = report.topic == options_.topics.dead_letter;
      if (report.failure == DeliveryFailure::kTooLarge) {
        // The record, not the cluster, is at fault (the topic's max.message.bytes is below
        // the producer's limit): dead-letter it instead of stopping the partition.
        probe_->OnDeliveryFailed(report.topic, DeliveryFailureName(report.failure));
        if (!is_dead_letter && record->rerouted) {
          FinishMessage(record);  // another output already re-routed the record
          return;
        }
        if (!is_dead_letter || !record->dead_letter_refused) {
          if (is_dead_letter) record->dead_letter_refused = true;
          record->rerouted = true;
          EnqueueReroute(record, "output to " + std::string(report.topic) +
                                     " refused by the broker: " + std::string(report.error));
          return;  // the dead letter replaces this message: pending stays
        }
      }
      probe_->OnDeliveryFailed(report.topic, DeliveryFailureName(report.failure));
      if (options_.log != nullptr) {
        options_.log->Error("delivery failed; offset will not be committed",
                            {{"output_topic", report.topic},
                             {"output_partition", report.partition},
                             {"topic", record->raw.origin.topic},
                             {"partition", record->raw.origin.partition},
                             {"offset", record->offset},
                             {"key", record->raw.key.value_or("")},
                             {"reason", DeliveryFailureName(report.failure)},
                             {"error", report.error}});
      }
      record->failed.store(true);
      break;
    }
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
    if (owned->failed.load() && partition.revoked) {
      // Its partition is gone (revoked, lost, or rewound after an aborted transaction): the
      // new owner (or the rewind) reads the record again from the committed offset, so this
      // failure (often a purge by abort_transaction) loses nothing and stops nothing.
      ++counts_.dropped_revoked;
      --in_flight_;
    } else if (owned->failed.load()) {
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
  if (store) {
    std::lock_guard lock(partition.store_mu);
    if (*store > partition.last_written) {
      partition.last_written = *store;
      committer_->Store(partition.tp, *store);
    }
  }
  if (!owned->failed.load() && owned->timestamp_ms >= 0) {
    probe_->OnEndToEnd(static_cast<double>(options_.clock->NowMs() - owned->timestamp_ms) / 1000.0);
    if (owned->dispatched_ms >= 0 && !owned->rerouted) {
      using Seconds = std::chrono::duration<double>;
      LatencyPhases phases;
      phases.consume =
          static_cast<double>(std::max<int64_t>(0, owned->dispatched_ms - owned->timestamp_ms)) /
          1000.0;
      phases.queue = Seconds(owned->started - owned->dispatched).count();
      phases.process = Seconds(owned->processed - owned->started).count();
      phases.order = Seconds(owned->released - owned->processed).count();
      phases.produce = Seconds(std::chrono::steady_clock::now() - owned->released).count();
      probe_->OnLatencyPhases(phases);
    }
  }
  progress_cv_.notify_all();
}

size_t Engine::Revoke(const std::vector<TopicPartition>& partitions,
                      std::chrono::milliseconds timeout, bool lost) {
  std::vector<std::shared_ptr<Partition>> states;
  std::vector<PartitionOffset> offsets;
  std::vector<std::shared_ptr<Partition>> fenced;  // offsets[k]'s partition
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
      if (!lost && committable) {
        offsets.push_back({s->tp, *committable});
        fenced.push_back(s);
      }
      partitions_.erase(s->tp);
    }
  }
  for (size_t k = 0; k < fenced.size(); ++k) FenceStores(*fenced[k], offsets[k].offset);
  if (!offsets.empty()) (void)committer_->Commit(offsets, std::max(timeout, kMinCommitTimeout));
  return left;
}

bool Engine::Drain(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // The last acknowledgements are served here rather than at the delivery thread's next
    // round (kafka_runtime.cc), so a drain (shutdown, exactly_once commit) ends as soon as the
    // broker has answered. Before the queue check: a report may re-route a record (a new work
    // item).
    sink_->ServeDeliveries();
    bool queue_idle = false;
    {
      std::lock_guard lock(queue_mu_);
      queue_idle = queue_.empty() && busy_workers_ == 0;
    }
    std::unique_lock lock(mu_);
    if (queue_idle && in_flight_ <= failed_records_) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    progress_cv_.wait_for(lock, std::chrono::milliseconds(1));
  }
}

std::vector<PartitionOffset> Engine::CommittableOffsets() const {
  std::vector<PartitionOffset> offsets;
  std::lock_guard lock(mu_);
  for (const auto& [tp, state] : partitions_) {
    std::optional<int64_t> committable = state->tracker.Committable();
    if (committable) offsets.push_back({tp, *committable});
  }
  return offsets;
}

void Engine::ResetFailures() {
  std::lock_guard lock(mu_);
  in_flight_ -= failed_records_;
  failed_records_ = 0;
  failed_.store(false);
}

void Engine::FenceStores(Partition& partition, int64_t offset) {
  // A Store() decided before the caller's commit offset (under mu_) is either done, under way
  // (this waits for it) or not begun (it will see last_written and skip): none lands after the
  // commit's own store of `offset`, which would take the stored offset back.
  std::lock_guard lock(partition.store_mu);
  partition.last_written = std::max(partition.last_written, offset);
}

Status Engine::CommitAll(std::chrono::milliseconds timeout) {
  std::vector<PartitionOffset> offsets;
  std::vector<std::shared_ptr<Partition>> states;
  {
    std::lock_guard lock(mu_);
    for (auto& [tp, state] : partitions_) {
      std::optional<int64_t> committable = state->tracker.Committable();
      if (committable) {
        offsets.push_back({tp, *committable});
        states.push_back(state);
      }
    }
  }
  if (offsets.empty()) return Status::Ok();
  for (size_t k = 0; k < states.size(); ++k) FenceStores(*states[k], offsets[k].offset);
  return committer_->Commit(offsets, timeout);
}

std::optional<std::string> Engine::Wedged(std::chrono::milliseconds after) const {
  if (!busy_since_) return std::nullopt;
  const int64_t now = SteadyMs();
  for (int i = 0; i < options_.workers; ++i) {
    const int64_t since = busy_since_[static_cast<size_t>(i)].load();
    if (since != 0 && now - since >= after.count()) {
      return "worker " + std::to_string(i) + " has been processing one record for " +
             std::to_string(now - since) + " ms";
    }
  }
  return std::nullopt;
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
