#include "processors/tag/matcher.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "processors/core/form_hash.h"
#include "processors/tag/image.h"

namespace newsflow::tag {
namespace {

bool IsTitle(core::Field f) { return f == core::Field::kTitle; }

// A token's form in the document's arena. Not string_view::substr: its range check and clamp
// cost ~12 instructions per form, two or three forms per token in Match() (~4 K instructions per
// article in the per-line profile), and the offsets are inside the arena by construction (the
// normalize stage writes the forms there; Match()'s hash loop reads the same bytes unchecked).
std::string_view Form(std::string_view arena, uint32_t offset, uint32_t size) {
  return {arena.data() + offset, size};
}

// Byte comparisons of forms without a call to memcmp (core::EqualBytes: a few loads for the
// short forms compared here; memcmp was ~2 % of the pipeline's time in perf, most of it from
// FormIndex::Find confirming a hash match).
bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && core::EqualBytes(a.data(), b.data(), a.size());
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && core::EqualBytes(s.data(), prefix.data(), prefix.size());
}

// The hash of the index: the one the normalize stage's stem memo also uses (core/form_hash.h),
// so a token's folded-form hash can come with the document.
inline uint64_t HashBytes(const char* p, size_t n) { return core::FormHash(p, n); }

inline uint32_t Fingerprint(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }

// The UTF-8 size of the apostrophe `s` starts with, one of those folding.h folds to ' (ASCII ',
// `, U+2019 ’, U+02BC ʼ); 0 if none.
size_t ApostropheAt(std::string_view s) {
  for (std::string_view a : {"'", "`", "\u2019", "\u02BC"}) {
    if (StartsWith(s, a)) return a.size();
  }
  return 0;
}

// The surface condition of a pattern token (short upper-case acronyms): the token's original
// text is the surface, or the surface with a suffix or an elided word joined by an apostrophe,
// the same split as the token's Latin bare form (LatinApostropheBareForm: Turkish ABD'nin,
// ABD’de; French l'ONU). The case of the acronym is still compared exactly.
bool SurfaceMatches(std::string_view text, std::string_view surface) {
  if (text == surface) return true;
  if (text.size() <= surface.size()) return false;
  if (StartsWith(text, surface)) return ApostropheAt(text.substr(surface.size())) != 0;
  const std::string_view head = text.substr(0, text.size() - surface.size());
  if (text.substr(head.size()) != surface) return false;
  for (size_t n = 1; n <= 3 && n <= head.size(); ++n) {
    if (ApostropheAt(head.substr(head.size() - n)) == n) return true;
  }
  return false;
}

}  // namespace

uint64_t Matcher::Hash(std::string_view bytes) { return HashBytes(bytes.data(), bytes.size()); }

// The tables of one index as Build() computes them, before they are written to the image.
struct Matcher::BuiltIndex {
  std::vector<Slot> slots;
  std::vector<uint64_t> filter;
  std::vector<Posting> postings;
  uint64_t mask = 0;
  uint64_t filter_mask = 0;
};

struct Matcher::Builder {
  // The string pool as it grows, and Intern's open-addressing table of string ids (0 = free).
  std::string pool;
  std::vector<uint32_t> pool_offsets = {0, 0};
  std::vector<uint32_t> intern_table;
  size_t interned = 0;
  std::vector<StoredToken> tokens;
  std::vector<uint32_t> pattern_begin = {0};
  // (key string id, posting) per index, until Build().
  std::vector<std::pair<uint32_t, Posting>> staged[3];  // exact, prefix, stem

  std::string_view Str(uint32_t id) const {
    return std::string_view(pool).substr(pool_offsets[id], pool_offsets[id + 1] - pool_offsets[id]);
  }
  uint32_t Intern(std::string_view s);
  BuiltIndex BuildIndex(std::vector<std::pair<uint32_t, Posting>>& keys) const;
  // The trie of the keys of `index` (the prefix index as BuildIndex laid it out, whose postings
  // the trie's cells then point into).
  std::vector<TrieCell> BuildTrie(const BuiltIndex& index) const;
};

