// StoryStore: the open stories and the near-duplicate index, shared by every worker thread of
// one process (and, through news.stories, by every instance; see README.md).
//
// What it does per article (Assign):
//   1. near-duplicates: an exact match on the folded-text hash, else a SimHash within
//      `duplicate_distance` bits, found through a banded index (the 64 bits cut into 4 bands
//      of 16: two fingerprints within 3 bits agree exactly on at least one band, so looking up
//      the 4 bands of the article finds every candidate without a scan). duplicate_of = the
//      earliest article of that text still indexed. A duplicate joins its original's story if
//      that story is still open.
//   2. story candidates through an inverted index entity id -> open stories (the most recent
//      `max_postings_scan` stories per entity are looked at, so the cost does not grow with the
//      number of open stories); articles with no entity look at the stories of their topics.
//   3. score = w_entities * cosine(entity saliences, idf-weighted) + w_topics * cosine(topic
//      scores) + w_numbers * min(1, shared numbers / 3), only for stories whose first article
//      is within `window` of the article's event time. The best story at or above
//      `join_threshold` is joined; else a new story is opened (id "st-" + hash of the article
//      id, so a redelivered article opens the same id on any instance). Candidates whose upper
//      bound (from Bloom masks in the dense slot array) cannot reach the threshold or the best
//      score so far are not scored: the same story and score as scoring them all. Without an
//      explanation, the scan also stops before the later entity lists when no story met only
//      through them can reach the best score so far or the threshold (ListsBoundLocked).
//   4. expiry by event time: the watermark is the highest event time seen (articles whose
//      time came from the clock do not move it); a story closes when
//      watermark > first_seen + window + allowed_lateness. Above `max_open` open stories the
//      one that would expire first is closed early. Fingerprints are kept in a FIFO of
//      `max_fingerprints` entries and closed with the same rule.
//
// Threading: every public method takes the store's one mutex for its whole (short) run. The
// per-article work that does not need shared state (shingling, SimHash, signature) is done by
// the caller before Assign(); Assign() itself is hash lookups and a bounded candidate scoring.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "processors/core/document.h"
#include "processors/story/signature.h"
#include "processors/story/story_state.h"

namespace newsflow::story {

struct StoryStoreConfig {
  int64_t window_ms = 48LL * 3600 * 1000;
  int64_t allowed_lateness_ms = 6LL * 3600 * 1000;
  int64_t max_open = 200000;
  int64_t max_fingerprints = 500000;
  int64_t duplicate_distance = 3;
  double lead_jaccard = 0.15;      // lead-set Jaccard that makes a near-duplicate (0: off)
  int64_t lead_min_shared = 4;     // and at least this many shared lead shingles
  int64_t max_lead_postings = 64;  // most recent fingerprints looked at per lead shingle
  double join_threshold = 0.50;
  double weight_entities = 0.60;
  double weight_topics = 0.25;
  double weight_numbers = 0.15;
  int64_t max_postings_scan = 128;
  int64_t max_candidates = 64;  // stories gathered per article at most (rarest entities first)
  // Skip the candidates whose upper bound (from the dense slot array, see SlotHot) cannot reach
  // the best score so far or join_threshold. Decides exactly as scoring every candidate (the
  // randomized test in story_prune_test.cc compares both); false scores them all.
  bool prune_candidates = true;
  int64_t recent_articles = 32;
  int64_t max_sources = 64;
  std::string instance_id;  // writer id in news.stories counters (the app sets it)
  // Write Assignment::explanation (which signature parts matched; `newsflow explain` and
  // `eval` print it). Not a YAML option: the app turns it off for `run`, `process` and `demo`,
  // where nothing reads it (its formatting costs ~5 K instructions per article).
  bool explain = true;
};

// The outcome of Assign() for one article.
struct Assignment {
  std::string story_id;
  std::string duplicate_of;     // empty: not a near-duplicate
  int duplicate_distance = -1;  // SimHash bits to the matched copy (0: same text)
  double lead_jaccard = 0.0;    // lead-set Jaccard when matched through the lead sets
  bool opened = false;
  double score = 0.0;       // similarity to the joined story (0 when opened)
  std::string explanation;  // which signature parts matched (empty unless config.explain)
  int64_t article_count = 0;
  int64_t first_seen_ms = 0;
  std::vector<core::StoryArticle> recent;
  // The story's state after this article (for news.stories), as Assign's `output` asks:
  StoryState state;    // StateOutput::kState
  std::string record;  // StateOutput::kRecord: its story.v1 JSON (EncodeStoryState(state))
};

// What Assign() renders of the story's new state.
enum class StateOutput {
  kState,   // Assignment::state
  kRecord,  // Assignment::record, encoded straight from the store (no StoryState built)
  kNone,
};

struct StoreStats {
  int64_t open = 0;
  int64_t fingerprints = 0;
  int64_t assigned = 0;
  int64_t opened = 0;
  int64_t exact_duplicates = 0;
  int64_t near_duplicates = 0;
  int64_t expired = 0;
  int64_t evicted = 0;  // closed early because of max_open
  int64_t merged = 0;
  int64_t remote_applied = 0;
  int64_t watermark_ms = 0;
  int64_t candidates = 0;  // candidate stories gathered (summed over articles)
  int64_t scored = 0;      // of them scored in full (the others were bounded out)
  // Entity lists not scanned because no story found only through them could reach
  // join_threshold (StoryStore::ListsBoundLocked; summed over articles).
  int64_t lists_skipped = 0;
};

// Appends x as printf("%.*f", decimals, x) would write it (the explanations' scores), through
// std::to_chars (same digits, no format parsing). Exposed for the test that compares the two.
void AppendFixed(double x, int decimals, std::string* out);

class StoryStore {
 public:
  explicit StoryStore(StoryStoreConfig config);
  ~StoryStore();
  StoryStore(const StoryStore&) = delete;
  StoryStore& operator=(const StoryStore&) = delete;

