// Engine with the fake sink and committer of tests/testing/kafka_fakes.h: ordering per
// partition, commit only after every output is acknowledged, dead letters, permanent failures,
// revocation. No broker.
#include "consumers/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "consumers/thread_name.h"
#include "tests/testing/kafka_fakes.h"

namespace newsflow::consumers {
namespace {

using testing::FakeCommitter;
using testing::FakePipeline;
using testing::FakeSink;

schemas::RawRecord Rec(const std::string& topic, int32_t partition, int64_t offset,
                       std::string value) {
  return testing::KafkaRecord(topic, partition, offset, std::move(value));
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { StartEngine(4, 0); }
  // A started engine over FakePipeline with `workers` workers; `max_message_bytes` 0 keeps the
  // engine's default.
  void StartEngine(int workers, int64_t max_message_bytes) {
    pipeline_ = FakePipeline();
    EngineOptions o = testing::FakeEngineOptions(pipeline_.get(), &clock_, workers);
    if (max_message_bytes != 0) o.max_message_bytes = max_message_bytes;
    engine_ = std::make_unique<Engine>(o, &sink_, &committer_, nullptr);
    engine_->Start();
  }
  void TearDown() override {
    engine_->Stop();
    sink_.AckAll(*engine_);  // records in the sink are owned by their pending deliveries
    EXPECT_EQ(committer_.backward_stores(), 0) << "stored offsets only move forward";
  }

  // Waits until the sink has seen `n` messages.
  void WaitForMessages(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (sink_.Messages().size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(sink_.Messages().size(), n);
  }

  core::FixedClock clock_{5000};
  std::unique_ptr<core::Pipeline> pipeline_;
  FakeSink sink_;
  FakeCommitter committer_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, OutputsOfEachPartitionReachTheSinkInOffsetOrder) {
  const TopicPartition p0{"in", 0}, p1{"in", 1};
  engine_->Assign({p0, p1});
  for (int i = 0; i < 200; ++i) {
    engine_->Dispatch(
        Rec("in", i % 2, i / 2, "p" + std::to_string(i % 2) + "-" + std::to_string(i / 2)));
  }
  WaitForMessages(200);
  std::map<std::string, int> last = {{"p0", -1}, {"p1", -1}};
  for (const auto& m : sink_.Messages()) {
    const std::string part = m.value.substr(4, 2);
    const int seq = std::stoi(m.value.substr(7));
    EXPECT_EQ(seq, last[part] + 1) << "out of order: " << m.value;
    last[part] = seq;
  }
}

// The names of this process's threads (/proc/self/task/*/comm).
std::multiset<std::string> ThreadNames() {
  std::multiset<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name)) names.insert(name);
  }
  return names;
}

TEST_F(EngineTest, WorkerThreadsAreNamedForPerThreadAccounting) {
  // The workers name themselves as they start, in whatever order the scheduler runs them;
  // wait until all four have.
  const std::vector<std::string> workers = {"nf-worker-0", "nf-worker-1", "nf-worker-2",
                                            "nf-worker-3"};
  auto all_named = [&](const std::multiset<std::string>& names) {
    return std::all_of(workers.begin(), workers.end(),
                       [&](const std::string& w) { return names.count(w) > 0; });
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::multiset<std::string> names = ThreadNames();
  while (!all_named(names) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    names = ThreadNames();
  }
  for (const std::string& name : workers) EXPECT_EQ(names.count(name), 1u) << name;
  engine_->Stop();
  EXPECT_EQ(ThreadNames().count("nf-worker-0"), 0u) << "joined on Stop()";
}

TEST(ThreadNameTest, LongNamesAreCutToTheKernelLimitInsteadOfIgnored) {
  std::string seen;
  std::thread t([&] {
    SetCurrentThreadName("nf-a-name-longer-than-fifteen-bytes");
    std::ifstream comm("/proc/thread-self/comm");
    std::getline(comm, seen);
  });
  t.join();
  EXPECT_EQ(seen, "nf-a-name-longe");
}

TEST_F(EngineTest, WorkersServeAcknowledgementsSoEveryRecordCompletesAndIsStored) {
  // The sink acknowledges what it holds whenever a worker offers to serve reports, as
  // librdkafka's poll(0) does: no delivery thread and no AckAll() from the test.
  sink_.set_serve_listener(engine_.get());
  const TopicPartition p0{"in", 0}, p1{"in", 1};
  engine_->Assign({p0, p1});
  for (int i = 0; i < 100; ++i) {
    engine_->Dispatch(Rec("in", i % 2, i / 2, "v" + std::to_string(i)));
  }
  // Drain serves the last reports itself (the workers served the others after each record).
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(10)));
  const EngineCounts c = engine_->counts();
  EXPECT_EQ(c.dispatched, 100);
  EXPECT_EQ(c.completed, 100);
  EXPECT_EQ(c.enriched + c.dead_lettered, 100);
  EXPECT_EQ(engine_->InFlight(), 0);
  EXPECT_EQ(sink_.QueueDepth(), 0);
  EXPECT_EQ(committer_.stored(p0), 50);
  EXPECT_EQ(committer_.stored(p1), 50);
  bool by_worker = false;
  for (const auto& name : sink_.serving_threads()) by_worker |= name.rfind("nf-worker-", 0) == 0;
  EXPECT_TRUE(by_worker) << "reports were served by the workers";
  EXPECT_GT(sink_.serving_calls(), 0);
}

