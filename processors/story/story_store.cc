#include "processors/story/story_store.h"

#include "processors/story/sort_small.h"
#include "processors/story/story_json.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

// xxHash inlined (XXH_INLINE_ALL: the same values as the library's): interning hashes every
// entity, topic and number string of each article.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <rapidjson/internal/itoa.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <span>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace newsflow::story {
namespace {

constexpr size_t kMaxTitles = 16;
constexpr size_t kMaxArticles = 5;
constexpr size_t kMaxNumbers = 48;
constexpr size_t kMaxEntities = 48;

// The lead-set table's first size (slots), and its load limit before it doubles: linear
// probing stays short up to about 4/5 full (an absent shingle reads ~(1 + 1/(1 - load)^2) / 2
// slots: 7 at 0.72, 13 at 0.8, one or two cache lines). At 100,000 fingerprints of ~30
// indexed shingles (LeadIndexed) the table is 2^22 slots (33.5 MB, load 0.72), about what the
// former buckets took. Doubling moves every entry once per growth (measured: growing by a
// quarter instead was 2 % of story_bench's samples while the index grew).
constexpr size_t kLeadFirstSlots = size_t{1} << 16;  // a power of two (LeadNext)
constexpr size_t kLeadLoadNum = 4, kLeadLoadDen = 5;
// The band table's first size (a power of two; the exact table starts at half) and the
// tables' load limit: at 100,000 fingerprints 2^17 exact slots (2.1 MB) and 2^19 band slots
// (8.4 MB).
constexpr size_t kDupFirstSlots = size_t{1} << 16;
constexpr size_t kDupLoadNum = 4, kDupLoadDen = 5;

// Makes a fingerprint's lead values a set (sorted, unique) unless they are one already (one
// pass when they are: a fingerprint that was a candidate before).
void EnsureLeadSet(std::vector<uint32_t>* lead) {
  const uint32_t* const v = lead->data();
  const size_t n = lead->size();
  size_t i = 1;
  while (i < n && v[i - 1] < v[i]) ++i;
  if (i >= n) return;
  lead->resize(SortUniqueLeadValues(lead->data(), n));
}

size_t SharedCount(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  size_t n = 0;
  auto i = a.begin(), j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      ++n;
      ++i;
      ++j;
    }
  }
  return n;
}

template <typename T>
void InsertSorted(std::vector<T>& v, const T& x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}

std::string StoryIdFor(const std::string& article_id) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "st-%016" PRIx64,
                XXH3_64bits(article_id.data(), article_id.size()));
  return buf;
}

double Norm(const std::vector<std::pair<uint32_t, double>>& v) {
  double n = 0;
  for (const auto& [k, w] : v) n += w * w;
  return std::sqrt(n);
}

}  // namespace

void AppendFixed(double x, int decimals, std::string* out) {
  // std::to_chars with a precision writes what printf("%.*f") writes in the "C" locale (the
  // standard says so; libstdc++ formats the exact binary value), without printf's format
  // parsing. 400 bytes hold DBL_MAX's 309 digits with up to ~80 decimals; beyond, snprintf.
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::fixed, decimals);
  if (r.ec == std::errc()) {
    out->append(buf, r.ptr);
    return;
  }
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, x);
  out->append(buf);
}

struct StoryStore::Story {
  bool live = false;
  uint32_t gen = 0;
  // Its entry in the store's record cache (valid while that entry's slot and gen are this
  // story's): set by RecordLocked, which is const (the cache is not the story's state).
  mutable uint32_t record_cache = UINT32_MAX;
  std::string id;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  std::vector<std::pair<std::string, int64_t>> counts;  // G-Counter, sorted by writer
  int64_t count = 0;
  // Entities (summed salience), topics (summed score) and numbers, in one scoring record
  // (ScoreItem's layout); never empty: sig[0] is the header.
  std::vector<ScoreItem> sig = std::vector<ScoreItem>(1);
  std::vector<uint32_t> languages;                       // sorted by text (InsertByTextLocked)
  std::vector<uint32_t> sources;                         // sorted by text
  std::vector<std::pair<uint32_t, std::string>> titles;  // by language text
  std::vector<std::string> articles;
  struct Recent {
    int64_t time;
    uint32_t source;
    uint32_t language;
  };
  std::vector<Recent> recent;  // oldest first
  uint64_t fingerprint = 0;
  int64_t version = 0;
  std::string updated_by;

  void Recount() {
    count = 0;
    for (const auto& [w, c] : counts) count += c;
    sig[0].w = static_cast<double>(count);
  }

  size_t EntityCount() const { return sig[0].key & 0xffff; }
  size_t NumberCount() const { return sig[0].key >> 16; }
  size_t TopicCount() const { return sig[0].aux; }
  std::span<ScoreItem> Entities() { return {sig.data() + 1, EntityCount()}; }
  std::span<ScoreItem> Topics() { return {sig.data() + 1 + EntityCount(), TopicCount()}; }
  std::span<ScoreItem> Numbers() {
    return {sig.data() + 1 + EntityCount() + TopicCount(), NumberCount()};
  }
  std::span<const ScoreItem> Entities() const { return {sig.data() + 1, EntityCount()}; }
  std::span<const ScoreItem> Topics() const {
    return {sig.data() + 1 + EntityCount(), TopicCount()};
  }
  std::span<const ScoreItem> Numbers() const {
    return {sig.data() + 1 + EntityCount() + TopicCount(), NumberCount()};
  }
  // Inserts `item` at `pos` (an index into sig) as a new member of entities (0), topics (1)
  // or numbers (2).
  void Insert(size_t pos, ScoreItem item, int section) {
    sig.insert(sig.begin() + static_cast<std::ptrdiff_t>(pos), item);
    if (section == 0) sig[0].key += 1;
    if (section == 1) sig[0].aux += 1;
    if (section == 2) sig[0].key += 1u << 16;
  }
  // Finds `key` in a section (sorted by key): its index into sig, and whether it is there.
  std::pair<size_t, bool> Locate(std::span<const ScoreItem> section, uint32_t key) const {
    auto it = std::lower_bound(section.begin(), section.end(), key,
                               [](const ScoreItem& x, uint32_t k) { return x.key < k; });
    return {static_cast<size_t>(section.data() - sig.data()) +
                static_cast<size_t>(it - section.begin()),
            it != section.end() && it->key == key};
  }
  // An empty record (the allocation is kept for the slot's next story).
  void ClearSig() {
    sig.resize(1);
    sig[0] = ScoreItem{};
    sig[0].w = static_cast<double>(count);
  }
};

struct StoryStore::Fingerprint {
  uint64_t simhash = 0;
  uint64_t text_hash = 0;
  int64_t time = 0;
  int64_t closes_at = 0;
  // The opening's shingle values as the signature listed them (text order, a recurring
  // shingle each time), sorted and made unique in place the first time the fingerprint is a
  // lead-set candidate (EnsureLeadSetLocked): most fingerprints never are.
  std::vector<uint32_t> lead;
  std::string root;      // earliest article of this text
  std::string story_id;  // story of that article
};

StoryStore::StoryStore(StoryStoreConfig config)
    : config_(std::move(config)),
      prune_(
          config_.prune_candidates && config_.weight_entities >= 0 && config_.weight_topics >= 0 &&
          config_.weight_numbers >= 0 &&
          std::isfinite(config_.weight_entities + config_.weight_topics + config_.weight_numbers)) {
  // hot_[slot].sig points into a Story's `sig` buffer: when stories_ grows, its Stories must be
  // moved (the buffer goes with them), not copied (a new buffer, the pointer left dangling).
  static_assert(std::is_nothrow_move_constructible_v<Story>);
  static_assert(sizeof(SlotHot) == 32);  // two to a cache line
  for (uint32_t parts = 0; parts < 8; ++parts) {
    BoundWeights& w = bound_weights_[parts];
    w.we = (parts & 1) != 0 ? config_.weight_entities : 0.0;
    w.wt = (parts & 2) != 0 ? config_.weight_topics : 0.0;
    w.wn = (parts & 4) != 0 ? config_.weight_numbers : 0.0;
    const double total = w.we + w.wt + w.wn;
    w.inv_total = total > 0 ? 1.0 / total : 0.0;
  }
  // exact_, bands_ and lead_table_ (0.5 MB, 1 MB and 0.5 MB of slots) are allocated with the first
  // fingerprint (AddFingerprintLocked): a store that never sees one (stories off, tests,
  // start-up before the first article) does not zero-fill them.
}

StoryStore::~StoryStore() = default;

uint64_t StoryStore::InternHash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

uint32_t StoryStore::InternHashed(std::string_view s, uint64_t h) {
  if (intern_slots_.empty()) intern_slots_.assign(1024, 0);
  const uint64_t tag = h & 0xffffffff00000000ull;
  size_t mask = intern_slots_.size() - 1;
  size_t i = h & mask;
  for (; intern_slots_[i] != 0; i = (i + 1) & mask) {
    const uint64_t slot = intern_slots_[i];
    if ((slot & 0xffffffff00000000ull) != tag) continue;
    const uint32_t id = static_cast<uint32_t>(slot) - 1;
    if (names_[id] == s) return id;
  }
  const auto id = static_cast<uint32_t>(names_.size());
  names_.emplace_back(s);
  names_plain_.push_back(NeedsNoJsonEscape(s) ? 1 : 0);
  entity_index_.emplace_back();
  entity_log_df_.push_back(0.0);  // std::log(0 + 1.0)
  stable_views_.emplace_back();   // no stable copy yet (StableNameLocked)
  if (2 * names_.size() > intern_slots_.size()) {
    // Doubles (the hashes of every name again; names are never removed).
    intern_slots_.assign(2 * intern_slots_.size(), 0);
    mask = intern_slots_.size() - 1;
    for (uint32_t k = 0; k < names_.size(); ++k) {
      const uint64_t hk = InternHash(names_[k]);
      size_t j = hk & mask;
      while (intern_slots_[j] != 0) j = (j + 1) & mask;
      intern_slots_[j] = (hk & 0xffffffff00000000ull) | (k + 1);
    }
    return id;
  }
  intern_slots_[i] = tag | (id + 1);
  return id;
}

bool StoryStore::ShortNameOf(std::string_view s, ShortName* key) {
  const size_t n = s.size();
  const char* const p = s.data();
  if (n == 0 || n > 24) return false;
  // Words at fixed offsets for each size that together cover every byte (overlapping where
  // n is not a multiple of 8), the rest 0.
  key->a = key->b = key->c = 0;
  if (n >= 8) {
    std::memcpy(&key->a, p, 8);
    std::memcpy(&key->c, p + n - 8, 8);
    if (n > 16) std::memcpy(&key->b, p + 8, 8);
  } else if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    key->a = x | static_cast<uint64_t>(y) << 32;
  } else {
    for (size_t i = 0; i < n; ++i) key->a |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  }
  key->size = static_cast<uint32_t>(n);
  return true;
}

uint32_t StoryStore::CachedShortNameLocked(std::string_view s) const {
  ShortName k;
  if (short_names_.empty() || !ShortNameOf(s, &k)) return UINT32_MAX;
  const ShortName& e = short_names_[ShortNameSlot(k)];
  return e.size == k.size && e.a == k.a && e.b == k.b && e.c == k.c ? e.id : UINT32_MAX;
}

void StoryStore::CacheShortNameLocked(std::string_view s, uint32_t id) {
  ShortName k;
  if (!ShortNameOf(s, &k)) return;
  if (short_names_.empty()) short_names_.resize(size_t{1} << kShortNameBits);
  k.id = id;
  short_names_[ShortNameSlot(k)] = k;
}

void StoryStore::PrefetchInternNames(const std::vector<uint64_t>& hashes) {
  if (intern_slots_.empty()) return;
  // The first slot of each hash's run with its tag (nearly always its name): its string object,
  // then (once those have arrived) its bytes. Only requests: InternHashed decides.
  const size_t mask = intern_slots_.size() - 1;
  intern_peek_.clear();
  for (uint64_t h : hashes) {
    const uint64_t tag = h & 0xffffffff00000000ull;
    uint32_t id = UINT32_MAX;
    for (size_t i = h & mask; intern_slots_[i] != 0; i = (i + 1) & mask) {
      if ((intern_slots_[i] & 0xffffffff00000000ull) == tag) {
        id = static_cast<uint32_t>(intern_slots_[i]) - 1;
        break;
      }
    }
    if (id == UINT32_MAX) continue;
    __builtin_prefetch(&names_[id]);
    intern_peek_.push_back(id);
  }
  for (uint32_t id : intern_peek_) __builtin_prefetch(names_[id].data());
}

