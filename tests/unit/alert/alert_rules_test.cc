// Alert rules: the built-in set compiles, and bad rules fail with messages naming the key.
#include "processors/alert/alert_rules.h"

#include <gtest/gtest.h>

namespace newsflow::alert {
namespace {

TEST(AlertRulesTest, BuiltInRulesCompile) {
  auto rules = LoadAlertRules("");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_FALSE((*rules)->version().empty());
  std::vector<std::string> ids;
  for (const auto& r : (*rules)->rules()) ids.push_back(r.id);
  for (const char* id :
       {"ceasefire-announced", "ceasefire-collapsing", "summit-planned-or-cancelled",
        "new-offensive", "sanctions-package", "outbreak-declared", "story-confirmed"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
  EXPECT_TRUE((*rules)->surge().enabled);
}

TEST(AlertRulesTest, DurationsParse) {
  EXPECT_EQ(*ParseDuration("90s"), 90000);
  EXPECT_EQ(*ParseDuration("2h"), 7200000);
  EXPECT_EQ(*ParseDuration("1d"), 86400000);
  EXPECT_FALSE(ParseDuration("2 hours").ok());
  EXPECT_FALSE(ParseDuration("h").ok());
}

std::string Compile(const std::string& text) {
  auto r = CompileAlertRules("test.yaml", text);
  return r.ok() ? std::string() : r.status().message();
}

TEST(AlertRulesTest, ErrorsNameTheRuleAndKey) {
  EXPECT_EQ(Compile("version: 1\nrules: []\n"), "");
  EXPECT_NE(Compile("rules: []\n").find("version"), std::string::npos);
  EXPECT_NE(
      Compile("version: 1\nrules:\n  - id: a\n    severity: urgent\n    when: {topics: {x: 0.5}}\n")
          .find("rules[0](a).severity"),
      std::string::npos);
  EXPECT_NE(Compile("version: 1\nrules:\n  - id: a\n    when: {topicz: {x: 0.5}}\n")
                .find("rules[0](a).when.topicz: unknown key"),
            std::string::npos);
  EXPECT_NE(Compile("version: 1\nrules:\n  - id: a\n    when: {topics: {x: 1.5}}\n").find("[0, 1]"),
            std::string::npos);
  EXPECT_NE(Compile("version: 1\nrules:\n  - id: a\n    when: {languages: [en]}\n")
                .find("needs at least one"),
            std::string::npos);
  EXPECT_NE(
      Compile("version: 1\nrules:\n  - id: a\n    reason: \"{nope}\"\n    when: {terms: [x]}\n")
          .find("unknown placeholder {nope}"),
      std::string::npos);
  EXPECT_NE(Compile("version: 1\nrules:\n  - id: a\n    when: {terms: [x]}\n  - id: a\n    when: "
                    "{terms: [y]}\n")
                .find("duplicate rule id"),
            std::string::npos);
  EXPECT_NE(
      Compile("version: 1\nrules:\n  - id: a\n    when: {story: {within: soon}}\n").find("within"),
      std::string::npos);
  EXPECT_NE(Compile("version: 1\nsurge: {max_p_value: 2}\n").find("surge.max_p_value"),
            std::string::npos);
}

TEST(AlertRulesTest, StoreSwapsSnapshots) {
  auto a = CompileAlertRules("a", "version: a\n");
  auto b = CompileAlertRules("b", "version: b\n");
  ASSERT_TRUE(a.ok() && b.ok());
  AlertRuleStore store(*a);
  auto pinned = store.Get();
  store.Swap(*b);
  EXPECT_EQ(pinned->version(), "a");
  EXPECT_EQ(store.Get()->version(), "b");
}

}  // namespace
}  // namespace newsflow::alert
