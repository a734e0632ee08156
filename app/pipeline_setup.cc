#include "app/pipeline_setup.h"

#include <iostream>

#include "processors/core/config.h"
#include "processors/story/story_stage.h"

namespace newsflow::app {

Result<TaxonomySettings> ParseTaxonomySettings(const YAML::Node& node) {
  TaxonomySettings s;
  core::ConfigReader r(node, "taxonomy");
  r.Read("path", &s.path, "taxonomy.yaml to load; empty: the built-in default taxonomy.");
  r.Read("snapshot", &s.snapshot,
         "Compiled snapshot (newsflow compile-taxonomy) to load instead of compiling `path`; "
         "one that does not load or was compiled from other files is rejected with a warning.");
  r.Read("cache_dir", &s.cache_dir,
         "Directory of compiled snapshots keyed by the taxonomy's content hash (written after "
         "compiling, loaded when one matches); empty: no cache.");
  r.Read("watch", &s.watch,
         "Reload when the taxonomy files change (newsflow run; also on SIGHUP).");
  r.Read("watch_interval_ms", &s.watch_interval_ms, "How often to check the files for changes.");
  r.Require(s.watch_interval_ms >= 100, "watch_interval_ms", "must be at least 100");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return s;
}

tag::TaxonomyLoadSettings TaxonomyLoadSettingsOf(const TaxonomySettings& settings,
                                                 tag::CompileOptions options) {
  return {.path = settings.path,
          .snapshot = settings.snapshot,
          .cache_dir = settings.cache_dir,
          .options = options};
}

Result<AlertSettings> ParseAlertSettings(const YAML::Node& node) {
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

Result<std::unique_ptr<PipelineSetup>> BuildPipelineSetup(AppConfig config,
                                                          const SetupOverrides& overrides) {
  auto setup = std::make_unique<PipelineSetup>();
  setup->config = std::move(config);
  const std::string& origin = setup->config.origin;
  auto settings = ParseTaxonomySettings(setup->config.taxonomy);
  if (!settings.ok()) {
    return Status(Code::kInvalidConfig, "config", origin + ": " + settings.status().message());
  }
  setup->taxonomy_settings = std::move(settings).value();
  if (!overrides.taxonomy.empty()) {
    // Another taxonomy than the configured one: the configured snapshot is not for it.
    setup->taxonomy_settings.path = overrides.taxonomy;
    setup->taxonomy_settings.snapshot.clear();
  }
  if (!overrides.taxonomy_snapshot.empty()) {
    setup->taxonomy_settings.snapshot = overrides.taxonomy_snapshot;
  }
  NEWSFLOW_ASSIGN_OR_RETURN(tag::LoadedTaxonomy loaded,
                            tag::LoadTaxonomyFast(TaxonomyLoadSettingsOf(
                                setup->taxonomy_settings, overrides.taxonomy_options)));
  for (const auto& warning : loaded.warnings) std::cerr << "newsflow: warning: " << warning << '\n';
  setup->taxonomy = std::make_shared<tag::TaxonomyStore>(std::move(loaded.taxonomy));
  setup->taxonomy_origin = std::move(loaded.origin);
  setup->taxonomy_warnings = std::move(loaded.warnings);

  const YAML::Node& p = setup->config.pipeline;
  auto story_config = story::ParseStoryConfig(p.IsMap() ? p["story"] : YAML::Node());
  if (!story_config.ok()) {
    return Status(Code::kInvalidConfig, "config", origin + ": " + story_config.status().message());
  }
  if (story_config->store.instance_id.empty()) story_config->store.instance_id = "local";
  story_config->store.explain = overrides.story_explanations;
  setup->stories = std::make_shared<story::StoryStore>(story_config->store);

  auto alert_settings = ParseAlertSettings(setup->config.alerts);
  if (!alert_settings.ok()) {
    return Status(Code::kInvalidConfig, "config",
                  origin + ": " + alert_settings.status().message());
  }
  setup->alert_settings = std::move(alert_settings).value();
  if (!overrides.alerts.empty()) setup->alert_settings.path = overrides.alerts;
  NEWSFLOW_ASSIGN_OR_RETURN(std::shared_ptr<const alert::AlertRules> rules,
                            alert::LoadAlertRules(setup->alert_settings.path));
  setup->alerts.rules = std::make_shared<alert::AlertRuleStore>(std::move(rules));
  setup->alerts.state =
      std::make_shared<alert::AlertState>(static_cast<size_t>(setup->alert_settings.max_pairs));
  setup->alerts.surges = std::make_shared<alert::SurgeDetector>();

  NEWSFLOW_RETURN_IF_ERROR(processors::RegisterBuiltinStages(
      setup->registry,
      {.taxonomy = setup->taxonomy, .stories = setup->stories, .alerts = setup->alerts}));
  auto pipeline = core::Pipeline::Create(setup->registry, setup->config.pipeline);
  if (!pipeline.ok()) {
    return Status(Code::kInvalidConfig, "config", origin + ": " + pipeline.status().message());
  }
  setup->pipeline = std::move(pipeline).value();
  return setup;
}

Result<std::unique_ptr<PipelineSetup>> BuildPipelineSetup(const std::string& config_path,
                                                          const SetupOverrides& overrides) {
  NEWSFLOW_ASSIGN_OR_RETURN(AppConfig config, LoadAppConfig(config_path));
  return BuildPipelineSetup(std::move(config), overrides);
}

std::unique_ptr<PipelineSetup> BuildPipelineSetupOrReport(const std::string& config_path,
                                                          const SetupOverrides& overrides) {
  auto setup = BuildPipelineSetup(config_path, overrides);
  if (!setup.ok()) {
    std::cerr << "newsflow: invalid configuration: " << setup.status().message() << '\n';
    return nullptr;
  }
  return std::move(setup).value();
}

}  // namespace newsflow::app
