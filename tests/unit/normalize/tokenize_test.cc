#include "processors/normalize/tokenize.h"

#include <gtest/gtest.h>
#include <libstemmer.h>
#include <unicode/uscript.h>

#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "processors/core/form_hash.h"
#include "processors/normalize/languages.h"

namespace newsflow::normalize {
namespace {

struct Tok {
  std::string surface;  // original.substr(begin, end - begin)
  std::string folded;
  std::string stem;
  std::string bare;
};

std::vector<Tok> Toks(const std::string& text, std::string_view language = "") {
  TokenStream ts;
  TokenizeOptions options;
  options.language = language;
  Tokenize(text, options, &ts);
  std::vector<Tok> out;
  for (const core::Token& t : ts.tokens) {
    EXPECT_LE(t.begin, t.end);
    EXPECT_LE(t.end, text.size());
    out.push_back({text.substr(t.begin, t.end - t.begin), std::string(ts.Folded(t)),
                   std::string(ts.Stem(t)), std::string(ts.Bare(t))});
  }
  return out;
}

std::vector<std::string> Surfaces(const std::string& text) {
  std::vector<std::string> out;
  for (const Tok& t : Toks(text)) out.push_back(t.surface);
  return out;
}

using Strings = std::vector<std::string>;

TEST(TokenizeOffsets, Arabic) {
  EXPECT_EQ(Surfaces("قال ترامب، في البيت الأبيض: «لا»."),
            (Strings{"قال", "ترامب", "في", "البيت", "الأبيض", "لا"}));
}

// Two sentences run together where the space after the full stop was lost (French regional
// news: "... à Marseille.Selon la direction ..."): ICU's word breaker joins letters across a full
// stop, the tokenizer makes two words of it. Abbreviations and names with inner full stops stay
// one word.
TEST(TokenizeOffsets, RunOnSentencesAreTwoWords) {
  EXPECT_EQ(Surfaces("transféré à Marseille.Selon la direction"),
            (Strings{"transféré", "à", "Marseille", "Selon", "la", "direction"}));
  EXPECT_EQ(Surfaces("в Москве.Пресс-служба сообщила"),
            (Strings{"в", "Москве", "Пресс", "служба", "сообщила"}));
  EXPECT_EQ(Surfaces("ankommen.Die Polizei.Der Minister"),
            (Strings{"ankommen", "Die", "Polizei", "Der", "Minister"}));
  EXPECT_EQ(Surfaces("the U.S.Army e.g.Foo Ph.D ASP.NET Node.JS 3.5 x.Y"),
            (Strings{"the", "U.S.Army", "e.g.Foo", "Ph.D", "ASP.NET", "Node.JS", "3.5", "x.Y"}));
  const std::vector<Tok> toks = Toks("à Marseille.Selon", "fr");
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[1].folded, "marseille");
  EXPECT_EQ(toks[2].folded, "selon");
  EXPECT_FALSE(toks[2].stem.empty());
  EXPECT_EQ(internal::RunOnSentencePeriod("à Marseille.Selon", 0), 12u);
  EXPECT_EQ(internal::RunOnSentencePeriod("Marseille. Selon", 0), std::string_view::npos);
}

TEST(TokenizeOffsets, ArabicWithHarakatAndTatweel) {
  EXPECT_EQ(Surfaces("الرَّئِيسُ  عـــربي"), (Strings{"الرَّئِيسُ", "عـــربي"}));
}

TEST(TokenizeOffsets, Hebrew) {
  EXPECT_EQ(Surfaces("ראש הממשלה אמר: \"הפסקת אש\" בעזה."),
            (Strings{"ראש", "הממשלה", "אמר", "הפסקת", "אש", "בעזה"}));
}

TEST(TokenizeOffsets, PersianWithZwnj) {
  EXPECT_EQ(Surfaces("آتش\u200Cبس در سوریه می\u200Cشود."),
            (Strings{"آتش\u200Cبس", "در", "سوریه", "می\u200Cشود"}));
}

TEST(TokenizeOffsets, Russian) {
  EXPECT_EQ(Surfaces("Путин и Зеленский — 2025 год."),
            (Strings{"Путин", "и", "Зеленский", "2025", "год"}));
}

TEST(TokenizeOffsets, LatinWithDiacritics) {
  EXPECT_EQ(Surfaces("Élysée: «cessez-le-feu» à Gaza, Müller's ateşkes."),
            (Strings{"Élysée", "cessez", "le", "feu", "à", "Gaza", "Müller's", "ateşkes"}));
}

TEST(TokenizeOffsets, RemovedZeroWidthAndNbsp) {
  const std::string text = "\u200Bfoo\u200Bbar\u00A0\u00A0baz\u200E qux\u00A0";
  EXPECT_EQ(Surfaces(text), (Strings{"foo\u200Bbar", "baz", "qux"}));
}

TEST(TokenizeOffsets, NfdInput) {
  EXPECT_EQ(Surfaces("Cafe\u0301 ole\u0301 x"), (Strings{"Cafe\u0301", "ole\u0301", "x"}));
  const auto toks = Toks("Cafe\u0301");
  ASSERT_EQ(toks.size(), 1u);
  EXPECT_EQ(toks[0].folded, "cafe");
}

TEST(TokenizeOffsets, CrlfAndMultipleLines) {
  EXPECT_EQ(Surfaces("one two\r\n\r\n\r\nthree\rfour"), (Strings{"one", "two", "three", "four"}));
}

TEST(Tokenize, SkipsPunctuationKeepsNumbers) {
  EXPECT_EQ(Surfaces("- 3.5 % ... 1,000 ! 2025"), (Strings{"3.5", "1,000", "2025"}));
}

TEST(Tokenize, FormsForArabic) {
  const auto toks = Toks("والبيت الأبيض وبوتين", "ar");
  ASSERT_EQ(toks.size(), 3u);
  EXPECT_EQ(toks[0].folded, "والبيت");
  EXPECT_EQ(toks[0].bare, "بيت");
  EXPECT_EQ(toks[1].folded, "الابيض");
  EXPECT_EQ(toks[1].bare, "ابيض");
  EXPECT_EQ(toks[2].bare, "بوتين");
  EXPECT_FALSE(toks[0].stem.empty());
}

TEST(Tokenize, ArabicBareFormsAreArabicBareFormOfEveryFoldedToken) {
  // Every Arabic-script token's bare form is ArabicBareForm() of its folded form, whatever its
  // first letter: real forms first (each prefix rule, each prefix letter, and words that start
  // with no prefix letter or are too short), then every letter of the Arabic block and
  // Persian/Urdu letters before 0-4 more letters.
  const auto real = Toks(
      "والكتاب فالمدينة بالعربية كالبحر وللأطفال فللناس للرئيس الحكومة وبوتين فقال بغداد "
      "لبنان كتب أحمد إيران مدينة يوم في من ال بر ول پاکستان گفت چهار",
      "ar");
  const std::vector<std::string> expected = {
      "كتاب", "مدينه", "عربيه", "بحر", "اطفال", "ناس", "رئيس", "حكومه", "بوتين",
      "قال",  "غداد",  "بنان",  "تب",  "",      "",    "",     "",      "",
      "",     "",      "",      "",    "",      "",    ""};
  ASSERT_EQ(real.size(), expected.size());
  for (size_t i = 0; i < real.size(); ++i) {
    EXPECT_EQ(real[i].bare, expected[i]) << real[i].surface;
    EXPECT_EQ(real[i].bare, ArabicBareForm(real[i].folded)) << real[i].surface;
  }
  std::string text;
  auto append_utf8 = [&text](char32_t c) {
    if (c < 0x800) {
      text += static_cast<char>(0xC0 | (c >> 6));
      text += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      text += static_cast<char>(0xE0 | (c >> 12));
      text += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      text += static_cast<char>(0x80 | (c & 0x3F));
    }
  };
  std::vector<char32_t> firsts;
  for (char32_t c = 0x0621; c <= 0x064A; ++c) {
    if (c != 0x0640) firsts.push_back(c);  // tatweel: dropped by folding, no word of its own
  }
  for (char32_t c : {0x0671, 0x067E, 0x0686, 0x0698, 0x06A9, 0x06AF, 0x06CC, 0x06D2}) {
    firsts.push_back(c);
  }
  const std::u32string rests[] = {U"", U"ل", U"لب", U"ال", U"الب", U"لبيت"};
  for (char32_t first : firsts) {
    for (const std::u32string& rest : rests) {
      append_utf8(first);
      for (char32_t c : rest) append_utf8(c);
      text += ' ';
    }
  }
  size_t with_bare = 0;
  const auto toks = Toks(text, "ar");
  EXPECT_EQ(toks.size(), firsts.size() * std::size(rests));
  for (const Tok& t : toks) {
    EXPECT_EQ(t.bare, ArabicBareForm(t.folded)) << t.surface;
    with_bare += t.bare.empty() ? 0 : 1;
  }
  EXPECT_GT(with_bare, 0u);
}

TEST(Tokenize, StemsOnlyTokensOfTheLanguagesScript) {
  const auto en = Toks("Running talks", "en");
  ASSERT_EQ(en.size(), 2u);
  EXPECT_EQ(en[0].stem, "run");
  EXPECT_EQ(en[1].stem, "talk");
  const auto ru = Toks("переговоры Trump", "ru");
  ASSERT_EQ(ru.size(), 2u);
  EXPECT_EQ(ru[0].stem, "переговор");
  EXPECT_EQ(ru[1].stem, "");  // Latin token in a Russian text: no Russian stem
  const auto ar = Toks("Trump", "ar");
  ASSERT_EQ(ar.size(), 1u);
  EXPECT_EQ(ar[0].stem, "");
}

// StemTokens() (per-thread memo, probes with prefetching, memo cleared when full) against
// Snowball called directly, on more distinct words than the memo holds, with repeats and with
// tokens of another script in between (which get no stem).
struct ManyWords {
  TokenStream ts;
  size_t distinct = 0;
};
ManyWords ManyEnglishWords() {
  std::mt19937 rng(5);
  const char* const latin[] = {"a", "e", "i", "o", "u", "n", "r", "s", "t", "l", "ing", "ed", "s"};
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 80000; ++i) {
    std::string w;
    const int len = 3 + static_cast<int>(rng() % 7);
    for (int k = 0; k < len; ++k) w += latin[rng() % std::size(latin)];
    vocabulary.push_back(w);
  }
  std::string text;
  std::set<std::string> distinct;
  for (int i = 0; i < 100000; ++i) {
    // A quarter the first thousand words (repeats hit the memo), the rest any of them: more
    // distinct words than the default memo holds, so it starts over during the call.
    const std::string& word = vocabulary[rng() % 4 == 0 ? rng() % 1000 : rng() % vocabulary.size()];
    distinct.insert(word);
    text += word;
    text += rng() % 9 == 0 ? " слово " : " ";
  }
  ManyWords out;
  out.distinct = distinct.size();
  TokenizeOptions options;
  options.max_tokens = 1000000;
  Tokenize(text, options, &out.ts);  // no language: no stems yet
  return out;
}

