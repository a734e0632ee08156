// kafka_latency_bench: end-to-end latency of a running `newsflow run` through a real broker, seen
// from outside the process. Driven by bench/latency_bench.sh (which starts the broker-side
// topics, the `newsflow run` process and scrapes its histogram); see bench/README.md
// ("Tail latency").
//
//   kafka_latency_bench topics  --brokers B --prefix P
//       creates P.raw (6 partitions) and P.enriched / P.alerts / P.dlq / P.stories (6
//       partitions each; P.stories compacted), all with message.timestamp.type=LogAppendTime so
//       that each output carries the broker's append time, i.e. when the broker accepted it,
//       and the input's Kafka timestamp (what newsflow's histogram starts from) is its arrival
//       at the broker.
//   kafka_latency_bench delete --brokers B --prefix P
//       deletes every topic whose name starts with P.
//   kafka_latency_bench run --brokers B --prefix P --rate R --seconds S [--warmup W] [--csv F]
//       produces articles to P.raw at R records/s for S seconds (R = 0: as fast as possible, S
//       then counts records: --records N) with linger.ms=0 and an explicit CreateTime; reads
//       every output topic from the beginning; for each input record (matched through the
//       provenance headers newsflow-source-partition/-offset, or newsflow.error.* for dead
//       letters) its latency is the append time of its LAST output minus its CreateTime, the
//       interval the issue names, including the upstream producer's own send. from_append_*
//       starts at the input's append time instead: the same interval as
//       newsflow_end_to_end_latency_seconds (Kafka timestamp of the input -> acknowledgement of
//       its last output), measured by the broker's clock instead of newsflow's. Records
//       produced in the first W seconds are left out of the percentiles (connections, caches).
//       Prints one line of key=value figures; --csv writes one line per record (create_ms,
//       partition, offset, latency_ms, from_append_ms, outputs) for finding periodic stalls.
//
// Why a separate program and not Google Benchmark: a fixed-rate run with per-record latencies
// is not an iteration-timing problem. Why LogAppendTime: a consumer-side receive time would add
// the reader's own fetch latency (fetch.wait.max.ms) to every figure.
//
// Resolution: Kafka timestamps are whole milliseconds, so every latency is +-1 ms.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench/kafka_bench_util.h"

namespace {

using newsflow::bench::CreateTopic;

struct Args {
  std::string mode;
  std::string brokers;
  std::string prefix;
  double rate = 0;
  double seconds = 30;
  double warmup = 5;
  int64_t records = 20000;
  std::string csv;
  std::string corpus;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> OutputTopics(const std::string& prefix) {
  return {prefix + ".enriched", prefix + ".alerts", prefix + ".dlq", prefix + ".stories"};
}

// Deletes every topic whose name starts with the prefix (a broker that keeps the topics of
// earlier runs does more work per request: the figures would drift from run to run).
int DeleteTopics(const Args& a) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", a.brokers.c_str(), err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) return 1;
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 1, nullptr, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_destroy(rk);
    return 1;
  }
  std::vector<rd_kafka_DeleteTopic_t*> topics;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const std::string name = md->topics[i].topic;
    if (name.rfind(a.prefix, 0) == 0) topics.push_back(rd_kafka_DeleteTopic_new(name.c_str()));
  }
  rd_kafka_metadata_destroy(md);
  int rc = 0;
  if (!topics.empty()) {
    rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
    rd_kafka_DeleteTopics(rk, topics.data(), topics.size(), nullptr, queue);
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
    if (event == nullptr || rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) rc = 1;
    if (event != nullptr) rd_kafka_event_destroy(event);
    rd_kafka_DeleteTopic_destroy_array(topics.data(), topics.size());
    rd_kafka_queue_destroy(queue);
  }
  rd_kafka_destroy(rk);
  return rc;
}

