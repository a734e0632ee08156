// Soak benchmark (opt-in; issue 13 item 8): N articles (default 1,000,000) through the real
// broker, once per mode -- pass-through, at_least_once, exactly_once -- in one run, with RSS
// and lag sampled over time.
//
//   BOOTSTRAP=$(KAFKA_PORT=49092 ops/kafka/local-kafka.sh start)
//   NEWSFLOW_BENCH_BROKERS=$BOOTSTRAP build/release/bench/kafka_soak [RECORDS] [MODES]
//     RECORDS  default 1000000; MODES  comma list, default passthrough,at_least_once,exactly_once
//
// Method, per mode: fresh topics (input 6 partitions); the whole backlog is produced first
// (the sample corpus with distinct ids, 0.5 % bad records); then the runtime (the code of
// `newsflow run`, in process, 2 workers) starts and drains it. Every 5 s a line gives elapsed
// time, records completed (every output acknowledged), the process RSS and the group's lag
// (sum over partitions of high watermark - committed offset). The mode ends when the lag is
// zero. Throughput = records / (time to complete all). RSS includes everything in the process
// (librdkafka's queues); the sampled series shows whether it stays flat.
// Results: bench/README.md ("Soak").
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app/pipeline_setup.h"
#include "bench/kafka_bench_util.h"
#include "consumers/kafka_runtime.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace newsflow;
using bench::BenchBrokers;
using bench::CreateTopic;
using bench::Env;

double RssMb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

// Sum over partitions of (high watermark - committed offset of `group`).
int64_t Lag(const std::string& group, const std::string& topic, int partitions) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", BenchBrokers(), err);
  conf->set("group.id", group, err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> parts;
  for (int p = 0; p < partitions; ++p) parts.push_back(RdKafka::TopicPartition::create(topic, p));
  int64_t lag = -1;
  if (c->committed(parts, 10000) == RdKafka::ERR_NO_ERROR) {
    lag = 0;
    for (auto* p : parts) {
      int64_t low = 0, high = 0;
      c->query_watermark_offsets(topic, p->partition(), &low, &high, 10000);
      lag += high - std::max<int64_t>(p->offset(), 0);
    }
  }
  RdKafka::TopicPartition::destroy(parts);
  c->close();
  return lag;
}

std::vector<std::string> Templates() {
  std::ifstream in(std::string(NEWSFLOW_SOURCE_DIR) + "/samples/articles.jsonl");
  std::vector<std::string> templates;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.find("sample-bad") == std::string::npos) templates.push_back(line);
  }
  return templates;
}

