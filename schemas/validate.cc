#include "schemas/validate.h"

#include <array>
#include <memory>
#include <string>

#include <rapidjson/error/en.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include "schemas/embedded.h"

namespace newsflow::schemas {
namespace embedded {
extern const EmbeddedFile kSchemas[];
extern const std::size_t kSchemas_count;
}  // namespace embedded

namespace {

constexpr std::array<std::string_view, 5> kFileNames = {
    "raw_article.v1.schema.json", "enriched_event.v1.schema.json", "alert.v1.schema.json",
    "dead_letter.v1.schema.json", "story.v1.schema.json"};

struct Compiled {
  std::array<std::unique_ptr<rapidjson::SchemaDocument>, 5> docs;
};

const Compiled& Schemas() {
  static const Compiled compiled = [] {
    Compiled c;
    for (size_t i = 0; i < kFileNames.size(); ++i) {
      rapidjson::Document d;
      const std::string_view text = SchemaText(static_cast<SchemaId>(i));
      d.Parse(text.data(), text.size());
      // The schemas are compiled in and covered by tests; a parse failure is a build defect.
      if (d.HasParseError()) std::abort();
      c.docs[i] = std::make_unique<rapidjson::SchemaDocument>(d);
    }
    return c;
  }();
  return compiled;
}

std::string PointerText(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer sb;
  pointer.StringifyUriFragment(sb);
  std::string s = sb.GetString();
  if (!s.empty() && s[0] == '#') s.erase(0, 1);
  return s.empty() ? "/" : s;
}

}  // namespace

std::string_view SchemaFileName(SchemaId id) { return kFileNames[static_cast<size_t>(id)]; }

std::string_view SchemaText(SchemaId id) {
  const std::string_view name = SchemaFileName(id);
  for (size_t i = 0; i < embedded::kSchemas_count; ++i) {
    if (embedded::kSchemas[i].name == name) return embedded::kSchemas[i].data;
  }
  std::abort();  // every SchemaId has an embedded file (see schemas/CMakeLists.txt)
}

Status Validate(SchemaId id, const rapidjson::Value& value) {
  rapidjson::SchemaValidator validator(*Schemas().docs[static_cast<size_t>(id)]);
  if (value.Accept(validator)) return Status::Ok();
  std::string message = PointerText(validator.GetInvalidDocumentPointer());
  message += ": violates '";
  message += validator.GetInvalidSchemaKeyword();
  message += "' (schema ";
  rapidjson::StringBuffer sb;
  validator.GetInvalidSchemaPointer().StringifyUriFragment(sb);
  message += sb.GetString();
  message += " of ";
  message += SchemaFileName(id);
  message += ")";
  return Status(Code::kSchemaViolation, "decode", std::move(message));
}

Status ValidateText(SchemaId id, std::string_view json) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (d.HasParseError()) {
    return Status(Code::kMalformed, "decode",
                  std::string("invalid JSON at byte ") + std::to_string(d.GetErrorOffset()) + ": " +
                      rapidjson::GetParseError_En(d.GetParseError()));
  }
  return Validate(id, d);
}

}  // namespace newsflow::schemas
