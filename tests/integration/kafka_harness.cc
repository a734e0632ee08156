#include "tests/integration/kafka_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

namespace newsflow::integration {
namespace {

std::unique_ptr<RdKafka::Conf> BaseConf() {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", Brokers(), err);
  return conf;
}

int PartitionCount(RdKafka::Handle* handle, const std::string& topic) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string err;
    std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(handle, topic, nullptr, err));
    RdKafka::Metadata* md = nullptr;
    if (handle->metadata(false, t.get(), &md, 5000) == RdKafka::ERR_NO_ERROR) {
      std::unique_ptr<RdKafka::Metadata> owned(md);
      for (const auto* tm : *md->topics()) {
        if (tm->topic() == topic && tm->err() == RdKafka::ERR_NO_ERROR &&
            !tm->partitions()->empty()) {
          bool leaders = true;
          for (const auto* p : *tm->partitions()) leaders = leaders && p->leader() >= 0;
          if (leaders) return static_cast<int>(tm->partitions()->size());
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

}  // namespace

std::string Brokers() {
  const char* b = std::getenv("NEWSFLOW_TEST_BROKERS");
  return b == nullptr ? std::string() : std::string(b);
}

std::string UniqueName(const std::string& test) {
  return "it-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count()) +
         "-" + test;
}

void CreateTopic(const std::string& name, int partitions,
                 const std::map<std::string, std::string>& config) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", Brokers().c_str(), err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  ASSERT_NE(rk, nullptr) << err;
  rd_kafka_NewTopic_t* topic = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, err, sizeof(err));
  ASSERT_NE(topic, nullptr) << err;
  for (const auto& [k, v] : config) {
    ASSERT_EQ(rd_kafka_NewTopic_set_config(topic, k.c_str(), v.c_str()), RD_KAFKA_RESP_ERR_NO_ERROR)
        << k;
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &topic, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 30000);
  ASSERT_NE(event, nullptr) << "CreateTopics timed out";
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event);
  size_t count = 0;
  const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(result, &count);
  ASSERT_EQ(count, 1u);
  const rd_kafka_resp_err_t e = rd_kafka_topic_result_error(topics[0]);
  EXPECT_TRUE(e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      << name << ": " << rd_kafka_err2str(e);
  rd_kafka_event_destroy(event);
  rd_kafka_NewTopic_destroy(topic);
  rd_kafka_queue_destroy(queue);
  rd_kafka_destroy(rk);
  // Wait until the partitions have leaders.
  std::string errstr;
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(BaseConf().get(), errstr));
  ASSERT_EQ(PartitionCount(p.get(), name), partitions) << name;
}

std::vector<TestRecord> MakeCorpus(const std::string& prefix, int good, int bad,
                                   std::set<std::string>* good_ids,
                                   std::set<std::string>* bad_ids) {
  std::ifstream in(std::string(NEWSFLOW_SOURCE_DIR) + "/samples/articles.jsonl");
  std::vector<std::string> templates;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.find("\"id\":\"sample-bad") != std::string::npos) continue;
    templates.push_back(line);
  }
  EXPECT_FALSE(templates.empty());
  std::vector<TestRecord> out;
  for (int i = 0; i < good; ++i) {
    std::string value = templates[static_cast<size_t>(i) % templates.size()];
    const size_t at = value.find("\"id\":\"");
    const size_t end = value.find('"', at + 6);
    const std::string id = prefix + "-" + std::to_string(i);
    value.replace(at + 6, end - (at + 6), id);
    good_ids->insert(id);
    out.push_back({id, value, {{"content-type", "application/json"}}});
  }
  for (int i = 0; i < bad; ++i) {
    const std::string id = prefix + "-bad-" + std::to_string(i);
    bad_ids->insert(id);
    std::string value = (i % 2 == 0) ? "{\"id\":\"" + id + "\",\"title\":\"truncated"
                                     : std::string("\xff\xfe not utf-8 ") + id;
    out.push_back({id, value, {{"content-type", "application/json"}}});
  }
  std::mt19937 rng(42);
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

