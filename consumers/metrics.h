// RuntimeMetrics: the one stats struct of the Kafka runtime (Prometheus, prometheus-cpp), and
// HttpEndpoint: /metrics, /healthz and /readyz on one port (civetweb, which prometheus-cpp's
// own Exposer is built on; we run our own CivetServer because Exposer cannot register non-
// metrics handlers).
//
// Metric names (all prefixed newsflow_; counters end in _total, durations in _seconds):
//   newsflow_build_info{version}                          1
//   newsflow_records_consumed_total{topic}                records read from input topics
//   newsflow_records_produced_total{topic}                messages acknowledged by the broker
//   newsflow_records_dead_lettered_total{topic,stage,class} records sent to the dead-letter topic
//   newsflow_delivery_failures_total{topic,reason}        messages not delivered or not enqueued
//                                                         (reason: DeliveryFailureName())
//   newsflow_outputs_reduced_total{topic}                 enriched events produced reduced
//   newsflow_transactions_total{result="committed"|"aborted"}  exactly_once transactions
//   newsflow_transaction_duration_seconds                 begin -> commit/abort (histogram)
//   newsflow_stage_duration_seconds{stage}                per-stage processing time (histogram)
//   newsflow_end_to_end_latency_seconds                   Kafka timestamp -> last ack (histogram)
//   newsflow_consumer_lag_messages{topic,partition}       from librdkafka statistics
//   newsflow_rebalances_total{kind="assign"|"revoke"|"lost"}
//   newsflow_assigned_partitions                          partitions currently assigned
//   newsflow_producer_queue_messages                      producer messages not yet delivered
//   newsflow_work_queue_records                           records waiting for a worker
//   newsflow_input_paused                                 1 while input partitions are paused
//   newsflow_pauses_total                                 back-pressure pauses
//   newsflow_ready                                        1 when /readyz answers 200
//
// Series known at start-up exist from the start, at 0 (CreateKnownSeries): prometheus-cpp
// creates a labelled series on its first Add(), and a counter that first appears with value N
// hides those N events from rate()/increase() (they compare with the previous sample, and there
// is none). The dead-letter series are the exception: their (stage, class) pairs are open-ended,
// so they still appear with their first dead letter (the dead-letter ratio alert, which needs
// minutes of data, is not affected; the dashboard's counters are).
//
// Thread-safety: every method may be called from any thread (prometheus-cpp metrics are
// thread-safe; label lookups lock the family).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "consumers/config.h"
#include "consumers/engine.h"
#include "schemas/result.h"

class CivetServer;

namespace newsflow::consumers {

struct ConsumerLag;

class RuntimeMetrics final : public EngineProbe {
 public:
  explicit RuntimeMetrics(std::string version);

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
  // Creates at 0 every labelled series whose labels the configuration determines:
  // records_consumed_total per input topic; records_produced_total per output topic (enriched,
  // alerts, dead letters, stories); delivery_failures_total per output topic and reason;
  // outputs_reduced_total for the enriched topic; rebalances_total per kind (assign, revoke,
  // lost); transactions_total per result (committed, aborted) with exactly_once. Idempotent;
  // call it before the runtime starts so the first scrape already lists them.
  void CreateKnownSeries(const KafkaConfig& kafka);
  // Text exposition format of the registry (what /metrics serves).
  std::string Render() const;

  // EngineProbe.
  void OnStage(std::string_view stage, std::chrono::nanoseconds elapsed, bool ok) override;
  void OnConsumed(const std::string& topic) override;
  void OnDeadLettered(const std::string& topic, const Status& why) override;
  void OnProduced(std::string_view topic) override;
  void OnDeliveryFailed(std::string_view topic, std::string_view reason) override;
  void OnReduced(std::string_view topic) override;
  void OnTransaction(bool committed, double seconds) override;
  void OnEndToEnd(double seconds) override;

