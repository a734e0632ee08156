// StoryRuntime: what `newsflow run` adds around the Kafka runtime for stories and alerts.
//
//   * the shared story state (consumers/story_state.h): restores the StoryStore from
//     news.stories before any input is consumed, then tails the topic so other instances'
//     stories are seen; states changed by a merge are published back;
//   * the story/alert/surge metrics, registered on the runtime's Prometheus registry and
//     refreshed every second from the store, the alert state and the surge detector:
//       newsflow_stories_open                      open stories
//       newsflow_story_store_bytes                 approximate heap bytes of the story store
//       newsflow_story_fingerprints                near-duplicate fingerprints held
//       newsflow_stories_by_articles{max_articles} open stories with at most that many articles
//       newsflow_stories_opened_total
//       newsflow_story_duplicates_total{kind="exact"|"near"}
//       newsflow_stories_closed_total{reason="expired"|"evicted"|"merged"}
//       newsflow_story_states_applied_total        news.stories records applied
//       newsflow_story_restore_seconds / newsflow_story_restore_records   the start-up restore
//       newsflow_alerts_raised_total{rule,severity}
//       newsflow_alerts_suppressed_total{rule}
//       newsflow_surge_alerts_total
//       newsflow_surge_bucket_articles{key}        articles in the newest open bucket
//       newsflow_surge_baseline_articles{key}      EWMA baseline per bucket
//
// Threading: one refresh thread; Stop() (also the destructor) joins it and the tail thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "app/pipeline_setup.h"
#include "consumers/config.h"
#include "consumers/log.h"
#include "consumers/metrics.h"
#include "consumers/story_state.h"

namespace newsflow::app {

class StoryRuntime {
 public:
  // Creates the clients and starts the metrics refresh; nothing is read yet. Errors: the
  // Kafka configuration is unusable.
  static Result<std::unique_ptr<StoryRuntime>> Create(const consumers::KafkaConfig& kafka,
                                                      PipelineSetup& pipeline_setup,
                                                      consumers::Logger* log);
  // Restores the story index from news.stories (each attempt's reading bounded by
  // `restore_timeout`), then starts tailing it. A failed attempt (broker unreachable, wrong
  // credentials) is logged and retried every `retry_interval` until one succeeds or `stop`
  // turns true; meanwhile NotReady() gives the reason for /readyz. Returns false when stopped
  // before the restore finished (the caller must not consume: running without the shared
  // state would split stories). Call once, before any input is consumed.
  bool RestoreThenTail(std::chrono::milliseconds restore_timeout,
                       std::chrono::milliseconds retry_interval, const std::atomic<bool>& stop);
  // Why the instance must not be reported ready yet (the restore has not finished), or none.
  std::optional<std::string> NotReady() const;
  ~StoryRuntime();
  void Stop();
  // Registers the metrics on `metrics` (null: detach before the metrics are destroyed).
  void AttachMetrics(consumers::RuntimeMetrics* metrics);

 private:
  StoryRuntime() = default;
  void Refresh();

  PipelineSetup* pipeline_setup_ = nullptr;
  consumers::Logger* log_ = nullptr;
  std::unique_ptr<consumers::StoryStateSync> sync_;
  consumers::RestoreResult restored_;  // written under metrics_mu_
  mutable std::mutex state_mu_;
  std::optional<std::string> not_ready_;  // under state_mu_
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
  std::mutex metrics_mu_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> restoring_{false};  // Restore() is replaying the topic
  std::thread refresher_;
};

// The writer id of this process in news.stories counters: "<host>:<pid>".
std::string DefaultInstanceId();

}  // namespace newsflow::app
