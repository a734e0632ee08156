#include "processors/builtin.h"

#include "processors/decode/decode_stage.h"
#include "processors/encode/encode_stage.h"

namespace newsflow::processors {

core::Status RegisterBuiltinStages(core::StageRegistry& registry) {
  NEWSFLOW_RETURN_IF_ERROR(registry.Add("decode", &DecodeStage::Create));
  NEWSFLOW_RETURN_IF_ERROR(registry.Add("encode", &EncodeStage::Create));
  return core::Status::Ok();
}

}  // namespace newsflow::processors