uint32_t Matcher::Builder::Intern(std::string_view s) {
  if (s.empty()) return 0;
  if ((interned + 1) * 2 > intern_table.size()) {
    std::vector<uint32_t> old = std::move(intern_table);
    intern_table.assign(std::max<size_t>(1024, old.size() * 2), 0);
    const size_t mask = intern_table.size() - 1;
    for (uint32_t id : old) {
      if (id == 0) continue;
      size_t pos = Hash(Str(id)) & mask;
      while (intern_table[pos] != 0) pos = (pos + 1) & mask;
      intern_table[pos] = id;
    }
  }
  const size_t mask = intern_table.size() - 1;
  size_t pos = Hash(s) & mask;
  for (; intern_table[pos] != 0; pos = (pos + 1) & mask) {
    if (Str(intern_table[pos]) == s) return intern_table[pos];
  }
  const uint32_t id = static_cast<uint32_t>(pool_offsets.size() - 1);
  pool.append(s);
  pool_offsets.push_back(static_cast<uint32_t>(pool.size()));
  intern_table[pos] = id;
  ++interned;
  return id;
}

Matcher::BuiltIndex Matcher::Builder::BuildIndex(
    std::vector<std::pair<uint32_t, Posting>>& keys) const {
  // Keys are string ids, so equal ids are equal strings; within a key, postings stay in pattern
  // order (the order hits are reported in).
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second.pattern != b.second.pattern) return a.second.pattern < b.second.pattern;
    return a.second.bare_key < b.second.bare_key;
  });
  size_t distinct = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i == 0 || keys[i].first != keys[i - 1].first) ++distinct;
  }
  BuiltIndex out;
  size_t capacity = 16;
  while (capacity < distinct * 2) capacity *= 2;
  out.slots.assign(capacity, Slot{});
  out.mask = capacity - 1;
  // About 16 bits per key: a false positive rate near 6% with one hash.
  size_t filter_bits = 1024;
  while (filter_bits < distinct * 16) filter_bits *= 2;
  out.filter.assign(filter_bits / 64, 0);
  out.filter_mask = filter_bits - 1;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i;
    while (j < keys.size() && keys[j].first == keys[i].first) ++j;
    const std::string_view key = Str(keys[i].first);
    Slot slot;
    slot.hash = Hash(key);
    const uint64_t bit = (slot.hash >> 20) & out.filter_mask;
    out.filter[bit / 64] |= uint64_t{1} << (bit % 64);
    slot.key_offset = pool_offsets[keys[i].first];
    slot.key_size = static_cast<uint32_t>(key.size());
    slot.postings_begin = static_cast<uint32_t>(out.postings.size());
    for (size_t k = i; k < j; ++k) {
      // One posting per pattern: Verify() relies on it to skip the duplicate test within a
      // list. A key that is both a pattern's form and its bare form keeps the form's posting
      // (bare_key 0, sorted first), which matches from folded and bare article forms alike.
      const Posting& p = keys[k].second;
      if (k > i && keys[k - 1].second.pattern == p.pattern) continue;
      out.postings.push_back(p);
    }
    slot.postings_count = static_cast<uint32_t>(out.postings.size()) - slot.postings_begin;
    uint64_t pos = slot.hash & out.mask;
    while (out.slots[pos].postings_count != 0) pos = (pos + 1) & out.mask;
    out.slots[pos] = slot;
    i = j;
  }
  keys.clear();
  keys.shrink_to_fit();
  return out;
}

