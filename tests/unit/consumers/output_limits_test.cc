// Output size limits (consumers/output_limits.h): the reduced enriched event is valid against
// enriched_event.v1 and marked truncated; oversized dead letters keep a bounded prefix with the
// original length and SHA-256; MessageSize bounds what librdkafka counts.
#include "consumers/output_limits.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <string>

#include "schemas/validate.h"
#include "tests/testing/testing.h"

namespace newsflow::consumers {
namespace {

std::string Example() {
  return testing::ReadFile(
      testing::SourcePath("schemas/examples/enriched_event/valid/tagged_from_kafka.json"));
}

TEST(OutputLimitsTest, ReducedEnrichedEventIsValidAndMarkedTruncated) {
  // Length-based parses: RapidJSON's SSE2 whitespace skipping of a NUL-terminated string reads
  // aligned 16-byte blocks past its end, which AddressSanitizer reports.
  const std::string example = Example();
  rapidjson::Document doc;
  doc.Parse(example.data(), example.size());
  auto& a = doc.GetAllocator();
  const std::string body(600000, 'x');
  doc["body"].SetString(body.c_str(), static_cast<rapidjson::SizeType>(body.size()), a);
  const std::string title = std::string(3000, 'a') + "\xd8\xb9";  // ends in a 2-byte char
  doc["title"].SetString(title.c_str(), static_cast<rapidjson::SizeType>(title.size()), a);
  rapidjson::Value& matches = doc["topics"][0]["matches"];
  for (int i = 0; i < 40; ++i) {
    rapidjson::Value copy(matches[0], a);
    matches.PushBack(copy, a);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  const std::string big(buffer.GetString(), buffer.GetSize());

  const std::optional<std::string> reduced = ReduceEnrichedEvent(big);
  ASSERT_TRUE(reduced.has_value());
  EXPECT_LT(reduced->size(), 10000u);
  EXPECT_TRUE(schemas::ValidateText(schemas::SchemaId::kEnrichedEvent, *reduced).ok())
      << schemas::ValidateText(schemas::SchemaId::kEnrichedEvent, *reduced).ToString();
  rapidjson::Document out;
  out.Parse(reduced->data(), reduced->size());
  EXPECT_TRUE(out["truncated"].GetBool());
  EXPECT_STREQ(out["body"].GetString(), "");
  EXPECT_TRUE(out["lead"].IsNull());
  EXPECT_EQ(out["title"].GetStringLength(), kReducedTextBytes) << "cut on a character boundary";
  EXPECT_EQ(out["topics"][0]["matches"].Size(), kReducedMatches);
  EXPECT_STREQ(out["id"].GetString(), "sky-1") << "identity fields are kept";
  EXPECT_EQ(out["provenance"]["input"]["offset"].GetInt64(), 1042);
}

TEST(OutputLimitsTest, ReduceRefusesWhatIsNotAJsonObject) {
  EXPECT_FALSE(ReduceEnrichedEvent("out:not json").has_value());
  EXPECT_FALSE(ReduceEnrichedEvent("[1,2]").has_value());
}

TEST(OutputLimitsTest, OversizedDeadLetterKeepsABoundedPrefixWithLengthAndSha256) {
  OutMessage m{"dlq",
               std::string("key"),
               std::string(2000000, 'b'),
               {{"content-type", "application/json"}, {"newsflow.error.class", "too_large"}}};
  const std::string original = m.value;
  OutMessage bounded = BoundDeadLetter(m, 1000000);
  EXPECT_LE(MessageSize(bounded), 1000000);
  EXPECT_GT(bounded.value.size(), 900000u) << "as much of the original as fits";
  EXPECT_EQ(bounded.value, original.substr(0, bounded.value.size())) << "a prefix of the bytes";
  std::map<std::string, std::string> h;
  for (const auto& header : bounded.headers) h[header.key] = header.value;
  EXPECT_EQ(h["newsflow.error.value_truncated"], "true");
  EXPECT_EQ(h["newsflow.error.original_length"], "2000000");
  EXPECT_EQ(h["newsflow.error.original_sha256"], Sha256Hex(original));
  EXPECT_EQ(h["content-type"], "application/json") << "original headers kept";
  EXPECT_EQ(h["newsflow.error.class"], "too_large");
}

TEST(OutputLimitsTest, DeadLetterThatFitsIsUnchanged) {
  OutMessage m{"dlq", std::nullopt, "small", {{"a", "b"}}};
  OutMessage same = BoundDeadLetter(m, 1000);
  EXPECT_EQ(same.value, "small");
  EXPECT_EQ(same.headers.size(), 1u);
}

TEST(OutputLimitsTest, HugeOriginalHeadersAreDroppedAndCounted) {
  OutMessage m{"dlq",
               std::nullopt,
               std::string(10000, 'v'),
               {{"huge", std::string(5000, 'h')}, {"newsflow.error.class", "too_large"}}};
  OutMessage bounded = BoundDeadLetter(m, 4000);
  EXPECT_LE(MessageSize(bounded), 4000);
  std::map<std::string, std::string> h;
  for (const auto& header : bounded.headers) h[header.key] = header.value;
  EXPECT_FALSE(h.contains("huge"));
  EXPECT_EQ(h["newsflow.error.headers_dropped"], "1");
  EXPECT_EQ(h["newsflow.error.class"], "too_large");
}

TEST(OutputLimitsTest, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace newsflow::consumers
