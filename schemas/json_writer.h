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

// JSON strings written straight into a buffer, byte for byte what RapidJSON's Writer::String
// writes with the default flags (tests/unit/encode and tests/unit/story compare them with the
// Writer over every byte value, lengths and alignments), for the encoders that write their
// records without the Writer (enriched events' texts and matches, story.v1): the Writer copies
// a string through a per-byte loop wherever its 16-byte scan is not aligned (at every string
// start, after every escaped byte such as a body's newlines, and at the last <16 bytes), ~6
// instructions per byte; this copies a string of 4-15 bytes with nothing to escape by two
// overlapping loads and stores, longer ones 16 bytes per step (SSE2) and their last 1-15 bytes as
// an overlapping 16, and otherwise 8 bytes per step (a SWAR test), then byte by byte with a
// table, and escapes what the Writer escapes.
// One difference, a fix: bytes 0x1A-0x1F are always escaped (\u001A...), as the Writer does on
// its byte-wise path; RapidJSON 1.1.0 copies them unescaped inside its aligned 16-byte blocks
// (its SIMD test is "<= 0x19"), which is not valid JSON and depends on the string's address.
//
// Writes `s` as a JSON string (quotes included) at `p`, which must have room for
// 6 * s.size() + 2 bytes (the 16-byte stores stay inside it: one is made only while 16 input
// bytes are left, and those alone have room for 96, or ends at the string's end); returns the
// end.
char* PutJsonString(char* p, std::string_view s);

// RapidJSON's Writer with its strings and keys put by PutJsonString (above) instead of the
// Writer's own copy: for re-writing parsed JSON (a record's unknown members, raw_article.cc),
// where the Writer's per-byte loop was ~250 instructions per string (~5.9 K per article of the
// dev corpus, whose records carry ~20 unknown strings each). The bytes are the Writer's, with
// the 0x1A-0x1F fix described at PutJsonString. Only for a StringBuffer (it writes into the
// buffer's memory).
class PutStringWriter : public JsonWriter {
 public:
  using JsonWriter::JsonWriter;
  bool String(const Ch* s, rapidjson::SizeType n, bool /*copy*/ = false) {
    Prefix(rapidjson::kStringType);
    const size_t bound = 6 * static_cast<size_t>(n) + 2;
    char* const start = os_->Push(bound);
    char* const end = PutJsonString(start, std::string_view(s, n));
    os_->Pop(bound - static_cast<size_t>(end - start));
    return EndValue(true);
  }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy = false) { return String(s, n, copy); }
};

// Writes the origin object of the schemas (enriched_event and dead_letter "#/definitions/origin").
void WriteOriginJson(JsonWriter& w, const Origin& origin);

}  // namespace newsflow::schemas
