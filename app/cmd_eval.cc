// `newsflow eval --gold FILE|DIR...` (cross-validated quality report) and
// `newsflow fit --gold FILE|DIR... [--out FILE]` (fits the topic calibration).
#include <fstream>
#include <iostream>

#include "app/commands.h"
#include "app/eval.h"
#include "app/pipeline_setup.h"

namespace newsflow::app {
namespace {

struct EvalOptions {
  std::vector<std::string> gold;
  std::string config_path;
  std::string taxonomy;
  std::string out;  // fit: where to write calibration.yaml ("-": stdout)
  size_t worst = 25;
  int folds = kDefaultFolds;
};

Result<EvalDataset> Load(const EvalOptions& opt, std::unique_ptr<PipelineSetup>& pipeline_setup) {
  // The calibration file is ignored: eval fits its own weights per fold, and fit must work
  // while the file is stale (after a rule change).
  pipeline_setup =
      BuildPipelineSetupOrReport(opt.config_path, {.taxonomy = opt.taxonomy,
                                                   .alerts = "",
                                                   .taxonomy_options = {.calibration = false},
                                                   .story_explanations = true});
  if (!pipeline_setup) return Status(Code::kInvalidConfig, "eval", "no pipeline_setup");
  NEWSFLOW_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandGoldPaths(opt.gold));
  return LoadEvalDataset(*pipeline_setup->pipeline, files);
}

int RunEval(const EvalOptions& opt) {
  std::unique_ptr<PipelineSetup> pipeline_setup;
  auto data = Load(opt, pipeline_setup);
  if (!pipeline_setup) return kExitUsage;
  if (!data.ok()) {
    std::cerr << "newsflow eval: " << data.status().message() << '\n';
    return kExitUsage;
  }
  std::cout << "taxonomy " << pipeline_setup->taxonomy->Get()->version() << ", gold";
  for (const auto& f : data->files) std::cout << ' ' << f;
  std::cout << '\n' << FormatReport(EvaluateDataset(*data, opt.folds), opt.worst);
  return kExitOk;
}

int RunFit(const EvalOptions& opt) {
  std::unique_ptr<PipelineSetup> pipeline_setup;
  auto data = Load(opt, pipeline_setup);
  if (!pipeline_setup) return kExitUsage;
  if (!data.ok()) {
    std::cerr << "newsflow fit: " << data.status().message() << '\n';
    return kExitUsage;
  }
  const std::string yaml = FitCalibrationYaml(*data, opt.folds);
  if (opt.out == "-") {
    std::cout << yaml;
    return kExitOk;
  }
  std::ofstream out(opt.out, std::ios::binary | std::ios::trunc);
  out << yaml;
  if (!out.flush()) {
    std::cerr << "newsflow fit: cannot write '" << opt.out << "'\n";
    return kExitFailure;
  }
  std::cerr << "newsflow fit: wrote " << opt.out << " (" << data->articles.size() << " articles)\n";
  return kExitOk;
}

void AddCommon(CLI::App* sub, EvalOptions* opt) {
  sub->add_option("--gold", opt->gold,
                  "Labelled articles (format of the dev corpus): .jsonl files or directories "
                  "(all their *.jsonl files)")
      ->required();
  sub->add_option("-c,--config", opt->config_path, "Configuration file (default: built-in)");
  sub->add_option("--taxonomy", opt->taxonomy,
                  "taxonomy.yaml to use instead of the configured one");
  sub->add_option("--folds", opt->folds, "Number of outlet folds")
      ->capture_default_str()
      ->check(CLI::Range(2, 50));
}

}  // namespace

Command AddEvalCommand(CLI::App& parent) {
  auto opt = std::make_shared<EvalOptions>();
  CLI::App* sub = parent.add_subcommand(
      "eval",
      "Cross-validated quality on labelled articles (folds by outlet): per-topic precision, "
      "recall, F1 and calibration, per language and file, entity recall (a labelled entity is "
      "found when an output entity's name or one of its also_known_as names equals it, "
      "ignoring case and diacritics), entity precision against the labels (output entities whose "
      "name "
      "or also_known_as name is labelled, over all output entities; a lower bound), worst "
      "misses");
  AddCommon(sub, opt.get());
  sub->add_option("--worst", opt->worst, "How many misses to list")->capture_default_str();
  return {sub, [opt] { return RunEval(*opt); }};
}

Command AddFitCommand(CLI::App& parent) {
  auto opt = std::make_shared<EvalOptions>();
  opt->out = "-";
  CLI::App* sub = parent.add_subcommand(
      "fit",
      "Fit every topic's rule weights, bias and threshold on labelled articles (logistic "
      "regression, penalty and threshold chosen by outlet cross-validation) and write "
      "calibration.yaml");
  AddCommon(sub, opt.get());
  sub->add_option("--out", opt->out, "Where to write calibration.yaml (- for stdout)")
      ->capture_default_str();
  return {sub, [opt] { return RunFit(*opt); }};
}

}  // namespace newsflow::app
