// newsflow eval's entity recall with `also_known_as` (an entity's other spellings of its
// canonical English name): a gold name in either spelling counts as found, a name the entity
// does not list does not. Runs the real pipeline over a small taxonomy and gold file on disk.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/eval.h"
#include "app/pipeline_setup.h"

namespace newsflow::app {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// `newsflow eval` over `gold` (JSON Lines) with a taxonomy of the given entity file and one
// topic whose group is `topic_word`, written under the test's temporary directory `name`.
EvalResult EvaluateSmallTaxonomy(const std::string& name, const std::string& entities,
                                 const std::string& topic_word, const std::string& gold) {
  const fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  Write(dir / "taxonomy.yaml", "version: v\nentities: [\"entities/*\"]\ntopics: [\"topics/*\"]\n");
  Write(dir / "entities/e.yaml", entities);
  Write(dir / "topics/t.yaml", "topic: {id: t, threshold: 0.5, groups: {g: {en: [" + topic_word +
                                   "]}}, rules: [{name: r, any: [g]}]}\n");
  Write(dir / "gold.jsonl", gold);
  auto setup = BuildPipelineSetup("", {.taxonomy = (dir / "taxonomy.yaml").string(),
                                       .alerts = "",
                                       .taxonomy_options = {.calibration = false}});
  EXPECT_TRUE(setup.ok()) << setup.status().ToString();
  if (!setup.ok()) return {};
  auto result = Evaluate(*(*setup)->pipeline, {(dir / "gold.jsonl").string()}, 2);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *std::move(result) : EvalResult{};
}

TEST(EvalTest, AlsoKnownAsCountsEitherSpellingOfAGoldName) {
  // Both articles mention both entities; the labels use the other spelling in one of them, and
  // one label (Gaza City) is a different entity, which stays missed.
  const EvalResult result = EvaluateSmallTaxonomy(
      "eval_also_known_as",
      "entities:\n"
      "  - {id: person/erdogan, type: person, name: \"Recep Tayyip Erdogan\",\n"
      "     also_known_as: [\"Recep Tayyip Erdoğan\"], aliases: {en: [Erdogan]}}\n"
      "  - {id: place/gaza, type: place, name: Gaza, also_known_as: [Gaza Strip],\n"
      "     aliases: {en: [Gaza]}}\n",
      "talks",
      "{\"id\":\"a\",\"lang\":\"en\",\"outlet\":\"o1\",\"title\":\"\",\"body\":\"Erdogan spoke "
      "about Gaza talks today.\",\"labels\":[\"t\"],\"entities\":[\"Recep Tayyip "
      "Erdogan\",\"Gaza\"]}\n"
      "{\"id\":\"b\",\"lang\":\"en\",\"outlet\":\"o2\",\"title\":\"\",\"body\":\"Erdogan spoke "
      "about Gaza talks again.\",\"labels\":[\"t\"],\"entities\":[\"Recep Tayyip "
      "Erdoğan\",\"Gaza Strip\",\"Gaza City\"]}\n");
  EXPECT_EQ(result.entity_gold, 5);
  EXPECT_EQ(result.entity_found, 4);
  ASSERT_EQ(result.missed_entities.size(), 1u);
  EXPECT_EQ(result.missed_entities.begin()->first, "Gaza City");
}

// The dev corpus's own cases: the text (and so the output name) writes a name without the
// diacritics of the label's canonical English name.
TEST(EvalTest, EntityNamesCompareIgnoringCaseAndDiacritics) {
  EXPECT_EQ(EntityNameKey("Muharrem Ince"), EntityNameKey("Muharrem İnce"));
  EXPECT_EQ(EntityNameKey("Pero Antic"), EntityNameKey("Pero Antić"));
  EXPECT_EQ(EntityNameKey("Recep Tayyip Erdogan"), EntityNameKey("Recep Tayyip Erdoğan"));
  EXPECT_EQ(EntityNameKey("GAZA"), EntityNameKey("gaza"));
  // Other letters, words or punctuation stay different names.
  EXPECT_NE(EntityNameKey("Gaza"), EntityNameKey("Gaza City"));
  EXPECT_NE(EntityNameKey("Al-Arabi SC"), EntityNameKey("Al Arabi SC"));
  EXPECT_NE(EntityNameKey("Oleksandriia"), EntityNameKey("Oleksandriya"));
  EXPECT_NE(EntityNameKey("Mali"), EntityNameKey("Malik"));
  EXPECT_NE(EntityNameKey("Iran"), EntityNameKey("Iraq"));
}

TEST(EvalTest, AnUnlinkedNameWithoutTheLabelsDiacriticsIsFound) {
  // The text (en-si-horford-game-winner's sentence) writes "Pero Antic", an unlinked name; the
  // label is "Pero Antić". "Kyle Korver" is labelled and not in the text.
  const EvalResult result = EvaluateSmallTaxonomy(
      "eval_diacritics",
      "entities:\n"
      "  - {id: org/atlanta-hawks, type: organization, name: Atlanta Hawks,\n"
      "     aliases: {en: [Hawks]}}\n",
      "game",
      "{\"id\":\"a\",\"lang\":\"en\",\"outlet\":\"o1\",\"title\":\"\",\"body\":\"With 1.8 "
      "seconds remaining in overtime and the score tied at 99, Pero Antic inbounded the ball for "
      "the Hawks in the game.\",\"labels\":[\"t\"],\"entities\":[\"Pero Antić\",\"Atlanta "
      "Hawks\",\"Kyle Korver\"]}\n");
  EXPECT_EQ(result.entity_gold, 3);
  EXPECT_EQ(result.entity_found, 2);
  ASSERT_EQ(result.missed_entities.size(), 1u);
  EXPECT_EQ(result.missed_entities.begin()->first, "Kyle Korver");
  // Both outputs (Atlanta Hawks, Pero Antic) are labelled.
  EXPECT_EQ(result.entity_output, 2);
  EXPECT_EQ(result.entity_output_labelled, 2);
}

}  // namespace
}  // namespace newsflow::app
