// Files compiled into the binary (JSON Schemas, default config) by cmake/EmbedFiles.cmake, so
// the executable needs no data directory at run time.
#pragma once

#include <cstddef>
#include <string_view>

namespace newsflow::core {

struct EmbeddedFile {
  std::string_view name;  // base file name, e.g. "raw_article.v1.schema.json"
  std::string_view data;
};

}  // namespace newsflow::core