  void OnRebalance(std::string_view kind) override;
  void SetAssigned(int64_t n) override { assigned_.Set(static_cast<double>(n)); }
  void SetProducerQueue(int64_t n) { producer_queue_.Set(static_cast<double>(n)); }
  void SetWorkQueue(int64_t n) { work_queue_.Set(static_cast<double>(n)); }
  void SetPaused(bool paused) override;
  void SetReady(bool ready) { ready_.Set(ready ? 1 : 0); }
  void SetConsumerLag(const std::string& topic, int32_t partition, int64_t lag);
  // One statistics document's lags: sets these and removes the series of partitions that are
  // no longer in it (revoked or lost), so /metrics never shows a stale lag of a partition this
  // instance stopped consuming.
  void ReplaceConsumerLags(const std::vector<ConsumerLag>& lags);
  // Drops the lag series of one partition (on revoke; the next statistics would drop it too).
  void RemoveConsumerLag(const std::string& topic, int32_t partition) override;
  // A taxonomy (re)load: counts newsflow_taxonomy_reloads_total{result="success"|"failure"}
  // (not for the initial load) and, on success, points newsflow_taxonomy_info{version} at it.
  void OnTaxonomyReload(bool ok, const std::string& version, bool initial = false);
  // A consumed record skipped because librdkafka re-delivered an offset already dispatched in
  // the current assignment (fetch rewind; see KafkaRuntime::next_offset_).
  void OnRedeliverySkipped() override { redelivery_skipped_.Increment(); }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& consumed_;
  prometheus::Family<prometheus::Counter>& produced_;
  prometheus::Family<prometheus::Counter>& dead_lettered_;
  prometheus::Family<prometheus::Counter>& delivery_failures_;
  prometheus::Family<prometheus::Counter>& reduced_;
  prometheus::Family<prometheus::Counter>& transactions_;
  prometheus::Histogram& transaction_seconds_;
  prometheus::Family<prometheus::Histogram>& stage_seconds_;
  prometheus::Histogram& end_to_end_;
  prometheus::Family<prometheus::Gauge>& lag_;
  prometheus::Family<prometheus::Counter>& rebalances_;
  prometheus::Gauge& assigned_;
  prometheus::Gauge& producer_queue_;
  prometheus::Gauge& work_queue_;
  prometheus::Gauge& paused_;
  prometheus::Counter& pauses_;
  prometheus::Gauge& ready_;
  prometheus::Family<prometheus::Counter>& taxonomy_reloads_;
  prometheus::Family<prometheus::Gauge>& taxonomy_info_;
  prometheus::Counter& redelivery_skipped_;
  std::mutex taxonomy_mutex_;
  prometheus::Gauge* taxonomy_current_ = nullptr;
  std::mutex lag_mutex_;
  std::set<std::pair<std::string, int32_t>> lag_series_;  // partitions with a lag series
};

struct ConsumerLag {
  std::string topic;
  int32_t partition = -1;
  int64_t lag = -1;
};
// Consumer lag per assigned partition from a librdkafka statistics JSON document
// (topics.<t>.partitions.<p>.consumer_lag; partitions with lag -1 (unknown) or id -1 skipped).
std::vector<ConsumerLag> ParseConsumerLag(std::string_view stats_json);
// True when the statistics list at least one broker (not the bootstrap placeholder) in "UP".
bool AnyBrokerUp(std::string_view stats_json);

struct Readiness {
  bool ready = false;
  std::string reason;  // why not ready, or "ready"
};

// Serves GET /metrics, /healthz (200 "ok" unless `liveness` (optional) says the process is
// wedged: then 503 with the reason) and /readyz (200 when `readiness` says so, else 503 with
// the reason).
//
// Final scrape: a caller that is about to stop serving (app/cmd_run.cc after a failure) notes
// metrics_started() and waits until metrics_served() exceeds it: at least one /metrics page
// rendered after that moment has then been sent (pages started earlier may finish in between,
// but at most metrics_started() of them can).
class HttpEndpoint {
 public:
  static Result<std::unique_ptr<HttpEndpoint>> Start(const std::string& address,
                                                     std::function<std::string()> render_metrics,
                                                     std::function<Readiness()> readiness,
                                                     std::function<Readiness()> liveness = nullptr);
  ~HttpEndpoint();
  int port() const { return port_; }
  // /metrics requests whose page rendering began / whose page was sent, since Start().
  int64_t metrics_started() const;
  int64_t metrics_served() const;

 private:
  HttpEndpoint() = default;
  struct Handlers;
  // Destruction order: the server (its threads call the handlers) goes before the handlers.
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
};

}  // namespace newsflow::consumers
