#include "processors/normalize/languages.h"

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include <libstemmer.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

#include "processors/core/form_hash.h"

namespace newsflow::normalize {
namespace {

struct StemmerInfo {
  const char* language;   // ISO 639-1
  const char* algorithm;  // Snowball name
  UScriptCode script;
};

// Every Snowball algorithm in libstemmer 2.2 that has an ISO 639-1 code.
constexpr std::array<StemmerInfo, 26> kStemmers = {{
    {"ar", "arabic", USCRIPT_ARABIC},    {"hy", "armenian", USCRIPT_ARMENIAN},
    {"eu", "basque", USCRIPT_LATIN},     {"ca", "catalan", USCRIPT_LATIN},
    {"da", "danish", USCRIPT_LATIN},     {"nl", "dutch", USCRIPT_LATIN},
    {"en", "english", USCRIPT_LATIN},    {"fi", "finnish", USCRIPT_LATIN},
    {"fr", "french", USCRIPT_LATIN},     {"de", "german", USCRIPT_LATIN},
    {"el", "greek", USCRIPT_GREEK},      {"hi", "hindi", USCRIPT_DEVANAGARI},
    {"hu", "hungarian", USCRIPT_LATIN},  {"id", "indonesian", USCRIPT_LATIN},
    {"ga", "irish", USCRIPT_LATIN},      {"it", "italian", USCRIPT_LATIN},
    {"lt", "lithuanian", USCRIPT_LATIN}, {"ne", "nepali", USCRIPT_DEVANAGARI},
    {"no", "norwegian", USCRIPT_LATIN},  {"pt", "portuguese", USCRIPT_LATIN},
    {"ro", "romanian", USCRIPT_LATIN},   {"ru", "russian", USCRIPT_CYRILLIC},
    {"es", "spanish", USCRIPT_LATIN},    {"sv", "swedish", USCRIPT_LATIN},
    {"ta", "tamil", USCRIPT_TAMIL},      {"tr", "turkish", USCRIPT_LATIN},
}};

// A per-thread memo of word -> stem: open addressing on the word's core::FormHash (the tag
// stage's matcher hashes forms with the same function, so the word's hash and the stem's, kept
// with the entry in its slot, are handed on in core::Document::token_hashes), keys and stems
// in one arena, no allocation per lookup; when it holds its capacity of words it starts over.
class StemCache {
 public:
  // Capacity: kDefaultStemMemoWords (32 K) words per language unless the stage's
  // stem_memo_words says otherwise; the table has the next power of two >= 2 x the words as
  // slots (32 K words: 64 K slots, 1.5 MiB, allocated on the language's first word). A miss is a
  // Snowball call (~0.4 us on average over the dev corpus; BM_NormalizeStageColdStems), and
  // news vocabulary has a long tail: in a simulated Zipf (s = 1) stream of 30 k distinct words,
  // a memo that starts over at 4 K entries missed 35 % of tokens, at 32 K 5 % (100 k words: 44 %
  // and 21 %; 64 K: 13 %). Until session 4 the table had 8 K slots (4 K words), kept small for
  // L2; since StemTokens() prefetches the slots, 64 K slots cost no time on the warm benchmark
  // (84.9-87.6 MiB/s for 8 K, 32 K and 64 K slots, alternating runs).
  //
  // Sets the capacity in words (at least 1). A new capacity forgets the memo's entries.
  void SetCapacity(size_t words) {
    words = std::max<size_t>(words, 1);
    if (words == max_entries_) return;
    max_entries_ = words;
    slot_count_ = std::max<size_t>(std::bit_ceil(2 * words), 64);
    mask_ = slot_count_ - 1;
    slots_.clear();
    slots_.shrink_to_fit();
    arena_.clear();
    entries_ = 0;
  }

  static constexpr uint16_t kApart = 0xFFFF;  // Slot::stem_at of a stem that is not in the word

