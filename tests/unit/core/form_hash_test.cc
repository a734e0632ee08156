// core::EqualBytes: the same answer as memcmp for every length around its 4- and 8-byte loads,
// with a one-byte difference at every position.
#include "processors/core/form_hash.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace newsflow::core {
namespace {

TEST(EqualBytesTest, AgreesWithMemcmpForEveryLengthAndDifferingByte) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'x');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + (i * 7) % 26);
    // Copies inside larger buffers, so that the loads cannot lean on the strings' ends.
    const std::string b_buffer = "##" + a + "##";
    const char* const b = b_buffer.data() + 2;
    EXPECT_TRUE(EqualBytes(a.data(), b, n)) << n;
    for (size_t pos = 0; pos < n; ++pos) {
      std::string c = b_buffer;
      c[2 + pos] = static_cast<char>(c[2 + pos] ^ 0x20);
      ASSERT_NE(std::memcmp(a.data(), c.data() + 2, n), 0);
      EXPECT_FALSE(EqualBytes(a.data(), c.data() + 2, n)) << n << " differs at " << pos;
    }
  }
}

}  // namespace
}  // namespace newsflow::core
