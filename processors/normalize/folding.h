// Matching form of text: per-code-point folding and Arabic clitic stripping.
//
// This is the one definition of "the same word" in newsflow. The normalize stage folds every
// token of an article with it, and the tagger's taxonomy compiler must fold alias phrases with
// it too (through Tokenize() in tokenize.h, or FoldAppend() here), otherwise aliases and
// article text would not meet. Change a rule here and both sides change together; the golden
// tests and the taxonomy snapshot version must be regenerated.
//
// Folding is a pure function of each code point (after NFC), so it is a table lookup:
//
//   all scripts  NFKC_Casefold (ICU): full case folding (ß -> ss, İ -> i, Σ/ς -> σ),
//                compatibility forms (ﬁ -> fi, fullwidth Ａ -> a, Arabic presentation forms
//                ﻻ -> لا), default-ignorables removed (ZWNJ, ZWJ, soft hyphen, bidi controls);
//                every decimal digit (Arabic-Indic ٠-٩, Persian ۰-۹, Devanagari, ...) -> 0-9;
//                apostrophes ’ ʼ ` -> ' (Ukrainian п’ять / пʼять / п'ять fold equal)
//   Latin, Greek, Common, Inherited
//                canonical decomposition, then every nonspacing/enclosing mark dropped
//                (é -> e, ñ -> n, ü -> u, ά -> α); ı -> i; ł -> l, ø -> o, đ -> d, ħ -> h
//                (stroke letters have no decomposition)
//   Cyrillic     letters kept composed (й, ї stay; dropping their breve/diaeresis would merge
//                distinct letters); ё -> е; Cyrillic combining marks (titlo etc.) dropped
//   Hebrew       niqqud and cantillation (the marks in U+0591-U+05C7) dropped
//   Arabic       harakat U+064B-U+0652 and U+0670 dropped; Quranic marks U+0610-U+061A and
//                U+06D6-U+06ED dropped; tatweel U+0640 dropped; أ إ آ ٱ (and ٲ ٳ) -> ا;
//                ى -> ي; ة -> ه; Persian ی -> ي, ک -> ك. Hamza carriers ؤ ئ are kept.
//   other scripts (Devanagari, Thai, CJK, ...): case folding/NFKC only; marks kept (they are
//                vowels there, not diacritics)
//
// The BMP table (0x10000 rows of 8 bytes and a pool of folded bytes) is computed with ICU at
// build time: folding_table_gen (folding_table_gen.cc, run by CMake) calls the same
// internal::BuildBmpTable() as the library (folding_icu.h) and writes the result as constant
// data compiled into the binary, so start-up costs nothing (it was ~99 M instructions, 60 % of a
// snapshot start-up) and the pages are shared, read-only and loaded on first touch. The table
// records the ICU and Unicode versions it was generated with; TextFolder::Default() compares
// them with the ICU linked at run time and, when they differ (a newer libicu minor release, a
// binary moved to another system), builds the table with ICU at start as before (~99 M
// instructions), so folding always follows the ICU the process runs with. Either way it is
// immutable afterwards: every method here is safe to call from any number of threads.
// Supplementary-plane code points (emoji, math letters) are folded by the same rules on the
// fly, which is slower but rare in news text.
//
// Pitfalls:
//   * Fold NFC text. FoldNfcAppend() assumes it (the stage's clean text is NFC); FoldAppend()
//     normalizes first when needed, so a decomposed alias (e + U+0301, ا + U+0654) folds like
//     its composed form.
//   * The folded form is for matching only. Never display it: it drops diacritics that change
//     meaning in some languages (Turkish ş/s, German ä/a).
//   * Snowball's Arabic stemmer overstems proper nouns (بودابست -> ودابس); match names on
//     folded or bare forms and keep stems for common words.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace newsflow::normalize {

// Letters per ICU script (UScriptCode index), counted while tokens are folded.
struct ScriptHistogram {
  static constexpr int kSize = 200;       // USCRIPT_CODE_LIMIT in ICU 72
  uint32_t letters[kSize] = {};           // written through Add() only
  uint64_t seen[(kSize + 63) / 64] = {};  // scripts with letters, so Dominant() skips the rest

  void Add(int script, uint32_t n = 1) {
    if (script >= 0 && script < kSize) {
      letters[script] += n;
      seen[script >> 6] |= uint64_t{1} << (script & 63);
    }
  }
  // The script with most letters (Common and Inherited excluded), or -1 when there are none.
  // With `share`, also its share of those letters (0 when there are none).
  int Dominant(double* share = nullptr) const;
};

class TextFolder {
 public:
  // Character classes of a code point (bit set), as the tokenizer and script counter use them.
  enum Flags : uint8_t {
    kLetter = 1,    // Alphabetic (letters, and the marks/ideographs Unicode counts as alphabetic)
    kDigit = 2,     // decimal digit of any script
    kMark = 4,      // nonspacing, spacing or enclosing mark
    kNfcMaybe = 8,  // NFC_Quick_Check is not Yes, or the combining class is not 0: text with
                    // such a character may need NFC work (text without any is NFC)
    kFoldQuote = 0x10,     // the folded form has an apostrophe (' from ' ’ ʼ ` ...)
    kScriptLetter = 0x40,  // kLetter of a real script (not Common/Inherited): counted per script
    kIdentity = 0x80,      // the folded form is the code point itself (its own UTF-8 bytes)
  };