TEST_F(EngineTest, DrainServesTheLastAcknowledgementsItself) {
  engine_->Assign({{"in", 0}});
  engine_->Dispatch(Rec("in", 0, 0, "one"));
  WaitForMessages(1);
  // The report "arrives" after the worker has offered to serve and gone (joined): no delivery
  // thread either, so only Drain can serve it.
  engine_->Stop();
  sink_.set_serve_listener(engine_.get());
  EXPECT_EQ(engine_->InFlight(), 1);
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(10)));
  EXPECT_EQ(engine_->counts().completed, 1);
  EXPECT_EQ(committer_.stored({"in", 0}), 1);
  EXPECT_EQ(sink_.serving_calls(), 1);
  EXPECT_EQ(sink_.serving_threads().count("nf-worker-0"), 0u);
}

// Records every end-to-end observation and its phases.
class PhaseProbe final : public EngineProbe {
 public:
  void OnEndToEnd(double seconds) override {
    std::lock_guard lock(mu_);
    end_to_end_.push_back(seconds);
  }
  void OnLatencyPhases(const LatencyPhases& phases) override {
    std::lock_guard lock(mu_);
    phases_.push_back(phases);
  }
  std::vector<double> end_to_end() {
    std::lock_guard lock(mu_);
    return end_to_end_;
  }
  std::vector<LatencyPhases> phases() {
    std::lock_guard lock(mu_);
    return phases_;
  }

 private:
  std::mutex mu_;
  std::vector<double> end_to_end_;
  std::vector<LatencyPhases> phases_;
};

