// Property tests: cleaning is idempotent, and the stage survives anything that is valid UTF-8.
// Fixed seeds, so a failure reproduces; run under the asan preset too.
#include <gtest/gtest.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "processors/normalize/clean.h"
#include "processors/normalize/folding.h"
#include "processors/normalize/normalize_stage.h"
#include "tests/unit/normalize/corpus_util.h"

namespace newsflow::normalize {
namespace {

// Code points that stress the cleaner and tokenizer, weighted towards the tricky ones.
uint32_t RandomCodePoint(std::mt19937& rng) {
  static const std::vector<std::pair<uint32_t, uint32_t>> kRanges = {
      {'a', 'z'},         {'A', 'Z'},         {'0', '9'},         {' ', '/'},
      {'\t', '\r'},       {0x00A0, 0x00FF},   {0x0300, 0x036F},   {0x0410, 0x0451},
      {0x05B0, 0x05EA},   {0x0610, 0x065F},   {0x0660, 0x06FF},   {0x200B, 0x200F},
      {0x2028, 0x202F},   {0x2060, 0x206F},   {0x0E01, 0x0E3A},   {0x4E00, 0x4E40},
      {0xAC00, 0xAC20},   {0xFB50, 0xFB60},   {0xFE70, 0xFEFF},   {0xFFF0, 0xFFFD},
      {0x1F600, 0x1F64F}, {0x1F3FB, 0x1F3FF}, {0x1D400, 0x1D420}, {0x0000, 0x001F},
      {0x0080, 0x009F},   {'<', '>'},         {'&', '&'},         {0x0130, 0x0131},
  };
  std::uniform_int_distribution<int> pick(0, static_cast<int>(kRanges.size()));
  const int r = pick(rng);
  if (r == static_cast<int>(kRanges.size())) {  // anything at all
    std::uniform_int_distribution<uint32_t> any(0, 0x10FFFF);
    uint32_t cp = any(rng);
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    return cp;
  }
  std::uniform_int_distribution<uint32_t> in(kRanges[static_cast<size_t>(r)].first,
                                             kRanges[static_cast<size_t>(r)].second);
  return in(rng);
}

void Append(uint32_t cp, std::string* out) {
  char buf[4];
  int32_t n = 0;
  U8_APPEND_UNSAFE(buf, n, cp);
  out->append(buf, static_cast<size_t>(n));
}

std::string RandomText(std::mt19937& rng, size_t max_len) {
  std::uniform_int_distribution<size_t> len(0, max_len);
  std::string s;
  const size_t n = len(rng);
  for (size_t i = 0; i < n; ++i) Append(RandomCodePoint(rng), &s);
  return s;
}

std::vector<uint32_t> Decode(const std::string& s) {
  std::vector<uint32_t> cps;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c = 0;
    U8_NEXT(p, i, n, c);
    cps.push_back(c < 0 ? 0xFFFD : static_cast<uint32_t>(c));
  }
  return cps;
}

// Code-point-level mutations keep the text valid UTF-8.
std::string Mutate(const std::string& text, std::mt19937& rng) {
  std::vector<uint32_t> cps = Decode(text);
  std::uniform_int_distribution<int> ops(1, 12);
  const int k = ops(rng);
  for (int i = 0; i < k && !cps.empty(); ++i) {
    std::uniform_int_distribution<size_t> at(0, cps.size() - 1);
    const size_t pos = at(rng);
    switch (rng() % 5) {
      case 0:
        cps.erase(cps.begin() + static_cast<std::ptrdiff_t>(pos));
        break;
      case 1:
        cps.insert(cps.begin() + static_cast<std::ptrdiff_t>(pos), RandomCodePoint(rng));
        break;
      case 2:
        cps[pos] = RandomCodePoint(rng);
        break;
      case 3: {
        const size_t end = std::min(cps.size(), pos + 1 + rng() % 40);
        std::vector<uint32_t> piece(cps.begin() + static_cast<std::ptrdiff_t>(pos),
                                    cps.begin() + static_cast<std::ptrdiff_t>(end));
        cps.insert(cps.begin() + static_cast<std::ptrdiff_t>(pos), piece.begin(), piece.end());
        break;
      }
      default:
        if (pos + 1 < cps.size()) std::swap(cps[pos], cps[pos + 1]);
        break;
    }
  }
  std::string out;
  for (uint32_t c : cps) Append(c, &out);
  return out;
}

void ExpectIdempotent(const std::string& in) {
  for (bool single_line : {false, true}) {
    CleanOptions o;
    o.single_line = single_line;
    const std::string once = CleanText(in, o);
    const std::string twice = CleanText(once, o);
    ASSERT_EQ(twice, once) << "single_line=" << single_line << " input: " << in;
  }
}

TEST(CleanProperty, IdempotentOnRandomStrings) {
  std::mt19937 rng(20251021);
  for (int i = 0; i < 3000; ++i) ExpectIdempotent(RandomText(rng, 120));
}

TEST(CleanProperty, IdempotentOnCorpusTexts) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  std::mt19937 rng(7);
  for (const auto& a : corpus) {
    ExpectIdempotent(a.title);
    ExpectIdempotent(a.body);
    ExpectIdempotent(Mutate(a.body, rng));
  }
}

