// Compilation of taxonomies: what is accepted, and errors that name file, line and rule.
#include "processors/tag/taxonomy.h"

#include <gtest/gtest.h>

#include "tests/unit/tag/tag_fixture.h"

namespace newsflow::tag {
namespace {

const char* kEntities = R"(
entities:
  - id: person/donald-trump
    type: person
    name: Donald Trump
    tags: [head_of_state]
    aliases:
      en: ["Donald Trump", "Trump"]
      ar: ["ترامب"]
)";

const char* kTopic = R"(
topic:
  id: ceasefire_talks
  labels: {en: "Ceasefire talks"}
  threshold: 0.5
  groups:
    ceasefire:
      en: ["ceasefire", "truce"]
  rules:
    - {name: ceasefire-term, any: [ceasefire]}
)";

std::string CompileError(const std::string& entities, const std::string& topics) {
  auto r = CompileInline(entities, topics);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(TaxonomyCompileTest, CompilesEntitiesTopicsAndPatterns) {
  auto r = CompileInline(kEntities, kTopic, "2026.1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Taxonomy& t = **r;
  EXPECT_EQ(t.version(), "2026.1");
  ASSERT_EQ(t.entities().size(), 1u);
  EXPECT_EQ(t.entities()[0].name, "Donald Trump");
  ASSERT_EQ(t.topics().size(), 1u);
  EXPECT_EQ(t.topics()[0].Label(), "Ceasefire talks");
  EXPECT_EQ(t.matcher().pattern_count(), 5u);  // 3 aliases + 2 group terms
  EXPECT_EQ(t.alias_count(), 3u);
  EXPECT_EQ(t.FindEntity("person/donald-trump"), 0);
  EXPECT_EQ(t.FindTopic("ceasefire_talks"), 0);
}

TEST(TaxonomyCompileTest, UnknownGroupNamesFileLineAndRule) {
  const std::string topic = R"(topic:
  id: t
  groups:
    a:
      en: ["x"]
  rules:
    - {name: r1, any: [b]}
)";
  EXPECT_EQ(CompileError(kEntities, topic),
            "topics/t.yaml:7: topic 't': rule 'r1': unknown group 'b'");
}

TEST(TaxonomyCompileTest, NearNeedsWithin) {
  const std::string topic = R"(topic:
  id: t
  groups: {a: {en: [x]}, b: {en: [y]}}
  rules:
    - {name: close, near: [a, b]}
)";
  EXPECT_EQ(CompileError(kEntities, topic),
            "topics/t.yaml:5: topic 't': rule 'close': near needs 'within' (a positive number of "
            "tokens)");
}

TEST(TaxonomyCompileTest, UnknownKeysAreErrors) {
  EXPECT_EQ(CompileError(kEntities, std::string(kTopic) + "  treshold: 0.4\n"),
            "topics/t.yaml:11: topic: unknown key 'treshold'");
  const std::string entity = R"(entities:
  - {id: x/y, type: place, name: Y, alias: {en: [Y]}}
)";
  EXPECT_EQ(CompileError(entity, kTopic), "entities/e.yaml:2: entity 'x/y': unknown key 'alias'");
}

TEST(TaxonomyCompileTest, ShortPrefixIsRejected) {
  const std::string topic = R"(topic:
  id: t
  groups:
    a:
      en: ["ok", "ab*"]
  rules:
    - {name: r, any: [a]}
)";
  const std::string error = CompileError(kEntities, topic);
  EXPECT_NE(error.find("topics/t.yaml:5: topic 't': group 'a'.en: phrase 'ab*'"), std::string::npos)
      << error;
  EXPECT_NE(error.find("shorter than 3 letters"), std::string::npos) << error;
}

TEST(TaxonomyCompileTest, StemPhraseNeedsAStemmer) {
  const std::string topic = R"(topic:
  id: t
  groups:
    a:
      he: ["~שלום"]
  rules:
    - {name: r, any: [a]}
)";
  EXPECT_NE(CompileError(kEntities, topic).find("no Snowball stemmer for language 'he'"),
            std::string::npos);
}

TEST(TaxonomyCompileTest, DuplicateEntityAndUnknownEntityReference) {
  EXPECT_NE(CompileError(std::string(kEntities) + R"(
  - id: person/donald-trump
    type: person
    name: Again
    aliases: {en: [Again]}
)",
                         kTopic)
                .find("duplicate id"),
            std::string::npos);
  const std::string topic = R"(topic:
  id: t
  groups: {a: {en: [x]}}
  rules:
    - {name: r, near: [a, "@entity:person/nobody"], within: 3}
)";
  EXPECT_NE(CompileError(kEntities, topic).find("unknown entity 'person/nobody'"),
            std::string::npos);
}

TEST(TaxonomyCompileTest, YamlSyntaxErrorNamesFileAndLine) {
  EXPECT_NE(CompileError("entities:\n  - {id: [unclosed\n", kTopic).find("entities/e.yaml:"),
            std::string::npos);
}

TEST(TaxonomyCompileTest, BuiltinDefaultTaxonomyCompiles) {
  auto r = LoadTaxonomy("");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE((*r)->entities().size(), 500u);
  for (const char* id :
       {"ceasefire_talks", "summit_diplomacy", "weapons_supply", "sanctions", "humanitarian_aid",
        "military_escalation", "elections", "economy", "sports", "technology", "health"}) {
    EXPECT_GE((*r)->FindTopic(id), 0) << id;
  }
}

TEST(TaxonomyStoreTest, SwapKeepsOldSnapshotsAliveForTheirReaders) {
  auto a = CompileInline(kEntities, kTopic, "a");
  auto b = CompileInline(kEntities, kTopic, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  TaxonomyStore store(*a);
  std::shared_ptr<const Taxonomy> pinned = store.Get();
  store.Swap(*b);
  EXPECT_EQ(pinned->version(), "a");
  EXPECT_EQ(store.Get()->version(), "b");
}

}  // namespace
}  // namespace newsflow::tag
