#include "processors/normalize/tokenize.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/rbbi.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <memory>
#include <vector>

#include "processors/normalize/clean.h"
#include "processors/normalize/folding.h"
#include "processors/normalize/simd_scan.h"
#include "processors/normalize/swar.h"

namespace newsflow::normalize {
namespace internal {
namespace {

// One word break iterator per thread, cloned from a process-wide prototype (creating one from
// the rules costs ~100 us; a clone is cheap, and a clone is not shared between threads).
icu::BreakIterator* ThreadWordIterator() {
  static const icu::BreakIterator* const prototype = [] {
    UErrorCode ec = U_ZERO_ERROR;
    icu::BreakIterator* bi = icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), ec);
    if (U_FAILURE(ec)) {
      delete bi;
      return static_cast<icu::BreakIterator*>(nullptr);
    }
    return bi;  // intentionally leaked: used until exit
  }();
  thread_local std::unique_ptr<icu::BreakIterator> iterator(
      prototype != nullptr ? prototype->clone() : nullptr);
  return iterator.get();
}

void IcuWords(std::string_view text, WordCallback cb, void* ctx) {
  icu::BreakIterator* bi = ThreadWordIterator();
  if (bi == nullptr) return;
  UErrorCode ec = U_ZERO_ERROR;
  UText ut = UTEXT_INITIALIZER;
  utext_openUTF8(&ut, text.data(), static_cast<int64_t>(text.size()), &ec);
  if (U_FAILURE(ec)) return;
  // setText() clones the UText header; the iterator keeps pointing at `text` after we return,
  // but is never used again before the next setText().
  bi->setText(&ut, ec);
  if (U_SUCCESS(ec)) {
    int32_t start = bi->first();
    for (int32_t end = bi->next(); end != icu::BreakIterator::DONE; start = end, end = bi->next()) {
      if (bi->getRuleStatus() >= UBRK_WORD_NONE_LIMIT) {
        cb(ctx, static_cast<uint32_t>(start), static_cast<uint32_t>(end));
      }
    }
  }
  utext_close(&ut);
}

// Word classes as the UAX #29 word rules use them, shared by FastWords() and the fused
// tokenizer (FusedWordTokens()) so both join words by the same rules.
using WC = TextFolder::WordClass;

// kLetter, kHebrew and kNumeric are consecutive (folding.h).
static_assert(static_cast<int>(WC::kHebrew) == static_cast<int>(WC::kLetter) + 1 &&
              static_cast<int>(WC::kNumeric) == static_cast<int>(WC::kLetter) + 2);
bool IsWordClass(WC c) {
  return static_cast<unsigned>(static_cast<int>(c) - static_cast<int>(WC::kLetter)) < 3;
}
bool IsAlphaClass(WC c) { return c == WC::kLetter || c == WC::kHebrew; }
bool IsMidClass(WC c) {
  return c == WC::kMidLetter || c == WC::kMidNum || c == WC::kMidNumLet || c == WC::kSingleQuote ||
         c == WC::kDoubleQuote;
}
// Whether `mid` between a word ending in `last` and a word character `after` joins them (rules
// 6/7, 7b/7c, 11/12).
bool Joins(WC last, WC mid, WC after) {
  if (IsAlphaClass(last) && IsAlphaClass(after)) {
    return mid == WC::kMidLetter || mid == WC::kMidNumLet || mid == WC::kSingleQuote ||
           (mid == WC::kDoubleQuote && last == WC::kHebrew && after == WC::kHebrew);
  }
  if (last == WC::kNumeric && after == WC::kNumeric) {
    return mid == WC::kMidNum || mid == WC::kMidNumLet || mid == WC::kSingleQuote;
  }
  return false;
}

// The fast path: UAX #29 word boundaries (ICU's word.txt rules 4-12) for text made only of
// characters whose word-break behaviour it models -- every alphabet and abjad newsflow handles
// -- so that ICU's rule engine (~70 MB/s) only runs for CJK, Thai and other dictionary scripts
// and for the rare characters listed under WordClass::kHard. A test checks that both paths
// give the same words on the dev corpus and on random text.
//
// Text is read as units: a character plus the Extend/Format/ZWJ characters after it (rule 4).
// A word is a maximal run of letter/number units, joined across one MidLetter/MidNumLet/
// Single_Quote between letters (6/7), MidNum/MidNumLet/Single_Quote between numbers (11/12),
// Double_Quote between Hebrew letters (7b/7c), plus a trailing Single_Quote after a Hebrew
// letter (7a). Returns false (having called nothing) when the text needs ICU.
struct Unit {
  uint32_t begin;
  uint32_t end;
  TextFolder::WordClass cls;
};

bool FastWords(std::string_view text, WordCallback cb, void* ctx) {
  thread_local std::vector<Unit> units;
  units.clear();
  const TextFolder& folder = TextFolder::Default();
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const auto n = static_cast<int32_t>(text.size());
  bool after_zwj = false;
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    WC cls;
    uint32_t cp;
    if (s[i] < 0x80) {
      cp = s[i++];
      if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') {
        cls = WC::kLetter;
      } else if (cp >= '0' && cp <= '9') {
        cls = WC::kNumeric;
      } else {
        cls = folder.WordBreakClass(cp);
      }
    } else {
      UChar32 c = 0;
      U8_NEXT(s, i, n, c);
      if (c < 0) return false;
      cp = static_cast<uint32_t>(c);
      cls = folder.WordBreakClass(cp);
    }
    if (cls == WC::kHard || (after_zwj && cls == WC::kEmoji)) return false;
    after_zwj = cp == 0x200D;
    if (cls == WC::kExtend && !units.empty()) {
      units.back().end = static_cast<uint32_t>(i);
      continue;
    }
    units.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(i), cls});
  }
  const size_t count = units.size();
  for (size_t i = 0; i < count;) {
    if (!IsWordClass(units[i].cls)) {
      ++i;
      continue;
    }
    const uint32_t begin = units[i].begin;
    uint32_t end = units[i].end;
    WC last = units[i].cls;
    bool not_word = false;
    size_t j = i + 1;
    while (j < count) {
      const WC next = units[j].cls;
      if (IsWordClass(next)) {  // rules 5, 8, 9, 10
        last = next;
        end = units[j].end;
        ++j;
        continue;
      }
      if (j + 1 < count && IsWordClass(units[j + 1].cls)) {
        const WC after = units[j + 1].cls;
        if (Joins(last, next, after)) {
          last = after;
          end = units[j + 1].end;
          j += 2;
          continue;
        }
      }
      if (last == WC::kHebrew && next == WC::kSingleQuote) {  // rule 7a
        // ICU 72 quirk, mirrored: when Extend/Format characters follow that quote, the
        // segment comes out with rule status "none" (not a word).
        if (units[j].end - units[j].begin > 1) not_word = true;
        end = units[j].end;
        ++j;
      }
      break;
    }
    if (!not_word) cb(ctx, begin, end);
    i = j;
  }
  return true;
}

}  // namespace

void ForEachWordImpl(std::string_view text, WordCallback cb, void* ctx) {
  if (text.empty()) return;
  if (FastWords(text, cb, ctx)) return;
  IcuWords(text, cb, ctx);
}

