// `newsflow validate-config FILE` and `newsflow config --dump`.
#include <algorithm>
#include <iostream>
#include <memory>
#include <vector>

#include "app/app_config.h"
#include "app/commands.h"
#include "app/kafka_setup.h"
#include "app/pipeline_setup.h"
#include "processors/core/config.h"

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
  auto dump = std::make_shared<bool>(false);
  CLI::App* sub = parent.add_subcommand(
      "config", "Print the built-in default configuration (YAML, every key commented)");
  sub->add_flag("--dump", *dump,
                "Print every option instead: dotted path, type, default and description, from "
                "the option tables the configuration is read with");
  return {sub, [dump] {
            if (!*dump) {
              std::cout << DefaultConfigText();
              return kExitOk;
            }
            Result<std::vector<core::ConfigFieldDoc>> fields = DumpConfigFields();
            if (!fields.ok()) {
              std::cerr << "newsflow config: " << fields.status().message() << '\n';
              return kExitFailure;
            }
            for (const auto& f : *fields) {
              if (f.type == "section") {
                std::cout << '\n' << f.path << ":  " << f.description << '\n';
                continue;
              }
              std::cout << "  " << f.path << " (" << f.type << ") = " << f.value << "\n      "
                        << f.description << '\n';
            }
            return kExitOk;
          }};
}

Result<std::vector<core::ConfigFieldDoc>> DumpConfigFields() {
  core::ConfigDocs docs;
  NEWSFLOW_ASSIGN_OR_RETURN(AppConfig config, LoadAppConfig(""));
  NEWSFLOW_ASSIGN_OR_RETURN(std::unique_ptr<PipelineSetup> setup, BuildPipelineSetup(config));
  // The built-in values, not this machine's NEWSFLOW_* environment.
  const consumers::GetEnv no_environment = [](const char*) -> const char* { return nullptr; };
  NEWSFLOW_ASSIGN_OR_RETURN(KafkaSetup kafka, LoadKafkaSetup(config, no_environment));
  std::vector<core::ConfigFieldDoc> fields = docs.fields();
  std::stable_sort(fields.begin(), fields.end(),
                   [](const auto& a, const auto& b) { return a.path < b.path; });
  // A section read twice (pipeline.story: by the story store and by its stage) lists once.
  fields.erase(std::unique(fields.begin(), fields.end(),
                           [](const auto& a, const auto& b) { return a.path == b.path; }),
               fields.end());
  return fields;
}

}  // namespace newsflow::app
