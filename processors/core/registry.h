// StageRegistry: explicit registration of stage factories by name (no static initialisers).
//
// main() calls processors::RegisterBuiltinStages(registry); a test may register fakes. Adding
// a name twice is an error, as in Arrow's FunctionRegistry.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "processors/core/stage.h"
#include "schemas/result.h"

namespace newsflow::core {

// Builds a stage from its config section (may be undefined = all defaults). `path` is the
// dotted config path of that section, for error messages.
using StageFactory = std::function<Result<std::unique_ptr<Stage>>(const YAML::Node& config,
                                                                  const std::string& path)>;

class StageRegistry {
 public:
  Status Add(const std::string& name, StageFactory factory);
  Result<std::unique_ptr<Stage>> Create(const std::string& name, const YAML::Node& config,
                                        const std::string& path) const;
  bool Contains(const std::string& name) const { return factories_.contains(name); }
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, StageFactory> factories_;
};

}  // namespace newsflow::core
