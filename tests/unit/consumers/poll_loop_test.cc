// PollLoop policies on the fakes (tests/testing/kafka_fakes.h), no broker: hold then pause when
// the work queue stays full, pause at once when the producer backs up, resume, the rewind-skip,
// revocation with records in flight, a lost partition, a delivery failure, a fatal source error.
#include "consumers/poll_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <thread>

#include "tests/testing/kafka_fakes.h"

namespace newsflow::consumers {
namespace {

using testing::FakeCommitter;
using testing::FakeSink;
using testing::FakeSource;
using testing::Gate;

// Records what the loop reports to the probe (thread-safe: the Engine's workers call it too).
class CountingProbe final : public EngineProbe {
 public:
  void OnRebalance(std::string_view kind) override {
    std::lock_guard lock(mu_);
    ++rebalances[std::string(kind)];
  }
  void SetPaused(bool paused) override {
    std::lock_guard lock(mu_);
    if (paused) ++pauses;
  }
  void OnRedeliverySkipped() override {
    std::lock_guard lock(mu_);
    ++skipped;
  }
  void SetAssigned(int64_t n) override {
    std::lock_guard lock(mu_);
    assigned = n;
  }
  std::mutex mu_;
  std::map<std::string, int> rebalances;
  int pauses = 0;
  int64_t skipped = 0;
  int64_t assigned = -1;
};

class PollLoopTest : public ::testing::Test {
 protected:
  void Build(PollLoopOptions options, int workers = 2) {
    pipeline_ = testing::FakePipeline(&gate_);
    ASSERT_NE(pipeline_, nullptr);
    engine_ =
        std::make_unique<Engine>(testing::FakeEngineOptions(pipeline_.get(), &clock_, workers),
                                 &sink_, &committer_, &probe_);
    engine_->Start();
    loop_ = std::make_unique<PollLoop>(options, &source_, engine_.get(), &sink_, &probe_, &log_);
    ASSERT_TRUE(source_.Subscribe({"in"}, loop_.get()).ok());
  }

  void TearDown() override {
    gate_.Open();
    if (engine_) {
      engine_->Stop();
      sink_.AckAll(*engine_);
    }
    EXPECT_EQ(committer_.backward_stores(), 0);
  }

  // Steps the loop until `done` or the timeout; returns `done()`.
  bool StepUntil(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      loop_->Step();
    }
    return true;
  }

  // Steps and acknowledges everything until every record of the source was processed.
  bool RunToCompletion(int64_t records) {
    return StepUntil([&] {
      sink_.AckAll(*engine_);
      return engine_->counts().completed >= records && engine_->InFlight() == 0;
    });
  }

