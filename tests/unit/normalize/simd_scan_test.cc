#include "processors/normalize/simd_scan.h"

#include <gtest/gtest.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf8.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace newsflow::normalize::simd {
namespace {

// What PlainPrefix16() may accept, from ICU and clean.h's rules: a character that CleanText
// copies as it is (not a control, a space other than U+0020, or a removed format character)
// and that needs no NFC work (NFC_Quick_Check Yes, combining class 0).
bool IsPlain(UChar32 c) {
  if (c < 0x80) return c >= 0x21 && c < 0x7F;
  if (c < 0xA0 || c == 0x00A0 || c == 0x00AD || c == 0x061C || c == 0x1680 || c == 0x180E ||
      (c >= 0x2000 && c <= 0x206F) || c == 0x3000 || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC)) {
    return false;
  }
  return u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) == UNORM_YES &&
         u_getCombiningClass(c) == 0;
}

std::string Utf8(UChar32 c) {
  uint8_t buf[4];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, c);
  return std::string(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

// Checks a result of PlainPrefix16 on the 16 bytes of `text` against the rules: the prefix is
// whole characters, each plain, or a single space between two of them (first only when
// `space_first`).
void CheckPrefix(const std::string& text, bool space_first, int got) {
  ASSERT_EQ(text.size(), 16u);
  ASSERT_GE(got, 0);
  ASSERT_LE(got, 16);
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  int32_t i = 0;
  bool after_space = false;
  while (i < got) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(s, i, 16, c);
    ASSERT_LE(i, got) << "a character crosses the prefix end at " << start;
    ASSERT_GE(c, 0) << "ill-formed UTF-8 accepted at " << start;
    if (c == ' ') {
      ASSERT_TRUE(start > 0 || space_first) << "leading space accepted";
      ASSERT_FALSE(after_space) << "two spaces accepted at " << start;
      after_space = true;
      continue;
    }
    ASSERT_TRUE(IsPlain(c)) << "U+" << std::hex << c << " accepted at " << std::dec << start;
    after_space = false;
  }
  // A space ends the prefix only when what follows it is not taken (it then is not content).
  ASSERT_FALSE(after_space) << "the prefix ends with a space";
}

// Every two-byte character: at the start of a block (followed by ASCII or Arabic letters), at
// its very end, and straddling the end (its second byte past the block: never taken).
TEST(PlainPrefix16, AcceptsOnlyPlainTwoByteCharacters) {
  int accepted = 0;
  for (UChar32 c = 0x80; c < 0x800; ++c) {
    const std::string ch = Utf8(c);
    for (const std::string fill : {"a", "\u0627"}) {
      std::string text = ch;
      while (text.size() < 16) text += fill;
      const int got = PlainPrefix16(reinterpret_cast<const uint8_t*>(text.data()), false);
      CheckPrefix(text, false, got);
      if (got == 16) ++accepted;
    }
    const std::string end = std::string(14, 'b') + ch;
    const int end_got = PlainPrefix16(reinterpret_cast<const uint8_t*>(end.data()), false);
    CheckPrefix(end, false, end_got);
    ASSERT_TRUE(end_got == 14 || end_got == 16) << end_got;
    const std::string straddle = std::string(15, 'b') + ch;
    ASSERT_EQ(PlainPrefix16(reinterpret_cast<const uint8_t*>(straddle.data()), false), 15);
  }
#if defined(__SSE2__)
  EXPECT_GT(accepted, 2 * 850);  // the fast path covers the main scripts (881 characters)
  const std::string samples[] = {"\u0627\u0644\u0639\u0631\u0628\u064A\u0629 \u06A9\u06CC",
                                 "\u0420\u0443\u0441\u0441\u043A\u0438\u0439 \u0456\u0457",
                                 "\u05E2\u05D1\u05E8\u05D9\u05EA \u05D0\u05D1\u05D2\u05D3",
                                 "Fran\u00E7ais \u00E9t\u00E9 \u015F\u0131\u011F!",
                                 "plain ASCII text"};
  for (const std::string& sample : samples) {
    // Every whole character in the first 16 bytes is taken (a space only before another).
    size_t want = 0;
    for (size_t i = 0; i <= 16; ++i) {
      if (i == sample.size() || (static_cast<uint8_t>(sample[i]) & 0xC0) != 0x80) want = i;
    }
    if (sample[want - 1] == ' ') --want;
    EXPECT_EQ(PlainPrefix16(reinterpret_cast<const uint8_t*>(sample.data()), false),
              static_cast<int>(want))
        << sample;
  }
#endif
}

