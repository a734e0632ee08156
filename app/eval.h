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

struct EvalResult {
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
Result<EvalResult> Evaluate(const core::Pipeline& pipeline, const std::string& gold_path);

// A human-readable report: per-topic table, micro/macro, entity recall, worst misses.
std::string FormatReport(const EvalResult& result, size_t worst);

}  // namespace newsflow::app