// Snowball's own stem of `word` (the reference the memo's stems are checked against).
std::string SnowballStem(sb_stemmer* snowball, const std::string& word) {
  const sb_symbol* out = sb_stemmer_stem(snowball, reinterpret_cast<const sb_symbol*>(word.data()),
                                         static_cast<int>(word.size()));
  return std::string(reinterpret_cast<const char*>(out),
                     static_cast<size_t>(sb_stemmer_length(snowball)));
}

void ExpectSnowballStems(const TokenStream& ts) {
  std::unique_ptr<sb_stemmer, decltype(&sb_stemmer_delete)> snowball(
      sb_stemmer_new("english", "UTF_8"), sb_stemmer_delete);
  ASSERT_NE(snowball, nullptr);
  size_t stemmed = 0;
  for (const core::Token& t : ts.tokens) {
    const std::string folded(ts.Folded(t));
    if (folded == "слово") {
      EXPECT_EQ(t.stem_size, 0u);
      continue;
    }
    ASSERT_EQ(ts.Stem(t), SnowballStem(snowball.get(), folded)) << folded;
    ++stemmed;
  }
  EXPECT_EQ(stemmed, 100000u);
}

TEST(Tokenize, StemTokensMatchesSnowballOnManyWords) {
  ManyWords words = ManyEnglishWords();
  ASSERT_GT(words.distinct, kDefaultStemMemoWords);
  ASSERT_GT(words.ts.tokens.size(), 100000u);
  StemTokens(StemmerFor("en"), 0, &words.ts.arena, &words.ts.tokens);
  ExpectSnowballStems(words.ts);
}