StoryStore::Story* StoryStore::Live(Posting p) { return IsLive(p) ? &stories_[p.slot] : nullptr; }

void StoryStore::AddDfLocked(uint32_t e, int32_t delta) {
  const int32_t df = entity_index_[e].df += delta;
  // The same expression as the idf's (so cached and computed values are bit-identical).
  entity_log_df_[e] = std::log(static_cast<double>(df) + 1.0);
}

void StoryStore::AdvanceWatermark(int64_t t) {
  if (t > watermark_) watermark_ = t;
}

void StoryStore::CloseLocked(uint32_t slot, bool evicted) {
  Story& s = stories_[slot];
  for (const ScoreItem& e : s.Entities()) {
    if (entity_index_[e.key].df > 0) AddDfLocked(e.key, -1);
  }
  by_id_.erase(s.id);
  s.live = false;
  ++s.gen;
  s.id.clear();
  s.counts.clear();
  s.ClearSig();
  entity_massless_ -= EntityMassless(hot_[slot]) ? 1 : 0;
  hot_[slot] = {HotTag(s.gen, false), 0, 0, s.sig.data(), 0};
  s.languages.clear();
  s.sources.clear();
  s.titles.clear();
  s.articles.clear();
  s.recent.clear();
  free_slots_.push_back(slot);
  --open_;
  ++(evicted ? stats_.evicted : stats_.expired);
}

void StoryStore::PopFingerprintLocked() {
  const Fingerprint& f = fingerprints_.front();
  const uint64_t seq = fingerprint_base_;
  if (!exact_.slots.empty()) {
    exact_.Erase(kExactKind, f.text_hash, static_cast<uint32_t>(seq));
    for (uint32_t b = 0; b < 4; ++b) bands_.Erase(b, f.simhash, static_cast<uint32_t>(seq));
  }
  if (!lead_table_.empty()) {
    for (uint32_t h : f.lead) {
      if (LeadIndexed(h)) LeadEraseLocked(h, static_cast<uint32_t>(seq));
    }
  }
  fingerprints_.pop_front();
  ++fingerprint_base_;
}

void StoryStore::ExpireLocked(int64_t reserve) {
  while (!expiry_.empty()) {
    auto [closes_at, slot, gen] = expiry_.top();
    const Story& s = stories_[slot];
    if (!s.live || s.gen != gen) {
      expiry_.pop();
      continue;
    }
    const bool expired = watermark_ != INT64_MIN && closes_at < watermark_;
    const bool over = open_ + reserve > config_.max_open;
    if (!expired && !over) break;
    expiry_.pop();
    CloseLocked(slot, !expired);
  }
  while (!fingerprints_.empty() &&
         (static_cast<int64_t>(fingerprints_.size()) > config_.max_fingerprints ||
          (watermark_ != INT64_MIN && fingerprints_.front().closes_at < watermark_))) {
    PopFingerprintLocked();
  }
}

int64_t StoryStore::ClosesAt(int64_t first_seen) const {
  // A story opened by a late article (a replayed backlog, input not in time order) stays open
  // for the allowed lateness from the watermark at which it opened, so its own late siblings
  // can still join it.
  const int64_t base = std::max(first_seen + config_.window_ms, watermark_);
  return base + config_.allowed_lateness_ms;
}

uint32_t StoryStore::NewStoryLocked(const std::string& id, int64_t first_seen) {
  ExpireLocked(/*reserve=*/1);  // room for this one within max_open
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(stories_.size());
    stories_.emplace_back();
    hot_.push_back({});
    seen_stamp_.push_back(0);
  }
  Story& s = stories_[slot];
  s.live = true;
  s.id = id;
  s.first_seen = s.last_seen = first_seen;
  s.count = 0;
  s.ClearSig();
  hot_[slot] = {HotTag(s.gen, true), 0, first_seen, s.sig.data(), 0};
  s.version = 0;
  s.fingerprint = 0;
  by_id_[id] = slot;
  ++open_;
  expiry_.emplace(ClosesAt(first_seen), slot, s.gen);
  return slot;
}

void StoryStore::AddArticleLocked(Story& s, const ArticleSignature& sig,
                                  const std::vector<std::pair<uint32_t, double>>& ents,
                                  const std::vector<std::pair<uint32_t, double>>& topics,
                                  const std::vector<uint32_t>& numbers, uint32_t lang,
                                  uint32_t source) {
  const uint32_t slot = static_cast<uint32_t>(&s - stories_.data());
  const Posting posting{slot, s.gen};
  // At most this many new items: one reallocation of the record at most.
  s.sig.reserve(s.sig.size() + ents.size() + topics.size() + numbers.size());
  for (const auto& [e, w] : ents) {
    const auto [pos, found] = s.Locate(s.Entities(), e);
    if (found) {
      s.sig[pos].w += w;
    } else if (s.EntityCount() < kMaxEntities) {
      s.Insert(pos, {e, 0, w}, 0);
      AddDfLocked(e, +1);
      auto& list = entity_index_[e].postings;
      // Compact stale postings now and then so lists track the open stories.
      if (list.size() >= 64 && list.size() > 2 * static_cast<size_t>(entity_index_[e].df)) {
        std::erase_if(list, [this](Posting p) { return !IsLive(p); });
      }
      list.push_back(posting);
    }
  }
  for (const auto& [t, w] : topics) {
    const auto [pos, found] = s.Locate(s.Topics(), t);
    if (found) {
      s.sig[pos].w += w;
    } else {
      s.Insert(pos, {t, 0, w}, 1);
      auto& list = topic_postings_[t];
      if (list.size() >= 256 && list.size() > 2 * static_cast<size_t>(open_)) {
        std::erase_if(list, [this](Posting p) { return !IsLive(p); });
      }
      list.push_back(posting);
    }
  }
  for (uint32_t n : numbers) {
    if (s.NumberCount() >= kMaxNumbers) break;
    const auto [pos, found] = s.Locate(s.Numbers(), n);
    if (!found) s.Insert(pos, {n, 0, 0.0}, 2);
  }
  if (lang != UINT32_MAX) {
    InsertByTextLocked(s.languages, lang);
    bool has_title = false;
    for (const auto& [l, t] : s.titles) has_title |= (l == lang);
    if (!has_title && s.titles.size() < kMaxTitles) AddTitleLocked(s, lang, sig.title);
  }
  if (source != UINT32_MAX && s.sources.size() < static_cast<size_t>(config_.max_sources)) {
    InsertByTextLocked(s.sources, source);
  }
  if (s.articles.size() < kMaxArticles) s.articles.push_back(sig.article_id);
  if (s.fingerprint == 0 && sig.has_fingerprint) s.fingerprint = sig.simhash;
  if (source != UINT32_MAX) StableNameLocked(source);
  if (lang != UINT32_MAX) StableNameLocked(lang);
  s.recent.push_back({sig.event_time_ms, source, lang});
  if (static_cast<int64_t>(s.recent.size()) > config_.recent_articles) {
    s.recent.erase(s.recent.begin());
  }
  if (sig.time_basis != "clock" || s.count == 0) {
    s.first_seen = std::min(s.first_seen, sig.event_time_ms);
    s.last_seen = std::max(s.last_seen, sig.event_time_ms);
    hot_[slot].first_seen = s.first_seen;
  }
  bool found = false;
  for (auto& [w, c] : s.counts) {
    if (w == config_.instance_id) {
      ++c;
      found = true;
    }
  }
  if (!found) {
    s.counts.emplace_back(config_.instance_id, 1);
    std::sort(s.counts.begin(), s.counts.end());
  }
  s.Recount();
  ++s.version;
  s.updated_by = config_.instance_id;
  SyncHotLocked(slot);
}

void StoryStore::InsertByTextLocked(std::vector<uint32_t>& ids, uint32_t id) const {
  // Interned strings are distinct: the same text is the same id.
  const std::string& text = names_[id];
  auto it = std::lower_bound(ids.begin(), ids.end(), id,
                             [&](uint32_t a, uint32_t) { return names_[a] < text; });
  if (it == ids.end() || *it != id) ids.insert(it, id);
}

void StoryStore::AddTitleLocked(Story& s, uint32_t lang, const std::string& title) const {
  const std::string& text = names_[lang];
  auto it = std::lower_bound(
      s.titles.begin(), s.titles.end(), lang,
      [&](const std::pair<uint32_t, std::string>& a, uint32_t) { return names_[a.first] < text; });
  s.titles.emplace(it, lang, title);
}

void StoryStore::SyncHotLocked(uint32_t slot) {
  const Story& s = stories_[slot];
  SlotHot& h = hot_[slot];
  h.sig = s.sig.data();
  // The masks and mass flags from the record (a few dozen items; ids are never removed from a
  // live story, so the masks only gain bits).
  uint64_t ids = 0;
  uint32_t numbers = 0;
  // A weight above kMassFloor makes the story's norm > 0 for sure: the story side of a part is
  // weight / article count * idf, squared, with article counts below 1e12 and idfs above 1e-10
  // (ln((open + 20) / (df + 1)) with df <= open), which stays far above the smallest double.
  constexpr double kMassFloor = 1e-100;
  for (const ScoreItem& e : s.Entities()) {
    ids |= uint64_t{1} << MaskBit(e.key, kEntityBits);
    if (std::fabs(e.w) > kMassFloor) numbers |= kEntityMass;
  }
  for (const ScoreItem& t : s.Topics()) {
    ids |= uint64_t{1} << (kEntityBits + MaskBit(t.key, kTopicBits));
    if (std::fabs(t.w) > kMassFloor) numbers |= kTopicMass;
  }
  for (const ScoreItem& n : s.Numbers()) numbers |= 1u << MaskBit(n.key, kNumberBits);
  entity_massless_ -= EntityMassless(h) ? 1 : 0;
  h.ids = ids;
  h.numbers = numbers;
  entity_massless_ += EntityMassless(h) ? 1 : 0;
}

double StoryStore::ListsBoundLocked(const Query& q, double mass) const {
  const double ent = q.na > 0 ? std::sqrt(std::min(1.0, mass / q.na)) : 1.0;
  const double num = std::min(1.0, static_cast<double>(q.numbers->size()) / 3.0);
  double bound = 0;
  // The story with or without topics (when the article has some), with or without numbers
  // (when the article has some): the weights are renormalised over the parts both sides have.
  for (int with_topics = 0; with_topics <= (q.ta > 0 ? 1 : 0); ++with_topics) {
    for (int with_numbers = 0; with_numbers <= (q.numbers->empty() ? 0 : 1); ++with_numbers) {
      const double wt = with_topics != 0 ? config_.weight_topics : 0.0;
      const double wn = with_numbers != 0 ? config_.weight_numbers : 0.0;
      const double total = config_.weight_entities + wt + wn;
      if (total > 0) {
        bound = std::max(bound, (config_.weight_entities * ent + wt + wn * num) / total);
      }
    }
  }
  return bound + 1e-9;
}

void StoryStore::MakeBoundQueryLocked(const Query& q, BoundQuery* b) const {
  *b = BoundQuery{};
  for (const auto& [e, aw] : *q.ents) {
    // The same expression as MakeQueryLocked's terms of na.
    const double v = aw * (q.log_n - entity_log_df_[e]);
    const uint32_t bit = MaskBit(e, kEntityBits);
    b->ids |= uint64_t{1} << bit;
    b->entity_mass[bit] += v * v;
  }
  for (const auto& [t, w] : *q.topics) {
    const uint32_t bit = MaskBit(t, kTopicBits);
    b->ids |= uint64_t{1} << (kEntityBits + bit);
    b->topic_mass[bit] += w * w;
  }
  for (uint32_t n : *q.numbers) {
    const uint32_t bit = MaskBit(n, kNumberBits);
    b->numbers |= 1u << bit;
    ++b->number_count[bit];
  }
  b->inv_na = q.na > 0 ? 1.0 / q.na : 0.0;
  b->inv_ta = q.ta > 0 ? 1.0 / q.ta : 0.0;
  b->parts = (q.na > 0 ? 1u : 0u) | (q.ta > 0 ? 2u : 0u) | (q.numbers->empty() ? 0u : 4u);
}

