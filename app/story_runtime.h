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
  // Restores (bounded by `restore_timeout`) and starts tailing. Errors: the topic could not be
  // read (the caller exits: running without the shared state would split stories).
  static Result<std::unique_ptr<StoryRuntime>> Start(const consumers::KafkaConfig& kafka,
                                                     PipelineSetup& pipeline_setup,
                                                     consumers::Logger* log,
                                                     std::chrono::milliseconds restore_timeout);
  ~StoryRuntime();
  void Stop();
  // Registers the metrics on `metrics` (null: detach before the metrics are destroyed).
  void AttachMetrics(consumers::RuntimeMetrics* metrics);
  const consumers::RestoreResult& restored() const { return restored_; }

 private:
  StoryRuntime() = default;
  void Refresh();

  PipelineSetup* pipeline_setup_ = nullptr;
  consumers::Logger* log_ = nullptr;
  std::unique_ptr<consumers::StoryStateSync> sync_;
  consumers::RestoreResult restored_;
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;
  std::mutex metrics_mu_;
  std::atomic<bool> stop_{false};
  std::thread refresher_;
};

// The writer id of this process in news.stories counters: "<host>:<pid>".
std::string DefaultInstanceId();

}  // namespace newsflow::app