std::string SaslBrokers() {
  if (const char* b = std::getenv("NEWSFLOW_TEST_SASL_BROKERS"); b != nullptr && *b != '\0') {
    return b;
  }
  const std::string brokers = Brokers();
  const size_t colon = brokers.rfind(':');
  return brokers.substr(0, colon + 1) + std::to_string(std::stoi(brokers.substr(colon + 1)) + 2);
}

int BrokerCtl(const std::string& command) {
  const std::string brokers = Brokers();
  const std::string port = brokers.substr(brokers.rfind(':') + 1);
  const std::string cmd = "KAFKA_PORT=" + port + " " + std::string(NEWSFLOW_SOURCE_DIR) +
                          "/ops/kafka/local-kafka.sh " + command + " >&2";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void Produce(const std::string& topic, const std::vector<TestRecord>& records,
             const std::map<std::string, std::string>& producer_conf) {
  std::string err;
  auto conf = BaseConf();
  conf->set("linger.ms", "20", err);
  for (const auto& [k, v] : producer_conf) {
    ASSERT_EQ(conf->set(k, v, err), RdKafka::Conf::CONF_OK) << k << ": " << err;
  }
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  ASSERT_TRUE(producer) << err;
  for (const auto& r : records) {
    for (;;) {
      RdKafka::Headers* headers = RdKafka::Headers::create();
      for (const auto& [k, v] : r.headers) {
        if (r.null_headers.contains(k)) {
          headers->add(k, nullptr, 0);
        } else {
          headers->add(k, v);
        }
      }
      RdKafka::ErrorCode e =
          producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                            r.tombstone ? nullptr : const_cast<char*>(r.value.data()),
                            r.tombstone ? 0 : r.value.size(), r.key ? r.key->data() : nullptr,
                            r.key ? r.key->size() : 0, 0, headers, nullptr);
      if (e == RdKafka::ERR_NO_ERROR) break;
      delete headers;
      ASSERT_EQ(e, RdKafka::ERR__QUEUE_FULL) << RdKafka::err2str(e);
      producer->poll(50);
    }
    producer->poll(0);
  }
  ASSERT_EQ(producer->flush(60000), RdKafka::ERR_NO_ERROR);
}

struct TopicReader::Impl {
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
};

TopicReader::TopicReader(const std::string& topic, bool read_committed) : impl_(new Impl) {
  std::string err;
  auto conf = BaseConf();
  conf->set("isolation.level", read_committed ? "read_committed" : "read_uncommitted", err);
  conf->set("fetch.message.max.bytes", "4000000", err);
  conf->set("group.id", UniqueName("reader"), err);
  conf->set("enable.auto.commit", "false", err);
  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  EXPECT_TRUE(impl_->consumer) << err;
  const int n = PartitionCount(impl_->consumer.get(), topic);
  EXPECT_GT(n, 0) << topic;
  std::vector<RdKafka::TopicPartition*> parts;
  for (int p = 0; p < n; ++p) {
    parts.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  }
  impl_->consumer->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
}

TopicReader::~TopicReader() {
  impl_->consumer->close();
  delete impl_;
}

const std::vector<ReadMessage>& TopicReader::Poll(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(impl_->consumer->consume(100));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    ReadMessage r;
    if (m->key()) r.key = *m->key();
    if (m->payload() == nullptr) {
      r.null_value = true;
    } else {
      r.value.assign(static_cast<const char*>(m->payload()), m->len());
    }
    if (RdKafka::Headers* h = m->headers()) {
      for (const auto& header : h->get_all()) {
        if (header.value() == nullptr) {
          r.null_headers.insert(header.key());
          r.headers[header.key()] = "";
        } else {
          r.headers[header.key()] =
              std::string(static_cast<const char*>(header.value()), header.value_size());
        }
      }
    }
    r.partition = m->partition();
    r.offset = m->offset();
    messages_.push_back(std::move(r));
  }
  return messages_;
}

