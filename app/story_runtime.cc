#include "app/story_runtime.h"

#include <unistd.h>

#include <map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "processors/story/story_state.h"

namespace newsflow::app {

std::string DefaultInstanceId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "newsflow") + ":" + std::to_string(getpid());
}

struct StoryRuntime::Metrics {
  explicit Metrics(prometheus::Registry& r)
      : open(prometheus::BuildGauge()
                 .Name("newsflow_stories_open")
                 .Help("Open stories.")
                 .Register(r)
                 .Add({})),
        bytes(prometheus::BuildGauge()
                  .Name("newsflow_story_store_bytes")
                  .Help("Approximate heap bytes of the story store.")
                  .Register(r)
                  .Add({})),
        fingerprints(prometheus::BuildGauge()
                         .Name("newsflow_story_fingerprints")
                         .Help("Near-duplicate fingerprints held.")
                         .Register(r)
                         .Add({})),
        by_articles(prometheus::BuildGauge()
                        .Name("newsflow_stories_by_articles")
                        .Help("Open stories with at most max_articles articles (cumulative).")
                        .Register(r)),
        opened(prometheus::BuildCounter()
                   .Name("newsflow_stories_opened_total")
                   .Help("Stories opened.")
                   .Register(r)
                   .Add({})),
        duplicates(prometheus::BuildCounter()
                       .Name("newsflow_story_duplicates_total")
                       .Help("Near-duplicate articles detected, by kind.")
                       .Register(r)),
        closed(prometheus::BuildCounter()
                   .Name("newsflow_stories_closed_total")
                   .Help("Stories closed, by reason.")
                   .Register(r)),
        applied(prometheus::BuildCounter()
                    .Name("newsflow_story_states_applied_total")
                    .Help("news.stories records applied (restore and tail).")
                    .Register(r)
                    .Add({})),
        restore_seconds(prometheus::BuildGauge()
                            .Name("newsflow_story_restore_seconds")
                            .Help("Duration of the start-up restore from news.stories.")
                            .Register(r)
                            .Add({})),
        restore_records(prometheus::BuildGauge()
                            .Name("newsflow_story_restore_records")
                            .Help("Records read by the start-up restore.")
                            .Register(r)
                            .Add({})),
        raised(prometheus::BuildCounter()
                   .Name("newsflow_alerts_raised_total")
                   .Help("Alerts raised, by rule and severity.")
                   .Register(r)),
        suppressed(prometheus::BuildCounter()
                       .Name("newsflow_alerts_suppressed_total")
                       .Help("Rule matches suppressed (no escalation), by rule.")
                       .Register(r)),
        surges(prometheus::BuildCounter()
                   .Name("newsflow_surge_alerts_total")
                   .Help("Surge alerts raised.")
                   .Register(r)
                   .Add({})),
        surge_bucket(prometheus::BuildGauge()
                         .Name("newsflow_surge_bucket_articles")
                         .Help("Articles in the newest open surge bucket, by key.")
                         .Register(r)),
        surge_baseline(prometheus::BuildGauge()
                           .Name("newsflow_surge_baseline_articles")
                           .Help("EWMA baseline of articles per surge bucket, by key.")
                           .Register(r)) {}

  // Counters follow a monotonic source value.
  static void Follow(prometheus::Counter& c, double value) {
    if (value > c.Value()) c.Increment(value - c.Value());
  }

  prometheus::Gauge& open;
  prometheus::Gauge& bytes;
  prometheus::Gauge& fingerprints;
  prometheus::Family<prometheus::Gauge>& by_articles;
  prometheus::Counter& opened;
  prometheus::Family<prometheus::Counter>& duplicates;
  prometheus::Family<prometheus::Counter>& closed;
  prometheus::Counter& applied;
  prometheus::Gauge& restore_seconds;
  prometheus::Gauge& restore_records;
  prometheus::Family<prometheus::Counter>& raised;
  prometheus::Family<prometheus::Counter>& suppressed;
  prometheus::Counter& surges;
  prometheus::Family<prometheus::Gauge>& surge_bucket;
  prometheus::Family<prometheus::Gauge>& surge_baseline;
  int refreshes = 0;
};