void ForEachWordIcu(std::string_view text, WordCallback cb, void* ctx) {
  if (!text.empty()) IcuWords(text, cb, ctx);
}

}  // namespace internal

std::string_view LatinApostropheBareForm(std::string_view folded) {
  const size_t apostrophe = folded.find('\'');
  if (apostrophe == std::string_view::npos || apostrophe == 0 || apostrophe + 1 >= folded.size()) {
    return {};
  }
  // Elision (l'armee, d'iran, qu'israel): the word after the apostrophe.
  if (apostrophe <= 2) return folded.substr(apostrophe + 1);
  // Suffix (turkiye'nin, gazze'de, poland's): the word before it.
  return folded.substr(0, apostrophe);
}

namespace {

// Sets the script and bare form of a token whose folded form is `folded` (at t->folded_offset in
// the arena) and whose first letter is in `script` (-1: none). `maybe_quote` false says the
// folded form has no apostrophe (the fused tokenizer knows).
[[gnu::always_inline]] inline void SetBareForm(int script, std::string_view folded,
                                               bool maybe_quote, core::Token* t) {
  if (script >= 0) t->script = static_cast<uint8_t>(script);
  if (script == USCRIPT_ARABIC) {
    const std::string_view bare = ArabicBareForm(folded);
    if (!bare.empty()) {
      t->bare_offset = t->folded_offset + static_cast<uint32_t>(folded.size() - bare.size());
      t->bare_size = static_cast<uint32_t>(bare.size());
    }
  } else if (script == USCRIPT_LATIN && maybe_quote) {
    const std::string_view bare = LatinApostropheBareForm(folded);
    if (!bare.empty()) {
      t->bare_offset = t->folded_offset + static_cast<uint32_t>(bare.data() - folded.data());
      t->bare_size = static_cast<uint32_t>(bare.size());
    }
  }
}

}  // namespace

size_t internal::RunOnSentencePeriod(std::string_view text, size_t from) {
  // UAX #29 (WB6/WB7) joins letters across a full stop (MidNumLet), so "Marseille.Selon" -- two
  // sentences run together where a space was lost -- is one word to ICU. ICU has no option for
  // this one case: a period with a lower-case letter and another letter before it and an
  // upper-case letter and a lower-case letter after it ends a sentence. Kept as one word:
  // "U.S.", "e.g.", "Ph.D", "ASP.NET", "Node.JS", digits ("3.5"), caseless scripts.
  for (size_t p = text.find('.', from); p != std::string_view::npos; p = text.find('.', p + 1)) {
    if (p < 2 || p + 2 >= text.size()) continue;
    const auto next = static_cast<unsigned char>(text[p + 1]);
    if (next < 0x80 && (next < 'A' || next > 'Z')) continue;  // a space, digit, lower case ...
    const auto* s = reinterpret_cast<const uint8_t*>(text.data());
    const auto n = static_cast<int32_t>(text.size());
    UChar32 c = 0;
    auto i = static_cast<int32_t>(p) + 1;
    U8_NEXT(s, i, n, c);
    if (c < 0 || !u_isUUppercase(c) || i >= n) continue;
    U8_NEXT(s, i, n, c);
    if (c < 0 || !u_isULowercase(c)) continue;
    // The two characters before it, decoded forwards from their lead bytes (ICU's U8_PREV
    // does not compile under -Wold-style-cast).
    const auto previous = [s](int32_t at, UChar32* cp) {
      int32_t start = at - 1;
      while (start > 0 && at - start < 4 && (s[start] & 0xC0) == 0x80) --start;
      int32_t k = start;
      U8_NEXT(s, k, at, *cp);
      if (k != at) *cp = -1;
      return start;
    };
    i = previous(static_cast<int32_t>(p), &c);
    if (c < 0 || !u_isULowercase(c) || i == 0) continue;
    previous(i, &c);
    if (c >= 0 && u_isalpha(c)) return p;
  }
  return std::string_view::npos;
}

// The general path: words from ForEachWord (fast path or ICU), each folded on its own; a word
// with a run-on sentence period (RunOnSentencePeriod) is two words.
size_t internal::AppendWordTokensGeneral(std::string_view clean, size_t begin, size_t end,
                                         core::Field field, const OffsetMap& map, int stemmer,
                                         const WordSink& sink) {
  const std::string_view line = clean.substr(begin, end - begin);
  const TextFolder& folder = TextFolder::Default();
  const int stem_script = StemmerScript(stemmer);
  size_t count = 0;
  std::string& arena = *sink.arena;
  OffsetMap::Cursor offsets(map, static_cast<uint32_t>(begin));
  size_t run_on = RunOnSentencePeriod(line, 0);
  const auto append = [&](uint32_t b, uint32_t e) {
    ++count;
    if (sink.tokens->size() >= sink.max_tokens) return;
    core::Token t;
    t.field = field;
    t.begin = offsets.MapBegin(static_cast<uint32_t>(begin + b));
    t.end = offsets.MapEnd(static_cast<uint32_t>(begin + e));
    t.folded_offset = static_cast<uint32_t>(arena.size());
    const int script = folder.FoldNfcAppendCounting(line.substr(b, e - b), &arena, sink.scripts);
    t.folded_size = static_cast<uint32_t>(arena.size() - t.folded_offset);
    const std::string_view folded(arena.data() + t.folded_offset, t.folded_size);
    SetBareForm(script, folded, /*maybe_quote=*/true, &t);
    if (stemmer >= 0 && script == stem_script && t.folded_size > 0) {
      const std::string_view stem = Stem(stemmer, folded);
      if (stem == folded) {
        t.stem_offset = t.folded_offset;
        t.stem_size = t.folded_size;
      } else {
        t.stem_offset = static_cast<uint32_t>(arena.size());
        t.stem_size = static_cast<uint32_t>(stem.size());
        arena.append(stem);  // `folded` may dangle from here on
      }
    }
    sink.tokens->push_back(t);
  };
  ForEachWord(line, [&](uint32_t b, uint32_t e) {
    while (run_on < b) run_on = RunOnSentencePeriod(line, run_on + 1);
    while (run_on < e) {
      append(b, static_cast<uint32_t>(run_on));
      b = static_cast<uint32_t>(run_on + 1);
      run_on = RunOnSentencePeriod(line, run_on + 1);
    }
    append(b, e);
  });
  return count;
}