// The hashes StemTokens() hands on (core::Document::token_hashes, for the tag stage's matcher):
// for every stemmed token the FormHash of its folded form and of its stem, from memo hits and
// misses alike (a small memo that starts over); for the tokens it does not stem (another
// script, digits) the folded form's and a 0 stem; entries before `from` are left as they were.
// Without a stemmer, the folded forms' hashes of every token and no stems.
TEST(Tokenize, StemTokensHandsOnTheFormHashesOfFoldedFormsAndStems) {
  ManyWords words = ManyEnglishWords();
  const TokenStream& ts = words.ts;
  const size_t half = ts.tokens.size() / 2;
  std::vector<core::FormHashes> hashes(3, core::FormHashes{7, 7});
  StemTokens(StemmerFor("en"), 0, &words.ts.arena, &words.ts.tokens, 2048, &hashes);
  std::vector<core::FormHashes> first = hashes;
  StemTokens(StemmerFor("en"), half, &words.ts.arena, &words.ts.tokens, 2048, &hashes);
  ASSERT_EQ(hashes.size(), ts.tokens.size());
  size_t stemmed = 0;
  size_t unstemmed = 0;
  for (size_t i = 0; i < ts.tokens.size(); ++i) {
    const core::Token& t = ts.tokens[i];
    const std::string_view folded = ts.Folded(t);
    if (t.stem_size == 0) {
      EXPECT_EQ(hashes[i].folded, core::FormHash(folded.data(), folded.size())) << folded;
      EXPECT_EQ(hashes[i].stem, 0u) << folded;
      ++unstemmed;
      continue;
    }
    const std::string_view stem = ts.Stem(t);
    ASSERT_EQ(hashes[i].folded, core::FormHash(folded.data(), folded.size())) << folded;
    ASSERT_EQ(hashes[i].stem, core::FormHash(stem.data(), stem.size())) << folded;
    if (i < half) {
      ASSERT_EQ(hashes[i].folded, first[i].folded);
    }
    ++stemmed;
  }
  EXPECT_EQ(stemmed, 100000u);
  EXPECT_EQ(stemmed + unstemmed, ts.tokens.size());
  // Not a stemmer: the folded forms' hashes, no stems; entries before `from` as they were.
  std::vector<core::FormHashes> plain(half, core::FormHashes{7, 7});
  StemTokens(-1, half, &words.ts.arena, &words.ts.tokens, 2048, &plain);
  ASSERT_EQ(plain.size(), ts.tokens.size());
  for (size_t i = 0; i < ts.tokens.size(); ++i) {
    const std::string_view folded = ts.Folded(ts.tokens[i]);
    if (i < half) {
      ASSERT_EQ(plain[i].folded, 7u);
      ASSERT_EQ(plain[i].stem, 7u);
      continue;
    }
    ASSERT_EQ(plain[i].folded, core::FormHash(folded.data(), folded.size())) << folded;
    ASSERT_EQ(plain[i].stem, 0u) << folded;
  }
  StemTokens(StemmerFor("en"), 0, &words.ts.arena, &words.ts.tokens);  // default capacity back
}

