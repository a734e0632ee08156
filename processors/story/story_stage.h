// Story stage: assigns every article to a story and recognises near-duplicates.
//
// Runs after score (it reads entities, topics and tokens). Per article it computes the
// signature (signature.h: SimHash, exact text hash, entities, topics, numbers) without any
// lock, then calls StoryStore::Assign(), which holds the store's mutex for the lookup and
// update only. It fills doc.story_id, doc.duplicate_of and doc.story (count, first seen,
// recent articles, explanation), and appends one schemas::Output{kStory} (key = story id, value
// = the story's new state as story.v1 JSON) for the news.stories topic.
//
// The store is shared state owned by the app's Engine (shared_ptr): Process() is const and
// safe to call from any number of worker threads; its only synchronisation is the store's.
// Event time: published_at, else the Kafka timestamp, else ctx.clock (processing time).
//
// Configuration, section `pipeline.story` (see README.md for the table) is parsed by
// ParseStoryConfig(), which the Engine calls to build the store before the pipeline.
#pragma once

#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "processors/core/stage.h"
#include "processors/story/signature.h"
#include "processors/story/story_store.h"
#include "schemas/result.h"

namespace newsflow::story {

struct StoryConfig {
  StoryStoreConfig store;
  SignatureOptions signature;
  bool emit_state = true;  // append the story.v1 output
};

// Parses `pipeline.story` (may be undefined: all defaults).
Result<StoryConfig> ParseStoryConfig(const YAML::Node& node,
                                     const std::string& path = "pipeline.story");

class StoryStage final : public core::Stage {
 public:
  // `store` is required (built by the app from the same config section).
  static Result<std::unique_ptr<core::Stage>> Create(const YAML::Node& node,
                                                     const std::string& path,
                                                     std::shared_ptr<StoryStore> store);
  StoryStage(StoryConfig config, std::shared_ptr<StoryStore> store)
      : config_(std::move(config)), store_(std::move(store)) {}

  std::string_view Name() const override { return "story"; }
  Status Process(core::Document& doc, const core::StageContext& ctx) const override;

  // The second half of Process (which is ComputeSignature + Apply): assigns the article with
  // this signature to a story and writes the result into `doc`. Public for the benchmark
  // (bench/story_bench.cc), which gives each pass over its corpus new fingerprints.
  Status Apply(const ArticleSignature& sig, core::Document& doc) const;

  const SignatureOptions& signature_options() const { return config_.signature; }

  const std::shared_ptr<StoryStore>& store() const { return store_; }

 private:
  StoryConfig config_;
  std::shared_ptr<StoryStore> store_;
};

}  // namespace newsflow::story
