// Language identification on the labelled dev corpus (label `corpus`; skipped when absent).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "processors/normalize/languages.h"
#include "processors/normalize/normalize_stage.h"
#include "tests/unit/normalize/corpus_util.h"

namespace newsflow::normalize {
namespace {

TEST(CorpusLanguage, MatchesLabelsOnAtLeast98Percent) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent (see testing::DevCorpusPath)";
  auto stage = NormalizeStage::Create(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(stage.ok());
  size_t hits = 0;
  std::map<std::string, std::pair<int, int>> per_language;  // lang -> (hits, total)
  for (const auto& a : corpus) {
    schemas::RawRecord record;
    core::Document doc(record);
    doc.article.title = a.title;
    doc.article.body = a.body;
    doc.article.published = a.published;
    ASSERT_TRUE((*stage)->Process(doc, core::StageContext{}).ok());
    auto& [lang_hits, lang_total] = per_language[a.lang];
    ++lang_total;
    if (doc.language.code == a.lang) {
      ++hits;
      ++lang_hits;
    } else {
      std::printf("miss: %s labelled %s, detected '%s' (%.2f, %s)\n", a.id.c_str(), a.lang.c_str(),
                  doc.language.code.c_str(), doc.language.confidence, doc.language.script.c_str());
    }
  }
  for (const auto& [lang, counts] : per_language) {
    std::printf("%s: %d/%d\n", lang.c_str(), counts.first, counts.second);
  }
  const double accuracy = static_cast<double>(hits) / static_cast<double>(corpus.size());
  std::printf("language accuracy: %zu/%zu = %.1f%%\n", hits, corpus.size(), 100.0 * accuracy);
  RecordProperty("language_accuracy", std::to_string(accuracy));
  EXPECT_GE(accuracy, 0.98);
}

// How much text CLD2 needs: accuracy for several language_sample_bytes settings (printed, for
// choosing the default; the assertion above is on the default).
TEST(CorpusLanguage, AccuracyBySampleSize) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  for (int sample : {0, 128, 256, 512, 1024}) {
    YAML::Node config;
    config["language_sample_bytes"] = sample;
    auto stage = NormalizeStage::Create(config, "pipeline.normalize");
    ASSERT_TRUE(stage.ok());
    size_t hits = 0;
    for (const auto& a : corpus) {
      schemas::RawRecord record;
      core::Document doc(record);
      doc.article.title = a.title;
      doc.article.body = a.body;
      ASSERT_TRUE((*stage)->Process(doc, core::StageContext{}).ok());
      if (doc.language.code == a.lang) ++hits;
    }
    std::printf("language_sample_bytes=%d: %zu/%zu\n", sample, hits, corpus.size());
    EXPECT_GE(static_cast<double>(hits) / static_cast<double>(corpus.size()), 0.9);
  }
}

// The two-pass detection (language_first_pass_bytes): accuracy and how often the second, full
// sample was needed, for several first-pass sizes (printed, for choosing the default).
TEST(CorpusLanguage, AccuracyByFirstPassSize) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  for (size_t first : {0, 96, 128, 192, 256, 384}) {
    size_t hits = 0;
    size_t second_passes = 0;
    for (const auto& a : corpus) {
      const std::string text = a.title + "\n" + a.body;
      int calls = 0;
      DetectOptions options;
      options.max_bytes = 512;
      options.first_pass_bytes = first;
      options.cld2_calls = &calls;
      const core::Language l = DetectLanguage(text, options);
      if (l.code == a.lang) ++hits;
      if (calls == 2) ++second_passes;
    }
    std::printf("first_pass_bytes=%zu (sample 512): %zu/%zu, second pass for %zu\n", first, hits,
                corpus.size(), second_passes);
    EXPECT_GE(static_cast<double>(hits) / static_cast<double>(corpus.size()), 0.9);
  }
}

// The per-script first pass (language_first_pass_bytes_by_script) on more text than the 114
// articles: windows of 700 bytes starting at each line of each article (up to 12 per article,
// at least 300 bytes left), run through the stage with its defaults. Prints the figure per
// script of the window.
TEST(CorpusLanguage, FirstPassByScriptOnTextWindows) {
  const auto corpus = test::LoadDevCorpus();
  if (corpus.empty()) GTEST_SKIP() << "dev corpus absent";
  auto stage = NormalizeStage::Create(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(stage.ok());
  std::map<std::string, std::pair<size_t, size_t>> by_script;  // script -> (hits, windows)
  for (const auto& a : corpus) {
    size_t taken = 0;
    for (size_t start = 0; start < a.body.size() && taken < 12;) {
      const size_t eol = a.body.find('\n', start);
      if (a.body.size() - start >= 300) {
        size_t end = std::min(a.body.size(), start + 700);
        while (end < a.body.size() && (static_cast<uint8_t>(a.body[end]) & 0xC0) == 0x80) --end;
        schemas::RawRecord record;
        core::Document doc(record);
        doc.article.body = a.body.substr(start, end - start);
        ASSERT_TRUE((*stage)->Process(doc, core::StageContext{}).ok());
        auto& [hits, windows] = by_script[doc.language.script];
        ++windows;
        if (doc.language.code == a.lang) ++hits;
        ++taken;
      }
      if (eol == std::string::npos) break;
      start = eol + 1;
    }
  }
  for (const auto& [script, counts] : by_script) {
    std::printf("windows in %s: %zu/%zu right\n", script.c_str(), counts.first, counts.second);
    EXPECT_GE(static_cast<double>(counts.first) / static_cast<double>(counts.second), 0.98)
        << script;
  }
}

}  // namespace
}  // namespace newsflow::normalize
