// `newsflow process [FILE...]`: offline mode. See app/offline.h.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "app/app_config.h"
#include "app/commands.h"
#include "app/engine.h"
#include "app/offline.h"

namespace newsflow::app {
namespace {

struct ProcessOptions {
  std::vector<std::string> inputs;
  std::string config_path;
  std::string taxonomy;
  std::string dead_letter_path;
  std::string format = "auto";
  std::string processed_at;
  std::string alerts_path;
  std::string stories_path;
  std::string alert_rules;
  bool quiet = false;
};

// "2026-01-01T00:00:00Z" (optionally with .fff) -> epoch ms.
bool ParseUtcTimestamp(const std::string& text, int64_t* out) {
  std::tm tm{};
  int ms = 0;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &z) != 8) {
    ms = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7) {
      return false;
    }
  }
  if (z != 'Z') return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *out = static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
  return true;
}

int RunProcess(const ProcessOptions& opt) {
  std::unique_ptr<Engine> engine =
      BuildEngineOrReport(opt.config_path, opt.taxonomy, opt.alert_rules);
  if (!engine) return kExitUsage;
  const core::Pipeline* pipeline = engine->pipeline.get();

  std::unique_ptr<core::Clock> clock;
  if (!opt.processed_at.empty()) {
    int64_t ms = 0;
    if (!ParseUtcTimestamp(opt.processed_at, &ms)) {
      std::cerr << "newsflow process: --processed-at: expected an RFC 3339 UTC time such as "
                   "2026-01-01T00:00:00Z, got '"
                << opt.processed_at << "'\n";
      return kExitUsage;
    }
    clock = std::make_unique<core::FixedClock>(ms);
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

  std::ofstream alerts_file;
  if (!opt.alerts_path.empty()) {
    alerts_file.open(opt.alerts_path, std::ios::binary | std::ios::trunc);
    if (!alerts_file) {
      std::cerr << "newsflow process: cannot write alerts to '" << opt.alerts_path << "'\n";
      return kExitUsage;
    }
  }
  std::ofstream stories_file;
  if (!opt.stories_path.empty()) {
    stories_file.open(opt.stories_path, std::ios::binary | std::ios::trunc);
    if (!stories_file) {
      std::cerr << "newsflow process: cannot write stories to '" << opt.stories_path << "'\n";
      return kExitUsage;
    }
  }

  std::ios::sync_with_stdio(false);
  const core::StageContext ctx{clock.get(), Version()};
  OfflineRunner runner(*pipeline, ctx, std::cout,
                       opt.dead_letter_path.empty() ? nullptr : &dead_letter_file, std::cerr);
  if (!opt.alerts_path.empty()) runner.set_alerts(&alerts_file);
  const auto start = std::chrono::steady_clock::now();
  for (const auto& path : inputs) {
    core::Status status = runner.ProcessPath(path, kind);
    if (!status.ok()) {
      std::cerr << "newsflow process: " << status.message() << '\n';
      return kExitFailure;
    }
  }
  std::cout.flush();
  dead_letter_file.flush();
  alerts_file.flush();
  if (!opt.stories_path.empty()) {
    for (const auto& [id, state] : runner.story_states()) stories_file << state << '\n';
    stories_file.flush();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const OfflineStats& s = runner.stats();
  if (!opt.quiet) {
    char line[256];
    std::snprintf(line, sizeof(line),
                  "newsflow process: read %lld, enriched %lld, dead-lettered %lld "
                  "(blank lines skipped %lld), alerts %lld in %.3f s, %.0f records/s\n",
                  static_cast<long long>(s.read), static_cast<long long>(s.enriched),
                  static_cast<long long>(s.dead_lettered), static_cast<long long>(s.blank_lines),
                  static_cast<long long>(s.alerts), seconds,
                  seconds > 0 ? static_cast<double>(s.read) / seconds : 0.0);
    std::cerr << line;
  }
  if (!std::cout || (!opt.dead_letter_path.empty() && !dead_letter_file) ||
      (!opt.alerts_path.empty() && !alerts_file) || (!opt.stories_path.empty() && !stories_file)) {
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
  sub->add_option("--alerts", opt->alerts_path,
                  "Write the alerts raised (JSON Lines, schemas/alert.v1) to this file; input "
                  "order is arrival order for stories, suppression and surges");
  sub->add_option("--stories", opt->stories_path,
                  "Write the final state of every story (JSON Lines, schemas/story.v1, one "
                  "line per story id, sorted) to this file at the end");
  sub->add_option("--alert-rules", opt->alert_rules,
                  "Alert rules file to use instead of the configured one (try rules offline)");
  sub->add_flag("-q,--quiet", opt->quiet, "Do not print the summary line");
  return {sub, [opt] { return RunProcess(*opt); }};
}

}  // namespace newsflow::app
