#include "processors/normalize/clean.h"

#include <gtest/gtest.h>

#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf8.h>

#include <iterator>
#include <random>
#include <string>
#include <vector>

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

// --- NFC of the spots only (clean_internal::ComposeNfc) against whole-text NFC ---------------

const icu::Normalizer2& Nfc() {
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(ec);
  EXPECT_TRUE(U_SUCCESS(ec));
  return *nfc;
}

// What CleanText did before the spots: the whole text normalized, its Edits composed with the
// map the cleaner built.
void WholeTextNfc(std::string* text, OffsetMap* map) {
  std::string composed;
  icu::StringByteSink<std::string> sink(&composed);
  icu::Edits edits;
  UErrorCode ec = U_ZERO_ERROR;
  Nfc().normalizeUTF8(0, *text, sink, &edits, ec);
  ASSERT_TRUE(U_SUCCESS(ec));
  OffsetMap edits_map;
  icu::Edits::Iterator it = edits.getFineIterator();
  while (it.next(ec)) {
    const auto dst = static_cast<uint32_t>(it.destinationIndex());
    const auto src = static_cast<uint32_t>(it.sourceIndex());
    if (it.hasChange()) {
      edits_map.AddReplaced(dst, static_cast<uint32_t>(it.newLength()), src,
                            src + static_cast<uint32_t>(it.oldLength()));
    } else {
      edits_map.AddExact(dst, src, static_cast<uint32_t>(it.oldLength()));
    }
  }
  *map = edits_map.Compose(*map);
  *text = std::move(composed);
}

// Offsets of the characters that may need NFC work, straight from ICU's properties.
std::vector<uint32_t> NfcSpots(const std::string& text) {
  std::vector<uint32_t> spots;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto n = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(s, i, n, c);
    if (u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) != UNORM_YES ||
        u_getCombiningClass(c) != 0) {
      spots.push_back(static_cast<uint32_t>(start));
    }
  }
  return spots;
}

void ExpectSameMap(const OffsetMap& got, const OffsetMap& want, const std::string& context) {
  ASSERT_EQ(got.pieces().size(), want.pieces().size()) << context;
  for (size_t k = 0; k < got.pieces().size(); ++k) {
    const OffsetMap::Piece& a = got.pieces()[k];
    const OffsetMap::Piece& b = want.pieces()[k];
    ASSERT_TRUE(a.out_begin == b.out_begin && a.out_end == b.out_end && a.in_begin == b.in_begin &&
                a.in_end == b.in_end && a.exact == b.exact)
        << context << " piece " << k;
  }
}

// Characters that compose, reorder, decompose or block each other, and stable ones between.
const char32_t kNfcAlphabet[] = {
    U'a',   U'e',   U'o',   U'A',   U' ',   U'.',    0x00E9, 0x00C5, 0x0301, 0x0300,
    0x0308, 0x0323, 0x0327, 0x030A, 0x0338, 0x0627,  0x0648, 0x064A, 0x0653, 0x0654,
    0x0655, 0x064E, 0x0651, 0x0650, 0x0670, 0x0623,  0x05D0, 0x05D1, 0x05B8, 0x05BC,
    0x05C1, 0x0438, 0x0306, 0x0439, 0x0483, 0x1100,  0x1161, 0x11A8, 0xAC00, 0x0915,
    0x093C, 0x0958, 0x212B, 0x2126, 0x0344, 0x1F600, 0xFB2A, 0x0F73, 0x1E0A, 0x0CCB};

std::string RandomNfcText(std::mt19937& rng) {
  std::string text;
  const size_t n = rng() % 90;
  for (size_t i = 0; i < n; ++i) {
    // Mostly stable characters, so that spots are apart as in real text.
    const char32_t c =
        rng() % 3 == 0 ? kNfcAlphabet[rng() % std::size(kNfcAlphabet)] : kNfcAlphabet[rng() % 7];
    uint8_t buf[4];
    int32_t len = 0;
    U8_APPEND_UNSAFE(buf, len, static_cast<UChar32>(c));
    text.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  }
  return text;
}

TEST(ComposeNfc, AgreesWithWholeTextNormalization) {
  std::mt19937 rng(1521);
  int composed = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string text = RandomNfcText(rng);
    // Some cleaner map: exact runs, with a replaced piece now and then.
    OffsetMap map;
    uint32_t in = 0;
    for (uint32_t out = 0; out < text.size();) {
      const uint32_t len =
          std::min<uint32_t>(1 + rng() % 9, static_cast<uint32_t>(text.size()) - out);
      in += rng() % 2;
      if (rng() % 4 == 0) {
        map.AddReplaced(out, len, in, in + 3);
        in += 3;
      } else {
        map.AddExact(out, in, len);
        in += len;
      }
      out += len;
    }
    std::string want = text;
    OffsetMap want_map = map;
    WholeTextNfc(&want, &want_map);
    const std::vector<uint32_t> spots = NfcSpots(text);
    if (spots.empty()) {
      ASSERT_EQ(want, text);
      continue;
    }
    if (want != text) ++composed;
    // All spots, and (as when the cleaner runs out of room) only the first few.
    for (const size_t known : {spots.size(), 1 + rng() % spots.size()}) {
      std::string got = text;
      OffsetMap got_map = map;
      clean_internal::ComposeNfc(std::span<const uint32_t>(spots.data(), known),
                                 known == spots.size(), &got, &got_map);
      ASSERT_EQ(got, want) << "round " << round << " known " << known;
      ExpectSameMap(got_map, want_map, "round " + std::to_string(round));
    }
  }
  EXPECT_GT(composed, 5000);  // most rounds really compose something
}

// CleanText finds every spot itself: on text it copies as it is (ordinary characters and single
// spaces), its output and map are exactly whole-text NFC's.
TEST(CleanText, NfcAgreesWithWholeTextNormalization) {
  std::mt19937 rng(77);
  for (int round = 0; round < 20000; ++round) {
    std::string text = RandomNfcText(rng);
    // No spaces at the ends or next to each other: the cleaner's output is the input.
    std::string in;
    for (char ch : text) {
      if (ch == ' ' && (in.empty() || in.back() == ' ')) continue;
      in += ch;
    }
    while (!in.empty() && in.back() == ' ') in.pop_back();
    std::string want = in;
    OffsetMap want_map;
    want_map.AddExact(0, 0, static_cast<uint32_t>(in.size()));
    WholeTextNfc(&want, &want_map);
    std::string got;
    OffsetMap got_map;
    CleanText(in, {}, &got, &got_map);
    ASSERT_EQ(got, want) << "round " << round;
    ExpectSameMap(got_map, want_map, "round " + std::to_string(round));
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