Result<std::unique_ptr<StoryRuntime>> StoryRuntime::Create(const consumers::KafkaConfig& kafka,
                                                           PipelineSetup& pipeline_setup,
                                                           consumers::Logger* log) {
  std::unique_ptr<StoryRuntime> rt(new StoryRuntime());
  rt->pipeline_setup_ = &pipeline_setup;
  rt->log_ = log;
  if (pipeline_setup.stories) {
    std::shared_ptr<story::StoryStore> store = pipeline_setup.stories;
    StoryRuntime* self = rt.get();
    auto apply = [store, self](std::string_view, std::string_view value) {
      auto state = story::DecodeStoryState(value);
      if (!state.ok()) {
        self->log_->Warn("news.stories record skipped", {{"error", state.status().message()}});
        return;
      }
      // While restoring, replay only (story_store.h, ApplyRemote); the tail may merge.
      for (const auto& changed : store->ApplyRemote(*state, !self->restoring_.load())) {
        if (self->sync_) self->sync_->Publish(changed.id, story::EncodeStoryState(changed));
      }
    };
    NEWSFLOW_ASSIGN_OR_RETURN(rt->sync_,
                              consumers::StoryStateSync::Create(kafka, store->config().instance_id,
                                                                std::move(apply), log));
    rt->not_ready_ = "restoring the story state from " + kafka.output.stories;
  }
  rt->refresher_ = std::thread([self = rt.get()] {
    while (!self->stop_.load()) {
      self->Refresh();
      for (int i = 0; i < 10 && !self->stop_.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
  return rt;
}

bool StoryRuntime::RestoreThenTail(std::chrono::milliseconds restore_timeout,
                                   std::chrono::milliseconds retry_interval,
                                   const std::atomic<bool>& stop) {
  if (!sync_) return !stop.load();
  std::string last_error;
  while (!stop.load()) {
    restoring_.store(true);
    Result<consumers::RestoreResult> restored = sync_->Restore(restore_timeout, &stop);
    restoring_.store(false);
    if (restored.ok()) {
      if (stop.load()) return false;
      {
        std::lock_guard lock(metrics_mu_);
        restored_ = *restored;
      }
      sync_->Start();
      std::lock_guard lock(state_mu_);
      not_ready_.reset();
      return true;
    }
    const std::string error = restored.status().message();
    {
      std::lock_guard lock(state_mu_);
      not_ready_ = error.find("authentication failed") != std::string::npos
                       ? error
                       : "cannot restore the story state: " + error;
    }
    if (error != last_error) {
      log_->Error("cannot restore the story state; retrying",
                  {{"error", error}, {"retry_ms", static_cast<int64_t>(retry_interval.count())}});
      last_error = error;
    }
    const auto until = std::chrono::steady_clock::now() + retry_interval;
    while (!stop.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return false;
}

std::optional<std::string> StoryRuntime::NotReady() const {
  std::lock_guard lock(state_mu_);
  return not_ready_;
}

StoryRuntime::~StoryRuntime() { Stop(); }

void StoryRuntime::Stop() {
  stop_.store(true);
  if (refresher_.joinable()) refresher_.join();
  if (sync_) sync_->Stop();
}

void StoryRuntime::AttachMetrics(consumers::RuntimeMetrics* metrics) {
  std::lock_guard lock(metrics_mu_);
  if (metrics == nullptr) {
    metrics_.reset();
    return;
  }
  metrics_ = std::make_unique<Metrics>(*metrics->registry());
}

void StoryRuntime::Refresh() {
  std::lock_guard lock(metrics_mu_);
  if (!metrics_) return;
  Metrics& m = *metrics_;
  m.restore_seconds.Set(restored_.seconds);
  m.restore_records.Set(static_cast<double>(restored_.records));
  if (pipeline_setup_->stories) {
    const story::StoreStats s = pipeline_setup_->stories->Stats();
    m.open.Set(static_cast<double>(s.open));
    m.fingerprints.Set(static_cast<double>(s.fingerprints));
    Metrics::Follow(m.opened, static_cast<double>(s.opened));
    Metrics::Follow(m.duplicates.Add({{"kind", "exact"}}), static_cast<double>(s.exact_duplicates));
    Metrics::Follow(m.duplicates.Add({{"kind", "near"}}), static_cast<double>(s.near_duplicates));
    Metrics::Follow(m.closed.Add({{"reason", "expired"}}), static_cast<double>(s.expired));
    Metrics::Follow(m.closed.Add({{"reason", "evicted"}}), static_cast<double>(s.evicted));
    Metrics::Follow(m.closed.Add({{"reason", "merged"}}), static_cast<double>(s.merged));
    if (sync_) Metrics::Follow(m.applied, static_cast<double>(sync_->applied()));
    // The walks over every open story: every 10th refresh.
    if (m.refreshes++ % 10 == 0) {
      m.bytes.Set(static_cast<double>(pipeline_setup_->stories->ApproximateBytes()));
      static const std::vector<int64_t> kBounds = {1, 2, 3, 5, 10, 30, 100};
      const auto buckets = pipeline_setup_->stories->ArticleCountBuckets(kBounds);
      for (size_t i = 0; i < kBounds.size(); ++i) {
        m.by_articles.Add({{"max_articles", std::to_string(kBounds[i])}})
            .Set(static_cast<double>(buckets[i]));
      }
      m.by_articles.Add({{"max_articles", "+Inf"}}).Set(static_cast<double>(buckets.back()));
    }
  }
  if (pipeline_setup_->alerts.state) {
    const alert::AlertCounters c = pipeline_setup_->alerts.state->Counters();
    for (const auto& [key, n] : c.raised) {
      const size_t bar = key.find('|');
      Metrics::Follow(
          m.raised.Add({{"rule", key.substr(0, bar)}, {"severity", key.substr(bar + 1)}}),
          static_cast<double>(n));
    }
    for (const auto& [rule, n] : c.suppressed) {
      Metrics::Follow(m.suppressed.Add({{"rule", rule}}), static_cast<double>(n));
    }
    Metrics::Follow(m.surges, static_cast<double>(c.surges));
  }
  if (pipeline_setup_->alerts.surges) {
    for (const auto& g : pipeline_setup_->alerts.surges->Gauges()) {
      m.surge_bucket.Add({{"key", g.key}}).Set(static_cast<double>(g.current_count));
      m.surge_baseline.Add({{"key", g.key}}).Set(g.baseline);
    }
  }
}

}  // namespace newsflow::app
