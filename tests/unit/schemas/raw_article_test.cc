#include "schemas/raw_article.h"

#include <fstream>
#include <string>

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

TEST(DecodeRawArticleJsonTest, UnknownStringsAreRewrittenWithTheirEscapes) {
  // Keys and strings of unknown members, short and longer than 16 bytes, with escapes (both
  // paths: the one-pass handler and the DOM replay write them with PutStringWriter).
  const std::string record =
      R"({"title":"T","n\u00f6te":"a \"quoted\" word, a back\\slash and a\ttab\nnewline \u0001",)"
      R"("tags":["x","\u00e9t\u00e9 2021 \u062d\u0631\u0628 longer than sixteen bytes"],)"
      R"("f":{"k\"":"\u001f\u001a"}})";
  const std::string expected =
      "{\"n\xC3\xB6te\":\"a \\\"quoted\\\" word, a back\\\\slash and a\\ttab\\nnewline "
      "\\u0001\",\"tags\":[\"x\",\"\xC3\xA9t\xC3\xA9 2021 \xD8\xAD\xD8\xB1\xD8\xA8 longer than "
      "sixteen bytes\"],\"f\":{\"k\\\"\":\"\\u001F\\u001A\"}}";
  auto fast = DecodeRawArticleJson(record, kLimits);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  EXPECT_EQ(fast->extra_json, expected);
  auto dom = DecodeRawArticleJsonDom(record, kLimits);
  ASSERT_TRUE(dom.ok()) << dom.status().ToString();
  EXPECT_EQ(dom->extra_json, expected);
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
  EXPECT_EQ(type.status().code(), Code::kSchemaViolation);
  EXPECT_NE(type.status().message().find("/title"), std::string::npos) << type.status().message();

  auto empty = DecodeRawArticleJson(R"({"title":"  ","body":"\n"})", kLimits);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), Code::kEmptyArticle);

  auto missing = DecodeRawArticleJson(R"({"url":"u"})", kLimits);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kEmptyArticle);

  auto array = DecodeRawArticleJson(R"([{"title":"T"}])", kLimits);
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.status().code(), Code::kSchemaViolation);
  EXPECT_EQ(array.status().message(), "expected a JSON object (one article), got array");

  auto syntax = DecodeRawArticleJson(R"({"title":"T" "body":"B"})", kLimits);
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), Code::kMalformed);
  EXPECT_NE(syntax.status().message().find("at byte 13"), std::string::npos)
      << syntax.status().message();

  auto trailing = DecodeRawArticleJson(R"({"title":"T"} {"title":"U"})", kLimits);
  EXPECT_EQ(trailing.status().code(), Code::kMalformed);
}

TEST(DecodeRawArticleJsonTest, RejectsNestingBeyondLimitWithoutRecursion) {
  std::string deep = R"({"title":"T","junk":)";
  deep += std::string(100000, '[');
  deep += std::string(100000, ']');
  deep += "}";
  auto r = DecodeRawArticleJson(deep, kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kMalformed);
  EXPECT_NE(r.status().message().find("nesting deeper than 32"), std::string::npos);
}

TEST(DecodeRawArticleJsonTest, RejectsLoneSurrogateEscape) {
  auto r = DecodeRawArticleJson(R"({"title":"a\udc00b"})", kLimits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().code() == Code::kInvalidEncoding || r.status().code() == Code::kMalformed)
      << r.status().ToString();
}

// DecodeRawArticleJson decodes most records in one pass without a DOM and sends the rest to
// DecodeRawArticleJsonDom: both must give the same article, or the same error, for any input.
void ExpectSameAsDom(const std::string& bytes, const JsonLimits& limits = kLimits) {
  SCOPED_TRACE(bytes.size() > 300 ? bytes.substr(0, 300) + "..." : bytes);
  const auto fast = DecodeRawArticleJson(bytes, limits);
  const auto dom = DecodeRawArticleJsonDom(bytes, limits);
  ASSERT_EQ(fast.ok(), dom.ok()) << (fast.ok() ? dom.status() : fast.status()).ToString();
  if (!fast.ok()) {
    EXPECT_EQ(fast.status().code(), dom.status().code());
    EXPECT_EQ(fast.status().stage(), dom.status().stage());
    EXPECT_EQ(fast.status().message(), dom.status().message());
    return;
  }
  EXPECT_EQ(fast->id, dom->id);
  EXPECT_EQ(fast->id_source, dom->id_source);
  EXPECT_EQ(fast->url, dom->url);
  EXPECT_EQ(fast->source, dom->source);
  EXPECT_EQ(fast->title, dom->title);
  EXPECT_EQ(fast->body, dom->body);
  EXPECT_EQ(fast->published, dom->published);
  EXPECT_EQ(fast->language, dom->language);
  EXPECT_EQ(fast->content_type, dom->content_type);
  EXPECT_EQ(fast->fetched_at, dom->fetched_at);
  EXPECT_EQ(fast->extra_json, dom->extra_json);
}

