// `newsflow run --config FILE`: the Kafka runtime (consumers/kafka_runtime.h) with the
// metrics/health endpoint. Logs are JSON lines on stdout. SIGTERM/SIGINT: stop fetching, drain,
// commit, close, exit 0 (1 after a permanent delivery failure or a fatal Kafka error, or when
// the shutdown could not finish within kafka.shutdown_timeout_ms); a second signal exits at
// once (1). After a failure the endpoint serves one last scrape first (app/runtime.cc).
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <thread>

#include "app/alerts_watcher.h"
#include "app/commands.h"
#include "app/kafka_setup.h"
#include "app/pipeline_setup.h"
#include "app/runtime.h"
#include "app/story_runtime.h"
#include "app/taxonomy_watcher.h"
#include "consumers/kafka_runtime.h"
#include "consumers/metrics.h"

namespace newsflow::app {
namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "signal handler needs a lock-free flag");

// First SIGTERM/SIGINT: a graceful stop (drain, commit, close; bounded by
// kafka.shutdown_timeout_ms). A second one: exit at once (1); what was not committed is
// re-delivered to the group. Only async-signal-safe calls here.
extern "C" void OnStopSignal(int) {
  if (g_stop.exchange(true)) {
    static constexpr char kMessage[] =
        "{\"level\":\"error\",\"msg\":\"second signal: exiting at once; uncommitted records "
        "will be re-delivered\"}\n";
    (void)!write(STDOUT_FILENO, kMessage, sizeof(kMessage) - 1);
    _exit(kExitFailure);
  }
}

std::atomic<TaxonomyWatcher*> g_watcher{nullptr};
std::atomic<AlertsWatcher*> g_alerts_watcher{nullptr};
extern "C" void OnReloadSignal(int) {
  if (TaxonomyWatcher* w = g_watcher.load()) w->RequestReload();
  if (AlertsWatcher* w = g_alerts_watcher.load()) w->RequestReload();
}

struct RunOptions {
  std::string config_path;
  std::string metrics_address;
  bool debug = false;
};

