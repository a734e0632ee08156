#include "schemas/status.h"

namespace newsflow {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidConfig:
      return "invalid_config";
    case Code::kTooLarge:
      return "too_large";
    case Code::kInvalidEncoding:
      return "invalid_encoding";
    case Code::kMalformed:
      return "malformed";
    case Code::kSchemaViolation:
      return "schema_violation";
    case Code::kEmptyArticle:
      return "empty_article";
    case Code::kStageFailure:
      return "stage_failure";
    case Code::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out;
  if (!stage_.empty()) {
    out += stage_;
    out += ": ";
  }
  out += CodeName(code_);
  out += ": ";
  out += message_;
  return out;
}

}  // namespace newsflow
