// JSON rendering shared by the encoders: the `origin` object and the dead-letter record.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "processors/core/document.h"
#include "processors/core/status.h"

namespace newsflow::core {

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

// Writes the origin object of schemas (enriched_event and dead_letter "#/definitions/origin").
void WriteOriginJson(JsonWriter& w, const Origin& origin);

// A dead-letter record (schemas/dead_letter.v1.schema.json) for `record`, rejected with
// `status`. `article_id` may be empty when decoding did not get that far.
std::string EncodeDeadLetterJson(const RawRecord& record, const Status& status,
                                 std::string_view article_id, int64_t now_ms);

}  // namespace newsflow::core
