#include "schemas/json_writer.h"

#include <functional>
#include <string>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace newsflow::schemas
