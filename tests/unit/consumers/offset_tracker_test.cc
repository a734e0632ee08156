#include "consumers/offset_tracker.h"

#include <gtest/gtest.h>

namespace newsflow::consumers {
namespace {

TEST(OffsetTrackerTest, NothingBegunHasNothingToCommit) {
  OffsetTracker t;
  EXPECT_FALSE(t.Committable().has_value());
}

TEST(OffsetTrackerTest, OutOfOrderCompletionCommitsOnlyTheContiguousPrefix) {
  OffsetTracker t;
  for (int64_t o = 10; o < 15; ++o) ASSERT_TRUE(t.Begin(o));
  EXPECT_EQ(t.Committable(), 10);
  ASSERT_TRUE(t.Complete(12));
  ASSERT_TRUE(t.Complete(11));
  EXPECT_EQ(t.Committable(), 10) << "10 is still in flight";
  ASSERT_TRUE(t.Complete(10));
  EXPECT_EQ(t.Committable(), 13);
  ASSERT_TRUE(t.Complete(14));
  EXPECT_EQ(t.Committable(), 13);
  ASSERT_TRUE(t.Complete(13));
  EXPECT_EQ(t.Committable(), 15);
  EXPECT_EQ(t.InFlight(), 0u);
}

TEST(OffsetTrackerTest, GapsInOffsetsDoNotBlockCommits) {
  // Compaction / transaction markers: offsets 3 and 4 never arrive.
  OffsetTracker t;
  ASSERT_TRUE(t.Begin(2));
  ASSERT_TRUE(t.Begin(5));
  ASSERT_TRUE(t.Complete(2));
  EXPECT_EQ(t.Committable(), 5);
  ASSERT_TRUE(t.Complete(5));
  EXPECT_EQ(t.Committable(), 6);
}

TEST(OffsetTrackerTest, ARecordThatNeverCompletesHoldsTheCommitBack) {
  // A permanent delivery failure: offset 7 stays in flight, nothing after it is committed.
  OffsetTracker t;
  for (int64_t o = 5; o < 10; ++o) t.Begin(o);
  for (int64_t o : {5, 6, 8, 9}) t.Complete(o);
  EXPECT_EQ(t.Committable(), 7);
}

TEST(OffsetTrackerTest, RedeliveryAndDoubleCompletionAreRejected) {
  OffsetTracker t;
  ASSERT_TRUE(t.Begin(3));
  EXPECT_FALSE(t.Begin(3));
  EXPECT_FALSE(t.Begin(1));
  EXPECT_TRUE(t.Complete(3));
  EXPECT_FALSE(t.Complete(3));
  EXPECT_FALSE(t.Complete(99));
  EXPECT_EQ(t.Committable(), 4);
}

}  // namespace
}  // namespace newsflow::consumers
