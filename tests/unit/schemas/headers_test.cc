#include "schemas/cloudevents.h"
#include "schemas/dead_letter.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace newsflow::schemas {
namespace {

std::map<std::string, std::string> ToMap(const std::vector<Header>& headers) {
  std::map<std::string, std::string> m;
  for (const auto& h : headers) m[h.key] = h.value;
  return m;
}

RawRecord KafkaRecord() {
  RawRecord r;
  r.value = "{\"id\":\"a1\"}";
  r.key = "k";
  r.headers = {{"content-type", "application/json"}, {"trace", "t-1"}};
  r.origin.kind = Origin::Kind::kKafka;
  r.origin.topic = "news.raw";
  r.origin.partition = 4;
  r.origin.offset = 1234;
  r.origin.timestamp_ms = 1767225600000;
  return r;
}

TEST(HeadersTest, EnrichedEventCarriesCloudEventsBinaryModeAndProvenance) {
  Output out{Output::Kind::kEnriched, "a1", "{}"};
  auto h = ToMap(OutputHeaders(KafkaRecord(), out, 1767225600123));
  EXPECT_EQ(h["content-type"], "application/json");
  EXPECT_EQ(h["ce_specversion"], "1.0");
  EXPECT_EQ(h["ce_id"], "a1");
  EXPECT_EQ(h["ce_source"], "newsflow/news.raw");
  EXPECT_EQ(h["ce_type"], "io.newsflow.enriched_event.v1");
  EXPECT_EQ(h["ce_time"], "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(h["newsflow-source-topic"], "news.raw");
  EXPECT_EQ(h["newsflow-source-partition"], "4");
  EXPECT_EQ(h["newsflow-source-offset"], "1234");
}

TEST(HeadersTest, AlertHasItsOwnCloudEventsType) {
  Output out{Output::Kind::kAlert, "a1", "{}"};
  EXPECT_EQ(ToMap(OutputHeaders(KafkaRecord(), out, 0))["ce_type"], "io.newsflow.alert.v1");
}

TEST(HeadersTest, DeadLetterKeepsOriginalHeadersAndAddsErrorAndOrigin) {
  const RawRecord record = KafkaRecord();
  const Status why(Code::kSchemaViolation, "decode", "title: expected a string");
  std::vector<Header> headers = DeadLetterHeaders({record, why, "a1", 0});
  ASSERT_GE(headers.size(), 2u);
  EXPECT_EQ(headers[0].key, "content-type") << "original headers first, unchanged";
  EXPECT_EQ(headers[1].value, "t-1");
  auto h = ToMap(headers);
  EXPECT_EQ(h["newsflow.error.stage"], "decode");
  EXPECT_EQ(h["newsflow.error.class"], "schema_violation");
  EXPECT_EQ(h["newsflow.error.message"], "title: expected a string");
  EXPECT_EQ(h["newsflow.error.topic"], "news.raw");
  EXPECT_EQ(h["newsflow.error.partition"], "4");
  EXPECT_EQ(h["newsflow.error.offset"], "1234");
  EXPECT_EQ(h["newsflow.error.timestamp"], "1767225600000");
  EXPECT_EQ(h["newsflow.error.article_id"], "a1");
  EXPECT_FALSE(
      ToMap(DeadLetterHeaders({record, why, "", 0})).contains("newsflow.error.article_id"));
}

}  // namespace
}  // namespace newsflow::schemas
