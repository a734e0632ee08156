#include "consumers/kafka_runtime.h"

#include <librdkafka/rdkafkacpp.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

namespace newsflow::consumers {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<TopicPartition> Convert(const std::vector<RdKafka::TopicPartition*>& partitions) {
  std::vector<TopicPartition> out;
  out.reserve(partitions.size());
  for (const auto* p : partitions) out.push_back({p->topic(), p->partition()});
  return out;
}

// Owns librdkafka TopicPartition objects for one call.
struct PartitionList {
  std::vector<RdKafka::TopicPartition*> list;
  PartitionList() = default;
  PartitionList(PartitionList&& other) noexcept : list(std::move(other.list)) {}
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
  ~PartitionList() { RdKafka::TopicPartition::destroy(list); }
};

std::chrono::milliseconds Remaining(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

int ToTimeoutMs(std::chrono::milliseconds ms) { return static_cast<int>(ms.count()); }

}  // namespace

struct KafkaRuntime::Handles {
  // producer first: destroyed after the consumer.
  std::unique_ptr<RdKafka::Producer> producer;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::thread producer_poller;
  std::atomic<bool> poller_stop{false};

  void StopPoller() {
    poller_stop.store(true);
    if (producer_poller.joinable()) producer_poller.join();
  }
};

// Produce through the idempotent producer; retries on a full local queue.
class KafkaRuntime::KafkaSink final : public Sink {
 public:
  explicit KafkaSink(RdKafka::Producer* producer) : producer_(producer) {}

  core::Status Produce(OutMessage message, void* cookie) override {
    for (;;) {
      RdKafka::Headers* headers = RdKafka::Headers::create();
      for (const auto& h : message.headers) headers->add(h.key, h.value.data(), h.value.size());
      const RdKafka::ErrorCode err = producer_->produce(
          message.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          message.value.data(), message.value.size(), message.key ? message.key->data() : nullptr,
          message.key ? message.key->size() : 0, 0, headers, cookie);
      if (err == RdKafka::ERR_NO_ERROR) return core::Status::Ok();  // headers now owned by rdkafka
      delete headers;
      if (err == RdKafka::ERR__QUEUE_FULL) {
        // librdkafka's advice: serve delivery reports, then retry.
        producer_->poll(10);
        continue;
      }
      return core::Status(core::Code::kInternal, "produce",
                          "produce to " + message.topic + " failed: " + RdKafka::err2str(err));
    }
  }

  int64_t QueueDepth() const override { return producer_->outq_len(); }

 private:
  RdKafka::Producer* producer_;
};

namespace {

// The RawRecord of a consumed message: value, key, headers and origin, bytes unchanged.
core::RawRecord ToRawRecord(RdKafka::Message& msg) {
  core::RawRecord record;

  record.value.assign(static_cast<const char*>(msg.payload()), msg.len());
  if (msg.key_pointer() != nullptr) {
    record.key.emplace(static_cast<const char*>(msg.key_pointer()), msg.key_len());
  }
  if (RdKafka::Headers* headers = msg.headers()) {
    for (const auto& h : headers->get_all()) {
      record.headers.push_back(
          {h.key(), h.value() ? std::string(static_cast<const char*>(h.value()), h.value_size())
                              : std::string()});
    }
  }
  record.origin.kind = core::Origin::Kind::kKafka;
  record.origin.topic = msg.topic_name();
  record.origin.partition = msg.partition();
  record.origin.offset = msg.offset();
  record.origin.timestamp_ms = msg.timestamp().timestamp;
  return record;
}

}  // namespace

// Runs `call` on a helper thread and waits for it until `deadline`. Returns false when the
// deadline passed first: the call is then abandoned (left running, detached), and the caller
// must not destroy what it uses (KafkaRuntime sets abandoned_ and never destroys its handles;
// the process exits). This is how every blocking librdkafka call of the shutdown path
// (commitSync, close) gets a deadline: librdkafka has none of its own for them.
bool BoundedCall(std::function<void()> call, Clock::time_point deadline) {
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };
  auto state = std::make_shared<State>();
  std::thread t([state, call = std::move(call)] {
    call();
    std::lock_guard lock(state->mu);
    state->done = true;
    state->cv.notify_all();
  });
  std::unique_lock lock(state->mu);
  if (state->cv.wait_until(lock, deadline, [&] { return state->done; })) {
    lock.unlock();
    t.join();
    return true;
  }
  t.detach();
  return false;
}

