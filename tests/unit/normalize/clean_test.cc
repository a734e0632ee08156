#include "processors/normalize/clean.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string>

namespace newsflow::normalize {
namespace {

TEST(CleanText, RemovesZeroWidthAndBidiControls) {
  EXPECT_EQ(CleanText("a\u200Bb\u200E c\u202Bd\u202C\uFEFFe\u2066f\u2069\u00ADg\u061Ch"),
            "ab cdefgh");
  EXPECT_EQ(CleanText("\u200F\u0627\u0644\u062E\u0628\u0631\u200F"),
            "\u0627\u0644\u062E\u0628\u0631");
}

TEST(CleanText, KeepsZwnjInPersianWords) {
  const std::string word = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";  // می‌خواهم
  EXPECT_EQ(CleanText(word), word);
  const std::string ceasefire = "\u0622\u062A\u0634\u200C\u0628\u0633";  // آتش‌بس
  EXPECT_EQ(CleanText(ceasefire), ceasefire);
}

TEST(CleanText, DropsZwnjWhereItCarriesNoMeaning) {
  EXPECT_EQ(CleanText("ab\u200Ccd"), "abcd");                    // Latin
  EXPECT_EQ(CleanText("\u0628\u200C \u062A"), "\u0628 \u062A");  // before a space
  EXPECT_EQ(CleanText("\u200C\u0628\u062A"), "\u0628\u062A");    // line start
  CleanOptions no_zwnj;
  no_zwnj.keep_zwnj = false;
  EXPECT_EQ(CleanText("\u0622\u062A\u0634\u200C\u0628\u0633", no_zwnj),
            "\u0622\u062A\u0634\u0628\u0633");
}

TEST(CleanText, KeepsZwjInEmojiSequences) {
  const std::string family = "\U0001F468\u200D\U0001F469";
  EXPECT_EQ(CleanText("x " + family), "x " + family);
  EXPECT_EQ(CleanText("a\u200Db"), "ab");
}

TEST(CleanText, UnifiesLineBreaks) {
  EXPECT_EQ(CleanText("a\r\nb\rc\u2028d\u2029e\u0085f\x0Bg\x0Ch"), "a\nb\nc\nd\ne\nf\ng\nh");
}

TEST(CleanText, UnifiesAndCollapsesSpaces) {
  EXPECT_EQ(CleanText("a\u00A0\u00A0b\tc\u2009d\u3000e\u202Ff"), "a b c d e f");
  EXPECT_EQ(CleanText("  a   b  \n  c "), "a b\nc");
}

// Runs of spaces and tabs at every alignment to the cleaner's eight-byte ASCII steps: each run
// becomes one space (none at either end), and every kept byte maps back to itself.
TEST(CleanText, CollapsesSpacesAtEveryAlignment) {
  const std::string pieces[] = {"ab", "  ", "c",   "\t",   "defghijkl",
                                " ",  "m",  "   ", "nopq", " \t "};
  for (size_t lead = 0; lead < 17; ++lead) {
    for (size_t rotate = 0; rotate < std::size(pieces); ++rotate) {
      std::string in(lead % 3 == 0 ? 0 : 1, ' ');
      in += std::string(lead, 'x');
      for (size_t k = 0; k < std::size(pieces); ++k) in += pieces[(k + rotate) % std::size(pieces)];
      // Expected: whitespace runs -> one space, trimmed.
      std::string want;
      bool space = false;
      for (char c : in) {
        if (c == ' ' || c == '\t') {
          space = true;
          continue;
        }
        if (space && !want.empty()) want += ' ';
        space = false;
        want += c;
      }
      std::string out;
      OffsetMap map;
      CleanText(in, {}, &out, &map);
      ASSERT_EQ(out, want) << "input: [" << in << "]";
      for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] == ' ') continue;
        const uint32_t at = map.MapBegin(static_cast<uint32_t>(i));
        ASSERT_LT(at, in.size());
        ASSERT_EQ(in[at], out[i]) << "byte " << i << " of [" << out << "]";
      }
    }
  }
}

TEST(CleanText, CollapsesBlankLines) {
  EXPECT_EQ(CleanText("a\n\nb"), "a\n\nb");
  EXPECT_EQ(CleanText("a\n\n\n\n\nb"), "a\n\nb");
  EXPECT_EQ(CleanText("a\n \n\t\n\u00A0\nb"), "a\n\nb");
  EXPECT_EQ(CleanText("\n\n  a\n\n"), "a");
}