  const TopicPartition p0_{"in", 0};
  const TopicPartition p1_{"in", 1};
  core::FixedClock clock_{5000};
  Gate gate_;
  std::unique_ptr<core::Pipeline> pipeline_;
  FakeSink sink_;
  FakeCommitter committer_;
  FakeSource source_{&committer_};
  CountingProbe probe_;
  Logger log_{stderr, LogLevel::kError};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<PollLoop> loop_;
};

TEST_F(PollLoopTest, FullWorkQueueHoldsFirstThenPausesAndResumesWhenItDrains) {
  PollLoopOptions o;
  o.queue_max_records = 5;
  o.max_hold = std::chrono::milliseconds(50);
  Build(o, /*workers=*/1);
  for (int i = 0; i < 40; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  gate_.Close();  // the one worker blocks: the queue fills up
  const auto full_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(StepUntil([&] { return engine_->QueueSize() >= 5; }));
  ASSERT_TRUE(StepUntil([&] { return loop_->paused(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - full_at, std::chrono::milliseconds(50))
      << "a full queue holds the loop for max_hold before pausing";
  EXPECT_EQ(source_.paused(), (std::set<TopicPartition>{p0_}));
  EXPECT_LE(engine_->counts().dispatched, 7) << "nothing is consumed while holding/paused";
  // A partition assigned while paused starts paused.
  source_.Append(p1_, "late");
  source_.ScheduleAssign({p1_});
  ASSERT_TRUE(StepUntil([&] { return source_.paused().contains(p1_); }));
  gate_.Open();
  ASSERT_TRUE(StepUntil([&] {
    sink_.AckAll(*engine_);
    return !loop_->paused();
  }));
  EXPECT_TRUE(source_.paused().empty()) << "resume covers every assigned partition";
  ASSERT_TRUE(RunToCompletion(41));
  EXPECT_EQ(sink_.size(), 41u) << "nothing lost or duplicated across pause/resume";
  EXPECT_EQ(committer_.stored(p0_), 40);
  EXPECT_GE(probe_.pauses, 1);
}

TEST_F(PollLoopTest, ProducerBackingUpPausesAtOnceAndAcknowledgementsResume) {
  PollLoopOptions o;
  o.producer_max_messages = 4;
  Build(o);
  for (int i = 0; i < 4; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return loop_->paused(); }));
  EXPECT_GE(sink_.QueueDepth(), 4);
  for (int i = 4; i < 20; ++i) source_.Append(p0_, "r" + std::to_string(i));
  for (int i = 0; i < 50; ++i) loop_->Step();
  EXPECT_EQ(engine_->counts().dispatched, 4) << "paused: nothing more consumed";
  sink_.AckAll(*engine_);
  ASSERT_TRUE(StepUntil([&] {
    sink_.AckAll(*engine_);
    return !loop_->paused();
  }));
  ASSERT_TRUE(RunToCompletion(20));
  EXPECT_EQ(sink_.size(), 20u);
  EXPECT_GE(source_.resume_calls(), 1);
}

TEST_F(PollLoopTest, RecordsRedeliveredAfterAFetchRewindAreSkippedNotProcessedTwice) {
  Build(PollLoopOptions{});
  for (int i = 0; i < 10; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return engine_->counts().dispatched == 10; }));
  source_.Rewind(p0_, 3);  // librdkafka 2.0 re-fetches 3..9
  source_.Append(p0_, "r10");
  ASSERT_TRUE(StepUntil([&] { return engine_->counts().dispatched == 11; }));
  EXPECT_EQ(loop_->rewound_skipped(), 7);
  EXPECT_EQ(probe_.skipped, 7);
  ASSERT_TRUE(RunToCompletion(11));
  EXPECT_EQ(sink_.size(), 11u);
  EXPECT_EQ(committer_.stored(p0_), 11);
}

TEST_F(PollLoopTest, ReassignedPartitionStartsAgainFromTheCommittedOffset) {
  Build(PollLoopOptions{});
  for (int i = 0; i < 5; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(RunToCompletion(5));
  source_.ScheduleRevoke({p0_}, /*lost=*/false);
  ASSERT_TRUE(StepUntil([&] { return engine_->Assigned().empty(); }));
  EXPECT_EQ(committer_.committed().at(p0_), 5);
  // The group hands it back; the committed position (5) is where consumption resumes, and the
  // rewind check of the old assignment must not swallow anything.
  source_.Append(p0_, "r5");
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(RunToCompletion(6));
  EXPECT_EQ(sink_.size(), 6u);
  EXPECT_EQ(loop_->rewound_skipped(), 0);
}

TEST_F(PollLoopTest, RevokeWithRecordsInFlightWaitsForThemThenCommitsAndKeepsTheOthers) {
  PollLoopOptions o;
  o.revoke_timeout = std::chrono::seconds(5);
  Build(o);
  for (int i = 0; i < 10; ++i) source_.Append(p0_, "a" + std::to_string(i));
  for (int i = 0; i < 3; ++i) source_.Append(p1_, "b" + std::to_string(i));
  source_.ScheduleAssign({p0_, p1_});
  ASSERT_TRUE(StepUntil([&] { return sink_.size() == 13; }));
  ASSERT_EQ(committer_.stored(p0_), 0) << "nothing acknowledged yet";
  source_.ScheduleRevoke({p0_}, /*lost=*/false);
  std::thread acker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sink_.AckAll(*engine_);
  });
  const auto start = std::chrono::steady_clock::now();
  loop_->Step();  // serves the revocation: waits for the acknowledgements
  acker.join();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
  EXPECT_EQ(committer_.committed().at(p0_), 10) << "final offset committed on revoke";
  EXPECT_EQ(engine_->Assigned(), std::vector<TopicPartition>{p1_});
  EXPECT_EQ(source_.Assignment(), std::vector<TopicPartition>{p1_});
  EXPECT_EQ(probe_.rebalances["revoke"], 1);
  // A record of the revoked partition that still arrives is not processed.
  engine_->Dispatch(testing::KafkaRecord("in", 0, 10, "stale"));
  EXPECT_EQ(engine_->counts().dropped_unassigned, 1);
}