[[gnu::always_inline]] inline double StoryStore::FastBoundLocked(const SlotHot& h, const Query& q,
                                                                 const BoundQuery& b) const {
  constexpr uint64_t kEntityMask = (uint64_t{1} << kEntityBits) - 1;
  constexpr uint32_t kNumberMask = (1u << kNumberBits) - 1;
  // The parts the story has (bit 0 entities, 1 topics, 2 numbers), and those whose weights are
  // surely not all (nearly) zero (entities, topics: the mass flags; numbers have no weights).
  const uint32_t story_parts = ((h.ids & kEntityMask) != 0 ? 1u : 0u) |
                               ((h.ids >> kEntityBits) != 0 ? 2u : 0u) |
                               ((h.numbers & kNumberMask) != 0 ? 4u : 0u);
  const uint32_t sure = story_parts & ((h.numbers >> 30) | 4u);  // kEntityMass, kTopicMass
  const uint32_t may = story_parts & b.parts;
  if ((may & ~sure) != 0) return CandidateBoundLocked(h, q, b);  // a part may drop out
  const uint64_t shared = h.ids & b.ids;
  double e_mass = 0;
  for (uint64_t m = shared & kEntityMask; m != 0; m &= m - 1) {
    e_mass += b.entity_mass[__builtin_ctzll(m)];
  }
  double t_mass = 0;
  for (uint64_t m = shared >> kEntityBits; m != 0; m &= m - 1) {
    t_mass += b.topic_mass[__builtin_ctzll(m)];
  }
  int n_shared = 0;
  for (uint32_t m = h.numbers & b.numbers; m != 0; m &= m - 1) {  // b.numbers: bits 0-29 only
    n_shared += b.number_count[__builtin_ctz(m)];
  }
  const double ent = std::sqrt(std::min(1.0, e_mass * b.inv_na));
  const double top = std::min(1.0, std::sqrt(t_mass) * b.inv_ta);
  const double num = std::min(1.0, n_shared * (1.0 / 3.0));
  const BoundWeights& w = bound_weights_[may];
  return (w.we * ent + w.wt * top + w.wn * num) * w.inv_total + 1e-9;
}

[[gnu::noinline]] double StoryStore::CandidateBoundLocked(const SlotHot& h, const Query& q,
                                                          const BoundQuery& b) const {
  // ScoreLocked's parts, bounded. With S the entities the article and the story share and a, s
  // their idf-weighted vectors, Cauchy-Schwarz on S gives dot <= |a_S| |s_S| <= |a_S| |s|, so
  // the entity cosine is at most sqrt(|a_S|^2 / |a|^2); the article's entities whose mask bit
  // the story has are a superset of S, so their squared weights (entity_mass) bound |a_S|^2.
  // The same for the topic cosine; the shared numbers are at most the article's numbers whose
  // bits the story has. The weights are renormalised over the parts both sides have: which
  // ones the story has is known from its masks, except that a part whose weights are all
  // (nearly) zero has a zero norm and drops out, so both cases are bounded when the mass flag
  // does not rule that out.
  const uint64_t shared_ids = h.ids & b.ids;
  double e_mass = 0;
  for (uint64_t m = shared_ids & ((uint64_t{1} << kEntityBits) - 1); m != 0; m &= m - 1) {
    e_mass += b.entity_mass[__builtin_ctzll(m)];
  }
  double t_mass = 0;
  for (uint64_t m = shared_ids >> kEntityBits; m != 0; m &= m - 1) {
    t_mass += b.topic_mass[__builtin_ctzll(m)];
  }
  int n_shared = 0;
  for (uint32_t m = h.numbers & b.numbers & ((1u << kNumberBits) - 1); m != 0; m &= m - 1) {
    n_shared += b.number_count[__builtin_ctz(m)];
  }
  const double ent = q.na > 0 ? std::sqrt(std::min(1.0, e_mass / q.na)) : 0.0;
  const double top = q.ta > 0 ? std::min(1.0, std::sqrt(t_mass) / q.ta) : 0.0;
  const double num = std::min(1.0, n_shared / 3.0);
  const bool story_entities = (h.ids & ((uint64_t{1} << kEntityBits) - 1)) != 0;
  const bool story_topics = (h.ids >> kEntityBits) != 0;
  const bool story_numbers = (h.numbers & ((1u << kNumberBits) - 1)) != 0;
  // The weights each part may have in ScoreLocked: {w} when certain, {w, 0} when the part may
  // drop out, {0} when it does.
  const bool we_may = q.na > 0 && story_entities;
  const bool we_sure = we_may && (h.numbers & kEntityMass) != 0;
  const bool wt_may = q.ta > 0 && story_topics;
  const bool wt_sure = wt_may && (h.numbers & kTopicMass) != 0;
  const double wn = !q.numbers->empty() && story_numbers ? config_.weight_numbers : 0.0;
  double bound = 0;
  if (we_sure == we_may && wt_sure == wt_may) {
    // Which parts count is certain (the usual case): one weighted mean.
    const double we = we_sure ? config_.weight_entities : 0.0;
    const double wt = wt_sure ? config_.weight_topics : 0.0;
    const double total = we + wt + wn;
    if (total > 0) bound = (we * ent + wt * top + wn * num) / total;
    return bound + 1e-9;
  }
  for (int i = 0; i < 4; ++i) {
    const bool use_e = (i & 1) != 0, use_t = (i & 2) != 0;
    if ((use_e && !we_may) || (!use_e && we_sure) || (use_t && !wt_may) || (!use_t && wt_sure)) {
      continue;
    }
    const double we = use_e ? config_.weight_entities : 0.0;
    const double wt = use_t ? config_.weight_topics : 0.0;
    const double total = we + wt + wn;
    if (total > 0) bound = std::max(bound, (we * ent + wt * top + wn * num) / total);
  }
  // Far above the scores' rounding error (a few ulps of numbers <= 1), far below any
  // difference between scores that matters.
  return bound + 1e-9;
}

StoryStore::Query StoryStore::MakeQueryLocked(
    const std::vector<std::pair<uint32_t, double>>& ents,
    const std::vector<std::pair<uint32_t, double>>& topics,
    const std::vector<uint32_t>& numbers) const {
  Query q{&ents, &topics, &numbers};
  q.log_n = std::log(static_cast<double>(open_) + 20.0);
  for (const auto& [e, aw] : ents) {
    const double v = aw * (q.log_n - entity_log_df_[e]);
    q.na += v * v;
  }
  q.ta = Norm(topics);
  return q;
}

double StoryStore::ScoreLocked(const ScoreItem* sig, const Query& q, std::string* why) const {
  const auto& ents = *q.ents;
  const auto& topics = *q.topics;
  const auto& numbers = *q.numbers;
  const double log_n = q.log_n;
  // idf = ln((open + 20) / (stories with it + 1)); the logarithms are computed once (log_n per
  // article, ln(df + 1) when an entity's count changes), not per story entity.
  auto idf = [&](uint32_t e) { return log_n - entity_log_df_[e]; };
  const double count = sig[0].w;
  const double inv_count = count > 0 ? 1.0 / count : 1.0;
  const std::span<const ScoreItem> s_entities(sig + 1, sig[0].key & 0xffff);
  const std::span<const ScoreItem> s_topics(s_entities.data() + s_entities.size(), sig[0].aux);
  const std::span<const ScoreItem> s_numbers(s_topics.data() + s_topics.size(), sig[0].key >> 16);
  // Entities: cosine of idf-weighted salience vectors (story side: mean salience).
  double dot = 0, ns = 0;
  std::string shared_entities;
  size_t i = 0;
  for (const auto& [e, unused, sw] : s_entities) {
    const double w = idf(e);
    const double sv = sw * inv_count * w;
    ns += sv * sv;
    while (i < ents.size() && ents[i].first < e) ++i;
    if (i < ents.size() && ents[i].first == e) {
      dot += ents[i].second * w * sv;
      if (why != nullptr) {
        if (!shared_entities.empty()) shared_entities += ",";
        shared_entities += names_[e];
      }
    }
  }
  const double na = q.na;
  const double ent = (na > 0 && ns > 0) ? dot / std::sqrt(na * ns) : 0.0;
  // Topics: cosine of scores.
  double tdot = 0;
  std::string shared_topics;
  i = 0;
  for (const auto& [t, unused, sw] : s_topics) {
    while (i < topics.size() && topics[i].first < t) ++i;
    if (i < topics.size() && topics[i].first == t) {
      tdot += topics[i].second * sw * inv_count;
      if (why != nullptr) {
        if (!shared_topics.empty()) shared_topics += ",";
        shared_topics += names_[t];
      }
    }
  }
  double tn = 0;
  for (const ScoreItem& x : s_topics) tn += (x.w * inv_count) * (x.w * inv_count);
  const double ta = q.ta;
  const double top = (ta > 0 && tn > 0) ? tdot / (ta * std::sqrt(tn)) : 0.0;
  // Numbers: shared ones.
  int shared = 0;
  std::string shared_numbers;
  for (uint32_t n : numbers) {
    auto it = std::lower_bound(s_numbers.begin(), s_numbers.end(), n,
                               [](const ScoreItem& x, uint32_t k) { return x.key < k; });
    if (it != s_numbers.end() && it->key == n) {
      ++shared;
      if (why != nullptr) {
        if (!shared_numbers.empty()) shared_numbers += ",";
        shared_numbers += names_[n];
      }
    }
  }
  const double num = std::min(1.0, shared / 3.0);
  // A part that one side lacks (no topics, no numbers, no entities) is no evidence either way:
  // it leaves the sum and the weights are renormalised over the parts both sides have.
  const double we = (na > 0 && ns > 0) ? config_.weight_entities : 0.0;
  const double wt = (ta > 0 && tn > 0) ? config_.weight_topics : 0.0;
  const double wn = (!numbers.empty() && !s_numbers.empty()) ? config_.weight_numbers : 0.0;
  const double total = we + wt + wn;
  const double score = total > 0 ? (we * ent + wt * top + wn * num) / total : 0.0;
  if (why != nullptr) {
    // "score S = (entities E x We + topics T x Wt + numbers N x Wn) / W", the numbers as
    // printf's %.3f / %.2f would write them (AppendFixed; every joined article pays this).
    struct Part {
      const char* text;
      double value;
      int decimals;
    };
    const Part parts[] = {
        {"score ", score, 3}, {" = (entities ", ent, 3}, {" x ", we, 2}, {" + topics ", top, 3},
        {" x ", wt, 2},       {" + numbers ", num, 3},   {" x ", wn, 2}, {") / ", total, 2}};
    why->clear();
    for (const Part& part : parts) {
      why->append(part.text);
      AppendFixed(part.value, part.decimals, why);
    }
    why->append(" (a part one side lacks weighs 0); shared entities [")
        .append(shared_entities)
        .append("], topics [")
        .append(shared_topics)
        .append("], numbers [")
        .append(shared_numbers)
        .append("]");
  }
  return score;
}

const std::string& StoryStore::ResolveLocked(const std::string& id) const {
  const std::string* cur = &id;
  for (int hops = 0; hops < 16; ++hops) {
    auto it = merged_.find(*cur);
    if (it == merged_.end()) break;
    cur = &it->second;
  }
  return *cur;
}

