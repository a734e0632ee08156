#include "processors/tag/matcher.h"

#include <algorithm>

#include <xxhash.h>

namespace newsflow::tag {
namespace {

bool IsTitle(core::Field f) { return f == core::Field::kTitle; }

std::string_view Form(std::string_view arena, uint32_t offset, uint32_t size) {
  return arena.substr(offset, size);
}

constexpr size_t kPrefixFilterBits = 1 << 16;

size_t PrefixFilterBit(std::string_view form) {
  const auto* b = reinterpret_cast<const unsigned char*>(form.data());
  return ((size_t{b[0]} * 0x9E3779B1u) ^ (size_t{b[1]} * 0x85EBCA77u) ^
          (size_t{b[2]} * 0xC2B2AE3Du)) &
         (kPrefixFilterBits - 1);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void Matcher::FormIndex::Add(std::string_view form, Posting posting) {
  staged_.emplace_back(std::string(form), posting);
}

void Matcher::FormIndex::Build() {
  std::sort(staged_.begin(), staged_.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.pattern < b.second.pattern;
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
  keys_.clear();
  for (size_t i = 0; i < staged_.size();) {
    size_t j = i;
    while (j < staged_.size() && staged_[j].first == staged_[i].first) ++j;
    const std::string& key = staged_[i].first;
    Slot slot;
    slot.hash = XXH3_64bits(key.data(), key.size());
    const uint64_t bit = (slot.hash >> 20) & filter_mask_;
    filter_[bit / 64] |= uint64_t{1} << (bit % 64);
    slot.key_offset = static_cast<uint32_t>(keys_.size());
    slot.key_size = static_cast<uint32_t>(key.size());
    keys_ += key;
    slot.postings_begin = static_cast<uint32_t>(postings_.size());
    for (size_t k = i; k < j; ++k) {
      const Posting& p = staged_[k].second;
      if (k > i && staged_[k - 1].second.pattern == p.pattern &&
          staged_[k - 1].second.bare_key == p.bare_key) {
        continue;
      }
      postings_.push_back(p);
    }
    slot.postings_count = static_cast<uint32_t>(postings_.size()) - slot.postings_begin;
    uint64_t pos = slot.hash & mask_;
    while (slots_[pos].postings_count != 0) pos = (pos + 1) & mask_;
    slots_[pos] = slot;
    i = j;
  }
  staged_.clear();
  staged_.shrink_to_fit();
}

std::pair<const Matcher::Posting*, const Matcher::Posting*> Matcher::FormIndex::Find(
    std::string_view form) const {
  if (slots_.empty() || form.empty()) return {nullptr, nullptr};
  const uint64_t h = XXH3_64bits(form.data(), form.size());
  const uint64_t bit = (h >> 20) & filter_mask_;
  if (((filter_[bit / 64] >> (bit % 64)) & 1) == 0) return {nullptr, nullptr};
  for (uint64_t pos = h & mask_;; pos = (pos + 1) & mask_) {
    const Slot& s = slots_[pos];
    if (s.postings_count == 0) return {nullptr, nullptr};
    if (s.hash == h && s.key_size == form.size() &&
        std::string_view(keys_).substr(s.key_offset, s.key_size) == form) {
      const Posting* b = postings_.data() + s.postings_begin;
      return {b, b + s.postings_count};
    }
  }
}

size_t Matcher::FormIndex::memory_bytes() const {
  return slots_.capacity() * sizeof(Slot) + filter_.capacity() * sizeof(uint64_t) +
         postings_.capacity() * sizeof(Posting) + keys_.capacity();
}

uint32_t Matcher::Add(std::vector<PatternToken> tokens) {
  const uint32_t id = static_cast<uint32_t>(patterns_.size());
  const PatternToken& first = tokens.front();
  const uint8_t simple = tokens.size() == 1 && first.surface.empty() ? 1 : 0;
  switch (first.mode) {
    case TokenMode::kExact:
      exact_.Add(first.form, {id, 0, simple});
      if (!first.bare.empty()) exact_.Add(first.bare, {id, 1, simple});
      break;
    case TokenMode::kPrefix:
      prefix_.Add(first.form, {id, 0, simple});
      if (prefix_filter_.empty()) prefix_filter_.assign(kPrefixFilterBits / 64, 0);
      if (first.form.size() >= 3) {
        const size_t bit = PrefixFilterBit(first.form);
        prefix_filter_[bit / 64] |= uint64_t{1} << (bit % 64);
      } else {
        prefix_unfiltered_ = true;  // a key shorter than the filter's 3 bytes
      }
      if (std::find(prefix_lengths_.begin(), prefix_lengths_.end(), first.form.size()) ==
          prefix_lengths_.end()) {
        prefix_lengths_.push_back(static_cast<uint32_t>(first.form.size()));
      }
      break;
    case TokenMode::kStem:
      stem_.Add(first.form, {id, 0, simple});
      break;
  }
  patterns_.push_back({std::move(tokens)});
  return id;
}

bool Matcher::MayStartPrefix(std::string_view form) const {
  if (prefix_filter_.empty()) return false;
  if (prefix_unfiltered_) return true;
  if (form.size() < 3) return false;
  const size_t bit = PrefixFilterBit(form);
  return (prefix_filter_[bit / 64] >> (bit % 64)) & 1;
}

void Matcher::Build() {
  exact_.Build();
  prefix_.Build();
  stem_.Build();
  std::sort(prefix_lengths_.begin(), prefix_lengths_.end());
}

size_t Matcher::memory_bytes() const {
  size_t n = exact_.memory_bytes() + prefix_.memory_bytes() + stem_.memory_bytes();
  for (const auto& p : patterns_) {
    n += sizeof(StoredPattern);
    for (const auto& t : p.tokens)
      n += sizeof(PatternToken) + t.form.capacity() + t.bare.capacity();
  }
  return n;
}

bool Matcher::TokenMatches(const PatternToken& p, const core::Token& t, const Input& in) const {
  if (!p.surface.empty()) {
    const std::string_view text = t.field == core::Field::kTitle ? in.source.title : in.source.body;
    if (t.end > text.size() || text.substr(t.begin, t.end - t.begin) != p.surface) return false;
  }
  const std::string_view arena = in.arena;
  const std::string_view folded = Form(arena, t.folded_offset, t.folded_size);
  const std::string_view bare = Form(arena, t.bare_offset, t.bare_size);
  switch (p.mode) {
    case TokenMode::kExact:
      return folded == p.form || (!bare.empty() && (bare == p.form || bare == p.bare));
    case TokenMode::kPrefix:
      return StartsWith(folded, p.form) || (!bare.empty() && StartsWith(bare, p.form));
    case TokenMode::kStem:
      return t.stem_size > 0 && Form(arena, t.stem_offset, t.stem_size) == p.form;
  }
  return false;
}

void Matcher::Verify(const Posting* begin, const Posting* end, bool from_bare, size_t i,
                     const Input& in, std::vector<core::PatternHit>* hits, size_t first_hit) const {
  const auto& tokens = in.tokens;
  for (const Posting* p = begin; p != end; ++p) {
    // A key that is the pattern's bare form only matches an article token's bare form.
    if (p->bare_key != 0 && !from_bare) continue;
    size_t n = 1;
    if (p->simple == 0) {  // the key matched the first token; check the rest of the phrase
      const auto& pattern = patterns_[p->pattern].tokens;
      n = pattern.size();
      if (i + n > tokens.size()) continue;
      bool ok = pattern[0].surface.empty() || TokenMatches(pattern[0], tokens[i], in);
      for (size_t k = 1; k < n && ok; ++k) {
        const core::Token& t = tokens[i + k];
        ok = IsTitle(t.field) == IsTitle(tokens[i].field) && TokenMatches(pattern[k], t, in);
      }
      if (!ok) continue;
    }
    bool duplicate = false;
    for (size_t h = first_hit; h < hits->size(); ++h) {
      if ((*hits)[h].pattern == p->pattern) duplicate = true;
    }
    if (!duplicate) {
      hits->push_back({p->pattern, static_cast<uint32_t>(i), static_cast<uint32_t>(i + n)});
    }
  }
}

void Matcher::Match(const std::vector<core::Token>& tokens, std::string_view arena,
                    SourceText source, std::vector<core::PatternHit>* hits) const {
  const Input in{tokens, arena, source};
  for (size_t i = 0; i < tokens.size(); ++i) {
    const core::Token& t = tokens[i];
    const std::string_view folded = Form(arena, t.folded_offset, t.folded_size);
    const std::string_view bare = Form(arena, t.bare_offset, t.bare_size);
    const size_t first_hit = hits->size();
    auto [b1, e1] = exact_.Find(folded);
    Verify(b1, e1, false, i, in, hits, first_hit);
    if (!bare.empty()) {
      auto [b2, e2] = exact_.Find(bare);
      Verify(b2, e2, true, i, in, hits, first_hit);
    }
    const bool folded_may = MayStartPrefix(folded);
    const bool bare_may = !bare.empty() && MayStartPrefix(bare);
    for (uint32_t len : prefix_lengths_) {
      if (!folded_may && !bare_may) break;
      if (folded_may && len <= folded.size()) {
        auto [b, e] = prefix_.Find(folded.substr(0, len));
        Verify(b, e, false, i, in, hits, first_hit);
      }
      if (bare_may && len <= bare.size()) {
        auto [b, e] = prefix_.Find(bare.substr(0, len));
        Verify(b, e, false, i, in, hits, first_hit);
      }
      if (len > folded.size()) break;
    }
    if (t.stem_size > 0) {
      auto [b, e] = stem_.Find(Form(arena, t.stem_offset, t.stem_size));
      Verify(b, e, false, i, in, hits, first_hit);
    }
  }
}

}  // namespace newsflow::tag