// A double-array trie, by hand: no packaged library is used by the project for one, and the
// trie must be usable in place from the image (a mapped snapshot), which is a flat array of
// cells here. Nodes are placed depth first; a node's children take the first free cells that
// fit all of them (first fit from the lowest free cell, at most kMaxTries free cells tried,
// then past the end), so the array stays dense.
std::vector<Matcher::TrieCell> Matcher::Builder::BuildTrie(const BuiltIndex& index) const {
  struct Key {
    std::string_view bytes;
    uint32_t postings_begin;
    uint32_t postings_count;
  };
  std::vector<Key> keys;
  for (const Slot& s : index.slots) {
    // An empty key matches no token (FormIndex::Find never matched one either).
    if (s.postings_count == 0 || s.key_size == 0) continue;
    keys.push_back({std::string_view(pool).substr(s.key_offset, s.key_size), s.postings_begin,
                    s.postings_count});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.bytes < b.bytes; });
  std::vector<TrieCell> cells(256);
  cells[0].check = kFreeCell - 1;  // the root: no cell's child, but not free
  size_t first_free = 1;
  uint32_t max_base = 0;
  auto is_free = [&](size_t t) { return t >= cells.size() || cells[t].check == kFreeCell; };
  // (node, keys [lo, hi) below it, depth): every key of the range starts with the node's bytes.
  struct Work {
    uint32_t node;
    size_t lo, hi, depth;
  };
  std::vector<Work> stack = {{0, 0, keys.size(), 0}};
  std::vector<unsigned char> labels;
  std::vector<std::pair<size_t, size_t>> ranges;  // per label, its keys
  constexpr size_t kMaxTries = 512;
  while (!stack.empty()) {
    const Work w = stack.back();
    stack.pop_back();
    size_t lo = w.lo;
    if (lo < w.hi && keys[lo].bytes.size() == w.depth) {  // sorted: the node's own key first
      cells[w.node].postings_begin = keys[lo].postings_begin;
      cells[w.node].postings_count = keys[lo].postings_count;
      ++lo;
    }
    if (lo == w.hi) continue;
    labels.clear();
    ranges.clear();
    for (size_t k = lo; k < w.hi;) {
      const auto c = static_cast<unsigned char>(keys[k].bytes[w.depth]);
      size_t e = k;
      while (e < w.hi && static_cast<unsigned char>(keys[e].bytes[w.depth]) == c) ++e;
      labels.push_back(c);
      ranges.push_back({k, e});
      k = e;
    }
    // The lowest base whose cells for every label are free (base >= 1: no child in cell 0).
    size_t base = 0;
    size_t p = first_free;
    for (size_t tries = 0;; ++p) {
      if (!is_free(p) || p < labels[0] + size_t{1}) continue;
      if (++tries == kMaxTries) p = std::max(p, cells.size());
      base = p - labels[0];
      bool fits = true;
      for (size_t k = 1; k < labels.size() && fits; ++k) fits = is_free(base + labels[k]);
      if (fits) break;
    }
    if (base + 256 > cells.size()) cells.resize(base + 256);
    cells[w.node].base = static_cast<uint32_t>(base);
    max_base = std::max(max_base, static_cast<uint32_t>(base));
    for (size_t k = 0; k < labels.size(); ++k) {
      const size_t t = base + labels[k];
      cells[t].check = w.node;
      stack.push_back({static_cast<uint32_t>(t), ranges[k].first, ranges[k].second, w.depth + 1});
    }
    while (first_free < cells.size() && !is_free(first_free)) ++first_free;
  }
  cells[0].check = kFreeCell;
  // Every cell's base + 255 is a cell (free cells and leaves have base 0): the walk needs no
  // bounds test.
  cells.resize(std::max<size_t>(cells.size(), size_t{max_base} + 256));
  return cells;
}

Matcher::Matcher() : builder_(std::make_unique<Builder>()) {}
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

inline std::pair<const Matcher::Posting*, const Matcher::Posting*> Matcher::FormIndex::Find(
    std::string_view form, uint64_t hash, std::string_view pool) const {
  if (slots.empty() || form.empty()) return {nullptr, nullptr};
  const uint64_t bit = (hash >> 20) & filter_mask;
  if (((filter[bit / 64] >> (bit % 64)) & 1) == 0) return {nullptr, nullptr};
  for (uint64_t pos = hash & mask;; pos = (pos + 1) & mask) {
    const Slot& s = slots[pos];
    if (s.postings_count == 0) return {nullptr, nullptr};
    if (s.hash == hash && s.key_size == form.size() &&
        core::EqualBytes(pool.data() + s.key_offset, form.data(), form.size())) {
      const Posting* b = postings.data() + s.postings_begin;
      return {b, b + s.postings_count};
    }
  }
}

Matcher::Posting Matcher::MakePosting(uint32_t pattern, uint8_t bare_key, uint8_t simple,
                                      const std::vector<PatternToken>& tokens) {
  Posting p{pattern, bare_key, simple, NextCheck::kNone, static_cast<uint8_t>(tokens.size()), 0, 0};
  if (tokens.size() < 2) return p;
  const PatternToken& next = tokens[1];
  switch (next.mode) {
    case TokenMode::kExact:
      p.next_check = NextCheck::kExact;
      p.next_form_fp = Fingerprint(Hash(next.form));
      if (!next.bare.empty()) {
        p.next_check = NextCheck::kExactBare;
        p.next_bare_fp = Fingerprint(Hash(next.bare));
      }
      break;
    case TokenMode::kStem:
      p.next_check = NextCheck::kStem;
      p.next_form_fp = Fingerprint(Hash(next.form));
      break;
    case TokenMode::kPrefix:
      break;
  }
  return p;
}

