// Decode stage: raw bytes -> schemas::RawArticle, or a dead letter saying exactly why not.
//
// In order, each failure with its own error class:
//   too_large          value above max_record_bytes (default 960 KiB, so a dead letter fits 1 MB);
//   invalid_encoding   UTF-16 (BOM or NUL pattern), NUL bytes, malformed UTF-8 (with byte
//                      offset) -- unless on_invalid_utf8 = replace, which substitutes U+FFFD;
//   malformed          JSON syntax errors, nesting deeper than max_json_depth;
//   schema_violation   valid JSON breaking raw_article.v1 (wrong types, arrays, ...);
//   empty_article      neither title nor body has text.
// A leading UTF-8 byte-order mark is skipped.
//
// Format: `format: json | text | auto`. With auto, a `content-type` header (Kafka header, or
// set by the offline reader from the file kind) decides: application/json -> JSON,
// text/plain or text/html -> plain-text article (html marks the body as HTML). Without a
// header the first non-blank byte decides: `{` or `[` -> JSON, anything else -> text.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "processors/core/stage.h"
#include "schemas/raw_article.h"
#include "schemas/result.h"

namespace newsflow::decode {

struct DecodeConfig {
  int64_t max_record_bytes = 983040;  // 960 KiB: see kafka_setup.h (startup consistency check)
  int64_t max_json_depth = 32;
  std::string format = "auto";             // auto | json | text
  std::string on_invalid_utf8 = "reject";  // reject | replace

  static Result<DecodeConfig> FromYaml(const YAML::Node& node, const std::string& path);
};

class DecodeStage final : public core::Stage {
 public:
  static Result<std::unique_ptr<core::Stage>> Create(const YAML::Node& node,
                                                     const std::string& path);
  explicit DecodeStage(DecodeConfig config) : config_(std::move(config)) {}

  std::string_view Name() const override { return "decode"; }
  Status Process(core::Document& doc, const core::StageContext& ctx) const override;

 private:
  DecodeConfig config_;
};

// Replaces every ill-formed UTF-8 sequence with U+FFFD (maximal subparts, as ICU does).
std::string ReplaceInvalidUtf8(std::string_view bytes);

}  // namespace newsflow::decode
