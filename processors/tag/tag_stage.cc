#include "processors/tag/tag_stage.h"

#include <algorithm>
#include <cmath>

#include "processors/core/config.h"

namespace newsflow::tag {
namespace {

bool IsAlias(PatternKind k) { return k == PatternKind::kAlias || k == PatternKind::kWeakAlias; }

double Round4(double x) { return std::round(x * 10000.0) / 10000.0; }

}  // namespace

core::Result<TagConfig> TagConfig::FromYaml(const YAML::Node& node, const std::string& path) {
  TagConfig c;
  core::ConfigReader r(node, path);
  r.Read("context_window", &c.context_window,
         "Tokens around a weak alias within which a context word confirms it.");
  r.Read("max_mentions", &c.max_mentions, "Mentions listed per entity in the output.");
  r.Require(c.context_window > 0, "context_window", "must be positive");
  r.Require(c.max_mentions > 0, "max_mentions", "must be positive");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return c;
}

core::Result<std::unique_ptr<core::Stage>> TagStage::Create(
    const YAML::Node& node, const std::string& path, std::shared_ptr<const TaxonomyStore> store) {
  NEWSFLOW_ASSIGN_OR_RETURN(TagConfig config, TagConfig::FromYaml(node, path));
  if (!store) {
    return core::Status(core::Code::kInvalidConfig, "config", path + ": no taxonomy loaded");
  }
  return std::unique_ptr<core::Stage>(std::make_unique<TagStage>(config, std::move(store)));
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

core::Status TagStage::Process(core::Document& doc, const core::StageContext& /*ctx*/) const {
  std::shared_ptr<const Taxonomy> tax = store_->Get();
  doc.taxonomy_version = tax->version();
  doc.hits.clear();
  tax->matcher().Match(doc.tokens, doc.token_text, {doc.article.title, doc.article.body},
                       &doc.hits);
  const auto& info = tax->patterns();

  // Longest match: drop an alias hit strictly inside a longer alias hit. Hits are ordered by
  // start token and patterns span at most kMaxPatternTokens, so only nearby hits can contain.
  std::vector<bool> drop(doc.hits.size(), false);
  auto contains = [&](const core::PatternHit& g, const core::PatternHit& h) {
    return IsAlias(info[g.pattern].kind) && g.token_begin <= h.token_begin &&
           g.token_end >= h.token_end && g.token_end - g.token_begin > h.token_end - h.token_begin;
  };
  for (size_t i = 0; i < doc.hits.size(); ++i) {
    const auto& h = doc.hits[i];
    if (!IsAlias(info[h.pattern].kind)) continue;
    for (size_t j = i; j-- > 0 && doc.hits[j].token_begin + kMaxPatternTokens > h.token_begin;) {
      if (contains(doc.hits[j], h)) drop[i] = true;
    }
    for (size_t j = i + 1; j < doc.hits.size() && doc.hits[j].token_begin == h.token_begin; ++j) {
      if (contains(doc.hits[j], h)) drop[i] = true;
    }
  }
  for (size_t i = 0; i < doc.hits.size(); ++i) {
    // Also drop a second hit of the same entity at the same span (two aliases, same words).
    if (drop[i] || !IsAlias(info[doc.hits[i].pattern].kind)) continue;
    for (size_t j = i + 1;
         j < doc.hits.size() && doc.hits[j].token_begin == doc.hits[i].token_begin; ++j) {
      if (IsAlias(info[doc.hits[j].pattern].kind) &&
          doc.hits[j].token_end == doc.hits[i].token_end &&
          info[doc.hits[j].pattern].owner == info[doc.hits[i].pattern].owner) {
        drop[j] = true;
      }
    }
  }

  // Entities with a strong mention; weak mentions need one, or a context word nearby.
  std::vector<uint32_t> strong;
  for (size_t i = 0; i < doc.hits.size(); ++i) {
    if (!drop[i] && info[doc.hits[i].pattern].kind == PatternKind::kAlias) {
      strong.push_back(info[doc.hits[i].pattern].owner);
    }
  }
  std::sort(strong.begin(), strong.end());
  for (size_t i = 0; i < doc.hits.size(); ++i) {
    const auto& h = doc.hits[i];
    if (drop[i] || info[h.pattern].kind != PatternKind::kWeakAlias) continue;
    const uint32_t entity = info[h.pattern].owner;
    if (std::binary_search(strong.begin(), strong.end(), entity)) continue;
    bool confirmed = false;
    for (const auto& c : doc.hits) {
      if (info[c.pattern].kind != PatternKind::kContext || info[c.pattern].owner != entity)
        continue;
      const int64_t distance =
          static_cast<int64_t>(c.token_begin) - static_cast<int64_t>(h.token_begin);
      if (std::abs(distance) <= config_.context_window) confirmed = true;
    }
    drop[i] = !confirmed;
  }
  // Keep only surviving hits (the score stage reads them as entity occurrences).
  size_t kept = 0;
  for (size_t i = 0; i < doc.hits.size(); ++i) {
    if (!drop[i]) doc.hits[kept++] = doc.hits[i];
  }
  doc.hits.resize(kept);

  // Group mentions per entity.
  struct Acc {
    uint32_t entity;
    std::vector<uint32_t> hits;
  };
  std::vector<Acc> found;
  for (uint32_t i = 0; i < doc.hits.size(); ++i) {
    const auto& pi = info[doc.hits[i].pattern];
    if (!IsAlias(pi.kind)) continue;
    auto it = std::find_if(found.begin(), found.end(),
                           [&](const Acc& a) { return a.entity == pi.owner; });
    if (it == found.end()) {
      found.push_back({pi.owner, {}});
      it = found.end() - 1;
    }
    it->hits.push_back(i);
  }
  const double token_count = std::max<double>(1.0, static_cast<double>(doc.tokens.size()));
  doc.entities.clear();
  doc.entities.reserve(found.size());
  for (const auto& acc : found) {
    const Entity& e = tax->entities()[acc.entity];
    core::EntityResult r;
    r.id = e.id;
    r.name = e.name;
    r.type = e.type;
    bool in_title = false;
    uint32_t first = doc.hits[acc.hits.front()].token_begin;
    for (uint32_t i : acc.hits) {
      const auto& h = doc.hits[i];
      in_title = in_title || doc.tokens[h.token_begin].field == core::Field::kTitle;
      first = std::min(first, h.token_begin);
      if (r.mentions.size() < static_cast<size_t>(config_.max_mentions)) {
        r.mentions.push_back(MatchForTokens(doc, h.token_begin, h.token_end));
      }
    }
    const double n = static_cast<double>(acc.hits.size());
    r.salience =
        Round4(std::clamp(0.45 * (in_title ? 1.0 : 0.0) + 0.35 * (1.0 - std::exp(-n / 2.0)) +
                              0.20 * (1.0 - first / token_count),
                          0.0, 1.0));
    doc.entities.push_back(std::move(r));
  }
  std::stable_sort(doc.entities.begin(), doc.entities.end(), [](const auto& a, const auto& b) {
    return a.salience != b.salience ? a.salience > b.salience : a.name < b.name;
  });
  doc.taxonomy = std::move(tax);
  return core::Status::Ok();
}

}  // namespace newsflow::tag
