#include "consumers/metrics.h"

#include <CivetServer.h>
#include <prometheus/text_serializer.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <utility>

#include "consumers/io.h"

namespace newsflow::consumers {
namespace {

prometheus::Histogram::BucketBoundaries StageBuckets() {
  return {0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
          0.01,    0.025,   0.05,   0.1,     0.25,   0.5,   1.0};
}

prometheus::Histogram::BucketBoundaries EndToEndBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0};
}

}  // namespace

RuntimeMetrics::RuntimeMetrics(std::string version)
    : registry_(std::make_shared<prometheus::Registry>()),
      consumed_(prometheus::BuildCounter()
                    .Name("newsflow_records_consumed_total")
                    .Help("Records read from input topics.")
                    .Register(*registry_)),
      produced_(prometheus::BuildCounter()
                    .Name("newsflow_records_produced_total")
                    .Help("Messages acknowledged by the broker, per output topic.")
                    .Register(*registry_)),
      dead_lettered_(prometheus::BuildCounter()
                         .Name("newsflow_records_dead_lettered_total")
                         .Help("Records sent to the dead-letter topic, per input topic, stage "
                               "and error class.")
                         .Register(*registry_)),
      delivery_failures_(prometheus::BuildCounter()
                             .Name("newsflow_delivery_failures_total")
                             .Help("Messages the producer could not enqueue or reported as "
                                   "permanently failed, per output topic and reason.")
                             .Register(*registry_)),
      reduced_(prometheus::BuildCounter()
                   .Name("newsflow_outputs_reduced_total")
                   .Help("Enriched events above the producer limit produced in their reduced "
                         "form (\"truncated\": true).")
                   .Register(*registry_)),
      transactions_(prometheus::BuildCounter()
                        .Name("newsflow_transactions_total")
                        .Help("exactly_once: Kafka transactions ended, by result.")
                        .Register(*registry_)),
      transaction_seconds_(prometheus::BuildHistogram()
                               .Name("newsflow_transaction_duration_seconds")
                               .Help("exactly_once: from begin_transaction to its commit or "
                                     "abort.")
                               .Register(*registry_)
                               .Add({}, EndToEndBuckets())),
      stage_seconds_(prometheus::BuildHistogram()
                         .Name("newsflow_stage_duration_seconds")
                         .Help("Processing time of one record in one pipeline stage.")
                         .Register(*registry_)),
      end_to_end_(prometheus::BuildHistogram()
                      .Name("newsflow_end_to_end_latency_seconds")
                      .Help("From the input record's Kafka timestamp to the broker's "
                            "acknowledgement of its last output.")
                      .Register(*registry_)
                      .Add({}, EndToEndBuckets())),
      lag_(prometheus::BuildGauge()
               .Name("newsflow_consumer_lag_messages")
               .Help("Consumer lag per assigned partition (librdkafka statistics).")
               .Register(*registry_)),
      rebalances_(prometheus::BuildCounter()
                      .Name("newsflow_rebalances_total")
                      .Help("Consumer group rebalance events seen by this instance.")
                      .Register(*registry_)),
      assigned_(prometheus::BuildGauge()
                    .Name("newsflow_assigned_partitions")
                    .Help("Input partitions currently assigned to this instance.")
                    .Register(*registry_)
                    .Add({})),
      producer_queue_(prometheus::BuildGauge()
                          .Name("newsflow_producer_queue_messages")
                          .Help("Messages in the producer queue not yet delivered.")
                          .Register(*registry_)
                          .Add({})),
      work_queue_(prometheus::BuildGauge()
                      .Name("newsflow_work_queue_records")
                      .Help("Consumed records waiting for a worker.")
                      .Register(*registry_)
                      .Add({})),
      paused_(prometheus::BuildGauge()
                  .Name("newsflow_input_paused")
                  .Help("1 while input partitions are paused by back-pressure.")
                  .Register(*registry_)
                  .Add({})),
      pauses_(prometheus::BuildCounter()
                  .Name("newsflow_pauses_total")
                  .Help("Times input partitions were paused by back-pressure.")
                  .Register(*registry_)
                  .Add({})),
      ready_(prometheus::BuildGauge()
                 .Name("newsflow_ready")
                 .Help("1 when /readyz reports ready.")
                 .Register(*registry_)
                 .Add({})),
      taxonomy_reloads_(prometheus::BuildCounter()
                            .Name("newsflow_taxonomy_reloads_total")
                            .Help("Taxonomy reloads (file change or SIGHUP), by result; a "
                                  "failure keeps the previous taxonomy running.")
                            .Register(*registry_)),
      taxonomy_info_(prometheus::BuildGauge()
                         .Name("newsflow_taxonomy_info")
                         .Help("1 for the taxonomy version new records are tagged with.")
                         .Register(*registry_)),
      redelivery_skipped_(prometheus::BuildCounter()
                              .Name("newsflow_records_redelivery_skipped_total")
                              .Help("Consumed records skipped because the consumer re-delivered "
                                    "an offset already dispatched (fetch rewind).")
                              .Register(*registry_)
                              .Add({})) {
  taxonomy_reloads_.Add({{"result", "success"}});
  taxonomy_reloads_.Add({{"result", "failure"}});
  prometheus::BuildGauge()
      .Name("newsflow_build_info")
      .Help("Build information; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", std::move(version)}})
      .Set(1);
}