std::optional<uint32_t> StoryStore::SlotOfLocked(const std::string& id) const {
  auto it = by_id_.find(ResolveLocked(id));
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

void StoryStore::AddFingerprintLocked(const ArticleSignature& sig, const std::string& root,
                                      const std::string& story_id) {
  const uint64_t seq = fingerprint_base_ + fingerprints_.size();
  if (exact_.slots.empty()) {
    exact_.Init(kDupFirstSlots / 2);
    bands_.Init(kDupFirstSlots);
  }
  fingerprints_.push_back({sig.simhash, sig.text_hash, sig.event_time_ms,
                           ClosesAt(sig.event_time_ms), sig.lead_shingles, root, story_id});
  // The exact entry only for a text not indexed yet: the earliest fingerprint of a text is the
  // one found. Assign's lookup read the text's whole run when it found no entry of the text
  // (DupHint): not indexed, and the run's end is the slot.
  const auto seq32 = static_cast<uint32_t>(seq);
  if (exact_hint_.epoch == exact_.epoch && exact_.slots[exact_hint_.end].kind == kDupEmpty) {
    exact_.InsertAt(exact_hint_.end, kExactKind, sig.text_hash, seq32);
  } else {
    bool indexed = false;
    size_t i = exact_.Home(kExactKind, sig.text_hash);
    for (; exact_.slots[i].kind != kDupEmpty; i = exact_.Next(i)) {
      if (DupMatches(exact_.slots[i], kExactKind, sig.text_hash)) indexed = true;
    }
    if (!indexed) exact_.InsertAt(i, kExactKind, sig.text_hash, seq32);
  }
  for (uint32_t b = 0; b < 4; ++b) {
    const DupHint& h = band_hints_[b];
    if (h.epoch == bands_.epoch && bands_.slots[h.end].kind == kDupEmpty) {
      bands_.InsertAt(h.end, b, sig.simhash, seq32);
    } else {
      bands_.Insert(b, sig.simhash, seq32);
    }
  }
  ClearDupHintsLocked();  // this article's
  if (config_.lead_jaccard > 0 && config_.max_lead_postings > 0) {
    if (lead_table_.empty()) LeadInitLocked(kLeadFirstSlots);
    if (lead_hints_epoch_ != UINT64_MAX) {
      // This article's lookup ran: its sampled shingles (lead_sampled_) and their runs as it
      // found them, while nothing was erased or moved since (an insertion may grow the table:
      // checked before each).
      for (size_t k = 0; k < lead_sampled_.size(); ++k) {
        if (lead_hints_epoch_ == lead_epoch_) {
          LeadInsertHintedLocked(lead_sampled_[k], static_cast<uint32_t>(seq), lead_hints_[k]);
        } else {
          LeadInsertLocked(lead_sampled_[k], static_cast<uint32_t>(seq));
        }
      }
    } else {
      ListSampledLeadLocked(sig.lead_shingles);
      for (uint32_t h : lead_sampled_) LeadInsertLocked(h, static_cast<uint32_t>(seq));
    }
  }
  lead_hints_epoch_ = UINT64_MAX;  // the hints were this article's
}

void StoryStore::ListSampledLeadLocked(const std::vector<uint32_t>& lead) {
  const size_t n = lead.size();
  if (sampled_seen_.size() < 2 * n) {
    sampled_seen_.assign(std::bit_ceil(std::max<size_t>(256, 2 * n)), {0, 0});
    sampled_stamp_ = 0;
  }
  if (++sampled_stamp_ == 0) {  // wrapped: stamps of 2^32 calls ago would look current
    for (SampledSeen& e : sampled_seen_) e.stamp = 0;
    sampled_stamp_ = 1;
  }
  const uint32_t stamp = sampled_stamp_;
  SampledSeen* const seen = sampled_seen_.data();
  const size_t mask = sampled_seen_.size() - 1;
  const int shift = 32 - std::countr_zero(sampled_seen_.size());
  lead_sampled_.resize(n);  // at most; written by index (no push_back call)
  uint32_t* const out = lead_sampled_.data();
  size_t m = 0;
  for (const uint32_t h : lead) {
    if (!LeadIndexed(h)) continue;
    bool repeated = false;
    for (size_t i = (h * 0x9E3779B1u) >> shift;; i = (i + 1) & mask) {
      if (seen[i].stamp != stamp) {
        seen[i] = {h, stamp};
        break;
      }
      if (seen[i].value == h) {
        repeated = true;
        break;
      }
    }
    if (repeated) continue;
    out[m++] = h;
    // A cache miss or two per sampled shingle, requested for all of them first so that they
    // overlap: the lookup reads the run's tags, the article's insertion writes the slot after
    // the run (usually on its home slot's line).
    const size_t i = LeadHome(h);
    __builtin_prefetch(&lead_tags_[i]);
    __builtin_prefetch(&lead_table_[i]);
  }
  lead_sampled_.resize(m);
}

void StoryStore::DupTable::Init(size_t n) {
  ++epoch;  // (DupHint)
  slots.assign(n, {0, 0, kDupEmpty});
  used = 0;
  shift = 64 - std::countr_zero(n);
}

void StoryStore::DupTable::Insert(uint32_t kind, uint64_t value, uint32_t seq) {
  size_t i = Home(kind, DupKey(kind, value));
  while (slots[i].kind != kDupEmpty) i = Next(i);
  InsertAt(i, kind, value, seq);
}

void StoryStore::DupTable::InsertAt(size_t i, uint32_t kind, uint64_t value, uint32_t seq) {
  slots[i] = {value, seq, kind};
  ++used;
  if (used * kDupLoadDen > slots.size() * kDupLoadNum) Grow();
}

void StoryStore::DupTable::Erase(uint32_t kind, uint64_t value, uint32_t seq) {
  ++epoch;  // entries may move (DupHint)
  const uint64_t key = DupKey(kind, value);
  size_t i = Home(kind, key);
  for (;; i = Next(i)) {
    if (slots[i].kind == kDupEmpty) return;  // not there (a text indexed earlier)
    if (slots[i].seq == seq && DupMatches(slots[i], kind, key)) break;
  }
  // Backward-shift deletion, as LeadEraseLocked.
  for (size_t j = Next(i); slots[j].kind != kDupEmpty; j = Next(j)) {
    const DupEntry& e = slots[j];
    const size_t k = Home(e.kind, DupKey(e.kind, e.value));
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    slots[i] = e;
    i = j;
  }
  slots[i] = {0, 0, kDupEmpty};
  --used;
}

void StoryStore::DupTable::Grow() {
  ++epoch;  // every entry moves (DupHint)
  std::vector<DupEntry> old(2 * slots.size(), {0, 0, kDupEmpty});
  old.swap(slots);
  --shift;
  for (const DupEntry& e : old) {
    if (e.kind == kDupEmpty) continue;
    size_t i = Home(e.kind, DupKey(e.kind, e.value));
    while (slots[i].kind != kDupEmpty) i = Next(i);
    slots[i] = e;
  }
}

StoryStore::LeadHint StoryStore::LeadRunLocked(uint32_t h, size_t home,
                                               std::vector<uint64_t>* candidates) const {
  // Every entry of the shingle is one of its max_lead_postings most recent (insertion keeps it
  // so): all of them are candidates. The oldest is the first of the lowest sequence number in
  // run order, as LeadInsertLocked takes it.
  const LeadEntry* const table = lead_table_.data();
  const size_t mask = lead_table_.size() - 1;
  LeadHint hint{0, 0, 0};
  uint64_t oldest_seq = UINT64_MAX;
  size_t i = home;
  for (; table[i].shingle != kLeadEmpty; i = (i + 1) & mask) {
    if (table[i].shingle != h) continue;
    const uint64_t s = LeadSeq(table[i].seq);
    candidates->push_back(s);
    ++hint.n;
    if (s < oldest_seq) {
      oldest_seq = s;
      hint.oldest = i;
    }
  }
  hint.end = i;
  return hint;
}

void StoryStore::LeadInsertLocked(uint32_t h, uint32_t seq) {
  // The shingle's run: its entries (how many, the oldest) up to the first empty slot.
  // (Through a plain pointer and mask: the loop is ~30 insertions an article, ~7 slots each.)
  const LeadEntry* const table = lead_table_.data();
  const size_t mask = lead_table_.size() - 1;
  size_t i = LeadHome(h);
  int64_t n = 0;
  size_t oldest = 0;
  uint64_t oldest_seq = UINT64_MAX;
  for (; table[i].shingle != kLeadEmpty; i = (i + 1) & mask) {
    if (table[i].shingle != h) continue;
    ++n;
    const uint64_t s = LeadSeq(table[i].seq);
    if (s < oldest_seq) {
      oldest_seq = s;
      oldest = i;
    }
  }
  if (n >= config_.max_lead_postings) {
    // The oldest can no longer be looked at (see the header): this entry takes its slot.
    lead_table_[oldest].seq = seq;
    return;
  }
  SetLeadSlotLocked(i, {h, seq});
  ++lead_used_;
  if (lead_used_ * kLeadLoadDen > lead_table_.size() * kLeadLoadNum) LeadGrowLocked();
}

inline void StoryStore::LeadInsertHintedLocked(uint32_t h, uint32_t seq, const LeadHint& hint) {
  // The slot's tag byte (0: empty), not the slot: the lookup has just read the tags of the run
  // (the same 16-byte load found hint.end), so it is in the cache, where the slot's line of the
  // 32 MB table is not. Read, the slot was a cache miss for nearly every sampled shingle (~30
  // an article at 100,000 open stories, a third of the two stages' last-level misses: callgrind's
  // cache simulation, bench/README.md "Session 21"); written only, it is a store.
  if (lead_tags_[hint.end] != 0) {
    // Filled by an earlier insertion of this article: the run goes on past it.
    LeadInsertLocked(h, seq);
    return;
  }
  if (hint.n >= config_.max_lead_postings) {
    lead_table_[hint.oldest].seq = seq;  // as LeadInsertLocked
    return;
  }
  SetLeadSlotFilledLocked(hint.end, h, seq);
  ++lead_used_;
  if (lead_used_ * kLeadLoadDen > lead_table_.size() * kLeadLoadNum) LeadGrowLocked();
}

void StoryStore::LeadEraseLocked(uint32_t h, uint32_t seq) {
  ++lead_epoch_;  // runs may move (lead_hints_)
  size_t i = LeadHome(h);
  for (;; i = LeadNext(i)) {
    if (lead_table_[i].shingle == kLeadEmpty) return;  // replaced by a newer one (or never in)
    if (lead_table_[i].shingle == h && lead_table_[i].seq == seq) break;
  }
  // Backward-shift deletion (no tombstones): later slots of the run whose home is not
  // cyclically within (hole, slot] move into the hole, so every entry stays reachable from
  // its home without crossing an empty slot.
  for (size_t j = LeadNext(i); lead_table_[j].shingle != kLeadEmpty; j = LeadNext(j)) {
    const size_t k = LeadHome(lead_table_[j].shingle);
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    SetLeadSlotLocked(i, lead_table_[j]);
    i = j;
  }
  SetLeadSlotLocked(i, {kLeadEmpty, 0});
  --lead_used_;
}

void StoryStore::LeadInitLocked(size_t slots) {
  lead_table_.assign(slots, {kLeadEmpty, 0});
  lead_tags_.assign(slots + kLeadTagClone, 0);
}

void StoryStore::LeadGrowLocked() {
  ++lead_epoch_;  // every entry moves (lead_hints_)
  std::vector<LeadEntry> old;
  old.swap(lead_table_);
  LeadInitLocked(2 * old.size());
  for (const LeadEntry& e : old) {
    if (e.shingle == kLeadEmpty) continue;
    size_t i = LeadHome(e.shingle);
    while (lead_table_[i].shingle != kLeadEmpty) i = LeadNext(i);
    SetLeadSlotLocked(i, e);
  }
}

void StoryStore::SeenStartLocked() {
  if (++seen_scan_ == 0) {
    // Wrapped after 2^32 scans: stamps of old scans could equal the new numbers.
    std::fill(seen_stamp_.begin(), seen_stamp_.end(), 0);
    seen_scan_ = 1;
  }
}

Assignment StoryStore::Assign(const ArticleSignature& sig, StateOutput output,
                              std::vector<core::StoryArticle>* recent_out) {
  std::lock_guard lock(mu_);
  Assignment out;
  lead_hints_epoch_ = UINT64_MAX;  // none yet for this article (its lookup takes them)
  ClearDupHintsLocked();
  if (sig.time_basis != "clock") AdvanceWatermark(sig.event_time_ms);
  ExpireLocked();
  ++stats_.assigned;

  // Interned, sorted signature parts (the store's scratch: no allocation per article once warm).
  std::vector<std::pair<uint32_t, double>>& ents = scratch_ents_;
  std::vector<std::pair<uint32_t, double>>& topics = scratch_topics_;
  std::vector<uint32_t>& numbers = scratch_numbers_;
  ents.clear();
  topics.clear();
  numbers.clear();
  // Hashed and their slots requested first, then the names the slots point to (a lookup
  // compares the string: its object in names_, then its bytes, two more dependent misses),
  // level by level so that the lookups' cache misses overlap; then interned in the same order
  // as ever (ids are given in first-seen order: entities, topics, numbers, then the language
  // and the source, as AddArticleLocked interned them).
  intern_scratch_.clear();
  // Entities of a taxonomy snapshot: those interned before through it take their ids from
  // intern_by_entity_ (not hashed, not looked up); the others are interned by their text and
  // remembered there.
  const bool by_index = sig.taxonomy != nullptr && sig.entity_indexes.size() == sig.entities.size();
  if (by_index && (intern_taxonomy_.owner_before(sig.taxonomy) ||
                   sig.taxonomy.owner_before(intern_taxonomy_))) {
    intern_taxonomy_ = sig.taxonomy;
    intern_by_entity_.clear();
  }
  std::vector<uint32_t>& entity_ids = scratch_entity_ids_;
  entity_ids.assign(sig.entities.size(), UINT32_MAX);
  for (size_t k = 0; k < sig.entities.size(); ++k) {
    if (by_index && sig.entity_indexes[k] < intern_by_entity_.size()) {
      entity_ids[k] = intern_by_entity_[sig.entity_indexes[k]];
    }
    if (entity_ids[k] == UINT32_MAX) intern_scratch_.push_back(InternHash(sig.entities[k].first));
  }
  // The topics, numbers, language and source: from the short-name cache, or hashed (their ids
  // UINT32_MAX here until interned below).
  std::vector<uint32_t>& part_ids = scratch_part_ids_;
  part_ids.clear();
  auto look_up = [&](std::string_view s) {
    const uint32_t id = CachedShortNameLocked(s);
    part_ids.push_back(id);
    if (id == UINT32_MAX) intern_scratch_.push_back(InternHash(s));
  };
  for (const auto& [id, w] : sig.topics) look_up(id);
  for (const auto& n : sig.numbers) look_up(n);
  if (!sig.language.empty()) look_up(sig.language);
  if (!sig.source.empty()) look_up(sig.source);
  for (uint64_t h : intern_scratch_) PrefetchIntern(h);
  PrefetchInternNames(intern_scratch_);
  const uint64_t* hash = intern_scratch_.data();
  const uint32_t* part_id = part_ids.data();
  auto intern_part = [&](std::string_view s) {
    uint32_t id = *part_id++;
    if (id == UINT32_MAX) {
      id = InternHashed(s, *hash++);
      CacheShortNameLocked(s, id);
    }
    return id;
  };
  for (size_t k = 0; k < sig.entities.size(); ++k) {
    uint32_t id = entity_ids[k];
    if (id == UINT32_MAX) {
      id = InternHashed(sig.entities[k].first, *hash++);
      const uint32_t index = by_index ? sig.entity_indexes[k] : UINT32_MAX;
      if (index != core::EntityResult::kNoTaxonomyIndex) {
        if (index >= intern_by_entity_.size()) intern_by_entity_.resize(index + 1, UINT32_MAX);
        intern_by_entity_[index] = id;
      }
    }
    ents.emplace_back(id, sig.entities[k].second);
  }
  for (const auto& [id, w] : sig.topics) topics.emplace_back(intern_part(id), w);
  for (const auto& n : sig.numbers) numbers.push_back(intern_part(n));
  const uint32_t language = sig.language.empty() ? UINT32_MAX : intern_part(sig.language);
  const uint32_t source = sig.source.empty() ? UINT32_MAX : intern_part(sig.source);
  SortSmall(ents.data(), ents.size());
  SortSmall(topics.data(), topics.size());
  SortSmall(numbers.data(), numbers.size());

  // 1. Near-duplicates.
  const Fingerprint* dup = nullptr;
  if (sig.has_fingerprint) {
    if (!exact_.slots.empty()) {  // else no fingerprint yet
      // Five home slots (the text hash's, the four bands'): requested together so that their
      // misses overlap.
      const size_t exact_home = exact_.Home(kExactKind, sig.text_hash);
      __builtin_prefetch(&exact_.slots[exact_home]);
      for (uint32_t b = 0; b < 4; ++b) {
        __builtin_prefetch(&bands_.slots[bands_.Home(b, DupKey(b, sig.simhash))]);
      }
      size_t i = exact_home;
      for (; exact_.slots[i].kind != kDupEmpty; i = exact_.Next(i)) {
        if (DupMatches(exact_.slots[i], kExactKind, sig.text_hash)) {
          dup = &fingerprints_[LeadSeq(exact_.slots[i].seq) - fingerprint_base_];
          break;
        }
      }
      if (dup == nullptr) exact_hint_ = {i, exact_.epoch};  // the whole run, no entry of the text
      if (dup != nullptr) {
        out.duplicate_distance = 0;
        ++stats_.exact_duplicates;
      }
    }
    if (dup == nullptr && !bands_.slots.empty()) {
      int best = static_cast<int>(config_.duplicate_distance) + 1;
      uint64_t best_seq = 0;
      for (uint32_t b = 0; b < 4; ++b) {
        const uint64_t key = DupKey(b, sig.simhash);
        size_t i = bands_.Home(b, key);
        for (; bands_.slots[i].kind != kDupEmpty; i = bands_.Next(i)) {
          const DupEntry& e = bands_.slots[i];
          if (!DupMatches(e, b, key)) continue;
          const int d = HammingDistance(sig.simhash, e.value);
          const uint64_t seq = LeadSeq(e.seq);
          if (d < best || (d == best && seq < best_seq)) {
            best = d;
            best_seq = seq;
          }
        }
        band_hints_[b] = {i, bands_.epoch};
      }
      if (best <= config_.duplicate_distance) {
        dup = &fingerprints_[best_seq - fingerprint_base_];
        out.duplicate_distance = best;
        ++stats_.near_duplicates;
      }
    }
  }
  if (dup == nullptr && config_.lead_jaccard > 0 && !sig.lead_shingles.empty() &&
      !lead_table_.empty()) {
    // Edited copies: the Jaccard similarity of the lead sets, over the fingerprints that share
    // lead shingles with this article (inverted index; bounded per shingle).
    std::vector<uint64_t>& candidates = scratch_lead_candidates_;
    candidates.clear();
    // The sampled shingles are listed once here, each once (lead_sampled_: the lookup and the
    // insertions go over them again, ~36 of the ~72 lead shingles).
    ListSampledLeadLocked(sig.lead_shingles);
    const std::vector<uint32_t>& sampled = lead_sampled_;
    // Each run is also what this article's insertion of the shingle needs (lead_hints_).
    const size_t n_sampled = sampled.size();
    const size_t mask = lead_table_.size() - 1;  // a power of two (LeadNext)
    lead_hints_.resize(n_sampled);
    LeadHint* const hints = lead_hints_.data();
    for (size_t k = 0; k < n_sampled; ++k) {
      const uint32_t h = sampled[k];
      const size_t home = LeadHome(h);
#if defined(__SSE2__)
      // The run's tags 16 slots at a time from the home slot (lead_tags_): while none before
      // the first empty slot is the shingle's tag, the shingle is absent (nearly always), and
      // its run ends at that empty slot. A matching tag (an entry of the shingle, or another
      // shingle's with the same 7 bits) sends the run to be read slot by slot.
      const __m128i want = _mm_set1_epi8(static_cast<char>(LeadTag(h)));
      bool absent = false;
      for (size_t i = home;; i = (i + 16) & mask) {
        const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&lead_tags_[i]));
        const auto empty = static_cast<uint32_t>(~_mm_movemask_epi8(w) & 0xffff);
        const auto match = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(w, want)));
        // The slots before the first empty one (all 16 when none is empty).
        if ((match & ((empty & (0u - empty)) - 1)) != 0) break;
        if (empty != 0) {
          hints[k] = {(i + static_cast<size_t>(__builtin_ctz(empty))) & mask, 0, 0};
          absent = true;
          break;
        }
      }
      if (absent) [[likely]]
        continue;
