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

constexpr size_t kPrefixFilterBits = 1 << 16;
// Buckets of Matcher::prefix_length_masks_ (the low bits of PrefixFilterBit): 32 KiB of masks.
constexpr size_t kPrefixBuckets = 1 << 12;

size_t PrefixFilterBit(std::string_view form) {
  const auto* b = reinterpret_cast<const unsigned char*>(form.data());
  return ((size_t{b[0]} * 0x9E3779B1u) ^ (size_t{b[1]} * 0x85EBCA77u) ^
          (size_t{b[2]} * 0xC2B2AE3Du)) &
         (kPrefixFilterBits - 1);
}

// The bit of (first 3 bytes, key length, the key's last byte) in
// Matcher::prefix_length_filter_, from the PrefixFilterBit of the form: a token's prefix of that
// length is probed only when its last byte is a key's too (most tokens that start like a key and
// are long enough differ from it by then).
size_t PrefixLengthBit(size_t first3_bit, size_t length, unsigned char last) {
  return (first3_bit ^ (length * 0x2545F491u) ^ (size_t{last} * 0x27D4EB2Fu)) &
         (kPrefixFilterBits - 1);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
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
  std::vector<uint32_t> prefix_lengths;
  std::vector<uint64_t> prefix_filter;
  std::vector<uint64_t> prefix_length_filter;
  std::vector<std::pair<uint32_t, uint32_t>> staged_prefix_keys;  // (bucket, length)
  bool prefix_unfiltered = false;

  std::string_view Str(uint32_t id) const {
    return std::string_view(pool).substr(pool_offsets[id], pool_offsets[id + 1] - pool_offsets[id]);
  }
  uint32_t Intern(std::string_view s);
  BuiltIndex BuildIndex(std::vector<std::pair<uint32_t, Posting>>& keys) const;
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
        std::memcmp(pool.data() + s.key_offset, form.data(), form.size()) == 0) {
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
      if (b.prefix_filter.empty()) b.prefix_filter.assign(kPrefixFilterBits / 64, 0);
      if (b.prefix_length_filter.empty()) {
        b.prefix_length_filter.assign(kPrefixFilterBits / 64, 0);
      }
      if (first.form.size() >= 3) {
        const size_t bit = PrefixFilterBit(first.form);
        b.prefix_filter[bit / 64] |= uint64_t{1} << (bit % 64);
        const size_t len_bit =
            PrefixLengthBit(bit, first.form.size(), static_cast<unsigned char>(first.form.back()));
        b.prefix_length_filter[len_bit / 64] |= uint64_t{1} << (len_bit % 64);
        b.staged_prefix_keys.push_back({static_cast<uint32_t>(bit & (kPrefixBuckets - 1)),
                                        static_cast<uint32_t>(first.form.size())});
      } else {
        b.prefix_unfiltered = true;  // a key shorter than the filter's 3 bytes
      }
      if (std::find(b.prefix_lengths.begin(), b.prefix_lengths.end(), first.form.size()) ==
          b.prefix_lengths.end()) {
        b.prefix_lengths.push_back(static_cast<uint32_t>(first.form.size()));
      }
      break;
    case TokenMode::kStem:
      b.staged[2].push_back({key.form, MakePosting(id, 0, simple, tokens)});
      break;
  }
  return id;
}

bool Matcher::MayStartPrefix(std::string_view form, size_t first3_bit) const {
  if (prefix_filter_.empty()) return false;
  if (prefix_unfiltered_) return true;
  if (form.size() < 3) return false;
  return (prefix_filter_[first3_bit / 64] >> (first3_bit % 64)) & 1;
}

