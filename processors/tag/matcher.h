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
// Only the first token of a pattern is looked up (hash of its form; prefix keys in a byte trie
// walked down the token's bytes); the remaining tokens are verified in place. So the cost per
// article token is a few hash probes and a short trie walk, independent of the number of
// patterns, plus the verification of the (few) candidates that share a first token.
//
// Hash tables are open-addressing over a 64-bit hash of the form bytes (Hash()), built once; the
// form bytes are compared on a hash match, so collisions cannot produce false matches. Match()
// hashes each article token's forms once, and uses the hashes for every probe and, as
// fingerprints, to reject most multi-token candidates before reading the pattern store.
//
// Storage: Build() lays every table out as one flat image (image.h) and Match() reads only that;
// Attach() uses an image from elsewhere in place (a taxonomy snapshot mapped from a file), so a
// loaded snapshot costs no per-pattern allocation and no rebuilding.
//
// Thread-safety: immutable after Build()/Attach(); Match() is const; it appends to `hits` and keeps
// the token hashes in a per-thread buffer that is reused across calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "processors/core/document.h"
#include "schemas/result.h"

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
  Matcher();
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;

  // Adds a pattern; returns its id (dense, from 0, in insertion order). Call before Build().
  uint32_t Add(std::vector<PatternToken> tokens);
  // Builds the tables and lays them out as one image (image.h), which Match() then reads; the
  // build-time structures (interning table, staged keys) are freed.
  void Build();

  // Appends every (pattern, token span) match in `tokens` to `hits`, ordered by start token.
  // A pattern never spans the title and the body. `known` (optional, e.g. the document's
  // token_hashes): Hash() of each token's folded form and stem where already computed (0 where
  // not); used only when it has one entry per token, else every form is hashed here.
  void Match(const std::vector<core::Token>& tokens, std::string_view arena, SourceText source,
             std::vector<core::PatternHit>* hits,
             std::span<const core::FormHashes> known = {}) const;

  size_t pattern_count() const { return pattern_count_; }
  // Bytes of the tables (the image, wherever it lives; plus the build state before Build()).
  size_t memory_bytes() const;

  // The compiled tables as one 8-byte-aligned image (image.h), after Build() or Attach(): what
  // a snapshot stores (snapshot.h).
  std::span<const std::byte> image() const { return image_; }
  // Matches from `image` in place (e.g. a mapped snapshot file) instead of building; `keep_alive`
  // owns the image's memory. The structure and every index stored in the tables are checked
  // against the tables' sizes first, so a damaged image is an error, never an out-of-bounds
  // read while matching. Only on a Matcher without patterns added.
  Status Attach(std::span<const std::byte> image, std::shared_ptr<const void> keep_alive);

  // The hash of the index (exposed for tests): any byte string; a pure function of the bytes
  // (snapshots store hashes, and check this function against a stored probe when loaded).
  static uint64_t Hash(std::string_view bytes);

 private:
  // What a candidate's second pattern token needs of the article token after the key's: a
  // test on 32-bit fingerprints (the high half of Hash) of the forms, so that most candidates
  // are rejected without touching the pattern store. kNone: no such test (one-token pattern, or
  // a prefix second token), verify in full. kExactBare: kExact, and the second token has a
  // bare form (fingerprint next_bare_fp).
  enum class NextCheck : uint8_t { kNone, kExact, kStem, kExactBare };
  // Image element types: trivially copyable, no padding bytes (checked in matcher.cc).
  struct Posting {
    uint32_t pattern;
    // 1: the key is the pattern token's bare form (only article bare forms match it).
    uint8_t bare_key;
    // 1: a one-token pattern without a surface condition: matching the key is matching it.
    uint8_t simple;
    NextCheck next_check;
    // The pattern's number of tokens (1..kMaxPatternTokens), so that Verify() rejects most
    // candidates from the posting alone, before it reads the pattern store.
    uint8_t length;
    uint32_t next_form_fp;  // fingerprint of the second token's form (exact) or stem (stem)
    uint32_t next_bare_fp;
  };
  struct Slot {
    uint64_t hash = 0;
    uint32_t key_offset = 0;  // the key's bytes in the pool
    uint32_t key_size = 0;
    uint32_t postings_begin = 0;
    uint32_t postings_count = 0;  // 0 = empty slot
  };
  // One of the three hash indexes (exact, prefix, stem keys): views into the image.
  struct FormIndex {
    std::span<const Slot> slots;
    // One bit per hash value (modulo its size), set for every key: most article tokens are not
    // keys, and one bit test in a table that stays in cache spares them the probe of slots.
    std::span<const uint64_t> filter;
    std::span<const Posting> postings;
    uint64_t mask = 0;
    uint64_t filter_mask = 0;
    // Postings of the form with this hash and bytes as [begin, end) into postings, or an empty
    // range.
    std::pair<const Posting*, const Posting*> Find(std::string_view form, uint64_t hash,
                                                   std::string_view pool) const;
  };
  // A pattern token in the compact store: string ids of the pool (0 = empty).
  struct StoredToken {
    uint32_t form = 0;
    uint32_t bare = 0;
    uint32_t surface = 0;
    TokenMode mode = TokenMode::kExact;
    uint8_t padding[3] = {};
  };
  // Per article token, the hashes of its forms (0 when the form is empty).
  struct TokenHashes {
    uint64_t folded;
    uint64_t bare;
    uint64_t stem;
  };

  struct Input {
    const std::vector<core::Token>& tokens;
    const std::vector<TokenHashes>& hashes;
    std::string_view arena;
    SourceText source;
  };

  // What Add() and Build() need and matching does not (matcher.cc).
  struct Builder;
  struct BuiltIndex;

  // Without string_view::substr's range check and clamp (Verify() reads a pattern's strings per
  // candidate): Build() and Attach() (CheckTables) guarantee ascending offsets within the pool
  // and string ids below their count.
  std::string_view Str(uint32_t id) const {
    return {pool_.data() + pool_offsets_[id], pool_offsets_[id + 1] - pool_offsets_[id]};
  }
  static Posting MakePosting(uint32_t pattern, uint8_t bare_key, uint8_t simple,
                             const std::vector<PatternToken>& tokens);
  bool TokenMatches(const StoredToken& p, const core::Token& t, const Input& in) const;
  // The fingerprints of the token after the one being verified, read once per Verify() call
  // rather than once per posting.
  struct NextToken {
    bool same_field = false;  // exists and is in the same part (title or not) as the token
    bool has_bare = false;
    bool has_stem = false;
    uint32_t folded_fp = 0;
    uint32_t bare_fp = 0;
    uint32_t stem_fp = 0;
  };
  static bool NextMayMatch(const Posting& p, const NextToken& next);
  void Verify(const Posting* begin, const Posting* end, bool from_bare, size_t i, const Input& in,
              std::vector<core::PatternHit>* hits, size_t first_hit) const;
  // Verify()s the prefix keys `folded` and `bare` start with, in the order of their length; at
  // one length the folded form's key first, the bare form's when it is another key. (Match()
  // walks a folded form alone itself.)
  void MatchPrefixesOfTwoForms(std::string_view folded, std::string_view bare, size_t i,
                               const Input& in, std::vector<core::PatternHit>* hits) const;
  Status CheckTables() const;

  std::unique_ptr<Builder> builder_;  // until Build()
  size_t pattern_count_ = 0;

  // The image and what keeps it alive: owned_image_ (built here) or keep_alive_ (e.g. a
  // mapping). Every table below is a view into it.
  std::vector<uint64_t> owned_image_;
  std::shared_ptr<const void> keep_alive_;
  std::span<const std::byte> image_;

  // Every pattern string (forms, bare forms, surfaces) once, in one pool: a string id is an
  // index into pool_offsets_. Patterns of a large taxonomy share most of their words, and one
  // pool costs a few bytes per string where a std::string costs 32 and a heap block.
  std::string_view pool_;
  std::span<const uint32_t> pool_offsets_;  // string id -> offset; id 0 is ""
  std::span<const StoredToken> tokens_;
  std::span<const uint32_t> pattern_begin_;  // pattern id -> first token in tokens_
  FormIndex exact_;
  FormIndex stem_;
  // The prefix keys (first tokens of prefix-mode patterns) as a byte trie in double-array form:
  // the child of node s by byte c is the cell t = base + c of s when that cell's check is s.
  // One walk down a token's bytes finds every key it starts with, shortest first, and stops at
  // the first byte no key continues with (most tokens within 1-3 bytes), where a hash probe per
  // key length needed a hash of each prefix and filters to spare the probes.
  static constexpr uint32_t kFreeCell = 0xFFFFFFFFu;
  struct TrieCell {
    uint32_t base = 0;            // children at base + byte; base + 255 < cell count
    uint32_t check = kFreeCell;   // the parent node; kFreeCell when the cell is no node
    uint32_t postings_begin = 0;  // into prefix_postings_
    uint32_t postings_count = 0;  // > 0: a key ends at this node
  };
  std::span<const TrieCell> trie_;  // cell 0 is the root; at least 256 cells
  std::span<const Posting> prefix_postings_;
};

}  // namespace newsflow::tag
