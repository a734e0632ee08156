#include "app/fit.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace newsflow::app {
namespace {

constexpr double kRidge = 1e-3;  // on the bias and the scale, keeps them finite
constexpr double kLambdas[] = {0.1, 0.3, 1.0, 3.0, 10.0};

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// Solves a x = rhs in place (Gaussian elimination, partial pivoting); false when singular.
bool Solve(std::vector<std::vector<double>>& a, std::vector<double>& rhs) {
  const size_t n = rhs.size();
  for (size_t c = 0; c < n; ++c) {
    size_t pivot = c;
    for (size_t r = c + 1; r < n; ++r) {
      if (std::abs(a[r][c]) > std::abs(a[pivot][c])) pivot = r;
    }
    if (std::abs(a[pivot][c]) < 1e-12) return false;
    std::swap(a[c], a[pivot]);
    std::swap(rhs[c], rhs[pivot]);
    for (size_t r = c + 1; r < n; ++r) {
      const double f = a[r][c] / a[c][c];
      if (f == 0.0) continue;
      for (size_t k = c; k < n; ++k) a[r][k] -= f * a[c][k];
      rhs[r] -= f * rhs[c];
    }
  }
  for (size_t c = n; c-- > 0;) {
    for (size_t k = c + 1; k < n; ++k) rhs[c] -= a[c][k] * rhs[k];
    rhs[c] /= a[c][c];
  }
  return true;
}

// Parameters: [b, w_1..w_R, a].
double Loss(const FitData& d, double lambda, const std::vector<double>& theta) {
  const size_t rules = d.hand.size();
  double loss = 0.0;
  for (size_t i = 0; i < d.x.size(); ++i) {
    double z = theta[0];
    for (size_t r = 0; r < rules; ++r) z += theta[1 + r] * d.x[i][r];
    // log(1 + e^z) - y z, stably.
    loss += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - d.y[i] * z;
  }
  const double a = theta[rules + 1];
  for (size_t r = 0; r < rules; ++r) {
    const double dev = theta[1 + r] - a * d.hand[r];
    loss += 0.5 * lambda * dev * dev;
  }
  loss += 0.5 * kRidge * (theta[0] * theta[0] + a * a);
  return loss;
}

double LogLoss(double p, int y) {
  p = std::clamp(p, 1e-6, 1 - 1e-6);
  return y ? -std::log(p) : -std::log(1 - p);
}

}  // namespace

double PredictProbability(const TopicModel& model, const std::vector<double>& x) {
  double z = model.bias;
  for (size_t r = 0; r < x.size(); ++r) z += model.weights[r] * x[r];
  return Sigmoid(z);
}

bool HasEvidence(const TopicModel& model, const std::vector<double>& x) {
  for (size_t r = 0; r < x.size(); ++r) {
    if (x[r] > 0 && model.weights[r] > 0) return true;
  }
  return false;
}

double EmittedScore(const TopicModel& model, const std::vector<double>& x) {
  return HasEvidence(model, x) ? PredictProbability(model, x) : 0.0;
}

