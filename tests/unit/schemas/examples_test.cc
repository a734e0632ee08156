// Every file under schemas/examples/<schema>/{valid,invalid}/ is checked against its schema:
// valid ones must pass, invalid ones must fail.
#include <filesystem>

#include <gtest/gtest.h>

#include "schemas/raw_article.h"
#include "schemas/validate.h"
#include "tests/testing/testing.h"

namespace newsflow::schemas {
namespace {

namespace fs = std::filesystem;

struct SchemaDir {
  const char* dir;
  SchemaId id;
};

constexpr SchemaDir kDirs[] = {{"raw_article", SchemaId::kRawArticle},
                               {"enriched_event", SchemaId::kEnrichedEvent},
                               {"alert", SchemaId::kAlert},
                               {"dead_letter", SchemaId::kDeadLetter},
                               {"story", SchemaId::kStory}};

TEST(SchemaExamplesTest, ValidExamplesPassAndInvalidOnesFail) {
  int valid = 0;
  int invalid = 0;
  for (const auto& d : kDirs) {
    const fs::path base = testing::SourcePath("schemas/examples") + "/" + d.dir;
    for (const char* kind : {"valid", "invalid"}) {
      const bool expect_ok = std::string_view(kind) == "valid";
      int seen = 0;
      for (const auto& entry : fs::directory_iterator(base / kind)) {
        const std::string text = testing::ReadFile(entry.path().string());
        Status s = ValidateText(d.id, text);
        EXPECT_EQ(s.ok(), expect_ok) << entry.path() << ": " << s.ToString();
        ++seen;
        (expect_ok ? valid : invalid)++;
      }
      EXPECT_GT(seen, 0) << "no examples in " << (base / kind);
    }
  }
  EXPECT_GE(valid, 8);
  EXPECT_GE(invalid, 10);
}

// The decoder's quick check must never accept a raw article that the schema rejects.
TEST(SchemaExamplesTest, QuickCheckNeverAcceptsWhatTheSchemaRejects) {
  std::vector<std::string> cases;
  const fs::path base = testing::SourcePath("schemas/examples/raw_article");
  for (const char* kind : {"valid", "invalid"}) {
    for (const auto& entry : fs::directory_iterator(base / kind)) {
      cases.push_back(testing::ReadFile(entry.path().string()));
    }
  }
  const char* more[] = {R"({"title":"t","id":""})",
                        R"({"title":"t","id":null})",
                        R"({"title":"","body":""})",
                        R"({"title":"t","content_type":"text/xml"})",
                        R"({"title":"t","language":"0123456789012345678901234567890123456"})",
                        R"({"title":"t","url":5})",
                        R"({"body":"b","extra":{"x":[1,2]}})",
                        R"({"title":null,"body":"b"})",
                        R"({"title":"t","body":null,"content_type":null})",
                        R"({"title":"t","fetched_at":true})"};
  for (const char* m : more) cases.emplace_back(m);
  int quick_accepted = 0;
  for (const auto& text : cases) {
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    ASSERT_FALSE(d.HasParseError()) << text;
    if (QuickValidRawArticle(d)) {
      ++quick_accepted;
      EXPECT_TRUE(Validate(SchemaId::kRawArticle, d).ok()) << text;
    }
  }
  EXPECT_GE(quick_accepted, 6);
}

TEST(SchemaExamplesTest, EverySchemaIsCompiledIn) {
  for (const auto& d : kDirs) {
    EXPECT_FALSE(SchemaText(d.id).empty());
    EXPECT_EQ(SchemaText(d.id), testing::ReadFile(testing::SourcePath("schemas/") +
                                                  std::string(SchemaFileName(d.id))));
  }
}

}  // namespace
}  // namespace newsflow::schemas