  // The cached stem of `word` (hash `h`), or nullptr.
  const std::string_view* Find(std::string_view word, uint64_t h) const {
    if (slots_.empty()) return nullptr;
    const Slot* found = Table().Find(word.data(), word.size(), h);
    if (found == nullptr) return nullptr;
    const Slot& s = *found;
    scratch_ = s.stem_at == kApart
                   ? std::string_view(arena_.data() + s.key_offset + s.key_size, s.stem_size)
                   : Key(s).substr(s.stem_at, s.stem_size);
    return &scratch_;
  }

  // Allocates the (empty) table if it has none yet.
  void Allocate() {
    if (slots_.empty()) slots_.assign(slot_count_, Slot{});
  }

  static constexpr uint16_t kEmpty = 0xFFFF;
  struct Slot {              // 24 bytes
    uint64_t stem_hash = 0;  // the stem's FormHash (0 for an empty stem), handed on as is
    uint32_t hash = 0;       // low half of the word's FormHash
    uint32_t key_offset = 0;
    uint16_t key_size = kEmpty;
    uint16_t stem_size = 0;
    uint16_t stem_at = kApart;  // the stem is key[stem_at, stem_at + stem_size), or follows the key
  };
  static_assert(sizeof(Slot) == 24);

  // The table and the keys' bytes as plain pointers, for a loop of probes: StemTokens() keeps
  // them in registers across its tokens (the members would be read again after every store to
  // a token or hash, which may alias them), and takes a new view after an Insert().
  class View {
   public:
    // The slot holding the `n` bytes at `word` (hash `h`), or nullptr.
    const Slot* Find(const char* word, size_t n, uint64_t h) const {
      for (size_t i = h & mask_;; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.key_size == kEmpty) return nullptr;
        if (s.hash == static_cast<uint32_t>(h) && s.key_size == n &&
            core::EqualBytes(keys_ + s.key_offset, word, n)) {
          return &s;
        }
      }
    }
    // Starts loading, into the cache, the first slot a probe for hash `h` reads.
    void Prefetch(uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
    // The bytes of a slot's stem when it is not a piece of its word (stem_at == kApart).
    const char* Apart(const Slot& s) const { return keys_ + s.key_offset + s.key_size; }

   private:
    friend class StemCache;
    const Slot* slots_ = nullptr;
    size_t mask_ = 0;
    const char* keys_ = nullptr;
  };
  // A view of the table (Allocate() first); valid until the next Insert() or SetCapacity().
  View Table() const {
    View v;
    v.slots_ = slots_.data();
    v.mask_ = mask_;
    v.keys_ = arena_.data();
    return v;
  }
  // Forgets every entry (the table and arena keep their memory).
  void Clear() {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    arena_.clear();
    entries_ = 0;
  }

  // Remembers `stem` for `word` (hash `h`); `stem_hash` is the stem's FormHash (0 if empty).
  void Insert(std::string_view word, uint64_t h, std::string_view stem, uint64_t stem_hash) {
    Allocate();
    if (word.size() >= kEmpty || stem.size() >= kEmpty) return;
    if (entries_ >= max_entries_) Clear();
    size_t i = h & mask_;
    while (slots_[i].key_size != kEmpty) i = (i + 1) & mask_;
    Slot& s = slots_[i];
    s.hash = static_cast<uint32_t>(h);
    s.key_offset = static_cast<uint32_t>(arena_.size());
    s.key_size = static_cast<uint16_t>(word.size());
    arena_.append(word);
    s.stem_size = static_cast<uint16_t>(stem.size());
    const size_t at = word.find(stem);
    if (at != std::string_view::npos) {
      s.stem_at = static_cast<uint16_t>(at);
    } else {
      s.stem_at = kApart;
      arena_.append(stem);
    }
    s.stem_hash = stem_hash;
    ++entries_;
  }

