// What the benchmarks that talk to a real broker share: the environment they read and topic
// creation through the Admin API (the local broker of ops/kafka/local-kafka.sh has topic
// auto-creation off, so every benchmark creates its own fresh topics).
//
// Header-only on purpose: each benchmark is one executable, and these are a few calls made once
// per run, far from anything measured.
#ifndef NEWSFLOW_BENCH_KAFKA_BENCH_UTIL_H_
#define NEWSFLOW_BENCH_KAFKA_BENCH_UTIL_H_

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace newsflow::bench {

// The value of environment variable `name`, or `fallback` when it is unset or empty.
inline std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// The broker list of a benchmark run: NEWSFLOW_BENCH_BROKERS, else NEWSFLOW_TEST_BROKERS (what
// ops/test.sh exports), else empty (the caller skips).
inline std::string BenchBrokers() {
  return Env("NEWSFLOW_BENCH_BROKERS", Env("NEWSFLOW_TEST_BROKERS", ""));
}

using TopicConfig = std::vector<std::pair<std::string, std::string>>;

// Creates topic `name` (replication factor 1) with `partitions` and the topic-level `config`
// (e.g. {"cleanup.policy", "compact"}); waits up to 30 s for the broker's answer. True when the
// topic was created or already exists; otherwise prints the broker's reason to stderr. `settle`:
// a pause after creation for the partitions' leaders to be elected (a produce right after
// CreateTopics can otherwise fail with "unknown partition" for a moment).
inline bool CreateTopic(const std::string& brokers, const std::string& name, int partitions,
                        const TopicConfig& config = {},
                        std::chrono::milliseconds settle = std::chrono::milliseconds(500)) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) {
    std::fprintf(stderr, "create %s: %s\n", name.c_str(), err);
    return false;
  }
  rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, err, sizeof(err));
  for (const auto& [key, value] : config) {
    rd_kafka_NewTopic_set_config(topic, key.c_str(), value.c_str());
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
  bool ok = false;
  if (event == nullptr) {
    std::fprintf(stderr, "create %s: no answer from the broker in 30 s\n", name.c_str());
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** r =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    const rd_kafka_resp_err_t code =
        n == 1 ? rd_kafka_topic_result_error(r[0]) : rd_kafka_event_error(event);
    ok = code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
    if (!ok) {
      std::fprintf(stderr, "create %s: %s\n", name.c_str(),
                   n == 1 ? rd_kafka_topic_result_error_string(r[0]) : rd_kafka_err2str(code));
    }
    rd_kafka_event_destroy(event);
  }
  rd_kafka_NewTopic_destroy(topic);
  rd_kafka_queue_destroy(queue);
  rd_kafka_destroy(rk);
  if (ok) std::this_thread::sleep_for(settle);
  return ok;
}

}  // namespace newsflow::bench

#endif  // NEWSFLOW_BENCH_KAFKA_BENCH_UTIL_H_