TEST(DecodeRawArticleJsonTest, OnePassDecodingEqualsTheDomPath) {
  const std::string long_id(513, 'i');
  std::string long_id_code_points;  // 300 code points in 600 bytes: the schema's limit is 512
  for (int i = 0; i < 300; ++i) long_id_code_points += "\xD8\xA8";
  const std::string cases[] = {
      R"({"title":"T"})",
      R"({"body":"B"})",
      R"({"id":"a1","url":"https://x/1","source":"S","title":"T","body":"B","published":"P",
          "language":"ar","content_type":"text/html","fetched_at":"F"})",
      R"(  {"title":"T","body":"B"}  )",
      R"({"title":"T","feed":{"n":1,"m":[1,-2,3.5,1e3,-0.0,18446744073709551615,
          -9223372036854775808,4294967296,2147483648,true,false,null,"s\n\"\\\/\u00e9"]},
          "tags":["a",{"b":[[]]},{}],"z":null,"e":""})",
      R"({"title":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t","extra":"\u0001\u001f"})",
      R"({"title":"T","\u00e9t\u00e9":1,"k\"ey":2})",
      R"({"title":"a\udc00b"})",
      R"({"title":"T","body":"\ud800"})",
      R"({"title":"T","x":"\udc00"})",
      R"({"title":"T","title":"U"})",
      R"({"title":"T","id":"a","id":null})",
      R"({"title":"T","x":1,"x":2})",
      R"({"title":"T","body":null,"content_type":null,"id":null,"url":null})",
      R"({"title":"T","id":null})",
      R"({"title":"T","id":""})",
      R"({"title":"T","id":")" + long_id + R"("})",
      R"({"title":"T","id":")" + long_id_code_points + R"("})",
      R"({"title":"T","content_type":""})",
      R"({"title":"T","content_type":"text/xml"})",
      R"({"title":"T","content_type":"text/plain"})",
      R"({"title":"T","language":"ar-Arab-EG-u-nu-arab-x-something-long"})",
      R"({"title":"T","language":"ar-Arab-EG-u-nu-arab-x-something-longer-than-35"})",
      R"({"title":42})",
      R"({"title":"T","body":true})",
      R"({"title":"T","body":["B"]})",
      R"({"title":"T","body":{"text":"B"}})",
      R"({"title":"","body":""})",
      R"({"title":"  ","body":"\n"})",
      R"({"title":"","body":"B"})",
      R"({"url":"u"})",
      R"({})",
      R"([{"title":"T"}])",
      R"("title")",
      R"(42)",
      R"(null)",
      R"({"title":"T" "body":"B"})",
      R"({"title":"T"} {"title":"U"})",
      R"({"title":"T")",
      R"({"title":"T",})",
      R"({"title":"T\x"})",
      "",
      "   ",
  };
  for (const auto& c : cases) ExpectSameAsDom(c);
  // Nesting at, under and over the limit, in unknown members and as known fields.
  for (int depth : {1, 2, 3, 4, 5, 30, 31, 32, 33, 100}) {
    const std::string arrays = std::string(depth, '[') + std::string(depth, ']');
    const std::string objects = [depth] {
      std::string s;
      for (int i = 0; i < depth; ++i) s += R"({"a":)";
      s += "1";
      for (int i = 0; i < depth; ++i) s += "}";
      return s;
    }();
    ExpectSameAsDom(R"({"title":"T","junk":)" + arrays + "}");
    ExpectSameAsDom(R"({"title":"T","junk":)" + objects + "}");
    ExpectSameAsDom(R"({"title":"T","body":)" + arrays + "}");
    ExpectSameAsDom(R"({"title":"T","junk":)" + arrays + "}", JsonLimits{.max_depth = 4});
    ExpectSameAsDom(R"({"title":"T","junk":)" + objects + "}", JsonLimits{.max_depth = 4});
  }
}

TEST(DecodeRawArticleJsonTest, OnePassDecodingEqualsTheDomPathOnCorpora) {
  size_t records = 0;
  for (const char* file :
       {"/samples/articles.jsonl", "/tests/golden/mixed_records/input.jsonl",
        "/../shared/corpus/dev/articles.jsonl", "/../shared/corpus/dev/articles-batch2.jsonl"}) {
    std::ifstream in(std::string(NEWSFLOW_SOURCE_DIR) + file);
    std::string line;
    while (std::getline(in, line)) {
      ExpectSameAsDom(line);
      ++records;
    }
  }
  EXPECT_GT(records, 10u);
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
  EXPECT_EQ(r.status().code(), Code::kEmptyArticle);
}

}  // namespace
}  // namespace newsflow::schemas