  const StoryStoreConfig& config() const { return config_; }

  // Whether a lead-set shingle value goes into the lead-set index (about half of them: the even
  // ones). Two lead sets become candidates for the exact Jaccard through two shared indexed
  // shingles (README.md, "Near-duplicates").
  static bool LeadIndexed(uint32_t h) { return (h & 1) == 0; }

  // `recent_out`: where the story's latest articles go (Assignment::recent stays empty), its
  // elements reused; null: into Assignment::recent.
  Assignment Assign(const ArticleSignature& sig, StateOutput output = StateOutput::kState,
                    std::vector<core::StoryArticle>* recent_out = nullptr);

  // Applies a news.stories record (another instance's update, or a restore at start-up).
  // Returns the states that changed because of a merge (the loser with merged_into set and the
  // winner), which the caller may publish; empty otherwise.
  //
  // `match_open`: a story this store has not seen is compared with its open stories, and two
  // that match (opened by two instances at the same moment) are merged, the lower id winning.
  // A restore passes false: it replays the topic as the writers left it. Matching during a
  // replay would decide merges from a partial, order-dependent view (a story can be matched
  // here before the record that merged it elsewhere arrives), and a story merged twice would
  // count its articles twice; new merges are decided by the live tail only.
  std::vector<StoryState> ApplyRemote(const StoryState& state, bool match_open = true);

  // Every open story's state, sorted by id (for `process --stories` and tests).
  std::vector<StoryState> OpenStories() const;
  // The state of one story (open), or nullopt.
  std::optional<StoryState> Find(const std::string& id) const;

  StoreStats Stats() const;
  // Open stories by article count: result[i] = stories with at most bounds[i] articles
  // (cumulative, Prometheus style); the last element counts all. Walks every open story.
  std::vector<int64_t> ArticleCountBuckets(const std::vector<int64_t>& bounds) const;
  // Approximate heap bytes held (stories, indexes, fingerprints): for the memory benchmark
  // and the story_store_bytes gauge.
  size_t ApproximateBytes() const;

 private:
  struct Story;
  struct Fingerprint;
  struct Posting {
    uint32_t slot;
    uint32_t gen;
  };
  // One item of a story's scoring record (Story::sig): everything ScoreLocked reads about a
  // story, in one allocation, so that scoring a candidate costs one cache miss (plus the idf
  // of its entities) instead of the Story and three arrays in a row. Layout:
  //   [0]                     header: key = entities | numbers << 16, aux = topics,
  //                           w = article count (as a double)
  //   [1, 1 + entities)       entity id, summed salience (sorted by id)
  //   then topics             topic id, summed score (sorted by id)
  //   then numbers            number id (sorted), w unused
  struct ScoreItem {
    uint32_t key = 0;
    uint32_t aux = 0;
    double w = 0;
  };
  // Per slot, what the candidate scan reads for every posting (is the story still the
  // posting's, and its first article's time), where its scoring record is, and what bounds its
  // score, in a dense array (32 bytes a slot, two to a cache line) instead of the Story
  // (hundreds of bytes, one cache miss each): kept in step with stories_ (SyncHotLocked after
  // every change of a story's record).
  //
  // The masks are one-hash Bloom filters of the record's interned ids (bit MaskBit(id, n) of an
  // n-bit field): a bit the article's id maps to that is clear in the story's mask proves the
  // story lacks that id, so the article's ids whose bits are set are a superset of the shared
  // ones. That bounds every part of the score from above without reading the record
  // (CandidateBoundLocked).
  struct SlotHot {
    uint32_t tag = 0;  // gen << 1 | live: a posting (slot, gen) is live iff tag == gen << 1 | 1
    // Number ids in bits 0-29; kEntityMass / kTopicMass: some entity (topic) weight of the
    // record is large enough that the story's entity (topic) norm is surely > 0.
    uint32_t numbers = 0;
    int64_t first_seen = 0;
    const ScoreItem* sig = nullptr;  // the story's scoring record (Story::sig.data())
    uint64_t ids = 0;                // entity ids in bits 0-47, topic ids in bits 48-63
  };
  static constexpr int kEntityBits = 48, kTopicBits = 16, kNumberBits = 30;
  static constexpr uint32_t kEntityMass = 1u << 30, kTopicMass = 1u << 31;
  static uint32_t MaskBit(uint32_t id, int bits) {
    // Multiplicative hash of the id (ids are dense and given in first-seen order), scaled to
    // [0, bits).
    const uint32_t h = id * 0x9E3779B1u;
    return static_cast<uint32_t>((static_cast<uint64_t>(h) * static_cast<uint32_t>(bits)) >> 32);
  }
  static uint32_t HotTag(uint32_t gen, bool live) { return gen << 1 | (live ? 1u : 0u); }