namespace {

using internal::IsMidClass;
using internal::IsWordClass;
using internal::Joins;
using internal::WC;

// Letters per script of one line, kept apart until the line is known to take the fast path.
// Lines mix few scripts; a fifth one sends the line to the general path.
struct LineScripts {
  static constexpr int kMax = 4;
  uint8_t script[kMax];
  uint32_t count[kMax];
  int used = 0;
  int last = -1;  // index of the script counted last (runs of one script are the rule)
  bool Add(uint8_t sc) {
    if (last >= 0 && script[last] == sc) {
      ++count[last];
      return true;
    }
    for (int k = 0; k < used; ++k) {
      if (script[k] == sc) {
        ++count[k];
        last = k;
        return true;
      }
    }
    if (used == kMax) return false;
    script[used] = sc;
    count[used] = 1;
    last = used++;
    return true;
  }
};

using swar::BytesBetween;
using swar::kHighBits;

// A row's length, script, identity/script-letter flags and word class as one 32-bit value, so
// that "a two-byte letter of script X that folds to itself" is one compare.
static_assert(offsetof(TextFolder::Row, script) == offsetof(TextFolder::Row, length) + 1 &&
              offsetof(TextFolder::Row, flags) == offsetof(TextFolder::Row, length) + 2 &&
              offsetof(TextFolder::Row, word_class) == offsetof(TextFolder::Row, length) + 3);
static_assert(std::endian::native == std::endian::little);
constexpr uint32_t kPackedFlagMask = TextFolder::kIdentity | TextFolder::kScriptLetter;
inline uint32_t PackedRow(const TextFolder::Row& r) {
  uint32_t v = 0;
  std::memcpy(&v, reinterpret_cast<const unsigned char*>(&r) + offsetof(TextFolder::Row, length),
              4);
  return v & (0xFF00FFFFu | (kPackedFlagMask << 16));
}
constexpr uint32_t PackRow(uint32_t length, uint32_t script, uint32_t flags, WC word_class) {
  return length | (script << 8) | ((flags & kPackedFlagMask) << 16) |
         (static_cast<uint32_t>(word_class) << 24);
}

// Every pair of bytes, read as a little-endian 16-bit value: the script of the two-byte UTF-8
// character it encodes when that is a "plain letter" -- a letter of a real script that folds to
// itself, with the word class its script's letters have (Hebrew_Letter for Hebrew, ALetter
// otherwise) -- else 0xFF. A 64 KiB table that turns the tokenizer's commonest step (one more
// Arabic, Cyrillic or Hebrew letter of the same word) into one load and one compare.
struct PlainLetterTable {
  uint8_t bytes[0x10000];
  static const PlainLetterTable& Get() {
    static const PlainLetterTable table;
    return table;
  }

 private:
  PlainLetterTable() {
    std::memset(bytes, 0xFF, sizeof(bytes));
    const TextFolder& folder = TextFolder::Default();
    for (uint32_t lead = 0xC2; lead < 0xE0; ++lead) {
      for (uint32_t trail = 0x80; trail < 0xC0; ++trail) {
        const TextFolder::Row& row = folder.RowOf(((lead & 0x1F) << 6) | (trail & 0x3F));
        const WC word_class = row.script == USCRIPT_HEBREW ? WC::kHebrew : WC::kLetter;
        if (PackedRow(row) == PackRow(2, row.script, kPackedFlagMask, word_class)) {
          const uint8_t pair[2] = {static_cast<uint8_t>(lead), static_cast<uint8_t>(trail)};
          uint16_t index = 0;
          std::memcpy(&index, pair, 2);
          bytes[index] = row.script;
        }
      }
    }
  }
};

// Grows the arena so that at least `room` bytes follow `pos`; returns its (new) data pointer.
[[gnu::noinline]] char* GrowArena(std::string* arena, size_t pos, size_t room) {
  arena->resize(std::max(pos + room, 2 * arena->size()));
  return arena->data();
}

// The fused fast path: one pass over the line that finds its words by the same rules as
// FastWords() and folds each character into the arena as it is read, with one table load per
// character (TextFolder::Row: word class, flags, script, folded bytes). The word-break rules
// run as a small state machine instead of FastWords()' lookahead: a MidLetter/MidNum/quote
// after a word is folded speculatively and kept only if a word character that joins follows.
// Run() returns false, with the sink untouched, when the line needs ICU's iterator (the
// characters FastWords() gives up on) or mixes more than four scripts; the caller then takes
// the general path. A unit test compares the two paths on the corpus and on random text.
//
// The pass, per character (Run()):
//   1. DecodeChar()  the character's code point (an ASCII space is handled before, at once);
//      NeedsIcu()    a character or sequence only ICU's iterator handles ends the fast path;
//   2. Segment()     the word rules: the character starts, extends or ends a word, or is held
//                    as the pending mid character; says whether its fold is stored;
//   3. FoldChar()    counts a script letter and appends the character's fold to the arena;
//   4. WordTail()    after a word character, the rest of the word in a tight loop (ASCII eight
//                    bytes at a time, two-byte letters by a byte-pair table, a space followed by
//                    the next word's first letter without leaving the loop);
// per word, FinishWord(): resolves the pending mid character, then StoreToken() (original
// offsets, bare form, stem); per line, Commit() or Abandon().
//
// Speed: this was the normalizer's hot loop until session 15; the stage's lines now go through
// QuickWordTokens() first, and here only when that gives up (bench/README.md). The object lives on
// FusedWordTokens()' stack, its address never escapes and every member function is inlined, so
// its fields stay in registers like plain locals. WordTail() still works on local copies of
// `pos_`, `out_` and `last_`: every byte stored through a `char*` would otherwise make the
// compiler reload them.
//
// kStems: stems are looked up per word (`stemmer` >= 0; Tokenize() does, the stage looks them up
// afterwards with StemTokens()); a template parameter so the stage's path has no stem tests.
template <bool kStems>
class FusedLine {
 public:
  [[gnu::always_inline]] FusedLine(std::string_view line, uint32_t map_offset, const OffsetMap& map,
                                   core::Field field, int stemmer, const WordSink& sink)
      : s_(reinterpret_cast<const uint8_t*>(line.data())),
        n_(static_cast<uint32_t>(line.size())),
        map_offset_(map_offset),
        field_(field),
        stemmer_(stemmer),
        stem_script_(StemmerScript(stemmer)),
        sink_scripts_(sink.scripts),
        arena_(*sink.arena),
        tokens_(*sink.tokens),
        arena_start_(arena_.size()),
        tokens_start_(tokens_.size()),
        room_(sink.max_tokens > tokens_start_ ? sink.max_tokens - tokens_start_ : 0),
        offsets_(map, map_offset) {
    arena_.resize(arena_start_ + n_ + kSlack);
    out_ = arena_.data();
    pos_ = arena_start_;
    limit_ = arena_.size();
    uniform_ = offsets_.UniformShift(map_offset, map_offset + n_, &shift_);
  }

  // The whole line. Returns false (sink untouched) when it needs the general path; else sets
  // *count to the number of words found.
  [[gnu::always_inline]] bool Run(size_t* count) {
    assert(rows_[' '].word_class == static_cast<uint8_t>(WC::kOther));
    for (uint32_t i = 0; i < n_ && !hard_;) {
      if (s_[i] == ' ') {  // the commonest separator: ends a word (dropping a pending mid char)
        if (in_word_) FinishWord();
        after_zwj_ = false;
        ++i;
        continue;
      }
      const uint32_t start = i;
      uint32_t cp = 0;
      if (!DecodeChar(&i, &cp)) break;
      const TextFolder::Row& row = rows_[cp];
      const auto cls = static_cast<WC>(row.word_class);
      if (NeedsIcu(cls, cp)) break;
      if (!Segment(cls, start, i)) continue;
      if (!FoldChar(row, start, i)) break;
      if (IsWordClass(cls)) i = WordTail(i);
    }
    if (in_word_ && !hard_) FinishWord();
    if (hard_) {
      Abandon();
      return false;
    }
    Commit(count);
    return true;
  }

