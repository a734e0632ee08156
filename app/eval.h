// Evaluation of the pipeline against a labelled JSON Lines file (the format of
// ../shared/corpus/dev/articles.jsonl: id, lang, title, body, labels[], entities[], note).
//
// Each record is run through the same pipeline as `process` (the labels and other fields are
// unknown raw-article fields, which the pipeline ignores). Topic labels are compared per topic
// (labels that are not topics of the taxonomy, such as `other`, only count as "no topic");
// entities are compared by canonical name, case-insensitively.
#pragma once

#include <map>
#include <string>
#include <vector>

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
};

struct EvalMiss {
  std::string article;
  std::string topic;
  bool false_positive = false;  // predicted but not labelled; else labelled but missed
  double score = 0.0;           // predicted score (0 when the topic was not a candidate)
  std::string title;
  std::string note;
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

struct EvalResult {
  std::vector<StoryAssignment> stories;  // articles with a gold `story` field
  StoryMetrics story;
  int articles = 0;
  int failed = 0;                             // records the pipeline rejected
  std::map<std::string, TopicCounts> topics;  // every topic of the taxonomy
  TopicCounts micro;
  double macro_f1 = 0.0;  // over topics with at least one positive
  int entity_gold = 0;
  int entity_found = 0;
  std::map<std::string, int> missed_entities;  // name -> times missed
  int language_correct = 0;
  std::vector<EvalMiss> misses;
  // Hard cases (the `note` field starts with "hard negative"/"hard positive"): articles whose
  // topics were all right.
  int hard_negative = 0, hard_negative_right = 0, hard_positive = 0, hard_positive_right = 0;

  double EntityRecall() const {
    return entity_gold == 0 ? 0.0 : static_cast<double>(entity_found) / entity_gold;
  }
};

// Runs the evaluation; errors only when the file cannot be read.
core::Result<EvalResult> Evaluate(const core::Pipeline& pipeline, const std::string& gold_path);

// A human-readable report: per-topic table, micro/macro, entity recall, worst misses.
std::string FormatReport(const EvalResult& result, size_t worst);

}  // namespace newsflow::app
