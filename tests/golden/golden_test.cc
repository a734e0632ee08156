// Runs every case under tests/golden/ through the offline runner (the same code path as
// `newsflow process`) with a fixed clock, validates every event against the enriched-event
// schema, and compares with the expected files. NEWSFLOW_UPDATE_GOLDEN=1 rewrites them.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "app/app_config.h"
#include "app/offline.h"
#include "app/pipeline_setup.h"
#include "schemas/validate.h"
#include "tests/testing/testing.h"

namespace newsflow {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kProcessedAt = 1767225600000;  // 2026-01-01T00:00:00Z

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(testing::SourcePath("tests/golden"))) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// JSON Lines -> one pretty-printed JSON array, so that diffs are readable.
std::string PrettyArray(const std::string& jsonl) {
  std::string out = "[\n";
  std::istringstream in(jsonl);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError()) return "unparseable output: " + line;
    rapidjson::StringBuffer sb;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
    w.SetIndent(' ', 2);
    d.Accept(w);
    if (!first) out += ",\n";
    out += sb.GetString();
    first = false;
  }
  out += "\n]\n";
  return out;
}

std::string ReadOrEmpty(const fs::path& p) {
  if (!fs::exists(p)) return "";
  return testing::ReadFile(p.string());
}

void CompareOrUpdate(const fs::path& expected_path, const std::string& actual, bool update) {
  if (update) {
    if (actual == "[\n\n]\n") {
      fs::remove(expected_path);
    } else {
      std::ofstream(expected_path, std::ios::binary) << actual;
    }
    return;
  }
  const std::string expected = ReadOrEmpty(expected_path);
  const std::string normalized_actual = actual == "[\n\n]\n" ? "" : actual;
  if (expected == normalized_actual) return;
  const fs::path actual_path =
      fs::path(::testing::TempDir()) /
      (expected_path.parent_path().filename().string() + "." + expected_path.filename().string());
  std::ofstream(actual_path, std::ios::binary) << normalized_actual;
  std::string diff;
  const std::string cmd =
      "diff -u '" + expected_path.string() + "' '" + actual_path.string() + "' 2>&1 | head -80";
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) diff.append(buf, n);
    pclose(p);
  }
  ADD_FAILURE() << expected_path << " differs from the actual output (" << actual_path
                << ").\nIf the change is intended, run tests/golden/update.sh and review.\n"
                << diff;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, MatchesExpectedOutput) {
  const fs::path dir = fs::path(testing::SourcePath("tests/golden")) / GetParam();
  fs::path input;
  for (const char* name : {"input.jsonl", "input.txt", "input.html"}) {
    if (fs::exists(dir / name)) input = dir / name;
  }
  ASSERT_FALSE(input.empty()) << "no input.{jsonl,txt,html} in " << dir;

  const std::string config_path =
      fs::exists(dir / "config.yaml") ? (dir / "config.yaml").string() : "";
  auto pipeline_setup = app::BuildPipelineSetup(config_path);
  ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
  const core::Pipeline* pipeline = (*pipeline_setup)->pipeline.get();

  core::FixedClock clock(kProcessedAt);
  const core::StageContext ctx{&clock, "golden"};
  std::ostringstream out, dead, log;
  app::OfflineRunner runner(*pipeline, ctx, out, &dead, log);
  std::ifstream in(input, std::ios::binary);
  // The origin names the file relative to the case, so outputs do not depend on the checkout.
  runner.ProcessStream(in, GetParam() + "/" + input.filename().string(),
                       app::KindFromPath(input.string()), false);
  EXPECT_EQ(runner.stats().read, runner.stats().enriched + runner.stats().dead_lettered);

  std::istringstream events(out.str());
  std::string line;
  while (std::getline(events, line)) {
    Status s = schemas::ValidateText(schemas::SchemaId::kEnrichedEvent, line);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << line;
  }
  std::istringstream dead_letters(dead.str());
  while (std::getline(dead_letters, line)) {
    Status s = schemas::ValidateText(schemas::SchemaId::kDeadLetter, line);
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << line;
  }

  const char* update_env = std::getenv("NEWSFLOW_UPDATE_GOLDEN");
  const bool update = update_env != nullptr && std::string_view(update_env) == "1";
  CompareOrUpdate(dir / "expected.json", PrettyArray(out.str()), update);
  CompareOrUpdate(dir / "expected_dead.json", PrettyArray(dead.str()), update);
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenTest, ::testing::ValuesIn(CaseNames()),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace newsflow
