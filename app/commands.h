// The CLI subcommands. Each Add*Command() declares its options on `parent` and returns the
// subcommand plus the action main() runs when it was chosen. Actions return the exit code:
// 0 success, 1 runtime failure, 2 usage or configuration error.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "processors/core/config.h"
#include "processors/core/pipeline.h"
#include "processors/core/registry.h"

namespace newsflow::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  CLI::App* subcommand = nullptr;
  std::function<int()> action;
};

Command AddProcessCommand(CLI::App& parent);
Command AddValidateConfigCommand(CLI::App& parent);
Command AddConfigCommand(CLI::App& parent);
Command AddExplainCommand(CLI::App& parent);  // app/cmd_explain.cc
Command AddEvalCommand(CLI::App& parent);     // app/cmd_eval.cc
Command AddFitCommand(CLI::App& parent);      // app/cmd_eval.cc
Command AddRunCommand(CLI::App& parent);      // app/cmd_run.cc: the Kafka runtime
Command AddDemoCommand(CLI::App& parent);     // app/cmd_demo.cc: runtime on an in-process broker
// app/cmd_compile_taxonomy.cc: the compiled snapshot of a taxonomy (processors/tag/snapshot.h)
Command AddCompileTaxonomyCommand(CLI::App& parent);

// Every configuration option (dotted path, type, built-in value, description), sorted by
// path, collected from the option tables while the built-in configuration is read
// (`newsflow config --dump`).
Result<std::vector<core::ConfigFieldDoc>> DumpConfigFields();

// Version string, e.g. "0.1.0".
std::string_view Version();

}  // namespace newsflow::app
