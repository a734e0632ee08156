// JSON writing helpers shared by every encoder of the contract (enriched events, dead letters):
// RapidJSON's Writer with literal-length keys and pre-rendered constants, and the `origin`
// object that enriched_event.v1 and dead_letter.v1 share.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "schemas/record.h"

namespace newsflow::schemas {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void WriteString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// A key or string given as a literal: its length is known at compile time, where
// Writer::Key(const char*) and String(const char*) would count it.
template <size_t N>
inline void WriteKey(JsonWriter& w, const char (&key)[N]) {
  w.Key(key, N - 1);
}
template <size_t N>
inline void WriteLiteral(JsonWriter& w, const char (&s)[N]) {
  w.String(s, N - 1);
}

// A constant string (an object key, or a fixed value such as a field name) rendered as JSON once,
// by RapidJSON's Writer, and then written with Writer::RawValue: the Writer does not scan it
// for characters to escape at every use. For keys and values repeated per match and entity.
class JsonConstant {
 public:
  explicit JsonConstant(std::string_view s) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    WriteString(w, s);
    json_.assign(sb.GetString(), sb.GetSize());
  }
  // As a key (in an object) or a string value: Prefix() sees a string either way.
  void Write(JsonWriter& w) const {
    w.RawValue(json_.data(), json_.size(), rapidjson::kStringType);
  }
  const std::string& json() const { return json_; }

 private:
  std::string json_;
};

// Writes the origin object of the schemas (enriched_event and dead_letter "#/definitions/origin").
void WriteOriginJson(JsonWriter& w, const Origin& origin);

}  // namespace newsflow::schemas