void RuntimeMetrics::CreateKnownSeries(const KafkaConfig& kafka) {
  for (const std::string& topic : kafka.input_topics) consumed_.Add({{"topic", topic}});
  const OutputTopics& out = kafka.output;
  for (const std::string* topic : {&out.enriched, &out.alerts, &out.dead_letter, &out.stories}) {
    produced_.Add({{"topic", *topic}});
    for (DeliveryFailure failure :
         {DeliveryFailure::kTooLarge, DeliveryFailure::kUnknownTopic, DeliveryFailure::kTimedOut,
          DeliveryFailure::kFatal, DeliveryFailure::kOther}) {
      delivery_failures_.Add(
          {{"topic", *topic}, {"reason", std::string(DeliveryFailureName(failure))}});
    }
  }
  reduced_.Add({{"topic", out.enriched}});
  for (const char* kind : {"assign", "revoke", "lost"}) rebalances_.Add({{"kind", kind}});
  if (kafka.guarantee == Guarantee::kExactlyOnce) {
    transactions_.Add({{"result", "committed"}});
    transactions_.Add({{"result", "aborted"}});
  }
}

void RuntimeMetrics::OnTaxonomyReload(bool ok, const std::string& version, bool initial) {
  if (!initial) taxonomy_reloads_.Add({{"result", ok ? "success" : "failure"}}).Increment();
  if (!ok) return;
  std::lock_guard<std::mutex> lock(taxonomy_mutex_);
  if (taxonomy_current_ != nullptr) taxonomy_info_.Remove(taxonomy_current_);
  taxonomy_current_ = &taxonomy_info_.Add({{"version", version}});
  taxonomy_current_->Set(1);
}

std::string RuntimeMetrics::Render() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

void RuntimeMetrics::OnStage(std::string_view stage, std::chrono::nanoseconds elapsed, bool) {
  stage_seconds_.Add({{"stage", std::string(stage)}}, StageBuckets())
      .Observe(std::chrono::duration<double>(elapsed).count());
}

void RuntimeMetrics::OnConsumed(const std::string& topic) {
  consumed_.Add({{"topic", topic}}).Increment();
}

void RuntimeMetrics::OnDeadLettered(const std::string& topic, const Status& why) {
  dead_lettered_
      .Add({{"topic", topic}, {"stage", why.stage()}, {"class", std::string(CodeName(why.code()))}})
      .Increment();
}

void RuntimeMetrics::OnProduced(std::string_view topic) {
  produced_.Add({{"topic", std::string(topic)}}).Increment();
}

