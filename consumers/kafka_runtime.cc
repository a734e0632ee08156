#include "consumers/kafka_runtime.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "consumers/thread_name.h"

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

// The delivery thread's round while messages are in flight (KafkaSink::DeliveryLoop): the
// longest a report waits when no worker serves it first (what newsflow's own produce-phase and
// end-to-end histograms may add; the outputs themselves are already appended).
constexpr std::chrono::milliseconds kDeliveryRound{5};

// /healthz: a worker on one record, or the poll loop beyond its longest legitimate block, for
// this long means the process is wedged.
constexpr int64_t kWatchdogMarginMs = 60000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
      .count();
}

DeliveryFailure ClassifyDeliveryError(RdKafka::ErrorCode err) {
  if (err == RdKafka::ERR_NO_ERROR) return DeliveryFailure::kNone;
  if (err == RdKafka::ERR_MSG_SIZE_TOO_LARGE || err == RdKafka::ERR_RECORD_LIST_TOO_LARGE) {
    return DeliveryFailure::kTooLarge;
  }
  if (err == RdKafka::ERR__UNKNOWN_TOPIC || err == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART ||
      err == RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED) {
    return DeliveryFailure::kUnknownTopic;
  }
  if (err == RdKafka::ERR__MSG_TIMED_OUT || err == RdKafka::ERR__TIMED_OUT) {
    return DeliveryFailure::kTimedOut;
  }
  if (err == RdKafka::ERR__FATAL || err == RdKafka::ERR__FENCED ||
      err == RdKafka::ERR_PRODUCER_FENCED || err == RdKafka::ERR_INVALID_PRODUCER_EPOCH) {
    return DeliveryFailure::kFatal;
  }
  return DeliveryFailure::kOther;
}

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
      for (const auto& h : message.headers) {
        // A null header value stays null (librdkafka: value pointer NULL).
        headers->add(h.key, h.null_value ? nullptr : h.value.data(),
                     h.null_value ? 0 : h.value.size());
      }
      const RdKafka::ErrorCode err = producer_->produce(
          message.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          message.null_value ? nullptr : message.value.data(),
          message.null_value ? 0 : message.value.size(),
          message.key ? message.key->data() : nullptr, message.key ? message.key->size() : 0, 0,
          headers, cookie);
      if (err == RdKafka::ERR_NO_ERROR) return Status::Ok();  // headers now owned by rdkafka
      delete headers;
      if (err == RdKafka::ERR__QUEUE_FULL) {
        // librdkafka's advice: serve delivery reports, then retry (one serving thread at a
        // time, see DeliveryLoop; when another serves them, give it a moment).
        std::unique_lock lock(serve_mu_, std::try_to_lock);
        if (lock.owns_lock()) {
          producer_->poll(10);
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        continue;
      }
      const std::string what = "produce to " + message.topic + " failed (" +
                               std::to_string(message.value.size()) +
                               " bytes): " + RdKafka::err2str(err);
      if (err == RdKafka::ERR_MSG_SIZE_TOO_LARGE) {
        return Status(Code::kTooLarge, "produce", what);
      }
      return Status(Code::kInternal, "produce", what);
    }
  }

  int64_t QueueDepth() const override { return producer_->outq_len(); }

  void ServeDeliveries() override {
    std::unique_lock lock(serve_mu_, std::try_to_lock);
    if (lock.owns_lock()) producer_->poll(0);
  }

  // The delivery thread (nf-delivery): serves the delivery reports the workers have not served
  // (ServeDeliveries() after each record) until `stop`. Messages in flight: a round every
  // kDeliveryRound, sleeping in between rather than waiting on librdkafka's queue, which would
  // wake this thread (a futex wake from the producer's broker thread, two context switches) for
  // every ProduceResponse; at 1,400 articles/s that was ~1.2-2.3 wake-ups per article. Nothing
  // in flight: waits on the queue (no report can arrive before the next produce, whose report
  // then wakes it). Reports are served by one thread at a time (serve_mu_): the Engine's
  // per-record re-route state relies on it.
  void DeliveryLoop(const std::atomic<bool>& stop) {
    while (!stop.load()) {
      if (producer_->outq_len() == 0) {
        std::lock_guard lock(serve_mu_);
        producer_->poll(100);
        continue;
      }
      {
        std::lock_guard lock(serve_mu_);
        producer_->poll(0);
      }
      std::this_thread::sleep_for(kDeliveryRound);
    }
  }

 private:
  RdKafka::Producer* producer_;
  std::mutex serve_mu_;
};