// The latency phases of a record: consume from its Kafka timestamp to the dispatch (clock
// time), produce from the hand-over to the sink until its last acknowledgement; each record
// that completes reports them once, next to its end-to-end latency.
TEST_F(EngineTest, EachCompletedRecordReportsWhereItsLatencyWent) {
  PhaseProbe probe;
  // clock_: 5000 ms; the records' Kafka timestamp is 1000 ms.
  const EngineOptions o = testing::FakeEngineOptions(pipeline_.get(), &clock_, 2);
  FakeSink sink;
  FakeCommitter committer;
  Engine engine(o, &sink, &committer, &probe);
  engine.Start();
  engine.Assign({{"in", 0}});
  engine.Dispatch(Rec("in", 0, 0, "a"));
  engine.Dispatch(Rec("in", 0, 1, "b-alert"));  // two outputs: completes with the last ack
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (sink.Messages().size() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(sink.Messages().size(), 3u);
  EXPECT_TRUE(probe.phases().empty()) << "nothing is complete before its acknowledgement";
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // the broker takes its time
  sink.AckAll(engine);
  ASSERT_TRUE(engine.Drain(std::chrono::seconds(5)));
  engine.Stop();
  const std::vector<LatencyPhases> phases = probe.phases();
  ASSERT_EQ(phases.size(), 2u);
  ASSERT_EQ(probe.end_to_end().size(), 2u);
  for (const LatencyPhases& p : phases) {
    EXPECT_DOUBLE_EQ(p.consume, 4.0);  // dispatched at 5000 ms, Kafka timestamp 1000 ms
    EXPECT_GE(p.produce, 0.029);       // held by the sink for 30 ms
    EXPECT_LT(p.produce, 5.0);
    for (double v : {p.queue, p.process, p.order}) {
      EXPECT_GE(v, 0.0);
      EXPECT_LT(v, 5.0);
    }
  }
  for (double e : probe.end_to_end()) EXPECT_DOUBLE_EQ(e, 4.0);  // FixedClock: 5000 - 1000 ms
}

TEST_F(EngineTest, OffsetIsStoredOnlyAfterEveryOutputIsAcknowledged) {
  const TopicPartition p{"in", 0};
  engine_->Assign({p});
  engine_->Dispatch(Rec("in", 0, 0, "a"));
  engine_->Dispatch(Rec("in", 0, 1, "b-alert"));  // two outputs
  engine_->Dispatch(Rec("in", 0, 2, "bad-1"));    // dead letter
  WaitForMessages(4);
  EXPECT_EQ(committer_.stored(p), 0) << "nothing acknowledged yet";
  sink_.AckAll(*engine_);
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  EXPECT_EQ(committer_.stored(p), 3);
  EngineCounts c = engine_->counts();
  EXPECT_EQ(c.dispatched, 3);
  EXPECT_EQ(c.enriched, 2);
  EXPECT_EQ(c.dead_lettered, 1);
  EXPECT_EQ(c.completed, 3);
}

TEST_F(EngineTest, DeadLetterKeepsOriginalKeyValueAndHeadersAndNamesTheError) {
  engine_->Assign({{"in", 3}});
  engine_->Dispatch(Rec("in", 3, 42, "bad-record \xff bytes"));
  WaitForMessages(1);
  const OutMessage m = sink_.Messages().front();
  EXPECT_EQ(m.topic, "dlq");
  EXPECT_EQ(m.value, "bad-record \xff bytes");
  EXPECT_EQ(m.key, "k-bad-record \xff bytes");
  std::map<std::string, std::string> h;
  for (const auto& header : m.headers) h[header.key] = header.value;
  EXPECT_EQ(h["content-type"], "application/json");
  EXPECT_EQ(h["newsflow.error.stage"], "decode");
  EXPECT_EQ(h["newsflow.error.class"], "malformed");
  EXPECT_EQ(h["newsflow.error.partition"], "3");
  EXPECT_EQ(h["newsflow.error.offset"], "42");
  sink_.AckAll(*engine_);
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  EXPECT_EQ(committer_.stored({"in", 3}), 43) << "a dead letter completes its offset";
}

TEST_F(EngineTest, PermanentDeliveryFailureNeverCommitsThatOffset) {
  const TopicPartition p{"in", 0};
  engine_->Assign({p});
  for (int i = 0; i < 5; ++i) engine_->Dispatch(Rec("in", 0, i, "r" + std::to_string(i)));
  WaitForMessages(5);
  sink_.AckAll(*engine_, "out:r2");
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5))) << "failed records do not block draining";
  EXPECT_TRUE(engine_->failed());
  EXPECT_EQ(committer_.stored(p), 2) << "offsets 3 and 4 are acked, but 2 failed";
  ASSERT_TRUE(engine_->CommitAll(std::chrono::seconds(1)).ok());
  EXPECT_EQ(committer_.committed().at(p), 2);
}

TEST_F(EngineTest, ProduceErrorMarksTheRecordFailed) {
  sink_.set_fail_produce(true);
  engine_->Assign({{"in", 0}});
  engine_->Dispatch(Rec("in", 0, 0, "x"));
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  EXPECT_TRUE(engine_->failed());
  EXPECT_EQ(engine_->counts().delivery_failures, 1);
}

