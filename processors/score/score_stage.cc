#include "processors/score/score_stage.h"

#include <algorithm>
#include <cmath>

#include "processors/core/config.h"
#include "processors/tag/tag_stage.h"

namespace newsflow::score {
namespace {

using tag::PatternKind;
using tag::Ref;
using tag::Rule;

bool IsTitle(core::Field f) { return f == core::Field::kTitle; }

double Round4(double x) { return std::round(x * 10000.0) / 10000.0; }

}  // namespace

double Feature(double n) { return 1.0 - std::exp(-n); }

double TopicScoreOf(const tag::Topic& topic, double raw) {
  if (topic.calibrated) return 1.0 / (1.0 + std::exp(-(topic.bias + raw)));
  return 1.0 - std::exp(-std::max(raw, 0.0));
}

namespace {

// Per-thread buffers of one scoring pass, reused across records.
// An occurrence of an entity selection (Ref::selection); `seq` keeps hit order among equal
// selections.
struct Selected {
  uint32_t selection;
  uint32_t seq;
  Occurrence occurrence;
  uint32_t entity;
};

struct Scratch {
  std::vector<std::pair<uint32_t, Occurrence>> groups;
  std::vector<Selected> selected;
  std::vector<std::pair<uint32_t, Occurrence>> exclusions;
  std::vector<uint32_t> candidates;
  std::vector<Occurrence> fired;
  std::vector<Occurrence> a;
  std::vector<Occurrence> b;
  std::vector<std::pair<Occurrence, uint32_t>> entities;  // (occurrence, entity) for pair
  std::vector<uint32_t> distinct_groups;                  // in the order they first occur
  std::vector<std::pair<uint32_t, Occurrence>> sorted_groups;
  // Where each group's (selection's) occurrences are in the sorted lists of the current
  // document, by group (selection) id; an entry counts only when its stamp is the document's,
  // so that entries of earlier documents need no clearing (Occurrences).
  struct Range {
    uint32_t stamp = 0;
    uint32_t begin = 0;
    uint32_t end = 0;
  };
  std::vector<Range> group_ranges;
  std::vector<Range> selection_ranges;
  uint32_t stamp = 0;
};

// Occurrences of every group and entity in one document. Sparse: the cost depends on the hits
// of the document, not on the size of the taxonomy.
class Occurrences {
 public:
  Occurrences(const core::Document& doc, const tag::Taxonomy& tax, Scratch& scratch)
      : doc_(doc),
        groups_(scratch.groups),
        selected_(scratch.selected),
        candidates_(scratch.candidates) {
    groups_.clear();
    selected_.clear();
    bool any_entity = false;
    candidates_.clear();
    const auto& info = tax.patterns();
    auto& exclusions = scratch.exclusions;  // (topic, span)
    exclusions.clear();
    // Language ids stand for the language strings: equal ids, equal strings; -1 is a language
    // no phrase and no topic of the taxonomy is listed under.
    const bool no_lang = doc.language.code.empty();
    const int lang = no_lang ? -1 : tax.LanguageId(doc.language.code);
    // Term phrases apply to articles in their own language (Turkish "var" is not Persian,
    // French "but" is not English). When the article's language is unknown, or the topic has
    // no phrases for it, every language's phrases apply.
    auto in_language = [&](const tag::PatternInfo& pi, uint32_t topic) {
      if (no_lang || static_cast<int>(pi.language_id) == lang) return true;
      if (lang < 0) return true;
      const auto& langs = tax.topics()[topic].language_ids;
      return !std::binary_search(langs.begin(), langs.end(), static_cast<uint32_t>(lang));
    };
    for (const auto& h : doc.hits) {
      const auto& pi = info[h.pattern];
      if (pi.kind == PatternKind::kGroup && !in_language(pi, tax.groups()[pi.owner].topic))
        continue;
      if (pi.kind == PatternKind::kExclusion && !in_language(pi, pi.owner)) continue;
      switch (pi.kind) {
        case PatternKind::kGroup:
          groups_.push_back({pi.owner, {h.token_begin, h.token_end}});
          break;
        case PatternKind::kAlias:
        case PatternKind::kWeakAlias: {
          any_entity = true;
          auto [b, e] = tax.selections_of(pi.owner);
          for (; b != e; ++b) {
            selected_.push_back({*b,
                                 static_cast<uint32_t>(selected_.size()),
                                 {h.token_begin, h.token_end},
                                 pi.owner});
          }
          break;
        }
        case PatternKind::kExclusion:
          exclusions.push_back({pi.owner, {h.token_begin, h.token_end}});
          break;
        case PatternKind::kContext:
          break;
      }
    }
    // Exclusions mask overlapping occurrences of their own topic's groups.
    if (!exclusions.empty()) {
      groups_.erase(
          std::remove_if(groups_.begin(), groups_.end(),
                         [&](const std::pair<uint32_t, Occurrence>& g) {
                           const uint32_t topic = tax.groups()[g.first].topic;
                           for (const auto& [t, x] : exclusions) {
                             if (t == topic && g.second.begin < x.end && x.begin < g.second.end) {
                               return true;
                             }
                           }
                           return false;
                         }),
          groups_.end());
    }
    NewStamp(tax, scratch);
    GroupInHitOrder(scratch);
    std::sort(selected_.begin(), selected_.end(), [](const Selected& a, const Selected& b) {
      return a.selection != b.selection ? a.selection < b.selection : a.seq < b.seq;
    });
    IndexRuns(
        selected_, [](const auto& s) { return s.selection; }, selection_ranges_);
    for (const uint32_t g : scratch.distinct_groups) {
      candidates_.push_back(tax.groups()[g].topic);
    }
    if (any_entity) {
      for (uint32_t t : tax.entity_triggered_topics()) candidates_.push_back(t);
    }
    std::sort(candidates_.begin(), candidates_.end());
    candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
  }

