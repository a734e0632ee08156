#include "consumers/kafka_runtime.h"

#include <librdkafka/rdkafkacpp.h>

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

  Status Produce(OutMessage message, void* cookie) override {
    for (;;) {
      RdKafka::Headers* headers = RdKafka::Headers::create();
      for (const auto& h : message.headers) headers->add(h.key, h.value.data(), h.value.size());
      const RdKafka::ErrorCode err = producer_->produce(
          message.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          message.value.data(), message.value.size(), message.key ? message.key->data() : nullptr,
          message.key ? message.key->size() : 0, 0, headers, cookie);
      if (err == RdKafka::ERR_NO_ERROR) return Status::Ok();  // headers now owned by rdkafka
      delete headers;
      if (err == RdKafka::ERR__QUEUE_FULL) {
        // librdkafka's advice: serve delivery reports, then retry.
        producer_->poll(10);
        continue;
      }
      return Status(Code::kInternal, "produce",
                    "produce to " + message.topic + " failed: " + RdKafka::err2str(err));
    }
  }

  int64_t QueueDepth() const override { return producer_->outq_len(); }

 private:
  RdKafka::Producer* producer_;
};

namespace {

// The RawRecord of a consumed message: value, key, headers and origin, bytes unchanged.
schemas::RawRecord ToRawRecord(RdKafka::Message& msg) {
  schemas::RawRecord record;

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
  record.origin.kind = schemas::Origin::Kind::kKafka;
  record.origin.topic = msg.topic_name();
  record.origin.partition = msg.partition();
  record.origin.offset = msg.offset();
  record.origin.timestamp_ms = msg.timestamp().timestamp;
  return record;
}

}  // namespace

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

  Status Commit(const std::vector<PartitionOffset>& offsets) override {
    PartitionList l;
    for (const auto& o : offsets) {
      l.list.push_back(RdKafka::TopicPartition::create(o.tp.topic, o.tp.partition, o.offset));
    }
    (void)consumer_->offsets_store(l.list);
    const RdKafka::ErrorCode err = consumer_->commitSync(l.list);
    if (err != RdKafka::ERR_NO_ERROR && err != RdKafka::ERR__NO_OFFSET) {
      runtime_->options_.log->Warn("commit failed", {{"error", RdKafka::err2str(err)}});
      return Status(Code::kInternal, "commit", RdKafka::err2str(err));
    }
    for (const auto& o : offsets) {
      runtime_->options_.log->Write(
          LogLevel::kDebug, "committed",
          {{"topic", o.tp.topic}, {"partition", o.tp.partition}, {"offset", o.offset}});
    }
    return Status::Ok();
  }

 private:
  KafkaRuntime* runtime_;
  RdKafka::KafkaConsumer* consumer_ = nullptr;
};