TopicModel FitLogistic(const FitData& d, double lambda) {
  const size_t rules = d.hand.size();
  const size_t n = rules + 2;
  std::vector<double> theta(n, 0.0);
  theta[n - 1] = 1.0;  // a
  for (size_t r = 0; r < rules; ++r) theta[1 + r] = d.hand[r];
  theta[0] = -2.0;
  double loss = Loss(d, lambda, theta);
  for (int iter = 0; iter < 100; ++iter) {
    std::vector<double> grad(n, 0.0);
    std::vector<std::vector<double>> hess(n, std::vector<double>(n, 0.0));
    for (size_t i = 0; i < d.x.size(); ++i) {
      double z = theta[0];
      for (size_t r = 0; r < rules; ++r) z += theta[1 + r] * d.x[i][r];
      const double p = Sigmoid(z);
      const double g = p - d.y[i];
      const double h = p * (1 - p);
      grad[0] += g;
      hess[0][0] += h;
      for (size_t r = 0; r < rules; ++r) {
        const double xr = d.x[i][r];
        if (xr == 0.0) continue;
        grad[1 + r] += g * xr;
        hess[0][1 + r] += h * xr;
        hess[1 + r][0] += h * xr;
        for (size_t k = 0; k < rules; ++k) {
          if (d.x[i][k] != 0.0) hess[1 + r][1 + k] += h * xr * d.x[i][k];
        }
      }
    }
    const double a = theta[n - 1];
    double hh = 0.0;
    for (size_t r = 0; r < rules; ++r) {
      const double dev = theta[1 + r] - a * d.hand[r];
      grad[1 + r] += lambda * dev;
      grad[n - 1] -= lambda * d.hand[r] * dev;
      hess[1 + r][1 + r] += lambda;
      hess[1 + r][n - 1] -= lambda * d.hand[r];
      hess[n - 1][1 + r] -= lambda * d.hand[r];
      hh += d.hand[r] * d.hand[r];
    }
    grad[0] += kRidge * theta[0];
    grad[n - 1] += kRidge * a;
    hess[0][0] += kRidge;
    hess[n - 1][n - 1] += lambda * hh + kRidge;
    for (size_t k = 0; k < n; ++k) hess[k][k] += 1e-9;
    std::vector<double> step = grad;
    if (!Solve(hess, step)) break;
    // Backtracking line search on the (convex) loss.
    double t = 1.0;
    std::vector<double> next(n);
    double next_loss = loss;
    for (int ls = 0; ls < 30; ++ls) {
      for (size_t k = 0; k < n; ++k) next[k] = theta[k] - t * step[k];
      next_loss = Loss(d, lambda, next);
      if (next_loss <= loss) break;
      t *= 0.5;
    }
    if (next_loss > loss) break;
    const double improvement = loss - next_loss;
    theta = next;
    loss = next_loss;
    if (improvement < 1e-9) break;
  }
  TopicModel m;
  m.bias = theta[0];
  m.weights.assign(theta.begin() + 1, theta.begin() + 1 + static_cast<std::ptrdiff_t>(rules));
  m.scale = theta[n - 1];
  m.lambda = lambda;
  return m;
}

FitData SelectFolds(const FitData& d, int fold, bool keep) {
  FitData out;
  out.hand = d.hand;
  for (size_t i = 0; i < d.x.size(); ++i) {
    if ((d.fold[i] == fold) != keep) continue;
    out.x.push_back(d.x[i]);
    out.y.push_back(d.y[i]);
    out.fold.push_back(d.fold[i]);
  }
  return out;
}

TopicModel FitTopic(const FitData& d) {
  const std::set<int> folds(d.fold.begin(), d.fold.end());
  double best_loss = 0.0, best_lambda = 1.0;
  std::vector<double> best_scores;
  std::vector<int> best_y;
  bool first = true;
  for (double lambda : kLambdas) {
    double loss = 0.0;
    std::vector<double> scores;
    std::vector<int> ys;
    for (int f : folds) {
      const FitData train = SelectFolds(d, f, false);
      const FitData test = SelectFolds(d, f, true);
      const TopicModel m = FitLogistic(train, lambda);
      for (size_t i = 0; i < test.x.size(); ++i) {
        loss += LogLoss(PredictProbability(m, test.x[i]), test.y[i]);
        scores.push_back(EmittedScore(m, test.x[i]));
        ys.push_back(test.y[i]);
      }
    }
    if (first || loss < best_loss - 1e-9) {
      first = false;
      best_loss = loss;
      best_lambda = lambda;
      best_scores = std::move(scores);
      best_y = std::move(ys);
    }
  }
  // The threshold that maximises F1 of the held-out predictions.
  double best_t = 0.5, best_f1 = -1.0;
  for (int k = 4; k <= 16; ++k) {
    const double t = k * 0.05;
    int tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < best_scores.size(); ++i) {
      const bool pred = best_scores[i] > 0 && best_scores[i] >= t;
      tp += pred && best_y[i];
      fp += pred && !best_y[i];
      fn += !pred && best_y[i];
    }
    const double f1 = tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
    if (f1 > best_f1 + 1e-9 ||
        (std::abs(f1 - best_f1) <= 1e-9 && std::abs(t - 0.5) < std::abs(best_t - 0.5))) {
      best_f1 = f1;
      best_t = t;
    }
  }
  TopicModel m = FitLogistic(d, best_lambda);
  m.threshold = best_t;
  return m;
}

}  // namespace newsflow::app