uint32_t Matcher::Add(std::vector<PatternToken> tokens) {
  Builder& b = *builder_;  // Add() after Build() or Attach() is a programming error
  const uint32_t id = static_cast<uint32_t>(pattern_count_++);
  const PatternToken& first = tokens.front();
  const uint8_t simple = tokens.size() == 1 && first.surface.empty() ? 1 : 0;
  for (const PatternToken& t : tokens) {
    b.tokens.push_back({b.Intern(t.form), b.Intern(t.bare), b.Intern(t.surface), t.mode});
  }
  b.pattern_begin.push_back(static_cast<uint32_t>(b.tokens.size()));
  const StoredToken& key = b.tokens[b.pattern_begin[id]];
  switch (first.mode) {
    case TokenMode::kExact:
      b.staged[0].push_back({key.form, MakePosting(id, 0, simple, tokens)});
      if (key.bare != 0) b.staged[0].push_back({key.bare, MakePosting(id, 1, simple, tokens)});
      break;
    case TokenMode::kPrefix:
      b.staged[1].push_back({key.form, MakePosting(id, 0, simple, tokens)});
      break;
    case TokenMode::kStem:
      b.staged[2].push_back({key.form, MakePosting(id, 0, simple, tokens)});
      break;
  }
  return id;
}

void Matcher::Build() {
  // Image element types: no padding bytes, so that an image's bytes depend only on its content.
  static_assert(std::has_unique_object_representations_v<Matcher::Posting> &&
                sizeof(Matcher::Posting) == 16);
  static_assert(std::has_unique_object_representations_v<Matcher::Slot> &&
                sizeof(Matcher::Slot) == 24);
  static_assert(std::has_unique_object_representations_v<Matcher::StoredToken> &&
                sizeof(Matcher::StoredToken) == 16);
  static_assert(std::has_unique_object_representations_v<Matcher::TrieCell> &&
                sizeof(Matcher::TrieCell) == 16);
  Builder& b = *builder_;
  BuiltIndex index[3];
  for (int k = 0; k < 3; ++k) index[k] = b.BuildIndex(b.staged[k]);
  const std::vector<TrieCell> trie = b.BuildTrie(index[1]);
  // The image: the order of the entries is the format (Attach() reads them in this order).
  ImageWriter w;
  w.Scalar(pattern_count_);
  w.Bytes(b.pool);
  w.Array(b.pool_offsets);
  w.Array(b.tokens);
  w.Array(b.pattern_begin);
  for (const BuiltIndex* x : {&index[0], &index[2]}) {
    w.Array(x->slots);
    w.Array(x->filter);
    w.Array(x->postings);
    w.Scalar(x->mask);
    w.Scalar(x->filter_mask);
  }
  w.Array(trie);
  w.Array(index[1].postings);
  std::vector<uint64_t> image = w.Finish();
  builder_.reset();
  pattern_count_ = 0;
  owned_image_ = std::move(image);
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(owned_image_.data()),
                                         owned_image_.size() * sizeof(uint64_t));
  const Status attached = Attach(bytes, nullptr);
  // The image was just written from consistent tables: a failure is a bug in this file.
  if (!attached.ok()) std::abort();
}

