// A pipeline (decode, normalize, tag, score) over a taxonomy written inline in a test.
#pragma once

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "processors/builtin.h"
#include "processors/core/pipeline.h"
#include "processors/tag/taxonomy.h"
#include "tests/testing/testing.h"

namespace newsflow::tag {

// SourceProvider over an in-memory {name: text} map.
inline SourceProvider MemorySource(std::map<std::string, std::string> files) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(files));
  SourceProvider p;
  p.read = [shared](const std::string& name) -> Result<std::string> {
    auto it = shared->find(name);
    if (it == shared->end()) {
      return Status(Code::kInvalidConfig, "taxonomy", name + ": no such file");
    }
    return it->second;
  };
  p.list = [shared](const std::string& pattern) {
    std::vector<std::string> out;
    const std::string prefix = pattern.substr(0, pattern.find('*'));
    for (const auto& [name, text] : *shared) {
      if (name.rfind(prefix, 0) == 0 && name != "taxonomy.yaml") out.push_back(name);
    }
    return out;
  };
  return p;
}

inline Result<std::shared_ptr<const Taxonomy>> CompileInline(const std::string& entities,
                                                             const std::string& topics,
                                                             const std::string& version = "t1") {
  return CompileTaxonomy("taxonomy.yaml",
                         MemorySource({{"taxonomy.yaml", "version: \"" + version +
                                                             "\"\nentities: [\"entities/*\"]\n"
                                                             "topics: [\"topics/*\"]\n"},
                                       {"entities/e.yaml", entities},
                                       {"topics/t.yaml", topics}}));
}

class TaggedPipeline {
 public:
  // `stage_config`: more entries of the pipeline's YAML map (", tag: {unlinked_names: false}").
  explicit TaggedPipeline(std::shared_ptr<const Taxonomy> taxonomy,
                          const std::string& stage_config = "")
      : store_(std::make_shared<TaxonomyStore>(std::move(taxonomy))) {
    EXPECT_TRUE(processors::RegisterBuiltinStages(registry_, {.taxonomy = store_}).ok());
    auto p = core::Pipeline::Create(
        registry_, YAML::Load("{stages: [decode, normalize, tag, score]" + stage_config + "}"));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    pipeline_ = std::move(p).value();
  }

  // Runs a JSON raw article through the stages; the Document stays valid until the next Run.
  const core::Document& Run(const std::string& json) {
    const Status s = TryRun(json);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return *doc_;
  }
  // The same for input that may be rejected (a malformed line): the pipeline's status, no
  // expectation; doc() is what the stages left, complete only when the status is OK.
  Status TryRun(const std::string& json) {
    record_ = testing::MakeRecord(json, "application/json");
    doc_ = std::make_unique<core::Document>(record_);
    return pipeline_->ProcessDocument(*doc_, {&clock_, "test"});
  }
  const core::Document& doc() const { return *doc_; }

  TaxonomyStore& store() { return *store_; }

 private:
  std::shared_ptr<TaxonomyStore> store_;
  core::StageRegistry registry_;
  std::unique_ptr<core::Pipeline> pipeline_;
  core::FixedClock clock_{0};
  schemas::RawRecord record_;
  std::unique_ptr<core::Document> doc_;
};

inline std::string Article(const std::string& title, const std::string& body,
                           const std::string& language = "") {
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '"' || c == '\\') o += '\\';
      if (c == '\n') {
        o += "\\n";
        continue;
      }
      o += c;
    }
    return o;
  };
  return "{\"title\":\"" + esc(title) + "\",\"body\":\"" + esc(body) + "\"" +
         (language.empty() ? "" : ",\"language\":\"" + language + "\"") + "}";
}

}  // namespace newsflow::tag
