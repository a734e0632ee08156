#include "tests/testing/kafka_fakes.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <thread>
#include <utility>

#include "processors/core/registry.h"
#include "processors/core/stage.h"

namespace newsflow::testing {

using consumers::OutMessage;
using consumers::PartitionOffset;
using consumers::Polled;

consumers::EngineOptions FakeEngineOptions(const core::Pipeline* pipeline, const core::Clock* clock,
                                           int workers) {
  consumers::EngineOptions o;
  o.pipeline = pipeline;
  o.clock = clock;
  o.workers = workers;
  o.topics = {"enriched", "alerts", "dlq"};
  return o;
}

// ---------------------------------------------------------------------------- FakeCommitter --

void FakeCommitter::Store(const TopicPartition& tp, int64_t next_offset) {
  std::lock_guard lock(mu_);
  auto& slot = stored_[tp];
  if (next_offset <= slot) ++backward_stores_;
  slot = next_offset;
}

Status FakeCommitter::Commit(const std::vector<PartitionOffset>& offsets,
                             std::chrono::milliseconds) {
  std::lock_guard lock(mu_);
  ++commit_calls_;
  for (const auto& o : offsets) committed_[o.tp] = o.offset;
  return Status::Ok();
}

int64_t FakeCommitter::stored(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = stored_.find(tp);
  return it == stored_.end() ? 0 : it->second;
}

std::map<TopicPartition, int64_t> FakeCommitter::committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

int64_t FakeCommitter::backward_stores() const {
  std::lock_guard lock(mu_);
  return backward_stores_;
}

int FakeCommitter::commit_calls() const {
  std::lock_guard lock(mu_);
  return commit_calls_;
}

// --------------------------------------------------------------------------------- FakeSink --

Status FakeSink::Produce(OutMessage message, void* cookie) {
  std::lock_guard lock(mu_);
  if (fail_produce_) return Status(Code::kInternal, "produce", "fatal");
  if (max_bytes_ > 0 && static_cast<int64_t>(message.value.size()) > max_bytes_) {
    return Status(Code::kTooLarge, "produce", "Broker: Message size too large");
  }
  sent_.push_back({std::move(message), cookie});
  return Status::Ok();
}

int64_t FakeSink::QueueDepth() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(sent_.size() - acked_);
}

void FakeSink::AckAll(consumers::DeliveryListener& listener, const std::string& fail) {
  std::vector<Sent> batch;
  {
    std::lock_guard lock(mu_);
    batch.assign(sent_.begin() + static_cast<std::ptrdiff_t>(acked_), sent_.end());
    acked_ = sent_.size();
  }
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
    const bool failed = !fail.empty() && it->message.value.find(fail) != std::string::npos;
    consumers::DeliveryReport report;
    report.topic = it->message.topic;
    report.partition = 0;
    report.result = failed ? consumers::DeliveryResult::kFailed : consumers::DeliveryResult::kAcked;
    report.failure = failed ? failure_ : consumers::DeliveryFailure::kNone;
    report.error = failed ? "boom" : "";
    listener.OnDelivery(it->cookie, report);
  }
}

std::vector<OutMessage> FakeSink::Messages() const {
  std::lock_guard lock(mu_);
  std::vector<OutMessage> out;
  out.reserve(sent_.size());
  for (const auto& s : sent_) out.push_back(s.message);
  return out;
}

size_t FakeSink::size() const {
  std::lock_guard lock(mu_);
  return sent_.size();
}

void FakeSink::set_failure(consumers::DeliveryFailure failure) {
  std::lock_guard lock(mu_);
  failure_ = failure;
}

void FakeSink::set_max_bytes(int64_t max_bytes) {
  std::lock_guard lock(mu_);
  max_bytes_ = max_bytes;
}

void FakeSink::set_fail_produce(bool fail) {
  std::lock_guard lock(mu_);
  fail_produce_ = fail;
}

void FakeSink::set_serve_listener(consumers::DeliveryListener* listener) {
  std::lock_guard lock(mu_);
  serve_listener_ = listener;
}

void FakeSink::ServeDeliveries() {
  consumers::DeliveryListener* listener = nullptr;
  {
    std::lock_guard lock(mu_);
    if (serve_listener_ == nullptr || acked_ == sent_.size()) return;
    listener = serve_listener_;
    ++serving_calls_;
    std::ifstream comm("/proc/thread-self/comm");
    std::string name;
    std::getline(comm, name);
    serving_threads_.insert(name);
  }
  AckAll(*listener);
}

int64_t FakeSink::serving_calls() const {
  std::lock_guard lock(mu_);
  return serving_calls_;
}

std::set<std::string> FakeSink::serving_threads() const {
  std::lock_guard lock(mu_);
  return serving_threads_;
}