int Topics(const Args& a) {
  const std::vector<std::pair<std::string, std::string>> append = {
      {"message.timestamp.type", "LogAppendTime"}};
  bool ok = CreateTopic(a.brokers, a.prefix + ".raw", 6, append);
  for (const std::string& t : OutputTopics(a.prefix)) {
    auto config = append;
    if (t == a.prefix + ".stories") config.emplace_back("cleanup.policy", "compact");
    ok = CreateTopic(a.brokers, t, 6, config) && ok;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // leader election
  return ok ? 0 : 1;
}

std::vector<std::string> LoadCorpus(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.find("\"id\"") == std::string::npos) continue;
    if (line.find("sample-bad") != std::string::npos) continue;
    out.push_back(line);
  }
  return out;
}

// Input records as the producer saw them: CreateTime per (partition, offset).
struct Sent {
  int64_t create_ms = 0;  // set by this producer at produce()
  int64_t append_ms = 0;  // the broker's append time (the input topic uses LogAppendTime)
};

class DeliveryTracker final : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    std::lock_guard lock(mu_);
    if (m.err() != RdKafka::ERR_NO_ERROR) {
      ++failed_;
      return;
    }
    const int64_t create = *static_cast<int64_t*>(m.msg_opaque());
    // The input topic uses LogAppendTime: the report carries the broker's append time.
    const int64_t append =
        m.timestamp().type == RdKafka::MessageTimestamp::MSG_TIMESTAMP_LOG_APPEND_TIME
            ? m.timestamp().timestamp
            : create;
    sent_[Key(m.partition(), m.offset())] = {create, append};
  }
  static uint64_t Key(int32_t partition, int64_t offset) {
    return (static_cast<uint64_t>(partition) << 48) | static_cast<uint64_t>(offset);
  }
  std::unordered_map<uint64_t, Sent> Take() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  int64_t failed() {
    std::lock_guard lock(mu_);
    return failed_;
  }

 private:
  std::mutex mu_;
  std::unordered_map<uint64_t, Sent> sent_;
  int64_t failed_ = 0;
};

struct Seen {
  int64_t last_ms = 0;
  int outputs = 0;
};

std::optional<int64_t> HeaderInt(RdKafka::Headers* headers, const char* name) {
  if (headers == nullptr) return std::nullopt;
  std::vector<RdKafka::Headers::Header> hs = headers->get(name);
  if (hs.empty() || hs.back().value() == nullptr) return std::nullopt;
  return std::strtoll(
      std::string(static_cast<const char*>(hs.back().value()), hs.back().value_size()).c_str(),
      nullptr, 10);
}

double Percentile(std::vector<int64_t>& v, double q) {
  if (v.empty()) return NAN;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(std::ceil(q * v.size())) - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]);
}

