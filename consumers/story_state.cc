#include "consumers/story_state.h"

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <vector>

#include "consumers/thread_name.h"

namespace newsflow::consumers {

// Error events of both clients: an authentication failure is remembered (and logged once per
// episode, in the same words as the runtime's); other errors are logged as warnings.
class StoryStateSync::Events final : public RdKafka::EventCb {
 public:
  explicit Events(StoryStateSync* sync) : sync_(sync) {}
  void event_cb(RdKafka::Event& event) override {
    if (event.type() != RdKafka::Event::EVENT_ERROR) return;
    if (event.err() == RdKafka::ERR__AUTHENTICATION ||
        event.err() == RdKafka::ERR_SASL_AUTHENTICATION_FAILED) {
      {
        std::lock_guard lock(sync_->auth_mu_);
        sync_->auth_error_ = event.str();
      }
      if (!sync_->auth_failed_.exchange(true)) {
        sync_->log_->Error(
            "broker authentication failed; check the SASL credentials "
            "(NEWSFLOW_KAFKA_SASL_USERNAME / NEWSFLOW_KAFKA_SASL_PASSWORD)",
            {{"client", "stories"},
             {"error", RdKafka::err2str(event.err())},
             {"detail", event.str()}});
      }
    } else if (event.err() != RdKafka::ERR__ALL_BROKERS_DOWN &&
               event.err() != RdKafka::ERR__TRANSPORT) {
      sync_->log_->Warn("kafka error", {{"client", "stories"},
                                        {"error", RdKafka::err2str(event.err())},
                                        {"detail", event.str()}});
    }
  }

 private:
  StoryStateSync* sync_;
};

struct StoryStateSync::Handles {
  std::unique_ptr<Events> events;               // outlives both clients
  std::unique_ptr<RdKafka::Producer> producer;  // destroyed after the consumer
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
};

namespace {

Status Fail(const std::string& what) { return Status(Code::kInternal, "stories", what); }

}  // namespace

Result<std::unique_ptr<StoryStateSync>> StoryStateSync::Create(const KafkaConfig& kafka,
                                                               const std::string& instance_id,
                                                               Apply apply, Logger* log) {
  NEWSFLOW_ASSIGN_OR_RETURN(RdKafkaConfs confs, BuildRdKafkaConfs(kafka));
  std::string err;
  const std::string group = kafka.group_id + ".stories." + instance_id;
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"group.id", group},
                                                        {"enable.auto.commit", "false"},
                                                        {"enable.auto.offset.store", "false"},
                                                        {"auto.offset.reset", "earliest"},
                                                        {"statistics.interval.ms", "0"},
                                                        {"enable.partition.eof", "true"},
                                                        // Fetch in batches (latency, below).
                                                        {"fetch.wait.max.ms", "100"},
                                                        {"fetch.min.bytes", "65536"}}) {
    if (confs.consumer->set(k, v, err) != RdKafka::Conf::CONF_OK) return Fail(k + ": " + err);
  }
  if (confs.producer->set("statistics.interval.ms", "0", err) != RdKafka::Conf::CONF_OK) {
    return Fail(err);
  }
  std::unique_ptr<StoryStateSync> s(new StoryStateSync());
  s->handles_ = std::make_unique<Handles>();
  s->handles_->events = std::make_unique<Events>(s.get());
  for (RdKafka::Conf* conf : {confs.consumer.get(), confs.producer.get()}) {
    if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(s->handles_->events.get()), err) !=
        RdKafka::Conf::CONF_OK) {
      return Fail("event_cb: " + err);
    }
  }
  s->topic_ = kafka.output.stories;
  s->apply_ = std::move(apply);
  s->log_ = log;
  s->handles_->producer.reset(RdKafka::Producer::create(confs.producer.get(), err));
  if (!s->handles_->producer) return Fail("cannot create the stories producer: " + err);
  s->handles_->consumer.reset(RdKafka::KafkaConsumer::create(confs.consumer.get(), err));
  if (!s->handles_->consumer) return Fail("cannot create the stories consumer: " + err);
  return s;
}

StoryStateSync::~StoryStateSync() {
  Stop();
  if (handles_) {
    if (handles_->consumer) handles_->consumer->close();
    if (handles_->producer) handles_->producer->flush(5000);
    handles_->consumer.reset();
    handles_->producer.reset();
  }
}