// The stage's stem_memo_words: a small memo starts over many times, and a change of capacity
// (here for the second half of the tokens) empties it; the stems stay Snowball's.
TEST(Tokenize, StemTokensWithOtherMemoCapacitiesMatchesSnowball) {
  ManyWords words = ManyEnglishWords();
  ASSERT_GT(words.distinct, 20u * 1024u);
  const size_t half = words.ts.tokens.size() / 2;
  StemTokens(StemmerFor("en"), 0, &words.ts.arena, &words.ts.tokens, 1024);
  StemTokens(StemmerFor("en"), half, &words.ts.arena, &words.ts.tokens, 4096);
  ExpectSnowballStems(words.ts);
  // Back to the default for the tests that follow on this thread.
  StemTokens(StemmerFor("en"), half, &words.ts.arena, &words.ts.tokens);
  ExpectSnowballStems(words.ts);
}

// Memo misses, then hits (a repeat in the same call and a second article): stems that are a
// piece of their word ("cities" -> "citi") and stems that are not ("dying" -> "die", "skies" ->
// "sky", "happy" -> "happi": copied after the word), each with its FormHash, in English and
// Russian; tokens of another script in between get neither.
TEST(Tokenize, StemTokensGivesTheMemosStemsAndHashesOnHitsAndMisses) {
  struct Case {
    const char* language;
    const char* algorithm;
    const char* text;
    const char* other_script;  // a word of another script in the text
  };
  const Case cases[] = {
      {"en", "english", "dying cities Москва skies happy dying happy the running skies news",
       "москва"},
      {"ru", "russian", "люди говорили London о новостях людей новостях говорили", "london"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.language);
    std::unique_ptr<sb_stemmer, decltype(&sb_stemmer_delete)> snowball(
        sb_stemmer_new(c.algorithm, "UTF_8"), sb_stemmer_delete);
    ASSERT_NE(snowball, nullptr);
    ClearStemMemos();
    size_t apart = 0;
    for (int article = 0; article < 2; ++article) {  // the first misses, the second hits
      TokenStream ts;
      Tokenize(c.text, {}, &ts);
      std::vector<core::FormHashes> hashes;
      StemTokens(StemmerFor(c.language), 0, &ts.arena, &ts.tokens, kDefaultStemMemoWords, &hashes);
      ASSERT_EQ(hashes.size(), ts.tokens.size());
      ASSERT_GE(ts.tokens.size(), 8u);
      for (size_t i = 0; i < ts.tokens.size(); ++i) {
        const core::Token& t = ts.tokens[i];
        const std::string folded(ts.Folded(t));
        if (folded == c.other_script) {
          EXPECT_EQ(t.stem_size, 0u);
          EXPECT_EQ(hashes[i].folded, core::FormHash(folded.data(), folded.size()));
          EXPECT_EQ(hashes[i].stem, 0u);
          continue;
        }
        const std::string expected = SnowballStem(snowball.get(), folded);
        EXPECT_EQ(ts.Stem(t), expected) << folded;
        EXPECT_EQ(hashes[i].folded, core::FormHash(folded.data(), folded.size())) << folded;
        EXPECT_EQ(hashes[i].stem, core::FormHash(expected.data(), expected.size())) << folded;
        if (folded.find(expected) == std::string::npos) ++apart;
      }
    }
    // "dying", "skies" and "happy", twice in each of the two articles.
    if (std::string_view(c.language) == "en") {
      EXPECT_EQ(apart, 12u);
    }
  }
}

