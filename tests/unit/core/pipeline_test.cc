#include "processors/core/pipeline.h"

#include <gtest/gtest.h>

#include "processors/core/config.h"

namespace newsflow::core {
namespace {

// A stage that appends its name to the article title, or fails when configured to.
class MarkStage final : public Stage {
 public:
  MarkStage(std::string name, bool fail) : name_(std::move(name)), fail_(fail) {}
  std::string_view Name() const override { return name_; }
  Status Process(Document& doc, const StageContext&) const override {
    if (fail_) return Status(Code::kStageFailure, name_, "configured to fail");
    doc.article.id = "id";
    doc.article.title += name_;
    doc.outputs = {{Output::Kind::kEnriched, "k", doc.article.title}};
    return Status::Ok();
  }

 private:
  std::string name_;
  bool fail_;
};

StageFactory MarkFactory(const std::string& name) {
  return [name](const YAML::Node& node, const std::string& path) -> Result<std::unique_ptr<Stage>> {
    bool fail = false;
    ConfigReader r(node, path);
    r.Read("fail", &fail, "Fail every record.");
    NEWSFLOW_RETURN_IF_ERROR(r.Finish());
    return std::unique_ptr<Stage>(std::make_unique<MarkStage>(name, fail));
  };
}

StageRegistry Registry() {
  StageRegistry r;
  EXPECT_TRUE(r.Add("a", MarkFactory("a")).ok());
  EXPECT_TRUE(r.Add("b", MarkFactory("b")).ok());
  return r;
}

class CountingObserver final : public PipelineObserver {
 public:
  void OnStage(std::string_view stage, std::chrono::nanoseconds, bool ok) override {
    calls.push_back(std::string(stage) + (ok ? ":ok" : ":fail"));
  }
  std::vector<std::string> calls;
};

TEST(PipelineTest, RunsStagesInConfiguredOrder) {
  auto p = Pipeline::Create(Registry(), YAML::Load("{stages: [b, a]}"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  RawRecord rec;
  FixedClock clock(0);
  CountingObserver obs;
  Outcome out = (*p)->Process(rec, {&clock, "test"}, &obs);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out.outputs.size(), 1u);
  EXPECT_EQ(out.outputs[0].value, "ba");
  EXPECT_EQ(out.id, "id");
  EXPECT_EQ(obs.calls, (std::vector<std::string>{"b:ok", "a:ok"}));
}

TEST(PipelineTest, FailingStageStopsTheRecordAndDropsOutputs) {
  auto p = Pipeline::Create(Registry(), YAML::Load("{stages: [a, b], b: {fail: true}}"));
  ASSERT_TRUE(p.ok());
  RawRecord rec;
  FixedClock clock(0);
  Outcome out = (*p)->Process(rec, {&clock, "test"});
  EXPECT_FALSE(out.ok());
  EXPECT_EQ(out.status.stage(), "b");
  EXPECT_TRUE(out.outputs.empty());
}

TEST(PipelineTest, UnknownStageIsAConfigErrorListingKnownOnes) {
  auto p = Pipeline::Create(Registry(), YAML::Load("{stages: [a, nope]}"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "pipeline.nope: unknown stage 'nope' (known: a, b)");
}

TEST(PipelineTest, StageConfigErrorsNameTheStageKey) {
  auto p = Pipeline::Create(Registry(), YAML::Load("{stages: [a], a: {fial: true}}"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "pipeline.a.fial: unknown key");
}

TEST(PipelineTest, SectionForUnlistedStageIsUnknown) {
  auto p = Pipeline::Create(Registry(), YAML::Load("{stages: [a], b: {}}"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "pipeline.b: unknown key");
}

TEST(PipelineTest, DuplicateStageIsRejected) {
  auto p = Pipeline::Create(Registry(), YAML::Load("{stages: [a, a]}"));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("listed twice"), std::string::npos);
}

TEST(StageRegistryTest, DuplicateRegistrationIsAnError) {
  StageRegistry r;
  ASSERT_TRUE(r.Add("a", MarkFactory("a")).ok());
  EXPECT_FALSE(r.Add("a", MarkFactory("a")).ok());
}

TEST(RawRecordTest, FindHeaderIsCaseInsensitive) {
  RawRecord rec;
  rec.headers = {{"Content-Type", "text/plain"}};
  ASSERT_NE(rec.FindHeader("content-type"), nullptr);
  EXPECT_EQ(*rec.FindHeader("content-type"), "text/plain");
  EXPECT_EQ(rec.FindHeader("content-length"), nullptr);
}

}  // namespace
}  // namespace newsflow::core
