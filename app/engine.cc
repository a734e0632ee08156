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

core::Result<AlertSettings> ParseAlertSettings(const YAML::Node& node) {
  AlertSettings s;
  core::ConfigReader r(node, "alerts");
  r.Read("path", &s.path, "Alert rules file; empty: the built-in config/alerts/alerts.yaml.");
  r.Read("watch", &s.watch, "Reload the rules when the file changes (newsflow run; also SIGHUP).");
  r.Read("watch_interval_ms", &s.watch_interval_ms, "How often to check the file for changes.");
  r.Read("max_pairs", &s.max_pairs,
         "(rule, story) pairs whose raised alert levels are remembered (oldest forgotten first).");
  r.Require(s.watch_interval_ms >= 100, "watch_interval_ms", "must be at least 100");
  r.Require(s.max_pairs >= 1, "max_pairs", "must be at least 1");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return s;
}

core::Result<std::unique_ptr<Engine>> BuildEngine(AppConfig config,
                                                  const std::string& taxonomy_override,
                                                  const std::string& alerts_override) {
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
  {
    auto alert_settings = ParseAlertSettings(engine->config.alerts);
    if (!alert_settings.ok()) {
      return core::Status(core::Code::kInvalidConfig, "config",
                          engine->config.origin + ": " + alert_settings.status().message());
    }
    engine->alert_settings = std::move(alert_settings).value();
    if (!alerts_override.empty()) engine->alert_settings.path = alerts_override;
    NEWSFLOW_ASSIGN_OR_RETURN(std::shared_ptr<const alert::AlertRules> rules,
                              alert::LoadAlertRules(engine->alert_settings.path));
    engine->alerts.rules = std::make_shared<alert::AlertRuleStore>(std::move(rules));
    engine->alerts.state =
        std::make_shared<alert::AlertState>(static_cast<size_t>(engine->alert_settings.max_pairs));
    engine->alerts.surges = std::make_shared<alert::SurgeDetector>();
  }
  NEWSFLOW_RETURN_IF_ERROR(processors::RegisterBuiltinStages(
      engine->registry,
      {.taxonomy = engine->taxonomy, .stories = engine->stories, .alerts = engine->alerts}));
  auto pipeline = core::Pipeline::Create(engine->registry, engine->config.pipeline);
  if (!pipeline.ok()) {
    return core::Status(core::Code::kInvalidConfig, "config",
                        engine->config.origin + ": " + pipeline.status().message());
  }
  engine->pipeline = std::move(pipeline).value();
  return engine;
}

core::Result<std::unique_ptr<Engine>> BuildEngine(const std::string& config_path,
                                                  const std::string& taxonomy_override,
                                                  const std::string& alerts_override) {
  NEWSFLOW_ASSIGN_OR_RETURN(AppConfig config, LoadAppConfig(config_path));
  return BuildEngine(std::move(config), taxonomy_override, alerts_override);
}

std::unique_ptr<Engine> BuildEngineOrReport(const std::string& config_path,
                                            const std::string& taxonomy_override,
                                            const std::string& alerts_override) {
  auto engine = BuildEngine(config_path, taxonomy_override, alerts_override);
  if (!engine.ok()) {
    std::cerr << "newsflow: invalid configuration: " << engine.status().message() << '\n';
    return nullptr;
  }
  return std::move(engine).value();
}

}  // namespace newsflow::app
