// Matcher: every pattern of a taxonomy (entity aliases, topic terms, context words,
// exclusions) compiled into one lookup structure over the token stream.
//
// A pattern is a phrase of 1..kMaxPatternTokens tokens; each pattern token is matched in one
// mode against the corresponding article token (forms from the normalize stage, tokenize.h):
//   kExact   folded form equal; for Arabic-script tokens also with clitics stripped: the
//            article token's bare form equals the pattern token's folded form (وبوتين ~ بوتين)
//            or both bare forms are equal (والبيت ~ البيت);
//   kPrefix  the article token's folded (or bare) form starts with the pattern form
//            (`перемири*` ~ перемирия);
//   kStem    the article token's Snowball stem equals the pattern token's stem.
// Only the first token of a pattern is looked up (hash of its form, or of each prefix length
// in use); the remaining tokens are verified in place. So the cost per article token is a few
// hash probes, independent of the number of patterns, plus the verification of the (few)
// candidates that share a first token.
//
// Hash tables are open-addressing over XXH3-64 of the form bytes, built once; the form bytes
// are compared on a hash match, so collisions cannot produce false matches.
//
// Thread-safety: immutable after Build(); Match() is const and allocation-free apart from
// appending to `hits`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "processors/core/document.h"

namespace newsflow::tag {

inline constexpr size_t kMaxPatternTokens = 12;

enum class TokenMode : uint8_t { kExact, kPrefix, kStem };

struct PatternToken {
  TokenMode mode = TokenMode::kExact;
  std::string form;  // folded form (exact, prefix) or stem (stem)
  std::string bare;  // Arabic bare form of `form` (exact mode), empty if none
  // Non-empty: the article token's original text must be exactly this (short upper-case
  // acronyms, so that "US" does not match "us" nor "UN" the French "un").
  std::string surface;
};

// The original texts that token offsets point into.
struct SourceText {
  std::string_view title;
  std::string_view body;
};

class Matcher {
 public:
  // Adds a pattern; returns its id (dense, from 0, in insertion order). Call before Build().
  uint32_t Add(std::vector<PatternToken> tokens);
  void Build();

  // Appends every (pattern, token span) match in `tokens` to `hits`, ordered by start token.
  // A pattern never spans the title and the body.
  void Match(const std::vector<core::Token>& tokens, std::string_view arena, SourceText source,
             std::vector<core::PatternHit>* hits) const;

  size_t pattern_count() const { return patterns_.size(); }
  size_t memory_bytes() const;

 private:
  struct Posting {
    uint32_t pattern;
    // 1: the key is the pattern token's bare form (only article bare forms match it).
    uint8_t bare_key;
    // 1: a one-token pattern without a surface condition: matching the key is matching it.
    uint8_t simple;
  };
  class FormIndex {
   public:
    void Add(std::string_view form, Posting posting);
    void Build();
    // Postings of `form` as [begin, end) into postings(), or an empty range.
    std::pair<const Posting*, const Posting*> Find(std::string_view form) const;
    size_t memory_bytes() const;
    bool empty() const { return staged_.empty() && slots_.empty(); }

   private:
    struct Slot {
      uint64_t hash = 0;
      uint32_t key_offset = 0;
      uint32_t key_size = 0;
      uint32_t postings_begin = 0;
      uint32_t postings_count = 0;  // 0 = empty slot
    };
    std::vector<std::pair<std::string, Posting>> staged_;
    std::vector<Slot> slots_;
    // One bit per hash value (modulo its size), set for every key: most article tokens are not
    // keys, and one bit test in a table that stays in cache spares them the probe of slots_.
    std::vector<uint64_t> filter_;
    uint64_t filter_mask_ = 0;
    std::vector<Posting> postings_;
    std::string keys_;
    uint64_t mask_ = 0;
  };
  struct StoredPattern {
    std::vector<PatternToken> tokens;
  };

  struct Input {
    const std::vector<core::Token>& tokens;
    std::string_view arena;
    SourceText source;
  };
  bool TokenMatches(const PatternToken& p, const core::Token& t, const Input& in) const;
  void Verify(const Posting* begin, const Posting* end, bool from_bare, size_t i, const Input& in,
              std::vector<core::PatternHit>* hits, size_t first_hit) const;

  std::vector<StoredPattern> patterns_;
  FormIndex exact_;
  FormIndex prefix_;
  FormIndex stem_;
  std::vector<uint32_t> prefix_lengths_;  // distinct prefix byte lengths in use, ascending
  // Bit set over a hash of the first 3 bytes of every prefix key: most article tokens cannot
  // start any prefix term, and skip the per-length probes after one bit test.
  std::vector<uint64_t> prefix_filter_;
  bool prefix_unfiltered_ = false;
  bool MayStartPrefix(std::string_view form) const;
};

}  // namespace newsflow::tag