#endif
      hints[k] = LeadRunLocked(h, home, &candidates);
    }
    lead_hints_epoch_ = lead_epoch_;
    std::sort(candidates.begin(), candidates.end());
    // Candidates sharing at least 2 sampled shingles.
    size_t kept = 0;
    for (size_t i = 0; i < candidates.size();) {
      size_t j = i;
      while (j < candidates.size() && candidates[j] == candidates[i]) ++j;
      if (j - i >= 2) candidates[kept++] = candidates[i];
      i = j;
    }
    candidates.resize(kept);
    double best = config_.lead_jaccard;
    uint64_t best_seq = UINT64_MAX;
    // The exact Jaccard of the two sets: the article's as a set (sorted, unique) once, each
    // candidate's the first time it is one.
    std::vector<uint32_t>& lead_set = scratch_lead_set_;
    if (!candidates.empty()) {
      lead_set.assign(sig.lead_shingles.begin(), sig.lead_shingles.end());
      lead_set.resize(SortUniqueLeadValues(lead_set.data(), lead_set.size()));
    }
    for (uint64_t seq : candidates) {
      Fingerprint& f = fingerprints_[seq - fingerprint_base_];
      EnsureLeadSet(&f.lead);
      const size_t n = SharedCount(lead_set, f.lead);
      if (static_cast<int64_t>(n) < config_.lead_min_shared) continue;
      const double j =
          static_cast<double>(n) / static_cast<double>(lead_set.size() + f.lead.size() - n);
      if (j > best || (j == best && seq < best_seq)) {
        best = j;
        best_seq = seq;
      }
    }
    if (best_seq != UINT64_MAX) {
      dup = &fingerprints_[best_seq - fingerprint_base_];
      out.duplicate_distance = HammingDistance(sig.simhash, dup->simhash);
      out.lead_jaccard = best;
      ++stats_.near_duplicates;
    }
  }
  // The earliest article of this text: the article itself, or its copy's root (copied: opening
  // a story below may expire fingerprints, the one `dup` points to among them).
  std::string dup_root;
  if (dup != nullptr) dup_root = dup->root;
  const std::string& root = dup != nullptr ? dup_root : sig.article_id;
  std::optional<uint32_t> chosen;
  if (dup != nullptr) {
    out.duplicate_of = dup->root;
    chosen = SlotOfLocked(dup->story_id);
    if (chosen && config_.explain) {
      char buf[96];
      std::snprintf(buf, sizeof(buf),
                    "near-duplicate of %s (SimHash distance %d, lead Jaccard %.2f)",
                    dup->root.c_str(), out.duplicate_distance, out.lead_jaccard);
      out.explanation = buf;
    }
    if (chosen) out.score = 1.0;
  }

  // 2-3. Candidates and scores.
  if (!chosen) {
    const Query query = MakeQueryLocked(ents, topics, numbers);
    SeenStartLocked();
    size_t looked_at = 0;  // distinct candidate stories met by the scan
    double best = -1;
    std::optional<uint32_t> best_slot;
    size_t scored = 0;
    const bool timed = sig.time_basis != "clock";
    // Candidates within the window, in scan order: gathered first, scored after (below).
    std::vector<uint32_t>& to_score = scratch_to_score_;
    to_score.clear();
    // The postings of one list, newest first: the live ones (max_postings_scan at most) are
    // gathered once each (the seen-set), those within the window to be scored. Reads only the
    // dense arrays (hot_, the stamps); the Story is read only to be scored. One loop over plain
    // pointers (it was a lambda per posting through vector iterators: ~70 instructions a
    // candidate).
    const SlotHot* const hot = hot_.data();
    uint32_t* const seen = seen_stamp_.data();
    const uint32_t scan_id = seen_scan_;
    const int64_t max_scan = config_.max_postings_scan;
    const int64_t max_looked = config_.max_candidates;
    const int64_t event_time = sig.event_time_ms;
    const int64_t window = config_.window_ms;
    // Returns whether every live posting of the list was looked at (a story with the list's
    // entity is then a candidate already, or out of the window).
    auto scan = [&](const std::vector<Posting>& list) -> bool {
      // Each posting's slot is a random line of hot_ (a cache miss at 100,000 open stories,
      // measured: most of the scan's time): requested kAhead postings ahead of the one read.
      constexpr ptrdiff_t kAhead = 16;
      const Posting* const first = list.data();
      const Posting* p = first + list.size();
      for (const Posting* q = p; q != first && p - q < kAhead;) {
        --q;
        __builtin_prefetch(&hot[q->slot]);
      }
      int64_t n = 0;
      while (p != first && n < max_scan) {
        --p;
        if (p - first >= kAhead) __builtin_prefetch(&hot[(p - kAhead)->slot]);
        const SlotHot& h = hot[p->slot];
        if (h.tag != HotTag(p->gen, true)) continue;  // not live
        ++n;
        // Enough candidates: the rest of the list would be skipped anyway.
        if (static_cast<int64_t>(looked_at) >= max_looked) return false;
        uint32_t& stamp = seen[p->slot];
        if (stamp == scan_id) continue;  // gathered through another entity already
        stamp = scan_id;
        ++looked_at;
        // An article timed by the processing clock only (offline input without a date) is
        // matched on content alone.
        if (timed && std::llabs(event_time - h.first_seen) > window) continue;
        to_score.push_back(p->slot);
      }
      return p == first;
    };
    // Scoring reads two things per candidate, each a cache miss at 100,000 open stories: its
    // scoring record (one allocation, found through the dense hot_ array that the scan has
    // just read) and ln(df + 1) of each of its entities (measured with perf: nearly all of
    // ScoreLocked's time). The second depends on the first, so scored one by one they are
    // 2 x candidates misses in a row; prefetched level by level over a group of candidates
    // first, the misses of one level overlap.
    auto prefetch_records = [&](const uint32_t* slots, size_t n_slots) {
      for (size_t i = 0; i < n_slots; ++i) {
        // As an integer: the record may be shorter than 128 bytes (a prefetch past its end is
        // harmless; pointer arithmetic past it would not be).
        const uintptr_t b = reinterpret_cast<uintptr_t>(hot_[slots[i]].sig);
        // The first 128 bytes (header and seven items), wherever the allocation starts.
        __builtin_prefetch(reinterpret_cast<const void*>(b));
        __builtin_prefetch(reinterpret_cast<const void*>(b + 64));
        __builtin_prefetch(reinterpret_cast<const void*>(b + 127));
      }
      for (size_t i = 0; i < n_slots; ++i) {
        const ScoreItem* b = hot_[slots[i]].sig;
        const size_t n_ent = b[0].key & 0xffff;
        const size_t n = 1 + n_ent + b[0].aux + (b[0].key >> 16);
        for (size_t k = 8; k < n; k += 4) __builtin_prefetch(b + k);  // the record's other lines
        for (size_t k = 1; k <= n_ent; ++k) __builtin_prefetch(&entity_log_df_[b[k].key]);
      }
    };
    auto score_one = [&](uint32_t slot) {
      const double score = ScoreLocked(hot_[slot].sig, query, nullptr);
      ++scored;
      if (score > best ||
          (score == best && best_slot && stories_[slot].id < stories_[*best_slot].id)) {
        best = score;
        best_slot = slot;
      }
    };
    // Decision-preserving pruning, over to_score[from, end). A candidate's score is at most its
    // bound (from hot_, read by the scan already: CandidateBoundLocked); a candidate whose bound
    // is below join_threshold can never be joined, and one whose bound is below the best score
    // so far can neither beat it nor tie with it. Every candidate that scores the final best
    // (ties included) has a bound >= every cutoff on the way, so it is scored: the story chosen,
    // its score and the tie-break by id are exactly those of scoring every candidate
    // (StoryStorePruneTest compares both on random streams), whether the candidates come in one
    // group or list by list (the max-score stop below). The candidate with the highest bound is
    // scored first (usually the story the article belongs to), which sets the cutoff for the
    // rest.
    if (prune_) MakeBoundQueryLocked(query, &bound_query_);
    auto prune_and_score = [&](size_t from) {
      bounded_.clear();
      const double entry = std::max(best, config_.join_threshold);
      for (size_t i = from; i < to_score.size(); ++i) {
        const uint32_t slot = to_score[i];
        const double bound = FastBoundLocked(hot_[slot], query, bound_query_);
        if (bound >= entry) bounded_.push_back({bound, slot});
      }
      while (!bounded_.empty()) {
        size_t top = 0;
        for (size_t i = 1; i < bounded_.size(); ++i) {
          if (bounded_[i].first > bounded_[top].first) top = i;
        }
        const uint32_t slot = bounded_[top].second;
        bounded_[top] = bounded_.back();
        bounded_.pop_back();
        prefetch_records(&slot, 1);
        score_one(slot);
        // The rest that can still reach the best (or the threshold), prefetched as a group.
        const double cutoff = std::max(best, config_.join_threshold);
        size_t kept = 0;
        for (const auto& c : bounded_) {
          if (c.first >= cutoff) bounded_[kept++] = c;
        }
        bounded_.resize(kept);
        if (bounded_.size() <= 1) continue;
        survivors_.clear();
        for (const auto& c : bounded_) survivors_.push_back(c.second);
        prefetch_records(survivors_.data(), survivors_.size());
        for (const auto& [bound, next] : bounded_) {
          if (bound >= std::max(best, config_.join_threshold)) score_one(next);
        }
        bounded_.clear();
      }
    };
    bool scored_as_scanned = false;  // to_score pruned and scored list by list (may_stop)
    if (!ents.empty()) {
      // Rarest entities first: they tell stories apart, and their lists are short.
      // (df, id) pairs compared by df: the same comparisons, so the same order (ties included)
      // as sorting the ids by their df, without a random load per comparison.
      std::vector<ScanEntity>& order = scratch_order_;
      order.clear();
      for (const auto& [e, aw] : ents) {
        // MakeQueryLocked's term of na.
        const double v = aw * (query.log_n - entity_log_df_[e]);
        order.push_back({entity_index_[e].df, e, v * v, 0.0});
      }
      SortSmall(order.data(), order.size(),
                [](const ScanEntity& a, const ScanEntity& b) { return a.df < b.df; });
      // Max-score stop: the later lists (the longest) are not scanned when no story met only
      // through them can reach the best score so far, or join_threshold (ListsBoundLocked: from
      // the mass of the entities whose lists are left, and of those whose lists were cut short
      // by max_postings_scan). Such a story can neither be joined nor beat or tie with the best:
      // the same story and score as scanning on. The candidates are pruned and scored after
      // each list (the best so far sets the cutoff). Only without the explanation, which
      // counts the candidates looked at and scored; only with pruning (weights >= 0).
      const bool may_stop = prune_ && !config_.explain && entity_massless_ == 0 && query.na > 0;
      if (may_stop) {
        double rest = 0;
        for (size_t k = order.size(); k-- > 0;) order[k].rest = rest += order[k].mass;
        scored_as_scanned = true;
      }
      double cut_mass = 0;  // the entities whose lists were cut short
      for (size_t k = 0; k < order.size(); ++k) {
        if (static_cast<int64_t>(looked_at) >= config_.max_candidates) break;
        if (may_stop) {
          if (ListsBoundLocked(query, cut_mass + order[k].rest) <
              std::max(best, config_.join_threshold)) {
            stats_.lists_skipped += static_cast<int64_t>(order.size() - k);
            break;
          }
          const size_t from = to_score.size();
          if (!scan(entity_index_[order[k].id].postings)) cut_mass += order[k].mass;
          prune_and_score(from);
        } else {
          scan(entity_index_[order[k].id].postings);
        }
      }
    } else {
      for (const auto& [t, w] : topics) {
        auto it = topic_postings_.find(t);
        if (it != topic_postings_.end()) scan(it->second);
      }
    }
    stats_.candidates += static_cast<int64_t>(to_score.size());
    if (!prune_) {
      prefetch_records(to_score.data(), to_score.size());
      for (uint32_t slot : to_score) score_one(slot);
    } else if (!scored_as_scanned) {
      prune_and_score(0);
    }
    stats_.scored += static_cast<int64_t>(scored);
    if (best_slot && best >= config_.join_threshold) {
      chosen = best_slot;
      out.score = best;
      if (config_.explain) {
        ScoreLocked(hot_[*best_slot].sig, query, &out.explanation);
        out.explanation.insert(0, "joined: ");
      }
    } else if (config_.explain) {
      char buf[192];
      if (scored < to_score.size()) {
        // Pruned: the others were bounded below the threshold without being scored.
        if (best_slot) {
          std::snprintf(buf, sizeof(buf),
                        "opened: no candidate story reaches %.3f (%zu looked at, %zu scored, the "
                        "others bounded below it; best %s %.3f)",
                        config_.join_threshold, looked_at, scored, stories_[*best_slot].id.c_str(),
                        best);
        } else {
          std::snprintf(buf, sizeof(buf),
                        "opened: no candidate story reaches %.3f (%zu looked at, none scored: "
                        "all bounded below it)",
                        config_.join_threshold, looked_at);
        }
      } else if (best_slot) {
        std::snprintf(buf, sizeof(buf),
                      "opened: best of %zu candidate stories %s scored %.3f < %.3f", looked_at,
                      stories_[*best_slot].id.c_str(), best, config_.join_threshold);
      } else {
        std::snprintf(buf, sizeof(buf), "opened: no candidate story (%zu looked at)", looked_at);
      }
      out.explanation = buf;
    }
  }
  if (!chosen) {
    std::string id = StoryIdFor(sig.article_id);
    if (by_id_.contains(id) || merged_.contains(id)) {
      // The same article again (a redelivery): its story.
      chosen = SlotOfLocked(id);
    }
    if (!chosen) {
      chosen = NewStoryLocked(id, sig.event_time_ms);
      out.opened = true;
      ++stats_.opened;
    }
  }
  Story& s = stories_[*chosen];
  AddArticleLocked(s, sig, ents, topics, numbers, language, source);
  if (sig.has_fingerprint && (dup == nullptr || out.duplicate_distance > 0)) {
    AddFingerprintLocked(sig, root, s.id);
  }
  out.story_id = s.id;
  out.article_count = s.count;
  out.first_seen_ms = s.first_seen;
  // The story's latest articles: into the caller's vector when given, their names as views of
  // the stable copies (StableNameLocked: no string copied per article).
  std::vector<core::StoryArticle>& recent = recent_out != nullptr ? *recent_out : out.recent;
  recent.resize(s.recent.size());
  const std::string_view* const stable = stable_views_.data();
  for (size_t i = 0; i < s.recent.size(); ++i) {
    const Story::Recent& r = s.recent[i];
    core::StoryArticle& a = recent[i];
    a.time_ms = r.time;
    a.source = r.source == UINT32_MAX ? std::string_view() : stable[r.source];
    a.language = r.language == UINT32_MAX ? std::string_view() : stable[r.language];
  }
  if (output == StateOutput::kState) out.state = StateLocked(s);
  if (output == StateOutput::kRecord) out.record = RecordLocked(s);
  return out;
}

