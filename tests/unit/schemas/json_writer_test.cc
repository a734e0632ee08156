#include "schemas/json_writer.h"

#include <functional>
#include <iterator>
#include <string>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace newsflow::schemas {
namespace {

std::string Render(const std::function<void(JsonWriter&)>& body) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  body(w);
  return std::string(sb.GetString(), sb.GetSize());
}

TEST(JsonConstantTest, WritesWhatWriteStringWritesAsKeyAndValue) {
  for (const char* s : {"text", "", "quote \" backslash \\ tab \t nl \n ctl \x01", "é ب 😀"}) {
    const JsonConstant c(s);
    const std::string expected = Render([&](JsonWriter& w) {
      w.StartObject();
      WriteString(w, s);
      WriteString(w, s);
      WriteString(w, "k");
      w.StartArray();
      WriteString(w, s);
      WriteString(w, s);
      w.EndArray();
      w.EndObject();
    });
    const std::string actual = Render([&](JsonWriter& w) {
      w.StartObject();
      c.Write(w);
      c.Write(w);
      WriteString(w, "k");
      w.StartArray();
      c.Write(w);
      c.Write(w);
      w.EndArray();
      w.EndObject();
    });
    EXPECT_EQ(actual, expected);
  }
}

// Replays `doc` into a Writer of type W and returns the JSON.
template <typename W>
std::string Replay(const rapidjson::Document& doc) {
  rapidjson::StringBuffer sb;
  W w(sb);
  doc.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

TEST(PutStringWriterTest, WritesWhatTheWriterWritesForKeysAndStringsInEveryPosition) {
  // Strings of every length from 0 to 40 (the 16- and 8-byte steps and the byte loop), made of
  // every byte the Writer escapes and some it does not: each one as a key, as an object's
  // value, in an array and nested, with numbers, literals and nulls between them. Bytes
  // 0x1A-0x1F are left out here (the Writer's output for them depends on the string's
  // address; see the next test).
  std::string alphabet;
  for (int b = 0; b < 0x1A; ++b) alphabet += static_cast<char>(b);
  alphabet += " !\"#/\\az~\x7F";
  alphabet += "\xC3\xA9\xD8\xA8\xE2\x82\xAC\xF0\x9F\x98\x80";  // é ب € 😀
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& alloc = doc.GetAllocator();
  size_t strings = 0;
  for (size_t len = 0; len <= 40; ++len) {
    for (size_t start = 0; start < alphabet.size(); start += 7) {
      std::string s;
      for (size_t k = 0; k < len; ++k) s += alphabet[(start + k * 5) % alphabet.size()];
      rapidjson::Value inner(rapidjson::kArrayType);
      inner.PushBack(rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc),
                     alloc);
      inner.PushBack(rapidjson::Value(static_cast<int64_t>(len) - 20), alloc);
      inner.PushBack(rapidjson::Value(rapidjson::kNullType), alloc);
      rapidjson::Value nested(rapidjson::kObjectType);
      nested.AddMember(
          rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc), inner,
          alloc);
      nested.AddMember("b", rapidjson::Value(len % 2 == 0), alloc);
      doc.AddMember(rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc),
                    nested, alloc);
      ++strings;
    }
  }
  ASSERT_GT(strings, 250u);
  const std::string expected = Replay<JsonWriter>(doc);
  const std::string actual = Replay<PutStringWriter>(doc);
  EXPECT_EQ(actual, expected);
  // And what it wrote reads back as the same document.
  rapidjson::Document back;
  back.Parse(actual.data(), actual.size());
  ASSERT_FALSE(back.HasParseError());
  EXPECT_TRUE(back == doc);
}

TEST(PutStringWriterTest, EscapesEveryControlCharacterWhereverTheStringIs) {
  // 0x1A-0x1F inside a 16-byte block that RapidJSON's Writer may copy unescaped: always
  // escaped here, so the output is valid JSON whatever the address.
  rapidjson::Document doc(rapidjson::kArrayType);
  const std::string s =
      "0123456789abcdef\x1A\x1B\x1C\x1D\x1E\x1F"
      "0123456789abcdef";
  doc.PushBack(
      rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), doc.GetAllocator()),
      doc.GetAllocator());
  EXPECT_EQ(Replay<PutStringWriter>(doc),
            R"(["0123456789abcdef\u001A\u001B\u001C\u001D\u001E\u001F0123456789abcdef"])");
}

// What PutJsonString writes for `s`, from a buffer of its bound.
std::string Put(std::string_view s) {
  std::string out(6 * s.size() + 2, '\0');
  char* const end = PutJsonString(out.data(), s);
  out.resize(static_cast<size_t>(end - out.data()));
  return out;
}

TEST(PutJsonStringTest, WritesWhatTheWriterWritesWithTwoBytesToEscapeAtEveryPairOfPlaces) {
  // Strings of 0 to 72 bytes with no, one or two bytes to escape at every pair of places (in
  // the 16-byte steps, before the last 16 bytes, inside them, or both; the short strings' two
  // overlapping loads), in ASCII and in multi-byte text, at two alignments.
  // Each filler repeated to 72 bytes or more.
  const auto repeated = [](std::string_view unit) {
    std::string out;
    while (out.size() < 72) out += unit;
    return out;
  };
  const std::string fillers[] = {
      repeated("abcdefghijklmnopqrstuvwxyz0123456789ABCD"),
      repeated("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
               "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xe4\xb8\xad\xe6\x96\x87 x")};
  const char specials[] = {'"', '\\', '\n', '\x01', '\x19'};
  size_t compared = 0;
  for (const std::string& filler : fillers) {
    for (size_t len = 0; len <= 72; ++len) {
      for (size_t i = 0; i <= len; ++i) {
        for (size_t j = i; j <= len; ++j) {
          std::string s = filler.substr(0, len);
          if (i < len) s[i] = specials[(i + j) % std::size(specials)];
          if (j < len) s[j] = specials[(i + 2 * j) % std::size(specials)];
          for (const size_t shift : {0, 3}) {
            const std::string backing = std::string(shift, '.') + s;
            const std::string_view v = std::string_view(backing).substr(shift);
            ASSERT_EQ(Put(v), Render([&](JsonWriter& w) { WriteString(w, v); }))
                << "length " << len << ", escapes at " << i << " and " << j;
            ++compared;
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 250000u);
}

}  // namespace
}  // namespace newsflow::schemas
