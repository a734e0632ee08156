// Fitting a topic's rule weights, bias and threshold (used by `newsflow fit` and by the
// cross-validation of `newsflow eval`).
//
// Model (the calibrated score of processors/score/score_stage.h): for an article with rule
// features x_r = 1 - e^(-n_r) (n_r = field-weighted occurrences of rule r, 0 when the rule did
// not fire or was blocked),
//     p = 1 / (1 + e^-(b + sum_r w_r x_r)),
// a logistic regression over the hand-written rules. The fit minimises the log loss plus a
// penalty that pulls every weight towards the hand-written weight times one shared scale a:
//     sum_i logloss(p_i, y_i) + lambda/2 * sum_r (w_r - a h_r)^2  (+ a tiny ridge on b and a).
// So a rule that never occurs in the training data keeps its hand weight (scaled), a rule
// that fires on negatives loses weight, and 11 topics x ~30 rules stay estimable from a few
// hundred articles. Solved by Newton's method (the problem is convex and small: <= ~60
// parameters), written by hand because no Debian-packaged C++ library offers penalised
// logistic regression with a non-zero prior mean (mlpack's does not take one).
//
// lambda is chosen by cross-validation over the training folds (log loss of held-out
// predictions); the threshold maximises F1 of those held-out predictions (grid 0.20..0.80,
// ties to the value nearest 0.5). Nothing here looks at the folds the caller holds back.
//
// Threading: pure functions.
#pragma once

#include <vector>

namespace newsflow::app {

// One topic's training data: rows are articles.
struct FitData {
  std::vector<std::vector<double>> x;  // features, one row per article, one column per rule
  std::vector<int> y;                  // 1 when the article carries the topic's label
  std::vector<int> fold;               // fold of each article (for the inner cross-validation)
  std::vector<double> hand;            // hand-written weight of each rule (the prior)
};

struct TopicModel {
  double bias = 0.0;
  std::vector<double> weights;  // per rule
  double threshold = 0.5;
  double lambda = 0.0;  // the penalty chosen
  double scale = 0.0;   // the fitted a
};

// Probability of the topic for one feature row.
double PredictProbability(const TopicModel& model, const std::vector<double>& x);

// Whether positive evidence fired: some rule with a feature > 0 has a positive weight (the
// score stage lists a calibrated topic only then).
bool HasEvidence(const TopicModel& model, const std::vector<double>& x);

// The score the pipeline would emit: the probability when there is evidence, else 0.
double EmittedScore(const TopicModel& model, const std::vector<double>& x);

// Fits with a fixed lambda (threshold left at 0.5).
TopicModel FitLogistic(const FitData& data, double lambda);

// Fits with lambda and threshold chosen by cross-validation over the folds of `data`.
TopicModel FitTopic(const FitData& data);

// The rows of `data` whose fold is (`keep` true) / is not (`keep` false) `fold`.
FitData SelectFolds(const FitData& data, int fold, bool keep);

}  // namespace newsflow::app
