#include "processors/decode/decode_stage.h"

#include <strings.h>

#include "processors/core/config.h"
#include "schemas/text.h"

namespace newsflow::decode {
namespace {

Status Fail(Code code, std::string message) { return Status(code, "decode", std::move(message)); }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Two or more NULs among the first bytes in alternating positions: UTF-16 without a BOM.
bool LooksLikeUtf16(std::string_view s) {
  const size_t n = std::min<size_t>(s.size(), 64);
  size_t even = 0;
  size_t odd = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == '\0') ((i % 2 == 0) ? even : odd)++;
  }
  return n >= 4 && (even + odd) * 3 >= n && (even == 0 || odd == 0);
}

enum class Format { kJson, kText, kHtmlText };

Format DetectFormat(const schemas::RawRecord& record, std::string_view value,
                    const DecodeConfig& cfg) {
  if (cfg.format == "json") return Format::kJson;
  if (cfg.format == "text") return Format::kText;
  if (const std::string* ct = record.FindHeader("content-type")) {
    std::string_view media(*ct);
    media = media.substr(0, media.find(';'));
    if (strncasecmp(media.data(), "application/json", media.size()) == 0 && media.size() == 16) {
      return Format::kJson;
    }
    if (media.size() == 10 && strncasecmp(media.data(), "text/plain", 10) == 0) {
      return Format::kText;
    }
    if (media.size() == 9 && strncasecmp(media.data(), "text/html", 9) == 0) {
      return Format::kHtmlText;
    }
  }
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return (c == '{' || c == '[') ? Format::kJson : Format::kText;
  }
  return Format::kText;
}

}  // namespace

Result<DecodeConfig> DecodeConfig::FromYaml(const YAML::Node& node, const std::string& path) {
  DecodeConfig c;
  core::ConfigReader r(node, path);
  r.Read("max_record_bytes", &c.max_record_bytes,
         "Largest record accepted, in bytes; larger ones are dead-lettered (too_large).");
  r.Read("max_json_depth", &c.max_json_depth, "Deepest JSON nesting accepted.");
  r.Read("format", &c.format, "Input format: auto (header, then sniff), json or text.");
  r.Read("on_invalid_utf8", &c.on_invalid_utf8,
         "reject: dead-letter records that are not UTF-8; replace: substitute U+FFFD.");
  r.Require(c.max_record_bytes > 0, "max_record_bytes", "must be positive");
  r.Require(c.max_json_depth >= 2 && c.max_json_depth <= 1000, "max_json_depth",
            "must be between 2 and 1000");
  r.Require(c.format == "auto" || c.format == "json" || c.format == "text", "format",
            "must be auto, json or text, got '" + c.format + "'");
  r.Require(c.on_invalid_utf8 == "reject" || c.on_invalid_utf8 == "replace", "on_invalid_utf8",
            "must be reject or replace, got '" + c.on_invalid_utf8 + "'");
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  return c;
}

Result<std::unique_ptr<core::Stage>> DecodeStage::Create(const YAML::Node& node,
                                                         const std::string& path) {
  NEWSFLOW_ASSIGN_OR_RETURN(DecodeConfig config, DecodeConfig::FromYaml(node, path));
  return std::unique_ptr<core::Stage>(std::make_unique<DecodeStage>(std::move(config)));
}

Status DecodeStage::Process(core::Document& doc, const core::StageContext& /*ctx*/) const {
  std::string_view value = doc.raw->value;
  if (value.size() > static_cast<uint64_t>(config_.max_record_bytes)) {
    return Fail(Code::kTooLarge, "record is " + std::to_string(value.size()) +
                                     " bytes; the limit (max_record_bytes) is " +
                                     std::to_string(config_.max_record_bytes));
  }
  if (StartsWith(value, "\xEF\xBB\xBF")) value.remove_prefix(3);
  if (StartsWith(value, "\xFF\xFE") || StartsWith(value, "\xFE\xFF")) {
    return Fail(Code::kInvalidEncoding,
                "UTF-16 input (byte-order mark at byte 0); records must be UTF-8");
  }
  if (LooksLikeUtf16(value)) {
    return Fail(Code::kInvalidEncoding,
                "UTF-16 input without byte-order mark (NUL bytes in alternate positions); "
                "records must be UTF-8");
  }
  if (auto nul = schemas::FindNul(value)) {
    return Fail(Code::kInvalidEncoding, "NUL byte at byte " + std::to_string(*nul));
  }
  std::string replaced;
  if (auto bad = schemas::FindInvalidUtf8(value)) {
    if (config_.on_invalid_utf8 != "replace") {
      return Fail(Code::kInvalidEncoding, "invalid UTF-8 at byte " + std::to_string(*bad));
    }
    replaced = ReplaceInvalidUtf8(value);
    value = replaced;
  }

  const Format format = DetectFormat(*doc.raw, value, config_);
  Result<schemas::RawArticle> article =
      format == Format::kJson ? schemas::DecodeRawArticleJson(
                                    value, {.max_depth = static_cast<int>(config_.max_json_depth)})
                              : schemas::DecodeRawArticleText(value);
  if (!article.ok()) return article.status();
  doc.article = std::move(article).value();
  if (format == Format::kHtmlText) doc.article.content_type = "text/html";
  return Status::Ok();
}

std::string ReplaceInvalidUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    const auto bad = schemas::FindInvalidUtf8(bytes);
    if (!bad) {
      out.append(bytes);
      break;
    }
    out.append(bytes.substr(0, *bad));
    out.append("\xEF\xBF\xBD");
    // Skip the lead byte and any continuation bytes that followed it.
    size_t skip = 1;
    while (*bad + skip < bytes.size() && skip < 4 &&
           (static_cast<unsigned char>(bytes[*bad + skip]) & 0xC0) == 0x80) {
      ++skip;
    }
    bytes.remove_prefix(*bad + skip);
  }
  return out;
}

}  // namespace newsflow::decode
