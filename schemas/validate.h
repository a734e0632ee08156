// The JSON Schemas of schemas/*.json, compiled into the binary, and validation against them.
//
// Schemas are parsed once, on first use (thread-safe static initialisation), and shared
// read-only by all threads; each Validate() call makes its own SchemaValidator, which is cheap.
#pragma once

#include <string_view>

#include <rapidjson/document.h>

#include "schemas/status.h"

namespace newsflow::schemas {

enum class SchemaId { kRawArticle, kEnrichedEvent, kAlert, kDeadLetter, kStory };

// "raw_article.v1.schema.json" etc.
std::string_view SchemaFileName(SchemaId id);
// The schema's JSON text, as compiled in.
std::string_view SchemaText(SchemaId id);

// OK, or kSchemaViolation (stage "decode") naming the JSON pointer of the offending value and
// the violated keyword, e.g. "/title: violates 'type' (schema #/properties/title)".
Status Validate(SchemaId id, const rapidjson::Value& value);

// Parses `json` and validates it; kMalformed if it does not parse.
Status ValidateText(SchemaId id, std::string_view json);

}  // namespace newsflow::schemas
