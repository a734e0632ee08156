// The pieces both story.v1 encoders write with: EncodeStoryState (story_state.cc) and the
// store's own RecordLocked (story_store.cc), which must write the same bytes
// (StoryStoreTest.RandomRecordsAreTheEncodedState). Strings go through schemas::PutJsonString.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "schemas/json_writer.h"

namespace newsflow::story {

// Longest text of an int64 (rapidjson::internal::i64toa).
inline constexpr size_t kMaxInt64Bytes = 20;

// A literal's bytes (its size a constant: no call), at `p`; returns the end.
template <size_t N>
[[gnu::always_inline]] inline char* PutLiteral(char* p, const char (&literal)[N]) {
  std::memcpy(p, literal, N - 1);
  return p + N - 1;
}

[[gnu::always_inline]] inline char* PutBytes(char* p, const char* s, size_t n) {
  std::memcpy(p, s, n);
  return p + n;
}

// `s` as a JSON string. `plain`: known to need no escape (NeedsNoJsonEscape, or text such as
// the times that cannot have one): copied between quotes without PutJsonString's scan, the same
// bytes. Room: 6 * s.size() + 2.
inline char* PutName(char* p, std::string_view s, bool plain) {
  if (!plain) return schemas::PutJsonString(p, s);
  *p++ = '"';
  p = PutBytes(p, s.data(), s.size());
  *p++ = '"';
  return p;
}

// `v` as 16 lower-case hex digits ("%016" PRIx64, the fingerprint's form in story.v1).
inline char* PutHex16(char* p, uint64_t v) {
  constexpr char kLowerHex[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) *p++ = kLowerHex[(v >> shift) & 0xF];
  return p;
}

}  // namespace newsflow::story