Status StoryStateSync::AssignAll() {
  RdKafka::KafkaConsumer& c = *handles_->consumer;
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode err = c.metadata(true, nullptr, &raw, 10000);
  std::unique_ptr<RdKafka::Metadata> md(raw);
  if (err != RdKafka::ERR_NO_ERROR) {
    // Serve the error events queued meanwhile, so that an authentication failure is known.
    for (int i = 0; i < 10; ++i) std::unique_ptr<RdKafka::Message>(c.consume(0));
    if (std::optional<std::string> auth = AuthFailure()) {
      return Fail("broker authentication failed: " + *auth);
    }
    return Fail("metadata: " + RdKafka::err2str(err));
  }
  auth_failed_.store(false);
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto* t : *md->topics()) {
    if (t->topic() != topic_ || t->err() != RdKafka::ERR_NO_ERROR) continue;
    for (const auto* p : *t->partitions()) {
      parts.push_back(
          RdKafka::TopicPartition::create(topic_, p->id(), RdKafka::Topic::OFFSET_BEGINNING));
    }
  }
  if (parts.empty()) {
    return Status::Ok();  // no topic yet
  }
  const RdKafka::ErrorCode a = c.assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (a != RdKafka::ERR_NO_ERROR) return Fail("assign: " + RdKafka::err2str(a));
  assigned_ = true;
  return Status::Ok();
}

bool StoryStateSync::ConsumeOne(int timeout_ms) {
  std::unique_ptr<RdKafka::Message> msg(handles_->consumer->consume(timeout_ms));
  if (msg->err() != RdKafka::ERR_NO_ERROR) return false;
  ApplyRecord(*msg);
  return true;
}

bool StoryStateSync::ApplyRecord(const RdKafka::Message& msg) {
  if (msg.payload() == nullptr || msg.len() == 0) return false;
  const std::string_view key =
      msg.key_pointer() != nullptr
          ? std::string_view(static_cast<const char*>(msg.key_pointer()), msg.key_len())
          : std::string_view();
  apply_(key, std::string_view(static_cast<const char*>(msg.payload()), msg.len()));
  applied_.fetch_add(1);
  return true;
}

Result<RestoreResult> StoryStateSync::Restore(std::chrono::milliseconds timeout,
                                              const std::atomic<bool>* stop) {
  const auto start = std::chrono::steady_clock::now();
  RestoreResult r;
  NEWSFLOW_RETURN_IF_ERROR(AssignAll());
  if (!assigned_) {
    log_->Info("story state: nothing to restore", {{"topic", topic_}});
    return r;
  }
  RdKafka::KafkaConsumer& c = *handles_->consumer;
  // The end of each partition now: restore up to there.
  std::map<int32_t, int64_t> ends;
  {
    std::vector<RdKafka::TopicPartition*> parts;
    c.assignment(parts);
    for (auto* p : parts) {
      int64_t low = 0, high = 0;
      if (c.query_watermark_offsets(topic_, p->partition(), &low, &high, 10000) ==
              RdKafka::ERR_NO_ERROR &&
          high > low) {
        ends[p->partition()] = high;
      }
    }
    r.partitions = static_cast<int64_t>(parts.size());
    RdKafka::TopicPartition::destroy(parts);
  }
  const auto deadline = start + timeout;
  while (!ends.empty()) {
    if (std::chrono::steady_clock::now() >= deadline || (stop != nullptr && stop->load())) {
      r.complete = false;
      break;
    }
    std::unique_ptr<RdKafka::Message> msg(c.consume(100));
    if (msg->err() == RdKafka::ERR_NO_ERROR) {
      if (ApplyRecord(*msg)) ++r.records;
      auto it = ends.find(msg->partition());
      if (it != ends.end() && msg->offset() + 1 >= it->second) ends.erase(it);
    } else if (msg->err() == RdKafka::ERR__PARTITION_EOF) {
      ends.erase(msg->partition());
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log_->Info("story state restored", {{"topic", topic_},
                                      {"records", r.records},
                                      {"partitions", r.partitions},
                                      {"seconds", r.seconds},
                                      {"complete", r.complete}});
  return r;
}

std::optional<std::string> StoryStateSync::AuthFailure() const {
  if (!auth_failed_.load()) return std::nullopt;
  std::lock_guard lock(auth_mu_);
  return auth_error_;
}

void StoryStateSync::Start() {
  stop_.store(false);
  thread_ = std::thread([this] {
    SetCurrentThreadName("nf-story-tail");
    int64_t idle = 0;
    while (!stop_.load()) {
      if (!assigned_) {
        // The topic did not exist at restore: look again now and then.
        if (idle++ % 50 == 0) (void)AssignAll();
        if (!assigned_) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
      }
      ConsumeOne(100);
    }
  });
}

void StoryStateSync::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void StoryStateSync::Publish(const std::string& key, const std::string& value) {
  RdKafka::Producer& p = *handles_->producer;
  for (int attempt = 0; attempt < 100; ++attempt) {
    const RdKafka::ErrorCode err = p.produce(
        topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.data(), key.size(), 0, nullptr);
    if (err == RdKafka::ERR_NO_ERROR) break;
    if (err != RdKafka::ERR__QUEUE_FULL) {
      log_->Warn("story merge not published", {{"error", RdKafka::err2str(err)}});
      break;
    }
    p.poll(10);
  }
  p.poll(0);
}

}  // namespace newsflow::consumers