TEST(Languages, ScriptCodeIsTheIso15924Code) {
  EXPECT_EQ(ScriptCode(USCRIPT_ARABIC), "Arab");
  EXPECT_EQ(ScriptCode(USCRIPT_CYRILLIC), "Cyrl");
  EXPECT_EQ(ScriptCode(USCRIPT_LATIN), "Latn");
  EXPECT_EQ(ScriptCode(USCRIPT_HEBREW), "Hebr");
  EXPECT_EQ(ScriptCode(-1), "");
  EXPECT_EQ(ScriptCode(1 << 20), "");  // beyond ICU's scripts
}

TEST(Tokenize, StemmerForTakesTheBaseLanguageInAnyCase) {
  ASSERT_GE(StemmerFor("en"), 0);
  EXPECT_EQ(StemmerFor("EN-gb"), StemmerFor("en"));
  EXPECT_EQ(StemmerFor("Ar_EG"), StemmerFor("ar"));
  EXPECT_NE(StemmerFor("ar"), StemmerFor("en"));
  EXPECT_EQ(StemmerFor(""), -1);
  EXPECT_EQ(StemmerFor("he"), -1);  // no Snowball stemmer for Hebrew
  EXPECT_EQ(StemmerFor("english"), -1);
  EXPECT_EQ(StemmerFor("e"), -1);
  EXPECT_EQ(StemmerFor("e1"), -1);
  EXPECT_EQ(StemmerFor("-en"), -1);
  EXPECT_EQ(StemmerFor("\xC3\xA9n"), -1);  // én
  // Every libstemmer 2.2 language with an ISO 639-1 code, in any case and with a region, each
  // its own stemmer, in the language's script, stemming as Snowball's algorithm of that name;
  // no other two-letter code has one.
  const std::pair<const char*, const char*> stemmers[] = {
      {"ar", "arabic"},     {"hy", "armenian"},   {"eu", "basque"},    {"ca", "catalan"},
      {"da", "danish"},     {"nl", "dutch"},      {"en", "english"},   {"fi", "finnish"},
      {"fr", "french"},     {"de", "german"},     {"el", "greek"},     {"hi", "hindi"},
      {"hu", "hungarian"},  {"id", "indonesian"}, {"ga", "irish"},     {"it", "italian"},
      {"lt", "lithuanian"}, {"ne", "nepali"},     {"no", "norwegian"}, {"pt", "portuguese"},
      {"ro", "romanian"},   {"ru", "russian"},    {"es", "spanish"},   {"sv", "swedish"},
      {"ta", "tamil"},      {"tr", "turkish"}};
  std::set<int> ids;
  for (const auto& [code, algorithm] : stemmers) {
    const int id = StemmerFor(code);
    ASSERT_GE(id, 0) << code;
    ids.insert(id);
    std::string upper = code;
    for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
    EXPECT_EQ(StemmerFor(upper + "-XY"), id) << code;
    EXPECT_EQ(StemmerFor(std::string(1, upper[0]) + code[1] + "_ab"), id) << code;
    sb_stemmer* snowball = sb_stemmer_new(algorithm, "UTF_8");
    ASSERT_NE(snowball, nullptr) << algorithm;
    const std::string word = std::string(code) == "ru" ? "книгами" : "nationalities";
    EXPECT_EQ(Stem(id, word), SnowballStem(snowball, word)) << code;
    sb_stemmer_delete(snowball);
  }
  EXPECT_EQ(ids.size(), std::size(stemmers));
  EXPECT_EQ(StemmerScript(StemmerFor("ru")), USCRIPT_CYRILLIC);
  EXPECT_EQ(StemmerScript(StemmerFor("el")), USCRIPT_GREEK);
  EXPECT_EQ(StemmerScript(StemmerFor("tr")), USCRIPT_LATIN);
  size_t with_stemmer = 0;
  for (char a = 'a'; a <= 'z'; ++a) {
    for (char b = 'a'; b <= 'z'; ++b) with_stemmer += StemmerFor(std::string{a, b}) >= 0 ? 1 : 0;
  }
  EXPECT_EQ(with_stemmer, std::size(stemmers));
}

