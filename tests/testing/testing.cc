#include "tests/testing/testing.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "processors/core/clock.h"

namespace newsflow::testing {

std::string SourcePath(std::string_view relative) {
  return std::string(NEWSFLOW_SOURCE_DIR) + "/" + std::string(relative);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read test file %s\n", path.c_str());
    std::abort();
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::string> DevCorpusPath() {
  if (const char* env = std::getenv("NEWSFLOW_DEV_CORPUS"); env != nullptr && *env != '\0') {
    if (std::filesystem::exists(env)) return std::string(env);
    return std::nullopt;
  }
  const std::string path =
      std::string(NEWSFLOW_SOURCE_DIR) + "/../shared/corpus/dev/articles.jsonl";
  if (std::filesystem::exists(path)) return std::filesystem::weakly_canonical(path).string();
  return std::nullopt;
}

std::vector<std::string> DevCorpusFiles() {
  std::vector<std::string> out;
  std::filesystem::path dir;
  if (const char* env = std::getenv("NEWSFLOW_DEV_CORPUS"); env != nullptr && *env != '\0') {
    if (!std::filesystem::is_directory(env)) {
      if (std::filesystem::exists(env)) out.push_back(env);
      return out;
    }
    dir = env;
  } else {
    const auto first = DevCorpusPath();
    if (!first) return out;
    dir = std::filesystem::path(*first).parent_path();
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("articles") && name.ends_with(".jsonl")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> StoryCorpusPath() {
  if (const char* env = std::getenv("NEWSFLOW_STORY_CORPUS"); env != nullptr && *env != '\0') {
    if (std::filesystem::exists(env)) return std::string(env);
    return std::nullopt;
  }
  const std::string path =
      std::string(NEWSFLOW_SOURCE_DIR) + "/../shared/corpus/stories/articles.jsonl";
  if (std::filesystem::exists(path)) return std::filesystem::weakly_canonical(path).string();
  return std::nullopt;
}

schemas::RawRecord MakeRecord(std::string value, std::string content_type) {
  schemas::RawRecord r;
  r.value = std::move(value);
  if (!content_type.empty()) r.headers.push_back({"content-type", std::move(content_type)});
  r.origin.kind = schemas::Origin::Kind::kFile;
  r.origin.file = "test";
  r.origin.line = 1;
  return r;
}

int ForEachProcessedArticle(const std::vector<std::string>& files, const core::Pipeline& pipeline,
                            const std::function<void(core::Document&)>& fn) {
  int processed = 0;
  for (const std::string& file : files) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      const schemas::RawRecord record = MakeRecord(line, "application/json");
      core::Document doc(record);  // refers to the record's bytes
      core::FixedClock clock(0);
      if (!pipeline.ProcessDocument(doc, {&clock, "test"}).ok()) continue;
      ++processed;
      fn(doc);
    }
  }
  return processed;
}

}  // namespace newsflow::testing