class KafkaRuntime::KafkaCommitter final : public OffsetCommitter {
 public:
  KafkaCommitter(KafkaRuntime* runtime) : runtime_(runtime) {}
  void set_consumer(RdKafka::KafkaConsumer* consumer) { consumer_ = consumer; }

  void Store(const TopicPartition& tp, int64_t next_offset) override {
    PartitionList l;
    l.list.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition, next_offset));
    // ERR__STATE: the partition is no longer assigned; the new owner re-reads from the last
    // commit, so dropping this store is safe.
    (void)consumer_->offsets_store(l.list);
  }

  core::Status Commit(const std::vector<PartitionOffset>& offsets,
                      std::chrono::milliseconds timeout) override {
    Logger& log = *runtime_->options_.log;
    auto list = std::make_shared<PartitionList>();
    for (const auto& o : offsets) {
      list->list.push_back(RdKafka::TopicPartition::create(o.tp.topic, o.tp.partition, o.offset));
    }
    (void)consumer_->offsets_store(list->list);
    auto err = std::make_shared<std::atomic<int>>(RdKafka::ERR_NO_ERROR);
    RdKafka::KafkaConsumer* consumer = consumer_;
    const bool finished =
        BoundedCall([consumer, list, err] { err->store(consumer->commitSync(list->list)); },
                    Clock::now() + timeout);
    if (!finished) {
      runtime_->abandoned_.store(true);
      for (const auto& o : offsets) {
        log.Warn("commit timed out; records from the last committed offset will be re-delivered",
                 {{"topic", o.tp.topic},
                  {"partition", o.tp.partition},
                  {"offset", o.offset},
                  {"timeout_ms", static_cast<int64_t>(timeout.count())}});
      }
      return core::Status(core::Code::kInternal, "commit", "commit timed out");
    }
    const auto code = static_cast<RdKafka::ErrorCode>(err->load());
    if (code != RdKafka::ERR_NO_ERROR && code != RdKafka::ERR__NO_OFFSET) {
      log.Warn("commit failed", {{"error", RdKafka::err2str(code)}});
      return core::Status(core::Code::kInternal, "commit", RdKafka::err2str(code));
    }
    for (const auto& o : offsets) {
      log.Write(LogLevel::kDebug, "committed",
                {{"topic", o.tp.topic}, {"partition", o.tp.partition}, {"offset", o.offset}});
    }
    return core::Status::Ok();
  }

 private:
  KafkaRuntime* runtime_;
  RdKafka::KafkaConsumer* consumer_ = nullptr;
};

// The Source over a librdkafka KafkaConsumer (cooperative-sticky): rebalance callbacks are
// converted into RebalanceListener calls around incremental_(un)assign.
class KafkaRuntime::KafkaSource final : public Source, public RdKafka::RebalanceCb {
 public:
  explicit KafkaSource(Logger* log) : log_(log) {}
  void set_consumer(RdKafka::KafkaConsumer* consumer) { consumer_ = consumer; }

  core::Status Subscribe(const std::vector<std::string>& topics,
                         RebalanceListener* listener) override {
    listener_ = listener;
    const RdKafka::ErrorCode err = consumer_->subscribe(topics);
    if (err != RdKafka::ERR_NO_ERROR) {
      return core::Status(core::Code::kInvalidConfig, "kafka",
                          "subscribe failed: " + RdKafka::err2str(err));
    }
    return core::Status::Ok();
  }