 private:
  static constexpr size_t kSlack = 256;  // room kept past pos_: a table row folds to <= 255 bytes

  // --- Phase 1: decoding ---

  // Reads the character at *i (not a space): advances *i past its bytes and sets *cp. Returns
  // false (hard_) for ill-formed UTF-8 (clean text never is) and supplementary characters.
  [[gnu::always_inline]] bool DecodeChar(uint32_t* i, uint32_t* cp) {
    uint32_t c = s_[*i];
    if (c < 0x80) {
      ++*i;
    } else if (c >= 0xC2 && c < 0xE0 && *i + 1 < n_ && (s_[*i + 1] & 0xC0) == 0x80) {
      c = ((c & 0x1F) << 6) | (s_[*i + 1] & 0x3F);
      *i += 2;
    } else {
      int32_t at = static_cast<int32_t>(*i);
      UChar32 u = 0;
      U8_NEXT(s_, at, static_cast<int32_t>(n_), u);
      *i = static_cast<uint32_t>(at);
      if (u < 0 || u >= 0x10000) {
        hard_ = true;
        return false;
      }
      c = static_cast<uint32_t>(u);
    }
    *cp = c;
    return true;
  }

  // Whether the character (class `cls`) is one only ICU's iterator handles (kHard) or an emoji
  // after a ZWJ (rule 3c): then the line takes the general path (hard_). Notes a ZWJ.
  [[gnu::always_inline]] bool NeedsIcu(WC cls, uint32_t cp) {
    static_assert(WC::kHard > WC::kEmoji && WC::kEmoji > WC::kExtend);  // the last two classes
    if (cls >= WC::kEmoji && (cls == WC::kHard || after_zwj_)) {
      hard_ = true;
      return true;
    }
    after_zwj_ = cp == 0x200D;
    return false;
  }

  // --- Phase 2: the word rules (UAX #29, as FastWords() applies them) ---

  // A character of class `cls` at [start, end) of the line: starts or extends the current
  // word, joins it across the pending mid character, is held as the pending mid character, or
  // ends the word. Returns whether its fold is to be stored (FoldChar()); false also when the
  // line turned out to need the general path (hard_).
  [[gnu::always_inline]] bool Segment(WC cls, uint32_t start, uint32_t end) {
    if (IsWordClass(cls)) {
      if (in_word_ && pending_) {
        if (!Joins(last_, mid_cls_, cls)) {
          FinishWord();
        } else if (!KeepPending()) {
          return false;
        }
      }
      if (!in_word_) StartWord(start);
      last_ = cls;
      word_end_ = end;
      return store_;
    }
    if (cls == WC::kExtend) {
      if (!in_word_) return false;
      // Extends the word character or the pending mid character before it (rule 4).
      if (pending_) {
        mid_end_ = end;
        mid_extended_ = true;
      } else {
        word_end_ = end;
      }
      return store_;
    }
    if (in_word_ && !pending_ && IsMidClass(cls)) {
      HoldMid(cls, end);
      return store_;
    }
    if (in_word_) FinishWord();
    return false;
  }

  [[gnu::always_inline]] void StartWord(uint32_t start) {
    in_word_ = true;
    ++words_;
    store_ = room_ > 0;
    word_begin_ = start;
    fold_start_ = pos_;
    first_script_ = -1;
    maybe_quote_ = false;
  }

  // A mid character (MidLetter, MidNum, MidNumLet, quotes) after a word character: folded
  // speculatively; kept if a word character that joins follows (rules 6/7, 7b/7c, 11/12).
  [[gnu::always_inline]] void HoldMid(WC cls, uint32_t end) {
    pending_ = true;
    mid_cls_ = cls;
    mid_end_ = end;
    mid_pos_ = pos_;
    mid_extended_ = false;
    mid_letters_ = 0;
  }

  // The pending mid character joins: its fold stays, and the script letters among its Extend
  // characters are counted now. Returns false (hard_) if that makes a fifth script.
  [[gnu::always_inline]] bool KeepPending() {
    pending_ = false;
    maybe_quote_ = true;
    for (; mid_letters_ > 0; --mid_letters_) {
      if (first_script_ < 0) first_script_ = mid_script_;
      if (!scripts_.Add(mid_script_) && sink_scripts_ != nullptr) hard_ = true;
    }
    return !hard_;
  }

  // --- Phase 3: folding ---

  // Appends the fold of the character at [start, end) of the line (table row `row`) and counts
  // it if it is a script letter. Returns false (hard_) when the line needs the general path.
  [[gnu::always_inline]] bool FoldChar(const TextFolder::Row& row, uint32_t start, uint32_t end) {
    if (limit_ - pos_ < kSlack) GrowTo(kSlack);
    if ((row.flags & TextFolder::kScriptLetter) != 0 && !CountLetter(row.script)) return false;
    const uint32_t len = end - start;
    if ((row.flags & TextFolder::kIdentity) != 0) {
      if (len == 1) {
        out_[pos_] = static_cast<char>(s_[start]);
      } else if (len == 2) {
        std::memcpy(out_ + pos_, s_ + start, 2);
      } else {
        std::memcpy(out_ + pos_, s_ + start, 3);
      }
      pos_ += len;
    } else if (row.length <= 4) {
      std::memcpy(out_ + pos_, pool_ + row.offset, 4);  // the pool is padded; slack takes the rest
      pos_ += row.length;
      maybe_quote_ |= (row.flags & TextFolder::kFoldQuote) != 0;
    } else {
      std::memcpy(out_ + pos_, pool_ + row.offset, row.length);
      pos_ += row.length;
      maybe_quote_ |= (row.flags & TextFolder::kFoldQuote) != 0;
    }
    return true;
  }

  // A script letter: counted for the word and the line, or -- among the Extend characters after
  // a pending mid character -- held until that character is kept (KeepPending()), as the
  // general path counts them. Returns false (hard_) for a fifth script in the line, or marks of
  // two scripts after one mid character.
  [[gnu::always_inline]] bool CountLetter(uint8_t script) {
    if (pending_) {
      if (mid_letters_ != 0 && mid_script_ != script) {
        hard_ = true;
        return false;
      }
      mid_script_ = script;
      ++mid_letters_;
      return true;
    }
    if (first_script_ < 0) first_script_ = script;
    if (!scripts_.Add(script) && sink_scripts_ != nullptr) {
      hard_ = true;
      return false;
    }
    return true;
  }

  [[gnu::always_inline]] void GrowTo(size_t room) {
    out_ = GrowArena(&arena_, pos_, room);
    limit_ = arena_.size();
  }

  // --- Phase 4: the rest of a word ---

  // The rest of the word from line offset i, while its characters are letters or digits of the
  // script counted last (or of none) with a fold of at most 4 bytes: the common case, read
  // without the state machine (nothing is pending and no ZWJ precedes). Returns the offset of
  // the first character it did not take, which Run() then reads as usual.
  [[gnu::always_inline]] uint32_t WordTail(uint32_t i) {
    WordRun r = BeginRun();
    while (i < n_ && r.p < r.safe) {
      const uint32_t c = s_[i];
      if (c == ' ') {
        if (!NextWordAfterSpace(&r, &i)) break;
        continue;
      }
      if (c < 0x80 && i + 8 <= n_ && TakeAsciiChunk(&r, &i)) continue;
      if (c >= 0x80 && r.run_index >= 0 && TakePlainLetters(&r, &i)) continue;
      if (!TakeShortFoldChar(&r, &i)) break;
    }
    EndRun(&r, i);
    return i;
  }

