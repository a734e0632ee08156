// `newsflow process [FILE...]`: offline mode. See app/offline.h.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "app/app_config.h"
#include "app/commands.h"
#include "app/engine.h"
#include "app/offline.h"
#include "schemas/text.h"

namespace newsflow::app {
namespace {

struct ProcessOptions {
  std::vector<std::string> inputs;
  std::string config_path;
  std::string taxonomy;
  std::string dead_letter_path;
  std::string format = "auto";
  std::string processed_at;
  bool quiet = false;
};

int RunProcess(const ProcessOptions& opt) {
  std::unique_ptr<Engine> engine = BuildEngineOrReport(opt.config_path, opt.taxonomy);
  if (!engine) return kExitUsage;
  const core::Pipeline* pipeline = engine->pipeline.get();

  std::unique_ptr<core::Clock> clock;
  if (!opt.processed_at.empty()) {
    const std::optional<int64_t> ms = schemas::ParseRfc3339(opt.processed_at);
    if (!ms) {
      std::cerr << "newsflow process: --processed-at: expected an RFC 3339 time such as "
                   "2026-01-01T00:00:00Z, got '"
                << opt.processed_at << "'\n";
      return kExitUsage;
    }
    clock = std::make_unique<core::FixedClock>(*ms);
  } else {
    clock = std::make_unique<core::SystemClock>();
  }

  InputKind kind = InputKind::kAuto;
  if (opt.format == "jsonl") kind = InputKind::kJsonLines;
  if (opt.format == "text") kind = InputKind::kText;
  if (opt.format == "html") kind = InputKind::kHtml;

  std::vector<std::string> inputs = opt.inputs;
  if (inputs.empty()) inputs.push_back("-");
  for (const auto& path : inputs) {
    if (path == "-") continue;
    std::ifstream probe(path, std::ios::binary);
    if (!probe) {
      std::cerr << "newsflow process: cannot open input '" << path << "'\n";
      return kExitUsage;
    }
  }

  std::ofstream dead_letter_file;
  if (!opt.dead_letter_path.empty()) {
    dead_letter_file.open(opt.dead_letter_path, std::ios::binary | std::ios::trunc);
    if (!dead_letter_file) {
      std::cerr << "newsflow process: cannot write dead letters to '" << opt.dead_letter_path
                << "'\n";
      return kExitUsage;
    }
  }

  std::ios::sync_with_stdio(false);
  const core::StageContext ctx{clock.get(), Version()};
  OfflineRunner runner(*pipeline, ctx, std::cout,
                       opt.dead_letter_path.empty() ? nullptr : &dead_letter_file, std::cerr);
  const auto start = std::chrono::steady_clock::now();
  for (const auto& path : inputs) {
    Status status = runner.ProcessPath(path, kind);
    if (!status.ok()) {
      std::cerr << "newsflow process: " << status.message() << '\n';
      return kExitFailure;
    }
  }
  std::cout.flush();
  dead_letter_file.flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const OfflineStats& s = runner.stats();
  if (!opt.quiet) {
    char line[256];
    std::snprintf(line, sizeof(line),
                  "newsflow process: read %lld, enriched %lld, dead-lettered %lld "
                  "(blank lines skipped %lld) in %.3f s, %.0f records/s\n",
                  static_cast<long long>(s.read), static_cast<long long>(s.enriched),
                  static_cast<long long>(s.dead_lettered), static_cast<long long>(s.blank_lines),
                  seconds, seconds > 0 ? static_cast<double>(s.read) / seconds : 0.0);
    std::cerr << line;
  }
  if (!std::cout || (!opt.dead_letter_path.empty() && !dead_letter_file)) {
    std::cerr << "newsflow process: write error\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Command AddProcessCommand(CLI::App& parent) {
  auto opt = std::make_shared<ProcessOptions>();
  CLI::App* sub = parent.add_subcommand(
      "process",
      "Run the pipeline over JSON Lines or plain-text article files (or stdin) and write "
      "enriched events as JSON Lines to stdout.");
  sub->add_option("files", opt->inputs,
                  "Input files: .jsonl (one article per line), .txt (one article per file), "
                  ".html; '-' or none for stdin");
  sub->add_option("-c,--config", opt->config_path, "Configuration file (default: built-in)");
  sub->add_option("--taxonomy", opt->taxonomy,
                  "taxonomy.yaml to use instead of the configured one (try rules offline)");
  sub->add_option("--dead-letter", opt->dead_letter_path,
                  "Write rejected records here (JSON Lines, schemas/dead_letter.v1); without it "
                  "each is reported on stderr");
  sub->add_option("--format", opt->format, "Input format: auto, jsonl, text or html")
      ->check(CLI::IsMember({"auto", "jsonl", "text", "html"}))
      ->capture_default_str();
  sub->add_option("--processed-at", opt->processed_at,
                  "Stamp this RFC 3339 UTC time as provenance.processed_at instead of the clock "
                  "(reproducible output)");
  sub->add_flag("-q,--quiet", opt->quiet, "Do not print the summary line");
  return {sub, [opt] { return RunProcess(*opt); }};
}

}  // namespace newsflow::app