std::map<int32_t, int64_t> CommittedOffsets(const std::string& group, const std::string& topic,
                                            int partitions) {
  std::string err;
  auto conf = BaseConf();
  conf->set("group.id", group, err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  std::vector<RdKafka::TopicPartition*> parts;
  for (int p = 0; p < partitions; ++p) parts.push_back(RdKafka::TopicPartition::create(topic, p));
  std::map<int32_t, int64_t> out;
  if (c->committed(parts, 10000) == RdKafka::ERR_NO_ERROR) {
    for (const auto* p : parts) out[p->partition()] = p->offset();
  }
  RdKafka::TopicPartition::destroy(parts);
  c->close();
  return out;
}

std::map<int32_t, int64_t> HighWatermarks(const std::string& topic, int partitions) {
  std::string err;
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(BaseConf().get(), err));
  std::map<int32_t, int64_t> out;
  for (int i = 0; i < partitions; ++i) {
    int64_t low = 0, high = 0;
    if (p->query_watermark_offsets(topic, i, &low, &high, 10000) == RdKafka::ERR_NO_ERROR) {
      out[i] = high;
    }
  }
  return out;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string WriteConfig(const RunConfig& c, const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name + ".yaml";
  std::ofstream out(path);
  out << "kafka:\n"
      << "  brokers: " << (c.brokers.empty() ? Brokers() : c.brokers) << "\n"
      << "  group_id: " << c.group << "\n"
      << "  input_topics: [" << c.input << "]\n"
      << "  output_topics: {enriched: " << c.enriched << ", alerts: " << c.alerts
      << ", dead_letter: " << c.dead_letter
      << ", stories: " << (c.stories.empty() ? c.enriched + "-stories" : c.stories) << "}\n"
      << "  workers: " << c.workers << "\n";
  // Defaults of the tests, unless kafka_extra sets them (a YAML key must not appear twice).
  if (c.kafka_extra.find("shutdown_timeout_ms:") == std::string::npos) {
    out << "  shutdown_timeout_ms: 30000\n";
  }
  out << "  statistics_interval_ms: 1000\n"
      << "  consumer: {session.timeout.ms: 10000}\n"
      << "  producer: {" << c.producer_properties << "}\n";
  std::string_view extra = c.kafka_extra;
  while (!extra.empty()) {
    const size_t eol = std::min(extra.find('\n'), extra.size());
    out << "  " << extra.substr(0, eol) << "\n";
    extra.remove_prefix(std::min(eol + 1, extra.size()));
  }
  if (!c.pipeline.empty()) out << "pipeline:\n" << c.pipeline;
  out << "metrics:\n"
      << "  address: 127.0.0.1:" << c.metrics_port << "\n";
  if (!c.taxonomy_path.empty()) {
    out << "taxonomy:\n  path: " << c.taxonomy_path
        << "\n  watch: true\n  watch_interval_ms: 200\n";
  } else if (const char* taxonomy = std::getenv("NEWSFLOW_TEST_TAXONOMY")) {
    // Development aid: a taxonomy other than the built-in one.
    out << "taxonomy:\n  path: " << taxonomy << "\n";
  }
  return path;
}

NewsflowProcess::NewsflowProcess(const std::string& config_path, const std::string& log_path)
    : log_path_(log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    // NEWSFLOW_TEST_RUN_DEBUG=1: debug logs (every commit, every rebalance) in the run logs.
    const char* debug = std::getenv("NEWSFLOW_TEST_RUN_DEBUG");
    if (debug != nullptr && *debug == '1') {
      execl(NEWSFLOW_BINARY, "newsflow", "run", "--config", config_path.c_str(), "--debug",
            static_cast<char*>(nullptr));
    } else {
      execl(NEWSFLOW_BINARY, "newsflow", "run", "--config", config_path.c_str(),
            static_cast<char*>(nullptr));
    }
    _exit(127);
  }
}

NewsflowProcess::~NewsflowProcess() {
  if (running()) {
    kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(10));
  }
}

void NewsflowProcess::Signal(int sig) {
  if (pid_ > 0 && !exit_code_) kill(pid_, sig);
}