  // WordTail()'s working copies of the state it changes, and the run's script.
  struct WordRun {
    size_t p;       // pos_
    char* o;        // out_
    WC last;        // last_
    size_t safe;    // p below this leaves room for a fold of up to 4 bytes
    int run_index;  // scripts_ index of the run's script (-1: none counted yet)
    uint8_t run_script;
    WC run_class;  // word class of the run script's letters
    uint32_t run;  // letters of the run's script taken, not yet counted in scripts_
  };

  [[gnu::always_inline]] WordRun BeginRun() const {
    WordRun r;
    r.p = pos_;
    r.o = out_;
    r.last = last_;
    r.safe = limit_ - kSlack;  // a character folds to at most 4 bytes here
    r.run_index = scripts_.last;
    r.run_script = r.run_index >= 0 ? scripts_.script[r.run_index] : 0xFF;
    r.run_class = r.run_script == USCRIPT_HEBREW ? WC::kHebrew : WC::kLetter;
    r.run = 0;
    return r;
  }

  // Hands the copies back (the word ends at i) and counts the run's letters.
  [[gnu::always_inline]] void EndRun(WordRun* r, uint32_t i) {
    pos_ = r->p;
    last_ = r->last;
    word_end_ = i;
    if (r->run != 0) {
      scripts_.count[r->run_index] += r->run;
      if (first_script_ < 0) first_script_ = r->run_script;
      r->run = 0;
    }
  }

  // A space at *i, and a next word that this loop would take from its first character (a word
  // character with a short fold, of the run's script or of none): ends the word and starts the
  // next one, as Run() would, without leaving the loop. Nothing is pending inside the loop, and
  // no ZWJ precedes a space. Returns false (nothing done) otherwise.
  [[gnu::always_inline]] bool NextWordAfterSpace(WordRun* r, uint32_t* i) {
    const uint32_t j = *i + 1;
    if (j >= n_ || room_ < 2) return false;  // the word ending here takes one
    uint32_t c1 = s_[j];
    if (c1 >= 0x80) {
      if (c1 - 0xC2 >= 0x1E || j + 1 >= n_ || (s_[j + 1] & 0xC0) != 0x80) return false;
      c1 = ((c1 & 0x1F) << 6) | (s_[j + 1] & 0x3F);
    }
    const TextFolder::Row& r1 = rows_[c1];
    if (!IsWordClass(static_cast<WC>(r1.word_class)) ||
        ((r1.flags & TextFolder::kScriptLetter) != 0 && r1.script != r->run_script) ||
        ((r1.flags & TextFolder::kIdentity) == 0 && r1.length > 4)) {
      return false;
    }
    EndRun(r, *i);
    FinishWord();
    if (kStems) {  // a stem stored by FinishWord() may have grown the arena
      r->o = out_;
      r->safe = limit_ - kSlack;
    }
    r->p = pos_;
    StartWord(j);
    *i = j;
    return true;
  }

