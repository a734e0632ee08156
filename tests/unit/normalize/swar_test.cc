#include "processors/normalize/swar.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace newsflow::normalize::swar {
namespace {

// Every byte value at every position, next to neighbours that could leak a borrow or carry
// into it (0x00, 0x7F, 0x80, 0xFF), against the plain per-byte comparison.
TEST(SwarTest, BytesBetweenMatchesPerByteComparison) {
  const std::pair<uint64_t, uint64_t> ranges[] = {
      {'a' - 1, 'z' + 1}, {'0' - 1, '9' + 1}, {0x20, 0x7F}, {0x1F, 0x21}, {0, 128}, {127, 128}};
  const uint8_t neighbours[] = {0x00, 0x20, 0x7F, 0x80, 0xFF};
  for (const auto& [lo, hi] : ranges) {
    for (int position = 0; position < 8; ++position) {
      for (uint8_t fill : neighbours) {
        for (int b = 0; b < 256; ++b) {
          uint8_t bytes[8];
          for (uint8_t& x : bytes) x = fill;
          bytes[position] = static_cast<uint8_t>(b);
          const uint64_t got = BytesBetween(Load8(bytes), lo, hi);
          for (int k = 0; k < 8; ++k) {
            const bool want = bytes[k] > lo && bytes[k] < hi;
            const bool have = ((got >> (8 * k + 7)) & 1) != 0;
            ASSERT_EQ(have, want) << "lo " << lo << " hi " << hi << " byte " << int{bytes[k]}
                                  << " at " << k;
            ASSERT_EQ((got >> (8 * k)) & 0x7F, 0u);  // only high bits are ever set
          }
        }
      }
    }
  }
}

// All 256 combinations of the eight high bits.
TEST(SwarTest, CountHighBitsCountsEveryPattern) {
  for (int pattern = 0; pattern < 256; ++pattern) {
    uint64_t mask = 0;
    int want = 0;
    for (int k = 0; k < 8; ++k) {
      if ((pattern >> k) & 1) {
        mask |= uint64_t{0x80} << (8 * k);
        ++want;
      }
    }
    ASSERT_EQ(CountHighBits(mask), want) << pattern;
  }
}

// Against a bit-by-bit count: every single bit and pair of bits, all-ones, and random values.
TEST(SwarTest, PopCount32CountsSetBits) {
  auto slow = [](uint32_t v) {
    int n = 0;
    for (; v != 0; v >>= 1) n += static_cast<int>(v & 1);
    return n;
  };
  for (int a = 0; a < 32; ++a) {
    for (int b = a; b < 32; ++b) {
      const uint32_t v = (uint32_t{1} << a) | (uint32_t{1} << b);
      ASSERT_EQ(PopCount32(v), slow(v)) << a << " " << b;
    }
  }
  EXPECT_EQ(PopCount32(0), 0);
  EXPECT_EQ(PopCount32(0xFFFFFFFFu), 32);
  uint32_t x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 1664525u + 1013904223u;
    ASSERT_EQ(PopCount32(x), slow(x)) << x;
  }
}

}  // namespace
}  // namespace newsflow::normalize::swar