class KafkaRuntime::Callbacks final : public RdKafka::RebalanceCb,
                                      public RdKafka::EventCb,
                                      public RdKafka::DeliveryReportCb {
 public:
  explicit Callbacks(KafkaRuntime* runtime) : rt_(runtime) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
    const std::vector<TopicPartition> tps = Convert(partitions);
    Logger& log = *rt_->options_.log;
    RdKafka::Error* error = nullptr;
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      // A (re)assigned partition starts from wherever the group says (committed offset).
      for (const auto& tp : tps) rt_->next_offset_.erase({tp.topic, tp.partition});
      rt_->engine_->Assign(tps);
      if (cooperative) {
        error = consumer->incremental_assign(partitions);
      } else {
        (void)consumer->assign(partitions);
      }
      if (rt_->paused_) (void)consumer->pause(partitions);
      rt_->assigned_once_.store(true);
      rt_->broker_up_.store(true);
      if (rt_->options_.metrics) rt_->options_.metrics->OnRebalance("assign");
      log.Info("partitions assigned",
               {{"count", static_cast<int64_t>(tps.size())}, {"partitions", Describe(tps)}});
    } else if (err == RdKafka::ERR__REVOKE_PARTITIONS) {
      for (const auto& tp : tps) rt_->next_offset_.erase({tp.topic, tp.partition});
      const bool lost = consumer->assignment_lost();
      const auto start = Clock::now();
      const size_t left = rt_->engine_->Revoke(
          tps, std::chrono::milliseconds(rt_->options_.kafka.revoke_timeout_ms), lost);
      if (cooperative) {
        error = consumer->incremental_unassign(partitions);
      } else {
        (void)consumer->unassign();
      }
      if (rt_->options_.metrics) {
        rt_->options_.metrics->OnRebalance(lost ? "lost" : "revoke");
        for (const auto& tp : tps) rt_->options_.metrics->RemoveConsumerLag(tp.topic, tp.partition);
      }
      log.Info(
          lost ? "partitions lost" : "partitions revoked",
          {{"count", static_cast<int64_t>(tps.size())},
           {"partitions", Describe(tps)},
           {"in_flight_abandoned", static_cast<int64_t>(left)},
           {"drain_ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 Clock::now() - start)
                                                 .count())}});
    } else {
      log.Error("rebalance error", {{"error", RdKafka::err2str(err)}});
      if (cooperative) {
        error = consumer->incremental_unassign(partitions);
      } else {
        (void)consumer->unassign();
      }
    }
    if (error != nullptr) {
      log.Error("incremental (un)assign failed", {{"error", error->str()}});
      delete error;
    }
    PartitionList now;
    if (consumer->assignment(now.list) == RdKafka::ERR_NO_ERROR && rt_->options_.metrics) {
      rt_->options_.metrics->SetAssigned(static_cast<int64_t>(now.list.size()));
    }
  }

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
  static std::string Describe(const std::vector<TopicPartition>& tps) {
    std::string s;
    for (const auto& tp : tps) {
      if (!s.empty()) s += ",";
      s += tp.ToString();
    }
    return s;
  }

  KafkaRuntime* rt_;
};

