// End-to-end throughput of `newsflow run` through a real Kafka broker, and in the same run a
// pass-through baseline (the same runtime — consumer, queue, workers, sequencer, idempotent
// producer, offset tracking — with no processing: each record is produced unchanged).
//
//   BOOTSTRAP=$(ops/kafka/local-kafka.sh start)
//   NEWSFLOW_BENCH_BROKERS=$BOOTSTRAP build/release/bench/kafka_e2e_bench
//
// Method, per benchmark: fresh input (6 partitions) and output topics; start the runtime
// in-process and wait until it is ready (partitions assigned); then time from the first
// produce of N records (the sample corpus repeated with distinct ids + 0.5% bad records) until
// the runtime has every record completed (all outputs acknowledged by the broker). So the
// figure includes the producer writing the input, consume, processing, produce with acks=all
// and delivery reports. Env: NEWSFLOW_BENCH_RECORDS (default 20000), NEWSFLOW_BENCH_CONFIG
// (config file for the pipeline; default built-in), NEWSFLOW_BENCH_WORKERS (default 2).
// mode:2 runs the pipeline in exactly_once (transactions; default transaction_max_records and
// transaction_interval_ms). Results: bench/README.md ("Kafka end-to-end").
#include <benchmark/benchmark.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "app/pipeline_setup.h"
#include "bench/kafka_bench_util.h"
#include "consumers/kafka_runtime.h"

namespace newsflow::bench {
namespace {

std::vector<std::string> Corpus(int n) {
  std::ifstream in(std::string(NEWSFLOW_SOURCE_DIR) + "/samples/articles.jsonl");
  std::vector<std::string> templates;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.find("sample-bad") == std::string::npos) templates.push_back(line);
  }
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    if (i % 200 == 199) {
      out.push_back("{\"id\":\"bad-" + std::to_string(i) + "\",\"title\":");
      continue;
    }
    std::string v = templates[static_cast<size_t>(i) % templates.size()];
    const size_t at = v.find("\"id\":\"") + 6;
    v.replace(at, v.find('"', at) - at, "bench-" + std::to_string(i));
    out.push_back(std::move(v));
  }
  return out;
}

double g_records_per_second[3] = {0, 0, 0};  // [0] pipeline, [1] pass-through, [2] exactly_once

void BM_KafkaEndToEnd(benchmark::State& state) {
  const bool passthrough = state.range(0) == 1;
  const bool exactly_once = state.range(0) == 2;
  if (BenchBrokers().empty()) {
    state.SkipWithError("set NEWSFLOW_BENCH_BROKERS (e.g. $(ops/kafka/local-kafka.sh start))");
    return;
  }
  const int n = std::atoi(Env("NEWSFLOW_BENCH_RECORDS", "20000").c_str());
  auto pipeline_setup = app::BuildPipelineSetup(Env("NEWSFLOW_BENCH_CONFIG", ""));
  if (!pipeline_setup.ok()) {
    state.SkipWithError(pipeline_setup.status().message().c_str());
    return;
  }
  const std::vector<std::string> corpus = Corpus(n);
  static int run = 0;
  for (auto _ : state) {
    const std::string prefix = "bench-" + std::to_string(getpid()) + "-" + std::to_string(++run);
    consumers::KafkaConfig kafka;
    kafka.brokers = BenchBrokers();
    kafka.group_id = prefix;
    kafka.input_topics = {prefix + "-raw"};
    kafka.output = {prefix + "-enriched", prefix + "-alerts", prefix + "-dlq", prefix + "-stories"};
    kafka.workers = std::atoi(Env("NEWSFLOW_BENCH_WORKERS", "2").c_str());
    kafka.statistics_interval_ms = 0;
    if (exactly_once) {
      kafka.guarantee = consumers::Guarantee::kExactlyOnce;
      kafka.instance_id = prefix;
    }
    bool ok = CreateTopic(kafka.brokers, kafka.input_topics[0], 6);
    for (const auto& t : {kafka.output.enriched, kafka.output.alerts, kafka.output.dead_letter,
                          kafka.output.stories}) {
      ok = CreateTopic(kafka.brokers, t, 6) && ok;
    }
    if (!ok) {
      state.SkipWithError("cannot create topics");
      return;
    }
    core::SystemClock clock;
    consumers::Logger log(stderr, consumers::LogLevel::kWarn);
    consumers::RuntimeOptions options;
    options.kafka = kafka;
    options.pipeline = passthrough ? nullptr : (*pipeline_setup)->pipeline.get();
    options.clock = &clock;
    options.version = "bench";
    options.log = &log;
    auto runtime = consumers::KafkaRuntime::Create(std::move(options));
    if (!runtime.ok()) {
      state.SkipWithError(runtime.status().message().c_str());
      return;
    }
    std::atomic<bool> stop{false};
    std::thread runner([&] { (void)(*runtime)->Run(stop); });
    while (!(*runtime)->readiness().ready)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));

    const auto start = std::chrono::steady_clock::now();
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", kafka.brokers, err);
    conf->set("linger.ms", "5", err);
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
    for (const auto& value : corpus) {
      while (producer->produce(kafka.input_topics[0], RdKafka::Topic::PARTITION_UA,
                               RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
                               value.size(), nullptr, 0, 0, nullptr) == RdKafka::ERR__QUEUE_FULL) {
        producer->poll(10);
      }
    }
    producer->flush(60000);
    while ((*runtime)->counts().completed < n) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(seconds);
    stop.store(true);
    runner.join();
    g_records_per_second[state.range(0)] = n / seconds;
  }
  state.counters["records_per_second"] = g_records_per_second[state.range(0)];
  state.SetItemsProcessed(state.iterations() * n);
}

BENCHMARK(BM_KafkaEndToEnd)
    ->ArgName("mode")  // 0 pipeline (at_least_once), 1 pass-through, 2 pipeline exactly_once
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace newsflow::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  using newsflow::bench::g_records_per_second;
  if (g_records_per_second[0] > 0 && g_records_per_second[1] > 0) {
    std::printf("pipeline %.0f records/s, pass-through %.0f records/s, ratio %.2f\n",
                g_records_per_second[0], g_records_per_second[1],
                g_records_per_second[0] / g_records_per_second[1]);
  }
  if (g_records_per_second[2] > 0) {
    std::printf("pipeline exactly_once %.0f records/s\n", g_records_per_second[2]);
  }
  return 0;
}