namespace {

// Writes `put`'s bytes (at most `bound`) into `out` (rare: a part of the record that changed).
template <typename F>
void WriteInto(std::string* out, size_t bound, F put) {
  out->resize(bound);
  char* const start = out->data();
  out->resize(static_cast<size_t>(put(start) - start));
}

}  // namespace

StoryStore::RecordCacheEntry& StoryStore::RecordEntryLocked(const Story& s) const {
  const uint32_t slot = static_cast<uint32_t>(&s - stories_.data());
  if (record_cache_.empty()) record_cache_.resize(kRecordCacheStories);
  if (s.record_cache < record_cache_.size() && record_cache_[s.record_cache].slot == slot &&
      record_cache_[s.record_cache].gen == s.gen) {
    return record_cache_[s.record_cache];
  }
  // The entry written longest ago makes room (its story, if it comes back, starts anew).
  s.record_cache = static_cast<uint32_t>(record_cache_next_);
  record_cache_next_ = (record_cache_next_ + 1) % record_cache_.size();
  RecordCacheEntry& e = record_cache_[s.record_cache];
  e.slot = slot;
  e.gen = s.gen;
  WriteInto(&e.head_json, 128 + 6 * s.id.size(), [&](char* p) {
    p = PutLiteral(p, R"({"schema":"newsflow.story.v1","id":)");
    p = schemas::PutJsonString(p, s.id);
    return PutLiteral(p, R"(,"merged_into":null,"article_count":)");
  });
  e.n_topics = e.n_entities = e.n_numbers = UINT32_MAX;
  e.texts.clear();
  e.items_json.clear();
  e.n_languages = e.n_sources = e.n_titles = e.n_articles = UINT32_MAX;
  e.first_seen_ms = e.last_seen_ms = INT64_MIN;
  e.fingerprint = s.fingerprint;
  PutHex16(e.fingerprint_text, s.fingerprint);
  return e;
}

char* StoryStore::PutWriterLocked(char* p, const std::string& name) const {
  if (name.size() == config_.instance_id.size() &&
      std::memcmp(name.data(), config_.instance_id.data(), name.size()) == 0) {
    return PutBytes(p, instance_json_.data(), instance_json_.size());
  }
  return schemas::PutJsonString(p, name);
}

