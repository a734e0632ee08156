#include "processors/decode/decode_stage.h"

#include <gtest/gtest.h>

#include "tests/testing/testing.h"

namespace newsflow::decode {
namespace {

struct Decoded {
  Status status;
  schemas::RawArticle article;
};

Decoded Decode(std::string value, std::string content_type = "", const std::string& yaml = "{}") {
  auto stage = DecodeStage::Create(YAML::Load(yaml), "pipeline.decode");
  EXPECT_TRUE(stage.ok()) << stage.status().ToString();
  schemas::RawRecord record = testing::MakeRecord(std::move(value), std::move(content_type));
  core::Document doc(record);
  core::FixedClock clock(0);
  Status st = (*stage)->Process(doc, {&clock, "test"});
  return {st, doc.article};
}

TEST(DecodeStageTest, JsonArticle) {
  Decoded d = Decode(R"({"title":"T","body":"B"})");
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(d.article.title, "T");
}

TEST(DecodeStageTest, PlainTextByHeaderOrSniffing) {
  Decoded by_header = Decode("{braces in a title}\nbody", "text/plain");
  ASSERT_TRUE(by_header.status.ok());
  EXPECT_EQ(by_header.article.title, "{braces in a title}");
  Decoded sniffed = Decode("Title line\nbody");
  ASSERT_TRUE(sniffed.status.ok());
  EXPECT_EQ(sniffed.article.title, "Title line");
  Decoded html = Decode("Title\n<p>x</p>", "text/html; charset=utf-8");
  ASSERT_TRUE(html.status.ok());
  EXPECT_EQ(html.article.content_type, "text/html");
}

TEST(DecodeStageTest, SeedArticleDecodesAsPlainText) {
  Decoded d =
      Decode(testing::ReadFile(testing::SourcePath("tests/data/seed_ar_000_66ca287a9a26f914.txt")),
             "text/plain");
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.article.title, "أكسيوس: البيت الأبيض يجمد خطط عقد قمة ثانية بين ترامب وبوتين");
}

TEST(DecodeStageTest, TooLarge) {
  Decoded d =
      Decode(R"({"title":")" + std::string(2000, 'x') + R"("})", "", "{max_record_bytes: 1000}");
  EXPECT_EQ(d.status.code(), Code::kTooLarge);
  EXPECT_EQ(d.status.stage(), "decode");
  EXPECT_NE(d.status.message().find("limit (max_record_bytes) is 1000"), std::string::npos);
}

TEST(DecodeStageTest, Utf8ByteOrderMarkIsTolerated) {
  Decoded d = Decode("\xEF\xBB\xBF{\"title\":\"T\"}");
  EXPECT_TRUE(d.status.ok()) << d.status.ToString();
}

TEST(DecodeStageTest, Utf16IsRejectedWithAClearMessage) {
  const std::string le_bom("\xFF\xFE{\0\"\0t\0\"\0:\0\"\0x\0\"\0}\0", 20);
  Decoded bom = Decode(le_bom);
  EXPECT_EQ(bom.status.code(), Code::kInvalidEncoding);
  EXPECT_NE(bom.status.message().find("UTF-16"), std::string::npos);
  const std::string le_no_bom("{\0\"\0t\0i\0t\0l\0e\0\"\0:\0\"\0x\0\"\0}\0", 26);
  Decoded no_bom = Decode(le_no_bom);
  EXPECT_EQ(no_bom.status.code(), Code::kInvalidEncoding);
  EXPECT_NE(no_bom.status.message().find("UTF-16"), std::string::npos);
}

TEST(DecodeStageTest, NulByteNamesOffset) {
  Decoded d = Decode(std::string("{\"title\":\"a\0b\"}", 15));
  EXPECT_EQ(d.status.code(), Code::kInvalidEncoding);
  EXPECT_EQ(d.status.message(), "NUL byte at byte 11");
}

TEST(DecodeStageTest, InvalidUtf8NamesOffsetOrIsReplacedWhenConfigured) {
  const std::string bad = "{\"title\":\"caf\xE9\"}";
  Decoded rejected = Decode(bad);
  EXPECT_EQ(rejected.status.code(), Code::kInvalidEncoding);
  EXPECT_EQ(rejected.status.message(), "invalid UTF-8 at byte 13");
  Decoded replaced = Decode(bad, "", "{on_invalid_utf8: replace}");
  ASSERT_TRUE(replaced.status.ok()) << replaced.status.ToString();
  EXPECT_EQ(replaced.article.title, "caf\xEF\xBF\xBD");
}

TEST(DecodeStageTest, ForcedFormat) {
  Decoded d = Decode("not json", "", "{format: json}");
  EXPECT_EQ(d.status.code(), Code::kMalformed);
}

TEST(DecodeConfigTest, BadValuesNameTheKey) {
  auto bad = DecodeStage::Create(YAML::Load("{format: xml}"), "pipeline.decode");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "pipeline.decode.format: must be auto, json or text, got 'xml'");
  auto neg = DecodeStage::Create(YAML::Load("{max_record_bytes: 0}"), "pipeline.decode");
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.status().message(), "pipeline.decode.max_record_bytes: must be positive");
}

TEST(ReplaceInvalidUtf8Test, ReplacesEachBadSequenceOnce) {
  EXPECT_EQ(ReplaceInvalidUtf8("a\xFF"
                               "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(ReplaceInvalidUtf8("\xE2\x82"), "\xEF\xBF\xBD");
  EXPECT_EQ(ReplaceInvalidUtf8("ok"), "ok");
}

}  // namespace
}  // namespace newsflow::decode
