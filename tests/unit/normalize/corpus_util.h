// Reads the labelled dev corpus (every file of testing::DevCorpusFiles()) for the normalize tests.
#pragma once

#include <rapidjson/document.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/testing/testing.h"

namespace newsflow::normalize::test {

struct CorpusArticle {
  std::string id;
  std::string lang;
  std::string title;
  std::string body;
  std::string published;
};

// Empty when the corpus is absent (callers GTEST_SKIP).
inline std::vector<CorpusArticle> LoadDevCorpus() {
  std::vector<CorpusArticle> out;
  for (const auto& path : testing::DevCorpusFiles()) {
    std::ifstream in(path);
    std::string line;
    auto get = [](const rapidjson::Document& d, const char* key) {
      auto it = d.FindMember(key);
      return it != d.MemberEnd() && it->value.IsString()
                 ? std::string(it->value.GetString(), it->value.GetStringLength())
                 : std::string();
    };
    while (std::getline(in, line)) {
      rapidjson::Document d;
      d.Parse(line.data(), line.size());
      if (d.HasParseError() || !d.IsObject()) continue;
      out.push_back(
          {get(d, "id"), get(d, "lang"), get(d, "title"), get(d, "body"), get(d, "published")});
    }
  }
  return out;
}

}  // namespace newsflow::normalize::test
