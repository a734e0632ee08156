// The Kafka-facing CLI: `validate-config` checks the kafka:/metrics: sections and every
// librdkafka property; `newsflow demo` runs the runtime on the in-process broker and accounts
// for every bundled sample. Runs the real binary; no external broker.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace {

struct Result {
  int code = -1;
  std::string out;
};

Result RunNewsflow(const std::string& args) {
  const std::string cmd = std::string(NEWSFLOW_BINARY) + " " + args + " 2>&1";
  Result r;
  std::FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A config file: `body`, plus a development taxonomy when NEWSFLOW_TEST_TAXONOMY is set.
std::string Config(const std::string& name, const std::string& body) {
  const std::string path = ::testing::TempDir() + "/" + name + ".yaml";
  std::ofstream out(path);
  out << body;
  if (const char* t = std::getenv("NEWSFLOW_TEST_TAXONOMY"))
    out << "taxonomy:\n  path: " << t << "\n";
  return path;
}

TEST(KafkaCliTest, ValidateConfigNamesABadLibrdkafkaProperty) {
  Result r = RunNewsflow("validate-config " +
                         Config("bad_prop", "kafka:\n  producer: {compression.type: brotli}\n"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("kafka.producer.compression.type: "), std::string::npos) << r.out;
  r = RunNewsflow("validate-config " +
                  Config("unknown_prop", "kafka:\n  consumer: {no.such.property: 1}\n"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("kafka.consumer.no.such.property: "), std::string::npos) << r.out;
}

TEST(KafkaCliTest, ValidateConfigNamesUnknownKafkaAndMetricsKeys) {
  Result r = RunNewsflow("validate-config " +
                         Config("bad_key", "kafka:\n  output_topics: {enrichd: x}\n"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("kafka.output_topics.enrichd: unknown key"), std::string::npos) << r.out;
  r = RunNewsflow("validate-config " + Config("bad_metrics", "metrics:\n  port: 9\n"));
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("metrics.port: unknown key"), std::string::npos) << r.out;
}

TEST(KafkaCliTest, ValidateConfigAcceptsKafkaSectionsAndPassThrough) {
  Result r = RunNewsflow(
      "validate-config " +
      Config("good",
             "kafka:\n  brokers: a:9092\n  producer: {compression.type: zstd}\n"
             "  consumer: {security.protocol: plaintext}\nmetrics:\n  address: 127.0.0.1:0\n"));
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(KafkaCliTest, ValidateConfigRejectsATransactionalIdWithTheReason) {
  Result r = RunNewsflow("validate-config " +
                         Config("txn_id", "kafka:\n  producer: {transactional.id: mine}\n"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("kafka.producer.transactional.id: managed by newsflow"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("processing_guarantee: exactly_once"), std::string::npos) << r.out;
}

TEST(KafkaCliTest, ValidateConfigChecksTheSizeLimitsAreConsistent) {
  Result r = RunNewsflow("validate-config " +
                         Config("sizes",
                                "pipeline:\n  decode: {max_record_bytes: 2000000}\n"
                                "kafka:\n  producer: {message.max.bytes: 1000000}\n"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("kafka.producer.message.max.bytes (1000000) is too small for "
                       "pipeline.decode.max_record_bytes (2000000)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Set kafka.producer.message.max.bytes to at least 2016384"),
            std::string::npos)
      << r.out;
  r = RunNewsflow("validate-config " +
                  Config("sizes_ok",
                         "pipeline:\n  decode: {max_record_bytes: 2000000}\n"
                         "kafka:\n  producer: {message.max.bytes: 2100000}\n"));
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(KafkaCliTest, ValidateConfigRejectsSkippingTheBacklogUnlessAllowed) {
  Result r = RunNewsflow("validate-config " +
                         Config("latest", "kafka:\n  consumer: {auto.offset.reset: latest}\n"));
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("allow_skip_backlog"), std::string::npos) << r.out;
  r = RunNewsflow("validate-config " + Config("latest_ok",
                                              "kafka:\n  consumer: {auto.offset.reset: latest}\n"
                                              "  allow_skip_backlog: true\n"));
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(KafkaCliTest, DemoAccountsForEverySampleRecord) {
  const std::string cmd =
      std::getenv("NEWSFLOW_TEST_TAXONOMY") ? "demo -c " + Config("demo", "") : "demo";
  // stdout and stderr are merged: 13 enriched events + 2 dead letters + the summary line.
  Result r = RunNewsflow(cmd);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("in 15, enriched 13, dead-lettered 2 (all accounted for)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"newsflow.error.offset\""), std::string::npos);
  EXPECT_NE(r.out.find("sample-en-1"), std::string::npos);
}

}  // namespace
