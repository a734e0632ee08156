#include "processors/normalize/tokenize.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/rbbi.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <memory>
#include <vector>

#include "processors/normalize/clean.h"
#include "processors/normalize/folding.h"

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
  using WC = TextFolder::WordClass;
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
  auto is_word = [](WC c) { return c == WC::kLetter || c == WC::kHebrew || c == WC::kNumeric; };
  auto is_alpha = [](WC c) { return c == WC::kLetter || c == WC::kHebrew; };
  const size_t count = units.size();
  for (size_t i = 0; i < count;) {
    if (!is_word(units[i].cls)) {
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
      if (is_word(next)) {  // rules 5, 8, 9, 10
        last = next;
        end = units[j].end;
        ++j;
        continue;
      }
      if (j + 1 < count && is_word(units[j + 1].cls)) {
        const WC after = units[j + 1].cls;
        bool join = false;
        if (is_alpha(last) && is_alpha(after)) {
          join = next == WC::kMidLetter || next == WC::kMidNumLet || next == WC::kSingleQuote ||
                 (next == WC::kDoubleQuote && last == WC::kHebrew && after == WC::kHebrew);
        } else if (last == WC::kNumeric && after == WC::kNumeric) {
          join = next == WC::kMidNum || next == WC::kMidNumLet || next == WC::kSingleQuote;
        }
        if (join) {
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

size_t AppendWordTokens(std::string_view clean, size_t begin, size_t end, core::Field field,
                        const OffsetMap& map, int stemmer, const WordSink& sink) {
  const std::string_view line = clean.substr(begin, end - begin);
  const TextFolder& folder = TextFolder::Default();
  const int stem_script = StemmerScript(stemmer);
  size_t count = 0;
  std::string& arena = *sink.arena;
  ForEachWord(line, [&](uint32_t b, uint32_t e) {
    ++count;
    if (sink.tokens->size() >= sink.max_tokens) return;
    core::Token t;
    t.field = field;
    t.begin = map.MapBegin(static_cast<uint32_t>(begin + b));
    t.end = map.MapEnd(static_cast<uint32_t>(begin + e));
    const auto folded_offset = static_cast<uint32_t>(arena.size());
    const int script = folder.FoldNfcAppendCounting(line.substr(b, e - b), &arena, sink.scripts);
    t.folded_offset = folded_offset;
    t.folded_size = static_cast<uint32_t>(arena.size() - folded_offset);
    const std::string_view folded(arena.data() + folded_offset, t.folded_size);
    if (script == USCRIPT_ARABIC) {
      const std::string_view bare = ArabicBareForm(folded);
      if (!bare.empty()) {
        t.bare_offset = folded_offset + static_cast<uint32_t>(folded.size() - bare.size());
        t.bare_size = static_cast<uint32_t>(bare.size());
      }
    } else if (script == USCRIPT_LATIN) {
      const std::string_view bare = LatinApostropheBareForm(folded);
      if (!bare.empty()) {
        t.bare_offset = folded_offset + static_cast<uint32_t>(bare.data() - folded.data());
        t.bare_size = static_cast<uint32_t>(bare.size());
      }
    }
    if (stemmer >= 0 && script == stem_script && t.folded_size > 0) {
      const std::string_view stem = Stem(stemmer, folded);
      if (stem == folded) {
        t.stem_offset = folded_offset;
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

// Script of the first letter of a folded form (folding keeps scripts), or -1.
int FirstLetterScript(std::string_view folded) {
  const TextFolder& folder = TextFolder::Default();
  const auto* s = reinterpret_cast<const uint8_t*>(folded.data());
  const auto n = static_cast<int32_t>(folded.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c = 0;
    U8_NEXT(s, i, n, c);
    if (c < 0) continue;
    const auto cp = static_cast<uint32_t>(c);
    if ((folder.CharFlags(cp) & TextFolder::kLetter) != 0) {
      const int sc = folder.Script(cp);
      if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) return sc;
    }
  }
  return -1;
}

}  // namespace

void AppendStems(int stemmer, size_t from, std::string* arena, std::vector<core::Token>* tokens) {
  if (stemmer < 0) return;
  const int stem_script = StemmerScript(stemmer);
  for (size_t i = from; i < tokens->size(); ++i) {
    core::Token& t = (*tokens)[i];
    if (t.folded_size == 0) continue;
    const std::string_view folded(arena->data() + t.folded_offset, t.folded_size);
    if (FirstLetterScript(folded) != stem_script) continue;
    const std::string_view stem = Stem(stemmer, folded);
    if (stem == folded) {
      t.stem_offset = t.folded_offset;
      t.stem_size = t.folded_size;
    } else {
      t.stem_offset = static_cast<uint32_t>(arena->size());
      t.stem_size = static_cast<uint32_t>(stem.size());
      arena->append(stem);
    }
  }
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
