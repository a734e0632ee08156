// `newsflow compile-taxonomy [DIR] -o FILE`: compiles a taxonomy (DIR/taxonomy.yaml, a
// taxonomy.yaml path, or the built-in default without DIR) and writes its snapshot
// (processors/tag/snapshot.h): what `taxonomy.snapshot` loads instead of compiling at start-up.
// The written file is loaded back and checked before the command reports success.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "app/commands.h"
#include "processors/tag/snapshot.h"

namespace newsflow::app {
namespace {

struct CompileTaxonomyOptions {
  std::string source;  // directory or taxonomy.yaml; empty: built-in
  std::string output;
};

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

int RunCompileTaxonomy(const CompileTaxonomyOptions& opt) {
  std::string manifest = opt.source;
  std::error_code ec;
  if (!manifest.empty() && std::filesystem::is_directory(manifest, ec)) {
    manifest = (std::filesystem::path(manifest) / tag::kManifestName).string();
  }
  const std::string shown = manifest.empty() ? "the built-in taxonomy" : manifest;
  const auto start = std::chrono::steady_clock::now();
  Result<uint64_t> source_hash = tag::TaxonomySourceHash(manifest);
  if (!source_hash.ok()) {
    std::cerr << "newsflow compile-taxonomy: " << source_hash.status().message() << '\n';
    return kExitUsage;
  }
  auto taxonomy = tag::LoadTaxonomy(manifest);
  if (!taxonomy.ok()) {
    std::cerr << "newsflow compile-taxonomy: invalid taxonomy: " << taxonomy.status().message()
              << '\n';
    return kExitUsage;
  }
  const double compile_ms = MillisecondsSince(start);
  Status written = tag::WriteSnapshot(**taxonomy, *source_hash, opt.output);
  if (!written.ok()) {
    std::cerr << "newsflow compile-taxonomy: " << written.message() << '\n';
    return kExitFailure;
  }
  const auto load_start = std::chrono::steady_clock::now();
  tag::SnapshotInfo info;
  auto loaded = tag::LoadSnapshot(opt.output, *source_hash, &info);
  const double load_ms = MillisecondsSince(load_start);
  if (!loaded.ok()) {
    std::cerr << "newsflow compile-taxonomy: the written file does not load back: "
              << loaded.status().message() << '\n';
    return kExitFailure;
  }
  const tag::Taxonomy& t = **taxonomy;
  std::cout << "wrote " << opt.output << ": taxonomy " << t.version() << " from " << shown << ", "
            << t.entities().size() << " entities, " << t.topics().size() << " topics, "
            << t.patterns().size() << " patterns"
            << (t.calibration_note().empty() ? "" : ", calibrated") << "; " << info.file_size
            << " bytes, format " << info.format_version << "; compiled in "
            << static_cast<int64_t>(compile_ms) << " ms, loads in " << load_ms << " ms\n";
  return kExitOk;
}

}  // namespace

Command AddCompileTaxonomyCommand(CLI::App& parent) {
  auto opt = std::make_shared<CompileTaxonomyOptions>();
  CLI::App* sub = parent.add_subcommand(
      "compile-taxonomy",
      "Compile a taxonomy into a snapshot file (matcher, entities, topics, fitted weights) that "
      "`taxonomy.snapshot` loads in milliseconds instead of compiling the YAML files at start-up");
  sub->add_option("source", opt->source,
                  "Taxonomy directory (with taxonomy.yaml) or taxonomy.yaml; none: the built-in "
                  "taxonomy");
  sub->add_option("-o,--output", opt->output, "Snapshot file to write")->required();
  return {sub, [opt] { return RunCompileTaxonomy(*opt); }};
}

}  // namespace newsflow::app