TEST(CleanText, RemovesControlCharacters) {
  EXPECT_EQ(CleanText(std::string("a\x01"
                                  "b\x7F"
                                  "c\u0092d",
                                  9)),
            "abcd");
}

TEST(CleanText, ComposesToNfc) {
  EXPECT_EQ(CleanText("Cafe\u0301"), "Caf\u00E9");
  EXPECT_EQ(CleanText("\u0627\u0654\u0645\u0646"), "\u0623\u0645\u0646");  // ا + hamza -> أ
  EXPECT_EQ(CleanText("\u0439"), "\u0439");                                // already NFC
  EXPECT_EQ(CleanText("\u0438\u0306"), "\u0439");                          // и + breve -> й
}

TEST(CleanText, SingleLineForTitles) {
  CleanOptions title;
  title.single_line = true;
  EXPECT_EQ(CleanText(" Breaking:\r\n  news \n", title), "Breaking: news");
}

TEST(CleanText, IllFormedUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(CleanText(std::string("a\xFF"
                                  "b")),
            "a\uFFFDb");
}

TEST(CleanText, MapsOffsetsBackToTheInput) {
  const std::string in = "\u200B  Hello\u00A0\u00A0w\u200Borld\r\n\r\n\r\n\r\nCafe\u0301!";
  std::string out;
  OffsetMap map;
  CleanText(in, {}, &out, &map);
  ASSERT_EQ(out, "Hello world\n\nCaf\u00E9!");
  auto orig = [&](size_t b, size_t e) {
    const uint32_t ob = map.MapBegin(static_cast<uint32_t>(b));
    const uint32_t oe = map.MapEnd(static_cast<uint32_t>(e));
    return in.substr(ob, oe - ob);
  };
  EXPECT_EQ(orig(0, 5), "Hello");
  EXPECT_EQ(orig(6, 11), "w\u200Borld");
  EXPECT_EQ(orig(13, 18), "Cafe\u0301");
  EXPECT_EQ(orig(18, 19), "!");
}

TEST(CleanText, IsIdempotentOnTrickyInput) {
  const std::string inputs[] = {
      "\u0628\u200C\u200C\u062A",
      "\u0628\u200C\u200B\u062A",
      " \u200C\u0628",
      "e\u200B\u0301",
      "a \u200B b",
      "\r\r\n\n\u2029x",
      "\u0628\u200C\u064E\u062A",
      "x\u200D\U0001F600",
      "\u00A0\u200B\u00A0y\u00A0",
  };
  for (const std::string& in : inputs) {
    const std::string once = CleanText(in);
    EXPECT_EQ(CleanText(once), once) << in;
  }
}

}  // namespace
}  // namespace newsflow::normalize

namespace newsflow::normalize {
namespace {

// The forward-walking cursor gives exactly what the searching lookups give, on maps with exact
// pieces, replaced pieces (growing and shrinking) and deleted input (gaps on the input side).
TEST(OffsetMapCursor, AgreesWithMapBeginAndMapEnd) {
  uint32_t seed = 7;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7FFF;
  };
  for (int round = 0; round < 200; ++round) {
    OffsetMap map;
    uint32_t out = 0;
    uint32_t in = 0;
    const int pieces = static_cast<int>(next() % 12);
    for (int k = 0; k < pieces; ++k) {
      in += next() % 3;  // deleted input
      const uint32_t len = 1 + next() % 6;
      if (next() % 3 == 0) {
        const uint32_t in_len = next() % 5;
        map.AddReplaced(out, len, in, in + in_len);
        in += in_len;
      } else {
        map.AddExact(out, in, len);
        in += len;
      }
      out += len;
    }
    for (uint32_t start = 0; start <= out; start += 1 + next() % 4) {
      OffsetMap::Cursor cursor(map, start);
      for (uint32_t x = start; x <= out + 2; x += next() % 3) {
        ASSERT_EQ(cursor.MapBegin(x), map.MapBegin(x)) << round << " " << start << " " << x;
        ASSERT_EQ(cursor.MapEnd(x + 1), map.MapEnd(x + 1)) << round << " " << start << " " << x;
      }
    }
  }
}

}  // namespace
}  // namespace newsflow::normalize