TEST_F(PollLoopTest, RevokeTimeoutAbandonsUnacknowledgedRecordsWithoutCommittingThem) {
  PollLoopOptions o;
  o.revoke_timeout = std::chrono::milliseconds(50);
  Build(o);
  for (int i = 0; i < 4; ++i) source_.Append(p0_, "a" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return sink_.size() == 4; }));
  source_.ScheduleRevoke({p0_}, false);
  loop_->Step();
  EXPECT_EQ(committer_.committed().at(p0_), 0) << "offset 0 was never acknowledged";
  sink_.AckAll(*engine_);  // late acknowledgements of a revoked partition store nothing
  EXPECT_EQ(committer_.stored(p0_), 0);
}

TEST_F(PollLoopTest, LostPartitionIsDroppedAtOnceAndNeverCommitted) {
  PollLoopOptions o;
  o.revoke_timeout = std::chrono::seconds(5);
  Build(o, /*workers=*/1);
  for (int i = 0; i < 50; ++i) source_.Append(p0_, "a" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return engine_->counts().dispatched == 50; }));
  source_.ScheduleRevoke({p0_}, /*lost=*/true);
  const auto start = std::chrono::steady_clock::now();
  loop_->Step();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1))
      << "a lost partition is not waited for";
  EXPECT_EQ(probe_.rebalances["lost"], 1);
  sink_.AckAll(*engine_);
  ASSERT_TRUE(engine_->Drain(std::chrono::seconds(5)));
  sink_.AckAll(*engine_);
  const EngineCounts c = engine_->counts();
  EXPECT_EQ(c.completed + c.dropped_revoked, 50);
  EXPECT_TRUE(committer_.committed().empty()) << "nothing is committed for a lost partition";
  EXPECT_EQ(committer_.stored(p0_), 0);
}

// Regression (fault suite, broker frozen then restarted): the producer backed up and paused
// the input; the partitions were lost while paused; the producer drained and the loop resumed
// its (then empty) assignment; when the group gave the partitions back, librdkafka still had
// them paused and nothing was consumed again.
TEST_F(PollLoopTest, PartitionsLostWhilePausedAreConsumedAgainWhenReassigned) {
  PollLoopOptions o;
  o.producer_max_messages = 4;
  Build(o);
  for (int i = 0; i < 4; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return loop_->paused(); }));
  source_.ScheduleRevoke({p0_}, /*lost=*/true);
  ASSERT_TRUE(StepUntil([&] { return probe_.rebalances["lost"] == 1; }));
  EXPECT_TRUE(source_.PausedFlag(p0_)) << "the fake keeps the flag, as librdkafka does";
  sink_.AckAll(*engine_);
  ASSERT_TRUE(StepUntil([&] {
    sink_.AckAll(*engine_);
    return !loop_->paused();
  })) << "the producer drained: the loop resumes (an empty assignment)";
  for (int i = 4; i < 10; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return probe_.rebalances["assign"] == 2; }));
  EXPECT_FALSE(source_.PausedFlag(p0_)) << "a partition assigned while not paused is resumed";
  ASSERT_TRUE(StepUntil([&] {
    sink_.AckAll(*engine_);
    return engine_->counts().dispatched >= 10;
  })) << "the re-assigned partition is consumed again (from the committed offset)";
}