KafkaRuntime::KafkaRuntime(RuntimeOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<KafkaRuntime>> KafkaRuntime::Create(RuntimeOptions options) {
  NEWSFLOW_ASSIGN_OR_RETURN(RdKafkaConfs confs, BuildRdKafkaConfs(options.kafka));
  std::unique_ptr<KafkaRuntime> rt(new KafkaRuntime(std::move(options)));
  rt->callbacks_ = std::make_unique<Callbacks>(rt.get());
  rt->handles_ = std::make_unique<Handles>();
  std::string errstr;
  auto set_cb = [&](RdKafka::Conf& conf, const char* name, auto* cb) -> Status {
    if (conf.set(name, cb, errstr) != RdKafka::Conf::CONF_OK) {
      return Status(Code::kInternal, "kafka", errstr);
    }
    return Status::Ok();
  };
  NEWSFLOW_RETURN_IF_ERROR(set_cb(*confs.producer, "dr_cb",
                                  static_cast<RdKafka::DeliveryReportCb*>(rt->callbacks_.get())));
  NEWSFLOW_RETURN_IF_ERROR(
      set_cb(*confs.producer, "event_cb", static_cast<RdKafka::EventCb*>(rt->callbacks_.get())));
  NEWSFLOW_RETURN_IF_ERROR(
      set_cb(*confs.consumer, "event_cb", static_cast<RdKafka::EventCb*>(rt->callbacks_.get())));
  NEWSFLOW_RETURN_IF_ERROR(set_cb(*confs.consumer, "rebalance_cb",
                                  static_cast<RdKafka::RebalanceCb*>(rt->callbacks_.get())));

  rt->handles_->producer.reset(RdKafka::Producer::create(confs.producer.get(), errstr));
  if (!rt->handles_->producer) {
    return Status(Code::kInvalidConfig, "kafka", "cannot create producer: " + errstr);
  }
  rt->handles_->consumer.reset(RdKafka::KafkaConsumer::create(confs.consumer.get(), errstr));
  if (!rt->handles_->consumer) {
    return Status(Code::kInvalidConfig, "kafka", "cannot create consumer: " + errstr);
  }
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
  return rt;
}

KafkaRuntime::~KafkaRuntime() {
  if (engine_) engine_->Stop();
  if (handles_) {
    if (handles_->consumer && !closed_.load()) handles_->consumer->close();
    if (handles_->producer) handles_->producer->flush(5000);
    handles_->StopPoller();
    handles_.reset();  // consumer, then producer
  }
  engine_.reset();  // after the producer: late delivery reports call it
}

Readiness KafkaRuntime::readiness() const {
  if (stopping_.load()) return {false, "shutting down"};
  if (fatal_.load()) return {false, "fatal kafka error"};
  if (engine_->failed()) return {false, "delivery failure: draining before exit"};
  if (!running_.load()) return {false, "not started"};
  if (!broker_up_.load()) return {false, "broker not reachable"};
  if (!assigned_once_.load()) return {false, "waiting for partition assignment"};
  if (options_.taxonomy_loaded && !options_.taxonomy_loaded())
    return {false, "taxonomy not loaded"};
  return {true, "ready"};
}

EngineCounts KafkaRuntime::counts() const { return engine_->counts(); }

// How long the poll loop may hold off consuming while the work queue is full before it pauses
// the partitions instead (it serves no rebalance or statistics events while holding).
constexpr auto kMaxHold = std::chrono::milliseconds(1000);

bool KafkaRuntime::HoldForQueueRoom() {
  const auto queue = static_cast<int64_t>(engine_->QueueSize());
  if (queue < options_.kafka.queue_max_records) {
    full_since_.reset();
    return false;
  }
  if (paused_) return false;  // paused: consume (nothing arrives) to keep serving events
  const auto now = Clock::now();
  if (!full_since_) full_since_ = now;
  if (now - *full_since_ >= kMaxHold) return false;  // Backpressure() pauses now
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void KafkaRuntime::Backpressure() {
  const int64_t queue = static_cast<int64_t>(engine_->QueueSize());
  const int64_t depth = sink_->QueueDepth();
  const int64_t qmax = options_.kafka.queue_max_records;
  const int64_t pmax = options_.kafka.producer_max_messages;
  RdKafka::KafkaConsumer& consumer = *handles_->consumer;
  // A full work queue alone first only holds the poll loop (HoldForQueueRoom()); it pauses
  // once that has lasted kMaxHold. A backed-up producer pauses at once.
  const bool queue_stuck = full_since_ && Clock::now() - *full_since_ >= kMaxHold;
  if (!paused_ && ((queue >= qmax && queue_stuck) || depth >= pmax)) {
    PartitionList l;
    if (consumer.assignment(l.list) == RdKafka::ERR_NO_ERROR) (void)consumer.pause(l.list);
    paused_ = true;
    if (options_.metrics) options_.metrics->SetPaused(true);
  } else if (paused_ && queue <= qmax / 2 && depth <= pmax / 2) {
    PartitionList l;
    if (consumer.assignment(l.list) == RdKafka::ERR_NO_ERROR) (void)consumer.resume(l.list);
    paused_ = false;
    if (options_.metrics) options_.metrics->SetPaused(false);
  }
}

void KafkaRuntime::UpdateGauges() {
  if (!options_.metrics) return;
  options_.metrics->SetWorkQueue(static_cast<int64_t>(engine_->QueueSize()));
  options_.metrics->SetProducerQueue(sink_->QueueDepth());
  options_.metrics->SetReady(readiness().ready);
}

Status KafkaRuntime::Run(const std::atomic<bool>& stop) {
  Logger& log = *options_.log;
  RdKafka::KafkaConsumer& consumer = *handles_->consumer;
  RdKafka::Producer* producer = handles_->producer.get();
  handles_->producer_poller = std::thread([this, producer] {
    while (!handles_->poller_stop.load()) producer->poll(100);
  });
  engine_->Start();
  const RdKafka::ErrorCode sub = consumer.subscribe(options_.kafka.input_topics);
  if (sub != RdKafka::ERR_NO_ERROR) {
    Shutdown(Clock::now() + std::chrono::milliseconds(options_.kafka.shutdown_timeout_ms));
    return Status(Code::kInvalidConfig, "kafka", "subscribe failed: " + RdKafka::err2str(sub));
  }
  running_.store(true);
  log.Info("running", {{"brokers", options_.kafka.brokers},
                       {"group_id", options_.kafka.group_id},
                       {"workers", options_.kafka.workers}});
  auto last_gauges = Clock::now();
  while (!stop.load() && !fatal_.load() && !engine_->failed()) {
    // Back-pressure from the workers: a full work queue holds the loop for a moment instead of
    // pausing the partitions. Pausing makes librdkafka (2.0.x) drop what it prefetched and
    // re-fetch after the resume, which idled the input ~0.5 s per pause/resume cycle: with a
    // 20-record queue the flow crawled at ~35 records/s. Messages stay in librdkafka's
    // prefetch queue meanwhile (bounded by queued.max.messages.kbytes).
    if (HoldForQueueRoom()) {
      Backpressure();
      continue;
    }
    // While paused nothing arrives: wake up often to resume as soon as the queues drain.
    std::unique_ptr<RdKafka::Message> msg(consumer.consume(paused_ ? 5 : 100));
    const RdKafka::ErrorCode err = msg->err();
    if (err == RdKafka::ERR_NO_ERROR) {
      auto [expected, inserted] =
          next_offset_.try_emplace({msg->topic_name(), msg->partition()}, msg->offset());
      if (!inserted && msg->offset() < expected->second) {
        // A rewound fetch position: this record was already dispatched (see next_offset_).
        if (options_.metrics) options_.metrics->OnRedeliverySkipped();
        if (rewound_skipped_++ % 1000 == 0) {
          log.Warn("skipping records re-delivered after a fetch rewind",
                   {{"topic", msg->topic_name()},
                    {"partition", static_cast<int64_t>(msg->partition())},
                    {"offset", msg->offset()},
                    {"expected", expected->second},
                    {"skipped_so_far", rewound_skipped_}});
        }
      } else {
        expected->second = msg->offset() + 1;
        engine_->Dispatch(ToRawRecord(*msg));
      }
      broker_up_.store(true, std::memory_order_relaxed);
    } else if (err == RdKafka::ERR__TIMED_OUT || err == RdKafka::ERR__PARTITION_EOF) {
      // Nothing to do.
    } else {
      // Retriable errors are logged; librdkafka recovers by itself. Fatal ones come through
      // the event callback (fatal_).
      log.Warn("consume error", {{"error", msg->errstr()}});
      if (err == RdKafka::ERR__FATAL) fatal_.store(true);
    }
    Backpressure();
    if (Clock::now() - last_gauges > std::chrono::milliseconds(500)) {
      UpdateGauges();
      last_gauges = Clock::now();
    }
  }
  const bool failed = fatal_.load() || engine_->failed();
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
    return Status(Code::kInternal, "kafka",
                  fatal_.load() ? "fatal Kafka error"
                                : "permanent delivery failure; uncommitted records will be "
                                  "reprocessed by the group");
  }
  return Status::Ok();
}

void KafkaRuntime::Shutdown(Clock::time_point deadline) {
  Logger& log = *options_.log;
  RdKafka::KafkaConsumer& consumer = *handles_->consumer;
  {
    // Stop fetching.
    PartitionList l;
    if (consumer.assignment(l.list) == RdKafka::ERR_NO_ERROR) (void)consumer.pause(l.list);
  }
  const bool drained = engine_->Drain(Remaining(deadline));
  if (!drained) {
    log.Warn("shutdown timeout while draining; undelivered records will be reprocessed",
             {{"in_flight", engine_->InFlight()}});
  }
  Status commit = engine_->CommitAll();
  if (!commit.ok()) log.Warn("final commit failed", {{"error", commit.message()}});
  consumer.close();  // revoke callback: Revoke() finds nothing in flight, commits again
  closed_.store(true);
  engine_->Stop();
  handles_->producer->flush(ToTimeoutMs(Remaining(deadline)));
  handles_->StopPoller();
  log.Info("closed", {{"drained", drained}});
}

}  // namespace newsflow::consumers
