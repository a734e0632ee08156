// `newsflow validate-config FILE` and `newsflow config --dump`.
#include <iostream>

#include "app/app_config.h"
#include "app/commands.h"
#include "app/engine.h"
#include "app/kafka_setup.h"

namespace newsflow::app {

std::unique_ptr<core::Pipeline> BuildPipelineOrReport(const std::string& config_path) {
  std::unique_ptr<Engine> engine = BuildEngineOrReport(config_path);
  if (!engine) return nullptr;
  return std::move(engine->pipeline);
}

namespace {

struct ValidateOptions {
  std::string path;
};

int RunValidate(const ValidateOptions& opt) {
  std::unique_ptr<Engine> engine = BuildEngineOrReport(opt.path);
  if (!engine) return kExitUsage;
  // The kafka: and metrics: sections, env overrides and every librdkafka property.
  Result<KafkaSetup> kafka = LoadKafkaSetup(engine->config);
  if (!kafka.ok()) {
    std::cerr << "newsflow: invalid configuration: " << kafka.status().message() << '\n';
    return kExitUsage;
  }
  const auto taxonomy = engine->taxonomy->Get();
  std::cout << opt.path << ": OK (stages:";
  for (auto name : engine->pipeline->StageNames()) std::cout << ' ' << name;
  std::cout << "; taxonomy " << taxonomy->version() << ": " << taxonomy->entities().size()
            << " entities, " << taxonomy->topics().size() << " topics, "
            << taxonomy->matcher().pattern_count() << " patterns)\n";
  return kExitOk;
}

}  // namespace

Command AddValidateConfigCommand(CLI::App& parent) {
  auto opt = std::make_shared<ValidateOptions>();
  CLI::App* sub = parent.add_subcommand(
      "validate-config", "Check a configuration file without starting anything; exit 0 if valid");
  sub->add_option("file", opt->path, "Configuration file")->required();
  return {sub, [opt] { return RunValidate(*opt); }};
}

Command AddConfigCommand(CLI::App& parent) {
  CLI::App* sub = parent.add_subcommand("config", "Print the built-in default configuration");
  return {sub, [] {
            std::cout << DefaultConfigText();
            return kExitOk;
          }};
}

}  // namespace newsflow::app
