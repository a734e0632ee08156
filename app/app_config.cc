#include "app/app_config.h"

#include "processors/core/config.h"
#include "schemas/embedded.h"

namespace newsflow::app {
namespace embedded {
extern const EmbeddedFile kDefaultConfig[];
extern const std::size_t kDefaultConfig_count;
}  // namespace embedded

std::string_view DefaultConfigText() { return embedded::kDefaultConfig[0].data; }

Result<AppConfig> LoadAppConfig(const std::string& path) {
  AppConfig config;
  YAML::Node root;
  if (path.empty()) {
    config.origin = "<built-in config/newsflow.yaml>";
    root = YAML::Load(std::string(DefaultConfigText()));
  } else {
    config.origin = path;
    NEWSFLOW_RETURN_IF_ERROR(core::LoadYamlFile(path, &root));
  }
  core::ConfigReader reader(root, "");
  config.pipeline = reader.Section("pipeline", "Processing stages and their settings.");
  config.kafka = reader.Section("kafka", "Kafka runtime (newsflow run).");
  config.metrics = reader.Section("metrics", "Metrics and health endpoint.");
  config.taxonomy = reader.Section("taxonomy", "Entities and topics.");
  config.alerts = reader.Section("alerts", "Alert rules.");
  Status status = reader.Finish();
  if (!status.ok()) {
    return Status(Code::kInvalidConfig, "config", config.origin + ": " + status.message());
  }
  // A section the file leaves out is the built-in default's section (a Kafka-only config still
  // gets the full pipeline).
  if (!path.empty()) {
    YAML::Node defaults = YAML::Load(std::string(DefaultConfigText()));
    auto fill = [&](YAML::Node& section, const char* key) {
      if ((!section.IsDefined() || section.IsNull()) && defaults[key].IsDefined()) {
        section = defaults[key];
      }
    };
    fill(config.pipeline, "pipeline");
    fill(config.kafka, "kafka");
    fill(config.metrics, "metrics");
    fill(config.taxonomy, "taxonomy");
    fill(config.alerts, "alerts");
  }
  return config;
}

}  // namespace newsflow::app
