#include "processors/normalize/tokenize.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/rbbi.h>
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

// The general path: words from ForEachWord (fast path or ICU), each folded on its own.
size_t internal::AppendWordTokensGeneral(std::string_view clean, size_t begin, size_t end,
                                         core::Field field, const OffsetMap& map, int stemmer,
                                         const WordSink& sink) {
  const std::string_view line = clean.substr(begin, end - begin);
  const TextFolder& folder = TextFolder::Default();
  const int stem_script = StemmerScript(stemmer);
  size_t count = 0;
  std::string& arena = *sink.arena;
  OffsetMap::Cursor offsets(map, static_cast<uint32_t>(begin));
  ForEachWord(line, [&](uint32_t b, uint32_t e) {
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
// All state lives in locals (so in registers). Returns false, with the sink untouched, when
// the line needs ICU's iterator (the characters FastWords() gives up on) or mixes more than
// four scripts; the caller then takes the general path. A unit test compares the two paths on
// the corpus and on random text.
// kStems: stems are looked up per word (`stemmer` >= 0; Tokenize() does, the stage looks them up
// afterwards with StemTokens()); a template parameter so the stage's path has no stem tests.
template <bool kStems>
bool FusedWordTokens(std::string_view line, uint32_t map_offset, const OffsetMap& map,
                     core::Field field, int stemmer, const WordSink& sink, size_t* count) {
  constexpr size_t kSlack = 256;  // room kept past pos: a table row folds to <= 255 bytes
  const TextFolder& folder = TextFolder::Default();
  const char* const pool = folder.FoldPool();
  const uint8_t* const plain = PlainLetterTable::Get().bytes;
  const auto* const s = reinterpret_cast<const uint8_t*>(line.data());
  const auto n = static_cast<uint32_t>(line.size());
  std::string& arena = *sink.arena;
  std::vector<core::Token>& tokens = *sink.tokens;
  const size_t arena_start = arena.size();
  const size_t tokens_start = tokens.size();
  // Tokens that may still be stored (max_tokens), kept as a count: cheaper than size().
  size_t room = sink.max_tokens > tokens_start ? sink.max_tokens - tokens_start : 0;
  arena.resize(arena_start + n + kSlack);
  char* out = arena.data();
  size_t pos = arena_start;
  size_t limit = arena.size();
  const int stem_script = StemmerScript(stemmer);
  OffsetMap::Cursor offsets(map, map_offset);
  int64_t shift = 0;  // when the whole line maps by one shift, offsets need no lookup
  const bool uniform = offsets.UniformShift(map_offset, map_offset + n, &shift);
  LineScripts scripts;

  size_t words = 0;
  bool in_word = false;
  bool store = false;       // the current word is stored (max_tokens not reached)
  WC last = WC::kOther;     // class of the word's last word character
  uint32_t word_begin = 0;  // byte offsets in the line
  uint32_t word_end = 0;
  size_t fold_start = 0;  // the word's folded form in the arena
  int first_script = -1;
  bool pending = false;  // a mid character follows the word, folded speculatively
  WC mid_cls = WC::kOther;
  uint32_t mid_end = 0;
  size_t mid_pos = 0;  // arena position before the mid character's fold
  bool mid_extended = false;
  // Script letters (Hebrew points, ...) among the Extend characters after the pending mid
  // character: counted only if the mid character is kept, as the general path counts them.
  uint32_t mid_letters = 0;
  uint8_t mid_script = 0;
  bool after_zwj = false;
  bool hard = false;
  // The word's fold may hold an apostrophe (for its Latin bare form): a kept mid character,
  // or a character whose fold has one (kFoldQuote), not any other non-identity fold.
  bool maybe_quote = false;

  // Ends the current word at word_end (the pending mid character is dropped, unless rule 7a
  // takes a quote after a Hebrew letter) and stores it.
  auto finish_word = [&]() __attribute__((always_inline)) {
    if (pending) {
      if (last == WC::kHebrew && mid_cls == WC::kSingleQuote) {  // rule 7a
        // ICU 72 quirk mirrored from FastWords(): Extend/Format after that quote makes the
        // segment a non-word. Rare: the general path handles it.
        if (mid_extended) hard = true;
        word_end = mid_end;
      } else {
        pos = mid_pos;
      }
      pending = false;
    }
    in_word = false;
    if (!store || hard) return;
    core::Token t;
    t.field = field;
    if (uniform) {
      t.begin = static_cast<uint32_t>(map_offset + word_begin + shift);
      t.end = static_cast<uint32_t>(map_offset + word_end + shift);
    } else {
      t.begin = offsets.MapBegin(map_offset + word_begin);
      t.end = offsets.MapEnd(map_offset + word_end);
    }
    t.folded_offset = static_cast<uint32_t>(fold_start);
    t.folded_size = static_cast<uint32_t>(pos - fold_start);
    const std::string_view folded(out + fold_start, t.folded_size);
    SetBareForm(first_script, folded, maybe_quote, &t);
    if (kStems && first_script == stem_script && t.folded_size > 0) {
      const std::string_view stem = Stem(stemmer, folded);  // a view into the stem memo
      if (stem == folded) {
        t.stem_offset = t.folded_offset;
        t.stem_size = t.folded_size;
      } else {
        if (limit - pos < stem.size() + kSlack) {
          out = GrowArena(&arena, pos, stem.size() + kSlack);
          limit = arena.size();
        }
        t.stem_offset = static_cast<uint32_t>(pos);
        t.stem_size = static_cast<uint32_t>(stem.size());
        std::memcpy(out + pos, stem.data(), stem.size());
        pos += stem.size();
      }
    }
    tokens.push_back(t);
    --room;
  };

  assert(folder.RowOf(' ').word_class == static_cast<uint8_t>(WC::kOther));
  for (uint32_t i = 0; i < n && !hard;) {
    // Decode one character: its bytes [start, i) and its table row.
    const uint32_t start = i;
    uint32_t cp = s[i];
    if (cp == ' ') {  // the commonest separator: ends a word (dropping a pending mid character)
      if (in_word) finish_word();
      after_zwj = false;
      ++i;
      continue;
    }
    if (cp < 0x80) {
      ++i;
    } else if (cp >= 0xC2 && cp < 0xE0 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
      cp = ((cp & 0x1F) << 6) | (s[i + 1] & 0x3F);
      i += 2;
    } else {
      UChar32 c = 0;
      U8_NEXT(s, i, n, c);
      if (c < 0 || c >= 0x10000) {  // ill-formed (clean text never is) or supplementary
        hard = true;
        break;
      }
      cp = static_cast<uint32_t>(c);
    }
    const TextFolder::Row& row = folder.RowOf(cp);
    const auto cls = static_cast<WC>(row.word_class);
    static_assert(WC::kHard > WC::kEmoji && WC::kEmoji > WC::kExtend);  // the last two classes
    if (cls >= WC::kEmoji && (cls == WC::kHard || after_zwj)) {
      hard = true;
      break;
    }
    after_zwj = cp == 0x200D;

    bool fold = false;
    const bool word_char = IsWordClass(cls);
    if (word_char) {
      if (in_word && pending) {
        if (Joins(last, mid_cls, cls)) {
          pending = false;  // keep the mid character's fold
          maybe_quote = true;
          for (; mid_letters > 0; --mid_letters) {
            if (first_script < 0) first_script = mid_script;
            if (!scripts.Add(mid_script) && sink.scripts != nullptr) hard = true;
          }
          if (hard) break;
        } else {
          finish_word();
        }
      }
      if (!in_word) {
        in_word = true;
        ++words;
        store = room > 0;
        word_begin = start;
        fold_start = pos;
        first_script = -1;
        maybe_quote = false;
      }
      last = cls;
      word_end = i;
      fold = store;
    } else if (cls == WC::kExtend) {
      if (in_word) {  // extends the word character or the pending mid character before it
        if (pending) {
          mid_end = i;
          mid_extended = true;
        } else {
          word_end = i;
        }
        fold = store;
      }
    } else if (in_word && !pending && IsMidClass(cls)) {
      pending = true;
      mid_cls = cls;
      mid_end = i;
      mid_pos = pos;
      mid_extended = false;
      mid_letters = 0;
      fold = store;
    } else if (in_word) {
      finish_word();
    }
    if (!fold) continue;

    if (limit - pos < kSlack) {
      out = GrowArena(&arena, pos, kSlack);
      limit = arena.size();
    }
    if ((row.flags & TextFolder::kScriptLetter) != 0) {
      if (pending) {  // an Extend character after the mid character (see mid_letters)
        if (mid_letters != 0 && mid_script != row.script) {
          hard = true;  // marks of two scripts after one mid character: the general path
          break;
        }
        mid_script = row.script;
        ++mid_letters;
      } else {
        if (first_script < 0) first_script = row.script;
        if (!scripts.Add(row.script) && sink.scripts != nullptr) {
          hard = true;
          break;
        }
      }
    }
    const uint32_t len = i - start;
    if ((row.flags & TextFolder::kIdentity) != 0) {
      if (len == 1) {
        out[pos] = static_cast<char>(s[start]);
      } else if (len == 2) {
        std::memcpy(out + pos, s + start, 2);
      } else {
        std::memcpy(out + pos, s + start, 3);
      }
      pos += len;
    } else if (row.length <= 4) {
      std::memcpy(out + pos, pool + row.offset, 4);  // the pool is padded; slack absorbs the rest
      pos += row.length;
      maybe_quote |= (row.flags & TextFolder::kFoldQuote) != 0;
    } else {
      std::memcpy(out + pos, pool + row.offset, row.length);
      pos += row.length;
      maybe_quote |= (row.flags & TextFolder::kFoldQuote) != 0;
    }
    if (!word_char) continue;

    // The rest of the word, while its characters are letters or digits of the script counted
    // last (or of none) with a fold of at most 4 bytes: the common case, read without the
    // state machine (nothing is pending and no ZWJ precedes). Anything else goes back to the
    // loop above, which then sees that character first.
    const int run_index = scripts.last;
    const uint8_t run_script = run_index >= 0 ? scripts.script[run_index] : 0xFF;
    size_t safe = limit - kSlack;  // a character folds to at most 4 bytes here
    // The packed row of a two-byte letter of the run's script that folds to itself.
    const WC run_class = run_script == USCRIPT_HEBREW ? WC::kHebrew : WC::kLetter;
    uint32_t run = 0;
    // The loop works on copies: `pos`, `out` and `last` are shared with finish_word(), and
    // every byte stored through `o` would otherwise make the compiler reload them.
    size_t p = pos;
    char* o = out;
    WC lst = last;
    // Hands the loop's copies back (word end at i) and counts the run's letters.
    auto close_run = [&]() __attribute__((always_inline)) {
      pos = p;
      last = lst;
      word_end = i;
      if (run != 0) {
        scripts.count[run_index] += run;
        if (first_script < 0) first_script = run_script;
        run = 0;
      }
    };
    while (i < n && p < safe) {
      uint32_t c = s[i];
      uint32_t bytes = 1;
      if (c == ' ') {
        // A space, and a next word that this loop would take from its first character (a
        // word character with a short fold, of the run's script or of none): end the word
        // and start the next one here, as the outer loop would, without leaving this loop.
        // Nothing is pending inside this loop, and no ZWJ precedes a space.
        const uint32_t j = i + 1;
        if (j >= n || room < 2) break;  // the word ending here takes one
        uint32_t c1 = s[j];
        if (c1 >= 0x80) {
          if (c1 - 0xC2 >= 0x1E || j + 1 >= n || (s[j + 1] & 0xC0) != 0x80) break;
          c1 = ((c1 & 0x1F) << 6) | (s[j + 1] & 0x3F);
        }
        const TextFolder::Row& r1 = folder.RowOf(c1);
        if (!IsWordClass(static_cast<WC>(r1.word_class)) ||
            ((r1.flags & TextFolder::kScriptLetter) != 0 && r1.script != run_script) ||
            ((r1.flags & TextFolder::kIdentity) == 0 && r1.length > 4)) {
          break;
        }
        close_run();
        finish_word();
        if (kStems) {  // a stem stored by finish_word() may have grown the arena
          out = o = arena.data();
          limit = arena.size();
          safe = limit - kSlack;
        }
        p = pos;
        in_word = true;
        ++words;
        store = true;
        word_begin = j;
        fold_start = pos;
        first_script = -1;
        maybe_quote = false;
        i = j;
        continue;
      }
      if (c < 0x80 && i + 8 <= n) {
        // Eight bytes at a time while they are lowercase ASCII letters or digits, which fold
        // to themselves: most of a Latin word after its first letter.
        const uint64_t v = swar::Load8(s + i);
        const uint64_t lower = BytesBetween(v, 'a' - 1, 'z' + 1);
        const uint64_t digit = BytesBetween(v, '0' - 1, '9' + 1);
        const uint64_t not_ok = ~(lower | digit) & kHighBits;
        const int take = std::countr_zero(not_ok) >> 3;  // 8 when all are
        if (take > 0) {
          const uint64_t mask = take == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * take)) - 1;
          const int letters = swar::CountHighBits(lower & mask);
          if (letters == 0 || run_script == USCRIPT_LATIN) {
            std::memcpy(o + p, s + i, 8);  // p < safe leaves room
            p += static_cast<size_t>(take);
            i += static_cast<uint32_t>(take);
            run += static_cast<uint32_t>(letters);
            lst = ((digit >> (8 * take - 1)) & 1) != 0 ? WC::kNumeric : WC::kLetter;
            continue;
          }
        }
      }
      if (c >= 0x80) {
        // Two-byte letters of the run's script that fold to themselves (most of an Arabic,
        // Cyrillic or Hebrew word): one compare of the row's packed fields each.
        if (run_index >= 0) {
          // i and p advance together here, so one bound covers both `i + 1 < n` and `p < safe`.
          const uint8_t* src = s + i;
          const uint8_t* const src_end = s + std::min<size_t>(n - 1, i + (safe - p));
          char* dst = o + p;
          while (src < src_end) {
            uint16_t pair = 0;
            std::memcpy(&pair, src, 2);
            if (plain[pair] != run_script) break;
            std::memcpy(dst, &pair, 2);
            src += 2;
            dst += 2;
          }
          const auto took = static_cast<uint32_t>(src - (s + i));
          if (took != 0) {
            i += took;
            p += took;
            run += took / 2;
            lst = run_class;
            continue;
          }
        }
        if (c - 0xC2 >= 0x1E || i + 1 >= n || (s[i + 1] & 0xC0) != 0x80) break;
        c = ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
        bytes = 2;
      }
      const TextFolder::Row& r = folder.RowOf(c);
      const auto k = static_cast<WC>(r.word_class);
      if (!IsWordClass(k)) break;
      if ((r.flags & TextFolder::kScriptLetter) != 0) {
        if (r.script != run_script) break;
        ++run;
      }
      if ((r.flags & TextFolder::kIdentity) != 0) {
        o[p] = static_cast<char>(s[i]);
        if (bytes == 2) o[p + 1] = static_cast<char>(s[i + 1]);
        p += bytes;
      } else if (r.length <= 4) {
        std::memcpy(o + p, pool + r.offset, 4);
        p += r.length;
        maybe_quote |= (r.flags & TextFolder::kFoldQuote) != 0;
      } else {
        break;
      }
      i += bytes;
      lst = k;
    }
    close_run();
  }
  if (in_word && !hard) finish_word();
  if (hard) {
    arena.resize(arena_start);
    tokens.resize(tokens_start);
    return false;
  }
  if (sink.scripts != nullptr) {
    for (int k = 0; k < scripts.used; ++k) sink.scripts->Add(scripts.script[k], scripts.count[k]);
  }
  arena.resize(pos);
  *count = words;
  return true;
}

}  // namespace

size_t AppendWordTokens(std::string_view clean, size_t begin, size_t end, core::Field field,
                        const OffsetMap& map, int stemmer, const WordSink& sink) {
  if (begin >= end) return 0;
  size_t count = 0;
  const std::string_view line = clean.substr(begin, end - begin);
  const auto at = static_cast<uint32_t>(begin);
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