std::string StoryStore::RecordLocked(const Story& s) const {
  if (instance_json_.empty()) {
    WriteInto(&instance_json_, 6 * config_.instance_id.size() + 2,
              [&](char* p) { return schemas::PutJsonString(p, config_.instance_id); });
  }
  RecordCacheEntry& e = RecordEntryLocked(s);
  // Languages, sources and titles are kept in their text's order (InsertByTextLocked,
  // AddTitleLocked): no sort per record. Their part of the record, and the articles', as last
  // written when the story has as many of each as then (they only grow).
  if (e.n_languages != s.languages.size() || e.n_sources != s.sources.size() ||
      e.n_titles != s.titles.size()) {
    size_t bound = 64;  // the keys and brackets
    for (uint32_t k : s.languages) bound += 6 * names_[k].size() + 8;
    for (uint32_t k : s.sources) bound += 6 * names_[k].size() + 8;
    for (const auto& [l, t] : s.titles) bound += 6 * (names_[l].size() + t.size()) + 16;
    WriteInto(&e.lists_json, bound, [&](char* p) {
      auto strings = [&](const std::vector<uint32_t>& ids) {
        *p++ = '[';
        for (size_t i = 0; i < ids.size(); ++i) {
          if (i > 0) *p++ = ',';
          p = PutName(p, names_[ids[i]], names_plain_[ids[i]] != 0);
        }
        *p++ = ']';
      };
      p = PutLiteral(p, R"(,"languages":)");
      strings(s.languages);
      p = PutLiteral(p, R"(,"sources":)");
      strings(s.sources);
      p = PutLiteral(p, R"(,"titles":{)");
      for (size_t i = 0; i < s.titles.size(); ++i) {
        if (i > 0) *p++ = ',';
        p = PutName(p, names_[s.titles[i].first], names_plain_[s.titles[i].first] != 0);
        *p++ = ':';
        p = schemas::PutJsonString(p, s.titles[i].second);
      }
      *p++ = '}';
      return p;
    });
    e.n_languages = static_cast<uint32_t>(s.languages.size());
    e.n_sources = static_cast<uint32_t>(s.sources.size());
    e.n_titles = static_cast<uint32_t>(s.titles.size());
  }
  if (e.n_articles != s.articles.size()) {
    size_t bound = 8;
    for (const std::string& a : s.articles) bound += 6 * a.size() + 8;
    WriteInto(&e.articles_json, bound, [&](char* p) {
      *p++ = '[';
      for (size_t i = 0; i < s.articles.size(); ++i) {
        if (i > 0) *p++ = ',';
        p = schemas::PutJsonString(p, s.articles[i]);
      }
      *p++ = ']';
      return p;
    });
    e.n_articles = static_cast<uint32_t>(s.articles.size());
  }
  if (e.first_seen_ms != s.first_seen) {
    e.first_seen_text = schemas::FormatRfc3339(s.first_seen);
    e.first_seen_ms = s.first_seen;
  }
  if (e.last_seen_ms != s.last_seen) {
    e.last_seen_text = schemas::FormatRfc3339(s.last_seen);
    e.last_seen_ms = s.last_seen;
  }
  if (e.fingerprint != s.fingerprint) {
    e.fingerprint = s.fingerprint;
    PutHex16(e.fingerprint_text, s.fingerprint);
  }
  // Items are never removed from a live story: the same counts as at its last record are the
  // same items at the same positions, in the same text order as then.
  const bool same_items = e.n_topics == s.TopicCount() && e.n_entities == s.EntityCount() &&
                          e.n_numbers == s.NumberCount();

  // An upper bound of the record's size: every string at 6 bytes a byte (the longest escape,
  // \u00XX) plus its quotes and separators, every number at its longest, the fixed text.
  size_t bound = 256 + e.head_json.size() + 6 * s.updated_by.size() + e.first_seen_text.size() +
                 e.last_seen_text.size() + e.lists_json.size() + e.articles_json.size() +
                 RecordItemsBoundLocked(s, e, same_items);
  for (const auto& [w, c] : s.counts) bound += 6 * w.size() + 8 + kMaxInt64Bytes;
  if (record_buffer_size_ < bound) {
    record_buffer_size_ = std::max(bound, 2 * record_buffer_size_);
    record_buffer_ = std::make_unique_for_overwrite<char[]>(record_buffer_size_);
  }
  char* const start = record_buffer_.get();
  char* p = PutBytes(start, e.head_json.data(), e.head_json.size());
  int64_t article_count = 0;
  for (const auto& [w, c] : s.counts) article_count += c;
  p = rapidjson::internal::i64toa(article_count, p);
  p = PutLiteral(p, R"(,"counts":{)");
  // s.counts is sorted by writer, as StoryState's map is.
  for (size_t i = 0; i < s.counts.size(); ++i) {
    if (i > 0) *p++ = ',';
    p = PutWriterLocked(p, s.counts[i].first);
    *p++ = ':';
    p = rapidjson::internal::i64toa(s.counts[i].second, p);
  }
  // The times are digits and "-:.TZ" (FormatRfc3339's format, strftime's for other years):
  // nothing to escape, so no escape scan.
  p = PutLiteral(p, R"(},"first_seen":")");
  p = PutBytes(p, e.first_seen_text.data(), e.first_seen_text.size());
  p = PutLiteral(p, R"(","last_seen":")");
  p = PutBytes(p, e.last_seen_text.data(), e.last_seen_text.size());
  p = PutLiteral(p, R"(","version":)");
  p = rapidjson::internal::i64toa(s.version, p);
  p = PutLiteral(p, R"(,"updated_by":)");
  p = PutWriterLocked(p, s.updated_by);
  p = PutBytes(p, e.lists_json.data(), e.lists_json.size());
  p = PutRecordItemsLocked(s, e, same_items, p);
  p = PutLiteral(p, R"(,"articles":)");
  p = PutBytes(p, e.articles_json.data(), e.articles_json.size());
  p = PutLiteral(p, R"(,"fingerprint":")");
  p = PutBytes(p, e.fingerprint_text, sizeof(e.fingerprint_text));
  p = PutLiteral(p, "\"}");
  const auto size = static_cast<size_t>(p - start);
  assert(size <= bound);  // the bound above is what was reserved
  return std::string(start, size);
}

size_t StoryStore::RecordItemsBoundLocked(const Story& s, const RecordCacheEntry& e,
                                          bool same_items) const {
  // The last text with each weight written anew at its longest.
  if (same_items) return e.items_json.size() + e.texts.size() * kMaxStoryWeightBytes;
  // {"id":…,"weight":<25 at most>}, and a comma, besides the name's own bytes.
  constexpr size_t kWeightedItemBytes = 64;
  size_t bound = 64;  // the keys and brackets
  for (const ScoreItem& x : s.Topics()) bound += 6 * names_[x.key].size() + kWeightedItemBytes;
  for (const ScoreItem& x : s.Entities()) bound += 6 * names_[x.key].size() + kWeightedItemBytes;
  for (const ScoreItem& x : s.Numbers()) bound += 6 * names_[x.key].size() + 8;
  return bound;
}