  // Topics with at least one occurrence of their groups (or of entities, for topics whose
  // rules can fire on entities alone), ascending.
  const std::vector<uint32_t>& candidates() const { return candidates_; }

  // Whether `ref` occurs at all.
  bool Any(const Ref& ref) const {
    const Range r = RangeOf(ref);
    return r.begin != r.end;
  }

  // Appends the occurrences of `ref` to `out`: a group's in token order, an entity selection's
  // in hit order.
  void AppendOf(const Ref& ref, std::vector<Occurrence>* out) const {
    const Range r = RangeOf(ref);
    if (ref.kind == Ref::Kind::kGroup) {
      for (uint32_t k = r.begin; k < r.end; ++k) out->push_back(groups_[k].second);
      return;
    }
    for (uint32_t k = r.begin; k < r.end; ++k) out->push_back(selected_[k].occurrence);
  }

  // Appends the occurrences of an entity selection with their entities.
  void AppendEntitiesOf(const Ref& ref, std::vector<std::pair<Occurrence, uint32_t>>* out) const {
    const Range r = RangeOf(ref);
    for (uint32_t k = r.begin; k < r.end; ++k) {
      out->push_back({selected_[k].occurrence, selected_[k].entity});
    }
  }

  core::Field FieldOf(const Occurrence& o) const { return doc_.tokens[o.begin].field; }

 private:
  using Range = Scratch::Range;

  // A new stamp for this document's ranges: a rule's references are then looked up by id
  // instead of by binary search (a topic's rules ask for each of their references, ~50 rule
  // evaluations per article); entries of earlier documents, and of another taxonomy's ids,
  // carry an older stamp and read as "does not occur", so nothing is cleared per document.
  void NewStamp(const tag::Taxonomy& tax, Scratch& scratch) {
    if (++scratch.stamp == 0) {  // wrapped: entries of 2^32 documents ago would look current
      for (auto& r : scratch.group_ranges) r.stamp = 0;
      for (auto& r : scratch.selection_ranges) r.stamp = 0;
      scratch.stamp = 1;
    }
    stamp_ = scratch.stamp;
    // Sized for the largest taxonomy seen.
    if (scratch.group_ranges.size() < tax.groups().size()) {
      scratch.group_ranges.resize(tax.groups().size());
    }
    if (scratch.selection_ranges.size() < tax.selection_count()) {
      scratch.selection_ranges.resize(tax.selection_count());
    }
    group_ranges_ = scratch.group_ranges.data();
    selection_ranges_ = scratch.selection_ranges.data();
  }