void RuntimeMetrics::OnDeliveryFailed(std::string_view topic, std::string_view reason) {
  delivery_failures_.Add({{"topic", std::string(topic)}, {"reason", std::string(reason)}})
      .Increment();
}

void RuntimeMetrics::OnTransaction(bool committed, double seconds) {
  transactions_.Add({{"result", committed ? "committed" : "aborted"}}).Increment();
  transaction_seconds_.Observe(seconds);
}

void RuntimeMetrics::OnReduced(std::string_view topic) {
  reduced_.Add({{"topic", std::string(topic)}}).Increment();
}

void RuntimeMetrics::OnEndToEnd(double seconds) { end_to_end_.Observe(seconds); }

void RuntimeMetrics::OnRebalance(std::string_view kind) {
  rebalances_.Add({{"kind", std::string(kind)}}).Increment();
}

void RuntimeMetrics::SetPaused(bool paused) {
  if (paused && paused_.Value() == 0) pauses_.Increment();
  paused_.Set(paused ? 1 : 0);
}

void RuntimeMetrics::SetConsumerLag(const std::string& topic, int32_t partition, int64_t lag) {
  std::lock_guard<std::mutex> lock(lag_mutex_);
  lag_.Add({{"topic", topic}, {"partition", std::to_string(partition)}})
      .Set(static_cast<double>(lag));
  lag_series_.emplace(topic, partition);
}

void RuntimeMetrics::ReplaceConsumerLags(const std::vector<ConsumerLag>& lags) {
  std::set<std::pair<std::string, int32_t>> now;
  for (const ConsumerLag& l : lags) {
    SetConsumerLag(l.topic, l.partition, l.lag);
    now.emplace(l.topic, l.partition);
  }
  std::vector<std::pair<std::string, int32_t>> gone;
  {
    std::lock_guard<std::mutex> lock(lag_mutex_);
    for (const auto& series : lag_series_) {
      if (now.count(series) == 0) gone.push_back(series);
    }
  }
  for (const auto& [topic, partition] : gone) RemoveConsumerLag(topic, partition);
}

void RuntimeMetrics::RemoveConsumerLag(const std::string& topic, int32_t partition) {
  std::lock_guard<std::mutex> lock(lag_mutex_);
  const prometheus::Labels labels{{"topic", topic}, {"partition", std::to_string(partition)}};
  if (lag_.Has(labels)) lag_.Remove(&lag_.Add(labels));
  lag_series_.erase({topic, partition});
}

