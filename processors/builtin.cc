#include "processors/builtin.h"

#include "processors/decode/decode_stage.h"
#include "processors/encode/encode_stage.h"
#include "processors/normalize/normalize_stage.h"
#include "processors/score/score_stage.h"
#include "processors/story/story_stage.h"
#include "processors/tag/tag_stage.h"

namespace newsflow::processors {

Status RegisterBuiltinStages(core::StageRegistry& registry, const StageServices& services) {
  NEWSFLOW_RETURN_IF_ERROR(registry.Add("decode", &decode::DecodeStage::Create));
  NEWSFLOW_RETURN_IF_ERROR(registry.Add("normalize", &normalize::NormalizeStage::Create));
  NEWSFLOW_RETURN_IF_ERROR(registry.Add(
      "tag", [store = services.taxonomy](const YAML::Node& node, const std::string& path) {
        return tag::TagStage::Create(node, path, store);
      }));
  NEWSFLOW_RETURN_IF_ERROR(registry.Add("score", &score::ScoreStage::Create));
  NEWSFLOW_RETURN_IF_ERROR(registry.Add(
      "story", [store = services.stories](const YAML::Node& node, const std::string& path) {
        return story::StoryStage::Create(node, path, store);
      }));
  NEWSFLOW_RETURN_IF_ERROR(registry.Add(
      "alert", [alerts = services.alerts](const YAML::Node& node, const std::string& path) {
        return alert::AlertStage::Create(node, path, alerts);
      }));
  NEWSFLOW_RETURN_IF_ERROR(registry.Add("encode", &encode::EncodeStage::Create));
  return Status::Ok();
}

}  // namespace newsflow::processors
