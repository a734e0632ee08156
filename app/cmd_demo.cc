// `newsflow demo`: the whole Kafka path on an in-process broker (librdkafka's mock cluster),
// from any directory, with nothing installed: creates the topics, produces the bundled sample
// articles (compiled into the binary), runs the very same runtime as `newsflow run` against
// it, reads the enriched events and dead letters back and prints them (stdout: one JSON
// object per line; logs and the summary on stderr). Exit 0 when every record is accounted
// for: in == enriched + dead-lettered.
#include <librdkafka/rdkafkacpp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/commands.h"
#include "app/kafka_setup.h"
#include "app/pipeline_setup.h"
#include "app/runtime.h"
#include "consumers/mock_cluster.h"
#include "schemas/embedded.h"

namespace newsflow::app {
namespace embedded {
extern const EmbeddedFile kSamples[];
extern const std::size_t kSamples_count;
}  // namespace embedded

namespace {

struct DemoOptions {
  std::string config_path;
  int64_t timeout_s = 60;
  bool verbose = false;
};

struct SampleRecord {
  std::string value;
  std::string content_type;
};

std::vector<SampleRecord> SampleRecords() {
  std::vector<SampleRecord> out;
  for (std::size_t i = 0; i < embedded::kSamples_count; ++i) {
    const EmbeddedFile& f = embedded::kSamples[i];
    if (f.name.ends_with(".jsonl")) {
      std::istringstream in{std::string(f.data)};
      std::string line;
      while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        out.push_back({line, "application/json"});
      }
    } else {
      out.push_back({std::string(f.data), "text/plain"});
    }
  }
  return out;
}

std::string DeadLetterLine(RdKafka::Message& m) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("dead_letter");
  w.StartObject();
  if (RdKafka::Headers* headers = m.headers()) {
    for (const auto& h : headers->get_all()) {
      if (h.key().rfind("newsflow.error.", 0) != 0) continue;
      str(h.key());
      str(std::string_view(static_cast<const char*>(h.value()), h.value_size()));
    }
  }
  w.EndObject();
  w.Key("original");
  str(std::string_view(static_cast<const char*>(m.payload()), m.len()));
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

int RunDemo(const DemoOptions& opt) {
  std::unique_ptr<PipelineSetup> pipeline_setup = BuildPipelineSetupOrReport(opt.config_path);
  if (!pipeline_setup) return kExitUsage;
  Result<KafkaSetup> setup = LoadKafkaSetup(pipeline_setup->config);
  if (!setup.ok()) {
    std::cerr << "newsflow demo: invalid configuration: " << setup.status().message() << '\n';
    return kExitUsage;
  }
  consumers::Logger log(stderr,
                        opt.verbose ? consumers::LogLevel::kInfo : consumers::LogLevel::kWarn);

  auto cluster = consumers::MockCluster::Create(1);
  if (!cluster.ok()) {
    std::cerr << "newsflow demo: " << cluster.status().message() << '\n';
    return kExitFailure;
  }
  consumers::KafkaConfig kafka = setup->kafka;
  kafka.brokers = (*cluster)->bootstraps();
  kafka.group_id = "newsflow-demo";
  kafka.input_topics = {"news.raw"};
  kafka.statistics_interval_ms = 0;
  kafka.consumer.clear();
  kafka.producer.clear();
  const std::string input = kafka.input_topics.front();
  for (const std::string& topic :
       {input, kafka.output.enriched, kafka.output.alerts, kafka.output.dead_letter}) {
    Status s = (*cluster)->CreateTopic(topic, topic == input ? 3 : 1);
    if (!s.ok()) {
      std::cerr << "newsflow demo: " << s.message() << '\n';
      return kExitFailure;
    }
  }

  // Produce the samples.
  const std::vector<SampleRecord> samples = SampleRecords();
  {
    std::string errstr;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", kafka.brokers, errstr);
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), errstr));
    if (!producer) {
      std::cerr << "newsflow demo: producer: " << errstr << '\n';
      return kExitFailure;
    }
    for (const SampleRecord& r : samples) {
      RdKafka::Headers* headers = RdKafka::Headers::create();
      headers->add("content-type", r.content_type);
      RdKafka::ErrorCode err = producer->produce(
          input, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          const_cast<char*>(r.value.data()), r.value.size(), nullptr, 0, 0, headers, nullptr);
      if (err != RdKafka::ERR_NO_ERROR) {
        delete headers;
        std::cerr << "newsflow demo: produce: " << RdKafka::err2str(err) << '\n';
        return kExitFailure;
      }
    }
    if (producer->flush(10000) != RdKafka::ERR_NO_ERROR) {
      std::cerr << "newsflow demo: could not produce the samples\n";
      return kExitFailure;
    }
  }

  // Run the runtime on its own thread until the outputs are all back.
  std::atomic<bool> stop{false};
  int runtime_exit = kExitFailure;
  RuntimeRun run;
  run.kafka = kafka;
  run.metrics = setup->metrics;
  run.metrics.enabled = false;
  run.pipeline = pipeline_setup->pipeline.get();
  run.log = &log;
  std::thread runtime([&] { runtime_exit = RunRuntime(run, stop); });

  std::vector<std::string> enriched;
  std::vector<std::string> dead;
  {
    std::string errstr;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", kafka.brokers, errstr);
    conf->set("group.id", "newsflow-demo-reader", errstr);
    conf->set("enable.auto.commit", "false", errstr);
    std::unique_ptr<RdKafka::KafkaConsumer> reader(
        RdKafka::KafkaConsumer::create(conf.get(), errstr));
    std::vector<RdKafka::TopicPartition*> parts = {
        RdKafka::TopicPartition::create(kafka.output.enriched, 0, RdKafka::Topic::OFFSET_BEGINNING),
        RdKafka::TopicPartition::create(kafka.output.dead_letter, 0,
                                        RdKafka::Topic::OFFSET_BEGINNING)};
    reader->assign(parts);
    RdKafka::TopicPartition::destroy(parts);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opt.timeout_s);
    while (enriched.size() + dead.size() < samples.size() &&
           std::chrono::steady_clock::now() < deadline) {
      std::unique_ptr<RdKafka::Message> m(reader->consume(200));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      if (m->topic_name() == kafka.output.enriched) {
        enriched.emplace_back(static_cast<const char*>(m->payload()), m->len());
      } else {
        dead.push_back(DeadLetterLine(*m));
      }
    }
    reader->close();
  }
  stop.store(true);
  runtime.join();

  for (const auto& e : enriched) std::cout << e << '\n';
  for (const auto& d : dead) std::cout << d << '\n';
  std::cout.flush();
  const bool reconciled = enriched.size() + dead.size() == samples.size();
  std::fprintf(stderr,
               "newsflow demo: in %zu, enriched %zu, dead-lettered %zu (%s); runtime exit %d\n",
               samples.size(), enriched.size(), dead.size(),
               reconciled ? "all accounted for" : "MISSING RECORDS", runtime_exit);
  return reconciled && runtime_exit == kExitOk ? kExitOk : kExitFailure;
}

}  // namespace

Command AddDemoCommand(CLI::App& parent) {
  auto opt = std::make_shared<DemoOptions>();
  CLI::App* sub = parent.add_subcommand(
      "demo",
      "Run the Kafka runtime end to end on an in-process broker with the bundled sample "
      "articles; print the enriched events and dead letters (stdout) and a summary (stderr).");
  sub->add_option("-c,--config", opt->config_path,
                  "Configuration file (default: built-in); kafka.brokers/topics are replaced by "
                  "the in-process broker's");
  sub->add_option("--timeout", opt->timeout_s, "Seconds to wait for all outputs")
      ->capture_default_str();
  sub->add_flag("-v,--verbose", opt->verbose, "Show the runtime's info logs on stderr");
  return {sub, [opt] { return RunDemo(*opt); }};
}

}  // namespace newsflow::app