std::vector<ConsumerLag> ParseConsumerLag(std::string_view stats_json) {
  std::vector<ConsumerLag> out;
  rapidjson::Document doc;
  doc.Parse(stats_json.data(), stats_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return out;
  auto topics = doc.FindMember("topics");
  if (topics == doc.MemberEnd() || !topics->value.IsObject()) return out;
  for (const auto& topic : topics->value.GetObject()) {
    auto partitions = topic.value.FindMember("partitions");
    if (partitions == topic.value.MemberEnd() || !partitions->value.IsObject()) continue;
    for (const auto& p : partitions->value.GetObject()) {
      auto id = p.value.FindMember("partition");
      auto lag = p.value.FindMember("consumer_lag");
      if (id == p.value.MemberEnd() || lag == p.value.MemberEnd()) continue;
      if (!id->value.IsInt() || !lag->value.IsInt64()) continue;
      if (id->value.GetInt() < 0 || lag->value.GetInt64() < 0) continue;
      out.push_back({topic.name.GetString(), id->value.GetInt(), lag->value.GetInt64()});
    }
  }
  return out;
}

bool AnyBrokerUp(std::string_view stats_json) {
  rapidjson::Document doc;
  doc.Parse(stats_json.data(), stats_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  auto brokers = doc.FindMember("brokers");
  if (brokers == doc.MemberEnd() || !brokers->value.IsObject()) return false;
  for (const auto& b : brokers->value.GetObject()) {
    auto state = b.value.FindMember("state");
    auto nodeid = b.value.FindMember("nodeid");
    if (state == b.value.MemberEnd() || !state->value.IsString()) continue;
    if (nodeid != b.value.MemberEnd() && nodeid->value.IsInt() && nodeid->value.GetInt() < 0) {
      continue;  // bootstrap placeholder
    }
    if (std::string_view(state->value.GetString()) == "UP") return true;
  }
  return false;
}

struct HttpEndpoint::Handlers {
  class Text final : public CivetHandler {
   public:
    // `started`/`served` (optional) count the requests whose body was begun / sent.
    explicit Text(std::function<std::pair<int, std::string>()> body,
                  std::atomic<int64_t>* started = nullptr, std::atomic<int64_t>* served = nullptr)
        : body_(std::move(body)), started_(started), served_(served) {}
    using CivetHandler::handleGet;
    bool handleGet(CivetServer*, struct mg_connection* conn) override {
      if (started_ != nullptr) started_->fetch_add(1);
      auto [code, text] = body_();
      const char* reason = code == 200 ? "OK" : "Service Unavailable";
      mg_printf(conn,
                "HTTP/1.1 %d %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                code, reason, text.size());
      mg_write(conn, text.data(), text.size());
      if (served_ != nullptr) served_->fetch_add(1);
      return true;
    }

   private:
    std::function<std::pair<int, std::string>()> body_;
    std::atomic<int64_t>* started_;
    std::atomic<int64_t>* served_;
  };
  std::atomic<int64_t> metrics_started{0};
  std::atomic<int64_t> metrics_served{0};
  std::unique_ptr<Text> metrics, healthz, readyz;
};

int64_t HttpEndpoint::metrics_started() const { return handlers_->metrics_started.load(); }
int64_t HttpEndpoint::metrics_served() const { return handlers_->metrics_served.load(); }

Result<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(
    const std::string& address, std::function<std::string()> render_metrics,
    std::function<Readiness()> readiness, std::function<Readiness()> liveness) {
  std::unique_ptr<HttpEndpoint> endpoint(new HttpEndpoint());
  endpoint->handlers_ = std::make_unique<Handlers>();
  endpoint->handlers_->metrics = std::make_unique<Handlers::Text>(
      [render = std::move(render_metrics)] { return std::pair<int, std::string>(200, render()); },
      &endpoint->handlers_->metrics_started, &endpoint->handlers_->metrics_served);
  endpoint->handlers_->healthz = std::make_unique<Handlers::Text>([liveness = std::move(liveness)] {
    if (!liveness) return std::pair<int, std::string>(200, "ok\n");
    Readiness r = liveness();
    return std::pair<int, std::string>(r.ready ? 200 : 503, r.ready ? "ok\n" : r.reason + "\n");
  });
  endpoint->handlers_->readyz =
      std::make_unique<Handlers::Text>([readiness = std::move(readiness)] {
        Readiness r = readiness();
        return std::pair<int, std::string>(r.ready ? 200 : 503, r.reason + "\n");
      });
  try {
    std::vector<std::string> options = {"listening_ports", address, "num_threads", "2"};
    endpoint->server_ = std::make_unique<CivetServer>(options);
  } catch (const std::exception& e) {
    return Status(Code::kInvalidConfig, "metrics",
                  "metrics.address: cannot listen on '" + address + "': " + e.what());
  }
  endpoint->server_->addHandler("/metrics", endpoint->handlers_->metrics.get());
  endpoint->server_->addHandler("/healthz", endpoint->handlers_->healthz.get());
  endpoint->server_->addHandler("/readyz", endpoint->handlers_->readyz.get());
  std::vector<int> ports = endpoint->server_->getListeningPorts();
  endpoint->port_ = ports.empty() ? 0 : ports.front();
  return endpoint;
}

HttpEndpoint::~HttpEndpoint() {
  if (server_) server_->close();
}

}  // namespace newsflow::consumers
