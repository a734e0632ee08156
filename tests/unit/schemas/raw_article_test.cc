#include "schemas/raw_article.h"

#include <gtest/gtest.h>

#include "schemas/text.h"

namespace newsflow::schemas {
namespace {

const JsonLimits kLimits;

TEST(DecodeRawArticleJsonTest, DecodesAllKnownFields) {
  auto r = DecodeRawArticleJson(
      R"({"id":"a1","url":"https://x/1","source":"S","title":"T","body":"B","published":"P",
          "language":"ar","content_type":"text/html","fetched_at":"F"})",
      kLimits);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, "a1");
  EXPECT_EQ(r->id_source, IdSource::kFeed);
  EXPECT_EQ(r->url, "https://x/1");
  EXPECT_EQ(r->source, "S");
  EXPECT_EQ(r->title, "T");
  EXPECT_EQ(r->body, "B");
  EXPECT_EQ(r->published, "P");
  EXPECT_EQ(r->language, "ar");
  EXPECT_EQ(r->content_type, "text/html");
  EXPECT_EQ(r->fetched_at, "F");
  EXPECT_TRUE(r->extra_json.empty());
}

TEST(DecodeRawArticleJsonTest, KeepsUnknownFieldsUnderExtra) {
  auto r = DecodeRawArticleJson(R"({"title":"T","feed":{"n":1},"tags":["a"]})", kLimits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->extra_json, R"({"feed":{"n":1},"tags":["a"]})");
  // Re-encoding puts them back at the top level.
  EXPECT_NE(EncodeRawArticleJson(*r).find(R"("feed":{"n":1})"), std::string::npos);
}

TEST(DecodeRawArticleJsonTest, IdDerivedFromUrlElseContent) {
  auto with_url = DecodeRawArticleJson(R"({"title":"T","url":"https://x/1"})", kLimits);
  ASSERT_TRUE(with_url.ok());
  EXPECT_EQ(with_url->id, Hash128Hex("https://x/1"));
  EXPECT_EQ(with_url->id_source, IdSource::kUrl);
  auto a = DecodeRawArticleJson(R"({"title":"T","body":"B"})", kLimits);
  auto b = DecodeRawArticleJson(R"({"body":"B","title":"T","language":"en"})", kLimits);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->id_source, IdSource::kContent);
  EXPECT_EQ(a->id, b->id) << "content id depends only on title and body";
  auto c = DecodeRawArticleJson(R"({"title":"T","body":"B2"})", kLimits);
  EXPECT_NE(a->id, c->id);
}

TEST(DecodeRawArticleJsonTest, NullFieldsCountAsAbsent) {
  auto r = DecodeRawArticleJson(R"({"title":"T","body":null,"content_type":null})", kLimits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->content_type, "text/plain");
}

TEST(DecodeRawArticleJsonTest, ErrorsCarryClassAndPointer) {
  auto type = DecodeRawArticleJson(R"({"title":42})", kLimits);
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().code(), core::Code::kSchemaViolation);
  EXPECT_NE(type.status().message().find("/title"), std::string::npos) << type.status().message();

  auto empty = DecodeRawArticleJson(R"({"title":"  ","body":"\n"})", kLimits);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), core::Code::kEmptyArticle);

  auto missing = DecodeRawArticleJson(R"({"url":"u"})", kLimits);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::Code::kEmptyArticle);

  auto array = DecodeRawArticleJson(R"([{"title":"T"}])", kLimits);
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.status().code(), core::Code::kSchemaViolation);
  EXPECT_EQ(array.status().message(), "expected a JSON object (one article), got array");

  auto syntax = DecodeRawArticleJson(R"({"title":"T" "body":"B"})", kLimits);
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), core::Code::kMalformed);
  EXPECT_NE(syntax.status().message().find("at byte 13"), std::string::npos)
      << syntax.status().message();

  auto trailing = DecodeRawArticleJson(R"({"title":"T"} {"title":"U"})", kLimits);
  EXPECT_EQ(trailing.status().code(), core::Code::kMalformed);
}

TEST(DecodeRawArticleJsonTest, RejectsNestingBeyondLimitWithoutRecursion) {
  std::string deep = R"({"title":"T","junk":)";
  deep += std::string(100000, '[');
  deep += std::string(100000, ']');
  deep += "}";
  auto r = DecodeRawArticleJson(deep, kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::Code::kMalformed);
  EXPECT_NE(r.status().message().find("nesting deeper than 32"), std::string::npos);
}

TEST(DecodeRawArticleJsonTest, RejectsLoneSurrogateEscape) {
  auto r = DecodeRawArticleJson(R"({"title":"a\udc00b"})", kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().code() == core::Code::kInvalidEncoding ||
              r.status().code() == core::Code::kMalformed)
      << r.status().ToString();
}

TEST(DecodeRawArticleTextTest, FirstNonEmptyLineIsTitle) {
  auto r = DecodeRawArticleText("\n  \n  Headline here  \r\nline one\nline two\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "Headline here");
  EXPECT_EQ(r->body, "line one\nline two\n");
  EXPECT_EQ(r->id_source, IdSource::kContent);
}

TEST(DecodeRawArticleTextTest, BlankTextIsEmptyArticle) {
  auto r = DecodeRawArticleText(" \n\t\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::Code::kEmptyArticle);
}

}  // namespace
}  // namespace newsflow::schemas
