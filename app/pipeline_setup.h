// PipelineSetup: everything a command needs to process records, built from one configuration:
// the taxonomy store, the story store, the alert rules and state, the stage registry and the
// pipeline. `process`, `run`, `demo`, `explain`, `eval`, `fit`, the golden tests and the
// benchmarks all build their pipeline here, so they run the same code on the same
// configuration.
//
// Lifetime: the pipeline's stages hold shared references to the taxonomy, story and alert
// stores; keep the PipelineSetup (or at least the pipeline) alive while records are processed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/app_config.h"
#include "processors/builtin.h"
#include "processors/core/pipeline.h"
#include "processors/core/registry.h"
#include "processors/tag/snapshot.h"
#include "processors/tag/taxonomy.h"

namespace newsflow::app {

struct TaxonomySettings {
  std::string path;  // taxonomy.yaml on disk; empty = the built-in default
  // A compiled snapshot (`newsflow compile-taxonomy`) to load instead of compiling `path`;
  // rejected (with a warning, then `path` is compiled) when it does not load or was compiled
  // from other files. See processors/tag/snapshot.h.
  std::string snapshot;
  // A directory of compiled snapshots keyed by the taxonomy's content hash: loaded when one
  // matches, written after compiling otherwise. Empty: no cache.
  std::string cache_dir;
  bool watch = true;  // reload when the files change (and on SIGHUP) in `run`
  int64_t watch_interval_ms = 2000;
};

Result<TaxonomySettings> ParseTaxonomySettings(const YAML::Node& node);

struct AlertSettings {
  std::string path;  // rules file on disk; empty = the built-in config/alerts/alerts.yaml
  bool watch = true;
  int64_t watch_interval_ms = 2000;
  int64_t max_pairs = 500000;
};

Result<AlertSettings> ParseAlertSettings(const YAML::Node& node);

struct PipelineSetup {
  AppConfig config;
  TaxonomySettings taxonomy_settings;
  std::shared_ptr<tag::TaxonomyStore> taxonomy;
  // Where the taxonomy came from ("yaml", "snapshot FILE", "cache FILE") and the warnings of
  // loading it (a snapshot rejected, a cache entry not written); already printed on stderr.
  std::string taxonomy_origin;
  std::vector<std::string> taxonomy_warnings;
  // Story state (processors/story), from `pipeline.story`; shared by the story stage.
  std::shared_ptr<story::StoryStore> stories;
  // Alert rules and state (processors/alert), from `alerts`; shared by the alert stage.
  AlertSettings alert_settings;
  alert::AlertServices alerts;
  core::StageRegistry registry;
  std::unique_ptr<core::Pipeline> pipeline;
};

// What a command may change of the configuration it builds from.
struct SetupOverrides {
  std::string taxonomy;                  // replaces taxonomy.path when not empty (--taxonomy)
  std::string alerts;                    // replaces alerts.path when not empty (--alert-rules)
  tag::CompileOptions taxonomy_options;  // see tag::CompileOptions (eval and fit ignore the
                                         // calibration file)
  // Replaces taxonomy.snapshot when not empty (--taxonomy-snapshot); checked against the
  // taxonomy in use (taxonomy.path or `taxonomy` above) like a configured one.
  std::string taxonomy_snapshot = {};  // (= {}: may be left out of designated initializers)
  // The story store writes why each article joined or opened its story (story::
  // StoryStoreConfig::explain): `explain` and `eval` print it; nothing else reads it.
  bool story_explanations = false;
};

// How the taxonomy of `settings` is loaded (tag::LoadTaxonomyFast), also for hot reload.
tag::TaxonomyLoadSettings TaxonomyLoadSettingsOf(const TaxonomySettings& settings,
                                                 tag::CompileOptions options = {});

// Builds from a loaded config.
Result<std::unique_ptr<PipelineSetup>> BuildPipelineSetup(AppConfig config,
                                                          const SetupOverrides& overrides = {});
// Loads the config file (empty = built-in) and builds.
Result<std::unique_ptr<PipelineSetup>> BuildPipelineSetup(const std::string& config_path,
                                                          const SetupOverrides& overrides = {});
// BuildPipelineSetup(), printing the error to stderr and returning null on failure.
std::unique_ptr<PipelineSetup> BuildPipelineSetupOrReport(const std::string& config_path,
                                                          const SetupOverrides& overrides = {});

}  // namespace newsflow::app