 private:
  std::string_view Key(const Slot& s) const {
    return std::string_view(arena_.data() + s.key_offset, s.key_size);
  }
  std::vector<Slot> slots_;
  size_t max_entries_ = kDefaultStemMemoWords;
  size_t slot_count_ = std::bit_ceil(2 * kDefaultStemMemoWords);
  size_t mask_ = slot_count_ - 1;
  std::string arena_;
  size_t entries_ = 0;
  mutable std::string_view scratch_;
};

// One thread's stemmers and stem caches, created lazily, deleted when the thread exits.
// Snowball is the costliest step of tokenizing (its Arabic stemmer ~1 us per word); the cache
// makes a repeated word a hash lookup.
class ThreadStemmers {
 public:
  ThreadStemmers() { stemmers_.fill(nullptr); }
  ~ThreadStemmers() {
    for (sb_stemmer* s : stemmers_) {
      if (s != nullptr) sb_stemmer_delete(s);
    }
  }
  ThreadStemmers(const ThreadStemmers&) = delete;
  ThreadStemmers& operator=(const ThreadStemmers&) = delete;

  std::string_view Stem(int id, std::string_view word) {
    StemCache& cache = caches_[static_cast<size_t>(id)];
    const uint64_t h = core::FormHash(word.data(), word.size());
    if (const std::string_view* hit = cache.Find(word, h)) return *hit;
    return StemAndRemember(id, word, h);
  }

  void ClearMemos() {
    for (StemCache& cache : caches_) cache.Clear();
  }

  void StemTokens(int id, size_t from, std::string* arena, std::vector<core::Token>* tokens,
                  size_t memo_words, std::vector<core::FormHashes>* hashes) {
    StemCache& cache = caches_[static_cast<size_t>(id)];
    cache.SetCapacity(memo_words);
    const auto script = static_cast<uint8_t>(kStemmers[static_cast<size_t>(id)].script);
    // The memo's slots are mostly out of the cache by the time an article gets here (CLD2's
    // tables ran in between), and a probe that waited for each slot in turn stalled on most
    // tokens (perf: 72 % of this function's samples on the slot load; the function took 17 %
    // of the stage's time). So: first the hashes of the article's words, then the probes, each
    // starting the load of the slot kSlotAhead words ahead (the function: 12.6 %). 8 ahead was
    // too close; 32 no better than 16; also prefetching the keys (a slot read) did not help.
    constexpr size_t kSlotAhead = 16;
    // The words to look up, in a reused array written by index (no push_back per token).
    const size_t count = tokens->size();
    // The hashes handed on (written for every token from `from`, so no separate clearing pass;
    // into a scratch array when the caller wants none, so the loops test nothing for them).
    std::vector<core::FormHashes>& out = hashes != nullptr ? *hashes : scratch_hashes_;
    out.resize(count);
    core::FormHashes* const hashed = out.data();
    if (todo_.size() < count) todo_.resize(count);
    Pending* const todo = todo_.data();
    size_t m = 0;
    {
      const core::Token* const tok = tokens->data();
      const char* const text = arena->data();
      // Every token's folded form is hashed, the stemmer's script or not: the tokens of other
      // scripts and the digits (about 1 in 7 of the dev corpus') were hashed again by each
      // reader (the tag stage's matcher, the story signature) until 2026-12-06.
      for (size_t i = from; i < count; ++i) {
        const core::Token& t = tok[i];
        if (t.folded_size == 0) {
          hashed[i] = {};
          continue;
        }
        const uint64_t h = core::FormHash(text + t.folded_offset, t.folded_size);
        hashed[i] = {h, 0};
        if (t.script != script) continue;
        todo[m++] = {i, h};
      }
    }
    if (m == 0) return;
    cache.Allocate();  // Table() needs the table
    // The table's and the arena's pointers in locals, taken again after a miss (an Insert()
    // may move the memo's arena, an append the token arena).
    StemCache::View table = cache.Table();
    const char* text = arena->data();
    for (size_t k = 0; k < m && k < kSlotAhead; ++k) table.Prefetch(todo[k].hash);
    core::Token* const tok = tokens->data();
    for (size_t k = 0; k < m; ++k) {
      if (k + kSlotAhead < m) table.Prefetch(todo[k + kSlotAhead].hash);
      const size_t index = todo[k].index;
      const uint64_t h = todo[k].hash;
      core::Token& t = tok[index];
      const StemCache::Slot* s = table.Find(text + t.folded_offset, t.folded_size, h);
      if (s != nullptr) {
        hashed[index].stem = s->stem_hash;
        t.stem_size = s->stem_size;
        if (s->stem_at != StemCache::kApart) {
          t.stem_offset = t.folded_offset + s->stem_at;
        } else {
          t.stem_offset = static_cast<uint32_t>(arena->size());
          arena->append(table.Apart(*s), s->stem_size);
          text = arena->data();
        }
        continue;
      }
      const std::string_view folded(text + t.folded_offset, t.folded_size);
      uint64_t stem_hash = 0;
      const std::string_view stem = StemAndRemember(id, folded, h, &stem_hash);
      hashed[index].stem = stem_hash;
      t.stem_size = static_cast<uint32_t>(stem.size());
      const size_t at = folded.find(stem);
      if (at != std::string_view::npos) {
        t.stem_offset = t.folded_offset + static_cast<uint32_t>(at);
      } else {
        t.stem_offset = static_cast<uint32_t>(arena->size());
        arena->append(stem);  // Snowball's buffer, not the arena: no aliasing
        text = arena->data();
      }
      table = cache.Table();
    }
  }

