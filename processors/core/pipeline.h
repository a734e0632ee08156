// Pipeline: runs one record through the configured stages, in order.
//
// Every record ends in exactly one of two ways, which is what lets counts reconcile
// (in = enriched + dead-lettered):
//   * Outcome::ok(): `outputs` holds what to produce (the enriched event, alerts);
//   * otherwise `status` says which stage failed and why; the caller dead-letters the
//     original RawRecord bytes with that status.
// Process() is const and thread-safe: N workers share one Pipeline.
//
// Configuration (the `pipeline:` section of the config file):
//   pipeline:
//     stages: [decode, normalize, tag, score, encode]   # order of execution
//     decode: { max_record_bytes: 983040 }              # one section per stage, optional
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "processors/core/registry.h"
#include "processors/core/stage.h"
#include "schemas/result.h"

namespace newsflow::core {

struct Outcome {
  std::string id;  // article id when decoding got that far
  std::vector<schemas::Output> outputs;
  Status status;
  bool ok() const { return status.ok(); }
};

// Receives per-stage timings (metrics live outside the pure core; see consumers/ and app/).
class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void OnStage(std::string_view stage, std::chrono::nanoseconds elapsed, bool ok) = 0;
};

class Pipeline {
 public:
  // The default stage order when the config names none.
  static std::vector<std::string> DefaultStages();

  static Result<std::unique_ptr<Pipeline>> Create(const StageRegistry& registry,
                                                  const YAML::Node& config,
                                                  const std::string& path = "pipeline");

  Outcome Process(const schemas::RawRecord& record, const StageContext& ctx,
                  PipelineObserver* observer = nullptr) const;

  // Runs the stages on a caller-owned Document (for tools that inspect the intermediate state,
  // such as `explain` and `eval`). Stops at the first failing stage and returns its status.
  Status ProcessDocument(Document& doc, const StageContext& ctx,
                         PipelineObserver* observer = nullptr) const;

  std::vector<std::string_view> StageNames() const;

  // The stage with this name, or nullptr (for tools like `explain` that read stage state).
  const Stage* FindStage(std::string_view name) const;

 private:
  std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace newsflow::core