  // groups_ gathered by group (each group's occurrences contiguous, in hit order) and each
  // group's range indexed, by a counting sort over the stamped ranges: one pass counts, one
  // places. The groups' blocks follow in the order the groups first occur (nothing reads
  // groups_ across groups in order: references look their group's range up by id, and the
  // candidate topics are sorted), so no comparison sort is needed; sorting (group, position)
  // keys and gathering them cost ~3.5 K instructions per article on the dev corpus (~50 group
  // occurrences).
  void GroupInHitOrder(Scratch& scratch) {
    auto& distinct = scratch.distinct_groups;
    distinct.clear();
    for (const auto& g : groups_) {  // count; `end` holds the count meanwhile
      Range& r = group_ranges_[g.first];
      if (r.stamp != stamp_) {
        r = {stamp_, 0, 0};
        distinct.push_back(g.first);
      }
      ++r.end;
    }
    uint32_t at = 0;
    for (const uint32_t id : distinct) {  // each group's block; `end` becomes the write cursor
      Range& r = group_ranges_[id];
      const uint32_t count = r.end;
      r.begin = r.end = at;
      at += count;
    }
    auto& placed = scratch.sorted_groups;
    placed.resize(groups_.size());
    for (const auto& g : groups_) placed[group_ranges_[g.first].end++] = g;
    groups_.swap(placed);
  }

  // For each run of equal ids in `items` (sorted by id), ranges[id] = the run, stamped current.
  template <typename Items, typename IdOf>
  void IndexRuns(const Items& items, IdOf id_of, Range* ranges) const {
    const auto n = static_cast<uint32_t>(items.size());
    for (uint32_t k = 0; k < n;) {
      const uint32_t id = id_of(items[k]);
      uint32_t end = k + 1;
      while (end < n && id_of(items[end]) == id) ++end;
      ranges[id] = {stamp_, k, end};
      k = end;
    }
  }

  // The occurrences of `ref` as a range of groups_ (a group) or selected_ (an entity
  // selection); empty when it does not occur.
  Range RangeOf(const Ref& ref) const {
    const Range r =
        ref.kind == Ref::Kind::kGroup ? group_ranges_[ref.group] : selection_ranges_[ref.selection];
    return r.stamp == stamp_ ? r : Range{};
  }