TEST_F(EngineTest, RevokeWaitsForInFlightRecordsThenCommitsTheirOffsets) {
  const TopicPartition p0{"in", 0}, p1{"in", 1};
  engine_->Assign({p0, p1});
  for (int i = 0; i < 10; ++i) engine_->Dispatch(Rec("in", 0, 100 + i, "a" + std::to_string(i)));
  engine_->Dispatch(Rec("in", 1, 7, "b"));
  WaitForMessages(11);
  std::thread acker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sink_.AckAll(*engine_);
  });
  const auto start = std::chrono::steady_clock::now();
  const size_t left = engine_->Revoke({p0}, std::chrono::seconds(5), /*lost=*/false);
  acker.join();
  EXPECT_EQ(left, 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150))
      << "revoke waited for the acknowledgements";
  EXPECT_EQ(committer_.committed().at(p0), 110);
  EXPECT_EQ(engine_->Assigned(), std::vector<TopicPartition>{p1});
}

TEST_F(EngineTest, RevokeGivesUpAfterTheTimeoutWithoutCommittingUnackedRecords) {
  const TopicPartition p{"in", 0};
  engine_->Assign({p});
  engine_->Dispatch(Rec("in", 0, 5, "x"));
  WaitForMessages(1);
  const size_t left = engine_->Revoke({p}, std::chrono::milliseconds(50), false);
  EXPECT_EQ(left, 1u);
  EXPECT_EQ(committer_.committed().at(p), 5) << "offset 5 itself is not committed";
  sink_.AckAll(*engine_);  // late acknowledgement of a revoked partition: no store
  EXPECT_EQ(committer_.stored(p), 0);
}