  Polled Poll(std::chrono::milliseconds timeout) override {
    Polled out;
    std::unique_ptr<RdKafka::Message> msg(consumer_->consume(ToTimeoutMs(timeout)));
    const RdKafka::ErrorCode err = msg->err();
    if (err == RdKafka::ERR_NO_ERROR) {
      out.kind = Polled::Kind::kRecord;
      out.record = ToRawRecord(*msg);
    } else if (err == RdKafka::ERR__TIMED_OUT || err == RdKafka::ERR__PARTITION_EOF) {
      out.kind = Polled::Kind::kNothing;
    } else {
      // Retriable errors: librdkafka recovers by itself. Fatal ones also come through the
      // event callback.
      out.kind = err == RdKafka::ERR__FATAL ? Polled::Kind::kFatal : Polled::Kind::kError;
      out.error = msg->errstr();
    }
    return out;
  }

  std::vector<TopicPartition> Assignment() override {
    PartitionList l;
    if (consumer_->assignment(l.list) != RdKafka::ERR_NO_ERROR) return {};
    return Convert(l.list);
  }

  void Pause(const std::vector<TopicPartition>& partitions) override {
    PartitionList l = ToList(partitions);
    if (!l.list.empty()) (void)consumer_->pause(l.list);
  }

  void Resume(const std::vector<TopicPartition>& partitions) override {
    PartitionList l = ToList(partitions);
    if (!l.list.empty()) (void)consumer_->resume(l.list);
  }

  core::Status SeekToCommitted(const std::vector<TopicPartition>& partitions,
                               std::chrono::milliseconds timeout) override {
    PartitionList l = ToList(partitions);
    if (l.list.empty()) return core::Status::Ok();
    RdKafka::ErrorCode err = consumer_->committed(l.list, ToTimeoutMs(timeout));
    if (err != RdKafka::ERR_NO_ERROR) {
      return core::Status(core::Code::kInternal, "kafka",
                          "reading committed offsets failed: " + RdKafka::err2str(err));
    }
    for (RdKafka::TopicPartition* tp : l.list) {
      // No committed offset: the start (auto.offset.reset is earliest or rejected).
      if (tp->offset() < 0) tp->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
      err = consumer_->seek(*tp, ToTimeoutMs(timeout));
      if (err != RdKafka::ERR_NO_ERROR) {
        return core::Status(core::Code::kInternal, "kafka",
                            "seek of " + tp->topic() + "/" + std::to_string(tp->partition()) +
                                " failed: " + RdKafka::err2str(err));
      }
    }
    return core::Status::Ok();
  }

  void Close() override { consumer_->close(); }

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    const std::vector<TopicPartition> tps = Convert(partitions);
    RdKafka::Error* error = nullptr;
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        error = consumer->incremental_assign(partitions);
      } else {
        (void)consumer->assign(partitions);
      }
      if (listener_ != nullptr) listener_->OnAssigned(tps);
    } else {
      const bool lost = err != RdKafka::ERR__REVOKE_PARTITIONS || consumer->assignment_lost();
      if (err != RdKafka::ERR__REVOKE_PARTITIONS) {
        log_->Error("rebalance error", {{"error", RdKafka::err2str(err)}});
      }
      if (listener_ != nullptr) listener_->OnRevoked(tps, lost);
      if (cooperative) {
        error = consumer->incremental_unassign(partitions);
      } else {
        (void)consumer->unassign();
      }
    }
    if (error != nullptr) {
      log_->Error("incremental (un)assign failed", {{"error", error->str()}});
      delete error;
    }
  }

 private:
  static PartitionList ToList(const std::vector<TopicPartition>& partitions) {
    PartitionList l;
    for (const auto& tp : partitions) {
      l.list.push_back(RdKafka::TopicPartition::create(tp.topic, tp.partition));
    }
    return l;
  }

  Logger* log_;
  RdKafka::KafkaConsumer* consumer_ = nullptr;
  RebalanceListener* listener_ = nullptr;
};