namespace {

// The RawRecord of a consumed message: value, key, headers and origin, bytes unchanged.
schemas::RawRecord ToRawRecord(RdKafka::Message& msg) {
  schemas::RawRecord record;

  if (msg.payload() == nullptr) {
    record.null_value = true;  // a tombstone
  } else {
    record.value.assign(static_cast<const char*>(msg.payload()), msg.len());
  }
  if (msg.key_pointer() != nullptr) {
    record.key.emplace(static_cast<const char*>(msg.key_pointer()), msg.key_len());
  }
  if (RdKafka::Headers* headers = msg.headers()) {
    for (const auto& h : headers->get_all()) {
      schemas::Header header{h.key(), std::string()};
      if (h.value() == nullptr) {
        header.null_value = true;
      } else {
        header.value.assign(static_cast<const char*>(h.value()), h.value_size());
      }
      record.headers.push_back(std::move(header));
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

  Status Commit(const std::vector<PartitionOffset>& offsets,
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
      return Status(Code::kInternal, "commit", "commit timed out");
    }
    const auto code = static_cast<RdKafka::ErrorCode>(err->load());
    if (code != RdKafka::ERR_NO_ERROR && code != RdKafka::ERR__NO_OFFSET) {
      log.Warn("commit failed", {{"error", RdKafka::err2str(code)}});
      return Status(Code::kInternal, "commit", RdKafka::err2str(code));
    }
    for (const auto& o : offsets) {
      log.Write(LogLevel::kDebug, "committed",
                {{"topic", o.tp.topic}, {"partition", o.tp.partition}, {"offset", o.offset}});
    }
    return Status::Ok();
  }

 private:
  KafkaRuntime* runtime_;
  RdKafka::KafkaConsumer* consumer_ = nullptr;
};

// exactly_once: offsets travel in the transaction (PollLoop::EndTransaction), so the Engine's
// stores and revocation commits are no-ops.
class KafkaRuntime::TransactionalCommitter final : public OffsetCommitter {
 public:
  void Store(const TopicPartition&, int64_t) override {}
  Status Commit(const std::vector<PartitionOffset>&, std::chrono::milliseconds) override {
    return Status::Ok();
  }
};

class KafkaRuntime::KafkaTransactions final : public Transactions {
 public:
  KafkaTransactions(RdKafka::Producer* producer, RdKafka::KafkaConsumer* consumer)
      : producer_(producer), consumer_(consumer) {}

  TxnStatus Begin() override { return Convert(producer_->begin_transaction()); }

  TxnStatus Commit(const std::vector<PartitionOffset>& offsets,
                   std::chrono::milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    if (!offsets.empty()) {
      PartitionList l;
      for (const auto& o : offsets) {
        l.list.push_back(RdKafka::TopicPartition::create(o.tp.topic, o.tp.partition, o.offset));
      }
      std::unique_ptr<RdKafka::ConsumerGroupMetadata> metadata(consumer_->groupMetadata());
      TxnStatus sent = Convert(producer_->send_offsets_to_transaction(
          l.list, metadata.get(), ToTimeoutMs(Remaining(deadline))));
      if (!sent.ok()) return sent;
    }
    for (;;) {
      RdKafka::Error* error = producer_->commit_transaction(ToTimeoutMs(Remaining(deadline)));
      // Retriable (a timeout): the commit may be retried until the deadline.
      if (error != nullptr && error->is_retriable() && Clock::now() < deadline) {
        delete error;
        continue;
      }
      return Convert(error);
    }
  }

  TxnStatus Abort(std::chrono::milliseconds timeout) override {
    return Convert(producer_->abort_transaction(ToTimeoutMs(timeout)));
  }

  // Before the first transaction; also fences a previous incarnation of this transactional.id
  // (its open transaction is aborted by the coordinator).
  TxnStatus Init(std::chrono::milliseconds timeout) {
    return Convert(producer_->init_transactions(ToTimeoutMs(timeout)));
  }

 private:
  static TxnStatus Convert(RdKafka::Error* error) {
    TxnStatus status;
    if (error == nullptr) return status;
    status.error = error->name() + ": " + error->str();
    status.kind = error->is_fatal() ? TxnStatus::Kind::kFatal : TxnStatus::Kind::kAbortable;
    delete error;
    return status;
  }

  RdKafka::Producer* producer_;
  RdKafka::KafkaConsumer* consumer_;
};

// The Source over a librdkafka KafkaConsumer (cooperative-sticky): rebalance callbacks are
// converted into RebalanceListener calls around incremental_(un)assign.
class KafkaRuntime::KafkaSource final : public Source, public RdKafka::RebalanceCb {
 public:
  explicit KafkaSource(Logger* log) : log_(log) {}
  void set_consumer(RdKafka::KafkaConsumer* consumer) { consumer_ = consumer; }

  Status Subscribe(const std::vector<std::string>& topics, RebalanceListener* listener) override {
    listener_ = listener;
    const RdKafka::ErrorCode err = consumer_->subscribe(topics);
    if (err != RdKafka::ERR_NO_ERROR) {
      return Status(Code::kInvalidConfig, "kafka", "subscribe failed: " + RdKafka::err2str(err));
    }
    return Status::Ok();
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

  Status SeekToCommitted(const std::vector<TopicPartition>& partitions,
                         std::chrono::milliseconds timeout) override {
    PartitionList l = ToList(partitions);
    if (l.list.empty()) return Status::Ok();
    RdKafka::ErrorCode err = consumer_->committed(l.list, ToTimeoutMs(timeout));
    if (err != RdKafka::ERR_NO_ERROR) {
      return Status(Code::kInternal, "kafka",
                    "reading committed offsets failed: " + RdKafka::err2str(err));
    }
    for (RdKafka::TopicPartition* tp : l.list) {
      // No committed offset: the start (auto.offset.reset is earliest or rejected).
      if (tp->offset() < 0) tp->set_offset(RdKafka::Topic::OFFSET_BEGINNING);
      err = consumer_->seek(*tp, ToTimeoutMs(timeout));
      if (err != RdKafka::ERR_NO_ERROR) {
        return Status(Code::kInternal, "kafka",
                      "seek of " + tp->topic() + "/" + std::to_string(tp->partition()) +
                          " failed: " + RdKafka::err2str(err));
      }
    }
    return Status::Ok();
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
          rt_->brokers_down_.store(true);
          log.Warn("all brokers down", {{"detail", event.str()}});
        } else if (event.err() == RdKafka::ERR__AUTHENTICATION ||
                   event.err() == RdKafka::ERR_SASL_AUTHENTICATION_FAILED) {
          {
            std::lock_guard lock(rt_->auth_mu_);
            rt_->auth_error_ = event.str();
          }
          rt_->auth_failed_.store(true);
          log.Error(
              "broker authentication failed; check the SASL credentials "
              "(NEWSFLOW_KAFKA_SASL_USERNAME / NEWSFLOW_KAFKA_SASL_PASSWORD)",
              {{"error", RdKafka::err2str(event.err())}, {"detail", event.str()}});
        } else {
          log.Warn("kafka error",
                   {{"error", RdKafka::err2str(event.err())}, {"detail", event.str()}});
        }
        break;
      case RdKafka::Event::EVENT_STATS: {
        const std::string& json = event.str();
        if (AnyBrokerUp(json)) rt_->brokers_down_.store(false);
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
    DeliveryReport report;
    const std::string topic = message.topic_name();
    const std::string error = message.err() == RdKafka::ERR_NO_ERROR ? "" : message.errstr();
    report.topic = topic;
    report.partition = message.partition();
    report.error = error;
    report.result =
        message.err() == RdKafka::ERR_NO_ERROR ? DeliveryResult::kAcked : DeliveryResult::kFailed;
    report.failure = ClassifyDeliveryError(message.err());
    if (report.result == DeliveryResult::kAcked) {
      rt_->brokers_down_.store(false, std::memory_order_relaxed);
      rt_->auth_failed_.store(false, std::memory_order_relaxed);
    }
    rt_->engine_->OnDelivery(message.msg_opaque(), report);
  }

 private:
  KafkaRuntime* rt_;
};

KafkaRuntime::KafkaRuntime(RuntimeOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<KafkaRuntime>> KafkaRuntime::Create(RuntimeOptions options) {
  NEWSFLOW_ASSIGN_OR_RETURN(RdKafkaConfs confs, BuildRdKafkaConfs(options.kafka));
  std::unique_ptr<KafkaRuntime> rt(new KafkaRuntime(std::move(options)));
  rt->callbacks_ = std::make_unique<Callbacks>(rt.get());
  rt->source_ = std::make_unique<KafkaSource>(rt->options_.log);
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
                                  static_cast<RdKafka::RebalanceCb*>(rt->source_.get())));

  rt->handles_->producer.reset(RdKafka::Producer::create(confs.producer.get(), errstr));
  if (!rt->handles_->producer) {
    return Status(Code::kInvalidConfig, "kafka", "cannot create producer: " + errstr);
  }
  rt->handles_->consumer.reset(RdKafka::KafkaConsumer::create(confs.consumer.get(), errstr));
  if (!rt->handles_->consumer) {
    return Status(Code::kInvalidConfig, "kafka", "cannot create consumer: " + errstr);
  }
  rt->source_->set_consumer(rt->handles_->consumer.get());
  rt->sink_ = std::make_unique<KafkaSink>(rt->handles_->producer.get());
  rt->committer_ = std::make_unique<KafkaCommitter>(rt.get());
  rt->committer_->set_consumer(rt->handles_->consumer.get());
  const bool eos = rt->options_.kafka.guarantee == Guarantee::kExactlyOnce;
  if (eos) {
    rt->txn_committer_ = std::make_unique<TransactionalCommitter>();
    rt->transactions_ = std::make_unique<KafkaTransactions>(rt->handles_->producer.get(),
                                                            rt->handles_->consumer.get());
  }
  EngineOptions eo;
  eo.pipeline = rt->options_.pipeline;
  eo.clock = rt->options_.clock;
  eo.pipeline_version = rt->options_.version;
  eo.topics = rt->options_.kafka.output;
  eo.workers = static_cast<int>(rt->options_.kafka.workers);
  eo.max_message_bytes = ProducerMessageMaxBytes(rt->options_.kafka);
  eo.log = rt->options_.log;
  OffsetCommitter* committer =
      eos ? static_cast<OffsetCommitter*>(rt->txn_committer_.get()) : rt->committer_.get();
  rt->engine_ = std::make_unique<Engine>(eo, rt->sink_.get(), committer, rt->options_.metrics);
  PollLoopOptions lo;
  lo.queue_max_records = rt->options_.kafka.queue_max_records;
  lo.producer_max_messages = rt->options_.kafka.producer_max_messages;
  lo.revoke_timeout = std::chrono::milliseconds(rt->options_.kafka.revoke_timeout_ms);
  lo.transaction_max_records = rt->options_.kafka.transaction_max_records;
  lo.transaction_interval = std::chrono::milliseconds(rt->options_.kafka.transaction_interval_ms);
  rt->loop_ =
      std::make_unique<PollLoop>(lo, rt->source_.get(), rt->engine_.get(), rt->sink_.get(),
                                 rt->options_.metrics, rt->options_.log, rt->transactions_.get());
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
    (void)transactions_.release();
    (void)txn_committer_.release();
    (void)loop_.release();
    return;
  }
  if (engine_) engine_->Stop();
  if (handles_ && handles_->consumer && loop_ && !loop_->assigned_once()) {
    // librdkafka 2.0.2 aborts in rd_kafka_sticky_assignor_state_destroy (assertion
    // `assignor_state') when a cooperative-sticky consumer that never completed an assignment
    // is destroyed (seen: SIGTERM to a member that joined during a rebalance). The process is
    // exiting: leave the consumer and what its threads call back into (callbacks, source)
    // undestroyed.
    if (!closed_.load()) handles_->consumer->close();
    closed_.store(true);
    (void)handles_->consumer.release();
    (void)callbacks_.release();
    (void)source_.release();
  }
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
  if (auth_failed_.load()) return {false, "broker authentication failed: " + AuthError()};
  if (loop_->lost()) return {false, "partitions lost (group session expired); rejoining"};
  if (!loop_->assigned_once()) return {false, "waiting for partition assignment"};
  if (brokers_down_.load()) return {false, "broker not reachable"};
  if (std::optional<std::string> stalled =
          engine_->Stalled(std::chrono::milliseconds(options_.kafka.unhealthy_after_ms))) {
    return {false, "broker not acknowledging: " + *stalled};
  }
  if (options_.taxonomy_loaded && !options_.taxonomy_loaded()) {
    return {false, "taxonomy not loaded"};
  }
  return {true, "ready"};
}

Readiness KafkaRuntime::liveness() const {
  if (!running_.load() || stopping_.load()) return {true, "ok"};
  // The poll loop may legitimately block in a revocation (revoke_timeout_ms) or a commit.
  const int64_t loop_limit = options_.kafka.revoke_timeout_ms + kWatchdogMarginMs;
  const int64_t since = NowMs() - loop_->heartbeat_ms();
  if (since > loop_limit) {
    return {false, "poll loop stuck for " + std::to_string(since) + " ms"};
  }
  if (std::optional<std::string> wedged =
          engine_->Wedged(std::chrono::milliseconds(kWatchdogMarginMs))) {
    return {false, *wedged};
  }
  return {true, "ok"};
}

std::string KafkaRuntime::AuthError() const {
  std::lock_guard lock(auth_mu_);
  return auth_error_;
}

EngineCounts KafkaRuntime::counts() const { return engine_->counts(); }

void KafkaRuntime::UpdateGauges() {
  if (!options_.metrics) return;
  options_.metrics->SetWorkQueue(static_cast<int64_t>(engine_->QueueSize()));
  options_.metrics->SetProducerQueue(sink_->QueueDepth());
  options_.metrics->SetReady(readiness().ready);
}

Status KafkaRuntime::Run(const std::atomic<bool>& stop) {
  Logger& log = *options_.log;
  handles_->producer_poller = std::thread([this] {
    SetCurrentThreadName("nf-delivery");
    sink_->DeliveryLoop(handles_->poller_stop);
  });
  engine_->Start();
  const bool eos = transactions_ != nullptr;
  if (eos) {
    TxnStatus init = transactions_->Init(
        std::chrono::milliseconds(std::max<int64_t>(options_.kafka.shutdown_timeout_ms, 30000)));
    if (!init.ok()) {
      log.Error("init_transactions failed",
                {{"error", init.error}, {"transactional_id", TransactionalId(options_.kafka)}});
      Shutdown(Clock::now() + std::chrono::milliseconds(options_.kafka.shutdown_timeout_ms));
      return Status(Code::kInternal, "kafka", "init_transactions failed: " + init.error);
    }
  }
  Status sub = source_->Subscribe(options_.kafka.input_topics, loop_.get());
  if (!sub.ok()) {
    Shutdown(Clock::now() + std::chrono::milliseconds(options_.kafka.shutdown_timeout_ms));
    return sub;
  }
  running_.store(true);
  log.Info("running", {{"brokers", options_.kafka.brokers},
                       {"group_id", options_.kafka.group_id},
                       {"instance_id", options_.kafka.instance_id},
                       {"processing_guarantee", GuaranteeName(options_.kafka.guarantee)},
                       {"transactional_id", eos ? TransactionalId(options_.kafka) : std::string()},
                       {"workers", options_.kafka.workers}});
  auto last_gauges = Clock::now();
  // exactly_once: a failed delivery aborts the transaction and rewinds (PollLoop); it does not
  // end the loop.
  while (!stop.load() && !fatal_.load() && !loop_->fatal() && (eos || !engine_->failed())) {
    if (loop_->Step() == Polled::Kind::kRecord) {
      brokers_down_.store(false, std::memory_order_relaxed);
      auth_failed_.store(false, std::memory_order_relaxed);
    }
    if (Clock::now() - last_gauges > std::chrono::milliseconds(500)) {
      UpdateGauges();
      last_gauges = Clock::now();
    }
  }
  const bool failed = fatal_.load() || loop_->fatal() || (!eos && engine_->failed());
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
                  fatal_.load() || loop_->fatal()
                      ? "fatal Kafka error"
                      : "permanent delivery failure; uncommitted records will be "
                        "reprocessed by the group");
  }
  if (abandoned_.load()) {
    return Status(Code::kInternal, "kafka",
                  "shutdown deadline passed before the commit/close finished; uncommitted "
                  "records will be re-delivered");
  }
  return Status::Ok();
}

void KafkaRuntime::Shutdown(Clock::time_point deadline) {
  Logger& log = *options_.log;
  loop_->PauseAll();  // stop fetching
  bool drained = true;
  if (transactions_ != nullptr) {
    // exactly_once: commit the open transaction (bounded: it aborts when the records are not
    // acknowledged in time; the next owner re-reads them).
    if (!loop_->fatal()) drained = loop_->EndTransaction(/*commit=*/true);
  } else {
    drained = engine_->Drain(Remaining(deadline));
    if (!drained) {
      log.Warn("shutdown timeout while draining; undelivered records will be reprocessed",
               {{"in_flight", engine_->InFlight()}});
    }
    Status commit = engine_->CommitAll(Remaining(deadline));
    if (!commit.ok()) log.Warn("final commit failed", {{"error", commit.message()}});
  }
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