Status Matcher::Attach(std::span<const std::byte> image, std::shared_ptr<const void> keep_alive) {
  auto fail = [](const std::string& what) {
    return Status(Code::kInvalidConfig, "taxonomy", "compiled matcher: " + what);
  };
  if (builder_ && (builder_->pattern_begin.size() > 1)) return fail("patterns were added");
  ImageReader r(image);
  const uint64_t patterns = r.Scalar();
  pool_ = r.Bytes();
  pool_offsets_ = r.Array<uint32_t>();
  tokens_ = r.Array<StoredToken>();
  pattern_begin_ = r.Array<uint32_t>();
  for (FormIndex* x : {&exact_, &stem_}) {
    x->slots = r.Array<Slot>();
    x->filter = r.Array<uint64_t>();
    x->postings = r.Array<Posting>();
    x->mask = r.Scalar();
    x->filter_mask = r.Scalar();
  }
  trie_ = r.Array<TrieCell>();
  prefix_postings_ = r.Array<Posting>();
  if (r.ok() && !r.AtEnd()) r.Fail("more entries than expected");
  if (!r.ok()) return fail(r.error());
  pattern_count_ = patterns;
  Status checked = CheckTables();
  if (!checked.ok()) {
    *this = Matcher();
    return checked;
  }
  builder_.reset();
  image_ = image;
  if (keep_alive) {
    owned_image_.clear();
    owned_image_.shrink_to_fit();
    keep_alive_ = std::move(keep_alive);
  }
  return Status::Ok();
}

Status Matcher::CheckTables() const {
  auto fail = [](const std::string& what) {
    return Status(Code::kInvalidConfig, "taxonomy", "compiled matcher: " + what);
  };
  // Strings: offsets ascending within the pool.
  if (pool_offsets_.size() < 2 || pool_offsets_[0] != 0) return fail("bad string table");
  // These two loops over every string and every pattern are reductions without a branch per
  // element, which the compiler vectorises (the load of a snapshot runs them).
  uint32_t descending = 0;
  for (size_t i = 1; i < pool_offsets_.size(); ++i) {
    descending |= static_cast<uint32_t>(pool_offsets_[i] < pool_offsets_[i - 1]);
  }
  if (descending != 0) return fail("bad string table");
  if (pool_offsets_.back() > pool_.size()) return fail("string table beyond the pool");
  const size_t strings = pool_offsets_.size() - 1;
  for (const StoredToken& t : tokens_) {
    if (t.form >= strings || t.bare >= strings || t.surface >= strings ||
        static_cast<uint8_t>(t.mode) > 2) {
      return fail("bad pattern token");
    }
  }
  // Patterns: 1..kMaxPatternTokens tokens each, covering the token store.
  if (pattern_begin_.size() != pattern_count_ + 1 || pattern_begin_[0] != 0 ||
      pattern_begin_.back() != tokens_.size()) {
    return fail("bad pattern table");
  }
  uint32_t bad_patterns = 0;
  for (size_t i = 1; i < pattern_begin_.size(); ++i) {
    // n - 1 wraps past the limit when n is 0 or the starts descend.
    const uint32_t n = pattern_begin_[i] - pattern_begin_[i - 1];
    bad_patterns |= static_cast<uint32_t>(n - 1 >= kMaxPatternTokens);
  }
  if (bad_patterns != 0) return fail("bad pattern table");
  auto bad_posting = [&](const Posting& p) {
    // The stored length is what Verify() indexes tokens by: it must be the pattern's.
    return p.pattern >= pattern_count_ || static_cast<uint8_t>(p.next_check) > 3 ||
           p.length != pattern_begin_[p.pattern + 1] - pattern_begin_[p.pattern];
  };
  for (const FormIndex* x : {&exact_, &stem_}) {
    // A power-of-two table with at least one free slot (probing stops there), a filter of
    // filter_mask + 1 bits, postings ranges inside the postings, keys inside the pool.
    if (x->slots.empty() || x->slots.size() != x->mask + 1 || (x->mask & (x->mask + 1)) != 0 ||
        x->filter.size() * 64 != x->filter_mask + 1 || (x->filter_mask & (x->filter_mask + 1))) {
      return fail("bad index table");
    }
    size_t free_slots = 0;
    for (const Slot& s : x->slots) {
      if (s.postings_count == 0) {
        ++free_slots;
        continue;
      }
      if (s.postings_begin > x->postings.size() ||
          s.postings_count > x->postings.size() - s.postings_begin || s.key_offset > pool_.size() ||
          s.key_size > pool_.size() - s.key_offset) {
        return fail("bad index slot");
      }
    }
    if (free_slots == 0) return fail("index table without a free slot");
    for (const Posting& p : x->postings) {
      if (bad_posting(p)) return fail("bad posting");
    }
  }
  for (const Posting& p : prefix_postings_) {
    if (bad_posting(p)) return fail("bad posting");
  }
  // The prefix trie: the root's 256 cells at least; every cell's base + 255 a cell (the walk
  // indexes by base + byte without a bounds test), postings ranges inside the postings. A
  // check that names no node only makes a walk stop or take a wrong turn (which Verify() then
  // rejects), never read outside the tables.
  if (trie_.size() < 256 || trie_.size() > kFreeCell || prefix_postings_.size() > kFreeCell) {
    return fail("bad prefix trie");
  }
  // Most cells end no key: their postings fields are not read (the load of a snapshot checks
  // every cell).
  const auto base_limit = static_cast<uint32_t>(trie_.size() - 256);
  const auto postings = static_cast<uint32_t>(prefix_postings_.size());
  for (const TrieCell& c : trie_) {
    if (c.base > base_limit) return fail("bad prefix trie");
    if (c.postings_count != 0 &&
        (c.postings_begin > postings || c.postings_count > postings - c.postings_begin)) {
      return fail("bad prefix trie");
    }
  }
  return Status::Ok();
}

