// Engine: everything a command needs to process records, built from one configuration:
// the taxonomy store, the stage registry and the pipeline. `process`, `run`, `demo`,
// `explain`, `eval` and the golden tests all build their pipeline here, so they run the same
// code on the same configuration.
//
// Lifetime: the pipeline's stages hold shared references to the taxonomy store; keep the
// Engine (or at least the pipeline) alive while records are processed.
#pragma once

#include <memory>
#include <string>

#include "app/app_config.h"
#include "processors/builtin.h"
#include "processors/core/pipeline.h"
#include "processors/core/registry.h"
#include "processors/tag/taxonomy.h"

namespace newsflow::app {

struct TaxonomySettings {
  std::string path;   // taxonomy.yaml on disk; empty = the built-in default
  bool watch = true;  // reload when the files change (and on SIGHUP) in `run`
  int64_t watch_interval_ms = 2000;
};

core::Result<TaxonomySettings> ParseTaxonomySettings(const YAML::Node& node);

struct AlertSettings {
  std::string path;  // rules file on disk; empty = the built-in config/alerts/alerts.yaml
  bool watch = true;
  int64_t watch_interval_ms = 2000;
  int64_t max_pairs = 500000;
};

core::Result<AlertSettings> ParseAlertSettings(const YAML::Node& node);

struct Engine {
  AppConfig config;
  TaxonomySettings taxonomy_settings;
  std::shared_ptr<tag::TaxonomyStore> taxonomy;
  // Story state (processors/story), from `pipeline.story`; shared by the story stage.
  std::shared_ptr<story::StoryStore> stories;
  // Alert rules and state (processors/alert), from `alerts`; shared by the alert stage.
  AlertSettings alert_settings;
  alert::AlertServices alerts;
  core::StageRegistry registry;
  std::unique_ptr<core::Pipeline> pipeline;
};

// Builds from a loaded config. `taxonomy_override` (if non-empty) replaces taxonomy.path,
// `alerts_override` alerts.path.
core::Result<std::unique_ptr<Engine>> BuildEngine(AppConfig config,
                                                  const std::string& taxonomy_override = "",
                                                  const std::string& alerts_override = "");
// Loads the config file (empty = built-in) and builds.
core::Result<std::unique_ptr<Engine>> BuildEngine(const std::string& config_path,
                                                  const std::string& taxonomy_override = "",
                                                  const std::string& alerts_override = "");
// BuildEngine(), printing the error to stderr and returning null on failure.
std::unique_ptr<Engine> BuildEngineOrReport(const std::string& config_path,
                                            const std::string& taxonomy_override = "",
                                            const std::string& alerts_override = "");

}  // namespace newsflow::app
