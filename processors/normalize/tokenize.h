// Tokens with matching forms: the API the tagger's taxonomy compiler shares with the stage.
//
// A token is a word of the clean text as ICU's word break iterator (UAX #29, UBRK_WORD) finds
// it: spans whose rule status is "none" (spaces, punctuation, symbols, emoji) are skipped;
// letters, numbers, kana and ideographs are tokens. Each token carries
//   * begin/end: byte offsets of its surface in the ORIGINAL text (before cleaning);
//   * folded:    the matching form (folding.h: case, diacritics, script-specific rules);
//   * stem:      Snowball stem of the folded form, when the language has a stemmer and the
//                token is written in that language's script; size 0 otherwise;
//   * bare:      for Arabic-script tokens, the folded form without clitics (ArabicBareForm());
//                for Latin-script tokens with an apostrophe, the word without the elided
//                article or the suffix (LatinApostropheBareForm()); a part of the folded form
//                (so it costs no bytes); size 0 if none.
// Strings live in one arena per stream (TokenStream::arena or Document::token_text); a token
// holds offsets into it, so tokenizing allocates per text, not per token.
//
// Use it to fold alias phrases exactly like article text:
//
//   TokenStream ts;
//   Tokenize("البيت الأبيض", {.language = "ar"}, &ts);
//   for (const core::Token& t : ts.tokens) index.Add(ts.Folded(t), ts.Bare(t), ...);
//
// Threading: all functions are thread-safe. Each thread keeps a clone of the ICU word break
// iterator and its own Snowball stemmers (thread_local caches, created on first use).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "processors/core/document.h"
#include "processors/normalize/languages.h"
#include "processors/normalize/offset_map.h"

namespace newsflow::normalize {

struct TokenStream {
  std::string arena;
  std::vector<core::Token> tokens;

  std::string_view Folded(const core::Token& t) const {
    return Form(t.folded_offset, t.folded_size);
  }
  std::string_view Stem(const core::Token& t) const { return Form(t.stem_offset, t.stem_size); }
  std::string_view Bare(const core::Token& t) const { return Form(t.bare_offset, t.bare_size); }

 private:
  std::string_view Form(uint32_t offset, uint32_t size) const {
    return std::string_view(arena).substr(offset, size);
  }
};

struct TokenizeOptions {
  // ISO 639-1 code (or BCP 47 tag) choosing the Snowball stemmer; empty: no stems.
  std::string_view language;
  core::Field field = core::Field::kBody;
  // Tokens beyond this many are counted but not stored.
  size_t max_tokens = std::numeric_limits<size_t>::max();
};

// Cleans `text` as the stage cleans a body (clean.h), splits it into words and appends one
// token per word to `out` (offsets into `text`). Returns the number of words (including any
// beyond max_tokens).
size_t Tokenize(std::string_view text, const TokenizeOptions& options, TokenStream* out);

// The stage's building block: the words of clean[begin, end) (which must not split a line),
// with offsets mapped through `map` (clean -> original). Appends forms to `*arena` and tokens
// to `*tokens` while tokens->size() < max_tokens; counts letters per script into `*scripts`
// (may be null). Returns the number of words found. A word of ICU's word breaker that holds a
// run-on sentence period ("Marseille.Selon", internal::RunOnSentencePeriod) is two words.
struct WordSink {
  std::string* arena;
  std::vector<core::Token>* tokens;
  size_t max_tokens;
  ScriptHistogram* scripts;
};
size_t AppendWordTokens(std::string_view clean, size_t begin, size_t end, core::Field field,
                        const OffsetMap& map, int stemmer, const WordSink& sink);

// The extra matching form of a Latin-script folded token with an apostrophe: the word after an
// elided article or preposition (l'armee -> armee, d'iran -> iran, qu'israel -> israel), or the
// word before a suffix (turkiye'nin -> turkiye, gazze'de -> gazze, poland's -> poland). A view
// into `folded`; empty when the token has no inner apostrophe. Stored as the token's bare form.
std::string_view LatinApostropheBareForm(std::string_view folded);

// Calls `fn(begin, end)` for each word of `text` (offsets into text): ICU's word break
// iterator's words (rule status not "none"), found by a UAX #29 fast path for alphabetic
// scripts and by the BreakIterator itself for everything else (see tokenize.cc).
template <typename Fn>
void ForEachWord(std::string_view text, Fn&& fn);

// Same, always with ICU's BreakIterator: the reference the fast path is tested against.
template <typename Fn>
void ForEachWordIcu(std::string_view text, Fn&& fn);

// --- implementation details below ---
namespace internal {
using WordCallback = void (*)(void* ctx, uint32_t begin, uint32_t end);
void ForEachWordImpl(std::string_view text, WordCallback cb, void* ctx);
void ForEachWordIcu(std::string_view text, WordCallback cb, void* ctx);
// The offset of the first full stop at or after `from` in `text` that ends a sentence run
// together with the next one ("Marseille.Selon": lower-case letters before it, an upper-case
// and a lower-case letter after it), or npos. AppendWordTokens() makes two words of such a word.
size_t RunOnSentencePeriod(std::string_view text, size_t from);
// AppendWordTokens() without its fused one-pass fast path: ForEachWord(), then each word folded
// on its own. The reference the fused path is tested against (and its fallback).
size_t AppendWordTokensGeneral(std::string_view clean, size_t begin, size_t end, core::Field field,
                               const OffsetMap& map, int stemmer, const WordSink& sink);
// AppendWordTokens()' first try for a line without stems inline (the stage's lines): a smaller
// pass for the common characters (tokenize.cc, "QuickWordTokens"). Returns false, with the sink
// untouched, when the line needs the fused tokenizer; else appends the words of clean[begin,
// end) as AppendWordTokens() does and sets *count. Exposed for tests.
bool QuickWordTokens(std::string_view clean, size_t begin, size_t end, core::Field field,
                     const OffsetMap& map, const WordSink& sink, size_t* count);
}  // namespace internal

template <typename Fn>
void ForEachWord(std::string_view text, Fn&& fn) {
  internal::ForEachWordImpl(
      text,
      [](void* ctx, uint32_t b, uint32_t e) {
        (*static_cast<std::remove_reference_t<Fn>*>(ctx))(b, e);
      },
      &fn);
}

template <typename Fn>
void ForEachWordIcu(std::string_view text, Fn&& fn) {
  internal::ForEachWordIcu(
      text,
      [](void* ctx, uint32_t b, uint32_t e) {
        (*static_cast<std::remove_reference_t<Fn>*>(ctx))(b, e);
      },
      &fn);
}

}  // namespace newsflow::normalize
