// Evaluation of the pipeline against labelled JSON Lines files (the format of the dev corpus
// ../shared/corpus/dev/articles*.jsonl: id, lang, title, body, outlet, labels[], entities[],
// note), cross-validated by outlet.
//
// Each record is run through the same pipeline as `process` (the labels and other fields are
// unknown raw-article fields, which the pipeline ignores). From each article the evaluation
// keeps the detected language, the entities found, and, per topic, the feature of every rule
// (1 - e^-n, see app/fit.h); rule features do not depend on weights, so every model below is
// scored from the same features:
//
//   * cross-validated (what `eval` reports as the quality): the outlets are split into K folds
//     (greedy by size, so one outlet's boilerplate never is on both sides); for each fold the
//     topic models (weights, bias, threshold: app/fit.h) are fitted on the other folds and
//     applied to it. Every article is thus scored by a model that never saw its outlet. Per
//     topic precision/recall/F1, a reliability table and the expected calibration error (ECE,
//     10 equal-width score buckets, weighted by bucket size) are computed from these held-out
//     scores;
//   * hand weights (for comparison): the hand-written rule weights with the hand formula and
//     the topic files' thresholds, i.e. what the taxonomy did before fitting. The rules were
//     written on part of the dev set, so these figures are not out-of-sample (except on files
//     the rules were not written for: see the per-file table).
//
// Topic labels are compared per topic (labels that are not topics of the taxonomy, such as
// `other`, only count as "no topic"); entities are compared by canonical name,
// case-insensitively. Entity recall and language accuracy involve nothing fitted; they are
// reported per file and per language.
#pragma once

#include <array>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/fit.h"
#include "processors/core/pipeline.h"

