// Small byte-level helpers the codec needs: UTF-8 validation, base64, RFC 3339 time.
//
// Written here rather than taken from a library because each is a few lines on the hot path
// and the candidates in Debian (ICU's converters, OpenSSL's base64 BIOs) allocate or need a
// stream object per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace newsflow::schemas {

// Byte offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF), or nullopt if `bytes` is valid.
std::optional<size_t> FindInvalidUtf8(std::string_view bytes);

// Offset of the first NUL byte, or nullopt.
std::optional<size_t> FindNul(std::string_view bytes);

// Standard base64 (RFC 4648 section 4), padded.
std::string Base64Encode(std::string_view bytes);

// RFC 3339 UTC with millisecond precision, e.g. "2025-10-21T00:00:00.000Z". The one timestamp
// formatter of the project: every timestamp newsflow writes (events, dead letters, headers,
// logs) comes from here.
std::string FormatRfc3339(int64_t epoch_ms);

// Parses an RFC 3339 date-time ("2026-01-01T00:00:00Z", "2026-01-01t00:00:00.5+02:00"; 'T' or
// a space between date and time, any number of fraction digits, truncated to milliseconds) into
// epoch milliseconds. nullopt for anything else, including out-of-range fields (month 13,
// second 61) and trailing characters. The one parser of such times in the project.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Lower-case hex of XXH3-128 of `bytes` (32 characters).
std::string Hash128Hex(std::string_view bytes);

}  // namespace newsflow::schemas