// Random blocks of spaces, ASCII, two-byte characters of every kind, marks, three- and
// four-byte characters, lone continuation bytes and truncated sequences.
TEST(PlainPrefix16, RandomBlocksFollowTheRules) {
  const std::string pieces[] = {" ",
                                "  ",
                                "a",
                                "Z",
                                "~",
                                "\t",
                                "\x7F",
                                "\xC3\xA9",
                                "\xC2\xA0",
                                "\xC2\xAD",
                                "\xC2\xAB",
                                "\xD0\xB6",
                                "\xD2\x83",
                                "\xD7\x90",
                                "\xD6\xB8",
                                "\xD8\xA7",
                                "\xD8\x9C",
                                "\xD9\x8E",
                                "\xD9\x94",
                                "\xD9\xB0",
                                "\xDB\x8C",
                                "\xDB\x96",
                                "\xCC\x81",
                                "\xE2\x80\x8C",
                                "\xE4\xB8\x80",
                                "\xF0\x9F\x98\x80",
                                "\x80",
                                "\xC3",
                                "\xD8",
                                "\xDF\xBF",
                                "\xC0\x80",
                                "\xFF"};
  std::mt19937 rng(16);
  for (int round = 0; round < 200000; ++round) {
    std::string text;
    while (text.size() < 16) text += pieces[rng() % std::size(pieces)];
    text.resize(16);
    const bool space_first = (rng() & 1) != 0;
    CheckPrefix(text, space_first,
                PlainPrefix16(reinterpret_cast<const uint8_t*>(text.data()), space_first));
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << "block: " << ::testing::PrintToString(text);
      return;
    }
  }
}

// Against the per-byte definition, on random 17-byte windows of separators, ASCII letters,
// digits, punctuation and high bytes.
TEST(SpaceThen16, MatchesPerByteDefinition) {
  const uint8_t palette[] = {0x00, 0x09, 0x0A, 0x1F, 0x20, 0x21, '/', '0', '9',
                             ':',  '@',  'A',  'Z',  '[',  '`',  'a', 'z', '{',
                             0x7F, 0x80, 0xBF, 0xC0, 0xD8, 0xE2, 0xFF};
  std::mt19937 rng(17);
  for (int round = 0; round < 200000; ++round) {
    uint8_t block[17];
    for (uint8_t& b : block) b = palette[rng() % std::size(palette)];
    uint32_t alnum = 0;
    uint32_t non_ascii = 0;
    SpaceThen16(block, &alnum, &non_ascii);
    for (int k = 0; k < 16; ++k) {
      const bool separator = block[k] == 0x20;
      const uint8_t c = block[k + 1];
      const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      ASSERT_EQ((alnum >> k & 1) != 0, separator && word) << round << " at " << k;
      ASSERT_EQ((non_ascii >> k & 1) != 0, separator && c >= 0x80) << round << " at " << k;
    }
    ASSERT_EQ(alnum >> 16, 0u);
    ASSERT_EQ(non_ascii >> 16, 0u);
  }
}

// Against the per-byte definition, on random runs of lower-case letters and digits (long, so
// that whole 8- and 16-byte blocks occur) ended by the bytes next to the ranges and high
// bytes, with 8 to 20 bytes left in the buffer (16 are read only when 16 are there).
TEST(LowerOrDigitPrefix, MatchesPerByteDefinition) {
  const uint8_t stops[] = {0x00, 0x20, '/', ':',  '@',  'A',  'Z',
                           '[',  '`',  '{', 0x7F, 0x80, 0xC3, 0xFF};
  const uint8_t taken[] = {'a', 'm', 'z', '0', '5', '9'};
  std::mt19937 rng(23);
  for (int round = 0; round < 200000; ++round) {
    const auto avail = static_cast<ptrdiff_t>(8 + rng() % 13);
    std::vector<uint8_t> buf(static_cast<size_t>(avail));
    for (uint8_t& b : buf) {
      b = rng() % 6 != 0 ? taken[rng() % std::size(taken)] : stops[rng() % std::size(stops)];
    }
    uint32_t digits = 0xFFFFFFFF;
    const int got = LowerOrDigitPrefix(buf.data(), avail, &digits);
    const int width = avail >= 16 ? 16 : 8;
    int want = 0;
    uint32_t want_digits = 0;
    for (; want < width; ++want) {
      const uint8_t c = buf[static_cast<size_t>(want)];
      if (c >= '0' && c <= '9') {
        want_digits |= 1u << want;
      } else if (c < 'a' || c > 'z') {
        break;
      }
    }
    ASSERT_EQ(got, want) << round;
    ASSERT_EQ(digits, want_digits) << round;
  }
}

}  // namespace
}  // namespace newsflow::normalize::simd
