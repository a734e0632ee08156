#include "processors/core/config.h"

#include <gtest/gtest.h>

namespace newsflow::core {
namespace {

struct Sample {
  int64_t limit = 10;
  bool flag = false;
  std::string mode = "a";
  std::vector<std::string> items = {"x"};
  std::map<std::string, int64_t> sizes = {{"a", 1}, {"b", 2}};
};

Status ReadSample(const std::string& yaml, Sample* s) {
  ConfigReader r(YAML::Load(yaml), "pipeline.sample");
  r.Read("limit", &s->limit, "A limit.");
  r.Read("flag", &s->flag, "A flag.");
  r.Read("mode", &s->mode, "A mode.");
  r.Read("items", &s->items, "Items.");
  r.Read("sizes", &s->sizes, "Sizes.");
  r.Require(s->limit > 0, "limit", "must be positive");
  return r.Finish();
}

TEST(ConfigReaderTest, AbsentKeysKeepDefaults) {
  Sample s;
  ASSERT_TRUE(ReadSample("{}", &s).ok());
  EXPECT_EQ(s.limit, 10);
  EXPECT_EQ(s.mode, "a");
  EXPECT_EQ(s.items, std::vector<std::string>{"x"});
  EXPECT_EQ(s.sizes, (std::map<std::string, int64_t>{{"a", 1}, {"b", 2}}));
}

TEST(ConfigReaderTest, ReadsTypedValues) {
  Sample s;
  ASSERT_TRUE(ReadSample("{limit: 5, flag: true, mode: b, items: [p, q]}", &s).ok());
  EXPECT_EQ(s.limit, 5);
  EXPECT_TRUE(s.flag);
  EXPECT_EQ(s.mode, "b");
  EXPECT_EQ(s.items, (std::vector<std::string>{"p", "q"}));
}

TEST(ConfigReaderTest, AGivenMapReplacesTheDefaultWhole) {
  Sample s;
  ASSERT_TRUE(ReadSample("{sizes: {c: 7}}", &s).ok());
  EXPECT_EQ(s.sizes, (std::map<std::string, int64_t>{{"c", 7}}));
  ASSERT_TRUE(ReadSample("{sizes: {}}", &s).ok());
  EXPECT_TRUE(s.sizes.empty());
}

TEST(ConfigReaderTest, MapErrorsNameKeyAndEntry) {
  Sample s;
  EXPECT_EQ(ReadSample("{sizes: [1, 2]}", &s).message(),
            "pipeline.sample.sizes: expected a mapping of names to integers");
  EXPECT_EQ(
      ReadSample("{sizes: {c: many}}", &s).message(),
      "pipeline.sample.sizes: expected a mapping of names to integers; 'c' is not an integer");
  EXPECT_EQ(
      ReadSample("{sizes: {c: [1]}}", &s).message(),
      "pipeline.sample.sizes: expected a mapping of names to integers; 'c' is not an integer");
}

TEST(ConfigReaderTest, DocumentsAMapWithItsDefault) {
  ConfigReader r(YAML::Node(), "x");
  std::map<std::string, int64_t> m = {{"Arab", 64}, {"Hebr", 32}};
  r.Read("m", &m, "The m.");
  ASSERT_EQ(r.Fields().size(), 1u);
  EXPECT_EQ(r.Fields()[0].type, "map of integers");
  EXPECT_EQ(r.Fields()[0].default_value, "{Arab: 64, Hebr: 32}");
}

TEST(ConfigReaderTest, UnknownKeyIsAnErrorNamingTheFullPath) {
  Sample s;
  Status st = ReadSample("{limit: 5, limt: 6}", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Code::kInvalidConfig);
  EXPECT_EQ(st.message(), "pipeline.sample.limt: unknown key");
}

TEST(ConfigReaderTest, WrongTypeNamesKeyAndValue) {
  Sample s;
  Status st = ReadSample("{limit: lots}", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "pipeline.sample.limit: expected a integer, got 'lots'");
  st = ReadSample("{items: notalist}", &s);
  EXPECT_EQ(st.message(), "pipeline.sample.items: expected a list of strings");
}

TEST(ConfigReaderTest, FailedRequirementNamesKey) {
  Sample s;
  Status st = ReadSample("{limit: -1}", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "pipeline.sample.limit: must be positive");
}

TEST(ConfigReaderTest, NonMappingSectionIsAnError) {
  Sample s;
  Status st = ReadSample("[1, 2]", &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "pipeline.sample: expected a mapping");
}

TEST(ConfigReaderTest, DocumentsEveryField) {
  ConfigReader r(YAML::Node(), "x");
  int64_t v = 3;
  r.Read("v", &v, "The v.");
  ASSERT_EQ(r.Fields().size(), 1u);
  EXPECT_EQ(r.Fields()[0].path, "x.v");
  EXPECT_EQ(r.Fields()[0].type, "integer");
  EXPECT_EQ(r.Fields()[0].default_value, "3");
  EXPECT_EQ(r.Fields()[0].description, "The v.");
}

TEST(LoadYamlFileTest, SyntaxErrorNamesFileAndLine) {
  const std::string path = ::testing::TempDir() + "/bad.yaml";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("a: 1\nb: [unclosed\n", f);
  std::fclose(f);
  YAML::Node node;
  Status st = LoadYamlFile(path, &node);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(path + ":"), std::string::npos) << st.message();
  st = LoadYamlFile(path + ".missing", &node);
  EXPECT_NE(st.message().find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace newsflow::core