  // Eight bytes at a time while they are lowercase ASCII letters or digits, which fold to
  // themselves: most of a Latin word after its first letter. Returns whether it took any.
  [[gnu::always_inline]] bool TakeAsciiChunk(WordRun* r, uint32_t* i) {
    const uint64_t v = swar::Load8(s_ + *i);
    const uint64_t lower = BytesBetween(v, 'a' - 1, 'z' + 1);
    const uint64_t digit = BytesBetween(v, '0' - 1, '9' + 1);
    const uint64_t not_ok = ~(lower | digit) & kHighBits;
    const int take = std::countr_zero(not_ok) >> 3;  // 8 when all are
    if (take == 0) return false;
    const uint64_t mask = take == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * take)) - 1;
    const int letters = swar::CountHighBits(lower & mask);
    if (letters != 0 && r->run_script != USCRIPT_LATIN) return false;
    std::memcpy(r->o + r->p, s_ + *i, 8);  // p < safe leaves room
    r->p += static_cast<size_t>(take);
    *i += static_cast<uint32_t>(take);
    r->run += static_cast<uint32_t>(letters);
    r->last = ((digit >> (8 * take - 1)) & 1) != 0 ? WC::kNumeric : WC::kLetter;
    return true;
  }

  // Two-byte letters of the run's script that fold to themselves (most of an Arabic, Cyrillic
  // or Hebrew word): one load from the byte-pair table each. Returns whether it took any.
  [[gnu::always_inline]] bool TakePlainLetters(WordRun* r, uint32_t* i) {
    // i and p advance together here, so one bound covers both `i + 1 < n` and `p < safe`.
    const uint8_t* src = s_ + *i;
    const uint8_t* const src_end = s_ + std::min<size_t>(n_ - 1, *i + (r->safe - r->p));
    char* dst = r->o + r->p;
    const uint8_t* const plain = plain_;  // copies: the stores through dst would reload them
    const uint8_t script = r->run_script;
    while (src < src_end) {
      uint16_t pair = 0;
      std::memcpy(&pair, src, 2);
      if (plain[pair] != script) break;
      std::memcpy(dst, &pair, 2);
      src += 2;
      dst += 2;
    }
    const auto took = static_cast<uint32_t>(src - (s_ + *i));
    if (took == 0) return false;
    *i += took;
    r->p += took;
    r->run += took / 2;
    r->last = r->run_class;
    return true;
  }

  // Any other one- or two-byte word character of the run's script (or of none) whose fold has
  // at most 4 bytes. Returns false (nothing taken) for anything else.
  [[gnu::always_inline]] bool TakeShortFoldChar(WordRun* r, uint32_t* i) {
    uint32_t c = s_[*i];
    uint32_t bytes = 1;
    if (c >= 0x80) {
      if (c - 0xC2 >= 0x1E || *i + 1 >= n_ || (s_[*i + 1] & 0xC0) != 0x80) return false;
      c = ((c & 0x1F) << 6) | (s_[*i + 1] & 0x3F);
      bytes = 2;
    }
    const TextFolder::Row& row = rows_[c];
    const auto k = static_cast<WC>(row.word_class);
    if (!IsWordClass(k)) return false;
    if ((row.flags & TextFolder::kScriptLetter) != 0) {
      if (row.script != r->run_script) return false;
      ++r->run;
    }
    if ((row.flags & TextFolder::kIdentity) != 0) {
      r->o[r->p] = static_cast<char>(s_[*i]);
      if (bytes == 2) r->o[r->p + 1] = static_cast<char>(s_[*i + 1]);
      r->p += bytes;
    } else if (row.length <= 4) {
      std::memcpy(r->o + r->p, pool_ + row.offset, 4);
      r->p += row.length;
      maybe_quote_ |= (row.flags & TextFolder::kFoldQuote) != 0;
    } else {
      return false;
    }
    *i += bytes;
    r->last = k;
    return true;
  }

  // --- Per word ---

  // Ends the current word at word_end_ (the pending mid character is dropped, unless rule 7a
  // takes a quote after a Hebrew letter) and stores it.
  [[gnu::always_inline]] void FinishWord() {
    if (pending_) {
      if (last_ == WC::kHebrew && mid_cls_ == WC::kSingleQuote) {  // rule 7a
        // ICU 72 quirk mirrored from FastWords(): Extend/Format after that quote makes the
        // segment a non-word. Rare: the general path handles it.
        if (mid_extended_) hard_ = true;
        word_end_ = mid_end_;
      } else {
        pos_ = mid_pos_;
      }
      pending_ = false;
    }
    in_word_ = false;
    if (store_ && !hard_) StoreToken();
  }

  // The token of the word just finished: original offsets, folded and bare forms, stem.
  [[gnu::always_inline]] void StoreToken() {
    core::Token t;
    t.field = field_;
    if (uniform_) {
      t.begin = static_cast<uint32_t>(map_offset_ + word_begin_ + shift_);
      t.end = static_cast<uint32_t>(map_offset_ + word_end_ + shift_);
    } else {
      t.begin = offsets_.MapBegin(map_offset_ + word_begin_);
      t.end = offsets_.MapEnd(map_offset_ + word_end_);
    }
    t.folded_offset = static_cast<uint32_t>(fold_start_);
    t.folded_size = static_cast<uint32_t>(pos_ - fold_start_);
    const std::string_view folded(out_ + fold_start_, t.folded_size);
    SetBareForm(first_script_, folded, maybe_quote_, &t);
    if (kStems && first_script_ == stem_script_ && t.folded_size > 0) StoreStem(folded, &t);
    tokens_.push_back(t);
    --room_;
  }

  [[gnu::always_inline]] void StoreStem(std::string_view folded, core::Token* t) {
    const std::string_view stem = Stem(stemmer_, folded);  // a view into the stem memo
    if (stem == folded) {
      t->stem_offset = t->folded_offset;
      t->stem_size = t->folded_size;
      return;
    }
    if (limit_ - pos_ < stem.size() + kSlack) GrowTo(stem.size() + kSlack);
    t->stem_offset = static_cast<uint32_t>(pos_);
    t->stem_size = static_cast<uint32_t>(stem.size());
    std::memcpy(out_ + pos_, stem.data(), stem.size());
    pos_ += stem.size();
  }

  // --- Per line ---

  // Hands the line's script counts to the sink and trims the arena to what was written.
  [[gnu::always_inline]] void Commit(size_t* count) {
    if (sink_scripts_ != nullptr) {
      for (int k = 0; k < scripts_.used; ++k)
        sink_scripts_->Add(scripts_.script[k], scripts_.count[k]);
    }
    arena_.resize(pos_);
    *count = words_;
  }

  // Leaves the sink as it was: the general path takes the line.
  [[gnu::always_inline]] void Abandon() {
    arena_.resize(arena_start_);
    tokens_.resize(tokens_start_);
  }

  // The line and where its results go.
  // The folding table's rows (TextFolder::RowOf(cp) is rows_[cp], cp < 0x10000) and fold pool,
  // as plain pointers: read through the TextFolder, each lookup would load the table's address
  // again after every byte stored into the arena.
  const TextFolder::Row* const rows_ = &TextFolder::Default().RowOf(0);
  const char* const pool_ = TextFolder::Default().FoldPool();
  const uint8_t* const plain_ = PlainLetterTable::Get().bytes;
  const uint8_t* const s_;
  const uint32_t n_;
  const uint32_t map_offset_;  // the line's offset in the clean text
  const core::Field field_;
  const int stemmer_;
  const int stem_script_;
  ScriptHistogram* const sink_scripts_;
  std::string& arena_;
  std::vector<core::Token>& tokens_;
  const size_t arena_start_;
  const size_t tokens_start_;
  size_t room_;  // tokens that may still be stored (max_tokens): cheaper than size()
  OffsetMap::Cursor offsets_;
  int64_t shift_ = 0;  // when the whole line maps by one shift, offsets need no lookup
  bool uniform_ = false;

  // The arena: `out_` is its data, folds are written at `pos_`, `limit_` is its size.
  char* out_ = nullptr;
  size_t pos_ = 0;
  size_t limit_ = 0;
  LineScripts scripts_;
  size_t words_ = 0;
  bool hard_ = false;  // the line needs the general path
  bool after_zwj_ = false;

  // The current word.
  bool in_word_ = false;
  bool store_ = false;       // it is stored (max_tokens not reached)
  WC last_ = WC::kOther;     // class of its last word character
  uint32_t word_begin_ = 0;  // byte offsets in the line
  uint32_t word_end_ = 0;
  size_t fold_start_ = 0;  // its folded form in the arena
  int first_script_ = -1;
  // Its fold may hold an apostrophe (for its Latin bare form): a kept mid character, or a
  // character whose fold has one (kFoldQuote), not any other non-identity fold.
  bool maybe_quote_ = false;

  // The pending mid character after the word, folded speculatively.
  bool pending_ = false;
  WC mid_cls_ = WC::kOther;
  uint32_t mid_end_ = 0;
  size_t mid_pos_ = 0;  // arena position before its fold
  bool mid_extended_ = false;
  // Script letters (Hebrew points, ...) among the Extend characters after it: counted only if
  // it is kept, as the general path counts them.
  uint32_t mid_letters_ = 0;
  uint8_t mid_script_ = 0;
};

// --- The stage's path: QuickWordTokens() ---
//
// FusedLine keeps its whole state machine in one ~3,000-instruction function, and GCC spills
// the hot loops' state to the stack (bench/README.md, sessions 3, 12 and 14). The stage (no
// stems inline) first tries this smaller pass instead: the same word rules and folds, written
// for the common case only, with few values live in its loops and the rare work (a script
// change, a bare form, offsets through a non-uniform map) in out-of-line helpers. It has no
// pending-character state: a mid character (. , : ' ...) inside a word looks at the character
// after it, as FastWords() does. It gives up on the whole line -- returning false with the sink
// untouched, so that FusedLine takes the line from its start -- at anything it does not model:
// characters only ICU handles (WordClass::kHard), ZWJ, four-byte or ill-formed UTF-8, an
// Extend character after a mid character, a fold longer than 4 bytes, a fifth script in the
// line, and max_tokens reached. A unit test checks that it takes most corpus lines and that its
// results are the general path's (FusedTokenizerProperty).

// The character at q (q < e) as one to three UTF-8 bytes: returns its length and sets *cp, or
// returns 0 for what the quick path leaves to FusedLine (four-byte or ill-formed sequences, ZWJ).
[[gnu::always_inline]] inline uint32_t QuickDecode(const uint8_t* q, const uint8_t* e,
                                                   uint32_t* cp) {
  const uint32_t c = q[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c - 0xC2 < 0x1E) {
    if (e - q < 2 || (q[1] & 0xC0) != 0x80) return 0;
    *cp = ((c & 0x1F) << 6) | (q[1] & 0x3F);
    return 2;
  }
  if (c - 0xE0 < 0x10) {
    if (e - q < 3 || (q[1] & 0xC0) != 0x80 || (q[2] & 0xC0) != 0x80) return 0;
    const uint32_t v = ((c & 0x0F) << 12) | ((q[1] & 0x3Fu) << 6) | (q[2] & 0x3F);
    if (v < 0x800 || (v >= 0xD800 && v < 0xE000) || v == 0x200D) return 0;
    *cp = v;
    return 3;
  }
  return 0;
}