TEST_F(PollLoopTest, DeliveryFailureFailsTheEngineAndHoldsTheOffsetBack) {
  Build(PollLoopOptions{});
  for (int i = 0; i < 6; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return sink_.size() == 6; }));
  sink_.AckAll(*engine_, "out:r3");
  EXPECT_TRUE(engine_->failed()) << "the runtime's loop ends on failed()";
  EXPECT_EQ(committer_.stored(p0_), 3) << "offsets 4 and 5 are held back behind 3";
  EXPECT_EQ(engine_->counts().delivery_failures, 1);
}

TEST_F(PollLoopTest, FatalSourceErrorStopsAndARetriableOneDoesNot) {
  Build(PollLoopOptions{});
  source_.ScheduleError("broker transport failure", /*fatal=*/false);
  EXPECT_EQ(loop_->Step(), Polled::Kind::kError);
  EXPECT_FALSE(loop_->fatal());
  source_.ScheduleError("producer fenced", /*fatal=*/true);
  EXPECT_EQ(loop_->Step(), Polled::Kind::kFatal);
  EXPECT_TRUE(loop_->fatal());
}

}  // namespace
}  // namespace newsflow::consumers

namespace newsflow::consumers {
namespace {

// exactly_once on the fakes: outputs become visible only with their offsets, in one
// transaction per batch; an abort rewinds, so each record is visible exactly once.
class ExactlyOnceLoopTest : public ::testing::Test {
 protected:
  // The committer the Engine sees: offsets travel in the transaction instead.
  class NoCommitter final : public OffsetCommitter {
   public:
    void Store(const TopicPartition&, int64_t) override {}
    Status Commit(const std::vector<PartitionOffset>&, std::chrono::milliseconds) override {
      return Status::Ok();
    }
  };

