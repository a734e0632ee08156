#include "schemas/text.h"

#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

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

// Reference: the offset of the first ill-formed sequence, straight from table 3-7 of the
// Unicode standard (well-formed UTF-8 byte sequences).
std::optional<size_t> ReferenceFirstInvalid(std::string_view bytes) {
  struct Row {
    unsigned char lead_lo, lead_hi, second_lo, second_hi;
    int length;
  };
  static const Row kRows[] = {
      {0x00, 0x7F, 0, 0, 1},       {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3},
      {0xE1, 0xEC, 0x80, 0xBF, 3}, {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3},
      {0xF0, 0xF0, 0x90, 0xBF, 4}, {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
  };
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  while (i < bytes.size()) {
    const Row* row = nullptr;
    for (const Row& r : kRows) {
      if (s[i] >= r.lead_lo && s[i] <= r.lead_hi) row = &r;
    }
    if (row == nullptr || i + row->length > bytes.size()) return i;
    for (int k = 1; k < row->length; ++k) {
      const unsigned char lo = k == 1 ? row->second_lo : 0x80;
      const unsigned char hi = k == 1 ? row->second_hi : 0xBF;
      if (s[i + k] < lo || s[i + k] > hi) return i;
    }
    i += row->length;
  }
  return std::nullopt;
}

TEST(FindInvalidUtf8Test, ReportsEachKindOfBadSequenceAtItsOffset) {
  // Each bad sequence after prefixes of every length from 0 to 40 bytes (ASCII, or two-byte
  // letters, so that it lands at every position of the 16-byte blocks), then followed by text.
  struct Case {
    const char* what;
    std::string bytes;
  };
  const Case bad[] = {
      {"overlong 2-byte C0", "\xC0\xAF"},
      {"overlong 2-byte C1", "\xC1\xBF"},
      {"overlong 3-byte", "\xE0\x80\xAF"},
      {"overlong 3-byte E0 9F", "\xE0\x9F\xBF"},
      {"overlong 4-byte", "\xF0\x80\x80\xAF"},
      {"overlong 4-byte F0 8F", "\xF0\x8F\xBF\xBF"},
      {"surrogate D800", "\xED\xA0\x80"},
      {"surrogate DFFF", "\xED\xBF\xBF"},
      {"above U+10FFFF", "\xF4\x90\x80\x80"},
      {"lead F5", "\xF5\x80\x80\x80"},
      {"lead FF", "\xFF"},
      {"lone continuation", "\x80"},
      {"lone continuation BF", "\xBF"},
      {"truncated 2-byte", "\xC3"},
      {"truncated 3-byte", "\xE2\x82"},
      {"truncated 4-byte", "\xF0\x9F\x98"},
      {"bad second byte", "\xC3\x28"},
      {"bad third byte", "\xE2\x82\x28"},
      {"bad fourth byte", "\xF0\x9F\x98\x28"},
  };
  for (const auto& c : bad) {
    for (const std::string unit : {"a", "\xD8\xA8"}) {
      for (size_t len = 0; len <= 40; ++len) {
        std::string prefix;
        while (prefix.size() + unit.size() <= len) prefix += unit;
        while (prefix.size() < len) prefix += 'x';
        for (const std::string suffix : {"", "z", " and some more text after it", "\xD8\xA8"}) {
          const std::string bytes = prefix + c.bytes + suffix;
          const auto found = FindInvalidUtf8(bytes);
          ASSERT_TRUE(found.has_value()) << c.what << " after " << len << " bytes";
          EXPECT_EQ(*found, prefix.size()) << c.what << " after " << len << " bytes";
        }
      }
    }
  }
}

// Every string of one or two bytes, and every string of three and four bytes drawn from the
// values at the edges of the UTF-8 table's ranges.
std::vector<std::string> ShortSequences() {
  const unsigned char edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE,
                                 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
  std::vector<std::string> inputs;
  for (int a = 0; a < 256; ++a) {
    inputs.push_back(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      inputs.push_back({static_cast<char>(a), static_cast<char>(b)});
    }
  }
  for (unsigned char a : edges) {
    for (unsigned char b : edges) {
      for (unsigned char c : edges) {
        inputs.push_back({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        for (unsigned char d : edges) {
          inputs.push_back({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                            static_cast<char>(d)});
        }
      }
    }
  }
  return inputs;
}

TEST(FindInvalidUtf8Test, AgreesWithTheUnicodeTableOnAllShortSequences) {
  // Each of ShortSequences() alone and between ASCII and non-ASCII text.
  const std::vector<std::string> inputs = ShortSequences();
  size_t checked = 0;
  for (const auto& core : inputs) {
    for (const char* around : {"", "0123456789abcde", "\xD0\x9F\xD1\x80\xD0\xB8"}) {
      const std::string bytes = around + core + around;
      ASSERT_EQ(FindInvalidUtf8(bytes), ReferenceFirstInvalid(bytes))
          << "input of " << bytes.size() << " bytes around " << core.size() << " bytes";
      ++checked;
    }
  }
  EXPECT_GT(checked, 1'000'000u);
}

TEST(FindInvalidUtf8Test, AgreesWithTheUnicodeTableAtEveryPositionOfALongString) {
  // Strings of 32 bytes and more are checked 16 bytes at a time, each block with the 3 bytes
  // before it, and the last block overlaps the one before: every string of one or two bytes
  // and the edge values' strings of three and four bytes, after prefixes of 16-47 bytes (so
  // that they start at every position of a block, and straddle the first block's end), in
  // ASCII and in two-byte letters, and followed by text or by nothing (the string's end).
  const std::vector<std::string> inputs = ShortSequences();
  const std::string ascii(64, 'q');
  std::string letters;  // two Cyrillic letters, a 3-byte and a 4-byte character, over and over
  while (letters.size() < 64) letters += "\xD0\x9F\xD1\x80\xE2\x9C\x93\xF0\x9F\x98\x80";
  size_t checked = 0;
  size_t invalid = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    // Every prefix length for every input would be ~40 M checks; each input gets one of the
    // 32 lengths (k picks it), so each length meets every kind of input many times.
    for (const size_t len : {16 + (k * 7 + k / 256) % 32}) {
      for (const std::string* filler : {&ascii, static_cast<const std::string*>(&letters)}) {
        // A prefix that ends on a character boundary, padded with ASCII to `len` bytes.
        std::string prefix = filler->substr(0, len);
        while (!prefix.empty() && ReferenceFirstInvalid(prefix)) prefix.pop_back();
        prefix.resize(len, 'p');
        for (const char* suffix : {"", " after", "\xD0\x9F and more text to fill a block"}) {
          const std::string bytes = prefix + inputs[k] + suffix;
          const auto expected = ReferenceFirstInvalid(bytes);
          ASSERT_EQ(FindInvalidUtf8(bytes), expected)
              << "input " << k << " after " << len << " bytes, then " << suffix;
          ++checked;
          invalid += expected.has_value();
        }
      }
    }
  }
  EXPECT_GT(checked, 2'500'000u);
  EXPECT_GT(invalid, checked / 2);  // most random byte pairs are ill-formed
  EXPECT_LT(invalid, checked);
}

TEST(FindInvalidUtf8Test, LongValidTextInEveryScriptAndInvalidAtTheEnd) {
  std::string text;
  for (int i = 0; i < 50; ++i) {
    text +=
        "Trump \xD8\xAA\xD8\xB1\xD8\xA7\xD9\x85\xD8\xA8 \xD0\xA2\xD1\x80\xD0\xB0\xD0\xBC\xD0\xBF "
        "\xD7\x98\xD7\xA8\xD7\x90\xD7\x9E\xD7\xA4 \xE2\x9C\x93 \xF0\x9F\x98\x80 "
        "\xE4\xB8\xAD\xE6\x96\x87 0123456789012345678901234567890123456789 ";
  }
  EXPECT_FALSE(FindInvalidUtf8(text));
  EXPECT_EQ(FindInvalidUtf8(text + "\xED\xA0\x80"), text.size());
  EXPECT_EQ(FindInvalidUtf8(text + "\xF0\x9F\x98"), text.size());
  EXPECT_EQ(FindInvalidUtf8("\x80" + text), 0u);
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

TEST(ParseRfc3339Test, AcceptsTheFormsRfc3339Allows) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2025-10-21T00:00:00.123Z"), 1761004800123);
  EXPECT_EQ(ParseRfc3339("2025-10-21t00:00:00.1z"), 1761004800100);
  EXPECT_EQ(ParseRfc3339("2025-10-21 00:00:00.123456789Z"), 1761004800123) << "truncated to ms";
  EXPECT_EQ(ParseRfc3339("2025-10-21T02:30:00+02:30"), 1761004800000);
  EXPECT_EQ(ParseRfc3339("2025-10-20T22:00:00-02:00"), 1761004800000);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(ParseRfc3339("2024-02-29T00:00:00Z"), 1709164800000) << "leap day";
}

TEST(ParseRfc3339Test, RejectsEverythingElse) {
  for (const char* bad :
       {"", "2025-10-21", "2025-10-21T00:00:00", "2025-10-21T00:00:00ZZ", "2025-10-21T00:00Z",
        "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-10-32T00:00:00Z",
        "2025-10-21T24:00:00Z", "2025-10-21T00:60:00Z", "2025-10-21T00:00:61Z",
        "2025-10-21T00:00:00.Z", "2025-10-21T00:00:00+0200", "2025-10-21T00:00:00+24:00",
        "25-10-21T00:00:00Z", "2025/10/21T00:00:00Z", " 2025-10-21T00:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(ParseRfc3339Test, RoundTripsTheFormatter) {
  for (int64_t ms : {int64_t{0}, int64_t{-1}, int64_t{1761004800123}, int64_t{253402300799999},
                     int64_t{-30610224000000}}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(ms)), ms) << ms;
  }
}

// The libc formatting FormatRfc3339 used before (and still uses outside years 1000-9999).
std::string StrftimeRfc3339(int64_t epoch_ms) {
  int64_t secs = epoch_ms / 1000;
  int64_t ms = epoch_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  const time_t t = static_cast<time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

TEST(FormatRfc3339Test, SameAsStrftimeFromYear1To10000) {
  // Year 1 to 10000, in steps that move through every millisecond, second, minute, hour and day
  // value, plus the instants around the ends of the four-digit years and of leap days.
  const int64_t first = -62135596800000;  // 0001-01-01T00:00:00.000Z
  const int64_t last = 253402300800000;   // 10000-01-01T00:00:00.000Z
  for (int64_t ms = first; ms <= last;
       ms += int64_t{86'400'000} * 37 + 3'600'000 * 5 + 60'000 * 7 + 1'001) {
    ASSERT_EQ(FormatRfc3339(ms), StrftimeRfc3339(ms)) << ms;
  }
  const int64_t edges[] = {first,        -30610224000000 /* 1000-01-01 */,     0,
                           951782400000, 951868800000 /* 2000-02-29, 03-01 */, last - 86'400'000,
                           last};
  for (int64_t edge : edges) {
    for (int64_t d = -2000; d <= 2000; d += 7) {
      ASSERT_EQ(FormatRfc3339(edge + d), StrftimeRfc3339(edge + d)) << edge + d;
    }
  }
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