// ------------------------------------------------------------------------------- FakeSource --

schemas::RawRecord KafkaRecord(const std::string& topic, int32_t partition, int64_t offset,
                               std::string value) {
  schemas::RawRecord r;
  r.value = std::move(value);
  r.key = "k-" + r.value;
  r.headers = {{"content-type", "application/json"}};
  r.origin.kind = schemas::Origin::Kind::kKafka;
  r.origin.topic = topic;
  r.origin.partition = partition;
  r.origin.offset = offset;
  r.origin.timestamp_ms = 1000;
  return r;
}

int64_t FakeSource::Append(const TopicPartition& tp, std::string value) {
  std::lock_guard lock(mu_);
  auto& log = logs_[tp];
  const auto offset = static_cast<int64_t>(log.size());
  log.push_back(KafkaRecord(tp.topic, tp.partition, offset, std::move(value)));
  return offset;
}

void FakeSource::ScheduleAssign(std::vector<TopicPartition> partitions) {
  std::lock_guard lock(mu_);
  events_.push_back({Event::Kind::kAssign, std::move(partitions), false, ""});
}

void FakeSource::ScheduleRevoke(std::vector<TopicPartition> partitions, bool lost) {
  std::lock_guard lock(mu_);
  events_.push_back({Event::Kind::kRevoke, std::move(partitions), lost, ""});
}

void FakeSource::ScheduleError(std::string error, bool fatal) {
  std::lock_guard lock(mu_);
  events_.push_back({Event::Kind::kError, {}, fatal, std::move(error)});
}

void FakeSource::Rewind(const TopicPartition& tp, int64_t offset) {
  std::lock_guard lock(mu_);
  auto it = positions_.find(tp);
  if (it != positions_.end()) it->second = offset;
}

std::set<TopicPartition> FakeSource::paused() const {
  std::lock_guard lock(mu_);
  return paused_;
}

int FakeSource::pause_calls() const {
  std::lock_guard lock(mu_);
  return pause_calls_;
}

int FakeSource::resume_calls() const {
  std::lock_guard lock(mu_);
  return resume_calls_;
}

int64_t FakeSource::position(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = positions_.find(tp);
  return it == positions_.end() ? -1 : it->second;
}

int64_t FakeSource::StartOffset(const TopicPartition& tp) const {
  if (committer_ == nullptr) return 0;
  const auto committed = committer_->committed();
  auto it = committed.find(tp);
  return it == committed.end() ? 0 : it->second;
}

Status FakeSource::Subscribe(const std::vector<std::string>&,
                             consumers::RebalanceListener* listener) {
  std::lock_guard lock(mu_);
  listener_ = listener;
  return Status::Ok();
}

Polled FakeSource::Poll(std::chrono::milliseconds timeout) {
  Polled out;
  std::unique_lock lock(mu_);
  if (!events_.empty()) {
    Event event = std::move(events_.front());
    events_.pop_front();
    switch (event.kind) {
      case Event::Kind::kAssign:
        for (const auto& tp : event.partitions) positions_[tp] = StartOffset(tp);
        lock.unlock();  // the listener calls back into Pause()/Assignment()
        if (listener_ != nullptr) listener_->OnAssigned(event.partitions);
        return out;
      case Event::Kind::kRevoke:
        lock.unlock();  // still assigned while the listener runs
        if (listener_ != nullptr) listener_->OnRevoked(event.partitions, event.flag);
        lock.lock();
        // As librdkafka does, the pause flag stays with the partition (see PollLoop).
        for (const auto& tp : event.partitions) positions_.erase(tp);
        return out;
      case Event::Kind::kError:
        out.kind = event.flag ? Polled::Kind::kFatal : Polled::Kind::kError;
        out.error = event.error;
        return out;
    }
  }
  // Round robin over assigned, unpaused partitions with records left.
  std::vector<TopicPartition> ready;
  for (const auto& [tp, position] : positions_) {
    auto log = logs_.find(tp);
    if (!paused_.contains(tp) && log != logs_.end() &&
        position < static_cast<int64_t>(log->second.size())) {
      ready.push_back(tp);
    }
  }
  if (ready.empty()) {
    lock.unlock();
    std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(1)));
    return out;
  }
  const TopicPartition& tp = ready[next_partition_++ % ready.size()];
  int64_t& position = positions_[tp];
  out.kind = Polled::Kind::kRecord;
  out.record = logs_[tp][static_cast<size_t>(position)];
  ++position;
  return out;
}

std::vector<TopicPartition> FakeSource::Assignment() {
  std::lock_guard lock(mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, position] : positions_) out.push_back(tp);
  return out;
}

void FakeSource::Pause(const std::vector<TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  ++pause_calls_;
  for (const auto& tp : partitions) paused_.insert(tp);
}

