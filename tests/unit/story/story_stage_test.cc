// The story stage in the default pipeline: ids in the enriched event, the story output, config.
#include "processors/story/story_stage.h"

#include <gtest/gtest.h>

#include "app/pipeline_setup.h"
#include "tests/testing/testing.h"

namespace newsflow::story {
namespace {

const char* kA =
    R"({"id":"a1","title":"UN announces two-month truce in Yemen","body":"The UN envoy Hans )"
    R"(Grundberg announced a two-month truce in Yemen between the Houthis and the Saudi-led )"
    R"(coalition, starting on Saturday.","published":"2022-04-01T12:00:00Z","source":"x"})";
const char* kB =
    R"({"id":"b1","title":"Trêve de deux mois au Yémen","body":"L'envoyé de l'ONU Hans )"
    R"(Grundberg a annoncé une trêve de deux mois au Yémen entre les Houthis et la coalition )"
    R"(menée par l'Arabie saoudite.","published":"2022-04-01T15:00:00Z","source":"y"})";

TEST(StoryStageTest, DefaultPipelineAssignsStoriesAndEmitsTheStoryState) {
  auto pipeline_setup = app::BuildPipelineSetup("");
  ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
  const auto& pipeline = *(*pipeline_setup)->pipeline;
  ASSERT_NE(pipeline.FindStage("story"), nullptr);
  core::FixedClock clock(0);
  schemas::RawRecord ra = testing::MakeRecord(kA, "application/json");
  schemas::RawRecord rb = testing::MakeRecord(kB, "application/json");
  core::Outcome a = pipeline.Process(ra, {&clock, "t"});
  core::Outcome b = pipeline.Process(rb, {&clock, "t"});
  ASSERT_TRUE(a.ok() && b.ok()) << a.status.ToString() << b.status.ToString();
  auto story_of = [](const core::Outcome& o) {
    for (const auto& out : o.outputs) {
      if (out.kind == schemas::Output::Kind::kStory) return out;
    }
    return schemas::Output{};
  };
  const schemas::Output sa = story_of(a), sb = story_of(b);
  ASSERT_FALSE(sa.key.empty());
  EXPECT_EQ(sa.key, sb.key);  // English and French reports of one event: one story
  auto state = DecodeStoryState(sb.value);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->ArticleCount(), 2);
  EXPECT_EQ(state->languages, (std::vector<std::string>{"en", "fr"}));
  // The enriched event names the story.
  for (const auto& out : b.outputs) {
    if (out.kind == schemas::Output::Kind::kEnriched) {
      EXPECT_NE(out.value.find("\"story\":{\"id\":\"" + sa.key + "\""), std::string::npos);
    }
  }
}

// The explanation is written only when a command asks for it (`explain`, `eval`); the story
// the article joins is the same either way.
TEST(StoryStageTest, ExplanationOnlyWhenAsked) {
  for (const bool asked : {false, true}) {
    SCOPED_TRACE(asked ? "explanations asked" : "default");
    app::SetupOverrides overrides;
    overrides.story_explanations = asked;
    auto pipeline_setup = app::BuildPipelineSetup("", overrides);
    ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
    const auto& pipeline = *(*pipeline_setup)->pipeline;
    core::FixedClock clock(0);
    const core::StageContext ctx{&clock, "t"};
    const schemas::RawRecord records[] = {testing::MakeRecord(kA, "application/json"),
                                          testing::MakeRecord(kB, "application/json")};
    std::vector<core::Document> docs;
    for (const auto& record : records) {
      docs.emplace_back(record);  // reads the record in place: `records` outlives it
      for (const auto name : pipeline.StageNames()) {
        ASSERT_TRUE(pipeline.FindStage(name)->Process(docs.back(), ctx).ok()) << name;
      }
    }
    EXPECT_EQ(docs[0].story_id, docs[1].story_id);
    EXPECT_TRUE(docs[0].story.opened);
    EXPECT_FALSE(docs[1].story.opened);
    if (asked) {
      EXPECT_EQ(docs[0].story.explanation.rfind("opened: ", 0), 0u) << docs[0].story.explanation;
      EXPECT_EQ(docs[1].story.explanation.rfind("joined: ", 0), 0u) << docs[1].story.explanation;
    } else {
      EXPECT_EQ(docs[0].story.explanation, "");
      EXPECT_EQ(docs[1].story.explanation, "");
    }
  }
}

TEST(StoryStageTest, BadConfigNamesTheKey) {
  YAML::Node node = YAML::Load("{join_threshold: 2}");
  auto c = ParseStoryConfig(node);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("pipeline.story.join_threshold"), std::string::npos);
  EXPECT_FALSE(ParseStoryConfig(YAML::Load("{duplicate_distance: 9}")).ok());
  EXPECT_FALSE(ParseStoryConfig(YAML::Load("{windw_hours: 3}")).ok());
  EXPECT_TRUE(ParseStoryConfig(YAML::Node()).ok());
}

TEST(StoryStageTest, StageWithoutAStoreIsAConfigError) {
  EXPECT_FALSE(StoryStage::Create(YAML::Node(), "pipeline.story", nullptr).ok());
}

}  // namespace
}  // namespace newsflow::story