char* StoryStore::PutRecordItemsLocked(const Story& s, RecordCacheEntry& e, bool same_items,
                                       char* p) const {
  const std::span<const ScoreItem> topics = s.Topics(), entities = s.Entities(),
                                   numbers = s.Numbers();
  constexpr uint32_t kEntity = 1u << 16;
  char* const items = p;
  const char* const old = e.items_json.data();
  if (same_items) {
    // The last text, with the weights whose bits changed written anew (about a third of a
    // story's items an article): the bytes between them are copied as they were, and each
    // weight's offset moves by what the changed ones before it grew or shrank.
    size_t copied = 0;  // old text up to here is written
    int64_t shift = 0;  // new offset - old offset
    for (RecordText& t : e.texts) {
      const ScoreItem& x = (t.pos & kEntity) != 0 ? entities[t.pos & (kEntity - 1)] : topics[t.pos];
      uint64_t bits;
      std::memcpy(&bits, &x.w, sizeof(bits));
      const uint32_t off = t.off;
      t.off = static_cast<uint32_t>(off + shift);
      if (bits == t.bits) continue;
      p = PutBytes(p, old + copied, off - copied);
      char* const end = PutStoryWeight(p, x.w);
      const auto len = static_cast<uint32_t>(end - p);
      p = end;
      copied = off + t.len;
      shift += static_cast<int64_t>(len) - static_cast<int64_t>(t.len);
      t.len = len;
      t.bits = bits;
    }
    p = PutBytes(p, old + copied, e.items_json.size() - copied);
    e.items_json.assign(items, p);
    return p;
  }
  // New items: the topics and entities in record order (by their text; names are distinct
  // within a section, so this is StateLocked's order of (name, weight) pairs), each weight's
  // text the old one when the item (in the same order: earlier items keep their relative order,
  // new ones come in between) has the same id and weight bits, else formatted.
  thread_local std::vector<std::pair<std::string_view, uint32_t>> order;
  auto sort_section = [&](std::span<const ScoreItem> section) {
    order.clear();
    for (uint32_t k = 0; k < section.size(); ++k) order.emplace_back(names_[section[k].key], k);
    std::sort(order.begin(), order.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  };
  std::vector<RecordText>& fresh = record_scratch_;
  fresh.clear();
  size_t next = 0;
  const std::vector<RecordText>& was = e.texts;
  auto put_section = [&]<size_t N>(std::span<const ScoreItem> section, uint32_t tag,
                                   const char(&weight_key)[N]) {
    sort_section(section);
    *p++ = '[';
    for (size_t i = 0; i < order.size(); ++i) {
      if (i > 0) *p++ = ',';
      const ScoreItem& x = section[order[i].second];
      RecordText t;
      t.id = x.key;
      t.pos = order[i].second | tag;
      std::memcpy(&t.bits, &x.w, sizeof(t.bits));
      p = PutLiteral(p, R"({"id":)");
      p = PutName(p, order[i].first, names_plain_[x.key] != 0);
      p = PutLiteral(p, weight_key);
      t.off = static_cast<uint32_t>(p - items);
      if (next < was.size() && was[next].id == t.id && was[next].pos >> 16 == tag >> 16 &&
          was[next].bits == t.bits) {
        p = PutBytes(p, old + was[next].off, was[next].len);
        t.len = was[next].len;
      } else {
        char* const end = PutStoryWeight(p, x.w);
        t.len = static_cast<uint32_t>(end - p);
        p = end;
      }
      if (next < was.size() && was[next].id == t.id && was[next].pos >> 16 == tag >> 16) ++next;
      *p++ = '}';
      fresh.push_back(t);
    }
    *p++ = ']';
  };
  p = PutLiteral(p, R"(,"topics":)");
  put_section(topics, 0, R"(,"score":)");
  p = PutLiteral(p, R"(,"entities":)");
  put_section(entities, kEntity, R"(,"weight":)");
  // The numbers by their text.
  p = PutLiteral(p, R"(,"numbers":[)");
  sort_section(numbers);
  for (size_t i = 0; i < order.size(); ++i) {
    if (i > 0) *p++ = ',';
    p = PutName(p, order[i].first, names_plain_[numbers[order[i].second].key] != 0);
  }
  *p++ = ']';
  e.texts.swap(fresh);
  e.n_topics = static_cast<uint32_t>(topics.size());
  e.n_entities = static_cast<uint32_t>(entities.size());
  e.n_numbers = static_cast<uint32_t>(numbers.size());
  e.items_json.assign(items, p);
  return p;
}

StoryState StoryStore::StateLocked(const Story& s) const {
  StoryState st;
  st.id = s.id;
  for (const auto& [w, c] : s.counts) st.counts[w] = c;
  st.first_seen_ms = s.first_seen;
  st.last_seen_ms = s.last_seen;
  st.version = s.version;
  st.updated_by = s.updated_by;
  for (uint32_t l : s.languages) st.languages.push_back(names_[l]);
  for (uint32_t x : s.sources) st.sources.push_back(names_[x]);
  std::sort(st.languages.begin(), st.languages.end());
  std::sort(st.sources.begin(), st.sources.end());
  for (const auto& [l, t] : s.titles) st.titles[names_[l]] = t;
  for (const ScoreItem& t : s.Topics()) st.topics.emplace_back(names_[t.key], t.w);
  for (const ScoreItem& e : s.Entities()) st.entities.emplace_back(names_[e.key], e.w);
  std::sort(st.topics.begin(), st.topics.end());
  std::sort(st.entities.begin(), st.entities.end());
  for (const ScoreItem& n : s.Numbers()) st.numbers.push_back(names_[n.key]);
  std::sort(st.numbers.begin(), st.numbers.end());
  st.articles = s.articles;
  st.fingerprint = s.fingerprint;
  return st;
}

void StoryStore::MergeStateLocked(Story& s, const StoryState& r) {
  const uint32_t slot = static_cast<uint32_t>(&s - stories_.data());
  const Posting posting{slot, s.gen};
  for (const auto& [w, c] : r.counts) {
    auto it = std::lower_bound(s.counts.begin(), s.counts.end(), std::make_pair(w, INT64_MIN));
    if (it != s.counts.end() && it->first == w) {
      it->second = std::max(it->second, c);
    } else {
      s.counts.insert(it, {w, c});
    }
  }
  s.Recount();
  if (r.first_seen_ms < s.first_seen) {
    s.first_seen = r.first_seen_ms;
    hot_[slot].first_seen = s.first_seen;
    expiry_.emplace(ClosesAt(s.first_seen), slot, s.gen);
  }
  s.last_seen = std::max(s.last_seen, r.last_seen_ms);
  s.version = std::max(s.version, r.version);
  for (const auto& l : r.languages) InsertByTextLocked(s.languages, Intern(l));
  for (const auto& x : r.sources) {
    if (s.sources.size() < static_cast<size_t>(config_.max_sources))
      InsertByTextLocked(s.sources, Intern(x));
  }
  for (const auto& n : r.numbers) {
    if (s.NumberCount() < kMaxNumbers) {
      const uint32_t k = Intern(n);
      const auto [pos, found] = s.Locate(s.Numbers(), k);
      if (!found) s.Insert(pos, {k, 0, 0.0}, 2);
    }
  }
  for (const auto& [l, t] : r.titles) {
    const uint32_t lang = Intern(l);
    bool has = false;
    for (const auto& [x, y] : s.titles) has |= (x == lang);
    if (!has && s.titles.size() < kMaxTitles) AddTitleLocked(s, lang, t);
  }
  for (const auto& a : r.articles) {
    if (s.articles.size() < kMaxArticles &&
        std::find(s.articles.begin(), s.articles.end(), a) == s.articles.end()) {
      s.articles.push_back(a);
    }
  }
  auto merge_weighted = [&](const std::vector<std::pair<std::string, double>>& from,
                            bool entities) {
    for (const auto& [id, w] : from) {
      const uint32_t k = Intern(id);
      const auto [pos, found] = s.Locate(entities ? s.Entities() : s.Topics(), k);
      if (found) {
        s.sig[pos].w = std::max(s.sig[pos].w, w);
      } else if (!entities || s.EntityCount() < kMaxEntities) {
        s.Insert(pos, {k, 0, w}, entities ? 0 : 1);
        if (entities) {
          AddDfLocked(k, +1);
          entity_index_[k].postings.push_back(posting);
        } else {
          topic_postings_[k].push_back(posting);
        }
      }
    }
  };
  merge_weighted(r.entities, true);
  merge_weighted(r.topics, false);
  if (s.fingerprint == 0) s.fingerprint = r.fingerprint;
  SyncHotLocked(slot);
}

void StoryStore::AbsorbLocked(Story& winner, Story& loser) {
  // The loser's counters move to writer keys qualified by the loser's id, so later records of
  // the loser (from an instance that has not merged yet) still merge by max, not add twice.
  StoryState moved = StateLocked(loser);
  std::map<std::string, int64_t> qualified;
  for (const auto& [w, c] : moved.counts) {
    qualified[w.find('@') == std::string::npos ? w + "@" + loser.id : w] = c;
  }
  moved.counts = std::move(qualified);
  MergeStateLocked(winner, moved);
  merged_[loser.id] = winner.id;
  const uint32_t slot = static_cast<uint32_t>(&loser - stories_.data());
  CloseLocked(slot, false);
  --stats_.expired;
  ++stats_.merged;
}

namespace {

// The loser's counters under writer@loser keys (see AbsorbLocked).
StoryState Qualified(const StoryState& s, const std::string& loser) {
  StoryState q = s;
  q.merged_into.clear();
  q.counts.clear();
  for (const auto& [w, c] : s.counts) {
    q.counts[w.find('@') == std::string::npos ? w + "@" + loser : w] = c;
  }
  return q;
}

}  // namespace

std::vector<StoryState> StoryStore::ApplyRemote(const StoryState& remote, bool match_open) {
  std::lock_guard lock(mu_);
  std::vector<StoryState> changed;
  ++stats_.remote_applied;
  AdvanceWatermark(remote.last_seen_ms);
  ExpireLocked();
  if (!remote.merged_into.empty()) {
    merged_[remote.id] = remote.merged_into;
    auto loser = by_id_.find(remote.id);
    auto winner = SlotOfLocked(remote.merged_into);
    if (loser != by_id_.end() && winner && *winner != loser->second) {
      StoryState qualified = remote;
      qualified.merged_into.clear();
      MergeStateLocked(stories_[loser->second], qualified);
      AbsorbLocked(stories_[*winner], stories_[loser->second]);
      changed.push_back(StateLocked(stories_[*winner]));
    } else if (!winner) {
      // The winner has not arrived yet: keep the loser's state for it.
      const std::string final_winner = ResolveLocked(remote.id);
      if (loser != by_id_.end()) {
        pending_[final_winner].push_back(
            Qualified(StateLocked(stories_[loser->second]), remote.id));
        CloseLocked(loser->second, false);
        --stats_.expired;
        ++stats_.merged;
      }
      pending_[final_winner].push_back(Qualified(remote, remote.id));
    }
    return changed;
  }
  if (auto slot = SlotOfLocked(remote.id)) {
    Story& s = stories_[*slot];
    if (s.id == remote.id) {
      MergeStateLocked(s, remote);
    } else {
      // A record of a story merged away here: its counters go to the qualified keys.
      StoryState qualified = remote;
      qualified.counts.clear();
      for (const auto& [w, c] : remote.counts) {
        qualified.counts[w.find('@') == std::string::npos ? w + "@" + remote.id : w] = c;
      }
      MergeStateLocked(s, qualified);
    }
    return changed;
  }
  if (const std::string& winner = ResolveLocked(remote.id); winner != remote.id) {
    // A record of a story merged away whose winner has not arrived yet.
    pending_[winner].push_back(Qualified(remote, remote.id));
    return changed;
  }
  // A story this instance has not seen. If it matches an open story here (two instances opened
  // the same story at the same moment), the lower id wins.
  std::vector<std::pair<uint32_t, double>> ents, topics;
  std::vector<uint32_t> numbers;
  const double inv = remote.ArticleCount() > 0 ? 1.0 / remote.ArticleCount() : 1.0;
  for (const auto& [id, w] : remote.entities) ents.emplace_back(Intern(id), w * inv);
  for (const auto& [id, w] : remote.topics) topics.emplace_back(Intern(id), w * inv);
  for (const auto& n : remote.numbers) numbers.push_back(Intern(n));
  std::sort(ents.begin(), ents.end());
  std::sort(topics.begin(), topics.end());
  std::sort(numbers.begin(), numbers.end());
  const Query query = MakeQueryLocked(ents, topics, numbers);
  std::optional<uint32_t> match;
  double best = config_.join_threshold;
  std::vector<uint32_t> seen;
  for (const auto& [e, w] : ents) {
    if (!match_open) break;
    const std::vector<Posting>& list = entity_index_[e].postings;
    int64_t n = 0;
    for (auto p = list.rbegin(); p != list.rend() && n < config_.max_postings_scan; ++p) {
      Story* s = Live(*p);
      if (s == nullptr) continue;
      ++n;
      if (std::find(seen.begin(), seen.end(), p->slot) != seen.end()) continue;
      seen.push_back(p->slot);
      if (std::llabs(remote.first_seen_ms - s->first_seen) > config_.window_ms) continue;
      // Only stories no writer of the incoming one has seen: a writer that saw both kept them
      // apart on purpose (or merged them already).
      bool shared_writer = false;
      for (const auto& [local_writer, local_count] : s->counts) {
        const std::string writer = local_writer.substr(0, local_writer.find('@'));
        for (const auto& [rw, rn] : remote.counts) {
          shared_writer |= rw.compare(0, rw.find('@'), writer) == 0;
        }
      }
      if (shared_writer) continue;
      const double score = ScoreLocked(s->sig.data(), query, nullptr);
      if (score >= best) {
        best = score;
        match = p->slot;
      }
    }
  }
  const uint32_t slot = NewStoryLocked(remote.id, remote.first_seen_ms);
  MergeStateLocked(stories_[slot], remote);
  if (auto p = pending_.find(remote.id); p != pending_.end()) {
    for (const auto& loser : p->second) MergeStateLocked(stories_[slot], loser);
    pending_.erase(p);
  }
  if (match) {
    Story& local = stories_[*match];
    Story& incoming = stories_[slot];
    if (incoming.id < local.id) {
      changed.push_back(StateLocked(local));
      AbsorbLocked(incoming, local);
      changed.back().merged_into = incoming.id;
      changed.push_back(StateLocked(incoming));
    } else {
      changed.push_back(StateLocked(incoming));
      AbsorbLocked(local, incoming);
      changed.back().merged_into = local.id;
      changed.push_back(StateLocked(local));
    }
  }
  return changed;
}

std::vector<StoryState> StoryStore::OpenStories() const {
  std::lock_guard lock(mu_);
  std::vector<StoryState> out;
  for (const auto& s : stories_) {
    if (s.live) out.push_back(StateLocked(s));
  }
  std::sort(out.begin(), out.end(),
            [](const StoryState& a, const StoryState& b) { return a.id < b.id; });
  return out;
}

std::optional<StoryState> StoryStore::Find(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto slot = SlotOfLocked(id);
  if (!slot) return std::nullopt;
  return StateLocked(stories_[*slot]);
}

StoreStats StoryStore::Stats() const {
  std::lock_guard lock(mu_);
  StoreStats s = stats_;
  s.open = open_;
  s.fingerprints = static_cast<int64_t>(fingerprints_.size());
  s.watermark_ms = watermark_ == INT64_MIN ? 0 : watermark_;
  return s;
}

std::vector<int64_t> StoryStore::ArticleCountBuckets(const std::vector<int64_t>& bounds) const {
  std::lock_guard lock(mu_);
  std::vector<int64_t> out(bounds.size() + 1, 0);
  for (const auto& s : stories_) {
    if (!s.live) continue;
    for (size_t i = 0; i < bounds.size(); ++i) out[i] += s.count <= bounds[i] ? 1 : 0;
    ++out.back();
  }
  return out;
}

size_t StoryStore::ApproximateBytes() const {
  std::lock_guard lock(mu_);
  size_t bytes = stories_.capacity() * sizeof(Story);
  for (const auto& s : stories_) {
    bytes += s.id.capacity() + s.sig.capacity() * sizeof(ScoreItem) + s.languages.capacity() * 4 +
             s.sources.capacity() * 4 + s.recent.capacity() * sizeof(Story::Recent) +
             s.counts.capacity() * 40;
    for (const auto& [l, t] : s.titles) bytes += 40 + t.capacity();
    for (const auto& a : s.articles) bytes += 32 + a.capacity();
  }
  bytes += entity_index_.capacity() * sizeof(EntityIndex);
  for (const auto& x : entity_index_) bytes += x.postings.capacity() * sizeof(Posting);
  for (const auto& [k, v] : topic_postings_) bytes += 48 + v.capacity() * sizeof(Posting);
  bytes += by_id_.size() * 64 + intern_slots_.capacity() * 8 + entity_log_df_.capacity() * 8 +
           hot_.capacity() * sizeof(SlotHot) + seen_stamp_.capacity() * sizeof(uint32_t) +
           intern_by_entity_.capacity() * sizeof(uint32_t);
  for (const auto& n : names_) bytes += n.capacity();
  for (const auto& f : fingerprints_)
    bytes +=
        sizeof(Fingerprint) + f.root.capacity() + f.story_id.capacity() + f.lead.capacity() * 4;
  bytes += (exact_.slots.capacity() + bands_.slots.capacity()) * sizeof(DupEntry);
  bytes += lead_table_.capacity() * sizeof(LeadEntry) + lead_tags_.capacity();
  bytes += stable_views_.capacity() * sizeof(std::string_view);
  for (const auto& n : stable_names_) bytes += sizeof(n) + n.capacity();
  for (const auto& e : record_cache_) {
    bytes += sizeof(e) + e.texts.capacity() * sizeof(RecordText) + e.items_json.capacity() +
             e.head_json.capacity() + e.lists_json.capacity() + e.articles_json.capacity();
  }
  return bytes;
}

}  // namespace newsflow::story