  // The id of a string (entity, topic, number, language, source), given in first-seen order;
  // `h` is InternHash(s).
  static uint64_t InternHash(std::string_view s);
  uint32_t Intern(std::string_view s) { return InternHashed(s, InternHash(s)); }
  uint32_t InternHashed(std::string_view s, uint64_t h);
  void PrefetchIntern(uint64_t h) const {
    if (!intern_slots_.empty()) __builtin_prefetch(&intern_slots_[h & (intern_slots_.size() - 1)]);
  }
  void PrefetchInternNames(const std::vector<uint64_t>& hashes);
  Story* Live(Posting p);
  bool IsLive(Posting p) const { return hot_[p.slot].tag == HotTag(p.gen, true); }
  const Story* FindLocked(const std::string& id) const;
  void AdvanceWatermark(int64_t t);
  // Closes expired stories, and the earliest-closing ones while more than max_open - reserve
  // are open.
  void ExpireLocked(int64_t reserve = 0);
  void CloseLocked(uint32_t slot, bool evicted);
  int64_t ClosesAt(int64_t first_seen) const;
  uint32_t NewStoryLocked(const std::string& id, int64_t first_seen);
  void IndexStoryLocked(uint32_t slot);
  // The article's side of the score, computed once per article: open_ and the entity counts
  // do not change while its candidates are scored.
  struct Query {
    const std::vector<std::pair<uint32_t, double>>* ents;    // interned, sorted
    const std::vector<std::pair<uint32_t, double>>* topics;  // interned, sorted
    const std::vector<uint32_t>* numbers;                    // interned, sorted
    double log_n = 0;                                        // ln(open + 20)
    double na = 0;  // squared norm of the idf-weighted entity saliences
    double ta = 0;  // norm of the topic scores
  };
  Query MakeQueryLocked(const std::vector<std::pair<uint32_t, double>>& ents,
                        const std::vector<std::pair<uint32_t, double>>& topics,
                        const std::vector<uint32_t>& numbers) const;
  double ScoreLocked(const ScoreItem* sig, const Query& q, std::string* why) const;
  // The article's side of CandidateBoundLocked, per article: the squared idf-weighted entity
  // saliences, squared topic scores and number counts summed per mask bit.
  struct BoundQuery {
    uint64_t ids = 0;      // the article's entity and topic bits (SlotHot::ids layout)
    uint32_t numbers = 0;  // its number bits
    double entity_mass[kEntityBits] = {};
    double topic_mass[kTopicBits] = {};
    int number_count[kNumberBits] = {};
    // For FastBoundLocked: 1 / |a|^2 and 1 / |topics| (0 when the article lacks the part), and
    // which parts the article has (bit 0 entities, 1 topics, 2 numbers).
    double inv_na = 0;
    double inv_ta = 0;
    uint32_t parts = 0;
  };
  void MakeBoundQueryLocked(const Query& q, BoundQuery* b) const;
  // An upper bound on ScoreLocked(hot.sig, q) from `hot` alone (no access to the record),
  // rounded up by a margin far above the scores' floating-point error.
  double CandidateBoundLocked(const SlotHot& hot, const Query& q, const BoundQuery& b) const;
  // CandidateBoundLocked's bound with fewer instructions (it runs for every candidate, ~56 per
  // article at 100,000 open stories, and was ~135 instructions each): when which parts count is
  // certain (the usual case) one weighted mean with the weights from bound_weights_, the
  // article's norms as reciprocals; else CandidateBoundLocked. An upper bound on the score
  // all the same (the same terms; the reciprocals move it by a few ulps, far below the margin),
  // so pruning decides as before (StoryStorePruneTest, StoryStoreTest.FastBound...).
  double FastBoundLocked(const SlotHot& hot, const Query& q, const BoundQuery& b) const;
  // Per combination of the parts that count (bit 0 entities, 1 topics, 2 numbers): their
  // weights and 1 / their sum (0 when the sum is 0: the bound is then the margin alone).
  struct BoundWeights {
    double we, wt, wn, inv_total;
  };
  BoundWeights bound_weights_[8];
  // The candidate scan's early stop (a max-score bound over the article's entity lists): a story
  // that the scan would find only in the lists not yet scanned shares with the article none of
  // the entities whose lists were scanned to the end (it would have been met there), so its
  // entity cosine is at most sqrt(mass / q.na), `mass` the squared idf-weighted saliences of the
  // other entities (Cauchy-Schwarz, as CandidateBoundLocked), and its topic and number parts are
  // at most 1 and min(1, numbers / 3). Returns the highest score such a story can have (over the
  // part combinations: the story may lack topics or numbers), plus the bounds' margin. Valid
  // only when every story with entities has an entity norm > 0 (entity_massless_ == 0): one with
  // a zero norm drops the entity part and may score on topics and numbers alone.
  double ListsBoundLocked(const Query& q, double mass) const;
  // Live stories with entities whose entity weights may all be (nearly) zero (SlotHot: entity
  // bits without kEntityMass), kept by SyncHotLocked and CloseLocked.
  static bool EntityMassless(const SlotHot& h) {
    return (h.ids & ((uint64_t{1} << kEntityBits) - 1)) != 0 && (h.numbers & kEntityMass) == 0;
  }
  int64_t entity_massless_ = 0;
  void SyncHotLocked(uint32_t slot);
  // Story::languages and Story::sources are kept sorted by their text (as story.v1 lists
  // them), Story::titles by their language's text: inserted in place, once, instead of sorted
  // for every record.
  void InsertByTextLocked(std::vector<uint32_t>& ids, uint32_t id) const;
  void AddTitleLocked(Story& s, uint32_t lang, const std::string& title) const;
  void AddDfLocked(uint32_t e, int32_t delta);
  void AddArticleLocked(Story& s, const ArticleSignature& sig,
                        const std::vector<std::pair<uint32_t, double>>& ents,
                        const std::vector<std::pair<uint32_t, double>>& topics,
                        const std::vector<uint32_t>& numbers, uint32_t lang, uint32_t source);
  void MergeStateLocked(Story& s, const StoryState& remote);
  void AbsorbLocked(Story& winner, Story& loser);
  StoryState StateLocked(const Story& s) const;
  // EncodeStoryState(StateLocked(s)), without building the StoryState: written straight into
  // one buffer from the story and its record cache entry (below).
  std::string RecordLocked(const Story& s) const;
  // The story's record cache entry (claimed, and emptied, if another story holds it).
  struct RecordCacheEntry;
  RecordCacheEntry& RecordEntryLocked(const Story& s) const;
  // The record's `,"topics":[…],"entities":[…],"numbers":[…]` at `p` (room: the returned
  // bound), from the entry's last text of them, and the entry updated to the new text.
  size_t RecordItemsBoundLocked(const Story& s, const RecordCacheEntry& e, bool same_items) const;
  char* PutRecordItemsLocked(const Story& s, RecordCacheEntry& e, bool same_items, char* p) const;
  // The record cache: for the kRecordCacheStories stories whose records were written most
  // recently (an entry per story, reused round-robin), the parts of their last record that
  // seldom change from one article to the next, as text. The items part
  // (`,"topics":…` to the numbers' closing bracket) is kept whole, with where each topic's and
  // entity's weight is in it: a story whose items are those of its last record (an article adds
  // no new entity, topic or number, the common case of a story's later articles) sorts nothing
  // by text, formats only the weights the article changed (PutStoryWeight, ~100 instructions
  // each) and copies the text between them as it was (it built every item's part anew before,
  // from views: ~2.5 K an article). Bounded whatever the number of open stories: ~70 bytes an
  // item, ~1 KB for a story of a dozen items, ~4 KB at most (48 entities, 48 numbers and a dozen
  // topics). Holds no state of its own: a miss sorts and encodes, the bytes are the same.
  static constexpr size_t kRecordCacheStories = 4096;
  struct RecordText {
    uint64_t bits = 0;  // the weight's bits, as encoded
    uint32_t id = 0;    // the item's interned id
    uint32_t pos = 0;   // its position in the story's topics, or entities | 1 << 16
    uint32_t off = 0;   // where its weight's text starts in items_json
    uint32_t len = 0;   // and its length
  };
  struct RecordCacheEntry {
    uint32_t slot = UINT32_MAX;
    uint32_t gen = 0;
    // The story's `{"schema":…,"id":…,"merged_into":null,"article_count":` (its id does not
    // change while the slot's gen is the same).
    std::string head_json;
    uint32_t n_topics = UINT32_MAX, n_entities = UINT32_MAX, n_numbers = UINT32_MAX;
    std::vector<RecordText> texts;  // in record order (topics, then entities)
    std::string items_json;
    // The record's languages, sources and titles (from `,"languages":` to the titles' closing
    // brace) and articles (the array) as last written, and how many of each they had: a live
    // story's lists only grow (nothing is removed or replaced), so the same counts are the same
    // lists.
    uint32_t n_languages = UINT32_MAX, n_sources = UINT32_MAX, n_titles = UINT32_MAX;
    uint32_t n_articles = UINT32_MAX;
    std::string lists_json, articles_json;
    // The story's first and last times as the record wrote them (schemas::FormatRfc3339), and
    // the times they are of (INT64_MIN: none yet).
    int64_t first_seen_ms = INT64_MIN, last_seen_ms = INT64_MIN;
    std::string first_seen_text, last_seen_text;
    // The fingerprint as the record writes it (16 hex digits) and its value.
    uint64_t fingerprint = 0;
    char fingerprint_text[16] = {};
  };
  mutable std::vector<RecordCacheEntry> record_cache_;  // allocated with the first record
  mutable size_t record_cache_next_ = 0;
  mutable std::vector<RecordText> record_scratch_;
  // The record is written here (at most its bound), then copied into a string of its size: a
  // string resized to the bound would zero-fill it first.
  mutable std::unique_ptr<char[]> record_buffer_;
  mutable size_t record_buffer_size_ = 0;
  // config_.instance_id as a JSON string: the writer of a story's counts and its updated_by in
  // nearly every record (set with the first record).
  mutable std::string instance_json_;
  // `name` as a JSON string, through instance_json_ when it is the instance id.
  char* PutWriterLocked(char* p, const std::string& name) const;
  const std::string& ResolveLocked(const std::string& id) const;
  std::optional<uint32_t> SlotOfLocked(const std::string& id) const;
  void AddFingerprintLocked(const ArticleSignature& sig, const std::string& root,
                            const std::string& story_id);
  void PopFingerprintLocked();

