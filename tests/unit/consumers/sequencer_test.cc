#include "consumers/sequencer.h"

#include <gtest/gtest.h>

#include <string>

namespace newsflow::consumers {
namespace {

TEST(SequencerTest, ReleasesInSequenceOrderWhateverTheCompletionOrder) {
  Sequencer<std::string> s;
  EXPECT_TRUE(s.Add(2, "c"));
  EXPECT_TRUE(s.TakeReady().empty());
  EXPECT_TRUE(s.Add(1, "b"));
  EXPECT_TRUE(s.TakeReady().empty());
  EXPECT_TRUE(s.Add(0, "a"));
  EXPECT_EQ(s.TakeReady(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.next(), 3u);
  EXPECT_TRUE(s.Add(4, "e"));
  EXPECT_TRUE(s.TakeReady().empty());
  EXPECT_EQ(s.waiting(), 1u);
  EXPECT_TRUE(s.Add(3, "d"));
  EXPECT_EQ(s.TakeReady(), (std::vector<std::string>{"d", "e"}));
}

TEST(SequencerTest, DuplicateOrAlreadyReleasedSequenceIsRejected) {
  Sequencer<int> s;
  EXPECT_TRUE(s.Add(0, 1));
  s.TakeReady();
  EXPECT_FALSE(s.Add(0, 2));
  EXPECT_TRUE(s.Add(5, 1));
  EXPECT_FALSE(s.Add(5, 1));
}

}  // namespace
}  // namespace newsflow::consumers
