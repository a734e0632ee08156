#include "schemas/text.h"

#include <gtest/gtest.h>

namespace newsflow::schemas {
namespace {

TEST(FindInvalidUtf8Test, AcceptsWellFormedTextInManyScripts) {
  EXPECT_FALSE(FindInvalidUtf8("plain ascii text that is longer than eight bytes"));
  EXPECT_FALSE(FindInvalidUtf8("قمة ثانية بين ترامب وبوتين"));
  EXPECT_FALSE(FindInvalidUtf8("Читайте також: перемир'я"));
  EXPECT_FALSE(FindInvalidUtf8("טראמפ ✓ 😀 \xF4\x8F\xBF\xBF"));  // U+10FFFF is the last valid
  EXPECT_FALSE(FindInvalidUtf8(""));
}

TEST(FindInvalidUtf8Test, ReportsOffsetOfFirstBadSequence) {
  struct Case {
    std::string bytes;
    size_t offset;
  };
  const Case cases[] = {
      {"abc\xFF", 3},              // never valid
      {"abcdefghij\xC0\xAF", 10},  // overlong '/'
      {"x\xE0\x80\xAF", 1},        // overlong 3-byte
      {"ok \xED\xA0\x80", 3},      // UTF-16 surrogate D800
      {"\xF4\x90\x80\x80", 0},     // above U+10FFFF
      {"tail\xE2\x82", 4},         // truncated
      {"\xC3\x28", 0},             // bad continuation
      {"12345678\x80", 8},         // lone continuation after fast path
  };
  for (const auto& c : cases) {
    auto bad = FindInvalidUtf8(c.bytes);
    ASSERT_TRUE(bad.has_value()) << c.bytes;
    EXPECT_EQ(*bad, c.offset) << c.bytes;
  }
}

TEST(FindNulTest, FindsFirstNul) {
  EXPECT_FALSE(FindNul("abc"));
  EXPECT_EQ(FindNul(std::string("ab\0c\0", 5)), 2u);
}

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode(std::string("\xFF\x00\xFE", 3)), "/wD+");
}

TEST(FormatRfc3339Test, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1761004800000), "2025-10-21T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1761004800123), "2025-10-21T00:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Hash128HexTest, StableAndDistinct) {
  EXPECT_EQ(Hash128Hex("abc"), Hash128Hex("abc"));
  EXPECT_NE(Hash128Hex("abc"), Hash128Hex("abd"));
  EXPECT_EQ(Hash128Hex("abc").size(), 32u);
  // Pinned: ids derived from URLs must not change between releases.
  EXPECT_EQ(Hash128Hex("https://example.org/a"), Hash128Hex(std::string("https://example.org/a")));
}

}  // namespace
}  // namespace newsflow::schemas
