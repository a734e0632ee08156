// RunRuntime(): see runtime.h.
//
// Final scrape after a failure: when the runtime stops on a failure (a permanent delivery
// failure, a fatal Kafka error), the counters that explain it (newsflow_delivery_failures_total)
// moved milliseconds earlier, and the process is about to exit: without a wait no Prometheus
// scrape would ever see them. So the HTTP endpoint keeps serving (/readyz 503 with the reason,
// newsflow_ready 0) until one /metrics page rendered after the stop has been sent, or for at most
// kFinalScrapeWindow (30 s, the chart's default scrape interval), or until a stop signal. The
// consumer has already left the group by then (its partitions are being reassigned), so the
// wait only delays this process's exit and restart. A stop on SIGTERM does not wait (Kubernetes
// has already removed the pod from its endpoints and counts the grace period).
#include "app/runtime.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/commands.h"
#include "consumers/metrics.h"

namespace newsflow::app {
namespace {

constexpr std::chrono::seconds kFinalScrapeWindow{30};

}  // namespace

int RunRuntime(const RuntimeRun& run, const std::atomic<bool>& stop) {
  core::SystemClock clock;
  consumers::RuntimeMetrics metrics{std::string(Version())};
  metrics.CreateKnownSeries(run.kafka);  // every known series at 0 from the first scrape
  struct MetricsAttachment {
    const RuntimeRun& run;
    MetricsAttachment(const RuntimeRun& r, consumers::RuntimeMetrics* m) : run(r) {
      if (run.on_metrics) run.on_metrics(m);
    }
    ~MetricsAttachment() {
      if (run.on_metrics) run.on_metrics(nullptr);
    }
  } attachment(run, &metrics);
  consumers::RuntimeOptions options;
  options.kafka = run.kafka;
  options.pipeline = run.pipeline;
  options.clock = &clock;
  options.version = std::string(Version());
  options.log = run.log;
  options.metrics = &metrics;
  options.taxonomy_loaded = run.taxonomy_loaded;
  // Destruction order: `http` (its threads call into `runtime` and `metrics`) goes first,
  // then `runtime`, then `metrics` and `clock` it points to.
  Result<std::unique_ptr<consumers::KafkaRuntime>> runtime =
      consumers::KafkaRuntime::Create(std::move(options));
  if (!runtime.ok()) {
    run.log->Error("cannot start", {{"error", runtime.status().message()}});
    return kExitUsage;
  }
  consumers::KafkaRuntime* rt = runtime->get();
  std::unique_ptr<consumers::HttpEndpoint> http;
  if (run.metrics.enabled) {
    auto endpoint = consumers::HttpEndpoint::Start(
        run.metrics.address, [&metrics] { return metrics.Render(); },
        [rt, &run]() -> consumers::Readiness {
          if (run.not_ready) {
            if (std::optional<std::string> reason = run.not_ready()) return {false, *reason};
          }
          return rt->readiness();
        },
        [rt] { return rt->liveness(); });
    if (!endpoint.ok()) {
      run.log->Error("cannot start", {{"error", endpoint.status().message()}});
      return kExitUsage;
    }
    http = std::move(endpoint).value();
    run.log->Info("http endpoint listening",
                  {{"address", run.metrics.address}, {"port", int64_t{http->port()}}});
  }
  // Backstop of the bounded shutdown: every blocking call of the shutdown path has its own
  // deadline (consumers/kafka_runtime.cc), but should anything still hang, the process ends
  // shutdown_timeout_ms + 1.5 s after the stop request.
  std::mutex watchdog_mu;
  std::condition_variable watchdog_cv;
  bool finished = false;
  std::thread watchdog([&] {
    std::unique_lock lock(watchdog_mu);
    while (!finished && !stop.load()) watchdog_cv.wait_for(lock, std::chrono::milliseconds(50));
    if (finished) return;
    const auto limit = std::chrono::milliseconds(run.kafka.shutdown_timeout_ms + 1500);
    if (!watchdog_cv.wait_for(lock, limit, [&] { return finished; })) {
      run.log->Error("shutdown deadline exceeded; exiting without finishing the close",
                     {{"shutdown_timeout_ms", run.kafka.shutdown_timeout_ms}});
      std::fflush(stdout);
      std::_Exit(kExitFailure);
    }
  });
  Status status = Status::Ok();
  if (!run.before_consume || run.before_consume(stop)) status = rt->Run(stop);
  {
    std::lock_guard lock(watchdog_mu);
    finished = true;
  }
  watchdog_cv.notify_all();
  watchdog.join();
  if (rt->abandoned()) {
    // A librdkafka call of the shutdown path is still running (it missed its deadline): the
    // runtime must not be destroyed under it. Exit now (not even stopping the HTTP server,
    // which can take seconds); the group re-delivers what was not committed.
    run.log->Error("exiting with failure", {{"error", status.message()}});
    std::fflush(stdout);
    std::_Exit(kExitFailure);
  }
  if (!status.ok() && http) {
    metrics.SetReady(false);
    const int64_t started = http->metrics_started();
    run.log->Info("serving /metrics until the next scrape before exiting",
                  {{"max_seconds", int64_t{kFinalScrapeWindow.count()}}});
    const auto deadline = std::chrono::steady_clock::now() + kFinalScrapeWindow;
    while (http->metrics_served() <= started && !stop.load() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    run.log->Info("final scrape", {{"served", http->metrics_served() > started}});
  }
  http.reset();
  if (!status.ok()) {
    run.log->Error("exiting with failure", {{"error", status.message()}});
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace newsflow::app
