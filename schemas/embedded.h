// Files compiled into the binary (JSON Schemas, default config) by cmake/EmbedFiles.cmake, so
// the executable needs no data directory at run time. In schemas/ because the JSON Schemas are the
// first such files, and schemas/ depends on nothing else of ours.
#pragma once

#include <cstddef>
#include <string_view>

namespace newsflow {

struct EmbeddedFile {
  std::string_view name;  // base file name, e.g. "raw_article.v1.schema.json"
  std::string_view data;
};

}  // namespace newsflow