namespace newsflow::app {

struct TopicCounts {
  int tp = 0;
  int fp = 0;
  int fn = 0;
  double Precision() const { return tp + fp == 0 ? 0.0 : static_cast<double>(tp) / (tp + fp); }
  double Recall() const { return tp + fn == 0 ? 0.0 : static_cast<double>(tp) / (tp + fn); }
  double F1() const {
    const double p = Precision(), r = Recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
  void Add(bool gold, bool predicted) {
    tp += gold && predicted;
    fp += !gold && predicted;
    fn += gold && !predicted;
  }
};

// The form under which eval compares an output entity's name (or an also_known_as name) with
// a label: equal keys, equal names ignoring case and diacritics (ICU's root collation at
// primary strength: "Muharrem Ince" = "Muharrem İnce", "Pero Antic" = "Pero Antić", "Gaza" =
// "GAZA"; "Gaza" != "Gaza City", "Al-Arabi" != "Al Arabi"). The output names a text's spelling,
// which may lack the diacritics of the label's canonical English name.
std::string EntityNameKey(std::string_view name);

// One labelled article after the pipeline ran.
struct EvalArticle {
  std::string id, lang, outlet, file, note, title;
  std::set<std::string> labels;
  std::vector<std::string> entities;  // gold canonical names
  bool failed = false;                // the pipeline rejected the record
  std::string detected_language;
  std::set<std::string> found;  // EntityNameKey of the entity names found
  // Per output entity: its type and whether its name or an also_known_as name is a label.
  std::vector<std::pair<std::string, bool>> outputs;
  std::vector<std::vector<double>> features;  // [topic][rule]
};

// Story metrics against the gold `story` and `duplicate_group` fields (records without a
// `story` field are left out). B-cubed (Bagga & Baldwin 1998): an article's precision is the
// share of its predicted story that shares its gold story, its recall the share of its gold
// story inside its predicted story; both averaged over articles. `multi_language` averages
// over the articles of gold stories told in more than one language only (the predicted
// stories still contain everything). Near-duplicates: pairs of articles in one
// `duplicate_group` against pairs the pipeline linked (same duplicate_of root).
struct StoryMetrics {
  int articles = 0;
  int gold_stories = 0;
  int predicted_stories = 0;
  double precision = 0, recall = 0;
  int multi_language_articles = 0;
  double multi_precision = 0, multi_recall = 0;
  int duplicate_gold_pairs = 0, duplicate_predicted_pairs = 0, duplicate_true_pairs = 0;
  static double F1(double p, double r) { return p + r == 0 ? 0.0 : 2 * p * r / (p + r); }
  double F1() const { return F1(precision, recall); }
  double MultiF1() const { return F1(multi_precision, multi_recall); }
  double DuplicatePrecision() const {
    return duplicate_predicted_pairs == 0
               ? 1.0
               : static_cast<double>(duplicate_true_pairs) / duplicate_predicted_pairs;
  }
  double DuplicateRecall() const {
    return duplicate_gold_pairs == 0
               ? 1.0
               : static_cast<double>(duplicate_true_pairs) / duplicate_gold_pairs;
  }
};

// One article's gold and predicted story (for the story metrics and their report).
struct StoryAssignment {
  std::string article;
  std::string language;
  std::string gold_story;
  std::string gold_duplicate_group;
  std::string story;
  std::string duplicate_root;  // duplicate_of, or the article itself
  std::string title;
  std::string why;  // the story stage's explanation
};

StoryMetrics ComputeStoryMetrics(const std::vector<StoryAssignment>& assignments);

// Everything the evaluation and the fitting need, computed once.
struct EvalDataset {
  std::string taxonomy_version;
  std::vector<std::string> files;
  std::vector<std::string> topics;                   // topic ids, taxonomy order
  std::vector<std::vector<std::string>> rule_names;  // [topic][rule]
  std::vector<std::vector<double>> hand_weights;     // [topic][rule]
  std::vector<double> hand_thresholds;               // [topic]
  std::vector<EvalArticle> articles;
  std::vector<StoryAssignment> stories;  // articles with a gold `story` field, input order
};

// Expands the --gold arguments: a directory stands for its `*.jsonl` files (sorted).
Result<std::vector<std::string>> ExpandGoldPaths(const std::vector<std::string>& paths);

// Runs the pipeline over every record of `files`; errors only when a file cannot be read or a
// line is not a JSON object.
Result<EvalDataset> LoadEvalDataset(const core::Pipeline& pipeline,
                                    const std::vector<std::string>& files);

// Fold (0..k-1) of each article: outlets sorted by article count (descending, then name) are
// given in turn to the fold with fewest articles so far.
std::vector<int> OutletFolds(const EvalDataset& data, int k);

// The fitting data of one topic over all articles.
FitData TopicFitData(const EvalDataset& data, size_t topic, const std::vector<int>& folds);

struct ReliabilityBucket {
  int count = 0;
  int positives = 0;
  double score_sum = 0.0;
};

struct TopicEval {
  TopicCounts cv;                             // cross-validated
  TopicCounts hand;                           // hand weights, as written
  std::array<ReliabilityBucket, 10> buckets;  // cross-validated scores by tenth
  double ece = 0.0;
};

struct GroupEval {  // a language or a file
  int articles = 0;
  int language_correct = 0;
  TopicCounts cv, hand;  // micro over topics
  int entity_gold = 0, entity_found = 0;
  int entity_output = 0, entity_output_labelled = 0;
  double EntityRecall() const {
    return entity_gold == 0 ? 0.0 : static_cast<double>(entity_found) / entity_gold;
  }
  double EntityPrecision() const {
    return entity_output == 0 ? 0.0 : static_cast<double>(entity_output_labelled) / entity_output;
  }
};

struct EvalMiss {
  std::string article;
  std::string topic;
  bool false_positive = false;  // predicted but not labelled; else labelled but missed
  double score = 0.0;           // the held-out score
  std::string title;
  std::string note;
};

struct EvalResult {
  std::vector<StoryAssignment> stories;  // articles with a gold `story` field
  StoryMetrics story;
  int articles = 0;
  int failed = 0;  // records the pipeline rejected
  int folds = 0;
  std::map<std::string, TopicEval> topics;  // every topic of the taxonomy
  TopicCounts micro, hand_micro;
  double macro_f1 = 0.0, hand_macro_f1 = 0.0;  // over topics with at least one positive
  std::map<std::string, GroupEval> languages, files;
  // A gold entity name is found when an output entity's name, or one of the taxonomy's
  // also_known_as names of that entity (tag::Entity), equals it ignoring case and diacritics
  // (EntityNameKey).
  int entity_gold = 0;
  int entity_found = 0;
  std::map<std::string, int> missed_entities;  // name -> times missed
  // Entity precision against the labels: output entities whose name (or an also_known_as
  // name) is among the article's labelled entities (EntityNameKey), over all output
  // entities. A lower bound: the labels do not list every entity a text mentions.
  int entity_output = 0;
  int entity_output_labelled = 0;
  std::map<std::string, std::pair<int, int>> entity_output_by_type;  // type -> (output, labelled)
  int language_correct = 0;
  std::vector<EvalMiss> misses;  // cross-validated
  // Hard cases (the `note` field contains "hard negative"/"hard positive"): articles whose
  // cross-validated topics were all right.
  int hard_negative = 0, hard_negative_right = 0, hard_positive = 0, hard_positive_right = 0;

  double EntityRecall() const {
    return entity_gold == 0 ? 0.0 : static_cast<double>(entity_found) / entity_gold;
  }
  double EntityPrecision() const {
    return entity_output == 0 ? 0.0 : static_cast<double>(entity_output_labelled) / entity_output;
  }
  double LanguageAccuracy() const {
    return articles == 0 ? 0.0 : static_cast<double>(language_correct) / articles;
  }
};

inline constexpr int kDefaultFolds = 5;

// Cross-validates over `data` (see the header comment).
EvalResult EvaluateDataset(const EvalDataset& data, int folds = kDefaultFolds);

// LoadEvalDataset + EvaluateDataset over the expanded `gold_paths`.
Result<EvalResult> Evaluate(const core::Pipeline& pipeline,
                            const std::vector<std::string>& gold_paths, int folds = kDefaultFolds);

// A human-readable report: per-topic table (cross-validated and hand weights), micro/macro,
// calibration, per language, per file, entity recall, worst misses.
std::string FormatReport(const EvalResult& result, size_t worst);

// Fits every topic on all of `data` (lambda and threshold by cross-validation over the outlet
// folds) and returns calibration.yaml (config/taxonomy/README.md) as text.
std::string FitCalibrationYaml(const EvalDataset& data, int folds = kDefaultFolds);

}  // namespace newsflow::app