 private:
  // Snowball's stem of `word` (hash `h`), remembered in the memo; *stem_hash = its FormHash (0
  // for an empty stem) when asked for.
  [[gnu::noinline]] std::string_view StemAndRemember(int id, std::string_view word, uint64_t h,
                                                     uint64_t* stem_hash = nullptr) {
    StemCache& cache = caches_[static_cast<size_t>(id)];
    sb_stemmer*& s = stemmers_[static_cast<size_t>(id)];
    if (s == nullptr) s = sb_stemmer_new(kStemmers[static_cast<size_t>(id)].algorithm, "UTF_8");
    if (s == nullptr) return HashOf(word, stem_hash);
    const sb_symbol* out = sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(word.data()),
                                           static_cast<int>(word.size()));
    if (out == nullptr) return HashOf(word, stem_hash);
    const std::string_view stem(reinterpret_cast<const char*>(out),
                                static_cast<size_t>(sb_stemmer_length(s)));
    const uint64_t hash = stem.empty() ? 0 : core::FormHash(stem.data(), stem.size());
    cache.Insert(word, h, stem, hash);
    if (stem_hash != nullptr) *stem_hash = hash;
    return stem;  // Snowball's buffer: valid until this stemmer's next call
  }

  // `stem`, and *stem_hash = its FormHash (0 if empty) when asked for.
  static std::string_view HashOf(std::string_view stem, uint64_t* stem_hash) {
    if (stem_hash != nullptr) {
      *stem_hash = stem.empty() ? 0 : core::FormHash(stem.data(), stem.size());
    }
    return stem;
  }

  std::array<sb_stemmer*, kStemmers.size()> stemmers_;
  std::array<StemCache, kStemmers.size()> caches_;
  struct Pending {
    size_t index;   // in tokens
    uint64_t hash;  // FormHash of its folded form
  };
  std::vector<Pending> todo_;                     // StemTokens()' words, reused
  std::vector<core::FormHashes> scratch_hashes_;  // StemTokens()' hashes when not asked for
};

std::string_view BaseLanguage(std::string_view tag) {
  const size_t cut = tag.find_first_of("-_");
  return cut == std::string_view::npos ? tag : tag.substr(0, cut);
}

// ASCII lower case (language codes are ASCII; std::tolower is a locale-aware call per byte).
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

}  // namespace

std::string ScriptCode(int script) {
  // Called per article; uscript_getShortName() searches ICU's property name tables, so each
  // script's name is looked up once.
  static const std::vector<const char*> names = [] {
    std::vector<const char*> v(static_cast<size_t>(u_getIntPropertyMaxValue(UCHAR_SCRIPT)) + 1);
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = uscript_getShortName(static_cast<UScriptCode>(i));
    }
    return v;
  }();
  if (script < 0 || static_cast<size_t>(script) >= names.size()) return {};
  const char* name = names[static_cast<size_t>(script)];
  return name == nullptr ? std::string() : std::string(name);
}

