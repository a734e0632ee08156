// TermIndex: the `terms` of every alert rule, compiled so that one pass over an article's tokens
// tells which rules have a term in it (instead of one pass over the tokens per term and rule).
//
// The match is the one alert_rules.h documents: a term t (folded) is in the article when a
// token's folded form starts with t and is at most 3 bytes longer ("ceasefire" finds
// "ceasefires"), or a token's Snowball stem equals t.
//
// How: one or two bit tests per token reject almost every token. A term of 8 bytes or more
// shares its first 8 bytes with every form it matches, a term of 4-7 bytes its first 4, so two
// 65,536-bit filters hold those prefixes (hashed): a folded form of n bytes is tested on its
// first 8 bytes when n >= 8 (a term of 8+ bytes may match) and on its first 4 when 4 <= n <= 10
// (a term of 4-7 bytes may: n is at most 3 bytes longer). Until 2026-12-06 one filter held the
// first 4 bytes of every term: every form that shares a long term's first 4 bytes passed it,
// which in Arabic and Russian is two letters ("ال" of "الهدنة", "на" of "наступление") and
// in English many words ("coll" of "collapse": "college", "colleague"). Terms shorter than 4
// bytes (rare) are looked up only for forms of at most 6 bytes whose first byte starts such a
// term. A token that passes is looked up by its prefixes of the possible term lengths (at most
// 4, only lengths some term has), each first tested on a filter of whole terms (size, first and
// last 4 bytes), then in a hash map term -> rules. A stem is a candidate when the bit of its
// core::FormHash (the normalizer's, from doc.token_hashes) is set in a filter of the terms'
// FormHash values, and is then looked up as a whole form. Cost per article: about 28
// instructions per token (measured by callgrind on the dev corpus, 2026-12-06) plus the rare
// lookups, whatever the number of rules and terms.
//
// Threading: immutable after Build(); Find() is const and thread-safe (the caller owns the
// result vector).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "processors/core/document.h"
#include "processors/core/form_hash.h"

namespace newsflow::alert {

class TermIndex {
 public:
  // Adds the folded `term` of rule number `rule` (rules numbered from 0).
  void Add(uint32_t rule, const std::string& term);

  bool empty() const { return terms_.empty(); }

  // hit->at(r) = 1 for every rule r with a term in `doc` (hit is resized to `rules` and
  // cleared first).
  void Find(const core::Document& doc, size_t rules, std::vector<uint8_t>* hit) const;

  // The same scan in steps: marks the hits of doc.tokens[*next, ...) in `hit` (sized to the
  // number of rules, zero before the first step) and stops after the first token that gives
  // rule `wanted` a hit, or at the end; *next is then where the next step starts. Steps until
  // the end mark what Find marks; a caller that needs only some rules' answers stops early (a
  // rule's term is often in the title). `wanted` >= the number of rules: to the end.
  void FindFrom(const core::Document& doc, size_t* next, size_t wanted,
                std::vector<uint8_t>* hit) const;

 private:
  // A hash of the first 4 bytes of `form` (size >= 4) into a filter's 65,536 bits.
  static uint32_t Key4(const char* form) {
    uint32_t v;
    __builtin_memcpy(&v, form, 4);
    return (v * 0x9E3779B1u) >> 16;
  }
  // A hash of the first 8 bytes of `form` (size >= 8) into a filter's 65,536 bits.
  static uint32_t Key8(const char* form) {
    uint64_t v;
    __builtin_memcpy(&v, form, 8);
    return static_cast<uint32_t>((v * 0x9E3779B97F4A7C15ull) >> 48);
  }
  // The filter bit of a form's core::FormHash.
  static uint32_t KeyHash(uint64_t form_hash) { return static_cast<uint32_t>(form_hash >> 48); }
  // A hash of the whole form (its size, first and last 4 bytes) into the 65,536 bits of
  // `whole_`: a prefix whose bit is clear is no term, without hashing it for the map. The Key4
  // filter lets through every form that shares a term's first 4 bytes: in Arabic and Russian
  // that is two letters ("ال" of "الهدنة", "на" of "наступление"), the start of many words, and
  // each such form was up to four map lookups (std::hash of the prefix, a bucket).
  static uint32_t KeyWhole(std::string_view form) {
    const size_t n = form.size();
    uint32_t a = 0, b = 0;
    if (n >= 4) {
      __builtin_memcpy(&a, form.data(), 4);
      __builtin_memcpy(&b, form.data() + n - 4, 4);
    } else {
      __builtin_memcpy(&a, form.data(), n);
    }
    return ((a * 0x9E3779B1u) ^ (b * 0x85EBCA77u) ^ (static_cast<uint32_t>(n) * 0xC2B2AE3Du)) >> 16;
  }
  static bool Test(const uint64_t* bits, uint32_t key) {
    return (bits[key >> 6] >> (key & 63)) & 1;
  }
  static void Set(std::vector<uint64_t>& bits, uint32_t key) {
    bits[key >> 6] |= uint64_t{1} << (key & 63);
  }
  bool HasLength(size_t n) const { return n < 64 && ((lengths_ >> n) & 1) != 0; }
  void Mark(std::string_view form, std::vector<uint8_t>* hit) const;
  void MarkPrefixes(std::string_view folded, std::vector<uint8_t>* hit) const;
  // FindFrom's loop, with (kKnown) or without the normalizer's hashes of the stems, and with
  // (kShort) or without terms of fewer than 4 bytes.
  template <bool kKnown, bool kShort>
  void ScanFrom(const core::Document& doc, size_t* next, size_t wanted,
                std::vector<uint8_t>* hit) const;

  std::vector<std::unique_ptr<std::string>> owned_;  // the terms (stable addresses)
  std::unordered_map<std::string_view, std::vector<uint32_t>, core::FormHasher>
      terms_;                                                        // term -> rules
  std::vector<uint64_t> filter4_ = std::vector<uint64_t>(1024, 0);   // Key4 of terms of 4-7 B
  std::vector<uint64_t> filter8_ = std::vector<uint64_t>(1024, 0);   // Key8 of terms >= 8 B
  std::vector<uint64_t> short_first_ = std::vector<uint64_t>(4, 0);  // first bytes, < 4 B
  std::vector<uint64_t> whole_ = std::vector<uint64_t>(1024, 0);     // KeyWhole of every term
  std::vector<uint64_t> hashes_ = std::vector<uint64_t>(1024, 0);    // KeyHash of every term
  uint64_t lengths_ = 0;  // bit n: some term has n bytes (n < 64)
  size_t max_size_ = 0;   // longest term
};

}  // namespace newsflow::alert
