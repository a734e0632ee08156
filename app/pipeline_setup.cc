#include "app/pipeline_setup.h"

#include <iostream>

#include "processors/core/config.h"

namespace newsflow::app {

Result<TaxonomySettings> ParseTaxonomySettings(const YAML::Node& node) {
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

Result<std::unique_ptr<PipelineSetup>> BuildPipelineSetup(AppConfig config,
                                                          const std::string& taxonomy_override,
                                                          tag::CompileOptions taxonomy_options) {
  auto pipeline_setup = std::make_unique<PipelineSetup>();
  pipeline_setup->config = std::move(config);
  auto settings = ParseTaxonomySettings(pipeline_setup->config.taxonomy);
  if (!settings.ok()) {
    return Status(Code::kInvalidConfig, "config",
                  pipeline_setup->config.origin + ": " + settings.status().message());
  }
  pipeline_setup->taxonomy_settings = std::move(settings).value();
  if (!taxonomy_override.empty()) pipeline_setup->taxonomy_settings.path = taxonomy_override;
  NEWSFLOW_ASSIGN_OR_RETURN(std::shared_ptr<const tag::Taxonomy> taxonomy,
                            tag::LoadTaxonomy(pipeline_setup->taxonomy_settings.path, taxonomy_options));
  pipeline_setup->taxonomy = std::make_shared<tag::TaxonomyStore>(std::move(taxonomy));
  NEWSFLOW_RETURN_IF_ERROR(processors::RegisterBuiltinStages(
      pipeline_setup->registry, {.taxonomy = pipeline_setup->taxonomy}));
  auto pipeline = core::Pipeline::Create(pipeline_setup->registry, pipeline_setup->config.pipeline);
  if (!pipeline.ok()) {
    return Status(Code::kInvalidConfig, "config",
                  pipeline_setup->config.origin + ": " + pipeline.status().message());
  }
  pipeline_setup->pipeline = std::move(pipeline).value();
  return pipeline_setup;
}

Result<std::unique_ptr<PipelineSetup>> BuildPipelineSetup(const std::string& config_path,
                                                          const std::string& taxonomy_override,
                                                          tag::CompileOptions taxonomy_options) {
  NEWSFLOW_ASSIGN_OR_RETURN(AppConfig config, LoadAppConfig(config_path));
  return BuildPipelineSetup(std::move(config), taxonomy_override, taxonomy_options);
}

std::unique_ptr<PipelineSetup> BuildPipelineSetupOrReport(const std::string& config_path,
                                                          const std::string& taxonomy_override,
                                                          tag::CompileOptions taxonomy_options) {
  auto pipeline_setup = BuildPipelineSetup(config_path, taxonomy_override, taxonomy_options);
  if (!pipeline_setup.ok()) {
    std::cerr << "newsflow: invalid configuration: " << pipeline_setup.status().message() << '\n';
    return nullptr;
  }
  return std::move(pipeline_setup).value();
}

}  // namespace newsflow::app