size_t Matcher::memory_bytes() const {
  size_t building = 0;
  if (builder_) {
    const Builder& b = *builder_;
    building = b.pool.capacity() + b.pool_offsets.capacity() * sizeof(uint32_t) +
               b.intern_table.capacity() * sizeof(uint32_t) +
               b.tokens.capacity() * sizeof(StoredToken) +
               b.pattern_begin.capacity() * sizeof(uint32_t);
    for (const auto& s : b.staged) building += s.capacity() * sizeof(s[0]);
  }
  return image_.size() + building;
}

bool Matcher::TokenMatches(const StoredToken& p, const core::Token& t, const Input& in) const {
  if (p.surface != 0) {
    const std::string_view text = t.field == core::Field::kTitle ? in.source.title : in.source.body;
    if (t.end > text.size() ||
        !SurfaceMatches(text.substr(t.begin, t.end - t.begin), Str(p.surface))) {
      return false;
    }
  }
  const std::string_view arena = in.arena;
  const std::string_view folded = Form(arena, t.folded_offset, t.folded_size);
  const std::string_view bare = Form(arena, t.bare_offset, t.bare_size);
  const std::string_view form = Str(p.form);
  switch (p.mode) {
    case TokenMode::kExact:
      return SameBytes(folded, form) ||
             (!bare.empty() && (SameBytes(bare, form) || SameBytes(bare, Str(p.bare))));
    case TokenMode::kPrefix:
      return StartsWith(folded, form) || (!bare.empty() && StartsWith(bare, form));
    case TokenMode::kStem:
      return t.stem_size > 0 && SameBytes(Form(arena, t.stem_offset, t.stem_size), form);
  }
  return false;
}

// A necessary condition for TokenMatches() of the pattern's second token on the next token.
inline bool Matcher::NextMayMatch(const Posting& p, const NextToken& next) {
  switch (p.next_check) {
    case NextCheck::kNone:
      return true;
    case NextCheck::kExact:
      if (next.folded_fp == p.next_form_fp) return true;
      return next.has_bare && next.bare_fp == p.next_form_fp;
    case NextCheck::kExactBare:
      if (next.folded_fp == p.next_form_fp) return true;
      return next.has_bare && (next.bare_fp == p.next_form_fp || next.bare_fp == p.next_bare_fp);
    case NextCheck::kStem:
      return next.has_stem && next.stem_fp == p.next_form_fp;
  }
  return true;
}

