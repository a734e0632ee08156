// `newsflow process [FILE...]`: offline mode. See app/offline.h.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "app/app_config.h"
#include "app/commands.h"
#include "app/offline.h"
#include "app/pipeline_setup.h"
#include "schemas/text.h"

namespace newsflow::app {
namespace {

struct ProcessOptions {
  std::vector<std::string> inputs;
  std::string config_path;
  std::string taxonomy;
  std::string taxonomy_snapshot;
  std::string dead_letter_path;
  std::string format = "auto";
  std::string processed_at;
  std::string alerts_path;
  std::string stories_path;
  std::string alert_rules;
  bool quiet = false;
};

// The progress line of a long run, redrawn in place on stderr (a terminal) at most twice a
// second: records, MB read, records/s, and the ETA when every input's size is known.
class ProgressLine {
 public:
  ProgressLine(std::chrono::steady_clock::time_point start, std::optional<int64_t> total_bytes)
      : start_(start), last_(start), total_bytes_(total_bytes) {}

  void Update(const OfflineStats& s) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = static_cast<double>(s.read) / seconds;
    char eta[48] = "";
    if (total_bytes_ && *total_bytes_ > 0 && s.bytes > 0) {
      const double left =
          seconds * static_cast<double>(*total_bytes_ - s.bytes) / static_cast<double>(s.bytes);
      const long long secs = static_cast<long long>(left > 0 ? left : 0);
      std::snprintf(eta, sizeof(eta), ", %3.0f %%, ETA %lld:%02lld",
                    100.0 * static_cast<double>(s.bytes) / static_cast<double>(*total_bytes_),
                    secs / 60, secs % 60);
    }
    std::fprintf(stderr, "\rnewsflow process: %lld records, %.1f MB, %.0f records/s%s   ",
                 static_cast<long long>(s.read), static_cast<double>(s.bytes) / 1e6, rate, eta);
    shown_ = true;
  }

  // Erases the line (before the summary or an error message).
  void Clear() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }

 private:
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  std::optional<int64_t> total_bytes_;
  bool shown_ = false;
};

int RunProcess(const ProcessOptions& opt) {
  std::unique_ptr<PipelineSetup> pipeline_setup =
      BuildPipelineSetupOrReport(opt.config_path, {.taxonomy = opt.taxonomy,
                                                   .alerts = opt.alert_rules,
                                                   .taxonomy_options = {},
                                                   .taxonomy_snapshot = opt.taxonomy_snapshot});
  if (!pipeline_setup) return kExitUsage;
  const core::Pipeline* pipeline = pipeline_setup->pipeline.get();

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
  std::optional<int64_t> total_bytes = 0;  // for the ETA; unknown when an input is a stream
  for (const auto& path : inputs) {
    const Status readable = CheckInput(path);
    if (!readable.ok()) {
      std::cerr << "newsflow process: cannot read input " << readable.message() << '\n';
      return kExitUsage;
    }
    const std::optional<int64_t> size = InputSize(path);
    total_bytes = size && total_bytes ? std::optional<int64_t>(*total_bytes + *size) : std::nullopt;
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
  ProgressLine progress(start, total_bytes);
  if (!opt.quiet && isatty(STDERR_FILENO)) {
    runner.OnProgress([&progress](const OfflineStats& s) { progress.Update(s); });
  }
  for (const auto& path : inputs) {
    Status status = runner.ProcessPath(path, kind);
    if (!status.ok()) {
      progress.Clear();
      std::cerr << "newsflow process: cannot read input " << status.message() << '\n';
      return kExitFailure;
    }
  }
  progress.Clear();
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
    char line[320];
    std::snprintf(line, sizeof(line),
                  "newsflow process: read %lld, enriched %lld, dead-lettered %lld "
                  "(blank lines skipped %lld), alerts %lld in %.3f s, %.0f records/s, %.1f MB/s\n",
                  static_cast<long long>(s.read), static_cast<long long>(s.enriched),
                  static_cast<long long>(s.dead_lettered), static_cast<long long>(s.blank_lines),
                  static_cast<long long>(s.alerts), seconds,
                  seconds > 0 ? static_cast<double>(s.read) / seconds : 0.0,
                  seconds > 0 ? static_cast<double>(s.bytes) / 1e6 / seconds : 0.0);
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
  sub->add_option("--taxonomy-snapshot", opt->taxonomy_snapshot,
                  "Compiled taxonomy (newsflow compile-taxonomy) to load instead of compiling "
                  "the YAML files; rejected with a warning, and the YAML compiled, when it does "
                  "not load or was compiled from other files than the taxonomy in use");
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
  sub->add_flag("-q,--quiet", opt->quiet,
                "Print neither the progress line (shown when stderr is a terminal) nor the "
                "summary");
  return {sub, [opt] { return RunProcess(*opt); }};
}

}  // namespace newsflow::app