  const StoryStoreConfig config_;
  mutable std::mutex mu_;
  // Interned strings: names_[id], found through a flat open-addressing table of
  // (hash's high 32 bits << 32 | id + 1) slots, 0 = empty, at most half full: one cache miss
  // per lookup and a compare with names_[id] (it was an unordered_map's bucket, node and key).
  std::vector<uint64_t> intern_slots_;
  std::vector<std::string> names_;
  // Per interned id: 1 if the name needs no JSON escape (NeedsNoJsonEscape, decided once when
  // interned): a record whose items' names all need none writes them without the escape scan.
  std::vector<uint8_t> names_plain_;
  // Copies of the names that are a recent article's source or language, which never move
  // (a deque's push_back moves no element; names_' short strings move with its buffer when it
  // grows): Assign hands out views of them (core::StoryArticle), which stay valid after the
  // lock is released while other articles intern names. stable_views_ has an entry per name
  // (InternHashed), empty (no data) until the name is first a recent article's.
  std::deque<std::string> stable_names_;
  std::vector<std::string_view> stable_views_;
  void StableNameLocked(uint32_t id) {
    if (stable_views_[id].data() == nullptr) {
      stable_views_[id] = stable_names_.emplace_back(names_[id]);
    }
  }
  std::vector<uint64_t> intern_scratch_;  // Assign's hashes of the article's strings
  // The interned ids of the entities of one taxonomy snapshot (ArticleSignature::taxonomy), by
  // their index in it (ArticleSignature::entity_indexes; UINT32_MAX: not interned through it
  // yet): an entity met before costs Assign an array read instead of hashing its id, a probe of
  // intern_slots_ and a compare of the text (~5 entities an article). The same ids as the text
  // gives (a name's id never changes). Emptied when an article comes with another snapshot:
  // compared by control block (owner_before), which the weak reference keeps allocated, so a
  // later snapshot cannot be taken for this one; the snapshot itself is not kept alive.
  std::weak_ptr<const core::Snapshot> intern_taxonomy_;
  std::vector<uint32_t> intern_by_entity_;
  std::vector<uint32_t> scratch_entity_ids_;  // Assign: the article's entities' cached ids
  // The ids of recently interned short names (at most 24 bytes: topic ids, numbers, language
  // codes, most sources; ~7 an article), direct-mapped by their bytes: a name found here costs
  // Assign a few loads and compares instead of XXH3, a probe of intern_slots_ and a compare
  // of the text. The key is the name's bytes themselves (ShortName: at most three words, which
  // with the size tell any two names of at most 24 bytes apart), so a hit is the name's id
  // (names are never removed, ids never change); a miss goes the long way and takes the slot.
  struct ShortName {
    uint64_t a = 0, b = 0, c = 0;
    uint32_t size = UINT32_MAX;  // UINT32_MAX: empty slot
    uint32_t id = 0;
  };
  static constexpr int kShortNameBits = 12;  // 4,096 slots, 128 KB
  static bool ShortNameOf(std::string_view s, ShortName* key);
  static size_t ShortNameSlot(const ShortName& k) {
    return static_cast<size_t>(((k.a * 0x9E3779B97F4A7C15ull) ^ (k.b * 0xC2B2AE3D27D4EB4Full) ^
                                (k.c * 0x165667B19E3779F9ull) ^ k.size) >>
                               (64 - kShortNameBits));
  }
  // The id of `s` when the cache has it, else UINT32_MAX.
  uint32_t CachedShortNameLocked(std::string_view s) const;
  void CacheShortNameLocked(std::string_view s, uint32_t id);
  std::vector<ShortName> short_names_;      // allocated on the first CacheShortNameLocked
  std::vector<uint32_t> scratch_part_ids_;  // Assign: the topics', numbers', language's, source's
  std::vector<uint32_t> intern_peek_;       // and the ids their slots probably hold
  // Assign's other per-article lists, kept between articles (their capacity is reused): the
  // interned entities, topics and numbers, the lead-set candidates, the candidate stories to
  // score, and the entity scan order.
  std::vector<std::pair<uint32_t, double>> scratch_ents_, scratch_topics_;
  std::vector<uint32_t> scratch_numbers_;
  std::vector<uint64_t> scratch_lead_candidates_;
  std::vector<uint32_t> scratch_to_score_;
  // The article's entities in scan order: document frequency, id, the squared idf-weighted
  // salience (its term of Query::na) and that summed over this entity and every later one.
  struct ScanEntity {
    int32_t df;
    uint32_t id;
    double mass;
    double rest;
  };
  std::vector<ScanEntity> scratch_order_;
  std::vector<Story> stories_;  // slots
  std::vector<uint32_t> free_slots_;
  std::unordered_map<std::string, uint32_t> by_id_;
  std::unordered_map<std::string, std::string> merged_;  // closed/merged id -> winner id
  // States of merged-away stories whose winner this store has not seen yet (records of
  // different partitions arrive in any order): applied when the winner arrives.
  std::unordered_map<std::string, std::vector<StoryState>> pending_;
  // Per interned id (dense: ids are given in order), the entity's postings (open stories that
  // contain it, oldest first; stale ones compacted now and then) and its document frequency
  // (open stories containing it), side by side: the candidate scan reads both for each of the
  // article's entities, one cache line (it was a hash map's bucket, node and vector, and the
  // count in another array).
  struct EntityIndex {
    std::vector<Posting> postings;
    int32_t df = 0;
  };
  std::vector<EntityIndex> entity_index_;
  std::unordered_map<uint32_t, std::vector<Posting>> topic_postings_;
  std::vector<double> entity_log_df_;  // ln(df + 1) by interned id, kept with it (AddDfLocked)
  std::vector<SlotHot> hot_;
  // Candidate pruning (config_.prune_candidates, and every weight >= 0: the bounds assume it),
  // and Assign's scratch for it.
  const bool prune_;
  BoundQuery bound_query_;
  std::vector<std::pair<double, uint32_t>> bounded_;  // (bound, slot)
  std::vector<uint32_t> survivors_;
  // The slots an article's candidate scan has gathered (a set: a story found through several of
  // the article's entities is a candidate once), as a stamp per slot (beside hot_): slot k is in
  // the set of scan number seen_scan_ iff seen_stamp_[k] == seen_scan_. Membership and insertion
  // are one load and one store (in Assign's scan loop), and starting a new scan is one
  // increment (no clearing). It was an open-addressing table of slot + 1, emptied after each
  // scan, ~50 instructions a posting.
  std::vector<uint32_t> seen_stamp_;
  uint32_t seen_scan_ = 0;
  void SeenStartLocked();  // a new, empty set
  // Expiry order: (closes_at, slot, gen), earliest first; stale entries skipped.
  using ExpiryEntry = std::tuple<int64_t, uint32_t, uint32_t>;
  std::priority_queue<ExpiryEntry, std::vector<ExpiryEntry>, std::greater<>> expiry_;
  // Near-duplicate index.
  std::deque<Fingerprint> fingerprints_;  // FIFO; front is the oldest
  uint64_t fingerprint_base_ = 0;         // sequence number of fingerprints_.front()
  // The exact-text and SimHash-band lookups, in two flat open-addressing tables (linear
  // probing, backward-shift deletion, 16 bytes a slot, entries inline): per fingerprint one
  // entry of kind kExactKind keyed by its text hash in exact_ (only the first fingerprint of a
  // text: duplicate_of names the earliest) and four in bands_, of kind b = 0..3 keyed by its
  // b-th 16-bit band, each with the whole SimHash. A lookup is one cache miss (the run from the
  // key's home slot, usually within a line), and the Hamming distances are computed from the
  // entries themselves. It was an unordered_map (bucket, node) for the text hashes and, per band,
  // 65,536 vectors of sequence numbers (vector header, its entries, then each entry's
  // Fingerprint: three dependent misses per band).
  struct DupEntry {
    uint64_t value;  // the text hash (kExactKind) or the SimHash (bands)
    uint32_t seq;    // low 32 bits of the fingerprint's sequence number (LeadSeq)
    uint32_t kind;   // band 0-3, kExactKind, or kDupEmpty
  };
  static constexpr uint32_t kExactKind = 4, kDupEmpty = 5;
  static uint64_t DupKey(uint32_t kind, uint64_t value) {
    // What identifies the entry's key: the band's 16 bits, or the whole text hash.
    return kind == kExactKind ? value : (value >> (16 * kind)) & 0xffff;
  }
  static bool DupMatches(const DupEntry& e, uint32_t kind, uint64_t key) {
    return e.kind == kind && DupKey(kind, e.value) == key;
  }
  struct DupTable {
    std::vector<DupEntry> slots;  // a power of two; empty until the first fingerprint
    size_t used = 0;
    int shift = 64;  // 64 - log2(slots.size())
    size_t Home(uint32_t kind, uint64_t key) const {
      // A multiplicative hash of (kind, key) (band keys are 16 bits: no hash of their own),
      // its high bits choosing among the 2^k slots.
      const uint64_t h = (key ^ (uint64_t{kind} << 56)) * 0x9E3779B97F4A7C15ull + kind;
      return static_cast<size_t>((h * 0xD6E8FEB86659FD93ull) >> shift);
    }
    size_t Next(size_t i) const { return (i + 1) & (slots.size() - 1); }
    void Init(size_t n);
    void Insert(uint32_t kind, uint64_t value, uint32_t seq);
    // Insert() into slot i, the first empty slot from the key's home (the caller knows it).
    void InsertAt(size_t i, uint32_t kind, uint64_t value, uint32_t seq);
    void Erase(uint32_t kind, uint64_t value, uint32_t seq);
    void Grow();
    // Advanced by Erase() and Grow(), which move entries (DupHint).
    uint64_t epoch = 0;
  };
  DupTable exact_, bands_;
  // Where an insertion of the article's text hash and of its four band keys goes: Assign's
  // lookups read each key's run from its home slot to the first empty slot, which is where
  // Insert() would put the key (it scans the same run again), while nothing was erased or moved
  // since (the table's epoch) and that slot is still empty (an insertion of the same article
  // into an adjacent run may have filled it: Insert() then). AddFingerprintLocked uses them;
  // epoch UINT64_MAX: none for this article.
  struct DupHint {
    size_t end = 0;
    uint64_t epoch = UINT64_MAX;
  };
  DupHint exact_hint_;
  std::array<DupHint, 4> band_hints_;
  void ClearDupHintsLocked() {
    exact_hint_.epoch = UINT64_MAX;
    for (DupHint& h : band_hints_) h.epoch = UINT64_MAX;
  }
  // Lead-set index: the sampled lead shingles (LeadIndexed: even, about half) of each fingerprint,
  // as (shingle, sequence) pairs in one flat open-addressing table (linear probing, keyed by
  // the shingle, several entries per shingle; 8 bytes a slot, entries inline): a lookup reads
  // the run of slots from the shingle's home slot to the first empty one, usually one or two
  // cache lines (it was a bucket header, then the bucket's ~30 entries elsewhere). A
  // fingerprint is a candidate when it shares at least 2 sampled shingles exactly; the exact
  // Jaccard of the stored sets decides.
  //
  // Only the `max_lead_postings` most recent fingerprints of a shingle are ever looked at, and
  // fingerprints leave the index oldest first (the FIFO), so an older entry behind that many
  // newer ones of its shingle can never be looked at again: an insertion that would make one
  // more replaces the shingle's oldest entry. That bounds a shingle's run (boilerplate openings
  // shared by thousands of articles) and every lookup's length with it, and decides the same.
  struct LeadEntry {
    uint32_t shingle;  // kLeadEmpty (odd: sampled shingles are even) marks an empty slot
    uint32_t seq;      // low 32 bits of the fingerprint's sequence number
  };
  static constexpr uint32_t kLeadEmpty = 1;
  size_t LeadHome(uint32_t h) const {
    // The shingle is a hash: its high bits choose the slot (no power-of-two size needed).
    return static_cast<size_t>((static_cast<uint64_t>(h) * lead_table_.size()) >> 32);
  }
  // The table's size is a power of two (kLeadFirstSlots, doubled): the next slot by a mask.
  size_t LeadNext(size_t i) const { return (i + 1) & (lead_table_.size() - 1); }
  // Beside the slots, a byte per slot (lead_tags_): 0 when the slot is empty, else 0x80 and 7
  // bits of its shingle that the home slot does not give (bits 1-7; bit 0 is 0 in every sampled
  // shingle), then a copy of the first kLeadTagClone tags, so that the tags of the 16 slots from
  // any slot on are one unaligned load, wrapping as the slots do. Assign's lookup reads a run's
  // tags 16 at a time (SSE2) and the slots only where the tag matches: nearly every sampled
  // shingle is absent (~1 in 80 found), and its run (~7 slots at the table's load) was read
  // slot by slot (~55 instructions a lookup, ~2.3 K an article). Every write of a slot goes
  // through SetLeadSlotLocked, which keeps its tag. 1 byte a slot (4 MB at 2^22 slots).
  static constexpr size_t kLeadTagClone = 16;
  static uint8_t LeadTag(uint32_t h) { return static_cast<uint8_t>(0x80 | ((h >> 1) & 0x7F)); }
  void SetLeadSlotLocked(size_t i, LeadEntry e) {
    lead_table_[i] = e;
    const uint8_t t = e.shingle == kLeadEmpty ? 0 : LeadTag(e.shingle);
    lead_tags_[i] = t;
    if (i < kLeadTagClone) lead_tags_[lead_table_.size() + i] = t;
  }
  // SetLeadSlotLocked(i, {h, seq}) (h sampled, so not kLeadEmpty), the tag written last: its
  // byte store may alias anything, and the vectors' pointers would be loaded again after it.
  void SetLeadSlotFilledLocked(size_t i, uint32_t h, uint32_t seq) {
    LeadEntry* const table = lead_table_.data();
    uint8_t* const tags = lead_tags_.data();
    const size_t n = lead_table_.size();
    table[i] = {h, seq};
    const uint8_t t = LeadTag(h);
    tags[i] = t;
    if (i < kLeadTagClone) tags[n + i] = t;
  }
  uint64_t LeadSeq(uint32_t low) const {
    const uint32_t base_low = static_cast<uint32_t>(fingerprint_base_);
    return fingerprint_base_ + static_cast<uint32_t>(low - base_low);
  }
  // What an insertion of shingle h needs to know of h's run (how many entries, the oldest, the
  // first empty slot after it): LeadInsertLocked scans the run for it, and Assign's lead-set
  // lookup has just scanned the same runs for the same (sampled) shingles. The lookup keeps it
  // per shingle (lead_hints_, in the order of sig.lead_shingles' sampled shingles) and the
  // article's insertions use it instead of scanning again (LeadInsertHintedLocked), while it
  // still holds: no entry erased, moved or re-hashed since (lead_epoch_, advanced by
  // LeadEraseLocked and LeadGrowLocked; e.g. when opening the article's story evicts one and
  // expires its fingerprints), and the run's empty slot still empty (an earlier insertion of
  // the same article may have filled it, extending the run: scanned then). An insertion fills
  // only that empty slot or rewrites an entry's sequence number in place, so the other runs'
  // counts and oldest entries stay as the lookup found them.
  struct LeadHint {
    size_t end;     // the first empty slot after the shingle's home
    size_t oldest;  // the slot of its entry with the lowest sequence number (if n > 0)
    int64_t n;      // its entries
  };
  std::vector<LeadHint> lead_hints_;
  std::vector<uint32_t> lead_sampled_;  // the article's sampled lead shingles (lead_hints_' order)
  // Lists the distinct sampled shingles of an article's lead values (they are in text order
  // and may repeat: the signature does not sort them) in lead_sampled_, first occurrences in
  // order, and prefetches their home slots (lead_table_ must not be empty). Distinct through a
  // small open-addressing set stamped per call (sampled_seen_: nothing to clear between
  // articles); sorting the whole lead set for it cost ~34 instructions a value (~2.5 K an
  // article), now done only for the rare article that has lead-set candidates.
  void ListSampledLeadLocked(const std::vector<uint32_t>& lead);
  struct SampledSeen {
    uint32_t value;
    uint32_t stamp;  // in the set of call number `stamp` (sampled_stamp_)
  };
  std::vector<SampledSeen> sampled_seen_;  // a power of two, >= twice the values listed
  uint32_t sampled_stamp_ = 0;
  std::vector<uint32_t> scratch_lead_set_;  // the article's lead values as a set (candidates)
  uint64_t lead_epoch_ = 0;
  uint64_t lead_hints_epoch_ = UINT64_MAX;  // lead_epoch_ when lead_hints_ were taken, or none
  void LeadInsertLocked(uint32_t h, uint32_t seq);
  [[gnu::always_inline]] void LeadInsertHintedLocked(uint32_t h, uint32_t seq,
                                                     const LeadHint& hint);
  // The run of shingle h from its home slot: its entries (their sequence numbers appended to
  // `candidates`) and what an insertion of h needs.
  LeadHint LeadRunLocked(uint32_t h, size_t home, std::vector<uint64_t>* candidates) const;
  void LeadEraseLocked(uint32_t h, uint32_t seq);
  void LeadGrowLocked();
  std::vector<LeadEntry> lead_table_;  // empty until the first fingerprint
  std::vector<uint8_t> lead_tags_;     // lead_table_.size() + kLeadTagClone (LeadTag)
  void LeadInitLocked(size_t slots);   // an empty table of `slots` slots
  size_t lead_used_ = 0;               // slots not empty
  int64_t watermark_ = INT64_MIN;
  int64_t open_ = 0;
  StoreStats stats_;
};

}  // namespace newsflow::story