class KafkaRuntime::Callbacks final : public RdKafka::EventCb, public RdKafka::DeliveryReportCb {
 public:
  explicit Callbacks(KafkaRuntime* runtime) : rt_(runtime) {}

  void event_cb(RdKafka::Event& event) override {
    Logger& log = *rt_->options_.log;
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        if (event.fatal()) {
          rt_->fatal_.store(true);
          log.Error("fatal kafka error",
                    {{"error", RdKafka::err2str(event.err())}, {"detail", event.str()}});
        } else if (event.err() == RdKafka::ERR__ALL_BROKERS_DOWN) {
          rt_->broker_up_.store(false);
          log.Warn("all brokers down", {{"detail", event.str()}});
        } else {
          log.Warn("kafka error",
                   {{"error", RdKafka::err2str(event.err())}, {"detail", event.str()}});
        }
        break;
      case RdKafka::Event::EVENT_STATS: {
        const std::string& json = event.str();
        if (AnyBrokerUp(json)) rt_->broker_up_.store(true);
        const bool consumer_stats = json.find("\"type\":\"consumer\"") != std::string::npos ||
                                    json.find("\"type\": \"consumer\"") != std::string::npos;
        if (rt_->options_.metrics && consumer_stats) {
          rt_->options_.metrics->ReplaceConsumerLags(ParseConsumerLag(json));
        }
        break;
      }
      case RdKafka::Event::EVENT_LOG: {
        const int severity = static_cast<int>(event.severity());
        const LogLevel level = severity <= 3   ? LogLevel::kError
                               : severity == 4 ? LogLevel::kWarn
                               : severity <= 6 ? LogLevel::kInfo
                                               : LogLevel::kDebug;
        log.Write(level, "librdkafka", {{"facility", event.fac()}, {"detail", event.str()}});
        break;
      }
      case RdKafka::Event::EVENT_THROTTLE:
        break;
    }
  }

  void dr_cb(RdKafka::Message& message) override {
    const bool ok = message.err() == RdKafka::ERR_NO_ERROR;
    if (!ok) {
      rt_->options_.log->Error("delivery failed; offset will not be committed",
                               {{"topic", message.topic_name()}, {"error", message.errstr()}});
    }
    rt_->engine_->OnDelivery(message.msg_opaque(), message.topic_name(),
                             ok ? DeliveryResult::kAcked : DeliveryResult::kFailed,
                             message.errstr());
  }

 private:
  KafkaRuntime* rt_;
};

KafkaRuntime::KafkaRuntime(RuntimeOptions options) : options_(std::move(options)) {}