  const core::Document& doc_;
  Range* group_ranges_ = nullptr;  // scratch.group_ranges
  Range* selection_ranges_ = nullptr;
  uint32_t stamp_ = 0;
  std::vector<std::pair<uint32_t, Occurrence>>& groups_;  // (group, span), by group
  // Entity occurrences under every selection their entity belongs to, by selection, then in
  // hit order.
  std::vector<Selected>& selected_;
  std::vector<uint32_t>& candidates_;
};

// Evaluates `rule` into `out`, which may hold an earlier result: every field is set, and the
// occurrences vector keeps its capacity.
void Evaluate(const Rule& rule, const tag::Topic& topic, const Occurrences& occ, Scratch& scratch,
              RuleResult* out) {
  RuleResult& r = *out;
  r.rule = &rule;
  r.fired = false;
  r.blocked = false;
  r.n = 0.0;
  r.contribution = 0.0;
  r.occurrences.clear();
  for (const auto& ref : rule.unless) {
    if (occ.Any(ref)) {
      r.blocked = true;
      return;
    }
  }
  std::vector<Occurrence>& fired = scratch.fired;
  fired.clear();
  switch (rule.kind) {
    case Rule::Kind::kAny:
      for (const auto& ref : rule.refs) occ.AppendOf(ref, &fired);
      break;
    case Rule::Kind::kAll: {
      bool all = true;
      for (size_t i = 1; i < rule.refs.size() && all; ++i) all = occ.Any(rule.refs[i]);
      if (all) occ.AppendOf(rule.refs[0], &fired);
      break;
    }
    case Rule::Kind::kPair: {
      auto& a = scratch.a;
      auto& near = scratch.entities;
      a.clear();
      near.clear();
      occ.AppendOf(rule.refs[0], &a);
      if (a.empty()) break;
      for (size_t k = 1; k < rule.refs.size(); ++k) occ.AppendEntitiesOf(rule.refs[k], &near);
      for (const auto& x : a) {
        // Within the window: a first entity, then the first different one.
        const std::pair<Occurrence, uint32_t>* first = nullptr;
        for (const auto& candidate : near) {
          const Occurrence& y = candidate.first;
          if (IsTitle(occ.FieldOf(x)) != IsTitle(occ.FieldOf(y))) continue;
          if (x.begin < y.end && y.begin < x.end) continue;
          const uint32_t gap = x.begin < y.begin ? y.begin - x.end : x.begin - y.end;
          if (gap > rule.within) continue;
          if (first == nullptr) {
            first = &candidate;
          } else if (candidate.second != first->second) {
            fired.push_back(x);
            r.occurrences.push_back(first->first);
            r.occurrences.push_back(y);
            break;
          }
        }
      }
      break;
    }
    case Rule::Kind::kNear: {
      auto& a = scratch.a;
      auto& b = scratch.b;
      a.clear();
      b.clear();
      occ.AppendOf(rule.refs[0], &a);
      occ.AppendOf(rule.refs[1], &b);
      for (const auto& x : a) {
        for (const auto& y : b) {
          if (IsTitle(occ.FieldOf(x)) != IsTitle(occ.FieldOf(y))) continue;
          if (x.begin < y.end && y.begin < x.end) continue;  // the same words cannot be both
          const uint32_t gap = x.begin < y.begin ? y.begin - x.end : x.begin - y.end;
          if (gap <= rule.within) {
            fired.push_back(x);
            r.occurrences.push_back(y);
            break;
          }
        }
      }
      break;
    }
  }
  if (fired.empty()) return;
  std::sort(fired.begin(), fired.end(), [](const Occurrence& p, const Occurrence& q) {
    return p.begin != q.begin ? p.begin < q.begin : p.end < q.end;
  });
  fired.erase(std::unique(fired.begin(), fired.end(),
                          [](const Occurrence& p, const Occurrence& q) {
                            return p.begin == q.begin && p.end == q.end;
                          }),
              fired.end());
  r.fired = true;
  for (const auto& o : fired) r.n += topic.field_weights[static_cast<size_t>(occ.FieldOf(o))];
  r.contribution = rule.EffectiveWeight(topic.calibrated) * Feature(r.n);
  r.occurrences.insert(r.occurrences.begin(), fired.begin(), fired.end());
}

}  // namespace

size_t ScoreTopicsInto(const core::Document& doc, bool include_all, std::vector<TopicScore>* out) {
  const auto* tax = dynamic_cast<const tag::Taxonomy*>(doc.taxonomy.get());
  if (tax == nullptr) return 0;
  thread_local Scratch scratch;
  const Occurrences occ(doc, *tax, scratch);
  std::vector<uint32_t> all;
  if (include_all) {
    for (uint32_t t = 0; t < tax->topics().size(); ++t) all.push_back(t);
  }
  size_t used = 0;
  for (uint32_t t : include_all ? all : occ.candidates()) {
    const tag::Topic& topic = tax->topics()[t];
    if (used == out->size()) out->emplace_back();
    TopicScore& s = (*out)[used];
    s.topic = t;
    s.rules.resize(topic.rules.size());
    double raw = 0.0;
    bool any_fired = false;
    for (size_t k = 0; k < topic.rules.size(); ++k) {
      Evaluate(topic.rules[k], topic, occ, scratch, &s.rules[k]);
      raw += s.rules[k].contribution;
      any_fired = any_fired || (s.rules[k].fired && s.rules[k].contribution > 0);
    }
    s.score = Round4(TopicScoreOf(topic, raw));
    // Uncalibrated, a positive score needs positive evidence; calibrated, the bias alone gives
    // every topic a (small) score, so a topic counts only when positive evidence fired.
    const bool evidence = topic.calibrated ? any_fired : s.score > 0;
    s.assigned = evidence && s.score >= topic.threshold;
    if (include_all || evidence) ++used;  // else the element is reused for the next topic
  }
  std::stable_sort(out->begin(), out->begin() + static_cast<std::ptrdiff_t>(used),
                   [](const TopicScore& a, const TopicScore& b) { return a.score > b.score; });
  return used;
}

std::vector<TopicScore> ScoreTopics(const core::Document& doc, bool include_all) {
  std::vector<TopicScore> out;
  out.resize(ScoreTopicsInto(doc, include_all, &out));
  return out;
}

Result<ScoreConfig> ScoreConfig::FromYaml(const YAML::Node& node, const std::string& path) {
  ScoreConfig c;
  core::ConfigReader r(node, path);
  r.Read("max_matches", &c.max_matches, "Matches listed per topic in the output.");
  r.Require(c.max_matches > 0, "max_matches", "must be positive");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return c;
}

Result<std::unique_ptr<core::Stage>> ScoreStage::Create(const YAML::Node& node,
                                                        const std::string& path) {
  NEWSFLOW_ASSIGN_OR_RETURN(ScoreConfig config, ScoreConfig::FromYaml(node, path));
  return std::unique_ptr<core::Stage>(std::make_unique<ScoreStage>(config));
}

Status ScoreStage::Process(core::Document& doc, const core::StageContext& /*ctx*/) const {
  if (doc.taxonomy == nullptr) {
    return Status(Code::kInternal, "score", "the tag stage must run before score");
  }
  const auto& tax = static_cast<const tag::Taxonomy&>(*doc.taxonomy);
  doc.topics.clear();
  // One vector of scores per thread, reused with the vectors inside its elements.
  thread_local std::vector<TopicScore> scores;
  const size_t count = ScoreTopicsInto(doc, false, &scores);
  // The results' vectors are allocated once at their final size (the topics, and each topic's
  // matches: at most max_matches, at most the fired rules' occurrences), not grown step by step
  // (each step an allocation and a move of the matches' strings).
  doc.topics.reserve(static_cast<size_t>(
      std::count_if(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(count),
                    [](const TopicScore& s) { return s.assigned; })));
  const auto max_matches = static_cast<size_t>(config_.max_matches);
  for (size_t k = 0; k < count; ++k) {
    const TopicScore& s = scores[k];
    if (!s.assigned) continue;
    const tag::Topic& topic = tax.topics()[s.topic];
    core::TopicResult t;
    t.id = topic.id;
    t.label = topic.Label();
    t.score = s.score;
    size_t occurrences = 0;
    for (const RuleResult& r : s.rules) {
      if (r.fired && r.rule->EffectiveWeight(topic.calibrated) > 0) {
        occurrences += r.occurrences.size();
      }
    }
    t.matches.reserve(std::min(occurrences, max_matches));
    for (const RuleResult& r : s.rules) {
      if (!r.fired || r.rule->EffectiveWeight(topic.calibrated) <= 0) continue;
      for (const Occurrence& o : r.occurrences) {
        if (t.matches.size() >= max_matches) break;
        // A place already listed (up to max_matches compares; the first equal one ends them).
        const core::Token& first = doc.tokens[o.begin];
        const auto same_place = [&first](const core::Match& m) {
          return m.begin == first.begin && m.field == first.field;
        };
        if (std::none_of(t.matches.begin(), t.matches.end(), same_place)) {
          t.matches.push_back(tag::MatchForTokens(doc, o.begin, o.end, r.rule->name));
        }
      }
    }
    doc.topics.push_back(std::move(t));
  }
  return Status::Ok();
}

}  // namespace newsflow::score
