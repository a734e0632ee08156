// RegisterBuiltinStages(): adds every stage that ships with newsflow to a registry. Called
// from main() and from tests; there are no static initialisers.
#pragma once

#include <memory>

#include "processors/alert/alert_stage.h"
#include "processors/core/registry.h"
#include "processors/story/story_store.h"
#include "processors/tag/taxonomy.h"

namespace newsflow::processors {

// Shared services that some stages are built with (explicit dependency injection: stages never
// reach for globals). The app owns them and keeps them alive as long as the pipeline.
struct StageServices {
  // The current taxonomy; the app swaps snapshots on reload. Required by `tag`.
  std::shared_ptr<tag::TaxonomyStore> taxonomy;
  // The open stories and near-duplicate index, shared by all workers. Required by `story`.
  std::shared_ptr<story::StoryStore> stories = nullptr;
  // Alert rules (hot-reloaded), raised levels per (rule, story), surge counts. Required by
  // `alert`.
  alert::AlertServices alerts = {};
};

Status RegisterBuiltinStages(core::StageRegistry& registry, const StageServices& services);

}  // namespace newsflow::processors