// Runs the stage and checks the invariants every output must hold.
void RunStage(const core::Stage& stage, std::string title, std::string body, bool html,
              std::string published = "", std::string language = "") {
  schemas::RawRecord record;
  core::Document doc(record);
  doc.article.id = "p";
  doc.article.title = std::move(title);
  doc.article.body = std::move(body);
  doc.article.published = std::move(published);
  doc.article.language = std::move(language);
  if (html) doc.article.content_type = "text/html";
  const Status s = stage.Process(doc, core::StageContext{});
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(doc.normalized);
  ASSERT_TRUE(doc.word_count.has_value());
  ASSERT_GE(*doc.word_count, static_cast<int64_t>(doc.tokens.size()));
  ASSERT_GE(doc.language.confidence, 0.0);
  ASSERT_LE(doc.language.confidence, 1.0);
  for (const core::Token& t : doc.tokens) {
    const std::string& original =
        t.field == core::Field::kTitle ? doc.article.title : doc.article.body;
    ASSERT_LE(t.begin, t.end);
    ASSERT_LE(t.end, original.size());
    ASSERT_LE(t.folded_offset + t.folded_size, doc.token_text.size());
    ASSERT_LE(t.stem_offset + t.stem_size, doc.token_text.size());
    ASSERT_LE(t.bare_offset + t.bare_size, doc.token_text.size());
    if (t.bare_size > 0) {
      // The bare form is a part of the folded form (a suffix for Arabic clitics, a prefix or
      // suffix around a Latin apostrophe).
      ASSERT_GE(t.bare_offset, t.folded_offset);
      ASSERT_LE(t.bare_offset + t.bare_size, t.folded_offset + t.folded_size);
    }
  }
  // Display text is clean: cleaning it again changes nothing.
  ASSERT_EQ(CleanText(doc.body), doc.body);
  CleanOptions title_options;
  title_options.single_line = true;
  ASSERT_EQ(CleanText(doc.title, title_options), doc.title);
}

TEST(StageProperty, NeverFailsOnRandomValidUtf8) {
  auto stage = NormalizeStage::Create(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(stage.ok());
  std::mt19937 rng(4);
  static const char* const kHints[] = {"", "ar", "en", "fa-IR", "xx", "he"};
  for (int i = 0; i < 2000; ++i) {
    RunStage(**stage, RandomText(rng, 40), RandomText(rng, 400), i % 4 == 0, RandomText(rng, 30),
             kHints[i % 6]);
    if (HasFatalFailure()) return;
  }
}

TEST(StageProperty, NeverFailsOnMutatedCorpusArticles) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  auto stage = NormalizeStage::Create(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(stage.ok());
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) {
    const auto& a = corpus[static_cast<size_t>(i) % corpus.size()];
    std::string body = Mutate(a.body, rng);
    const bool html = i % 5 == 0;
    if (html) body = "<p>" + body + "</p><script>x</script>";
    RunStage(**stage, Mutate(a.title, rng), std::move(body), html, a.published);
    if (HasFatalFailure()) return;
  }
}