void FakeSource::Resume(const std::vector<TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  ++resume_calls_;
  for (const auto& tp : partitions) paused_.erase(tp);
}

bool FakeSource::PausedFlag(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  return paused_.contains(tp);
}

Status FakeSource::SeekToCommitted(const std::vector<TopicPartition>& partitions,
                                   std::chrono::milliseconds) {
  std::lock_guard lock(mu_);
  for (const auto& tp : partitions) {
    if (positions_.contains(tp)) positions_[tp] = StartOffset(tp);
  }
  return Status::Ok();
}

void FakeSource::Close() {
  std::vector<TopicPartition> assigned = Assignment();
  if (listener_ != nullptr && !assigned.empty()) listener_->OnRevoked(assigned, false);
  std::lock_guard lock(mu_);
  positions_.clear();
  paused_.clear();
}

// ------------------------------------------------------------------------ FakeTransactions --

consumers::TxnStatus FakeTransactions::Begin() {
  std::lock_guard lock(mu_);
  ++begun_;
  begin_index_ = sink_->size();
  return {};
}

consumers::TxnStatus FakeTransactions::Commit(const std::vector<PartitionOffset>& offsets,
                                              std::chrono::milliseconds timeout) {
  std::lock_guard lock(mu_);
  if (next_commit_ != consumers::TxnStatus::Kind::kOk) {
    consumers::TxnStatus failed{next_commit_, "injected commit failure"};
    next_commit_ = consumers::TxnStatus::Kind::kOk;
    return failed;
  }
  ++committed_;
  const std::vector<OutMessage> all = sink_->Messages();
  visible_.insert(visible_.end(), all.begin() + static_cast<std::ptrdiff_t>(begin_index_),
                  all.end());
  (void)committer_->Commit(offsets, timeout);
  return {};
}

consumers::TxnStatus FakeTransactions::Abort(std::chrono::milliseconds) {
  std::lock_guard lock(mu_);
  ++aborted_;
  return {};
}

void FakeTransactions::FailNextCommit(consumers::TxnStatus::Kind kind) {
  std::lock_guard lock(mu_);
  next_commit_ = kind;
}

std::vector<OutMessage> FakeTransactions::Visible() const {
  std::lock_guard lock(mu_);
  return visible_;
}

int FakeTransactions::begun() const {
  std::lock_guard lock(mu_);
  return begun_;
}

int FakeTransactions::committed() const {
  std::lock_guard lock(mu_);
  return committed_;
}

int FakeTransactions::aborted() const {
  std::lock_guard lock(mu_);
  return aborted_;
}

// ------------------------------------------------------------------------- Gate, pipeline --

void Gate::Close() {
  std::lock_guard lock(mu_);
  open_ = false;
}

void Gate::Open() {
  {
    std::lock_guard lock(mu_);
    open_ = true;
  }
  cv_.notify_all();
}

void Gate::Wait() const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return open_; });
}

namespace {

class FakeStage final : public core::Stage {
 public:
  explicit FakeStage(const Gate* gate) : gate_(gate) {}
  std::string_view Name() const override { return "fake"; }
  Status Process(core::Document& doc, const core::StageContext&) const override {
    if (gate_ != nullptr) gate_->Wait();
    const std::string& v = doc.raw->value;
    std::this_thread::sleep_for(std::chrono::microseconds((std::hash<std::string>{}(v) % 7) * 100));
    if (doc.raw->null_value) return Status(Code::kMalformed, "decode", "tombstone");
    if (v.rfind("bad", 0) == 0) {
      return Status(Code::kMalformed, "decode", "not an article");
    }
    doc.article.id = v.substr(0, 64);
    // A JSON object stands for an enriched event itself (size-limit tests).
    doc.outputs.push_back(
        {schemas::Output::Kind::kEnriched, doc.article.id, v.rfind('{', 0) == 0 ? v : "out:" + v});
    if (v.find("alert") != std::string::npos) {
      doc.outputs.push_back({schemas::Output::Kind::kAlert, v, "alert:" + v});
    }
    return Status::Ok();
  }

 private:
  const Gate* gate_;
};

}  // namespace

std::unique_ptr<core::Pipeline> FakePipeline(const Gate* gate) {
  core::StageRegistry registry;
  Status added = registry.Add(
      "fake",
      [gate](const YAML::Node&, const std::string&) -> Result<std::unique_ptr<core::Stage>> {
        return std::unique_ptr<core::Stage>(new FakeStage(gate));
      });
  if (!added.ok()) return nullptr;
  YAML::Node config = YAML::Load("stages: [fake]");
  auto pipeline = core::Pipeline::Create(registry, config);
  if (!pipeline.ok()) return nullptr;
  return std::move(pipeline).value();
}

}  // namespace newsflow::testing
