// The raw-article contract (schemas/raw_article.v1.schema.json) as a C++ value, and its codec.
//
// Two wire shapes decode to a RawArticle:
//   * JSON: one object with the fields below; unknown fields are kept verbatim in `extra_json`.
//   * Plain text: the first non-empty line is the title, the rest is the body.
// DecodeRawArticleJson() validates against the JSON Schema with RapidJSON's SchemaValidator
// and returns a Status naming the violated keyword and the JSON pointer of the bad value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "schemas/result.h"

namespace newsflow::schemas {

// Where the article id came from.
enum class IdSource { kFeed, kUrl, kContent };

struct RawArticle {
  std::string id;
  IdSource id_source = IdSource::kFeed;
  std::string url;        // may be empty
  std::string source;     // outlet name; may be empty
  std::string title;      // as given (not yet normalized)
  std::string body;       // as given (text or HTML, see content_type)
  std::string published;  // free-form date string as the feed gave it; may be empty
  std::string language;   // optional hint from the feed (BCP 47 / ISO 639-1)
  std::string content_type = "text/plain";  // "text/plain" or "text/html"
  std::string fetched_at;                   // optional
  std::string extra_json;  // unknown top-level fields as a JSON object text; empty when none
};

struct JsonLimits {
  // Maximum nesting depth of arrays/objects anywhere in the record. Deeper input is rejected
  // before it can exhaust the stack of any later consumer of the JSON.
  int max_depth = 32;
};

// Decodes and validates one JSON raw article. `bytes` must already be valid UTF-8 (see
// FindInvalidUtf8). Errors carry stage "decode" and Code kMalformed or kSchemaViolation.
Result<RawArticle> DecodeRawArticleJson(std::string_view bytes, const JsonLimits& limits);

// The same decoding, always through a RapidJSON Document (DecodeRawArticleJson takes it for
// records it cannot decode in one pass without one). Exposed for the equivalence tests.
Result<RawArticle> DecodeRawArticleJsonDom(std::string_view bytes, const JsonLimits& limits);

// A fast, conservative check of raw_article.v1: true only for values the schema accepts (the
// decoder then skips the SchemaValidator); false means "run the full validator", which either
// accepts or explains. Exposed for the equivalence tests.
bool QuickValidRawArticle(const rapidjson::Value& value);

// Decodes a plain-text article (first non-empty line = title, rest = body).
Result<RawArticle> DecodeRawArticleText(std::string_view text);

// Fills `id` when the feed gave none: derived from the URL when present, else from a content
// hash of title and body. Stable across runs and machines (XXH3-128, lower-case hex).
void AssignId(RawArticle& article);

// Encodes a RawArticle as JSON (schema-valid; extra fields re-emitted). Used by tests, the
// demo producer and the bench corpus generator.
std::string EncodeRawArticleJson(const RawArticle& article);

}  // namespace newsflow::schemas