TEST(Tokenize, NoStemsWithoutStemmer) {
  for (const Tok& t : Toks("הפסקת אש", "he")) EXPECT_EQ(t.stem, "");
  for (const Tok& t : Toks("آتش‌بس", "fa")) EXPECT_EQ(t.stem, "");
  for (const Tok& t : Toks("перемир'я", "uk")) EXPECT_EQ(t.stem, "");
  for (const Tok& t : Toks("talks", "")) EXPECT_EQ(t.stem, "");
}

TEST(Tokenize, PersianWithAndWithoutZwnjFoldEqual) {
  const auto a = Toks("آتش\u200Cبس");
  const auto b = Toks("آتشبس");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].folded, b[0].folded);
}

TEST(Tokenize, MaxTokensStillCountsWords) {
  TokenStream ts;
  TokenizeOptions options;
  options.max_tokens = 2;
  EXPECT_EQ(Tokenize("a b c d e", options, &ts), 5u);
  EXPECT_EQ(ts.tokens.size(), 2u);
}

TEST(Tokenize, AppendsToAnExistingStream) {
  TokenStream ts;
  Tokenize("one", {}, &ts);
  Tokenize("two", {}, &ts);
  ASSERT_EQ(ts.tokens.size(), 2u);
  EXPECT_EQ(ts.Folded(ts.tokens[1]), "two");
}

}  // namespace
}  // namespace newsflow::normalize

