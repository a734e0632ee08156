// SurgeDetector: article counts per topic (and per opted-in entity) in event-time buckets
// against a baseline, and the test that turns a bucket into a surge.
//
// Buckets: `surge.bucket` (default 5 min) of event time. A bucket closes when the highest event
// time seen passes its end plus `allowed_lateness`; articles for a closed bucket are counted as
// late and not added. The baseline is an exponentially weighted moving average of the closed
// buckets' counts (weight 1/baseline_buckets per bucket: 288 five-minute buckets = one day),
// empty buckets included; it counts only after `warmup_buckets` closed buckets.
//
// Test (documented in processors/alert/README.md), evaluated for the article's bucket each
// time it grows: with lambda = max(baseline, min_baseline) and c the bucket's count,
//   c >= min_count  and  c >= min_ratio * lambda  and  P(X >= c | Poisson(lambda)) <= max_p_value.
// A key that surged does not surge again for `cooldown_buckets` buckets, so one burst raises one
// alert (id from the key and the bucket's start: deterministic).
//
// Counts are per instance: with several instances each sees its partitions' share of the
// stream (the thresholds apply to that share).
//
// Threading: one mutex for all series, held for the short update.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "processors/alert/alert_rules.h"
#include "processors/core/form_hash.h"

namespace newsflow::alert {

struct SurgeEvent {
  std::string key;  // "topic:<id>" or "entity:<id>"
  int64_t bucket_start_ms = 0;
  int64_t bucket_ms = 0;
  int64_t count = 0;
  double baseline = 0.0;
  double p_value = 1.0;
};

struct SurgeGauge {
  std::string key;
  int64_t current_count = 0;  // articles in the newest open bucket
  double baseline = 0.0;      // expected articles per bucket
};

// P(X >= c) for X ~ Poisson(lambda).
double PoissonUpperTail(int64_t c, double lambda);

class SurgeDetector {
 public:
  // Counts one article for each key at event time `t_ms`; returns the surges it completes.
  std::vector<SurgeEvent> Observe(std::span<const std::string> keys, int64_t t_ms,
                                  const SurgeSettings& settings);
  std::vector<SurgeEvent> Observe(const std::vector<std::string>& keys, int64_t t_ms,
                                  const SurgeSettings& settings) {
    return Observe(std::span<const std::string>(keys), t_ms, settings);
  }
  std::vector<SurgeGauge> Gauges() const;
  int64_t late() const;

 private:
  struct Series {
    std::map<int64_t, int64_t> open;  // bucket index -> count
    int64_t last_closed = INT64_MIN;  // highest closed bucket index
    double baseline = 0.0;
    int64_t closed = 0;
    int64_t last_fired = INT64_MIN / 2;
  };
  void CloseLocked(Series& s, int64_t boundary, const SurgeSettings& settings);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Series, core::FormHasher> series_;
  // Every series was closed up to closed_boundary_ (when closed_all_): closing again at that
  // boundary changes only the series first counted since (`fresh_`, last_closed still
  // INT64_MIN); see Observe. (unordered_map elements keep their addresses.)
  bool closed_all_ = false;
  int64_t closed_boundary_ = 0;
  std::vector<Series*> fresh_;
  int64_t watermark_ = INT64_MIN;
  int64_t late_ = 0;
};

}  // namespace newsflow::alert
