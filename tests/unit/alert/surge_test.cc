// Surges: a synthetic burst of one topic in a steady stream raises exactly one surge alert,
// for the burst's bucket; the steady stream alone raises none. Through the whole pipeline.
#include "processors/alert/surge.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "app/pipeline_setup.h"
#include "schemas/validate.h"
#include "tests/testing/testing.h"

namespace newsflow::alert {
namespace {

constexpr int64_t kStart = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr int64_t kMinute = 60000;

std::string Published(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Ceasefire(int i, int64_t t) {
  return R"({"id":"c)" + std::to_string(i) +
         R"(","title":"Ceasefire talks continue","body":"Negotiators met again to discuss a )"
         R"(ceasefire and a truce between the warring parties, mediators said.","published":")" +
         Published(t) + R"("})";
}

struct FeedResult {
  std::vector<std::string> surge_alerts;  // values
};

FeedResult Feed(const std::vector<std::pair<int, int64_t>>& articles) {
  auto pipeline_setup = app::BuildPipelineSetup("");
  EXPECT_TRUE(pipeline_setup.ok());
  FeedResult run;
  core::FixedClock clock(kStart);
  for (const auto& [i, t] : articles) {
    schemas::RawRecord record = testing::MakeRecord(Ceasefire(i, t), "application/json");
    core::Outcome o = (*pipeline_setup)->pipeline->Process(record, {&clock, "test"});
    EXPECT_TRUE(o.ok());
    for (const auto& out : o.outputs) {
      if (out.kind == schemas::Output::Kind::kAlert &&
          out.value.find("\"kind\":\"surge\"") != std::string::npos) {
        EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kAlert, out.value).ok());
        run.surge_alerts.push_back(out.value);
      }
    }
  }
  return run;
}

// 0-2 articles per 5-minute bucket for 8 hours (a fixed pseudo-random pattern).
std::vector<std::pair<int, int64_t>> Steady() {
  std::vector<std::pair<int, int64_t>> out;
  uint32_t x = 12345;
  int id = 0;
  for (int bucket = 0; bucket < 96; ++bucket) {
    x = x * 1103515245 + 12345;
    const int n = static_cast<int>((x >> 16) % 3);
    for (int k = 0; k < n; ++k) out.push_back({id++, kStart + bucket * 5 * kMinute + k * kMinute});
  }
  return out;
}

TEST(SurgeTest, SteadyStreamRaisesNone) { EXPECT_TRUE(Feed(Steady()).surge_alerts.empty()); }

TEST(SurgeTest, BurstRaisesExactlyOneSurgeInItsWindow) {
  auto articles = Steady();
  // Bucket 80 (06:40-06:45): 20 more articles, inserted in time order.
  const int64_t burst = kStart + 80 * 5 * kMinute;
  std::vector<std::pair<int, int64_t>> merged;
  int id = 100000;
  bool inserted = false;
  for (const auto& a : articles) {
    if (!inserted && a.second >= burst) {
      for (int k = 0; k < 20; ++k) merged.push_back({id++, burst + k * 10000});
      inserted = true;
    }
    merged.push_back(a);
  }
  const FeedResult run = Feed(merged);
  ASSERT_EQ(run.surge_alerts.size(), 1u);
  EXPECT_NE(run.surge_alerts[0].find("\"key\":\"topic:ceasefire_talks\""), std::string::npos);
  EXPECT_NE(run.surge_alerts[0].find("\"bucket_start\":\"" + Published(burst).substr(0, 19)),
            std::string::npos)
      << run.surge_alerts[0];
}

TEST(SurgeTest, PoissonTail) {
  EXPECT_NEAR(PoissonUpperTail(0, 2.0), 1.0, 1e-12);
  EXPECT_NEAR(PoissonUpperTail(1, 2.0), 1 - std::exp(-2.0), 1e-9);
  EXPECT_LT(PoissonUpperTail(10, 1.0), 1e-6);
}

TEST(SurgeTest, LateArticlesAreNotCounted) {
  SurgeSettings s;
  s.warmup_buckets = 0;
  SurgeDetector d;
  d.Observe({"topic:x"}, kStart + 60 * kMinute, s);
  d.Observe({"topic:x"}, kStart, s);  // an hour late, lateness 10 min
  EXPECT_EQ(d.late(), 1);
  ASSERT_EQ(d.Gauges().size(), 1u);
  EXPECT_EQ(d.Gauges()[0].current_count, 1);
}

// A series first counted behind the boundary (an article of a new topic more than the allowed
// lateness late) has its bucket closed by the next article, even though the boundary has not
// moved (the detector closes only such series then, not all): its next article in that bucket is
// late, and the closed bucket is its baseline. Other series are untouched.
TEST(SurgeTest, ANewSeriesBehindTheBoundaryIsClosedByTheNextArticle) {
  SurgeSettings s;
  s.warmup_buckets = 0;
  SurgeDetector d;
  d.Observe({"topic:a"}, kStart + 60 * kMinute, s);
  d.Observe({"topic:b"}, kStart, s);  // new: counted, no bucket of b closed yet
  EXPECT_EQ(d.late(), 0);
  d.Observe({"topic:a"}, kStart + 60 * kMinute, s);  // same boundary
  d.Observe({"topic:b"}, kStart + kMinute, s);       // b's first bucket is closed now: late
  EXPECT_EQ(d.late(), 1);
  std::map<std::string, SurgeGauge> gauges;
  for (const SurgeGauge& g : d.Gauges()) gauges[g.key] = g;
  ASSERT_EQ(gauges.size(), 2u);
  EXPECT_EQ(gauges["topic:b"].current_count, 0);  // nothing open
  // Its one closed bucket (1 article), then the 9 empty ones up to the boundary (minute 50).
  EXPECT_NEAR(gauges["topic:b"].baseline, std::pow(1.0 - s.baseline_alpha, 9), 1e-12);
  EXPECT_EQ(gauges["topic:a"].current_count, 2);
  // The boundary moves (a bucket later): every series is closed up to it.
  d.Observe({"topic:a"}, kStart + 80 * kMinute, s);
  d.Observe({"topic:a"}, kStart + 61 * kMinute, s);  // a's bucket of minute 60 is closed: late
  EXPECT_EQ(d.late(), 2);
}

}  // namespace
}  // namespace newsflow::alert