core::Result<std::unique_ptr<KafkaRuntime>> KafkaRuntime::Create(RuntimeOptions options) {
  NEWSFLOW_ASSIGN_OR_RETURN(RdKafkaConfs confs, BuildRdKafkaConfs(options.kafka));
  std::unique_ptr<KafkaRuntime> rt(new KafkaRuntime(std::move(options)));
  rt->callbacks_ = std::make_unique<Callbacks>(rt.get());
  rt->source_ = std::make_unique<KafkaSource>(rt->options_.log);
  rt->handles_ = std::make_unique<Handles>();
  std::string errstr;
  auto set_cb = [&](RdKafka::Conf& conf, const char* name, auto* cb) -> core::Status {
    if (conf.set(name, cb, errstr) != RdKafka::Conf::CONF_OK) {
      return core::Status(core::Code::kInternal, "kafka", errstr);
    }
    return core::Status::Ok();
  };
  NEWSFLOW_RETURN_IF_ERROR(set_cb(*confs.producer, "dr_cb",
                                  static_cast<RdKafka::DeliveryReportCb*>(rt->callbacks_.get())));
  NEWSFLOW_RETURN_IF_ERROR(
      set_cb(*confs.producer, "event_cb", static_cast<RdKafka::EventCb*>(rt->callbacks_.get())));
  NEWSFLOW_RETURN_IF_ERROR(
      set_cb(*confs.consumer, "event_cb", static_cast<RdKafka::EventCb*>(rt->callbacks_.get())));
  NEWSFLOW_RETURN_IF_ERROR(set_cb(*confs.consumer, "rebalance_cb",
                                  static_cast<RdKafka::RebalanceCb*>(rt->source_.get())));

  rt->handles_->producer.reset(RdKafka::Producer::create(confs.producer.get(), errstr));
  if (!rt->handles_->producer) {
    return core::Status(core::Code::kInvalidConfig, "kafka", "cannot create producer: " + errstr);
  }
  rt->handles_->consumer.reset(RdKafka::KafkaConsumer::create(confs.consumer.get(), errstr));
  if (!rt->handles_->consumer) {
    return core::Status(core::Code::kInvalidConfig, "kafka", "cannot create consumer: " + errstr);
  }
  rt->source_->set_consumer(rt->handles_->consumer.get());
  rt->sink_ = std::make_unique<KafkaSink>(rt->handles_->producer.get());
  rt->committer_ = std::make_unique<KafkaCommitter>(rt.get());
  rt->committer_->set_consumer(rt->handles_->consumer.get());
  EngineOptions eo;
  eo.pipeline = rt->options_.pipeline;
  eo.clock = rt->options_.clock;
  eo.pipeline_version = rt->options_.version;
  eo.topics = rt->options_.kafka.output;
  eo.workers = static_cast<int>(rt->options_.kafka.workers);
  rt->engine_ =
      std::make_unique<Engine>(eo, rt->sink_.get(), rt->committer_.get(), rt->options_.metrics);
  PollLoopOptions lo;
  lo.queue_max_records = rt->options_.kafka.queue_max_records;
  lo.producer_max_messages = rt->options_.kafka.producer_max_messages;
  lo.revoke_timeout = std::chrono::milliseconds(rt->options_.kafka.revoke_timeout_ms);
  rt->loop_ = std::make_unique<PollLoop>(lo, rt->source_.get(), rt->engine_.get(), rt->sink_.get(),
                                         rt->options_.metrics, rt->options_.log);
  return rt;
}

KafkaRuntime::~KafkaRuntime() {
  if (abandoned_.load()) {
    // A librdkafka call of the shutdown path is still running on a detached thread (see
    // BoundedCall): destroying the handles under it would crash. The process is about to exit
    // (the caller checks abandoned()); leak them.
    (void)handles_.release();
    (void)engine_.release();
    (void)sink_.release();
    (void)committer_.release();
    (void)source_.release();
    (void)callbacks_.release();
    (void)loop_.release();
    return;
  }
  if (engine_) engine_->Stop();
  if (handles_) {
    if (handles_->consumer && !closed_.load()) handles_->consumer->close();
    if (handles_->producer) handles_->producer->flush(5000);
    handles_->StopPoller();
    handles_.reset();  // consumer, then producer
  }
  loop_.reset();
  engine_.reset();  // after the producer: late delivery reports call it
}

Readiness KafkaRuntime::readiness() const {
  if (stopping_.load()) return {false, "shutting down"};
  if (fatal_.load() || loop_->fatal()) return {false, "fatal kafka error"};
  if (engine_->failed()) return {false, "delivery failure: draining before exit"};
  if (!running_.load()) return {false, "not started"};
  if (!broker_up_.load()) return {false, "broker not reachable"};
  if (!loop_->assigned_once()) return {false, "waiting for partition assignment"};
  if (options_.taxonomy_loaded && !options_.taxonomy_loaded())
    return {false, "taxonomy not loaded"};
  return {true, "ready"};
}

EngineCounts KafkaRuntime::counts() const { return engine_->counts(); }

void KafkaRuntime::UpdateGauges() {
  if (!options_.metrics) return;
  options_.metrics->SetWorkQueue(static_cast<int64_t>(engine_->QueueSize()));
  options_.metrics->SetProducerQueue(sink_->QueueDepth());
  options_.metrics->SetReady(readiness().ready);
}