int Run(const Args& a) {
  std::vector<std::string> corpus = LoadCorpus(a.corpus);
  if (corpus.empty()) {
    std::fprintf(stderr, "no articles in %s\n", a.corpus.c_str());
    return 1;
  }
  std::string err;
  // Reader of every output topic, from the beginning (fresh topics per run).
  std::unique_ptr<RdKafka::Conf> cconf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  cconf->set("bootstrap.servers", a.brokers, err);
  cconf->set("group.id", a.prefix + ".latency-reader", err);
  cconf->set("enable.auto.commit", "false", err);
  // The reader's own latency does not matter (outputs carry their append time): fetch in large
  // batches so that it adds few requests to the broker it measures.
  cconf->set("fetch.wait.max.ms", "500", err);
  cconf->set("fetch.min.bytes", "1000000", err);
  std::unique_ptr<RdKafka::KafkaConsumer> reader(RdKafka::KafkaConsumer::create(cconf.get(), err));
  if (!reader) {
    std::fprintf(stderr, "consumer: %s\n", err.c_str());
    return 1;
  }
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const std::string& t : OutputTopics(a.prefix)) {
    for (int p = 0; p < 6; ++p) {
      assignment.push_back(RdKafka::TopicPartition::create(t, p, RdKafka::Topic::OFFSET_BEGINNING));
    }
  }
  reader->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);

  std::unordered_map<uint64_t, Seen> seen;
  std::atomic<bool> producing{true};
  std::atomic<int64_t> last_output_ms{NowMs()};
  int64_t outputs_read = 0;
  int64_t non_append_time = 0;
  std::thread reader_thread([&] {
    for (;;) {
      std::unique_ptr<RdKafka::Message> m(reader->consume(100));
      if (m->err() == RdKafka::ERR_NO_ERROR) {
        const bool dead_letter = m->topic_name() == a.prefix + ".dlq";
        RdKafka::Headers* h = m->headers();
        auto partition =
            HeaderInt(h, dead_letter ? "newsflow.error.partition" : "newsflow-source-partition");
        auto offset =
            HeaderInt(h, dead_letter ? "newsflow.error.offset" : "newsflow-source-offset");
        if (m->timestamp().type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_LOG_APPEND_TIME) {
          ++non_append_time;
        }
        if (partition && offset) {
          Seen& s = seen[DeliveryTracker::Key(static_cast<int32_t>(*partition), *offset)];
          s.last_ms = std::max(s.last_ms, m->timestamp().timestamp);
          ++s.outputs;
        }
        ++outputs_read;
        last_output_ms.store(NowMs());
      } else if (!producing.load() && NowMs() - last_output_ms.load() > 3000) {
        return;  // 3 s without an output after the last input: done
      }
    }
  });

  DeliveryTracker tracker;
  std::unique_ptr<RdKafka::Conf> pconf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  pconf->set("bootstrap.servers", a.brokers, err);
  pconf->set("linger.ms", a.rate > 0 ? "0" : "5", err);
  pconf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&tracker), err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(pconf.get(), err));
  if (!producer) {
    std::fprintf(stderr, "producer: %s\n", err.c_str());
    return 1;
  }
  const int64_t total = a.rate > 0 ? static_cast<int64_t>(a.rate * a.seconds) : a.records;
  std::vector<int64_t> create_ms(static_cast<size_t>(total));
  const int64_t run_tag = NowMs();
  const auto start = std::chrono::steady_clock::now();
  const int64_t start_ms = NowMs();
  for (int64_t i = 0; i < total; ++i) {
    if (a.rate > 0) {
      std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<int64_t>(
                                                1e9 * static_cast<double>(i) / a.rate)));
    }
    std::string v = corpus[static_cast<size_t>(i) % corpus.size()];
    const size_t at = v.find("\"id\"");
    const size_t q1 = v.find('"', v.find(':', at) + 1);
    const size_t q2 = v.find('"', q1 + 1);
    const std::string id = "lat-" + std::to_string(run_tag) + "-" + std::to_string(i);
    v.replace(q1 + 1, q2 - q1 - 1, id);
    create_ms[static_cast<size_t>(i)] = NowMs();
    for (;;) {
      const RdKafka::ErrorCode e = producer->produce(
          a.prefix + ".raw", RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, v.data(),
          v.size(), id.data(), id.size(), create_ms[static_cast<size_t>(i)], nullptr,
          &create_ms[static_cast<size_t>(i)]);
      if (e == RdKafka::ERR_NO_ERROR) break;
      if (e != RdKafka::ERR__QUEUE_FULL) {
        std::fprintf(stderr, "produce: %s\n", RdKafka::err2str(e).c_str());
        return 1;
      }
      producer->poll(1);
    }
    producer->poll(0);
  }
  producer->flush(60000);
  const double produce_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  producing.store(false);
  last_output_ms.store(NowMs());
  reader_thread.join();
  reader->close();

  const std::unordered_map<uint64_t, Sent> sent = tracker.Take();
  std::vector<int64_t> latencies;         // last output's append time - input CreateTime
  std::vector<int64_t> broker_latencies;  // last output's append time - input append time
  int64_t missing = 0, first_in = INT64_MAX, last_out = 0;
  const int64_t warm_until = start_ms + static_cast<int64_t>(a.warmup * 1000);
  std::FILE* csv = a.csv.empty() ? nullptr : std::fopen(a.csv.c_str(), "w");
  if (csv) std::fprintf(csv, "create_ms,partition,offset,latency_ms,from_append_ms,outputs\n");
  for (const auto& [key, in] : sent) {
    auto it = seen.find(key);
    if (it == seen.end()) {
      ++missing;
      continue;
    }
    const int64_t latency = it->second.last_ms - in.create_ms;
    const int64_t from_append = it->second.last_ms - in.append_ms;
    first_in = std::min(first_in, in.create_ms);
    last_out = std::max(last_out, it->second.last_ms);
    if (csv) {
      std::fprintf(csv, "%lld,%llu,%llu,%lld,%lld,%d\n", static_cast<long long>(in.create_ms),
                   static_cast<unsigned long long>(key >> 48),
                   static_cast<unsigned long long>(key & ((uint64_t{1} << 48) - 1)),
                   static_cast<long long>(latency), static_cast<long long>(from_append),
                   it->second.outputs);
    }
    if (a.rate > 0 && in.create_ms < warm_until) continue;
    latencies.push_back(latency);
    broker_latencies.push_back(from_append);
  }
  if (csv) std::fclose(csv);
  const double span = static_cast<double>(last_out - first_in) / 1000.0;
  const size_t measured = latencies.size();
  double mean = 0;
  int64_t max = 0;
  for (int64_t l : latencies) {
    mean += static_cast<double>(l);
    max = std::max(max, l);
  }
  mean = measured ? mean / static_cast<double>(measured) : NAN;
  const double p50 = Percentile(latencies, 0.50);
  const double p90 = Percentile(latencies, 0.90);
  const double p99 = Percentile(latencies, 0.99);
  const double p999 = Percentile(latencies, 0.999);
  const double b50 = Percentile(broker_latencies, 0.50);
  const double b99 = Percentile(broker_latencies, 0.99);
  const double b999 = Percentile(broker_latencies, 0.999);
  std::printf(
      "mode=%s sent=%zu produce_failed=%lld missing=%lld outputs_read=%lld "
      "non_append_time=%lld produce_seconds=%.2f throughput=%.0f measured=%zu "
      "mean_ms=%.2f p50_ms=%.0f p90_ms=%.0f p99_ms=%.0f p999_ms=%.0f max_ms=%lld "
      "from_append_p50_ms=%.0f from_append_p99_ms=%.0f from_append_p999_ms=%.0f\n",
      a.rate > 0 ? "fixed_rate" : "max_rate", sent.size(), static_cast<long long>(tracker.failed()),
      static_cast<long long>(missing), static_cast<long long>(outputs_read),
      static_cast<long long>(non_append_time), produce_seconds,
      span > 0 ? static_cast<double>(sent.size() - missing) / span : 0.0, measured, mean, p50, p90,
      p99, p999, static_cast<long long>(max), b50, b99, b999);
  return missing == 0 && tracker.failed() == 0 ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: kafka_latency_bench topics|run|delete --brokers B --prefix P [--rate R] "
                 "[--seconds S] [--records N] [--warmup W] [--csv F] [--corpus F]\n");
    return 64;
  }
  a.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--brokers")
      a.brokers = v;
    else if (k == "--prefix")
      a.prefix = v;
    else if (k == "--rate")
      a.rate = std::atof(v.c_str());
    else if (k == "--seconds")
      a.seconds = std::atof(v.c_str());
    else if (k == "--records")
      a.records = std::atoll(v.c_str());
    else if (k == "--warmup")
      a.warmup = std::atof(v.c_str());
    else if (k == "--csv")
      a.csv = v;
    else if (k == "--corpus")
      a.corpus = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 64;
    }
  }
  if (a.brokers.empty() || a.prefix.empty()) {
    std::fprintf(stderr, "--brokers and --prefix are required\n");
    return 64;
  }
  if (a.corpus.empty()) a.corpus = std::string(NEWSFLOW_SOURCE_DIR) + "/samples/articles.jsonl";
  if (a.mode == "topics") return Topics(a);
  if (a.mode == "run") return Run(a);
  if (a.mode == "delete") return DeleteTopics(a);
  std::fprintf(stderr, "unknown mode %s\n", a.mode.c_str());
  return 64;
}
