#include "schemas/record.h"

#include <strings.h>

namespace newsflow::schemas {

const std::string* RawRecord::FindHeader(std::string_view name) const {
  for (const auto& header : headers) {
    if (header.key.size() == name.size() &&
        strncasecmp(header.key.data(), name.data(), name.size()) == 0) {
      return &header.value;
    }
  }
  return nullptr;
}

}  // namespace newsflow::schemas
