// `newsflow config --dump`: every option the code reads, and the documents that describe them.
#include <yaml-cpp/yaml.h>

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "app/commands.h"
#include "tests/testing/testing.h"

namespace newsflow::app {
namespace {

std::vector<core::ConfigFieldDoc> Options() {
  auto fields = DumpConfigFields();
  EXPECT_TRUE(fields.ok()) << fields.status().ToString();
  return fields.ok() ? *fields : std::vector<core::ConfigFieldDoc>();
}

TEST(ConfigDumpTest, ListsEveryStageRuntimeAndTaxonomyOptionWithADescription) {
  std::set<std::string> paths;
  for (const auto& f : Options()) {
    paths.insert(f.path);
    EXPECT_FALSE(f.description.empty()) << f.path;
    EXPECT_FALSE(f.type.empty()) << f.path;
  }
  for (const char* path :
       {"pipeline.stages", "pipeline.decode.max_record_bytes", "pipeline.normalize.stem",
        "pipeline.tag.context_window", "pipeline.score.max_matches", "pipeline.encode.include_body",
        "taxonomy.path", "kafka.brokers", "kafka.output_topics.dead_letter", "kafka.consumer",
        "metrics.address"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
}

// config/newsflow.yaml is the commented default that `newsflow config` prints: it must name
// every option, with the value the code uses when the key is left out.
TEST(ConfigDumpTest, TheDefaultConfigFileNamesEveryOptionWithTheCodesDefault) {
  const YAML::Node file = YAML::LoadFile(testing::SourcePath("config/newsflow.yaml"));
  for (const auto& f : Options()) {
    YAML::Node node = YAML::Clone(file);
    std::string walked;
    for (size_t begin = 0; begin <= f.path.size();) {
      size_t end = f.path.find('.', begin);
      if (end == std::string::npos) end = f.path.size();
      const std::string key = f.path.substr(begin, end - begin);
      ASSERT_TRUE(node.IsMap() && node[key].IsDefined())
          << f.path << ": not in config/newsflow.yaml";
      node = node[key];
      begin = end + 1;
    }
    EXPECT_EQ(f.value, f.default_value) << f.path << ": config/newsflow.yaml says " << f.value
                                        << ", the code's default is " << f.default_value;
  }
}

// The README's configuration table may only name options that exist (or values that an
// option's description documents).
TEST(ConfigDumpTest, TheReadmeConfigurationSectionNamesOnlyRealOptions) {
  const std::string readme = testing::ReadFile(testing::SourcePath("README.md"));
  const size_t begin = readme.find("\n## Configuration");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = readme.find("\n## ", begin + 1);
  const std::string section = readme.substr(begin, end - begin);
  std::set<std::string> components;
  std::string documented;  // descriptions and values: option values named in the table
  for (const auto& f : Options()) {
    documented += f.description + " " + f.value + "\n";
    for (size_t at = 0; at <= f.path.size();) {
      size_t dot = f.path.find('.', at);
      if (dot == std::string::npos) dot = f.path.size();
      components.insert(f.path.substr(at, dot - at));
      at = dot + 1;
    }
  }
  // Table rows: `name` cells in lower snake_case are option names (librdkafka pass-through
  // properties have dots and are not ours).
  const std::regex option(R"(`([a-z][a-z0-9_]*)`)");
  int checked = 0;
  std::istringstream lines(section);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '|') continue;
    for (std::sregex_iterator it(line.begin(), line.end(), option), stop; it != stop; ++it) {
      const std::string name = (*it)[1];
      EXPECT_TRUE(components.contains(name) || documented.find(name) != std::string::npos)
          << "README names `" << name << "`: no such option or documented value";
      ++checked;
    }
  }
  EXPECT_GT(checked, 10) << "the configuration table was not found or is empty";
}

}  // namespace
}  // namespace newsflow::app
