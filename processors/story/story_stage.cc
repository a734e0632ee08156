#include "processors/story/story_stage.h"

#include "processors/core/config.h"

namespace newsflow::story {

Result<StoryConfig> ParseStoryConfig(const YAML::Node& node, const std::string& path) {
  StoryConfig c;
  StoryStoreConfig& s = c.store;
  core::ConfigReader r(node, path);
  int64_t window_h = s.window_ms / 3600000;
  int64_t lateness_h = s.allowed_lateness_ms / 3600000;
  r.Read("window_hours", &window_h,
         "An article joins a story only within this many hours of the story's first article; "
         "stories close this long (plus the allowed lateness) after it, by event time.");
  r.Read("allowed_lateness_hours", &lateness_h,
         "How far behind the highest event time seen an article may be and still find its "
         "story open.");
  r.Read("max_open", &s.max_open,
         "Open stories kept at most; above it the story that would close first closes early.");
  r.Read("max_fingerprints", &s.max_fingerprints,
         "Near-duplicate fingerprints kept at most (FIFO).");
  r.Read("duplicate_distance", &s.duplicate_distance,
         "Largest SimHash Hamming distance (bits of 64) that makes a near-duplicate (0-3: the "
         "banded index finds every candidate up to 3).");
  r.Read("lead_jaccard", &s.lead_jaccard,
         "Jaccard similarity of the opening's shingle sets that makes a near-duplicate (edited "
         "wire copy); 0 turns the lead-set check off.");
  r.Read("lead_min_shared", &s.lead_min_shared,
         "Shared opening shingles needed besides lead_jaccard.");
  r.Read("join_threshold", &s.join_threshold,
         "Similarity an article needs to join an open story (0-1).");
  r.Read("weight_entities", &s.weight_entities, "Weight of the entity cosine in the similarity.");
  r.Read("weight_topics", &s.weight_topics, "Weight of the topic cosine in the similarity.");
  r.Read("weight_numbers", &s.weight_numbers,
         "Weight of shared numbers (min(1, shared/3)) in the similarity.");
  r.Read("max_postings_scan", &s.max_postings_scan,
         "Most recent open stories looked at per entity of the article (bounds the cost).");
  r.Read("recent_articles", &s.recent_articles,
         "Latest articles remembered per story for the alert rules' story conditions.");
  r.Read("instance_id", &s.instance_id,
         "This instance's writer id in news.stories counters; empty: host name and process id "
         "(newsflow run), \"local\" offline.");
  int64_t shingle = c.signature.shingle_size;
  int64_t min_shingles = c.signature.min_shingles;
  r.Read("shingle_size", &shingle, "Words per SimHash shingle.");
  r.Read("min_shingles", &min_shingles,
         "Articles with fewer shingles get no fingerprint (no near-duplicate detection).");
  r.Read("emit_state", &c.emit_state, "Write each story's new state to the stories output.");
  r.Require(window_h >= 1, "window_hours", "must be at least 1");
  r.Require(lateness_h >= 0, "allowed_lateness_hours", "must not be negative");
  r.Require(s.max_open >= 1, "max_open", "must be at least 1");
  r.Require(s.max_fingerprints >= 1, "max_fingerprints", "must be at least 1");
  r.Require(s.duplicate_distance >= 0 && s.duplicate_distance <= 3, "duplicate_distance",
            "must be between 0 and 3");
  r.Require(s.join_threshold > 0 && s.join_threshold <= 1, "join_threshold", "must be in (0, 1]");
  r.Require(s.lead_jaccard >= 0 && s.lead_jaccard <= 1, "lead_jaccard", "must be in [0, 1]");
  r.Require(s.lead_min_shared >= 1, "lead_min_shared", "must be at least 1");
  r.Require(s.max_candidates >= 1, "max_candidates", "must be at least 1");
  r.Require(s.max_postings_scan >= 1, "max_postings_scan", "must be at least 1");
  r.Require(s.recent_articles >= 1 && s.recent_articles <= 1000, "recent_articles",
            "must be between 1 and 1000");
  r.Require(shingle >= 1 && shingle <= 8, "shingle_size", "must be between 1 and 8");
  r.Require(min_shingles >= 1, "min_shingles", "must be at least 1");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  s.window_ms = window_h * 3600000;
  s.allowed_lateness_ms = lateness_h * 3600000;
  c.signature.shingle_size = static_cast<int>(shingle);
  c.signature.min_shingles = static_cast<int>(min_shingles);
  return c;
}

Result<std::unique_ptr<core::Stage>> StoryStage::Create(const YAML::Node& node,
                                                        const std::string& path,
                                                        std::shared_ptr<StoryStore> store) {
  NEWSFLOW_ASSIGN_OR_RETURN(StoryConfig config, ParseStoryConfig(node, path));
  if (!store) {
    return Status(Code::kInvalidConfig, "config",
                  path + ": the story stage needs a story store (built by the app)");
  }
  return std::unique_ptr<core::Stage>(std::make_unique<StoryStage>(config, std::move(store)));
}

Status StoryStage::Process(core::Document& doc, const core::StageContext& ctx) const {
  if (doc.article.id.empty()) {
    return Status(Code::kInternal, "story", "no article decoded before story");
  }
  thread_local ArticleSignature sig;
  const int64_t now = ctx.clock != nullptr ? ctx.clock->NowMs() : 0;
  ComputeSignature(doc, now, config_.signature, &sig);
  Status status = Apply(sig, doc);
  sig.taxonomy.reset();  // the per-thread signature holds no snapshot between articles
  return status;
}

Status StoryStage::Apply(const ArticleSignature& sig, core::Document& doc) const {
  Assignment a = store_->Assign(sig, config_.emit_state ? StateOutput::kRecord : StateOutput::kNone,
                                &doc.story.recent);
  doc.story_id = a.story_id;
  doc.duplicate_of = std::move(a.duplicate_of);
  doc.story.event_time_ms = sig.event_time_ms;
  doc.story.event_time_basis = sig.time_basis;
  doc.story.article_count = a.article_count;
  doc.story.first_seen_ms = a.first_seen_ms;
  doc.story.opened = a.opened;
  doc.story.explanation = std::move(a.explanation);
  if (config_.emit_state) {
    // (The id moved: a story id is longer than a short string, a copy would allocate.)
    doc.outputs.push_back(
        {schemas::Output::Kind::kStory, std::move(a.story_id), std::move(a.record)});
  }
  return Status::Ok();
}

}  // namespace newsflow::story
