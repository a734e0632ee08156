#include "processors/core/document.h"

#include <strings.h>

namespace newsflow::core {

const std::string* RawRecord::FindHeader(std::string_view name) const {
  for (const auto& header : headers) {
    if (header.key.size() == name.size() &&
        strncasecmp(header.key.data(), name.data(), name.size()) == 0) {
      return &header.value;
    }
  }
  return nullptr;
}

std::string_view FieldName(Field field) {
  switch (field) {
    case Field::kTitle:
      return "title";
    case Field::kLead:
      return "lead";
    case Field::kBody:
      return "body";
  }
  return "body";
}

}  // namespace newsflow::core