void Matcher::Build() {
  // Image element types: no padding bytes, so that an image's bytes depend only on its content.
  static_assert(std::has_unique_object_representations_v<Matcher::Posting> &&
                sizeof(Matcher::Posting) == 16);
  static_assert(std::has_unique_object_representations_v<Matcher::Slot> &&
                sizeof(Matcher::Slot) == 24);
  static_assert(std::has_unique_object_representations_v<Matcher::StoredToken> &&
                sizeof(Matcher::StoredToken) == 16);
  Builder& b = *builder_;
  BuiltIndex index[3];
  for (int k = 0; k < 3; ++k) index[k] = b.BuildIndex(b.staged[k]);
  std::sort(b.prefix_lengths.begin(), b.prefix_lengths.end());
  // Per bucket of first 3 bytes, the lengths (as bits over prefix_lengths) that hold a key;
  // keys shorter than 3 bytes are in every bucket. Up to 64 distinct lengths, else every token
  // walks all lengths.
  std::vector<uint64_t> prefix_length_masks;
  std::vector<uint64_t> lengths_upto;
  uint64_t short_prefix_mask = 0;
  const auto& lengths = b.prefix_lengths;
  if (!lengths.empty() && lengths.size() <= 64) {
    auto index_of = [&](uint32_t len) {
      return std::lower_bound(lengths.begin(), lengths.end(), len) - lengths.begin();
    };
    prefix_length_masks.assign(kPrefixBuckets, 0);
    for (const auto& [bucket, len] : b.staged_prefix_keys) {
      prefix_length_masks[bucket] |= uint64_t{1} << index_of(len);
    }
    for (size_t k = 0; k < lengths.size() && lengths[k] < 3; ++k) {
      short_prefix_mask |= uint64_t{1} << k;
    }
    // lengths_upto[n]: the lengths <= n, plus the first one above n.
    lengths_upto.assign(lengths.back() + 1, 0);
    for (uint32_t n = 0; n <= lengths.back(); ++n) {
      size_t count = 0;
      while (count < lengths.size() && lengths[count] <= n) ++count;
      count = std::min(count + 1, lengths.size());
      lengths_upto[n] = count == 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
    }
  }
  // The image: the order of the entries is the format (Attach() reads them in this order).
  ImageWriter w;
  w.Scalar(pattern_count_);
  w.Bytes(b.pool);
  w.Array(b.pool_offsets);
  w.Array(b.tokens);
  w.Array(b.pattern_begin);
  for (const BuiltIndex& x : index) {
    w.Array(x.slots);
    w.Array(x.filter);
    w.Array(x.postings);
    w.Scalar(x.mask);
    w.Scalar(x.filter_mask);
  }
  w.Array(lengths);
  w.Array(b.prefix_filter);
  w.Array(b.prefix_length_filter);
  w.Array(prefix_length_masks);
  w.Scalar(short_prefix_mask);
  w.Array(lengths_upto);
  w.Scalar(b.prefix_unfiltered ? 1 : 0);
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
  for (FormIndex* x : {&exact_, &prefix_, &stem_}) {
    x->slots = r.Array<Slot>();
    x->filter = r.Array<uint64_t>();
    x->postings = r.Array<Posting>();
    x->mask = r.Scalar();
    x->filter_mask = r.Scalar();
  }
  prefix_lengths_ = r.Array<uint32_t>();
  prefix_filter_ = r.Array<uint64_t>();
  prefix_length_filter_ = r.Array<uint64_t>();
  prefix_length_masks_ = r.Array<uint64_t>();
  short_prefix_mask_ = r.Scalar();
  lengths_upto_ = r.Array<uint64_t>();
  prefix_unfiltered_ = r.Scalar() != 0;
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
  for (size_t i = 1; i < pool_offsets_.size(); ++i) {
    if (pool_offsets_[i] < pool_offsets_[i - 1]) return fail("bad string table");
  }
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
  for (size_t i = 1; i < pattern_begin_.size(); ++i) {
    const uint32_t n = pattern_begin_[i] - pattern_begin_[i - 1];
    if (pattern_begin_[i] < pattern_begin_[i - 1] || n == 0 || n > kMaxPatternTokens) {
      return fail("bad pattern table");
    }
  }
  for (const FormIndex* x : {&exact_, &prefix_, &stem_}) {
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
      // The stored length is what Verify() indexes tokens by: it must be the pattern's.
      if (p.pattern >= pattern_count_ || static_cast<uint8_t>(p.next_check) > 3 ||
          p.length != pattern_begin_[p.pattern + 1] - pattern_begin_[p.pattern]) {
        return fail("bad posting");
      }
    }
  }
  // Prefix tables: ascending lengths; filters of their fixed size or absent (together); masks
  // and length sets only name existing lengths.
  for (size_t i = 1; i < prefix_lengths_.size(); ++i) {
    if (prefix_lengths_[i] <= prefix_lengths_[i - 1]) return fail("bad prefix lengths");
  }
  const size_t filter_words = kPrefixFilterBits / 64;
  if (prefix_filter_.size() != prefix_length_filter_.size() ||
      (!prefix_filter_.empty() && prefix_filter_.size() != filter_words)) {
    return fail("bad prefix filter");
  }
  if (!prefix_length_masks_.empty()) {
    if (prefix_length_masks_.size() != kPrefixBuckets || prefix_lengths_.empty() ||
        prefix_lengths_.size() > 64 || lengths_upto_.size() != prefix_lengths_.back() + 1) {
      return fail("bad prefix masks");
    }
    const uint64_t valid =
        prefix_lengths_.size() == 64 ? ~uint64_t{0} : (uint64_t{1} << prefix_lengths_.size()) - 1;
    for (uint64_t m : prefix_length_masks_) {
      if ((m & ~valid) != 0) return fail("bad prefix masks");
    }
    for (uint64_t m : lengths_upto_) {
      if ((m & ~valid) != 0) return fail("bad prefix masks");
    }
    if ((short_prefix_mask_ & ~valid) != 0) return fail("bad prefix masks");
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
      return folded == form || (!bare.empty() && (bare == form || bare == Str(p.bare)));
    case TokenMode::kPrefix:
      return StartsWith(folded, form) || (!bare.empty() && StartsWith(bare, form));
    case TokenMode::kStem:
      return t.stem_size > 0 && Form(arena, t.stem_offset, t.stem_size) == form;
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
    //  * prefix index: a pattern has one key, and the probes of one token are distinct keys
    //    except when the bare form's prefix of a length equals the folded form's (poland's ->
    //    poland): that second probe would only repeat the first one's hits and is skipped.
    //  * stem index: one probe per token.
    size_t first_hit = hits->size();
    auto [b1, e1] = exact_.Find(folded, th.folded, pool);
    if (b1 != e1) Verify(b1, e1, false, i, in, hits, first_hit);
    if (!bare.empty()) {
      auto [b2, e2] = exact_.Find(bare, th.bare, pool);
      if (b2 != e2) Verify(b2, e2, true, i, in, hits, first_hit);
    }
    // Most lengths hold no key with the token's first 3 bytes: one bit test spares the hash
    // and the probe (keys shorter than 3 bytes are always probed).
    const size_t folded_bit = folded.size() >= 3 ? PrefixFilterBit(folded) : 0;
    const size_t bare_bit = bare.size() >= 3 ? PrefixFilterBit(bare) : 0;
    const bool folded_may = MayStartPrefix(folded, folded_bit);
    const bool bare_may = !bare.empty() && MayStartPrefix(bare, bare_bit);
    // `len` <= the form's size.
    auto length_may = [&](std::string_view form, size_t first3_bit, uint32_t len) {
      if (len < 3) return true;
      const size_t bit =
          PrefixLengthBit(first3_bit, len, static_cast<unsigned char>(form[len - 1]));
      return ((prefix_length_filter_[bit / 64] >> (bit % 64)) & 1) != 0;
    };
    if (!prefix_length_masks_.empty()) {
      // The same probes, in the same order, as the walk over every length below; only the
      // lengths that hold a key in the token's bucket are visited.
      auto mask_for = [&](std::string_view form, size_t first3_bit, bool may) -> uint64_t {
        if (!may) return 0;
        uint64_t m = short_prefix_mask_;
        if (form.size() >= 3) m |= prefix_length_masks_[first3_bit & (kPrefixBuckets - 1)];
        return m;
      };
      const uint64_t upto =
          folded.size() < lengths_upto_.size() ? lengths_upto_[folded.size()] : ~uint64_t{0};
      const uint64_t folded_mask = mask_for(folded, folded_bit, folded_may) & upto;
      const uint64_t bare_mask = mask_for(bare, bare_bit, bare_may) & upto;
      for (uint64_t m = folded_mask | bare_mask; m != 0; m &= m - 1) {
        const int k = __builtin_ctzll(m);
        const uint32_t len = prefix_lengths_[k];
        bool folded_probed = false;
        if ((folded_mask >> k & 1) != 0 && len <= folded.size() &&
            length_may(folded, folded_bit, len)) {
          folded_probed = true;
          const std::string_view key = folded.substr(0, len);
          auto [b, e] = prefix_.Find(key, HashBytes(key.data(), key.size()), pool);
          if (b != e) Verify(b, e, false, i, in, hits, hits->size());
        }
        if ((bare_mask >> k & 1) != 0 && len <= bare.size() && length_may(bare, bare_bit, len)) {
          const std::string_view key = bare.substr(0, len);
          if (folded_probed && key == folded.substr(0, len)) continue;  // the same probe
          auto [b, e] = prefix_.Find(key, HashBytes(key.data(), key.size()), pool);
          if (b != e) Verify(b, e, false, i, in, hits, hits->size());
        }
      }
    }
    // Without masks (more than 64 lengths): every length in turn. (Tested once per token here,
    // not at the top of every turn.)
    const bool walk_lengths = prefix_length_masks_.empty() && (folded_may || bare_may);
    for (uint32_t len : walk_lengths ? prefix_lengths_ : std::span<const uint32_t>()) {
      bool folded_probed = false;
      if (folded_may && len <= folded.size() && length_may(folded, folded_bit, len)) {
        folded_probed = true;
        const std::string_view key = folded.substr(0, len);
        auto [b, e] = prefix_.Find(key, HashBytes(key.data(), key.size()), pool);
        if (b != e) Verify(b, e, false, i, in, hits, hits->size());
      }
      if (bare_may && len <= bare.size() && length_may(bare, bare_bit, len) &&
          !(folded_probed && bare.substr(0, len) == folded.substr(0, len))) {
        const std::string_view key = bare.substr(0, len);
        auto [b, e] = prefix_.Find(key, HashBytes(key.data(), key.size()), pool);
        if (b != e) Verify(b, e, false, i, in, hits, hits->size());
      }
      if (len > folded.size()) break;
    }
    if (t.stem_size > 0) {
      auto [b, e] = stem_.Find(Form(arena, t.stem_offset, t.stem_size), th.stem, pool);
      if (b != e) Verify(b, e, false, i, in, hits, hits->size());
    }
  }
}

}  // namespace newsflow::tag
