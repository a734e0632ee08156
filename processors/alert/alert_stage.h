// Alert stage: evaluates the alert rules (alert_rules.h) on each article and its story, applies
// suppression and escalation per (rule, story), runs the surge detector, and appends one
// schemas::Output{kAlert} per alert raised (key = story id, or the surge key; value = alert.v1).
//
// Suppression and escalation. When a rule matches, the (rule, story) pair's level is computed
// from the story after this article:
//   articles_step  how many of the rule's escalate.articles steps (default 3, 10, 30) the
//                  story's article count has reached
//   languages      the story's language count (when escalate.languages, default true)
//   severity       the rule's severity, raised to critical at escalate.critical_at articles
//   renewal        floor((event time - story first seen) / suppress_for): suppression lasts at
//                  most suppress_for of event time
// An alert is raised when no alert was raised for the pair yet, or when any part of the level
// is higher than every level raised before for the pair; otherwise it is suppressed (counted,
// and shown by `newsflow explain`). Alert id = "al-" + hash(rule, story, level key): the same
// alert raised twice (a redelivery under at-least-once, or two instances) has the same id, and
// consumers de-duplicate by id.
//
// State: AlertState (which levels were raised per pair) and SurgeDetector are owned by the
// app's Engine and shared with the stage (shared_ptr); each has its own mutex, held for the
// short update. The stage itself holds only immutable config; the rules come from an
// AlertRuleStore (hot reload). AlertState is per instance and bounded (max_pairs, oldest
// first); after a restart or on another instance, an alert may be raised again with the same
// id.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "processors/alert/alert_rules.h"
#include "processors/alert/surge.h"
#include "processors/core/stage.h"
#include "schemas/result.h"

namespace newsflow::alert {

struct AlertLevel {
  int64_t articles_step = 0;
  int64_t languages = 0;
  int severity = 0;
  int64_t renewal = 0;
  std::string Key() const;
  bool HigherThan(const AlertLevel& o) const {
    return articles_step > o.articles_step || languages > o.languages || severity > o.severity ||
           renewal > o.renewal;
  }
};

struct AlertCounters {
  std::map<std::string, int64_t> raised;      // "rule|severity" -> count
  std::map<std::string, int64_t> suppressed;  // rule -> count
  int64_t surges = 0;
};

// Which levels were raised per (rule, story), bounded.
class AlertState {
 public:
  explicit AlertState(size_t max_pairs = 500000) : max_pairs_(max_pairs) {}
  // True (and remembered) if `level` is to be raised; false if suppressed. `previous` gets the
  // highest level raised before (if any).
  // Counts the decision too (AlertCounters: raised under `severity`, or suppressed).
  bool Decide(const std::string& rule, const std::string& story, const AlertLevel& level,
              Severity severity, AlertLevel* previous, bool* had_previous);
  void CountSurge();
  AlertCounters Counters() const;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  size_t max_pairs_;
  std::unordered_map<std::string, AlertLevel> raised_;
  std::deque<std::string> order_;
  AlertCounters counters_;
};

struct Verdict {
  std::string rule;
  bool matched = false;
  bool raised = false;
  std::string why;  // which condition failed, or the level and why it was raised/suppressed
  std::string alert_id;
};

struct AlertServices {
  std::shared_ptr<AlertRuleStore> rules;
  std::shared_ptr<AlertState> state;
  std::shared_ptr<SurgeDetector> surges;
};

class AlertStage final : public core::Stage {
 public:
  static Result<std::unique_ptr<core::Stage>> Create(const YAML::Node& node,
                                                     const std::string& path,
                                                     AlertServices services);
  explicit AlertStage(AlertServices services) : services_(std::move(services)) {}

  std::string_view Name() const override { return "alert"; }
  Status Process(core::Document& doc, const core::StageContext& ctx) const override;
  // Process() that also reports every rule's verdict (for `newsflow explain`).
  Status Run(core::Document& doc, const core::StageContext& ctx,
             std::vector<Verdict>* verdicts) const;

  const AlertServices& services() const { return services_; }

 private:
  AlertServices services_;
};

// Which rules of a snapshot have a term in one article: the snapshot's TermIndex runs over the
// tokens at most once, when the first rule gets as far as its terms (most articles fail a rule
// on its topics first and never need it), and only as far as the asking rule's first hit; a
// later rule's question goes on from there. One per article and thread; not thread-safe.
class TermHits {
 public:
  TermHits(const AlertRules& rules, const core::Document& doc) : rules_(rules), doc_(doc) {}
  bool Has(const Rule& rule);

 private:
  const AlertRules& rules_;
  const core::Document& doc_;
  bool started_ = false;
  size_t next_ = 0;  // the term scan's next token (TermIndex::FindFrom)
  std::vector<uint8_t> hit_;
};

// Whether `rule`'s conditions hold for `doc` (after the story stage); `why` (may be null: no
// text is formatted) names the first condition that failed, or summarises the match. With
// `terms` the term condition is read from it (one token pass for all rules); without, the
// tokens are scanned for each of the rule's terms (the same result).
bool RuleMatches(const Rule& rule, const core::Document& doc, std::string* why,
                 TermHits* terms = nullptr);

// The alert id for (rule, story, level key).
std::string AlertId(std::string_view rule, std::string_view story, std::string_view level);

}  // namespace newsflow::alert