TEST(StageProperty, CorpusTokenSurfacesFoldToTheirForms) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  auto stage = NormalizeStage::Create(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(stage.ok());
  const TextFolder& folder = TextFolder::Default();
  size_t checked = 0;
  for (const auto& a : corpus) {
    schemas::RawRecord record;
    core::Document doc(record);
    doc.article.title = a.title;
    doc.article.body = a.body;
    ASSERT_TRUE((*stage)->Process(doc, core::StageContext{}).ok());
    for (const core::Token& t : doc.tokens) {
      const std::string& original = t.field == core::Field::kTitle ? a.title : a.body;
      const std::string surface = original.substr(t.begin, t.end - t.begin);
      ASSERT_EQ(folder.Fold(surface), doc.TokenForm(t.folded_offset, t.folded_size))
          << a.id << ": '" << surface << "'";
      ++checked;
    }
  }
  EXPECT_GT(checked, 10000u);
}

}  // namespace
}  // namespace newsflow::normalize

#include "processors/normalize/tokenize.h"

namespace newsflow::normalize {
namespace {

TEST(WordBreakFastPathProperty, AgreesWithIcuOnCorpusLines) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  using Spans = std::vector<std::pair<uint32_t, uint32_t>>;
  size_t lines = 0;
  for (const auto& a : corpus) {
    const std::string clean = CleanText(a.title + "\n" + a.body);
    for (size_t pos = 0; pos < clean.size();) {
      size_t eol = clean.find('\n', pos);
      if (eol == std::string::npos) eol = clean.size();
      const std::string_view line(clean.data() + pos, eol - pos);
      Spans fast;
      Spans icu;
      ForEachWord(line, [&](uint32_t b, uint32_t e) { fast.emplace_back(b, e); });
      ForEachWordIcu(line, [&](uint32_t b, uint32_t e) { icu.emplace_back(b, e); });
      ASSERT_EQ(fast, icu) << a.id << ": " << line;
      ++lines;
      pos = eol + 1;
    }
  }
  EXPECT_GT(lines, 500u);
}

TEST(WordBreakFastPathProperty, AgreesWithIcuOnRawCorpusTexts) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  using Spans = std::vector<std::pair<uint32_t, uint32_t>>;
  std::mt19937 rng(3);
  for (const auto& a : corpus) {
    for (const std::string& text : {a.body, Mutate(a.body, rng)}) {
      Spans fast;
      Spans icu;
      ForEachWord(text, [&](uint32_t b, uint32_t e) { fast.emplace_back(b, e); });
      ForEachWordIcu(text, [&](uint32_t b, uint32_t e) { icu.emplace_back(b, e); });
      ASSERT_EQ(fast, icu) << a.id;
    }
  }
}

}  // namespace
}  // namespace newsflow::normalize