// Every stemmer's code is two lower-case ASCII letters (StemmerFor() indexes them by letter).
constexpr bool TwoLowerCaseLetters() {
  for (const StemmerInfo& s : kStemmers) {
    const std::string_view code = s.language;
    if (code.size() != 2) return false;
    for (const char c : code) {
      if (c < 'a' || c > 'z') return false;
    }
  }
  return true;
}
static_assert(TwoLowerCaseLetters());

int StemmerFor(std::string_view language) {
  // Called per article: the base code's two letters (any case) index a table of the stemmers'
  // codes, instead of comparing the code with each of them (~470 instructions per call).
  static const std::array<int8_t, 26 * 26> by_letters = [] {
    std::array<int8_t, 26 * 26> table{};
    table.fill(-1);
    for (size_t i = 0; i < kStemmers.size(); ++i) {
      const char* code = kStemmers[i].language;
      table[static_cast<size_t>((code[0] - 'a') * 26 + (code[1] - 'a'))] = static_cast<int8_t>(i);
    }
    return table;
  }();
  const std::string_view base = BaseLanguage(language);
  if (base.size() != 2) return -1;
  const auto first = static_cast<unsigned>(AsciiLower(base[0]) - 'a');
  const auto second = static_cast<unsigned>(AsciiLower(base[1]) - 'a');
  if (first >= 26 || second >= 26) return -1;
  return by_letters[first * 26 + second];
}

int StemmerScript(int stemmer) {
  if (stemmer < 0 || stemmer >= static_cast<int>(kStemmers.size())) return -1;
  return kStemmers[static_cast<size_t>(stemmer)].script;
}

namespace {
ThreadStemmers& ThisThreadStemmers() {
  thread_local ThreadStemmers stemmers;
  return stemmers;
}
}  // namespace

std::string_view Stem(int stemmer, std::string_view word) {
  if (stemmer < 0 || stemmer >= static_cast<int>(kStemmers.size())) return word;
  return ThisThreadStemmers().Stem(stemmer, word);
}

void StemTokens(int stemmer, size_t from, std::string* arena, std::vector<core::Token>* tokens,
                size_t memo_words, std::vector<core::FormHashes>* hashes) {
  if (stemmer < 0 || stemmer >= static_cast<int>(kStemmers.size())) {
    // No stemmer (a language Snowball has none for, or none detected): the folded forms'
    // hashes all the same, for the readers of core::Document::token_hashes.
    if (hashes == nullptr) return;
    const size_t count = tokens->size();
    hashes->resize(count);
    const core::Token* const tok = tokens->data();
    const char* const text = arena->data();
    core::FormHashes* const hashed = hashes->data();
    for (size_t i = from; i < count; ++i) {
      const core::Token& t = tok[i];
      hashed[i] = {t.folded_size == 0 ? 0 : core::FormHash(text + t.folded_offset, t.folded_size),
                   0};
    }
    return;
  }
  ThisThreadStemmers().StemTokens(stemmer, from, arena, tokens, memo_words, hashes);
}

void ClearStemMemos() { ThisThreadStemmers().ClearMemos(); }

std::string IsoFromCld2(std::string_view code) {
  if (code.empty() || code == "un" || code == "xxx") return {};
  std::string base = Lower(BaseLanguage(code));
  if (base == "iw") return "he";
  if (base == "in") return "id";
  if (base == "jw") return "jv";
  if (base == "mo") return "ro";
  if (base == "ji") return "yi";
  if (base.size() != 2) return {};  // CLD2 extended/3-letter codes have no ISO 639-1 code
  return base;
}

namespace {

// Is `language` (ISO 639-1) normally written in `script`? Used to vet the feed hint.
bool WrittenIn(std::string_view language, int script) {
  if (script < 0) return true;
  switch (script) {
    case USCRIPT_ARABIC:
      return language == "ar" || language == "fa" || language == "ur" || language == "ps" ||
             language == "ku" || language == "sd" || language == "ug";
    case USCRIPT_HEBREW:
      return language == "he" || language == "yi";
    case USCRIPT_CYRILLIC:
      return language == "ru" || language == "uk" || language == "be" || language == "bg" ||
             language == "sr" || language == "mk" || language == "kk" || language == "ky" ||
             language == "tg" || language == "mn";
    case USCRIPT_GREEK:
      return language == "el";
    case USCRIPT_LATIN:
      return !(language == "ar" || language == "fa" || language == "he" || language == "ru" ||
               language == "uk" || language == "el" || language == "zh" || language == "ja" ||
               language == "ko" || language == "bg");
    default:
      return true;
  }
}

}  // namespace

