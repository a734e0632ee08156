// RegisterBuiltinStages(): adds every stage that ships with newsflow to a registry. Called
// from main() and from tests; there are no static initialisers.
#pragma once

#include "processors/core/registry.h"

namespace newsflow::processors {

core::Status RegisterBuiltinStages(core::StageRegistry& registry);

}  // namespace newsflow::processors