core::Status KafkaRuntime::Run(const std::atomic<bool>& stop) {
  Logger& log = *options_.log;
  RdKafka::Producer* producer = handles_->producer.get();
  handles_->producer_poller = std::thread([this, producer] {
    while (!handles_->poller_stop.load()) producer->poll(100);
  });
  engine_->Start();
  core::Status sub = source_->Subscribe(options_.kafka.input_topics, loop_.get());
  if (!sub.ok()) {
    Shutdown(Clock::now() + std::chrono::milliseconds(options_.kafka.shutdown_timeout_ms));
    return sub;
  }
  running_.store(true);
  log.Info("running", {{"brokers", options_.kafka.brokers},
                       {"group_id", options_.kafka.group_id},
                       {"workers", options_.kafka.workers}});
  auto last_gauges = Clock::now();
  while (!stop.load() && !fatal_.load() && !loop_->fatal() && !engine_->failed()) {
    if (loop_->Step() == Polled::Kind::kRecord) broker_up_.store(true, std::memory_order_relaxed);
    if (Clock::now() - last_gauges > std::chrono::milliseconds(500)) {
      UpdateGauges();
      last_gauges = Clock::now();
    }
  }
  const bool failed = fatal_.load() || loop_->fatal() || engine_->failed();
  stopping_.store(true);
  UpdateGauges();
  log.Info("stopping",
           {{"reason", failed ? "failure" : "signal"}, {"in_flight", engine_->InFlight()}});
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(options_.kafka.shutdown_timeout_ms);
  Shutdown(deadline);
  const EngineCounts c = engine_->counts();
  log.Info("stopped", {{"consumed", c.dispatched},
                       {"enriched", c.enriched},
                       {"dead_lettered", c.dead_lettered},
                       {"completed", c.completed},
                       {"delivery_failures", c.delivery_failures},
                       {"dropped_revoked", c.dropped_revoked},
                       {"dropped_unassigned", c.dropped_unassigned}});
  if (failed) {
    return core::Status(core::Code::kInternal, "kafka",
                        fatal_.load() || loop_->fatal()
                            ? "fatal Kafka error"
                            : "permanent delivery failure; uncommitted records will be "
                              "reprocessed by the group");
  }
  if (abandoned_.load()) {
    return core::Status(core::Code::kInternal, "kafka",
                        "shutdown deadline passed before the commit/close finished; uncommitted "
                        "records will be re-delivered");
  }
  return core::Status::Ok();
}

void KafkaRuntime::Shutdown(Clock::time_point deadline) {
  Logger& log = *options_.log;
  loop_->PauseAll();  // stop fetching
  const bool drained = engine_->Drain(Remaining(deadline));
  if (!drained) {
    log.Warn("shutdown timeout while draining; undelivered records will be reprocessed",
             {{"in_flight", engine_->InFlight()}});
  }
  core::Status commit = engine_->CommitAll(Remaining(deadline));
  if (!commit.ok()) log.Warn("final commit failed", {{"error", commit.message()}});
  // close() leaves the group; its revoke callback finds nothing in flight and commits again.
  RdKafka::KafkaConsumer* consumer = handles_->consumer.get();
  if (!abandoned_.load() && BoundedCall([consumer] { consumer->close(); }, deadline)) {
    closed_.store(true);
  } else {
    abandoned_.store(true);
    log.Warn(
        "consumer close did not finish before the shutdown deadline; the group will "
        "reassign the partitions after the session timeout",
        {{"shutdown_timeout_ms", options_.kafka.shutdown_timeout_ms}});
  }
  engine_->Stop();
  handles_->producer->flush(ToTimeoutMs(Remaining(deadline)));
  handles_->StopPoller();
  log.Info("closed", {{"drained", drained}});
}

}  // namespace newsflow::consumers