// The run's script becomes `script`: the letters counted for the old one go into `scripts`.
// Returns the new script's index there, or -1 for a fifth script (the line goes to FusedLine).
[[gnu::noinline]] int QuickSwitchScript(LineScripts* scripts, int run_index, uint32_t run,
                                        uint8_t script) {
  if (run_index >= 0) scripts->count[run_index] += run;
  for (int k = 0; k < scripts->used; ++k) {
    if (scripts->script[k] == script) return k;
  }
  if (scripts->used == LineScripts::kMax) return -1;
  scripts->script[scripts->used] = script;
  scripts->count[scripts->used] = 0;
  return scripts->used++;
}

// The bare form of an Arabic token, or of a Latin one whose fold may hold an apostrophe.
[[gnu::noinline]] void QuickBareForm(int script, const char* folded, core::Token* t) {
  SetBareForm(script, std::string_view(folded, t->folded_size), /*maybe_quote=*/true, t);
}

// Original offsets of a word through a line's map that is not one shift: begin in the low
// 32 bits, end in the high ones.
[[gnu::noinline]] uint64_t QuickMapWord(OffsetMap::Cursor* offsets, uint32_t begin, uint32_t end) {
  const uint32_t b = offsets->MapBegin(begin);
  return b | (uint64_t{offsets->MapEnd(end)} << 32);
}

// No script yet: matches no row's script, nor the plain-letter table's 0xFF.
constexpr uint8_t kNoRun = 0xFE;

// Leaves the sink as it was (the line goes to FusedLine); returns false.
[[gnu::noinline, gnu::cold]] bool QuickAbandon(const WordSink& sink, size_t arena_start,
                                               size_t tokens_start) {
  sink.arena->resize(arena_start);
  sink.tokens->resize(tokens_start);
  return false;
}

[[gnu::noinline]] bool QuickWordTokens(std::string_view line, uint32_t map_offset,
                                       const OffsetMap& map, core::Field field,
                                       const WordSink& sink, size_t* count) {
  std::vector<core::Token>& tokens = *sink.tokens;
  const size_t tokens_start = tokens.size();
  if (sink.max_tokens <= tokens_start) return false;
  const size_t room = sink.max_tokens - tokens_start;  // every word of the line is stored
  const auto* const s = reinterpret_cast<const uint8_t*>(line.data());
  const auto n = static_cast<uint32_t>(line.size());
  const uint8_t* const e = s + n;
  OffsetMap::Cursor offsets(map, map_offset);
  int64_t shift = 0;
  const bool uniform = offsets.UniformShift(map_offset, map_offset + n, &shift);
  const auto base = static_cast<uint32_t>(map_offset + shift);
  // Every character the quick path takes folds to at most twice its bytes (a one-byte
  // character to one byte, a longer one to at most 4), so this room needs no bounds checks;
  // 8 more for the eight-byte and four-byte copies.
  std::string& arena = *sink.arena;
  const size_t arena_start = arena.size();
  arena.resize(arena_start + 2 * size_t{n} + 8);
  char* const o = arena.data();
  char* d = o + arena_start;
  const TextFolder::Row* const rows = &TextFolder::Default().RowOf(0);
  const char* const pool = TextFolder::Default().FoldPool();
  const uint8_t* const plain = PlainLetterTable::Get().bytes;
  LineScripts scripts;
  int run_index = -1;           // scripts index of the run's script (-1: none yet)
  uint8_t run_script = kNoRun;  // the script of the letters counted last
  uint32_t run = 0;             // its letters not yet added to scripts
  size_t words = 0;
  const uint8_t* q = s;
  for (;;) {
    // Between words: up to the next word character.
    while (q < e && *q == ' ') ++q;
    if (q == e) break;
    if (*q - uint32_t{'a'} >= 26 && *q - uint32_t{'0'} >= 10 &&
        (q + 1 == e || plain[q[0] | (q[1] << 8)] == 0xFF)) {
      uint32_t cp = 0;
      const uint32_t len = QuickDecode(q, e, &cp);
      if (len == 0) return QuickAbandon(sink, arena_start, tokens_start);
      const auto cls = static_cast<WC>(rows[cp].word_class);
      if (!IsWordClass(cls)) {
        if (cls == WC::kHard) return QuickAbandon(sink, arena_start, tokens_start);
        q += len;  // Other, Emoji (no ZWJ before it), Extend and mid characters outside words
        continue;
      }
    }
    // A word from q.
    if (words == room) return QuickAbandon(sink, arena_start, tokens_start);
    const uint8_t* const word_begin = q;
    char* const fold_begin = d;
    int first = -1;  // script of its first script letter
    bool quote = false;
    WC last = WC::kOther;
    ++words;
    for (;;) {
      // The fast loops: eight ASCII lower-case letters or digits at a time, two-byte letters of
      // the run's script that fold to themselves.
      if (q == e) break;
      if (*q < 0x80) {
        while (e - q >= 8) {
          uint32_t digits = 0;
          const int take = simd::LowerOrDigitPrefix(q, e - q, &digits);
          if (take == 0) break;
          if (digits == 0 || take != swar::PopCount32(digits)) {  // letters
            if (run_script != USCRIPT_LATIN) break;
            if (first < 0) first = USCRIPT_LATIN;
            run += static_cast<uint32_t>(take - (digits == 0 ? 0 : swar::PopCount32(digits)));
          }
          const int width = e - q >= 16 ? 16 : 8;  // bytes read
          if (width == 16) {
            std::memcpy(d, q, 16);
          } else {
            std::memcpy(d, q, 8);
          }
          d += take;
          q += take;
          last = ((digits >> (take - 1)) & 1) != 0 ? WC::kNumeric : WC::kLetter;
          if (take < width) break;
        }
        // The line's last bytes (fewer than 8), one at a time.
        while (e - q < 8 && q < e) {
          const uint32_t c = *q;
          if (c - uint32_t{'a'} < 26) {
            if (run_script != USCRIPT_LATIN) break;
            if (first < 0) first = USCRIPT_LATIN;
            ++run;
            last = WC::kLetter;
          } else if (c - uint32_t{'0'} < 10) {
            last = WC::kNumeric;
          } else {
            break;
          }
          *d++ = static_cast<char>(c);
          ++q;
        }
      } else {
        const uint8_t* const from = q;
        const uint8_t script = run_script;
        while (q + 1 < e) {
          uint16_t pair = 0;
          std::memcpy(&pair, q, 2);
          if (plain[pair] != script) break;
          std::memcpy(d, &pair, 2);
          q += 2;
          d += 2;
        }
        if (q != from) {
          run += static_cast<uint32_t>(q - from) / 2;
          if (first < 0) first = script;
          last = script == USCRIPT_HEBREW ? WC::kHebrew : WC::kLetter;
        }
      }
      // The next character: more of the word, a mid character, or the word's end.
      if (q == e || *q == ' ') break;
      if (*q - uint32_t{'A'} < 26 && run_script == USCRIPT_LATIN) {  // a capital: folds to + 32
        *d++ = static_cast<char>(*q++ + 32);
        ++run;
        if (first < 0) first = USCRIPT_LATIN;
        last = WC::kLetter;
        continue;
      }
      uint32_t cp = 0;
      const uint32_t len = QuickDecode(q, e, &cp);
      if (len == 0) return QuickAbandon(sink, arena_start, tokens_start);
      const TextFolder::Row& row = rows[cp];
      const auto cls = static_cast<WC>(row.word_class);
      if (IsWordClass(cls) || cls == WC::kExtend) {
        if ((row.flags & TextFolder::kScriptLetter) != 0) {
          if (row.script != run_script) {
            run_index = QuickSwitchScript(&scripts, run_index, run, row.script);
            if (run_index < 0) return QuickAbandon(sink, arena_start, tokens_start);
            run_script = row.script;
            run = 0;
          }
          ++run;
          if (first < 0) first = row.script;
        }
        if ((row.flags & TextFolder::kIdentity) != 0) {
          d[0] = static_cast<char>(q[0]);
          if (len >= 2) d[1] = static_cast<char>(q[1]);
          if (len == 3) d[2] = static_cast<char>(q[2]);
          d += len;
        } else if (row.length <= 4) {
          std::memcpy(d, pool + row.offset, 4);
          d += row.length;
          quote |= (row.flags & TextFolder::kFoldQuote) != 0;
        } else {
          return QuickAbandon(sink, arena_start, tokens_start);
        }
        if (cls != WC::kExtend) last = cls;
        q += len;
        continue;
      }
      if (cls == WC::kHard) return QuickAbandon(sink, arena_start, tokens_start);
      if (!IsMidClass(cls)) break;  // Other or Emoji: ends the word
      // A mid character: it joins the word to the word character after it (rules 6/7, 7b/7c,
      // 11/12), or ends the word (kept only by rule 7a: a quote after a Hebrew letter).
      const uint8_t* const after = q + len;
      WC next = WC::kOther;
      if (after < e && *after != ' ') {
        uint32_t next_cp = 0;
        if (QuickDecode(after, e, &next_cp) == 0) {
          return QuickAbandon(sink, arena_start, tokens_start);
        }
        next = static_cast<WC>(rows[next_cp].word_class);
        if (next == WC::kExtend || next == WC::kHard) {
          return QuickAbandon(sink, arena_start, tokens_start);
        }
      }
      const bool joins = IsWordClass(next) && Joins(last, cls, next);
      if (!joins && !(last == WC::kHebrew && cls == WC::kSingleQuote)) break;
      if ((row.flags & TextFolder::kScriptLetter) != 0 || row.length > 4) {
        return QuickAbandon(sink, arena_start, tokens_start);
      }
      if ((row.flags & TextFolder::kIdentity) != 0) {
        d[0] = static_cast<char>(q[0]);
        if (len >= 2) d[1] = static_cast<char>(q[1]);
        if (len == 3) d[2] = static_cast<char>(q[2]);
        d += len;
      } else {
        std::memcpy(d, pool + row.offset, 4);
        d += row.length;
        quote |= (row.flags & TextFolder::kFoldQuote) != 0;
      }
      q = after;
      if (!joins) break;  // rule 7a: the quote ends the word
      quote = true;
    }
    // The word is [word_begin, q); its fold [fold_begin, d).
    auto b = static_cast<uint32_t>(word_begin - s);
    auto w = static_cast<uint32_t>(q - s);
    if (uniform) {
      b += base;
      w += base;
    } else {
      const uint64_t mapped = QuickMapWord(&offsets, map_offset + b, map_offset + w);
      b = static_cast<uint32_t>(mapped);
      w = static_cast<uint32_t>(mapped >> 32);
    }
    // first < 0 (no script letter) is 0xFF: core::Token::kNoScript.
    // (Braces, not emplace_back's parenthesised aggregate initialisation: clang 14, which
    // builds the fuzz targets, does not have it.)
    core::Token& t = tokens.emplace_back(core::Token{field, static_cast<uint8_t>(first), b, w,
                                                     static_cast<uint32_t>(fold_begin - o),
                                                     static_cast<uint32_t>(d - fold_begin)});
    if (first == USCRIPT_ARABIC || (first == USCRIPT_LATIN && quote)) {
      QuickBareForm(first, fold_begin, &t);
    }
  }
  if (run_index >= 0) scripts.count[run_index] += run;
  if (sink.scripts != nullptr) {
    for (int k = 0; k < scripts.used; ++k) sink.scripts->Add(scripts.script[k], scripts.count[k]);
  }
  arena.resize(static_cast<size_t>(d - o));
  *count = words;
  return true;
}