namespace {

// The first `max_bytes` of `text` (all when 0), cut back to a character start and, when one is
// in the second half, to a space.
std::string_view SampleOf(std::string_view text, size_t max_bytes) {
  if (max_bytes == 0 || text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80) --cut;  // char start
  const size_t space = text.rfind(' ', cut);
  if (space != std::string_view::npos && space > cut / 2) cut = space;
  return text.substr(0, cut);
}

// A first-pass answer stands when CLD2 calls it reliable and gives the top language at least
// this share of the text. 80 let a noisy Russian article (corpus text with inserted symbols)
// come out Serbian at 90 % from its first 256 bytes; at 95 the full sample decided it right.
constexpr int kFirstPassPercent = 95;

}  // namespace

core::Language DetectLanguage(std::string_view text, const DetectOptions& options) {
  core::Language result;
  result.script = ScriptCode(options.dominant_script);
  // The feed's hint as an ISO 639-1 code, read only when it is trusted or CLD2 is not sure
  // (most articles need neither: ~180 instructions saved per article).
  std::string hint;
  if (options.trust_hint) {
    hint = IsoFromCld2(BaseLanguage(options.hint));
    if (!hint.empty()) {
      result.code = hint;
      result.confidence = 1.0;
      return result;
    }
  }
  CLD2::Language language3[3];
  int percent3[3] = {0, 0, 0};
  double scores3[3] = {0, 0, 0};
  int text_bytes = 0;
  bool reliable = false;
  CLD2::Language top = CLD2::UNKNOWN_LANGUAGE;
  const bool two_pass = options.first_pass_bytes > 0 &&
                        (options.max_bytes == 0 || options.first_pass_bytes < options.max_bytes) &&
                        text.size() > options.first_pass_bytes;
  if (options.cld2_calls != nullptr) *options.cld2_calls = 0;
  for (int pass = two_pass ? 0 : 1; pass < 2; ++pass) {
    const std::string_view sample =
        SampleOf(text, pass == 0 ? options.first_pass_bytes : options.max_bytes);
    const CLD2::CLDHints no_hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING,
                                     CLD2::UNKNOWN_LANGUAGE};
    top = CLD2::ExtDetectLanguageSummary(sample.data(), static_cast<int>(sample.size()),
                                         /*is_plain_text=*/true, &no_hints,
                                         /*flags=*/0, language3, percent3, scores3,
                                         /*resultchunkvector=*/nullptr, &text_bytes, &reliable);
    if (options.cld2_calls != nullptr) ++*options.cld2_calls;
    if (reliable && percent3[0] >= kFirstPassPercent) break;
  }
  std::string code = IsoFromCld2(CLD2::LanguageCode(top));
  double confidence = percent3[0] / 100.0;
  if (!reliable) confidence *= 0.5;

  if (!reliable && !options.trust_hint) hint = IsoFromCld2(BaseLanguage(options.hint));
  if (!reliable && !hint.empty() && hint != code && WrittenIn(hint, options.dominant_script)) {
    // Tie-break: take the hint when CLD2 itself ranks it, or when CLD2 has nothing to say.
    bool ranked = false;
    for (int i = 0; i < 3; ++i) {
      if (IsoFromCld2(CLD2::LanguageCode(language3[i])) == hint) {
        ranked = true;
        confidence = percent3[i] / 100.0 * 0.5;
      }
    }
    if (ranked || code.empty()) {
      code = hint;
      if (!ranked) confidence = 0.25;
    }
  }
  if (code.empty() && text_bytes == 0) confidence = 0.0;
  result.code = code;
  result.confidence = code.empty() ? 0.0 : std::min(1.0, std::max(0.0, confidence));
  return result;
}

}  // namespace newsflow::normalize
