#include "processors/tag/tag_stage.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "processors/core/config.h"

namespace newsflow::tag {
namespace {

bool IsAlias(PatternKind k) { return k == PatternKind::kAlias || k == PatternKind::kWeakAlias; }

double Round4(double x) { return std::round(x * 10000.0) / 10000.0; }

}  // namespace

Result<TagConfig> TagConfig::FromYaml(const YAML::Node& node, const std::string& path) {
  TagConfig c;
  core::ConfigReader r(node, path);
  r.Read("context_window", &c.context_window,
         "Tokens around a weak alias within which a context word confirms it.");
  r.Read("max_mentions", &c.max_mentions, "Mentions listed per entity in the output.");
  r.Read("unlinked_names", &c.unlinked_names,
         "List proper-name spans no gazetteer entity covers as entities of type 'name'.");
  r.Require(c.context_window > 0, "context_window", "must be positive");
  r.Require(c.max_mentions > 0, "max_mentions", "must be positive");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return c;
}

Result<std::unique_ptr<core::Stage>> TagStage::Create(const YAML::Node& node,
                                                      const std::string& path,
                                                      std::shared_ptr<const TaxonomyStore> store) {
  NEWSFLOW_ASSIGN_OR_RETURN(TagConfig config, TagConfig::FromYaml(node, path));
  if (!store) {
    return Status(Code::kInvalidConfig, "config", path + ": no taxonomy loaded");
  }
  std::shared_ptr<const NameFinder> names;
  if (config.unlinked_names) {
    NEWSFLOW_ASSIGN_OR_RETURN(names, NameFinder::Create());
  }
  return std::unique_ptr<core::Stage>(
      std::make_unique<TagStage>(config, std::move(store), std::move(names)));
}

double EntitySalience(bool in_title, size_t mentions, uint32_t first_token, size_t token_count) {
  const double n = static_cast<double>(mentions);
  const double count = std::max<double>(1.0, static_cast<double>(token_count));
  return Round4(std::clamp(0.45 * (in_title ? 1.0 : 0.0) + 0.35 * (1.0 - std::exp(-n / 2.0)) +
                               0.20 * (1.0 - first_token / count),
                           0.0, 1.0));
}

std::string_view OriginalText(const core::Document& doc, core::Field field) {
  return field == core::Field::kTitle ? std::string_view(doc.article.title)
                                      : std::string_view(doc.article.body);
}

core::Match MatchForTokens(const core::Document& doc, uint32_t begin, uint32_t end,
                           std::string rule) {
  const core::Token& first = doc.tokens[begin];
  const core::Token& last = doc.tokens[end - 1];
  const std::string_view text = OriginalText(doc, first.field);
  core::Match m;
  m.field = first.field;
  m.begin = first.begin;
  m.end = std::max(last.end, first.begin);
  if (m.end <= text.size()) m.text = std::string(text.substr(m.begin, m.end - m.begin));
  m.rule = std::move(rule);
  return m;
}

namespace {

uint64_t Pack(uint32_t first, uint32_t second) { return (uint64_t{first} << 32) | second; }
uint32_t First(uint64_t packed) { return static_cast<uint32_t>(packed >> 32); }
uint32_t Second(uint64_t packed) { return static_cast<uint32_t>(packed); }

// Per-thread scratch of TagStage::Process, reused across records so that resolving the hits
// of an article does not allocate once the buffers have grown to the largest article seen.
struct TagScratch {
  std::vector<uint8_t> drop;
  std::span<const uint32_t> aliases;  // indices of alias hits, in hit order (in alias_room)
  std::vector<uint32_t> strong;       // entities with a strong mention, sorted
  // Pairs of 32-bit numbers packed as (first << 32 | second), so that sorting them compares
  // one integer: the order is that of the pairs.
  // (token_begin, entity) of the context-word hits, in hit order, which is token order: a weak
  // alias looks up its window by binary search on the token, without sorting (in context_room).
  std::span<const uint64_t> context;
  // Storage of `aliases` and `context`: room for every hit of the largest article seen, never
  // shrunk, so that filling them needs neither push_back nor initialisation (SortOutHits).
  std::vector<uint32_t> alias_room;
  std::vector<uint64_t> context_room;
  std::vector<uint64_t> mentions;  // (entity, hit), sorted
  struct Group {
    uint32_t first_hit;  // where the entity is first mentioned: the order entities are found
    uint32_t begin;      // its range in `mentions`
    uint32_t end;
    uint32_t entity;
    double salience;
  };
  std::vector<Group> groups;
};

// Phase 1: the alias hits (scratch.aliases) and the context-word hits (scratch.context, in
// token order), in one pass over the hits (an article has a few hundred, mostly topic terms).
void SortOutHits(const std::vector<core::PatternHit>& hits, std::span<const PatternInfo> info,
                 TagScratch& scratch) {
  const size_t n = hits.size();
  const core::PatternHit* const h = hits.data();
  scratch.drop.assign(n, 0);
  // Written through local pointers into room for every hit: push_back on thread-local vectors
  // stored each one's end back after every append and kept the loop's counter in memory (~13
  // instructions a hit, ~250 hits an article, plus ~10 a context hit, in the per-instruction
  // profile); vectors resized to the hit count and cut back would be zero-filled every time.
  if (scratch.alias_room.size() < n) {
    scratch.alias_room.resize(n);
    scratch.context_room.resize(n);
  }
  uint32_t* const alias_begin = scratch.alias_room.data();
  uint64_t* const word_begin = scratch.context_room.data();
  uint32_t* alias = alias_begin;
  uint64_t* word = word_begin;
  for (size_t i = 0; i < n; ++i) {
    const PatternInfo& pi = info[h[i].pattern];
    if (IsAlias(pi.kind)) {
      *alias++ = static_cast<uint32_t>(i);
    } else if (pi.kind == PatternKind::kContext) {
      *word++ = Pack(h[i].token_begin, pi.owner);
    }
  }
  scratch.aliases = {alias_begin, static_cast<size_t>(alias - alias_begin)};
  scratch.context = {word_begin, static_cast<size_t>(word - word_begin)};
}

// Phase 2: marks in scratch.drop the alias hits shadowed by a longer alias hit or repeating
// the same entity at the same span.
void DropShadowedAliases(const std::vector<core::PatternHit>& hits,
                         std::span<const PatternInfo> info, TagScratch& scratch) {
  auto& drop = scratch.drop;
  const auto& aliases = scratch.aliases;

  // Longest match: drop an alias hit strictly inside a longer alias hit. Hits are ordered by
  // start token, so in one pass: an alias hit g contains h if g starts before h and ends at or
  // after h's end, or starts with h and ends after it. Kept as the largest end among alias hits
  // that start before the current token, and among those that start at it.
  uint32_t end_before = 0;  // largest token_end of alias hits starting before the current token
  for (size_t a = 0; a < aliases.size();) {
    const uint32_t begin = hits[aliases[a]].token_begin;
    size_t z = a;
    uint32_t end_here = 0;  // largest token_end of alias hits starting at `begin`
    for (; z < aliases.size() && hits[aliases[z]].token_begin == begin; ++z) {
      end_here = std::max(end_here, hits[aliases[z]].token_end);
    }
    for (size_t k = a; k < z; ++k) {
      const uint32_t end = hits[aliases[k]].token_end;
      if (end_before >= end || end_here > end) drop[aliases[k]] = 1;
    }
    end_before = std::max(end_before, end_here);
    a = z;
  }
  for (size_t a = 0; a < aliases.size(); ++a) {
    // Also drop a second hit of the same entity at the same span (two aliases, same words).
    const auto& h = hits[aliases[a]];
    if (drop[aliases[a]]) continue;
    for (size_t b = a + 1; b < aliases.size() && hits[aliases[b]].token_begin == h.token_begin;
         ++b) {
      const auto& g = hits[aliases[b]];
      if (g.token_end == h.token_end && info[g.pattern].owner == info[h.pattern].owner) {
        drop[aliases[b]] = 1;
      }
    }
  }
}

// Phase 3: drops weak alias hits that have neither a strong mention of their entity nor one
// of its context words within `window` tokens.
void ConfirmWeakAliases(const std::vector<core::PatternHit>& hits,
                        std::span<const PatternInfo> info, int64_t window, TagScratch& scratch) {
  auto& drop = scratch.drop;
  const auto& aliases = scratch.aliases;
  // Entities with a strong mention; weak mentions need one, or a context word nearby.
  auto& strong = scratch.strong;
  strong.clear();
  bool any_weak = false;
  for (uint32_t i : aliases) {
    if (drop[i]) continue;
    if (info[hits[i].pattern].kind == PatternKind::kAlias) {
      strong.push_back(info[hits[i].pattern].owner);
    } else {
      any_weak = true;
    }
  }
  if (any_weak) {
    std::sort(strong.begin(), strong.end());
    // Collected by SortOutHits in hit order: the matcher reports hits by start token, so the
    // context hits are ordered by token (the order of the packed values' high halves). Sorting
    // them by entity cost more than the rest of the stage's bookkeeping together (~4.7 K
    // instructions per article on the dev corpus), for the few weak aliases that need them; a
    // weak alias instead scans the context hits inside its window.
    const auto& context = scratch.context;
    for (uint32_t i : aliases) {
      const auto& h = hits[i];
      if (drop[i] || info[h.pattern].kind != PatternKind::kWeakAlias) continue;
      const uint32_t entity = info[h.pattern].owner;
      if (std::binary_search(strong.begin(), strong.end(), entity)) continue;
      // Context words of the entity starting within context_window tokens of the weak alias.
      const int64_t lo = std::max<int64_t>(0, int64_t{h.token_begin} - window);
      const int64_t hi = int64_t{h.token_begin} + window;
      bool confirmed = false;
      for (auto it =
               std::lower_bound(context.begin(), context.end(), Pack(static_cast<uint32_t>(lo), 0));
           it != context.end() && int64_t{First(*it)} <= hi; ++it) {
        if (Second(*it) == entity) {
          confirmed = true;
          break;
        }
      }
      drop[i] = confirmed ? 0 : 1;
    }
  }
}

// Phase 4: keeps only the surviving hits (the score stage reads them as entity occurrences)
// and lists the surviving alias hits as (entity, index among the kept hits) in
// scratch.mentions, in hit order. Only alias hits are ever dropped (phases 2 and 3), so the
// walk is over the alias hits (a few dozen per article), not every hit (a few hundred): the
// runs of hits between two dropped ones move down as blocks, and not at all before the first.
void KeepSurvivingHits(core::Document& doc, std::span<const PatternInfo> info,
                       TagScratch& scratch) {
  const auto& drop = scratch.drop;
  auto& mentions = scratch.mentions;
  mentions.clear();
  core::PatternHit* const h = doc.hits.data();
  const size_t n = doc.hits.size();
  size_t kept = 0;  // hits [0, kept) are final
  size_t from = 0;  // hits [from, a) survive and are still to move down to `kept`
  for (const uint32_t a : scratch.aliases) {
    if (drop[a]) {
      if (kept != from) std::copy(h + from, h + a, h + kept);
      kept += a - from;
      from = a + 1;
    } else {
      mentions.push_back(Pack(info[h[a].pattern].owner, static_cast<uint32_t>(kept + (a - from))));
    }
  }
  if (kept != from) std::copy(h + from, h + n, h + kept);
  kept += n - from;
  doc.hits.resize(kept);
}

// Phase 5: one EntityResult per entity mentioned (scratch.mentions), with mentions and
// salience, most salient first (then by name, then in the order of their first mention).
void BuildEntities(core::Document& doc, const Taxonomy& tax, int64_t max_mentions,
                   TagScratch& scratch) {
  const auto& hits = doc.hits;
  const auto& entities = tax.entities();
  // Group mentions per entity.
  auto& mentions = scratch.mentions;
  std::sort(mentions.begin(), mentions.end());
  auto& groups = scratch.groups;
  groups.clear();
  for (uint32_t m = 0; m < mentions.size();) {
    const uint32_t entity = First(mentions[m]);
    uint32_t e = m;
    bool in_title = false;
    uint32_t first = hits[Second(mentions[m])].token_begin;
    for (; e < mentions.size() && First(mentions[e]) == entity; ++e) {
      const auto& h = hits[Second(mentions[e])];
      in_title = in_title || doc.tokens[h.token_begin].field == core::Field::kTitle;
      first = std::min(first, h.token_begin);
    }
    groups.push_back({Second(mentions[m]), m, e, entity,
                      EntitySalience(in_title, e - m, first, doc.tokens.size())});
    m = e;
  }
  // The final order, on the groups (small and trivially copyable) rather than on the results
  // (strings and a vector each, which a stable sort moved around through a temporary buffer
  // allocated per article). Ties of salience and name fall back to the first mention, which is
  // distinct per entity: a total order, so std::sort gives what a stable sort of the entities
  // in the order of their first mention gave.
  std::sort(groups.begin(), groups.end(), [&entities](const auto& a, const auto& b) {
    if (a.salience != b.salience) return a.salience > b.salience;
    if (a.entity != b.entity) {
      const int c = entities[a.entity].name.compare(entities[b.entity].name);
      if (c != 0) return c < 0;
    }
    return a.first_hit < b.first_hit;
  });
  doc.entities.clear();
  doc.entities.reserve(groups.size());
  for (const auto& group : groups) {
    const Entity& e = entities[group.entity];
    core::EntityResult& r = doc.entities.emplace_back();
    r.id = e.id;
    r.name = e.name;
    r.type = e.type;
    r.salience = group.salience;
    r.taxonomy_index = group.entity;
    const size_t shown = std::min<size_t>(group.end - group.begin, max_mentions);
    r.mentions.reserve(shown);
    for (uint32_t m = group.begin; m < group.begin + shown; ++m) {
      const auto& h = hits[Second(mentions[m])];
      r.mentions.push_back(MatchForTokens(doc, h.token_begin, h.token_end));
    }
  }
}

}  // namespace

Status TagStage::Process(core::Document& doc, const core::StageContext& /*ctx*/) const {
  std::shared_ptr<const Taxonomy> tax = store_->Get();
  doc.taxonomy_version = tax->version();
  doc.hits.clear();
  tax->matcher().Match(doc.tokens, doc.token_text, {doc.article.title, doc.article.body}, &doc.hits,
                       doc.token_hashes);
  thread_local TagScratch scratch;
  SortOutHits(doc.hits, tax->patterns(), scratch);
  DropShadowedAliases(doc.hits, tax->patterns(), scratch);
  ConfirmWeakAliases(doc.hits, tax->patterns(), config_.context_window, scratch);
  KeepSurvivingHits(doc, tax->patterns(), scratch);
  BuildEntities(doc, *tax, config_.max_mentions, scratch);
  if (names_ != nullptr) {
    // Tokens of gazetteer mentions (the surviving alias hits) are no unlinked names.
    thread_local std::vector<uint8_t> covered;
    covered.assign(doc.tokens.size(), 0);
    for (uint64_t m : scratch.mentions) {
      const core::PatternHit& h = doc.hits[Second(m)];
      for (uint32_t k = h.token_begin; k < h.token_end && k < covered.size(); ++k) covered[k] = 1;
    }
    names_->Find(doc, covered, config_.max_mentions);
  }
  doc.taxonomy = std::move(tax);
  return Status::Ok();
}

}  // namespace newsflow::tag
