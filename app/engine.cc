#include "app/engine.h"

#include <iostream>

#include "processors/core/config.h"
#include "processors/story/story_stage.h"

namespace newsflow::app {

core::Result<TaxonomySettings> ParseTaxonomySettings(const YAML::Node& node) {
  TaxonomySettings s;
  core::ConfigReader r(node, "taxonomy");
  r.Read("path", &s.path, "taxonomy.yaml to load; empty: the built-in default taxonomy.");
  r.Read("watch", &s.watch,
         "Reload when the taxonomy files change (newsflow run; also on SIGHUP).");
  r.Read("watch_interval_ms", &s.watch_interval_ms, "How often to check the files for changes.");
  r.Require(s.watch_interval_ms >= 100, "watch_interval_ms", "must be at least 100");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return s;
}

core::Result<std::unique_ptr<Engine>> BuildEngine(AppConfig config,
                                                  const std::string& taxonomy_override) {
  auto engine = std::make_unique<Engine>();
  engine->config = std::move(config);
  auto settings = ParseTaxonomySettings(engine->config.taxonomy);
  if (!settings.ok()) {
    return core::Status(core::Code::kInvalidConfig, "config",
                        engine->config.origin + ": " + settings.status().message());
  }
  engine->taxonomy_settings = std::move(settings).value();
  if (!taxonomy_override.empty()) engine->taxonomy_settings.path = taxonomy_override;
  NEWSFLOW_ASSIGN_OR_RETURN(std::shared_ptr<const tag::Taxonomy> taxonomy,
                            tag::LoadTaxonomy(engine->taxonomy_settings.path));
  engine->taxonomy = std::make_shared<tag::TaxonomyStore>(std::move(taxonomy));
  {
    const YAML::Node& p = engine->config.pipeline;
    auto story_config = story::ParseStoryConfig(p.IsMap() ? p["story"] : YAML::Node());
    if (!story_config.ok()) {
      return core::Status(core::Code::kInvalidConfig, "config",
                          engine->config.origin + ": " + story_config.status().message());
    }
    if (story_config->store.instance_id.empty()) story_config->store.instance_id = "local";
    engine->stories = std::make_shared<story::StoryStore>(story_config->store);
  }
  NEWSFLOW_RETURN_IF_ERROR(processors::RegisterBuiltinStages(
      engine->registry, {.taxonomy = engine->taxonomy, .stories = engine->stories}));
  auto pipeline = core::Pipeline::Create(engine->registry, engine->config.pipeline);
  if (!pipeline.ok()) {
    return core::Status(core::Code::kInvalidConfig, "config",
                        engine->config.origin + ": " + pipeline.status().message());
  }
  engine->pipeline = std::move(pipeline).value();
  return engine;
}

core::Result<std::unique_ptr<Engine>> BuildEngine(const std::string& config_path,
                                                  const std::string& taxonomy_override) {
  NEWSFLOW_ASSIGN_OR_RETURN(AppConfig config, LoadAppConfig(config_path));
  return BuildEngine(std::move(config), taxonomy_override);
}

std::unique_ptr<Engine> BuildEngineOrReport(const std::string& config_path,
                                            const std::string& taxonomy_override) {
  auto engine = BuildEngine(config_path, taxonomy_override);
  if (!engine.ok()) {
    std::cerr << "newsflow: invalid configuration: " << engine.status().message() << '\n';
    return nullptr;
  }
  return std::move(engine).value();
}

}  // namespace newsflow::app