  // Word-break class of a code point for the tokenizer's fast path (tokenize.cc): the UAX #29
  // Word_Break property reduced to what matters for finding words in space-delimited scripts.
  enum class WordClass : uint8_t {
    kOther,        // spaces, line breaks, punctuation, symbols: never part of a word
    kLetter,       // ALetter (not CJK, not a dictionary script)
    kHebrew,       // Hebrew_Letter
    kNumeric,      // Numeric
    kMidLetter,    // MidLetter (: · ׳ ...)
    kMidNum,       // MidNum (, ; ...)
    kMidNumLet,    // MidNumLet (. ’ ...)
    kSingleQuote,  // '
    kDoubleQuote,  // "
    kExtend,       // Extend, Format, ZWJ: continue the previous character
    kEmoji,        // Emoji / Extended_Pictographic (matters only right after a ZWJ)
    kHard,         // anything the fast path does not model: ICU's BreakIterator decides
                   // (CJK, Thai and other dictionary scripts, Katakana, ExtendNumLet,
                   // regional indicators)
  };
  WordClass WordBreakClass(uint32_t cp) const {
    if (cp < 0x10000) return static_cast<WordClass>(rows_[cp].word_class);
    return SupplementaryWordClass(cp);
  }

  // The process-wide folder, made on first call (thread-safe), never destroyed before exit: the
  // built-in table when the run-time ICU is the generator's, else one built with ICU.
  static const TextFolder& Default();

  // Where a folder's BMP table comes from.
  enum class TableSource : uint8_t {
    kBuiltIn,     // generated with ICU at build time, compiled into the binary (no start cost)
    kIcuAtStart,  // computed with the run-time ICU when the folder is made (~99 M instr.)
  };
  TableSource Source() const { return source_; }
  // A folder with the given table (tests and benchmarks; the pipeline uses Default()).
  static std::unique_ptr<TextFolder> Make(TableSource source);
  // "<ICU version>/<Unicode version>" the built-in table was generated with, e.g. "72.1/15.0".
  static std::string_view BuiltInIcuVersion();

  TextFolder(const TextFolder&) = delete;
  TextFolder& operator=(const TextFolder&) = delete;

  // Appends the folded form of `utf8` (any normalization form) to `out`. Ill-formed UTF-8
  // sequences fold to U+FFFD.
  void FoldAppend(std::string_view utf8, std::string* out) const;

  // Same, for text already in NFC (no normalization check): the tokenizer's hot path.
  void FoldNfcAppend(std::string_view nfc, std::string* out) const;

  // FoldNfcAppend() that also counts letters per script into `*scripts` (may be null) and
  // returns the script of the first letter (-1 if there is none).
  int FoldNfcAppendCounting(std::string_view nfc, std::string* out, ScriptHistogram* scripts) const;

  // Convenience: the folded form as a new string.
  std::string Fold(std::string_view utf8) const {
    std::string out;
    FoldAppend(utf8, &out);
    return out;
  }

  // Folded UTF-8 bytes of one BMP code point (a view into the table; may be empty: the code
  // point is dropped). `cp` must be < 0x10000.
  std::string_view FoldBmp(uint32_t cp) const {
    const Row& e = rows_[cp];
    return std::string_view(pool_ + e.offset, e.length);
  }

  // ICU script code (UScriptCode) and Flags of a code point (any plane).
  int Script(uint32_t cp) const;
  uint8_t CharFlags(uint32_t cp) const;

  // Everything the table knows of one BMP code point in 8 bytes, for loops that classify, fold
  // and count scripts in one pass (the tokenizer's fused fast path): one load per character.
  struct Row {
    uint32_t offset;     // folded bytes: FoldPool() + offset
    uint8_t length;      // folded byte length (0: dropped)
    uint8_t script;      // UScriptCode (< USCRIPT_CODE_LIMIT = 200 in ICU 72)
    uint8_t flags;       // Flags
    uint8_t word_class;  // WordClass
  };
  const Row& RowOf(uint32_t cp) const { return rows_[cp]; }  // cp < 0x10000
  const char* FoldPool() const { return pool_; }             // ends with 4 bytes of padding
  char FoldAscii(uint8_t b) const { return ascii_[b]; }      // b < 0x80
  // Appends the folded form of a supplementary-plane code point (slow path, rare).
  void AppendSupplementary(uint32_t cp, std::string* out) const;

 private:
  explicit TextFolder(TableSource source);
  static WordClass SupplementaryWordClass(uint32_t cp);

  TableSource source_;
  const Row* rows_ = nullptr;  // 0x10000 rows: the built-in table or owned_rows_
  const char* pool_ = nullptr;
  std::vector<Row> owned_rows_;  // kIcuAtStart only
  std::string owned_pool_;
  char ascii_[128];  // ASCII fold (lower case; ` -> ')
};

// Folded form of one code point by the rules above, computed with ICU (slow: table builder
// and supplementary planes). Exposed for tests.
std::string FoldCodePointSlow(uint32_t cp);

// The Arabic bare form of a folded token: the token without a leading conjunction/preposition
// and/or the article, as a suffix view of `folded` (empty if nothing was stripped or the token
// is not Arabic-script). Prefixes tried, longest first, keeping at least 2 letters after them:
//   وال فال بال كال ولل فلل   (conjunction or preposition + article)
//   لل ال                     (لل = ل + ال with the alef elided)
//   و ف ب ل ك                 (one attached conjunction/preposition)
// e.g. والبيت -> بيت, البيت -> بيت, للرئيس -> رئيس, وبوتين -> بوتين. A word that merely starts
// with one of these letters also gets a bare form (بوتين -> وتين): it is an extra matching form,
// never a replacement, so a tagger should match `bare(token)` against folded alias forms.
std::string_view ArabicBareForm(std::string_view folded);

}  // namespace newsflow::normalize
