#include "processors/tag/matcher.h"

#include <algorithm>
#include <cstring>

namespace newsflow::tag {
namespace {

bool IsTitle(core::Field f) { return f == core::Field::kTitle; }

std::string_view Form(std::string_view arena, uint32_t offset, uint32_t size) {
  return arena.substr(offset, size);
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

// The bit of (first 3 bytes, key length) in Matcher::prefix_length_filter_, from the
// PrefixFilterBit of the form.
size_t PrefixLengthBit(size_t first3_bit, size_t length) {
  return (first3_bit ^ (length * 0x2545F491u)) & (kPrefixFilterBits - 1);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

__extension__ using U128 = unsigned __int128;

// 64x64 -> 128-bit multiply folded to 64 bits: every input bit reaches the middle output bits.
inline uint64_t MulFold(uint64_t a, uint64_t b) {
  const U128 r = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

constexpr uint64_t kSeed0 = 0x243F6A8885A308D3ull;  // digits of pi
constexpr uint64_t kSeed1 = 0x9E3779B97F4A7C15ull;  // golden ratio

inline uint64_t HashBytes(const char* p, size_t n) {
  // Words are short (a dozen bytes): two overlapping loads cover up to 16 bytes without a
  // byte loop, and two multiply-folds mix them. Far cheaper than a call to a general-purpose
  // hash, and good enough for tables whose keys are compared on a hash match anyway.
  uint64_t a = 0;
  uint64_t b = 0;
  uint64_t seed = kSeed0;
  if (n <= 16) {
    if (n >= 4) {
      const size_t mid = (n >> 3) << 2;  // 0 below 8 bytes, else 4
      a = (Load32(p) << 32) | Load32(p + mid);
      b = (Load32(p + n - 4) << 32) | Load32(p + n - 4 - mid);
    } else if (n > 0) {
      const auto* u = reinterpret_cast<const unsigned char*>(p);
      a = (uint64_t{u[0]} << 16) | (uint64_t{u[n >> 1]} << 8) | u[n - 1];
    }
  } else {
    const char* q = p;
    size_t left = n;
    while (left > 16) {
      seed = MulFold(Load64(q) ^ kSeed1, Load64(q + 8) ^ seed);
      q += 16;
      left -= 16;
    }
    a = Load64(q + left - 16);
    b = Load64(q + left - 8);
  }
  return MulFold(kSeed1 ^ n, MulFold(a ^ kSeed1, b ^ seed));
}

inline uint32_t Fingerprint(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }

}  // namespace

uint64_t Matcher::Hash(std::string_view bytes) { return HashBytes(bytes.data(), bytes.size()); }

uint32_t Matcher::Intern(std::string_view s) {
  if (s.empty()) return 0;
  if ((interned_ + 1) * 2 > intern_table_.size()) {
    std::vector<uint32_t> old = std::move(intern_table_);
    intern_table_.assign(std::max<size_t>(1024, old.size() * 2), 0);
    const size_t mask = intern_table_.size() - 1;
    for (uint32_t id : old) {
      if (id == 0) continue;
      size_t pos = Hash(Str(id)) & mask;
      while (intern_table_[pos] != 0) pos = (pos + 1) & mask;
      intern_table_[pos] = id;
    }
  }
  const size_t mask = intern_table_.size() - 1;
  size_t pos = Hash(s) & mask;
  for (; intern_table_[pos] != 0; pos = (pos + 1) & mask) {
    if (Str(intern_table_[pos]) == s) return intern_table_[pos];
  }
  const uint32_t id = static_cast<uint32_t>(pool_offsets_.size() - 1);
  pool_.append(s);
  pool_offsets_.push_back(static_cast<uint32_t>(pool_.size()));
  intern_table_[pos] = id;
  ++interned_;
  return id;
}

void Matcher::FormIndex::Build(const Matcher& m) {
  // Keys are string ids, so equal ids are equal strings; within a key, postings stay in pattern
  // order (the order hits are reported in).
  std::sort(staged_.begin(), staged_.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second.pattern != b.second.pattern) return a.second.pattern < b.second.pattern;
    return a.second.bare_key < b.second.bare_key;
  });
  size_t distinct = 0;
  for (size_t i = 0; i < staged_.size(); ++i) {
    if (i == 0 || staged_[i].first != staged_[i - 1].first) ++distinct;
  }
  size_t capacity = 16;
  while (capacity < distinct * 2) capacity *= 2;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  // About 16 bits per key: a false positive rate near 6% with one hash.
  size_t filter_bits = 1024;
  while (filter_bits < distinct * 16) filter_bits *= 2;
  filter_.assign(filter_bits / 64, 0);
  filter_mask_ = filter_bits - 1;
  postings_.clear();
  for (size_t i = 0; i < staged_.size();) {
    size_t j = i;
    while (j < staged_.size() && staged_[j].first == staged_[i].first) ++j;
    const std::string_view key = m.Str(staged_[i].first);
    Slot slot;
    slot.hash = Hash(key);
    const uint64_t bit = (slot.hash >> 20) & filter_mask_;
    filter_[bit / 64] |= uint64_t{1} << (bit % 64);
    slot.key_offset = m.pool_offsets_[staged_[i].first];
    slot.key_size = static_cast<uint32_t>(key.size());
    slot.postings_begin = static_cast<uint32_t>(postings_.size());
    for (size_t k = i; k < j; ++k) {
      // One posting per pattern: Verify() relies on it to skip the duplicate test within a
      // list. A key that is both a pattern's form and its bare form keeps the form's posting
      // (bare_key 0, sorted first), which matches from folded and bare article forms alike.
      const Posting& p = staged_[k].second;
      if (k > i && staged_[k - 1].second.pattern == p.pattern) continue;
      postings_.push_back(p);
    }
    slot.postings_count = static_cast<uint32_t>(postings_.size()) - slot.postings_begin;
    uint64_t pos = slot.hash & mask_;
    while (slots_[pos].postings_count != 0) pos = (pos + 1) & mask_;
    slots_[pos] = slot;
    i = j;
  }
  postings_.shrink_to_fit();
  staged_.clear();
  staged_.shrink_to_fit();
}

inline std::pair<const Matcher::Posting*, const Matcher::Posting*> Matcher::FormIndex::Find(
    std::string_view form, uint64_t hash, std::string_view pool) const {
  if (slots_.empty() || form.empty()) return {nullptr, nullptr};
  const uint64_t bit = (hash >> 20) & filter_mask_;
  if (((filter_[bit / 64] >> (bit % 64)) & 1) == 0) return {nullptr, nullptr};
  for (uint64_t pos = hash & mask_;; pos = (pos + 1) & mask_) {
    const Slot& s = slots_[pos];
    if (s.postings_count == 0) return {nullptr, nullptr};
    if (s.hash == hash && s.key_size == form.size() &&
        std::memcmp(pool.data() + s.key_offset, form.data(), form.size()) == 0) {
      const Posting* b = postings_.data() + s.postings_begin;
      return {b, b + s.postings_count};
    }
  }
}

size_t Matcher::FormIndex::memory_bytes() const {
  return slots_.capacity() * sizeof(Slot) + filter_.capacity() * sizeof(uint64_t) +
         postings_.capacity() * sizeof(Posting);
}

Matcher::Posting Matcher::MakePosting(uint32_t pattern, uint8_t bare_key, uint8_t simple,
                                      const std::vector<PatternToken>& tokens) const {
  Posting p{pattern, bare_key, simple, NextCheck::kNone, 0, 0, 0};
  if (tokens.size() < 2) return p;
  const PatternToken& next = tokens[1];
  switch (next.mode) {
    case TokenMode::kExact:
      p.next_check = NextCheck::kExact;
      p.next_form_fp = Fingerprint(Hash(next.form));
      if (!next.bare.empty()) {
        p.next_has_bare = 1;
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
  const uint32_t id = static_cast<uint32_t>(pattern_count());
  const PatternToken& first = tokens.front();
  const uint8_t simple = tokens.size() == 1 && first.surface.empty() ? 1 : 0;
  for (const PatternToken& t : tokens) {
    tokens_.push_back({Intern(t.form), Intern(t.bare), Intern(t.surface), t.mode});
  }
  pattern_begin_.push_back(static_cast<uint32_t>(tokens_.size()));
  const StoredToken& key = tokens_[pattern_begin_[id]];
  switch (first.mode) {
    case TokenMode::kExact:
      exact_.Add(key.form, MakePosting(id, 0, simple, tokens));
      if (key.bare != 0) exact_.Add(key.bare, MakePosting(id, 1, simple, tokens));
      break;
    case TokenMode::kPrefix:
      prefix_.Add(key.form, MakePosting(id, 0, simple, tokens));
      if (prefix_filter_.empty()) prefix_filter_.assign(kPrefixFilterBits / 64, 0);
      if (prefix_length_filter_.empty()) prefix_length_filter_.assign(kPrefixFilterBits / 64, 0);
      if (first.form.size() >= 3) {
        const size_t bit = PrefixFilterBit(first.form);
        prefix_filter_[bit / 64] |= uint64_t{1} << (bit % 64);
        const size_t len_bit = PrefixLengthBit(bit, first.form.size());
        prefix_length_filter_[len_bit / 64] |= uint64_t{1} << (len_bit % 64);
        staged_prefix_keys_.push_back({static_cast<uint32_t>(bit & (kPrefixBuckets - 1)),
                                       static_cast<uint32_t>(first.form.size())});
      } else {
        prefix_unfiltered_ = true;  // a key shorter than the filter's 3 bytes
      }
      if (std::find(prefix_lengths_.begin(), prefix_lengths_.end(), first.form.size()) ==
          prefix_lengths_.end()) {
        prefix_lengths_.push_back(static_cast<uint32_t>(first.form.size()));
      }
      break;
    case TokenMode::kStem:
      stem_.Add(key.form, MakePosting(id, 0, simple, tokens));
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
  exact_.Build(*this);
  prefix_.Build(*this);
  stem_.Build(*this);
  std::sort(prefix_lengths_.begin(), prefix_lengths_.end());
  // Per bucket of first 3 bytes, the lengths (as bits over prefix_lengths_) that hold a key;
  // keys shorter than 3 bytes are in every bucket. Up to 64 distinct lengths, else every token
  // walks all lengths.
  if (!prefix_lengths_.empty() && prefix_lengths_.size() <= 64) {
    auto index_of = [&](uint32_t len) {
      return std::lower_bound(prefix_lengths_.begin(), prefix_lengths_.end(), len) -
             prefix_lengths_.begin();
    };
    prefix_length_masks_.assign(kPrefixBuckets, 0);
    for (const auto& [bucket, len] : staged_prefix_keys_) {
      prefix_length_masks_[bucket] |= uint64_t{1} << index_of(len);
    }
    for (size_t k = 0; k < prefix_lengths_.size() && prefix_lengths_[k] < 3; ++k) {
      short_prefix_mask_ |= uint64_t{1} << k;
    }
    // lengths_upto_[n]: the lengths <= n, plus the first one above n.
    lengths_upto_.assign(prefix_lengths_.back() + 1, 0);
    for (uint32_t n = 0; n <= prefix_lengths_.back(); ++n) {
      size_t count = 0;
      while (count < prefix_lengths_.size() && prefix_lengths_[count] <= n) ++count;
      count = std::min(count + 1, prefix_lengths_.size());
      lengths_upto_[n] = count == 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1;
    }
  }
  staged_prefix_keys_.clear();
  staged_prefix_keys_.shrink_to_fit();
  // Only Add() interns; the table is not needed for matching.
  intern_table_.clear();
  intern_table_.shrink_to_fit();
  pool_.shrink_to_fit();
  pool_offsets_.shrink_to_fit();
  tokens_.shrink_to_fit();
  pattern_begin_.shrink_to_fit();
}

size_t Matcher::memory_bytes() const {
  return exact_.memory_bytes() + prefix_.memory_bytes() + stem_.memory_bytes() + pool_.capacity() +
         pool_offsets_.capacity() * sizeof(uint32_t) + tokens_.capacity() * sizeof(StoredToken) +
         pattern_begin_.capacity() * sizeof(uint32_t) + intern_table_.capacity() * sizeof(uint32_t);
}

bool Matcher::TokenMatches(const StoredToken& p, const core::Token& t, const Input& in) const {
  if (p.surface != 0) {
    const std::string_view text = t.field == core::Field::kTitle ? in.source.title : in.source.body;
    if (t.end > text.size() || text.substr(t.begin, t.end - t.begin) != Str(p.surface)) {
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

// A necessary condition for TokenMatches() of the pattern's second token on token `next`.
inline bool Matcher::NextMayMatch(const Posting& p, size_t next, const Input& in) const {
  const core::Token& t = in.tokens[next];
  const TokenHashes& h = in.hashes[next];
  switch (p.next_check) {
    case NextCheck::kNone:
      return true;
    case NextCheck::kExact:
      if (Fingerprint(h.folded) == p.next_form_fp) return true;
      return t.bare_size > 0 && (Fingerprint(h.bare) == p.next_form_fp ||
                                 (p.next_has_bare != 0 && Fingerprint(h.bare) == p.next_bare_fp));
    case NextCheck::kStem:
      return t.stem_size > 0 && Fingerprint(h.stem) == p.next_form_fp;
  }
  return true;
}

void Matcher::Verify(const Posting* begin, const Posting* end, bool from_bare, size_t i,
                     const Input& in, std::vector<core::PatternHit>* hits, size_t first_hit) const {
  const auto& tokens = in.tokens;
  // A list holds each pattern once, so a hit can only repeat one of an earlier probe of the
  // same token: [first_hit, earlier_end).
  const size_t earlier_end = hits->size();
  for (const Posting* p = begin; p != end; ++p) {
    // A key that is the pattern's bare form only matches an article token's bare form.
    if (p->bare_key != 0 && !from_bare) continue;
    size_t n = 1;
    if (p->simple == 0) {  // the key matched the first token; check the rest of the phrase
      const uint32_t b = pattern_begin_[p->pattern];
      n = pattern_begin_[p->pattern + 1] - b;
      if (i + n > tokens.size()) continue;
      if (n > 1 && (IsTitle(tokens[i + 1].field) != IsTitle(tokens[i].field) ||
                    !NextMayMatch(*p, i + 1, in))) {
        continue;
      }
      const StoredToken* pattern = tokens_.data() + b;
      bool ok = pattern[0].surface == 0 || TokenMatches(pattern[0], tokens[i], in);
      for (size_t k = 1; k < n && ok; ++k) {
        const core::Token& t = tokens[i + k];
        ok = IsTitle(t.field) == IsTitle(tokens[i].field) && TokenMatches(pattern[k], t, in);
      }
      if (!ok) continue;
    }
    bool duplicate = false;
    for (size_t h = first_hit; h < earlier_end && !duplicate; ++h) {
      duplicate = (*hits)[h].pattern == p->pattern;
    }
    if (!duplicate) {
      hits->push_back({p->pattern, static_cast<uint32_t>(i), static_cast<uint32_t>(i + n)});
    }
  }
}

void Matcher::Match(const std::vector<core::Token>& tokens, std::string_view arena,
                    SourceText source, std::vector<core::PatternHit>* hits) const {
  // Every form of every token is hashed once: the hashes serve the probes of the token's own
  // forms and the fingerprint test of candidates that start one token earlier.
  thread_local std::vector<TokenHashes> hashes;
  hashes.resize(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const core::Token& t = tokens[i];
    hashes[i].folded = HashBytes(arena.data() + t.folded_offset, t.folded_size);
    hashes[i].bare = t.bare_size > 0 ? HashBytes(arena.data() + t.bare_offset, t.bare_size) : 0;
    hashes[i].stem = t.stem_size > 0 ? HashBytes(arena.data() + t.stem_offset, t.stem_size) : 0;
  }
  const Input in{tokens, hashes, arena, source};
  const std::string_view pool = pool_;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const core::Token& t = tokens[i];
    const TokenHashes& th = hashes[i];
    const std::string_view folded = Form(arena, t.folded_offset, t.folded_size);
    const std::string_view bare = Form(arena, t.bare_offset, t.bare_size);
    // A pattern is in one index (by the mode of its first token), so a hit can only repeat
    // one found through another key of the same index: Verify() compares with the hits from
    // `first_hit` on, which restarts for each index.
    size_t first_hit = hits->size();
    auto [b1, e1] = exact_.Find(folded, th.folded, pool);
    if (b1 != e1) Verify(b1, e1, false, i, in, hits, first_hit);
    if (!bare.empty()) {
      auto [b2, e2] = exact_.Find(bare, th.bare, pool);
      if (b2 != e2) Verify(b2, e2, true, i, in, hits, first_hit);
    }
    first_hit = hits->size();
    // Most lengths hold no key with the token's first 3 bytes: one bit test spares the hash
    // and the probe (keys shorter than 3 bytes are always probed).
    const size_t folded_bit = folded.size() >= 3 ? PrefixFilterBit(folded) : 0;
    const size_t bare_bit = bare.size() >= 3 ? PrefixFilterBit(bare) : 0;
    const bool folded_may = MayStartPrefix(folded, folded_bit);
    const bool bare_may = !bare.empty() && MayStartPrefix(bare, bare_bit);
    auto length_may = [&](size_t first3_bit, uint32_t len) {
      if (len < 3) return true;
      const size_t bit = PrefixLengthBit(first3_bit, len);
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
        if ((folded_mask >> k & 1) != 0 && len <= folded.size() && length_may(folded_bit, len)) {
          const std::string_view key = folded.substr(0, len);
          auto [b, e] = prefix_.Find(key, HashBytes(key.data(), key.size()), pool);
          if (b != e) Verify(b, e, false, i, in, hits, first_hit);
        }
        if ((bare_mask >> k & 1) != 0 && len <= bare.size() && length_may(bare_bit, len)) {
          const std::string_view key = bare.substr(0, len);
          auto [b, e] = prefix_.Find(key, HashBytes(key.data(), key.size()), pool);
          if (b != e) Verify(b, e, false, i, in, hits, first_hit);
        }
      }
    }
    for (uint32_t len : prefix_lengths_) {
      if (!prefix_length_masks_.empty()) break;
      if (!folded_may && !bare_may) break;
      if (folded_may && len <= folded.size() && length_may(folded_bit, len)) {
        const std::string_view key = folded.substr(0, len);
        auto [b, e] = prefix_.Find(key, HashBytes(key.data(), key.size()), pool);
        if (b != e) Verify(b, e, false, i, in, hits, first_hit);
      }
      if (bare_may && len <= bare.size() && length_may(bare_bit, len)) {
        const std::string_view key = bare.substr(0, len);
        auto [b, e] = prefix_.Find(key, HashBytes(key.data(), key.size()), pool);
        if (b != e) Verify(b, e, false, i, in, hits, first_hit);
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
