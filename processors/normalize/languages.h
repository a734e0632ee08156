// Per-language facts the normalize stage needs: Snowball stemmers and language detection.
//
// Stemmers: Snowball (libstemmer) objects are not thread-safe, so each thread keeps its own,
// created on first use per language and freed at thread exit (a thread_local cache). Languages
// without a Snowball algorithm in Debian 12's libstemmer 2.2 (he, fa, uk, ...) get no stems.
//
// Detection: CLD2 (ExtDetectLanguageSummary, plain text) on the clean title + body. The feed's
// language hint only breaks ties: it is used when CLD2 calls its answer unreliable (short or
// mixed text) and the hint is compatible with the text's dominant script. CLD2 codes are mapped
// to ISO 639-1 (iw -> he, in -> id, jw -> jv, zh-Hant -> zh, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "processors/core/document.h"
#include "processors/normalize/folding.h"

namespace newsflow::normalize {

// ISO 15924 code ("Arab", "Latn") of an ICU script code; empty for -1.
std::string ScriptCode(int script);

// The stemmer id for an ISO 639-1 code (or BCP 47 tag: "en-GB" -> en), or -1 when Snowball
// has no algorithm for it.
int StemmerFor(std::string_view language);

// The script (UScriptCode) a stemmer's language is written in: tokens of other scripts are not
// stemmed (an English name in an Arabic article is not fed to the Arabic stemmer).
int StemmerScript(int stemmer);

// Stems `word` (folded UTF-8) with this thread's stemmer `stemmer`. The view is valid until the
// next Stem() call on the same thread. Returns `word` itself when stemming fails.
std::string_view Stem(int stemmer, std::string_view word);

// Words a thread's stem memo holds per language before it starts over, unless StemTokens() is
// given another capacity (the stage's stem_memo_words).
inline constexpr size_t kDefaultStemMemoWords = 32768;

// Sets the stem of every token of tokens[from..] whose script is the stemmer's
// (StemmerScript()); stems that differ from the folded form are appended to `*arena`, the others
// share the folded form's bytes. The per-token path of the stage: one memo probe per token.
// `memo_words` is the capacity of this thread's memo for the stemmer's language (>= 1); a
// capacity other than the memo's current one empties it first.
// `hashes` (optional): resized to the tokens' count; for tokens[from..], the core::FormHash of
// each token's folded form (0 for an empty one) and of each stemmed token's stem (the memo's own
// hashes), 0 as the stem's of the others (core::FormHashes). When `stemmer` is not a stemmer
// (e.g. -1), the folded forms' hashes alone and no stems.
void StemTokens(int stemmer, size_t from, std::string* arena, std::vector<core::Token>* tokens,
                size_t memo_words = kDefaultStemMemoWords,
                std::vector<core::FormHashes>* hashes = nullptr);

// Empties this thread's stem memos (every language), as if no word had been stemmed yet. For
// benchmarks and tests: a stream's first articles, or one whose words are all new.
void ClearStemMemos();

struct DetectOptions {
  std::string_view hint;     // the feed's language (BCP 47 / ISO 639-1), may be empty
  bool trust_hint = false;   // true: a known hint wins over CLD2 outright
  int dominant_script = -1;  // from ScriptHistogram::Dominant()
  // Only the first max_bytes of `text` (cut at a space) are given to CLD2; 0 = all. CLD2's
  // cost is linear in its input (~35 MB/s), and a few hundred bytes of running text decide
  // the language as well as the whole article does.
  size_t max_bytes = 0;
  // When > 0 (and less than max_bytes), CLD2 first reads only this many bytes and reads the
  // max_bytes sample only when that first answer is not reliable: most articles are decided
  // by their first sentences, at a fraction of the cost.
  size_t first_pass_bytes = 0;
  // Set to the number of CLD2 calls made (1 or 2) when not null; for tests and benchmarks.
  int* cld2_calls = nullptr;
};

// Language of `text` (clean UTF-8). code is ISO 639-1 or empty; confidence in [0, 1];
// script is the ISO 15924 code of options.dominant_script. Thread-safe.
core::Language DetectLanguage(std::string_view text, const DetectOptions& options);

// ISO 639-1 code for a CLD2 code ("iw" -> "he"); empty when it has none. Exposed for tests.
std::string IsoFromCld2(std::string_view cld2_code);

}  // namespace newsflow::normalize