// Produces `n` records; returns the seconds it took.
double ProduceBacklog(const std::string& topic, int64_t n) {
  const std::vector<std::string> templates = Templates();
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", BenchBrokers(), err);
  conf->set("linger.ms", "20", err);
  conf->set("compression.type", "lz4", err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  const auto start = Clock::now();
  for (int64_t i = 0; i < n; ++i) {
    std::string v;
    if (i % 200 == 199) {
      v = "{\"id\":\"bad-" + std::to_string(i) + "\",\"title\":";
    } else {
      v = templates[static_cast<size_t>(i) % templates.size()];
      const size_t at = v.find("\"id\":\"") + 6;
      v.replace(at, v.find('"', at) - at, "soak-" + std::to_string(i));
    }
    while (producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                             v.data(), v.size(), nullptr, 0, 0,
                             nullptr) == RdKafka::ERR__QUEUE_FULL) {
      producer->poll(10);
    }
    producer->poll(0);
  }
  producer->flush(600000);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct ModeResult {
  std::string mode;
  double seconds = 0;
  double records_per_second = 0;
  double rss_first = 0, rss_max = 0, rss_last = 0;
  double lag_zero_seconds = -1;
};

ModeResult RunMode(const std::string& mode, int64_t n, app::PipelineSetup* engine) {
  ModeResult r;
  r.mode = mode;
  const std::string prefix = "soak-" + std::to_string(getpid()) + "-" + mode;
  consumers::KafkaConfig kafka;
  kafka.brokers = BenchBrokers();
  kafka.group_id = prefix;
  kafka.instance_id = prefix;
  kafka.input_topics = {prefix + "-raw"};
  kafka.output = {prefix + "-enriched", prefix + "-alerts", prefix + "-dlq", prefix + "-stories"};
  kafka.workers = std::atoi(Env("NEWSFLOW_BENCH_WORKERS", "2").c_str());
  kafka.statistics_interval_ms = 0;
  kafka.guarantee = mode == "exactly_once" ? consumers::Guarantee::kExactlyOnce
                                           : consumers::Guarantee::kAtLeastOnce;
  CreateTopic(kafka.brokers, kafka.input_topics[0], 6);
  for (const auto& t : {kafka.output.enriched, kafka.output.alerts, kafka.output.dead_letter,
                        kafka.output.stories}) {
    CreateTopic(kafka.brokers, t, 6);
  }
  const double produce_seconds = ProduceBacklog(kafka.input_topics[0], n);
  std::printf("# %s: backlog of %lld records produced in %.1f s\n", mode.c_str(),
              static_cast<long long>(n), produce_seconds);
  std::printf("mode,t_s,completed,rss_mb,lag\n");
  std::fflush(stdout);

  core::SystemClock clock;
  consumers::Logger log(stderr, consumers::LogLevel::kWarn);
  consumers::RuntimeOptions options;
  options.kafka = kafka;
  options.pipeline = mode == "passthrough" ? nullptr : engine->pipeline.get();
  options.clock = &clock;
  options.version = "soak";
  options.log = &log;
  auto runtime = consumers::KafkaRuntime::Create(std::move(options));
  if (!runtime.ok()) {
    std::fprintf(stderr, "%s\n", runtime.status().message().c_str());
    std::exit(1);
  }
  std::atomic<bool> stop{false};
  const auto start = Clock::now();
  std::thread runner([&] { (void)(*runtime)->Run(stop); });
  auto last_sample = start - std::chrono::seconds(10);
  r.rss_first = RssMb();
  bool done = false;
  while (true) {
    const auto now = Clock::now();
    const int64_t completed = (*runtime)->counts().completed;
    if (!done && completed >= n) {
      done = true;
      r.seconds = std::chrono::duration<double>(now - start).count();
    }
    if (now - last_sample >= std::chrono::seconds(5) || done) {
      last_sample = now;
      const double rss = RssMb();
      r.rss_max = std::max(r.rss_max, rss);
      r.rss_last = rss;
      const int64_t lag = Lag(kafka.group_id, kafka.input_topics[0], 6);
      std::printf("%s,%.1f,%lld,%.1f,%lld\n", mode.c_str(),
                  std::chrono::duration<double>(now - start).count(),
                  static_cast<long long>(completed), rss, static_cast<long long>(lag));
      std::fflush(stdout);
      if (done && lag == 0) {
        r.lag_zero_seconds = std::chrono::duration<double>(Clock::now() - start).count();
        break;
      }
      if (done && now - start > std::chrono::seconds(static_cast<int64_t>(r.seconds) + 60)) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(done ? 200 : 50));
  }
  stop.store(true);
  runner.join();
  r.records_per_second = static_cast<double>(n) / r.seconds;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (BenchBrokers().empty()) {
    std::fprintf(stderr, "set NEWSFLOW_BENCH_BROKERS (e.g. $(ops/kafka/local-kafka.sh start))\n");
    return 2;
  }
  const int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
  std::vector<std::string> modes = {"passthrough", "at_least_once", "exactly_once"};
  if (argc > 2) {
    modes.clear();
    std::stringstream ss(argv[2]);
    for (std::string m; std::getline(ss, m, ',');) modes.push_back(m);
  }
  auto engine = app::BuildPipelineSetup(Env("NEWSFLOW_BENCH_CONFIG", ""));
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().message().c_str());
    return 1;
  }
  std::vector<ModeResult> results;
  for (const auto& m : modes) results.push_back(RunMode(m, n, engine->get()));
  std::printf("\n# summary: %lld records per mode\n", static_cast<long long>(n));
  std::printf("mode,seconds,records_per_s,rss_first_mb,rss_max_mb,rss_last_mb,lag_zero_s\n");
  for (const auto& r : results) {
    std::printf("%s,%.1f,%.0f,%.1f,%.1f,%.1f,%.1f\n", r.mode.c_str(), r.seconds,
                r.records_per_second, r.rss_first, r.rss_max, r.rss_last, r.lag_zero_seconds);
  }
  return 0;
}
