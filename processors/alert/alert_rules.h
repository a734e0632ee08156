// Alert rules: YAML under config/alerts/ (see config/alerts/README.md), compiled into an
// immutable AlertRules snapshot that the alert stage evaluates per article.
//
// A rule is a conjunction of conditions over the article and its story:
//   topics      {topic_id: min_score, ...}      every listed topic at least this score
//   entities    {any: [ids], all: [ids], none: [ids]}
//   languages   [codes]   the article's language is one of them
//   sources     [names]   the article's source is one of them (exact, case-insensitive)
//   terms       [words]   any of these words in the title or body (folded form or stem, so
//                         "ceasefire"/"ceasefires", "hudna"; list every language you need)
//   story       {min_articles, min_sources, min_languages, within}: the story has at least
//               that many articles / distinct outlets / distinct languages among its articles
//               of the last `within` (event time) — e.g. "confirmed": 3 articles from 3
//               outlets in 2 languages within 2 h.
// plus severity (info | warning | critical), a reason template, suppress_for, and escalation
// steps (see AlertLevel in alert_stage.h).
//
// Threading: an AlertRules snapshot is immutable; AlertRuleStore swaps snapshots atomically
// (hot reload), as tag::TaxonomyStore does.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "processors/alert/term_index.h"
#include "schemas/result.h"

namespace newsflow::alert {

enum class Severity { kInfo = 0, kWarning = 1, kCritical = 2 };
std::string_view SeverityName(Severity s);

// A reason template's pieces, in order, parsed once when the rules are compiled (the stage
// writes each alert's reason from them: no scan of the template and no table of every value per
// alert): literal text (kText) and the placeholders config/alerts/README.md lists.
enum class ReasonField : uint8_t {
  kText,
  kRule,
  kSeverity,
  kTitle,
  kArticleId,
  kStoryId,
  kArticles,
  kSources,
  kLanguages,
  kLanguage,
  kSource,
  kTopics,
  kEntities,
  kLevel,
};
struct ReasonPart {
  ReasonField field = ReasonField::kText;
  std::string text;  // the literal (kText only)
};

struct StoryCondition {
  int64_t min_articles = 0;
  int64_t min_sources = 0;
  int64_t min_languages = 0;
  int64_t within_ms = 0;  // 0: all remembered articles of the story
};

struct Rule {
  uint32_t index = 0;  // position in AlertRules::rules() (the TermIndex's rule number)
  std::string id;
  std::string description;
  Severity severity = Severity::kWarning;
  std::map<std::string, double> topics;
  std::vector<std::string> entities_any, entities_all, entities_none;
  std::vector<std::string> languages;
  std::vector<std::string> sources;  // lower-cased
  std::vector<std::string> terms;    // folded by the normalizer's folding
  bool has_story = false;
  StoryCondition story;
  std::vector<ReasonPart> reason_parts;  // the reason template, parsed (CompileAlertRules)
  int64_t suppress_for_ms = 24LL * 3600 * 1000;
  std::vector<int64_t> escalate_articles = {3, 10, 30};
  bool escalate_languages = true;
  int64_t critical_at = 0;  // story article count that raises the severity to critical (0: never)
};

struct SurgeSettings {
  bool enabled = true;
  int64_t bucket_ms = 5 * 60 * 1000;
  int64_t allowed_lateness_ms = 10 * 60 * 1000;
  double baseline_alpha = 1.0 / 288;  // EWMA weight of each closed bucket (288 = one day)
  int64_t warmup_buckets = 12;        // closed buckets before a baseline counts
  double min_baseline = 0.5;          // floor of the expected count per bucket
  int64_t min_count = 8;
  double min_ratio = 3.0;
  double max_p_value = 1e-4;  // Poisson upper tail P(X >= count | baseline)
  int64_t cooldown_buckets = 12;
  std::vector<std::string> entities;  // entity ids also watched for surges (opt-in)
  Severity severity = Severity::kWarning;
};

class AlertRules {
 public:
  const std::string& version() const { return version_; }
  const std::vector<Rule>& rules() const { return rules_; }
  const SurgeSettings& surge() const { return surge_; }
  // Every rule's terms, for one pass over an article's tokens (term_index.h).
  const TermIndex& terms() const { return terms_; }

 private:
  friend Result<std::shared_ptr<const AlertRules>> CompileAlertRules(const std::string& name,
                                                                     const std::string& text);
  std::string version_;
  std::vector<Rule> rules_;
  SurgeSettings surge_;
  TermIndex terms_;
};

// Compiles one rules file's text; errors name `name`, the rule id and the key.
Result<std::shared_ptr<const AlertRules>> CompileAlertRules(const std::string& name,
                                                            const std::string& text);
// Loads `path` (a YAML file), or the built-in config/alerts/alerts.yaml when empty.
Result<std::shared_ptr<const AlertRules>> LoadAlertRules(const std::string& path);

// "90s", "30m", "2h", "1d" -> milliseconds.
Result<int64_t> ParseDuration(const std::string& text);

class AlertRuleStore {
 public:
  explicit AlertRuleStore(std::shared_ptr<const AlertRules> initial)
      : current_(std::move(initial)) {}
  std::shared_ptr<const AlertRules> Get() const { return current_.load(std::memory_order_acquire); }
  void Swap(std::shared_ptr<const AlertRules> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const AlertRules>> current_;
};

}  // namespace newsflow::alert
