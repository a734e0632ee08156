#include "processors/core/pipeline.h"

#include <set>

#include "processors/core/config.h"

namespace newsflow::core {

std::vector<std::string> Pipeline::DefaultStages() {
  return {"decode", "normalize", "tag", "score", "story", "alert", "encode"};
}

Result<std::unique_ptr<Pipeline>> Pipeline::Create(const StageRegistry& registry,
                                                   const YAML::Node& config,
                                                   const std::string& path) {
  ConfigReader reader(config, path);
  std::vector<std::string> names = DefaultStages();
  reader.Read("stages", &names, "Stages to run, in order.");
  std::vector<YAML::Node> sections;
  for (const auto& name : names) {
    sections.push_back(reader.Section(name, "Configuration of the " + name + " stage."));
  }
  NEWSFLOW_RETURN_IF_ERROR(reader.Finish());
  if (names.empty()) {
    return Status(Code::kInvalidConfig, "config", path + ".stages: must name at least one stage");
  }
  std::set<std::string> seen;
  auto pipeline = std::make_unique<Pipeline>();
  for (size_t i = 0; i < names.size(); ++i) {
    if (!seen.insert(names[i]).second) {
      return Status(Code::kInvalidConfig, "config",
                    path + ".stages: stage '" + names[i] + "' listed twice");
    }
    NEWSFLOW_ASSIGN_OR_RETURN(auto stage,
                              registry.Create(names[i], sections[i], path + "." + names[i]));
    pipeline->stages_.push_back(std::move(stage));
  }
  return pipeline;
}

Outcome Pipeline::Process(const schemas::RawRecord& record, const StageContext& ctx,
                          PipelineObserver* observer) const {
  // One Document per thread, reset for each record: its strings and vectors keep their
  // capacity, so a record does not allocate (and free) them again.
  thread_local Document doc(record);
  doc.Reset(record);
  Outcome outcome;
  outcome.status = ProcessDocument(doc, ctx, observer);
  outcome.id = std::move(doc.article.id);
  if (outcome.ok()) outcome.outputs = std::move(doc.outputs);
  doc.taxonomy.reset();  // do not hold a taxonomy snapshot past the record (hot reload)
  doc.raw = nullptr;
  return outcome;
}

Status Pipeline::ProcessDocument(Document& doc, const StageContext& ctx,
                                 PipelineObserver* observer) const {
  for (const auto& stage : stages_) {
    // The clock is read only for an observer that wants the stage times.
    const auto start = observer != nullptr ? std::chrono::steady_clock::now()
                                           : std::chrono::steady_clock::time_point{};
    Status status = stage->Process(doc, ctx);
    if (observer != nullptr) {
      observer->OnStage(stage->Name(), std::chrono::steady_clock::now() - start, status.ok());
    }
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

std::vector<std::string_view> Pipeline::StageNames() const {
  std::vector<std::string_view> names;
  for (const auto& stage : stages_) names.push_back(stage->Name());
  return names;
}

const Stage* Pipeline::FindStage(std::string_view name) const {
  for (const auto& stage : stages_) {
    if (stage->Name() == name) return stage.get();
  }
  return nullptr;
}

}  // namespace newsflow::core