namespace newsflow::normalize {
namespace {

using Spans = std::vector<std::pair<uint32_t, uint32_t>>;

Spans FastOrIcu(std::string_view text) {
  Spans out;
  ForEachWord(text, [&](uint32_t b, uint32_t e) { out.emplace_back(b, e); });
  return out;
}

Spans IcuOnly(std::string_view text) {
  Spans out;
  ForEachWordIcu(text, [&](uint32_t b, uint32_t e) { out.emplace_back(b, e); });
  return out;
}

TEST(WordBreakFastPath, AgreesWithIcuOnTrickyCases) {
  const char* const cases[] = {
      "Müller's 3.5 1,000,000 a.b a1 1a 1.a a.1 U.S.A. e-mail co-op don't",
      "צה\"ל ג' ג'ורג' \"שלום\" ב-2025 ת\"א",
      "والبيت ١٢٣٫٤٥ ۱۴۰۴ آتش‌بس می‌شود «لا»",
      "п’ять пʼять п'ять перемир`я",
      "Ateşkes İstanbul'da 21:30'da",
      "a\u0301b \u0301x \u200Dy \u00ADz",
      "x\u200D\U0001F600 \U0001F468\u200D\U0001F469 \U0001F1FA\U0001F1F8 \U0001F44D\U0001F3FD",
      "snake_case __init__ a_1 _",
      "日本語のテキスト 中文 한국어 ภาษาไทย",
      "x: y; z, ... -- — ¿¡ … «» „“",
      // ICU's root rules make '@' a letter (e-mail addresses, handles); fullwidth @ is not.
      "@POTUS @POTUS's (@POTUS) a@b.com x @ y @1 1@2 @@a a@ @ש @مرحبا \uFF20POTUS a\uFE6Bb",
  };
  for (const char* text : cases) {
    EXPECT_EQ(FastOrIcu(text), IcuOnly(text)) << text;
  }
}

TEST(WordBreakFastPath, AgreesWithIcuOnRandomText) {
  // Characters from every class the fast path models, plus a few it hands to ICU.
  const std::vector<std::string> pieces = {
      "a",      "Z",      "é",      "ß",  "й",      "Ї",      "ب",          "ة",      "ی",
      "\u200C", "\u200D", "\u064E", "ש",  "ג",      "1",      "٣",          "۴",      "'",
      "\"",     "’",      ".",      ",",  ":",      ";",      "·",          "-",      "_",
      " ",      "\u00A0", "!",      "«",  "\u0301", "\u00AD", "\U0001F600", "\u2764", "#",
      "*",      "中",     "ア",     "ก",  "\u05F3", "\u05F4", "\u066B",     "\u066C", "\u2019",
      "\uFE0F", "\n",     "\r\n",   "\r", "\u2028", "\u0085", "\x0B",       "@",      "\uFF20",
  };
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7FFF;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const uint32_t len = next() % 16;
    for (uint32_t k = 0; k < len; ++k) text += pieces[next() % pieces.size()];
    ASSERT_EQ(FastOrIcu(text), IcuOnly(text)) << text;
  }
}

}  // namespace
}  // namespace newsflow::normalize
