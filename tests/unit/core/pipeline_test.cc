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
    doc.outputs = {{schemas::Output::Kind::kEnriched, "k", doc.article.title}};
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
  schemas::RawRecord rec;
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
  schemas::RawRecord rec;
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

TEST(PipelineTest, EachRecordStartsFromAFreshDocument) {
  // Process() reuses one Document per thread: nothing of a record may reach the next one.
  auto pipeline = Pipeline::Create(Registry(), YAML::Load("stages: [a, b]"));
  ASSERT_TRUE(pipeline.ok());
  schemas::RawRecord first;
  first.value = "x";
  schemas::RawRecord second;
  second.value = "y";
  const StageContext ctx{nullptr, "test"};
  for (int i = 0; i < 3; ++i) {
    Outcome out = (*pipeline)->Process(i == 1 ? second : first, ctx);
    ASSERT_TRUE(out.ok());
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].value, "ab");
  }
}

class SnapshotStage final : public Stage {
 public:
  explicit SnapshotStage(std::shared_ptr<const Snapshot> snapshot)
      : snapshot_(std::move(snapshot)) {}
  std::string_view Name() const override { return "snapshot"; }
  Status Process(Document& doc, const StageContext&) const override {
    doc.taxonomy = snapshot_;
    return Status::Ok();
  }

 private:
  std::shared_ptr<const Snapshot> snapshot_;
};

class FixedSnapshot final : public Snapshot {
 public:
  const std::string& version() const override { return version_; }

 private:
  std::string version_ = "v1";
};

TEST(PipelineTest, DoesNotHoldTheRecordsSnapshotAfterProcess) {
  auto snapshot = std::make_shared<const FixedSnapshot>();
  StageRegistry registry;
  ASSERT_TRUE(
      registry
          .Add("snapshot",
               [snapshot](const YAML::Node&, const std::string&) -> Result<std::unique_ptr<Stage>> {
                 return std::unique_ptr<Stage>(std::make_unique<SnapshotStage>(snapshot));
               })
          .ok());
  auto pipeline = Pipeline::Create(registry, YAML::Load("stages: [snapshot]"));
  ASSERT_TRUE(pipeline.ok());
  const long before = snapshot.use_count();  // the test's, the factory's, the stage's
  schemas::RawRecord record;
  (*pipeline)->Process(record, StageContext{nullptr, "test"});
  // The record's reference is gone: a reload can free an old taxonomy.
  EXPECT_EQ(snapshot.use_count(), before);
}

TEST(DocumentTest, ResetEqualsANewDocument) {
  schemas::RawRecord a;
  schemas::RawRecord b;
  Document doc(a);
  doc.article.id = "id";
  doc.article.id_source = schemas::IdSource::kContent;
  doc.article.url = doc.article.source = doc.article.title = doc.article.body = "x";
  doc.article.published = doc.article.language = doc.article.fetched_at = "x";
  doc.article.content_type = "text/html";
  doc.article.extra_json = "{}";
  doc.normalized = true;
  doc.title = doc.body = doc.lead = "x";
  doc.keywords = {"k"};
  doc.related = {"r"};
  doc.word_count = 3;
  doc.language = {"ar", 0.9, "Arab"};
  doc.published_at_ms = 5;
  doc.published_raw = "x";
  doc.token_text = "x";
  doc.tokens.resize(2);
  doc.token_hashes.resize(2);
  doc.taxonomy = std::make_shared<const FixedSnapshot>();
  doc.hits.resize(2);
  doc.topics.resize(1);
  doc.entities.resize(1);
  doc.taxonomy_version = "v";
  doc.story_id = doc.duplicate_of = "s";
  doc.story.event_time_ms = 7;
  doc.story.recent.resize(2);
  doc.story.explanation = "x";
  doc.outputs.resize(1);
  doc.Reset(b);

  const Document fresh(b);
  EXPECT_EQ(doc.raw, fresh.raw);
  EXPECT_EQ(doc.article.id, fresh.article.id);
  EXPECT_EQ(doc.article.id_source, fresh.article.id_source);
  EXPECT_EQ(doc.article.url, fresh.article.url);
  EXPECT_EQ(doc.article.source, fresh.article.source);
  EXPECT_EQ(doc.article.title, fresh.article.title);
  EXPECT_EQ(doc.article.body, fresh.article.body);
  EXPECT_EQ(doc.article.published, fresh.article.published);
  EXPECT_EQ(doc.article.language, fresh.article.language);
  EXPECT_EQ(doc.article.content_type, fresh.article.content_type);
  EXPECT_EQ(doc.article.fetched_at, fresh.article.fetched_at);
  EXPECT_EQ(doc.article.extra_json, fresh.article.extra_json);
  EXPECT_EQ(doc.normalized, fresh.normalized);
  EXPECT_EQ(doc.title, fresh.title);
  EXPECT_EQ(doc.body, fresh.body);
  EXPECT_EQ(doc.lead, fresh.lead);
  EXPECT_EQ(doc.keywords, fresh.keywords);
  EXPECT_EQ(doc.related, fresh.related);
  EXPECT_EQ(doc.word_count, fresh.word_count);
  EXPECT_EQ(doc.language.code, fresh.language.code);
  EXPECT_EQ(doc.language.confidence, fresh.language.confidence);
  EXPECT_EQ(doc.language.script, fresh.language.script);
  EXPECT_EQ(doc.published_at_ms, fresh.published_at_ms);
  EXPECT_EQ(doc.published_raw, fresh.published_raw);
  EXPECT_EQ(doc.token_text, fresh.token_text);
  EXPECT_EQ(doc.tokens.size(), fresh.tokens.size());
  EXPECT_EQ(doc.token_hashes.size(), fresh.token_hashes.size());
  EXPECT_EQ(doc.taxonomy, fresh.taxonomy);
  EXPECT_EQ(doc.hits.size(), fresh.hits.size());
  EXPECT_EQ(doc.topics.size(), fresh.topics.size());
  EXPECT_EQ(doc.entities.size(), fresh.entities.size());
  EXPECT_EQ(doc.taxonomy_version, fresh.taxonomy_version);
  EXPECT_EQ(doc.story_id, fresh.story_id);
  EXPECT_EQ(doc.duplicate_of, fresh.duplicate_of);
  EXPECT_EQ(doc.story.event_time_ms, fresh.story.event_time_ms);
  EXPECT_EQ(doc.story.recent.size(), fresh.story.recent.size());
  EXPECT_EQ(doc.story.explanation, fresh.story.explanation);
  EXPECT_EQ(doc.outputs.size(), fresh.outputs.size());
  // Listed field by field above; a field added to Document changes its size: list it there, in
  // Document::Reset, and update this figure.
  EXPECT_EQ(sizeof(Document), 1032u);
}

TEST(StageRegistryTest, DuplicateRegistrationIsAnError) {
  StageRegistry r;
  ASSERT_TRUE(r.Add("a", MarkFactory("a")).ok());
  EXPECT_FALSE(r.Add("a", MarkFactory("a")).ok());
}

TEST(RawRecordTest, FindHeaderIsCaseInsensitive) {
  schemas::RawRecord rec;
  rec.headers = {{"Content-Type", "text/plain"}};
  ASSERT_NE(rec.FindHeader("content-type"), nullptr);
  EXPECT_EQ(*rec.FindHeader("content-type"), "text/plain");
  EXPECT_EQ(rec.FindHeader("content-length"), nullptr);
}

}  // namespace
}  // namespace newsflow::core