  void Build(int64_t max_records) {
    pipeline_ = testing::FakePipeline();
    engine_ = std::make_unique<Engine>(testing::FakeEngineOptions(pipeline_.get(), &clock_, 2),
                                       &sink_, &no_committer_, nullptr);
    engine_->Start();
    PollLoopOptions lo;
    lo.transaction_max_records = max_records;
    lo.transaction_interval = std::chrono::seconds(60);
    lo.transaction_timeout = std::chrono::seconds(5);
    loop_ = std::make_unique<PollLoop>(lo, &source_, engine_.get(), &sink_, nullptr, &log_, &txn_);
    ASSERT_TRUE(source_.Subscribe({"in"}, loop_.get()).ok());
    acker_ = std::thread([this] {
      while (!stop_acker_.load()) {
        sink_.AckAll(*engine_);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  void TearDown() override {
    stop_acker_.store(true);
    if (acker_.joinable()) acker_.join();
    if (engine_) {
      engine_->Stop();
      sink_.AckAll(*engine_);
    }
  }
  std::map<std::string, int> VisibleCounts() const {
    std::map<std::string, int> n;
    for (const auto& m : txn_.Visible()) ++n[m.value];
    return n;
  }
  bool StepUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      loop_->Step();
    }
    return true;
  }

  const TopicPartition p0_{"in", 0};
  core::FixedClock clock_{5000};
  std::unique_ptr<core::Pipeline> pipeline_;
  FakeSink sink_;
  FakeCommitter committer_;  // the group's committed offsets (written by the transactions)
  NoCommitter no_committer_;
  FakeSource source_{&committer_};
  testing::FakeTransactions txn_{&sink_, &committer_};
  Logger log_{stderr, LogLevel::kError};
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<PollLoop> loop_;
  std::atomic<bool> stop_acker_{false};
  std::thread acker_;
};

TEST_F(ExactlyOnceLoopTest, OutputsAndOffsetsAreCommittedTogetherOneTransactionPerBatch) {
  Build(/*max_records=*/5);
  for (int i = 0; i < 12; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return engine_->counts().dispatched == 12; }));
  ASSERT_TRUE(loop_->EndTransaction(true));
  EXPECT_EQ(txn_.committed(), 3) << "5 + 5 + 2 records";
  EXPECT_EQ(txn_.begun(), 3);
  EXPECT_EQ(committer_.committed().at(p0_), 12);
  const auto visible = VisibleCounts();
  EXPECT_EQ(visible.size(), 12u);
  for (const auto& [value, n] : visible) EXPECT_EQ(n, 1) << value;
  EXPECT_FALSE(loop_->in_transaction());
  EXPECT_TRUE(loop_->EndTransaction(true)) << "nothing open: nothing to do";
  EXPECT_EQ(txn_.begun(), 3) << "no empty transaction";
}

TEST_F(ExactlyOnceLoopTest, AbortableCommitErrorAbortsRewindsAndEachRecordIsVisibleOnce) {
  Build(/*max_records=*/4);
  for (int i = 0; i < 10; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  txn_.FailNextCommit(TxnStatus::Kind::kAbortable);
  ASSERT_TRUE(StepUntil([&] {
    if (source_.position(p0_) == 10 && loop_->in_transaction()) loop_->EndTransaction(true);
    return committer_.committed().contains(p0_) && committer_.committed().at(p0_) == 10;
  }));
  EXPECT_EQ(txn_.aborted(), 1);
  EXPECT_EQ(committer_.committed().at(p0_), 10);
  EXPECT_GT(engine_->counts().dispatched, 10) << "the aborted batch was read again";
  const auto visible = VisibleCounts();
  EXPECT_EQ(visible.size(), 10u);
  for (const auto& [value, n] : visible) EXPECT_EQ(n, 1) << value;
  EXPECT_FALSE(loop_->fatal());
}

TEST_F(ExactlyOnceLoopTest, RevocationCommitsTheOpenTransactionFirst) {
  Build(/*max_records=*/1000);
  for (int i = 0; i < 6; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return engine_->counts().dispatched == 6; }));
  EXPECT_TRUE(loop_->in_transaction());
  source_.ScheduleRevoke({p0_}, /*lost=*/false);
  loop_->Step();
  EXPECT_EQ(txn_.committed(), 1);
  EXPECT_EQ(committer_.committed().at(p0_), 6);
  EXPECT_EQ(VisibleCounts().size(), 6u);
}

TEST_F(ExactlyOnceLoopTest, LostPartitionsAbortTheOpenTransaction) {
  Build(/*max_records=*/1000);
  for (int i = 0; i < 6; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  ASSERT_TRUE(StepUntil([&] { return engine_->counts().dispatched == 6; }));
  source_.ScheduleRevoke({p0_}, /*lost=*/true);
  loop_->Step();
  EXPECT_EQ(txn_.committed(), 0);
  EXPECT_EQ(txn_.aborted(), 1);
  EXPECT_TRUE(txn_.Visible().empty()) << "nothing of the lost batch is visible";
  EXPECT_TRUE(committer_.committed().empty());
}

TEST_F(ExactlyOnceLoopTest, FatalCommitErrorStopsTheLoop) {
  Build(/*max_records=*/3);
  for (int i = 0; i < 5; ++i) source_.Append(p0_, "r" + std::to_string(i));
  source_.ScheduleAssign({p0_});
  txn_.FailNextCommit(TxnStatus::Kind::kFatal);
  ASSERT_TRUE(StepUntil([&] { return loop_->fatal(); }));
  EXPECT_TRUE(txn_.Visible().empty());
}

}  // namespace
}  // namespace newsflow::consumers