void Matcher::Verify(const Posting* begin, const Posting* end, bool from_bare, size_t i,
                     const Input& in, std::vector<core::PatternHit>* hits, size_t first_hit) const {
  const auto& tokens = in.tokens;
  // A list holds each pattern once, so a hit can only repeat one of an earlier probe of the
  // same token, [first_hit, earlier_end): only a bare-key posting can (see Match()).
  const size_t earlier_end = hits->size();
  NextToken next;
  if (i + 1 < tokens.size()) {
    const core::Token& t = tokens[i + 1];
    const TokenHashes& h = in.hashes[i + 1];
    next.same_field = IsTitle(t.field) == IsTitle(tokens[i].field);
    next.has_bare = t.bare_size > 0;
    next.has_stem = t.stem_size > 0;
    next.folded_fp = Fingerprint(h.folded);
    next.bare_fp = Fingerprint(h.bare);
    next.stem_fp = Fingerprint(h.stem);
  }
  // Read once: `hits->push_back` could alias them as far as the compiler knows, and a list
  // has a few postings on average (hundreds per article).
  const size_t token_count = tokens.size();
  const uint32_t* const pattern_begin = pattern_begin_.data();
  const StoredToken* const stored = tokens_.data();
  for (const Posting* p = begin; p != end; ++p) {
    // A key that is the pattern's bare form only matches an article token's bare form.
    if (p->bare_key != 0 && !from_bare) continue;
    const size_t n = p->length;
    if (p->simple == 0) {  // the key matched the first token; check the rest of the phrase
      // From the posting alone first: most candidates stop here.
      if (i + n > token_count) continue;
      if (n > 1 && (!next.same_field || !NextMayMatch(*p, next))) continue;
      const StoredToken* pattern = stored + pattern_begin[p->pattern];
      bool ok = pattern[0].surface == 0 || TokenMatches(pattern[0], tokens[i], in);
      for (size_t k = 1; k < n && ok; ++k) {
        const core::Token& t = tokens[i + k];
        ok = IsTitle(t.field) == IsTitle(tokens[i].field) && TokenMatches(pattern[k], t, in);
      }
      if (!ok) continue;
    }
    bool duplicate = false;
    if (p->bare_key != 0 && first_hit < earlier_end) {
      // The folded probe found this pattern too exactly when the token's folded form is the
      // pattern's first form (its form key): the checks above are the same for both of its
      // postings. One compare instead of a walk over the earlier hits.
      const core::Token& t = tokens[i];
      duplicate = Str(stored[pattern_begin[p->pattern]].form) ==
                  Form(in.arena, t.folded_offset, t.folded_size);
    }
    if (!duplicate) {
      hits->push_back({p->pattern, static_cast<uint32_t>(i), static_cast<uint32_t>(i + n)});
    }
  }
}

void Matcher::MatchPrefixesOfTwoForms(std::string_view folded, std::string_view bare, size_t i,
                                      const Input& in, std::vector<core::PatternHit>* hits) const {
  const TrieCell* const trie = trie_.data();
  const Posting* const postings = prefix_postings_.data();
  auto verify = [&](uint32_t node) {
    const Posting* b = postings + trie[node].postings_begin;
    Verify(b, b + trie[node].postings_count, false, i, in, hits, hits->size());
  };
  const auto* f = reinterpret_cast<const unsigned char*>(folded.data());
  const auto* b = reinterpret_cast<const unsigned char*>(bare.data());
  // Most bare forms start no key: then the folded form's walk alone.
  bool bare_starts_a_key = false;
  for (uint32_t s = 0, d = 0; d < bare.size() && !bare_starts_a_key; ++d) {
    const uint32_t t = trie[s].base + b[d];
    if (trie[t].check != s) break;
    s = t;
    bare_starts_a_key = trie[t].postings_count != 0;
  }
  if (!bare_starts_a_key) {
    for (uint32_t s = 0, d = 0; d < folded.size(); ++d) {
      const uint32_t t = trie[s].base + f[d];
      if (trie[t].check != s) break;
      s = t;
      if (trie[t].postings_count != 0) verify(t);
    }
    return;
  }
  // Both forms down the trie side by side, so that the keys come by length, the folded form's
  // first at each; a node both walks reach is the same key, visited once.
  uint32_t sf = 0;
  uint32_t sb = 0;
  bool folded_on = true;
  bool bare_on = true;
  for (size_t d = 0; folded_on || bare_on; ++d) {
    if (folded_on) {
      const uint32_t t = d < folded.size() ? trie[sf].base + f[d] : 0;
      folded_on = d < folded.size() && trie[t].check == sf;
      sf = t;
    }
    if (bare_on) {
      const uint32_t t = d < bare.size() ? trie[sb].base + b[d] : 0;
      bare_on = d < bare.size() && trie[t].check == sb;
      sb = t;
    }
    if (folded_on && trie[sf].postings_count != 0) verify(sf);
    if (bare_on && trie[sb].postings_count != 0 && !(folded_on && sb == sf)) verify(sb);
  }
}

