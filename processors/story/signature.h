// Signature: what the story stage computes from one article, outside any lock.
//
// Three parts:
//   * the text fingerprint for near-duplicates: an exact hash of the article's folded word
//     sequence (same normalized text) and a 64-bit SimHash over word shingles (Charikar 2002:
//     each shingle's 64-bit hash votes +1/-1 per bit; the fingerprint keeps the sign of each
//     bit's sum, so texts that share most shingles differ in few bits). Shingles are
//     `shingle_size` consecutive words, each word in its Snowball stem form where the
//     normalizer gave one (so "talks"/"talk" and inflected Russian forms agree), else its
//     folded form. Title, lead and body tokens all count.
//   * the lead set: the hashes of the shingles of the article's opening (the first
//     `lead_words` words of lead + body, title left out). Republished wire copy keeps its
//     opening nearly verbatim while outlets cut or extend the rest, so the Jaccard similarity
//     of the lead sets finds edited copies that a whole-text SimHash misses (measured on the
//     story set: see README.md). With `lead_skip_quotes` (default) the opening is the article's
//     own text: words inside quotation marks are skipped (the opening is then the first
//     `lead_words` words outside quotations) and a shingle with a quoted word is left out.
//     Independent reports of one statement quote it verbatim, so quoted words say nothing
//     about republished text; a copy keeps its quotations and its own words alike. If fewer
//     than `min_shingles` shingles remain (an opening that is mostly quotation, or a mark never
//     closed, which runs to its paragraph's end), the plain opening is used.
//   * the language-independent story signature: canonical entity ids with their salience,
//     topic ids with their scores, and the numbers the text mentions (digits of every script
//     are folded to 0-9 by the normalizer; separators dropped, so "1,000", "1.000" and "1000"
//     agree; years 1900-2100 and one-digit numbers are left out as too common to tell events
//     apart).
//
// Hashes. A word's hash is core::FormHash of its shingle form (stem, else folded), the hash the
// normalizer has already computed (its stem memo's, and since 2026-12-06 the folded form's of
// every token: other scripts and digits too) and hands on in doc.token_hashes (computed here
// only where one is missing: a normalizer configured not to stem, an empty form). A shingle's hash
// combines its words' hashes (ShingleHash: the words rotated by position, XORed, one
// multiply-fold); the exact-text hash is a polynomial in the folded forms' hashes (modulo 2^64, one
// multiply-add a word; a multiply-fold per word until 2026-12-06: text_hash values differ from
// those versions', and text_hash is in no output). Before 2026-12-06 every word was hashed again
// with XXH3 and shingles chained with seeded XXH3 calls (about four XXH3 calls per token, most of
// the signature's cost), and until session 13 (2026-12-06) shingles were two chained multiply-folds
// and an fmix64 avalanche: SimHash and lead-set values, and the `fingerprint` field of story.v1,
// differ from earlier versions' for the same text. Nothing compares fingerprints across processes
// (the near-duplicate index is per instance, filled by its own articles; story.v1's fingerprint is
// informational), so a mixed-version deployment loses nothing.
//
// Why by hand: SimHash and shingling are a few dozen lines over the normalizer's tokens. No
// Debian library computes SimHash over our token stream.
//
// Threading: pure functions, thread-safe; one thread_local scratch buffer per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "processors/core/document.h"

namespace newsflow::story {

struct SignatureOptions {
  int shingle_size = 3;
  int lead_words = 80;   // words of lead + body whose shingles form the lead set
  int min_shingles = 8;  // fewer: the article gets no fingerprint (too short to compare)
  size_t max_numbers = 24;
  bool lead_skip_quotes = true;  // lead set over the opening's own (unquoted) words
};

struct ArticleSignature {
  std::string article_id;
  std::string source;  // the article's source, else the host of its URL
  std::string language;
  std::string title;
  int64_t event_time_ms = 0;
  std::string time_basis;  // "published", "kafka" or "clock"
  bool has_fingerprint = false;
  uint64_t text_hash = 0;  // exact duplicate key (folded word sequence)
  uint64_t simhash = 0;
  // 32-bit hashes of the opening's shingles in text order, a recurring shingle each time (the
  // lead set is their distinct values: SortUniqueLeadValues).
  std::vector<uint32_t> lead_shingles;
  std::vector<std::pair<std::string, double>> entities;  // id, salience
  // The taxonomy snapshot the entities come from (Document::taxonomy; null for a signature
  // built by hand) and each entity's index in it (core::EntityResult::taxonomy_index, in the
  // order of `entities`): the story store finds the ids it interned for them through these,
  // without hashing and comparing the ids' text again. Not to be kept past the article (the
  // snapshot would outlive a taxonomy reload): StoryStage releases it after Apply.
  std::shared_ptr<const core::Snapshot> taxonomy;
  std::vector<uint32_t> entity_indexes;
  std::vector<std::pair<std::string, double>> topics;  // id, score
  std::vector<std::string> numbers;                    // sorted, unique
};

// Fills `sig` from a document that went through normalize/tag/score. The event time is
// published_at, else the Kafka message timestamp, else `now_ms` (processing time).
void ComputeSignature(const core::Document& doc, int64_t now_ms, const SignatureOptions& options,
                      ArticleSignature* sig);

// Marks which of doc.tokens[first, end) lie inside a quotation in the lead or body text
// (1 = inside): quotation marks of most scripts ("", “”, „“, «», »«, 「」, fullwidth; single
// quotes are apostrophes and ignored), nested ones counted; a quotation ends at its paragraph's
// end and at the end of its field. Title tokens are never marked.
void QuotedTokens(const core::Document& doc, size_t first, size_t end,
                  std::vector<uint8_t>* quoted);

// The hash of the shingle of the k (1-8) word hashes at `words`.
uint64_t ShingleHash(const uint64_t* words, int k);

// The SimHash of n 64-bit hashes: bit b is set when more than half of them have bit b set
// (bit-sliced counting: a few word operations per hash, see signature.cc).
uint64_t SimHashOf(const uint64_t* hashes, size_t n);

// Sorts v[0, m) ascending and drops repeated values, as std::sort + std::unique do; returns the
// number of values kept (a lead set from ArticleSignature::lead_shingles: ordered linear
// probing into a per-thread table by the top bits; see signature.cc).
size_t SortUniqueLeadValues(uint32_t* v, size_t m);

// Number of differing bits. By hand (the classic SWAR count, a dozen instructions inline): the
// x86-64 baseline has no popcnt instruction, so __builtin_popcountll and std::popcount are a
// call into libgcc (__popcountdi2), made for every band entry and lead candidate compared.
inline int HammingDistance(uint64_t a, uint64_t b) {
  uint64_t x = a ^ b;
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
}

}  // namespace newsflow::story
