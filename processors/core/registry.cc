#include "processors/core/registry.h"

namespace newsflow::core {

Status StageRegistry::Add(const std::string& name, StageFactory factory) {
  if (!factories_.emplace(name, std::move(factory)).second) {
    return Status(Code::kInternal, "registry", "stage '" + name + "' registered twice");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Stage>> StageRegistry::Create(const std::string& name,
                                                     const YAML::Node& config,
                                                     const std::string& path) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [n, f] : factories_) known += (known.empty() ? "" : ", ") + n;
    return Status(Code::kInvalidConfig, "config",
                  path + ": unknown stage '" + name + "' (known: " + known + ")");
  }
  return it->second(config, path);
}

std::vector<std::string> StageRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [n, f] : factories_) names.push_back(n);
  return names;
}

}  // namespace newsflow::core