void Matcher::Match(const std::vector<core::Token>& tokens, std::string_view arena,
                    SourceText source, std::vector<core::PatternHit>* hits,
                    std::span<const core::FormHashes> known) const {
  // Every form of every token is hashed once (or comes hashed with the document: the stem
  // memo's hashes, the same function): the hashes serve the probes of the token's own forms and
  // the fingerprint test of candidates that start one token earlier.
  thread_local std::vector<TokenHashes> hashes;
  const size_t token_count = tokens.size();
  hashes.resize(token_count);
  TokenHashes* const hs = hashes.data();
  const core::FormHashes* const given = known.size() == token_count ? known.data() : nullptr;
  for (size_t i = 0; i < token_count; ++i) {
    const core::Token& t = tokens[i];
    const uint64_t given_folded = given != nullptr ? given[i].folded : 0;
    const uint64_t given_stem = given != nullptr ? given[i].stem : 0;
    hs[i].folded =
        given_folded != 0 ? given_folded : HashBytes(arena.data() + t.folded_offset, t.folded_size);
    hs[i].bare = t.bare_size > 0 ? HashBytes(arena.data() + t.bare_offset, t.bare_size) : 0;
    // Many words are their own stem (normalize then points the stem at the folded bytes).
    if (t.stem_size == 0) {
      hs[i].stem = 0;
    } else if (given_stem != 0) {
      hs[i].stem = given_stem;
    } else if (t.stem_offset == t.folded_offset && t.stem_size == t.folded_size) {
      hs[i].stem = hs[i].folded;
    } else {
      hs[i].stem = HashBytes(arena.data() + t.stem_offset, t.stem_size);
    }
  }
  const Input in{tokens, hashes, arena, source};
  const std::string_view pool = pool_;  // the image's
  const TrieCell* const trie = trie_.data();
  const Posting* const prefix_postings = prefix_postings_.data();
  for (size_t i = 0; i < token_count; ++i) {
    const core::Token& t = tokens[i];
    const TokenHashes& th = hs[i];
    const std::string_view folded = Form(arena, t.folded_offset, t.folded_size);
    const std::string_view bare = Form(arena, t.bare_offset, t.bare_size);
    // A pattern is in one index (by the mode of its first token), so a hit can only repeat
    // one found through another key of the same index, of the same token:
    //  * exact index: a pattern has its form key and, when its first token has one, its bare
    //    key. The folded probe finds form keys only (bare-key postings need an article bare
    //    form); the bare probe's key differs from the folded one (a token's bare form is a
    //    proper part of its folded form), so it can repeat only a pattern the folded probe
    //    found by its form key, through that pattern's bare-key posting: Verify() checks
    //    bare-key postings only, when the folded probe had hits (from `first_hit` on).
    //  * prefix trie: a pattern has one key, and the keys a token's two walks find are distinct
    //    except when the bare form's prefix of a length equals the folded form's (poland's ->
    //    poland): the same node, whose second visit would only repeat the first one's hits and
    //    is skipped.
    //  * stem index: one probe per token.
    size_t first_hit = hits->size();
    auto [b1, e1] = exact_.Find(folded, th.folded, pool);
    if (b1 != e1) Verify(b1, e1, false, i, in, hits, first_hit);
    if (!bare.empty()) {
      auto [b2, e2] = exact_.Find(bare, th.bare, pool);
      if (b2 != e2) Verify(b2, e2, true, i, in, hits, first_hit);
    }
    if (bare.empty() || (bare.data() == folded.data() && bare.size() <= folded.size())) {
      // One walk: a bare form that starts the folded form has the folded form's prefixes.
      uint32_t s = 0;
      for (const char* p = folded.data(); p != folded.data() + folded.size(); ++p) {
        const uint32_t node = trie[s].base + static_cast<unsigned char>(*p);
        if (trie[node].check != s) break;
        s = node;
        if (trie[node].postings_count != 0) {
          const Posting* b = prefix_postings + trie[node].postings_begin;
          Verify(b, b + trie[node].postings_count, false, i, in, hits, hits->size());
        }
      }
    } else {
      MatchPrefixesOfTwoForms(folded, bare, i, in, hits);
    }
    if (t.stem_size > 0) {
      auto [b, e] = stem_.Find(Form(arena, t.stem_offset, t.stem_size), th.stem, pool);
      if (b != e) Verify(b, e, false, i, in, hits, hits->size());
    }
  }
}

}  // namespace newsflow::tag
