// Score stage: relevance of every candidate topic, from the pattern hits of the tag stage.
//
// Term phrases count only in articles of the language they are listed under (when the article's
// language is known and the topic has phrases for it): a Turkish word is no evidence in a Persian
// article. Entities match across languages (names are names).
//
// Formula (documented in config/taxonomy/README.md; the threshold of a topic is calibrated on
// it so that "score >= threshold" means an editor would tag the article with the topic):
//   * occurrences of a topic's term groups that overlap one of the topic's exclusion phrases
//     are ignored (false friends: "إطلاق النار على" is a shooting, "tariff truce" is trade);
//   * each rule r fires at a set of occurrences (any: every occurrence of a listed group or
//     entity; all: the first reference's occurrences when every reference occurs; near: the
//     first reference's occurrences that have the second within `within` tokens in the same
//     field), unless one of its `not` references occurs in the article;
//   * n_r = sum over its occurrences of the topic's field weight (title 2.0, lead 1.5, body 1.0
//     by default): term frequency weighted by where the term stands;
//   * raw = sum_r weight_r * (1 - e^(-n_r))     (saturating: the 5th mention adds little);
//   * score = 1 - e^(-max(raw, 0)), in [0, 1) -- the hand formula;
//   * or, for a topic calibrated by `newsflow fit` (config/taxonomy/calibration.yaml), the same
//     sum with the fitted weights w_r and a fitted bias b through the logistic function:
//     score = 1 / (1 + e^-(b + sum_r w_r * (1 - e^(-n_r)))), an estimate of the probability
//     that an editor would tag the article (calibration is measured by `newsflow eval`).
// A topic is assigned when at least one rule with a positive contribution fired and the score
// is at or above the (fitted) threshold.
// Only topics with at least one occurrence are evaluated (presearch). Topics at or above their
// threshold are listed highest first with their matches (text, field, byte offsets, rule).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "processors/core/stage.h"
#include "processors/tag/taxonomy.h"
#include "schemas/result.h"

namespace newsflow::score {

struct ScoreConfig {
  int64_t max_matches = 20;
  static Result<ScoreConfig> FromYaml(const YAML::Node& node, const std::string& path);
};

// One span of tokens [begin, end) where a reference occurred.
struct Occurrence {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct RuleResult {
  const tag::Rule* rule = nullptr;
  bool fired = false;
  bool blocked = false;  // a `not` reference occurred
  double n = 0.0;        // field-weighted occurrence count
  double contribution = 0.0;
  std::vector<Occurrence> occurrences;  // where it fired (and, for near, the partner spans)
};

struct TopicScore {
  uint32_t topic = 0;
  double score = 0.0;
  bool assigned = false;
  std::vector<RuleResult> rules;
};

// The feature of a rule that occurred n (field-weighted) times: 1 - e^-n, in [0, 1).
double Feature(double n);

// A topic's score from raw = sum_r weight_r * Feature(n_r) (fitted weights when calibrated).
double TopicScoreOf(const tag::Topic& topic, double raw);

// Scores every topic of `doc.taxonomy` that has an occurrence (or all topics when
// `include_all`, for explanations). `doc` must have been through the tag stage.
std::vector<TopicScore> ScoreTopics(const core::Document& doc, bool include_all);

// The same into `out`, whose elements (and the vectors inside them) are reused: the scores are
// its first N elements, N returned; the elements after them are left over from earlier calls.
size_t ScoreTopicsInto(const core::Document& doc, bool include_all, std::vector<TopicScore>* out);

class ScoreStage final : public core::Stage {
 public:
  static Result<std::unique_ptr<core::Stage>> Create(const YAML::Node& node,
                                                     const std::string& path);
  explicit ScoreStage(ScoreConfig config) : config_(config) {}

  std::string_view Name() const override { return "score"; }
  Status Process(core::Document& doc, const core::StageContext& ctx) const override;

 private:
  ScoreConfig config_;
};

}  // namespace newsflow::score
