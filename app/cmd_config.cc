// `newsflow validate-config FILE` and `newsflow config --dump`.
#include <iostream>

#include "app/app_config.h"
#include "app/commands.h"
#include "processors/builtin.h"

namespace newsflow::app {

const core::StageRegistry& BuiltinRegistry() {
  static const core::StageRegistry registry = [] {
    core::StageRegistry r;
    core::Status status = processors::RegisterBuiltinStages(r);
    if (!status.ok()) {
      std::cerr << "newsflow: " << status.ToString() << '\n';
      std::abort();
    }
    return r;
  }();
  return registry;
}

std::unique_ptr<core::Pipeline> BuildPipelineOrReport(const std::string& config_path) {
  core::Result<AppConfig> config = LoadAppConfig(config_path);
  if (!config.ok()) {
    std::cerr << "newsflow: invalid configuration: " << config.status().message() << '\n';
    return nullptr;
  }
  auto pipeline = core::Pipeline::Create(BuiltinRegistry(), config->pipeline);
  if (!pipeline.ok()) {
    std::cerr << "newsflow: invalid configuration: " << config->origin << ": "
              << pipeline.status().message() << '\n';
    return nullptr;
  }
  return std::move(pipeline).value();
}

namespace {

struct ValidateOptions {
  std::string path;
};

int RunValidate(const ValidateOptions& opt) {
  std::unique_ptr<core::Pipeline> pipeline = BuildPipelineOrReport(opt.path);
  if (!pipeline) return kExitUsage;
  std::cout << opt.path << ": OK (stages:";
  for (auto name : pipeline->StageNames()) std::cout << ' ' << name;
  std::cout << ")\n";
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