TEST_F(EngineTest, QueuedRecordsOfARevokedPartitionAreDroppedAndDoNotBlockDraining) {
  const TopicPartition p{"in", 0};
  engine_->Assign({p});
  for (int i = 0; i < 300; ++i) engine_->Dispatch(Rec("in", 0, i, "r" + std::to_string(i)));
  (void)engine_->Revoke({p}, std::chrono::milliseconds(0), /*lost=*/true);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (engine_->QueueSize() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  sink_.AckAll(*engine_);
  EXPECT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  const EngineCounts c = engine_->counts();
  EXPECT_EQ(c.completed + c.dropped_revoked, 300);
  EXPECT_GT(c.dropped_revoked, 0);
  EXPECT_TRUE(committer_.committed().empty()) << "lost partitions are not committed";
}

TEST_F(EngineTest, RecordsOfPartitionsNotAssignedAreNotProcessed) {
  engine_->Assign({{"in", 0}});
  engine_->Revoke({{"in", 0}}, std::chrono::milliseconds(0), false);
  engine_->Dispatch(Rec("in", 0, 9, "stale"));
  engine_->Dispatch(Rec("in", 5, 0, "never-assigned"));
  EXPECT_TRUE(engine_->Drain(std::chrono::seconds(1)));
  EXPECT_TRUE(sink_.Messages().empty());
  EXPECT_EQ(engine_->counts().dropped_unassigned, 2);
  EXPECT_EQ(engine_->counts().dispatched, 0);
}

TEST_F(EngineTest, StalledNamesTheTopicWhoseMessagesWaitWithoutAcknowledgement) {
  engine_->Assign({{"in", 0}});
  EXPECT_FALSE(engine_->Stalled(std::chrono::milliseconds(0)).has_value()) << "nothing waits";
  engine_->Dispatch(Rec("in", 0, 0, "a"));
  WaitForMessages(1);
  EXPECT_FALSE(engine_->Stalled(std::chrono::seconds(60)).has_value()) << "not for that long";
  const std::optional<std::string> stalled = engine_->Stalled(std::chrono::milliseconds(0));
  ASSERT_TRUE(stalled.has_value());
  EXPECT_NE(stalled->find("enriched: 1 messages waiting"), std::string::npos) << *stalled;
  sink_.AckAll(*engine_);
  EXPECT_FALSE(engine_->Stalled(std::chrono::milliseconds(0)).has_value()) << "acknowledged";
}

TEST(EngineWatchdogTest, WedgedNamesAWorkerStuckOnOneRecord) {
  testing::Gate gate;
  auto pipeline = FakePipeline(&gate);
  core::FixedClock clock(0);
  FakeSink sink;
  FakeCommitter committer;
  Engine engine(testing::FakeEngineOptions(pipeline.get(), &clock, 1), &sink, &committer, nullptr);
  engine.Start();
  engine.Assign({{"in", 0}});
  EXPECT_FALSE(engine.Wedged(std::chrono::milliseconds(0)).has_value()) << "idle";
  gate.Close();
  engine.Dispatch(Rec("in", 0, 0, "stuck"));
  std::optional<std::string> wedged;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!wedged && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    wedged = engine.Wedged(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(wedged.has_value());
  EXPECT_NE(wedged->find("worker 0 has been processing one record"), std::string::npos) << *wedged;
  EXPECT_FALSE(engine.Wedged(std::chrono::seconds(60)).has_value());
  gate.Open();
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (sink.size() < 1 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_FALSE(engine.Wedged(std::chrono::milliseconds(0)).has_value()) << "done with it";
  engine.Stop();
  sink.AckAll(engine);
}

// Writes down the offsets handed to Store() in the order they arrive. The first call, as a
// thread descheduled between deciding an offset and storing it, waits until Release() or for
// one second before it writes its offset down.
class SlowFirstStoreCommitter final : public OffsetCommitter {
 public:
  void Store(const TopicPartition&, int64_t next_offset) override {
    std::unique_lock lock(mu_);
    if (!first_entered_) {
      first_entered_ = true;
      changed_.notify_all();
      changed_.wait_for(lock, std::chrono::seconds(1), [&] { return released_; });
    }
    stored_.push_back(next_offset);
  }
  // Commits are written down with the stores (the offset librdkafka would hold after each).
  Status Commit(const std::vector<PartitionOffset>& offsets, std::chrono::milliseconds) override {
    std::lock_guard lock(mu_);
    for (const auto& o : offsets) stored_.push_back(o.offset);
    return Status::Ok();
  }
  bool WaitUntilFirstStoreEntered() {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return first_entered_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    changed_.notify_all();
  }
  std::vector<int64_t> stored() const {
    std::lock_guard lock(mu_);
    return stored_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  bool first_entered_ = false;
  bool released_ = false;
  std::vector<int64_t> stored_;
};

// Two records of one partition produced, record 0's acknowledgement served on its own thread
// and its store (offset 1) held in SlowFirstStoreCommitter; record 1 (offset 2) not yet
// acknowledged.
class EngineStoreOrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = std::make_unique<Engine>(testing::FakeEngineOptions(pipeline_.get(), &clock_, 2),
                                       &sink_, &committer_, nullptr);
    engine_->Start();
    engine_->Assign({{"in", 0}});
    engine_->Dispatch(Rec("in", 0, 0, "first"));
    ASSERT_TRUE(WaitForOutputs(1));
    held_ = std::thread([this] { sink_.AckAll(*engine_); });  // record 0: Store(1), held
    ASSERT_TRUE(committer_.WaitUntilFirstStoreEntered());
    engine_->Dispatch(Rec("in", 0, 1, "second"));
    ASSERT_TRUE(WaitForOutputs(2));
  }
  void TearDown() override {
    committer_.Release();
    if (held_.joinable()) held_.join();
    engine_->Stop();
  }
  bool WaitForOutputs(size_t n) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (sink_.size() < n && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return sink_.size() == n;
  }

  std::unique_ptr<core::Pipeline> pipeline_ = FakePipeline();
  core::FixedClock clock_{0};
  FakeSink sink_;
  SlowFirstStoreCommitter committer_;
  std::unique_ptr<Engine> engine_;
  std::thread held_;
};

TEST_F(EngineStoreOrderTest, ALaterOffsetStoredFirstIsNeverFollowedByAnEarlierOne) {
  // Record 1's acknowledgement, served here while record 0's store is held, decides offset 2.
  // The stored offsets must still only go forward (found by ThreadSanitizer's timing: the store
  // used to be an unordered call after the engine's lock).
  sink_.AckAll(*engine_);  // waits for the held store now (before: overtook it)
  committer_.Release();
  held_.join();
  EXPECT_EQ(committer_.stored(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(engine_->counts().completed, 2);
}

TEST_F(EngineStoreOrderTest, ACommitIsNotFollowedByAStoreDecidedBeforeIt) {
  // Record 1's store (offset 2) waits behind the held one; a final commit (CommitAll, as at
  // shutdown) of offset 2 must not land before the held store does.
  std::thread second([this] { sink_.AckAll(*engine_); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Status commit = Status::Ok();
  std::thread committing([&] { commit = engine_->CommitAll(std::chrono::seconds(1)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  committer_.Release();
  held_.join();
  second.join();
  committing.join();
  EXPECT_TRUE(commit.ok());
  const std::vector<int64_t> stored = committer_.stored();
  ASSERT_FALSE(stored.empty());
  EXPECT_TRUE(std::is_sorted(stored.begin(), stored.end())) << ::testing::PrintToString(stored);
  EXPECT_EQ(stored.front(), 1);
  EXPECT_EQ(stored.back(), 2);
}

// Size limits, tombstones, re-routes: an engine whose producer limit is 4,000 bytes.
class EngineLimitsTest : public EngineTest {
 protected:
  void SetUp() override { StartEngine(2, 4000); }
  static std::map<std::string, std::string> Headers(const OutMessage& m) {
    std::map<std::string, std::string> h;
    for (const auto& header : m.headers) h[header.key] = header.value;
    return h;
  }
};

TEST_F(EngineLimitsTest, EnrichedEventAboveTheLimitIsProducedReducedAndMarkedTruncated) {
  engine_->Assign({{"in", 0}});
  const std::string event = R"({"id":"a1","title":"t","body":")" + std::string(6000, 'x') +
                            R"(","lead":"l","topics":[]})";
  engine_->Dispatch(Rec("in", 0, 0, event));
  WaitForMessages(1);
  const OutMessage m = sink_.Messages()[0];
  EXPECT_EQ(m.topic, "enriched");
  EXPECT_LT(m.value.size(), 4000u);
  EXPECT_NE(m.value.find(R"("truncated":true)"), std::string::npos) << m.value;
  EXPECT_NE(m.value.find(R"("body":"")"), std::string::npos) << m.value;
  sink_.AckAll(*engine_);
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  EXPECT_EQ(committer_.stored({"in", 0}), 1);
  EXPECT_EQ(engine_->counts().enriched, 1);
}

TEST_F(EngineLimitsTest, OutputThatCannotBeReducedDeadLettersTheRecordWithABoundedPrefix) {
  engine_->Assign({{"in", 0}});
  const std::string value(9000, 'z');  // "out:zzz..." is not JSON: no reduced form
  engine_->Dispatch(Rec("in", 0, 0, value));
  engine_->Dispatch(Rec("in", 0, 1, "next"));
  WaitForMessages(2);
  const OutMessage m = sink_.Messages()[0];
  EXPECT_EQ(m.topic, "dlq");
  auto h = Headers(m);
  EXPECT_EQ(h["newsflow.error.class"], "too_large");
  EXPECT_EQ(h["newsflow.error.stage"], "produce");
  EXPECT_NE(h["newsflow.error.message"].find("above the producer limit"), std::string::npos);
  EXPECT_EQ(h["newsflow.error.value_truncated"], "true");
  EXPECT_EQ(h["newsflow.error.original_length"], "9000");
  EXPECT_EQ(m.value, value.substr(0, m.value.size()));
  EXPECT_EQ(sink_.Messages()[1].topic, "enriched") << "the partition keeps moving";
  sink_.AckAll(*engine_);
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  EXPECT_FALSE(engine_->failed());
  EXPECT_EQ(committer_.stored({"in", 0}), 2);
  EXPECT_EQ(engine_->counts().dead_lettered, 1);
}

TEST_F(EngineLimitsTest, TombstoneAndNullHeaderReachTheDeadLetterExactly) {
  engine_->Assign({{"in", 0}});
  schemas::RawRecord r = Rec("in", 0, 0, "");
  r.null_value = true;
  r.headers.push_back({"trace", "", /*null_value=*/true});
  r.headers.push_back({"empty", ""});
  engine_->Dispatch(std::move(r));
  WaitForMessages(1);
  const OutMessage m = sink_.Messages()[0];
  EXPECT_EQ(m.topic, "dlq");
  EXPECT_TRUE(m.null_value) << "a tombstone stays a tombstone";
  bool saw_null = false, saw_empty = false;
  for (const auto& h : m.headers) {
    if (h.key == "trace") saw_null = h.null_value;
    if (h.key == "empty") saw_empty = !h.null_value && h.value.empty();
  }
  EXPECT_TRUE(saw_null) << "a null header stays null";
  EXPECT_TRUE(saw_empty) << "an empty header stays empty, not null";
}

TEST_F(EngineLimitsTest, BrokerRefusingAnOutputAsTooLargeReroutesTheRecordToTheDeadLetterTopic) {
  engine_->Assign({{"in", 0}});
  engine_->Dispatch(Rec("in", 0, 0, "a"));
  engine_->Dispatch(Rec("in", 0, 1, "b"));
  WaitForMessages(2);
  sink_.set_failure(DeliveryFailure::kTooLarge);
  sink_.AckAll(*engine_, "out:a");  // the broker refuses a's enriched event
  WaitForMessages(3);
  const OutMessage dl = sink_.Messages()[2];
  EXPECT_EQ(dl.topic, "dlq");
  EXPECT_EQ(dl.value, "a") << "the original bytes";
  EXPECT_EQ(Headers(dl)["newsflow.error.class"], "too_large");
  sink_.AckAll(*engine_);
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  EXPECT_FALSE(engine_->failed()) << "the record, not the cluster, was at fault";
  EXPECT_EQ(committer_.stored({"in", 0}), 2);
  EXPECT_EQ(engine_->counts().rerouted, 1);
}

TEST_F(EngineLimitsTest, ProducerRefusingAMessageAsTooLargeReroutesToo) {
  sink_.set_max_bytes(100);  // "out:" + 100 bytes is refused, the 100-byte original is not
  engine_->Assign({{"in", 0}});
  engine_->Dispatch(Rec("in", 0, 0, std::string(100, 'q')));
  WaitForMessages(1);
  EXPECT_EQ(sink_.Messages()[0].topic, "dlq");
  EXPECT_EQ(sink_.Messages()[0].value, std::string(100, 'q'));
  sink_.AckAll(*engine_);
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  EXPECT_FALSE(engine_->failed());
  EXPECT_EQ(committer_.stored({"in", 0}), 1);
}

TEST_F(EngineLimitsTest, OtherDeliveryFailuresStillStopTheEngine) {
  engine_->Assign({{"in", 0}});
  engine_->Dispatch(Rec("in", 0, 0, "a"));
  WaitForMessages(1);
  sink_.set_failure(DeliveryFailure::kUnknownTopic);
  sink_.AckAll(*engine_, "out:a");
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  EXPECT_TRUE(engine_->failed());
  EXPECT_EQ(committer_.stored({"in", 0}), 0);
}

TEST(EnginePassThroughTest, ProducesRecordsUnchangedToTheEnrichedTopic) {
  core::FixedClock clock(0);
  FakeSink sink;
  FakeCommitter committer;
  EngineOptions o;
  o.clock = &clock;
  o.workers = 2;
  o.topics = {"out", "alerts", "dlq"};
  Engine engine(o, &sink, &committer, nullptr);
  engine.Start();
  engine.Assign({{"in", 0}});
  engine.Dispatch(Rec("in", 0, 0, "bad-but-passed-through"));
  ASSERT_TRUE(engine.Drain(std::chrono::milliseconds(1)) == false);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (sink.Messages().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(sink.Messages().size(), 1u);
  EXPECT_EQ(sink.Messages()[0].topic, "out");
  EXPECT_EQ(sink.Messages()[0].value, "bad-but-passed-through");
  sink.AckAll(engine);
  EXPECT_TRUE(engine.Drain(std::chrono::seconds(5)));
  engine.Stop();
}

}  // namespace
}  // namespace newsflow::consumers
