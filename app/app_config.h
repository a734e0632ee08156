// The configuration file: one YAML document whose top-level sections belong to the parts of
// newsflow. The app only splits it; each part parses its own section with core::ConfigReader,
// so every error names the full key path.
//
//   pipeline:  processors (see processors/core/pipeline.h)
//   kafka:     the Kafka runtime (consumers/)
//   metrics:   the metrics/health HTTP endpoint
//   taxonomy:  entity and topic definitions
//   alerts:    alert rules file (processors/alert, config/alerts/)
//
// With no --config, the compiled-in config/newsflow.yaml is used; a file that leaves a section
// out gets that section from it.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "schemas/result.h"

namespace newsflow::app {

struct AppConfig {
  std::string origin;  // file path, or "<built-in config/newsflow.yaml>"
  YAML::Node pipeline;
  YAML::Node kafka;
  YAML::Node metrics;
  YAML::Node taxonomy;
  YAML::Node alerts;
};

// Loads `path`, or the built-in default when empty. Unknown top-level keys are errors.
Result<AppConfig> LoadAppConfig(const std::string& path);

// The text of the built-in default configuration.
std::string_view DefaultConfigText();

}  // namespace newsflow::app
