// libFuzzer target: the taxonomy compiler. One file of the built-in taxonomy (the manifest, or
// the first entity/topic file, chosen by the input's first byte) is replaced by the input;
// the rest stays built-in. Property: a compiled taxonomy or an error naming the problem, no
// crash, no sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "processors/tag/taxonomy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace newsflow;
  if (size == 0) return 0;
  static const tag::SourceProvider builtin = tag::BuiltinSource();
  static const std::vector<std::string> files = [] {
    std::vector<std::string> names = {tag::kManifestName};
    for (const char* pattern : {"entities/*.yaml", "topics/*.yaml"}) {
      for (auto& n : builtin.list(pattern)) names.push_back(n);
    }
    return names;
  }();
  const std::string& replaced = files[data[0] % files.size()];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  tag::SourceProvider sources;
  sources.list = builtin.list;
  sources.read = [&](const std::string& name) -> Result<std::string> {
    if (name == replaced) return text;
    return builtin.read(name);
  };
  (void)tag::CompileTaxonomy(tag::kManifestName, sources);
  return 0;
}