template <bool kStems>
bool FusedWordTokens(std::string_view line, uint32_t map_offset, const OffsetMap& map,
                     core::Field field, int stemmer, const WordSink& sink, size_t* count) {
  FusedLine<kStems> fused(line, map_offset, map, field, stemmer, sink);
  return fused.Run(count);
}

}  // namespace

bool internal::QuickWordTokens(std::string_view clean, size_t begin, size_t end, core::Field field,
                               const OffsetMap& map, const WordSink& sink, size_t* count) {
  return begin < end &&
         normalize::QuickWordTokens(clean.substr(begin, end - begin), static_cast<uint32_t>(begin),
                                    map, field, sink, count);
}

size_t AppendWordTokens(std::string_view clean, size_t begin, size_t end, core::Field field,
                        const OffsetMap& map, int stemmer, const WordSink& sink) {
  if (begin >= end) return 0;
  size_t count = 0;
  const std::string_view line = clean.substr(begin, end - begin);
  const auto at = static_cast<uint32_t>(begin);
  if (internal::RunOnSentencePeriod(line, 0) != std::string_view::npos) {
    return internal::AppendWordTokensGeneral(clean, begin, end, field, map, stemmer, sink);
  }
  if (stemmer < 0 && QuickWordTokens(line, at, map, field, sink, &count)) return count;
  if (stemmer >= 0 ? FusedWordTokens<true>(line, at, map, field, stemmer, sink, &count)
                   : FusedWordTokens<false>(line, at, map, field, stemmer, sink, &count)) {
    return count;
  }
  return internal::AppendWordTokensGeneral(clean, begin, end, field, map, stemmer, sink);
}

size_t Tokenize(std::string_view text, const TokenizeOptions& options, TokenStream* out) {
  std::string clean;
  OffsetMap map;
  CleanText(text, CleanOptions{}, &clean, &map);
  const int stemmer = options.language.empty() ? -1 : StemmerFor(options.language);
  const WordSink sink{&out->arena, &out->tokens, options.max_tokens, nullptr};
  size_t count = 0;
  size_t pos = 0;
  while (pos < clean.size()) {
    size_t eol = clean.find('\n', pos);
    if (eol == std::string::npos) eol = clean.size();
    count += AppendWordTokens(clean, pos, eol, options.field, map, stemmer, sink);
    pos = eol + 1;
  }
  return count;
}

}  // namespace newsflow::normalize
