// CheckSizeLimits: the producer's message.max.bytes must hold a dead letter of the largest record
// the decode stage accepts, whatever shape the pipeline section has.
#include "app/kafka_setup.h"

#include <yaml-cpp/yaml.h>

#include <gtest/gtest.h>

namespace newsflow::app {
namespace {

AppConfig WithPipeline(const std::string& pipeline_yaml) {
  AppConfig config;
  config.origin = "test";
  config.pipeline = YAML::Load(pipeline_yaml);
  return config;
}

consumers::KafkaConfig WithMessageMax(const std::string& bytes) {
  consumers::KafkaConfig kafka;
  kafka.producer["message.max.bytes"] = bytes;
  return kafka;
}

TEST(KafkaSetupTest, SizeLimitsReadTheDecodeSectionWhateverItsShape) {
  const auto roomy = WithMessageMax("100000000");
  // A decode section without max_record_bytes (the fuzzer's find: this threw
  // YAML::InvalidNode out of the check), a decode that is not a map, no decode, no pipeline:
  // the default record size applies and nothing throws.
  for (const char* yaml :
       {"{decode: {other: 1}}", "{decode: [1, 2]}", "{decode: 7}", "{}", "[]", "~"}) {
    SCOPED_TRACE(yaml);
    EXPECT_TRUE(CheckSizeLimits(WithPipeline(yaml), roomy).ok());
  }
  // A bad value is left to the decode stage's own check.
  EXPECT_TRUE(CheckSizeLimits(WithPipeline("{decode: {max_record_bytes: many}}"), roomy).ok());
  // A record size the producer cannot carry as a dead letter is refused, naming both options.
  const Status small = CheckSizeLimits(WithPipeline("{decode: {max_record_bytes: 2000000}}"),
                                       WithMessageMax("1000000"));
  ASSERT_FALSE(small.ok());
  EXPECT_NE(small.message().find("pipeline.decode.max_record_bytes (2000000)"), std::string::npos)
      << small.message();
  EXPECT_NE(small.message().find("kafka.producer.message.max.bytes (1000000)"), std::string::npos)
      << small.message();
}

}  // namespace
}  // namespace newsflow::app