int RunRun(const RunOptions& opt) {
  // Each instance writes its story counters under its own id (news.stories, story.v1).
  Result<AppConfig> config = LoadAppConfig(opt.config_path);
  if (!config.ok()) {
    std::cerr << "newsflow: invalid configuration: " << config.status().message() << '\n';
    return kExitUsage;
  }
  if (config->pipeline.IsMap() &&
      (!config->pipeline["story"].IsMap() || !config->pipeline["story"]["instance_id"] ||
       config->pipeline["story"]["instance_id"].as<std::string>("").empty())) {
    config->pipeline["story"]["instance_id"] = DefaultInstanceId();
  }
  Result<std::unique_ptr<PipelineSetup>> built = BuildPipelineSetup(std::move(config).value());
  if (!built.ok()) {
    std::cerr << "newsflow: invalid configuration: " << built.status().message() << '\n';
    return kExitUsage;
  }
  std::unique_ptr<PipelineSetup> pipeline_setup = std::move(built).value();
  Result<KafkaSetup> setup = LoadKafkaSetup(pipeline_setup->config);
  if (!setup.ok()) {
    std::cerr << "newsflow: invalid configuration: " << setup.status().message() << '\n';
    return kExitUsage;
  }
  if (!opt.metrics_address.empty()) setup->metrics.address = opt.metrics_address;

  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  consumers::Logger log(stdout,
                        opt.debug ? consumers::LogLevel::kDebug : consumers::LogLevel::kInfo);
  std::shared_ptr<tag::TaxonomyStore> taxonomy = pipeline_setup->taxonomy;

  // Taxonomy hot reload (file changes, SIGHUP). Stopped and unregistered before `pipeline_setup`.
  // Reloads are counted in newsflow_taxonomy_reloads_total{result} while the metrics exist.
  auto metrics_slot = std::make_shared<std::atomic<consumers::RuntimeMetrics*>>(nullptr);
  TaxonomyWatcher::Callbacks callbacks;
  callbacks.on_success = [&log, metrics_slot](const std::string& version) {
    log.Info("taxonomy reloaded", {{"version", version}});
    if (auto* m = metrics_slot->load()) m->OnTaxonomyReload(true, version);
  };
  callbacks.on_failure = [&log, metrics_slot](const std::string& error) {
    log.Error("taxonomy reload failed; keeping the current snapshot", {{"error", error}});
    if (auto* m = metrics_slot->load()) m->OnTaxonomyReload(false, "");
  };
  TaxonomyWatcher watcher(
      pipeline_setup->taxonomy_settings.path, taxonomy,
      std::chrono::milliseconds(pipeline_setup->taxonomy_settings.watch_interval_ms),
      pipeline_setup->taxonomy_settings.watch, std::move(callbacks));
  watcher.Start();
  g_watcher.store(&watcher);
  struct sigaction hup {};
  hup.sa_handler = OnReloadSignal;
  sigemptyset(&hup.sa_mask);
  sigaction(SIGHUP, &hup, nullptr);
  // Alert rules hot reload, the same way.
  AlertsWatcher::Callbacks alert_callbacks;
  alert_callbacks.on_success = [&log](const std::string& version) {
    log.Info("alert rules reloaded", {{"version", version}});
  };
  alert_callbacks.on_failure = [&log](const std::string& error) {
    log.Error("alert rules reload failed; keeping the current rules", {{"error", error}});
  };
  AlertsWatcher alerts_watcher(
      pipeline_setup->alert_settings.path, pipeline_setup->alerts.rules,
      std::chrono::milliseconds(pipeline_setup->alert_settings.watch_interval_ms),
      pipeline_setup->alert_settings.watch, std::move(alert_callbacks));
  alerts_watcher.Start();
  g_alerts_watcher.store(&alerts_watcher);
  struct Unregister {
    ~Unregister() {
      g_watcher.store(nullptr);
      g_alerts_watcher.store(nullptr);
    }
  } unregister;

  // Shared story state: restored from news.stories once the health endpoint is up and before
  // any input is consumed (retried while the broker is unreachable), then tailed.
  auto stories = StoryRuntime::Create(setup->kafka, *pipeline_setup, &log);
  if (!stories.ok()) {
    log.Error("cannot start", {{"error", stories.status().message()}});
    return kExitUsage;
  }
  StoryRuntime* story_runtime = stories->get();

  RuntimeRun run;
  run.kafka = setup->kafka;
  run.metrics = setup->metrics;
  run.pipeline = pipeline_setup->pipeline.get();
  run.log = &log;
  run.taxonomy_loaded = [taxonomy] { return taxonomy != nullptr && taxonomy->Get() != nullptr; };
  run.on_metrics = [metrics_slot, taxonomy, story_runtime](consumers::RuntimeMetrics* m) {
    if (m != nullptr) m->OnTaxonomyReload(true, taxonomy->Get()->version(), /*initial=*/true);
    metrics_slot->store(m);
    story_runtime->AttachMetrics(m);
  };
  run.before_consume = [story_runtime](const std::atomic<bool>& stop) {
    return story_runtime->RestoreThenTail(std::chrono::seconds(120), std::chrono::seconds(5), stop);
  };
  run.not_ready = [story_runtime] { return story_runtime->NotReady(); };
  return RunRuntime(run, g_stop);
}

}  // namespace

Command AddRunCommand(CLI::App& parent) {
  auto opt = std::make_shared<RunOptions>();
  CLI::App* sub = parent.add_subcommand(
      "run",
      "Consume raw articles from Kafka, enrich them and produce enriched events, alerts and "
      "dead letters (at-least-once). Serves /metrics, /healthz and /readyz.");
  sub->add_option("-c,--config", opt->config_path, "Configuration file (default: built-in)");
  sub->add_option("--metrics-address", opt->metrics_address,
                  "Override metrics.address (host:port; port 0 picks a free port)");
  sub->add_flag("--debug", opt->debug,
                "Debug-level logs (each offset commit); librdkafka debug: kafka.consumer.debug");
  return {sub, [opt] { return RunRun(*opt); }};
}

}  // namespace newsflow::app
