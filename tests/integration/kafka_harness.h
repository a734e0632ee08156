// Helpers for the integration tests against a real broker (NEWSFLOW_TEST_BROKERS, set by
// ops/test.sh after `ops/kafka/local-kafka.sh start`): topic creation through the Admin API,
// a producer and a reader built on librdkafka, committed offsets and watermarks, the test
// corpus, and `newsflow run` as a child process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace newsflow::integration {

// The broker address; empty when NEWSFLOW_TEST_BROKERS is unset (tests then fail loudly).
std::string Brokers();

// A name unique to this run and test, e.g. "it-12345-1767225600-fullflow".
std::string UniqueName(const std::string& test);

// Creates a topic (replication factor 1) with optional topic configs (e.g.
// {"max.message.bytes", "3000000"}). Fails the test on error.
void CreateTopic(const std::string& name, int partitions,
                 const std::map<std::string, std::string>& config = {});

struct TestRecord {
  std::optional<std::string> key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  bool tombstone = false;                   // produce a null value (value ignored)
  std::set<std::string> null_headers = {};  // headers (by key) produced with a null value
};

// 10,000 good articles (the sample corpus repeated with distinct ids "<prefix>-<n>") and 50 bad
// records (keys "<prefix>-bad-<n>"), shuffled deterministically. good_ids/bad_ids are filled.
std::vector<TestRecord> MakeCorpus(const std::string& prefix, int good, int bad,
                                   std::set<std::string>* good_ids, std::set<std::string>* bad_ids);

// `producer_conf`: extra librdkafka producer properties (compression.type, message.max.bytes).
void Produce(const std::string& topic, const std::vector<TestRecord>& records,
             const std::map<std::string, std::string>& producer_conf = {});

// Runs ops/kafka/local-kafka.sh COMMAND (freeze, thaw, restart, kill9-restart) for the broker
// of NEWSFLOW_TEST_BROKERS (its port); returns the exit code.
int BrokerCtl(const std::string& command);

struct ReadMessage {
  std::string key;
  std::string value;
  bool null_value = false;
  std::map<std::string, std::string> headers;
  std::set<std::string> null_headers;
  int32_t partition = -1;
  int64_t offset = -1;
};

// Reads a topic from the beginning with a group-less consumer; `read_committed`: as a
// downstream reader of exactly_once output must (isolation.level=read_committed).
class TopicReader {
 public:
  explicit TopicReader(const std::string& topic, bool read_committed = false);
  ~TopicReader();
  // Reads whatever arrives within `wait`; returns everything read so far.
  const std::vector<ReadMessage>& Poll(std::chrono::milliseconds wait);
  const std::vector<ReadMessage>& messages() const { return messages_; }

 private:
  struct Impl;
  Impl* impl_;
  std::vector<ReadMessage> messages_;
};

// Committed offset per partition of `topic` for `group` (-1001 when none), and the high
// watermark per partition.
std::map<int32_t, int64_t> CommittedOffsets(const std::string& group, const std::string& topic,
                                            int partitions);
std::map<int32_t, int64_t> HighWatermarks(const std::string& topic, int partitions);

// The broker's SASL_PLAINTEXT (SCRAM-SHA-256) listener: NEWSFLOW_TEST_SASL_BROKERS, or the port
// of Brokers() + 2 (ops/kafka/local-kafka.sh's KAFKA_SASL_PORT default).
std::string SaslBrokers();

// A TCP port free at the time of the call.
int FreePort();

struct RunConfig {
  std::string brokers;  // empty: Brokers()
  std::string group;
  std::string input;
  std::string enriched;
  std::string alerts;
  std::string dead_letter;
  std::string stories;  // news.stories; empty: "<enriched>-stories" (create it: auto-create is off)
  int metrics_port = 0;
  int workers = 2;
  std::string
      producer_properties;    // extra `kafka.producer` entries, e.g. "message.timeout.ms: 3000"
  std::string taxonomy_path;  // taxonomy.yaml on disk (watched for changes); empty: built-in
  std::string kafka_extra;    // extra `kafka` entries, one per line, e.g. "queue_max_records: 20"
  std::string pipeline;       // a `pipeline` section (YAML lines, indented), empty: the default
};
// Writes a config file for `newsflow run`; returns its path.
std::string WriteConfig(const RunConfig& config, const std::string& name);

// `newsflow run --config FILE` as a child process; stdout+stderr go to a log file.
class NewsflowProcess {
 public:
  NewsflowProcess(const std::string& config_path, const std::string& log_path);
  ~NewsflowProcess();  // SIGKILLs a still-running child
  void Signal(int sig);
  // Exit code, or nullopt on timeout; a signal death returns 128+signal.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool running();
  const std::string& log_path() const { return log_path_; }
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string log_path_;
};

// GET http://127.0.0.1:port/path -> {status, body}; status 0 when unreachable.
std::pair<int, std::string> HttpGet(int port, const std::string& path);

// Polls /readyz every 50 ms until it answers `status`; returns the wait in ms, or -1 on timeout.
// Assert on this, not on one more request after it: a single GET can fail transiently (status
// 0) on a loaded machine even though the instance is up.
int64_t WaitForReadyz(int port, int status, std::chrono::steady_clock::duration timeout);

// Sum of a metric family's samples in a /metrics page (text exposition); -1 when absent.
int64_t MetricSum(const std::string& text, const std::string& family);
// newsflow_records_produced_total summed over topics (outputs the broker acknowledged) of the
// instance serving /metrics on `port`; -1 when unreachable or absent.
int64_t ProducedCount(int port);
// Polls ProducedCount every 5 ms until it reaches `n` (or the timeout): a mid-flow point that
// does not depend on how fast a test's own readers catch up. Returns the count seen.
int64_t WaitForProduced(int port, int64_t n, std::chrono::steady_clock::duration timeout);

// One test's data flow: topic and group names unique to this run and test, a free metrics
// port, and the corpus with the ids of its good and bad records.
struct Flow {
  std::string name;
  RunConfig config;
  std::vector<TestRecord> corpus;
  std::set<std::string> good_ids;
  std::set<std::string> bad_ids;
};

// The names only ("<unique>-raw", "-enriched", "-alerts", "-dlq", "-stories", "-group").
Flow NamedFlow(const std::string& test);
// NamedFlow() plus the topics (input with `partitions`, enriched 3, the others 1) and a corpus
// of `good` articles and `bad` records (MakeCorpus), produced unless `produce` is false.
Flow PrepareFlow(const std::string& test, int partitions, int good, int bad, bool produce = true);

// What the output topics hold, by record key.
struct Tally {
  std::map<std::string, int> enriched;  // key -> times seen
  std::map<std::string, int> dead;
  int64_t total = 0;
  int64_t Duplicates() const { return total - static_cast<int64_t>(enriched.size() + dead.size()); }
};
Tally CountOutputs(const TopicReader& enriched, const TopicReader& dead);
// Reads both topics until at least `n` distinct keys are seen (or the timeout).
Tally WaitForOutputs(TopicReader& enriched, TopicReader& dead, size_t n,
                     std::chrono::steady_clock::duration timeout);
// Good ids missing from the enriched topic plus bad ids missing from the dead-letter topic.
size_t MissingOutputs(const Flow& f, const Tally& t);

}  // namespace newsflow::integration