// The fused one-pass tokenizer (AppendWordTokens) against the general path it short-cuts
// (internal::AppendWordTokensGeneral: ForEachWord, then each word folded on its own): same
// words, offsets, folded/bare/stem forms, word counts and script counts, on every line.
namespace newsflow::normalize {
namespace {

struct TokenRun {
  std::vector<std::string> forms;  // per token: begin/end/field and its three forms
  size_t words = 0;
  ScriptHistogram scripts;
};

TokenRun RunTokens(const std::string& clean, const OffsetMap& map, int stemmer, size_t max_tokens,
                   bool fused) {
  TokenRun run;
  std::string arena = "prefix";  // forms are offsets into an arena that may not start empty
  std::vector<core::Token> tokens;
  const WordSink sink{&arena, &tokens, max_tokens, &run.scripts};
  for (size_t pos = 0; pos <= clean.size();) {
    size_t eol = clean.find('\n', pos);
    if (eol == std::string::npos) eol = clean.size();
    run.words += fused ? AppendWordTokens(clean, pos, eol, core::Field::kBody, map, stemmer, sink)
                       : internal::AppendWordTokensGeneral(clean, pos, eol, core::Field::kBody, map,
                                                           stemmer, sink);
    pos = eol + 1;
  }
  for (const core::Token& t : tokens) {
    run.forms.push_back(std::to_string(t.begin) + "-" + std::to_string(t.end) + " " +
                        arena.substr(t.folded_offset, t.folded_size) + " | " +
                        arena.substr(t.bare_offset, t.bare_size) + " | " +
                        arena.substr(t.stem_offset, t.stem_size));
  }
  return run;
}

void ExpectSameTokens(const std::string& text, int stemmer, size_t max_tokens = SIZE_MAX) {
  std::string clean;
  OffsetMap map;
  CleanText(text, CleanOptions{}, &clean, &map);
  const TokenRun fused = RunTokens(clean, map, stemmer, max_tokens, true);
  const TokenRun general = RunTokens(clean, map, stemmer, max_tokens, false);
  ASSERT_EQ(fused.forms, general.forms) << text;
  ASSERT_EQ(fused.words, general.words) << text;
  for (int i = 0; i < ScriptHistogram::kSize; ++i) {
    ASSERT_EQ(fused.scripts.letters[i], general.scripts.letters[i])
        << "script " << i << ": " << text;
  }
}

TEST(FusedTokenizerProperty, AgreesWithGeneralPathOnRandomText) {
  std::mt19937 rng(11);
  const int stemmers[] = {-1, StemmerFor("en"), StemmerFor("ar"), StemmerFor("ru")};
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    const int len = static_cast<int>(rng() % 40);
    for (int k = 0; k < len; ++k) {
      const uint32_t cp = RandomCodePoint(rng);
      char buf[4];
      int32_t n = 0;
      UBool err = false;
      U8_APPEND(buf, n, 4, static_cast<UChar32>(cp), err);
      if (!err) text.append(buf, static_cast<size_t>(n));
    }
    ExpectSameTokens(text, stemmers[i % 4], i % 7 == 0 ? 3 : SIZE_MAX);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// Random words rather than random characters: long runs of one script's letters are what the
// fused tokenizer's fast loops take (eight lowercase ASCII bytes at a time, two-byte letters that
// fold to themselves), so words mix those with the characters that end the fast loops: capitals,
// digits, letters that fold to something else (أ ة ى ё), marks, another script, joiners.
TEST(FusedTokenizerProperty, AgreesWithGeneralPathOnRandomWords) {
  const std::vector<std::vector<std::string>> alphabets = {
      {"a", "b", "e", "k", "m", "s", "t", "z", "0", "7"},
      {"a", "e", "n", "r", "S", "T", "Ü", "é", "ß", "'", "1", "’", "ʼ", "`"},
      {"а", "в", "е", "к", "н", "о", "т", "я", "ё", "Д", "І", "ї", "’", "ʼ"},
      {"ا", "ب", "ت", "ل", "م", "ن", "و", "ي", "أ", "إ", "ة", "ى", "ـ", "\u064E", "٢"},
      {"ا", "ب", "ر", "س", "ی", "ک", "گ", "\u200C", "۴"},
      {"א", "ב", "ה", "ו", "ל", "ם", "ש", "ת", "\u05B8", "\"", "'"},
  };
  const char* const separators[] = {" ", " ", " ", ", ", ". ", "-", "'", "’", ":", "\u00A0", "  "};
  std::mt19937 rng(29);
  const int stemmers[] = {-1, StemmerFor("en"), StemmerFor("ar"), StemmerFor("ru")};
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const int words = 1 + static_cast<int>(rng() % 12);
    for (int w = 0; w < words; ++w) {
      if (w > 0) text += separators[rng() % std::size(separators)];
      const auto* alphabet = &alphabets[rng() % alphabets.size()];
      const int len = 1 + static_cast<int>(rng() % 20);
      for (int k = 0; k < len; ++k) {
        if (rng() % 40 == 0) alphabet = &alphabets[rng() % alphabets.size()];  // script switch
        // Mostly the first (plain, self-folding) letters, so that long plain runs occur.
        const size_t plain = std::min<size_t>(8, alphabet->size());
        const size_t pick = rng() % 4 != 0 ? rng() % plain : rng() % alphabet->size();
        text += (*alphabet)[pick];
      }
    }
    ExpectSameTokens(text, stemmers[i % 4], i % 5 == 0 ? 1 + rng() % 6 : SIZE_MAX);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// ASCII words in any case: the fused tokenizer's eight-byte chunks take lower-case letters and
// digits, and a capital ends a chunk (the table folds it), so capitals at every position of a
// chunk, all-capital words, digits, punctuation and a script change right before or after them.
// (A variant that folds capitals inside the chunks was tried in session 14 and reverted; this
// test would cover it.)
TEST(FusedTokenizerProperty, AgreesWithGeneralPathOnMixedCaseAscii) {
  const char* const letters[] = {"A", "Z", "M", "a", "z", "q", "0", "9", "@", "[",
                                 "`", "{", "É", "é", "д", "Д", "ب", "'", ".", "_"};
  const char* const separators[] = {" ", " ", " ", ", ", "-", "(", "\"", "’", "\n"};
  std::mt19937 rng(41);
  const int stemmers[] = {-1, StemmerFor("en"), StemmerFor("de"), StemmerFor("ru")};
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const int words = 1 + static_cast<int>(rng() % 10);
    for (int w = 0; w < words; ++w) {
      if (w > 0) text += separators[rng() % std::size(separators)];
      const int len = 1 + static_cast<int>(rng() % 18);
      const bool upper_word = rng() % 4 == 0;
      for (int k = 0; k < len; ++k) {
        const uint32_t r = rng() % 16;
        if (r < 6) {
          text += static_cast<char>((upper_word ? 'A' : 'a') + rng() % 26);
        } else if (r < 10) {
          text += static_cast<char>('A' + rng() % 26);
        } else if (r < 12) {
          text += static_cast<char>('0' + rng() % 10);
        } else {
          text += letters[rng() % std::size(letters)];
        }
      }
    }
    ExpectSameTokens(text, stemmers[i % 4], i % 5 == 0 ? 1 + rng() % 6 : SIZE_MAX);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(FusedTokenizerProperty, AgreesWithGeneralPathOnTrickyCases) {
  const char* const cases[] = {
      "Müller's 3.5 1,000,000 a.b a1 1a 1.a a.1 U.S.A. e-mail co-op don't",
      "L’Été O’NEIL d`Arc Dʼor l'été AUJOURD’HUI",
      "צה\"ל ג' ג'ורג' \"שלום\" ב-2025 ת\"א ג'\u05B0 x",
      "والبيت ١٢٣٫٤٥ ۱۴۰۴ آتش‌بس می‌شود «لا» "
      "وَالْبَيْتِ",
      "п’ять пʼять п'ять перемир`я Ёлка",
      "Ateşkes İstanbul'da 21:30'da STRASSE Straße ﬁn ﷺ",
      "a\u0301b \u0301x \u200Dy \u00ADz",
      "x\u200D\U0001F600 \U0001F468\u200D\U0001F469 \U0001F1FA\U0001F1F8 \U0001F44D\U0001F3FD",
      "snake_case __init__ a_1 _ \U0001D400\U0001D401 math",
      "日本語のテキスト 中文 한국어 ภาษาไทย then words",
      "x: y; z, ... -- — ¿¡ … «» „“",
      // A Hebrew point after a quote that is then dropped (not part of the word, nor of its
      // script letters) or kept (the quote joins two Hebrew letters).
      "ש\"\u05B8 x e7esm\u05B8\u05E9\u05E9\"\u05B8  y ש\"\u05B8ש",
  };
  for (const char* text : cases) {
    for (const char* lang : {"", "en", "ar", "he", "ru", "tr"}) {
      ExpectSameTokens(text, *lang ? StemmerFor(lang) : -1);
      ExpectSameTokens(text, *lang ? StemmerFor(lang) : -1, 2);
    }
  }
}

TEST(FusedTokenizerProperty, AgreesWithGeneralPathOnCorpus) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  for (const auto& a : corpus) {
    ExpectSameTokens(a.title + "\n" + a.body, StemmerFor(a.lang));
    ExpectSameTokens(a.body, -1);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// The quick pass that AppendWordTokens() tries first for the stage's lines (no stems inline),
// line by line against the general path: a line it takes has the general path's tokens, word
// count and script counts; a line it leaves has the sink untouched. On the corpus it must take
// nearly every line, or the comparison above would mostly test FusedLine.
struct QuickLines {
  size_t lines = 0;
  size_t taken = 0;
};

void CheckQuickLines(const std::string& text, QuickLines* seen) {
  std::string clean;
  OffsetMap map;
  CleanText(text, CleanOptions{}, &clean, &map);
  for (size_t pos = 0; pos < clean.size();) {
    size_t eol = clean.find('\n', pos);
    if (eol == std::string::npos) eol = clean.size();
    const std::string_view line = std::string_view(clean).substr(pos, eol - pos);
    if (!line.empty() && internal::RunOnSentencePeriod(line, 0) == std::string_view::npos) {
      ++seen->lines;
      std::string arena = "prefix", general_arena = "prefix";
      std::vector<core::Token> tokens(2), general_tokens(2);  // sinks that do not start empty
      ScriptHistogram scripts, general_scripts;
      size_t words = 0;
      const bool taken =
          internal::QuickWordTokens(clean, pos, eol, core::Field::kLead, map,
                                    WordSink{&arena, &tokens, 1000, &scripts}, &words);
      if (!taken) {
        EXPECT_EQ(arena, "prefix") << line;
        EXPECT_EQ(tokens.size(), 2u) << line;
        for (int i = 0; i < ScriptHistogram::kSize; ++i) ASSERT_EQ(scripts.letters[i], 0u);
      } else {
        ++seen->taken;
        const size_t general_words = internal::AppendWordTokensGeneral(
            clean, pos, eol, core::Field::kLead, map, -1,
            WordSink{&general_arena, &general_tokens, 1000, &general_scripts});
        EXPECT_EQ(words, general_words) << line;
        EXPECT_EQ(arena, general_arena) << line;
        ASSERT_EQ(tokens.size(), general_tokens.size()) << line;
        for (size_t k = 0; k < tokens.size(); ++k) {
          const core::Token& a = tokens[k];
          const core::Token& b = general_tokens[k];
          EXPECT_TRUE(a.field == b.field && a.script == b.script && a.begin == b.begin &&
                      a.end == b.end && a.folded_offset == b.folded_offset &&
                      a.folded_size == b.folded_size && a.bare_offset == b.bare_offset &&
                      a.bare_size == b.bare_size && a.stem_size == b.stem_size)
              << line << " token " << k;
        }
        for (int i = 0; i < ScriptHistogram::kSize; ++i) {
          ASSERT_EQ(scripts.letters[i], general_scripts.letters[i])
              << "script " << i << ": " << line;
        }
      }
    }
    pos = eol + 1;
  }
}

TEST(QuickTokenizerProperty, TakesNearlyEveryCorpusLineWithTheGeneralPathsTokens) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  QuickLines seen;
  for (const auto& a : corpus) {
    CheckQuickLines(a.title, &seen);
    CheckQuickLines(a.body, &seen);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(seen.lines, 500u);
  EXPECT_GE(seen.taken * 100, seen.lines * 95) << seen.taken << " of " << seen.lines;
}

// What the quick pass leaves to FusedLine (ICU-only scripts, ZWJ, emoji, an Extend character
// after a mid character, folds over 4 bytes, a fifth script) next to what it takes (mid
// characters that join or not, rule 7a, Extend inside words, capitals, digits, script changes).
TEST(QuickTokenizerProperty, TakesOrLeavesTrickyLinesWithTheGeneralPathsTokens) {
  const char* const lines[] = {
      "Müller's 3.5 1,000,000 a.b a1 1a 1.a a.1 U.S.A. e-mail co-op don't",
      "L’Été O’NEIL d`Arc Dʼor l'été AUJOURD’HUI",
      "צה\"ל ג' ג'ורג' \"שלום\" ב-2025 ת\"א ג'\u05B0 x",
      "צה\"ל ג' ג'1 ג'ורג'",
      "والبيت ١٢٣٫٤٥ ۱۴۰۴ آتش‌بس می‌شود «لا» "
      "وَالْبَيْتِ",
      "п’ять пʼять п'ять перемир`я Ёлка",
      "Ateşkes İstanbul'da 21:30'da STRASSE Straße ﬁn ﷺ",
      "a\u0301b \u0301x \u200Dy \u00ADz",
      "x,\u0301y x.\u05B8 y",
      "x\u200D\U0001F600 \U0001F468\u200D\U0001F469",
      "snake_case a_1",
      "日本語のテキスト then words",
      "x: y; z, ... -- — ¿¡ … «» „“",
      "abc абв αβγ אבג ابت",
      "abc абв αβγ אבג ابت ქართ",
      "Москва-City 2024года Tel-Aviv'da",
  };
  QuickLines seen;
  for (const char* line : lines) CheckQuickLines(line, &seen);
  EXPECT_GT(seen.taken, 5u);
  EXPECT_LT(seen.taken, seen.lines);
}

}  // namespace
}  // namespace newsflow::normalize

#include "processors/normalize/boilerplate.h"
#include "processors/normalize/dates.h"

namespace newsflow::normalize {
namespace {

// ClassifyLine()'s fast paths against the general code on every line of the corpus, cleaned
// as the stage cleans it, and on lines of mutated articles (boilerplate_test.cc has random
// lines): same kind and value, the same word-count answers, and no date without a digit.
TEST(BoilerplateFastPathProperty, AgreesWithGeneralCodeOnCorpusLines) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  std::mt19937 rng(5);
  size_t lines = 0;
  size_t boilerplate = 0;
  for (const auto& a : corpus) {
    for (const std::string& text : {CleanText(a.title + "\n" + a.body), Mutate(a.body, rng)}) {
      for (size_t pos = 0; pos < text.size();) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) eol = text.size();
        const std::string_view line(text.data() + pos, eol - pos);
        pos = eol + 1;
        const LineInfo fast = ClassifyLine(line);
        const LineInfo general = boilerplate_internal::ClassifyLineGeneral(line);
        ASSERT_EQ(fast.kind, general.kind) << a.id << ": " << line;
        ASSERT_EQ(fast.value.data(), general.value.data()) << a.id << ": " << line;
        ASSERT_EQ(fast.value.size(), general.value.size()) << a.id << ": " << line;
        for (const size_t limit : {8, 12, 20}) {
          ASSERT_EQ(boilerplate_internal::MoreWordsThan(line, limit),
                    boilerplate_internal::CountWords(line, limit + 1) > limit)
              << a.id << ": " << line;
        }
        if (!boilerplate_internal::HasDigit(line)) {
          ASSERT_FALSE(FindDate(line).has_value()) << a.id << ": " << line;
        }
        ++lines;
        if (fast.kind != LineKind::kText) ++boilerplate;
      }
    }
  }
  EXPECT_GT(lines, 1000u);
  EXPECT_GT(boilerplate, 0u);  // some lines of the corpus are boilerplate
}

}  // namespace
}  // namespace newsflow::normalize
