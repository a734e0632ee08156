// `newsflow validate-config FILE` and `newsflow config --dump`.
#include <iostream>

#include "app/app_config.h"
#include "app/commands.h"
#include "app/kafka_setup.h"
#include "app/pipeline_setup.h"

namespace newsflow::app {

namespace {

struct ValidateOptions {
  std::string path;
};

int RunValidate(const ValidateOptions& opt) {
  std::unique_ptr<PipelineSetup> pipeline_setup = BuildPipelineSetupOrReport(opt.path);
  if (!pipeline_setup) return kExitUsage;
  // The kafka: and metrics: sections, env overrides and every librdkafka property.
  Result<KafkaSetup> kafka = LoadKafkaSetup(pipeline_setup->config);
  if (!kafka.ok()) {
    std::cerr << "newsflow: invalid configuration: " << kafka.status().message() << '\n';
    return kExitUsage;
  }
  const auto taxonomy = pipeline_setup->taxonomy->Get();
  std::cout << opt.path << ": OK (stages:";
  for (auto name : pipeline_setup->pipeline->StageNames()) std::cout << ' ' << name;
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
