// The fitting of topic weights (app/fit.h) and the outlet folds of the evaluation (app/eval.h),
// on synthetic data whose answer is known.
#include "app/fit.h"

#include <cmath>

#include <gtest/gtest.h>

#include "app/eval.h"

namespace newsflow::app {
namespace {

// Two rules: rule 0 fires on 90 % of positives and 5 % of negatives; rule 1 is noise. 400 rows,
// 25 % positive, in 5 folds.
FitData Synthetic() {
  FitData d;
  d.hand = {1.0, 0.5};
  uint32_t seed = 7;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return ((seed >> 16) & 0x7FFF) / 32768.0;
  };
  for (int i = 0; i < 400; ++i) {
    const int y = i % 4 == 0 ? 1 : 0;
    const double f0 = next() < (y ? 0.9 : 0.05) ? 1 - std::exp(-1.0) : 0.0;
    const double f1 = next() < 0.3 ? 1 - std::exp(-1.0) : 0.0;
    d.x.push_back({f0, f1});
    d.y.push_back(y);
    d.fold.push_back(i % 5);
  }
  return d;
}

TEST(FitTest, LogisticRegressionFindsTheInformativeRule) {
  const FitData d = Synthetic();
  const TopicModel m = FitLogistic(d, 1.0);
  EXPECT_GT(m.weights[0], 3.0);
  EXPECT_LT(std::abs(m.weights[1]), m.weights[0] / 3);
  EXPECT_LT(m.bias, -1.0);
  // Calibrated in the mean: the average probability equals the positive rate (a property of
  // the logistic loss's optimum with an intercept; the small ridge on the bias bends it little).
  double sum = 0;
  for (const auto& x : d.x) sum += PredictProbability(m, x);
  EXPECT_NEAR(sum / d.x.size(), 0.25, 0.01);
}

TEST(FitTest, PenaltyPullsUnseenRulesToTheScaledHandWeight) {
  FitData d = Synthetic();
  d.hand.push_back(2.0);  // a third rule that never fires
  for (auto& x : d.x) x.push_back(0.0);
  const TopicModel m = FitLogistic(d, 3.0);
  EXPECT_NEAR(m.weights[2], m.scale * 2.0, 1e-3);
}

TEST(FitTest, CrossValidatedThresholdAndPenalty) {
  const TopicModel m = FitTopic(Synthetic());
  EXPECT_GE(m.threshold, 0.2);
  EXPECT_LE(m.threshold, 0.8);
  EXPECT_GT(m.lambda, 0.0);
  // Rule 0 alone decides: a row with it is assigned, a row without it is not.
  const double with = EmittedScore(m, {1 - std::exp(-1.0), 0.0});
  EXPECT_GE(with, m.threshold);
  EXPECT_EQ(EmittedScore(m, {0.0, 0.0}), 0.0);  // no evidence: no score
}

TEST(FitTest, SelectFolds) {
  const FitData d = Synthetic();
  EXPECT_EQ(SelectFolds(d, 2, true).x.size(), 80u);
  EXPECT_EQ(SelectFolds(d, 2, false).x.size(), 320u);
}

TEST(EvalFoldsTest, AnOutletIsInOneFoldAndFoldsAreBalanced) {
  EvalDataset data;
  const char* outlets[] = {"a", "a", "a", "b", "b", "c", "d", "e", "e", "f"};
  for (const char* o : outlets) {
    EvalArticle a;
    a.outlet = o;
    data.articles.push_back(a);
  }
  const std::vector<int> folds = OutletFolds(data, 3);
  std::map<std::string, std::set<int>> fold_of;
  std::vector<int> sizes(3, 0);
  for (size_t i = 0; i < folds.size(); ++i) {
    fold_of[data.articles[i].outlet].insert(folds[i]);
    ++sizes[static_cast<size_t>(folds[i])];
  }
  for (const auto& [o, f] : fold_of) EXPECT_EQ(f.size(), 1u) << o;
  // 10 articles in 3 folds: 4, 3, 3 (greedy by outlet size).
  EXPECT_LE(
      *std::max_element(sizes.begin(), sizes.end()) - *std::min_element(sizes.begin(), sizes.end()),
      1);
}

}  // namespace
}  // namespace newsflow::app