std::optional<int> NewsflowProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return exit_code_;
}

bool NewsflowProcess::running() { return pid_ > 0 && !Wait(std::chrono::milliseconds(0)); }

std::string NewsflowProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t WaitForReadyz(int port, int status, std::chrono::steady_clock::duration timeout) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < timeout) {
    if (HttpGet(port, "/readyz").first == status) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - start)
          .count();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

std::pair<int, std::string> HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return {0, ""};
  }
  const std::string req =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) resp.append(buf, static_cast<size_t>(n));
  close(fd);
  int status = 0;
  if (resp.rfind("HTTP/1.", 0) == 0 && resp.size() > 12) status = std::atoi(resp.c_str() + 9);
  const size_t body = resp.find("\r\n\r\n");
  return {status, body == std::string::npos ? "" : resp.substr(body + 4)};
}

int64_t MetricSum(const std::string& text, const std::string& family) {
  int64_t sum = -1;
  for (size_t at = text.find("\n" + family); at != std::string::npos;
       at = text.find("\n" + family, at + 1)) {
    const size_t after = at + 1 + family.size();
    if (after >= text.size() || (text[after] != '{' && text[after] != ' ')) continue;
    const size_t value = text.find(' ', text[after] == '{' ? text.find('}', after) : after);
    if (value == std::string::npos) continue;
    sum = std::max<int64_t>(sum, 0) + static_cast<int64_t>(std::stod(text.substr(value + 1)));
  }
  return sum;
}

int64_t ProducedCount(int port) {
  return MetricSum(HttpGet(port, "/metrics").second, "newsflow_records_produced_total");
}

int64_t WaitForProduced(int port, int64_t n, std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int64_t produced = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    produced = ProducedCount(port);
    if (produced >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return produced;
}

Flow NamedFlow(const std::string& test) {
  Flow f;
  f.name = UniqueName(test);
  f.config.group = f.name + "-group";
  f.config.input = f.name + "-raw";
  f.config.enriched = f.name + "-enriched";
  f.config.alerts = f.name + "-alerts";
  f.config.dead_letter = f.name + "-dlq";
  f.config.stories = f.name + "-stories";
  f.config.metrics_port = FreePort();
  return f;
}

Flow PrepareFlow(const std::string& test, int partitions, int good, int bad, bool produce) {
  Flow f = NamedFlow(test);
  CreateTopic(f.config.input, partitions);
  CreateTopic(f.config.enriched, 3);
  CreateTopic(f.config.alerts, 1);
  CreateTopic(f.config.dead_letter, 1);
  CreateTopic(f.config.stories, 1);
  f.corpus = MakeCorpus(f.name, good, bad, &f.good_ids, &f.bad_ids);
  if (produce) Produce(f.config.input, f.corpus);
  return f;
}

Tally CountOutputs(const TopicReader& enriched, const TopicReader& dead) {
  Tally t;
  for (const auto& m : enriched.messages()) ++t.enriched[m.key];
  for (const auto& m : dead.messages()) ++t.dead[m.key];
  t.total = static_cast<int64_t>(enriched.messages().size() + dead.messages().size());
  return t;
}

Tally WaitForOutputs(TopicReader& enriched, TopicReader& dead, size_t n,
                     std::chrono::steady_clock::duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Tally t;
  while (std::chrono::steady_clock::now() < deadline) {
    enriched.Poll(std::chrono::milliseconds(200));
    dead.Poll(std::chrono::milliseconds(50));
    t = CountOutputs(enriched, dead);
    if (t.enriched.size() + t.dead.size() >= n) break;
  }
  return t;
}

size_t MissingOutputs(const Flow& f, const Tally& t) {
  size_t missing = 0;
  for (const auto& id : f.good_ids) missing += t.enriched.contains(id) ? 0 : 1;
  for (const auto& id : f.bad_ids) missing += t.dead.contains(id) ? 0 : 1;
  return missing;
}

}  // namespace newsflow::integration
