#include "processors/alert/surge.h"

#include <cmath>

namespace newsflow::alert {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

double PoissonUpperTail(int64_t c, double lambda) {
  if (c <= 0) return 1.0;
  if (lambda <= 0) return 0.0;
  // Sum the terms k >= c in log space; they fall fast once k > lambda.
  double sum = 0.0;
  const double log_lambda = std::log(lambda);
  for (int64_t k = c; k < c + 2000; ++k) {
    const double term =
        std::exp(-lambda + k * log_lambda - std::lgamma(static_cast<double>(k) + 1));
    sum += term;
    if (k > lambda && term < sum * 1e-12) break;
  }
  return std::min(1.0, sum);
}

void SurgeDetector::CloseLocked(Series& s, int64_t boundary, const SurgeSettings& settings) {
  // Close every bucket below `boundary`, empty ones included.
  if (s.last_closed == INT64_MIN) {
    if (s.open.empty()) return;
    s.last_closed = s.open.begin()->first - 1;
  }
  const double keep = 1.0 - settings.baseline_alpha;
  while (s.last_closed + 1 < boundary) {
    auto it = s.open.begin();
    if (it == s.open.end() || it->first >= boundary) {
      // A run of empty buckets up to the boundary: closed form of the EWMA decay.
      const int64_t gap = boundary - 1 - s.last_closed;
      if (s.closed == 0) {
        s.baseline = 0.0;
      } else {
        s.baseline *= std::pow(keep, static_cast<double>(gap));
      }
      s.closed += gap;
      s.last_closed = boundary - 1;
      break;
    }
    if (it->first > s.last_closed + 1) {
      const int64_t gap = it->first - 1 - s.last_closed;
      if (s.closed > 0) s.baseline *= std::pow(keep, static_cast<double>(gap));
      s.closed += gap;
    }
    const double count = static_cast<double>(it->second);
    s.baseline = s.closed == 0 ? count : keep * s.baseline + settings.baseline_alpha * count;
    ++s.closed;
    s.last_closed = it->first;
    s.open.erase(it);
  }
}

std::vector<SurgeEvent> SurgeDetector::Observe(std::span<const std::string> keys, int64_t t_ms,
                                               const SurgeSettings& settings) {
  std::vector<SurgeEvent> out;
  if (!settings.enabled) return out;
  std::lock_guard lock(mu_);
  if (t_ms > watermark_) watermark_ = t_ms;
  const int64_t bucket = FloorDiv(t_ms, settings.bucket_ms);
  const int64_t boundary = FloorDiv(watermark_ - settings.allowed_lateness_ms, settings.bucket_ms);
  // Closing every series up to the boundary: after one pass at a boundary each series has
  // last_closed >= boundary - 1 (nothing left to close: another pass changes nothing) or has no
  // bucket yet; a counted bucket is above last_closed, so the only series another pass at the
  // same boundary changes are those whose first bucket was counted since (last_closed still
  // INT64_MIN). The boundary moves once a bucket (5 minutes) of event time: until then only
  // those are closed. Until 2026-12-06 every series (one per topic and watched entity ever seen)
  // was visited for every article.
  if (!closed_all_ || boundary != closed_boundary_) {
    for (auto& [key, s] : series_) CloseLocked(s, boundary, settings);
    closed_all_ = true;
    closed_boundary_ = boundary;
  } else {
    for (Series* s : fresh_) CloseLocked(*s, boundary, settings);
  }
  fresh_.clear();
  for (const auto& key : keys) {
    Series& s = series_[key];
    if (s.last_closed == INT64_MIN) fresh_.push_back(&s);
    if (s.last_closed != INT64_MIN && bucket <= s.last_closed) {
      ++late_;
      continue;
    }
    const int64_t c = ++s.open[bucket];
    if (s.closed < settings.warmup_buckets) continue;
    if (bucket <= s.last_fired + settings.cooldown_buckets) continue;
    const double lambda = std::max(s.baseline, settings.min_baseline);
    if (c < settings.min_count || static_cast<double>(c) < settings.min_ratio * lambda) continue;
    const double p = PoissonUpperTail(c, lambda);
    if (p > settings.max_p_value) continue;
    s.last_fired = bucket;
    out.push_back({key, bucket * settings.bucket_ms, settings.bucket_ms, c, s.baseline, p});
  }
  return out;
}

std::vector<SurgeGauge> SurgeDetector::Gauges() const {
  std::lock_guard lock(mu_);
  std::vector<SurgeGauge> out;
  for (const auto& [key, s] : series_) {
    out.push_back({key, s.open.empty() ? 0 : s.open.rbegin()->second, s.baseline});
  }
  return out;
}

int64_t SurgeDetector::late() const {
  std::lock_guard lock(mu_);
  return late_;
}

}  // namespace newsflow::alert
