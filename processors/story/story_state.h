// StoryState: one story's current state, the value of a news.stories record (schema
// schemas/story.v1.schema.json, key = story id). The story store renders it after each change
// and applies the records of other instances (and its own, after a restart) to restore.
//
// Merging two states of the same story (StoryStore::ApplyRemote) is deterministic and
// order-independent (a join-semilattice, so records applied in any order, twice, or
// interleaved with local updates converge):
//   counts        per-writer article counters, merged by max per writer (a G-Counter); the
//                 article count is their sum, so articles added by two instances both count
//   first_seen    min;  last_seen  max;  version  max
//   languages, sources, numbers, titles (per language), articles   set union (bounded)
//   entities, topics   per id, max of the aggregated weight
//   merged_into   the lower story id wins once set (see StoryStore)
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "schemas/result.h"

namespace newsflow::story {

struct StoryState {
  std::string id;
  std::string merged_into;                // empty unless this story was merged into another
  std::map<std::string, int64_t> counts;  // writer instance -> articles it added
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  int64_t version = 0;  // local update counter of the writer; informational
  std::string updated_by;
  std::vector<std::string> languages;                    // sorted
  std::vector<std::string> sources;                      // sorted, bounded
  std::map<std::string, std::string> titles;             // language -> representative title
  std::vector<std::pair<std::string, double>> topics;    // id -> summed score over articles
  std::vector<std::pair<std::string, double>> entities;  // id -> summed salience over articles
  std::vector<std::string> numbers;                      // sorted, bounded
  std::vector<std::string> articles;                     // representative article ids (first)
  uint64_t fingerprint = 0;                              // SimHash of the first article

  int64_t ArticleCount() const {
    int64_t n = 0;
    for (const auto& [writer, c] : counts) n += c;
    return n;
  }
};

// A topic score or entity weight as story.v1 writes it, at `p`, which must have room for
// kMaxStoryWeightBytes; returns the end. Rounded to four decimal places (half away from zero)
// and written as a plain decimal: the integer part, '.', then the decimals without trailing
// zeros, or "0" ("0.3", "4.2381", "12.0", "0.0" for anything that rounds to zero, "-0.5");
// from 2^36 on, or for a NaN or an infinity, what RapidJSON's Writer::Double writes (Grisu2
// shortest digits; nothing for a NaN or an infinity). A story's weights are sums of its
// articles' saliences and topic scores, which the tag and score stages round to four
// decimals: the exact sum has four decimals too, and the double sum differs from it by
// floating-point error only (0.1 + 0.2 = 0.30000000000000004), which the record does not
// carry. Until 2026-12-07 the record wrote the double sum's shortest digits (~3 % of the
// weights on the story and dev corpora had 16-17 significant digits of such error).
constexpr size_t kMaxStoryWeightBytes = 25;
char* PutStoryWeight(char* p, double w);

// story.v1 JSON (one line), written straight into the string (no rapidjson::Writer: its
// per-value bookkeeping was most of the record's cost, paid for every article), byte for byte
// what the Writer wrote, with two differences: weights are written as PutStoryWeight writes them
// (rounded to four decimals), and bytes 0x1A-0x1F are always escaped (RapidJSON 1.1.0's SSE2 scan
// copied them raw inside aligned 16-byte blocks). Pitfall kept from the Writer: a NaN or infinite
// weight is written as nothing (invalid JSON); the store never makes one (sums of finite
// saliences and scores).
std::string EncodeStoryState(const StoryState& state);
// Whether `s` has no byte that a JSON string escapes (a control byte, '"' or '\\'): the store
// knows it per interned name and writes such names between quotes without the escape scan.
bool NeedsNoJsonEscape(std::string_view s);
// Parses and checks a story.v1 record (not the whole schema: the fields used here).
Result<StoryState> DecodeStoryState(std::string_view json);

}  // namespace newsflow::story
