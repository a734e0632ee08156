#include "schemas/json_writer.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "schemas/text.h"

namespace newsflow::schemas {
namespace {

// The escape RapidJSON's Writer (default flags) writes for a byte, or 0 for a byte it copies
// as it is: control characters as \b \t \n \f \r or \u00XX (upper-case hex), '"' and '\\'
// preceded by a backslash; every other byte (non-ASCII, DEL, '/') is copied.
constexpr char EscapeOf(unsigned char b) {
  switch (b) {
    case '\b':
      return 'b';
    case '\t':
      return 't';
    case '\n':
      return 'n';
    case '\f':
      return 'f';
    case '\r':
      return 'r';
    case '"':
      return '"';
    case '\\':
      return '\\';
    default:
      return b < 0x20 ? 'u' : 0;
  }
}

constexpr std::array<char, 256> kEscapes = [] {
  std::array<char, 256> table{};
  for (int b = 0; b < 256; ++b) table[b] = EscapeOf(static_cast<unsigned char>(b));
  return table;
}();

// Whether one of the 8 bytes of `word` is to be escaped (< 0x20, '"' or '\\'). The classic
// tests for "some byte is zero" ((x - 0x01..) & ~x & 0x80..) and "some byte is below n" (n <=
// 0x80: (x - n * 0x01..) & ~x & 0x80..) are exact about whether such a byte exists (their
// borrows can only mark bytes above a byte that qualifies).
inline bool HasByteToEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighs = 0x8080808080808080ull;
  const uint64_t quote = word ^ (kOnes * '"');
  const uint64_t backslash = word ^ (kOnes * '\\');
  const uint64_t found = ((word - kOnes * 0x20) & ~word) | ((quote - kOnes) & ~quote) |
                         ((backslash - kOnes) & ~backslash);
  return (found & kHighs) != 0;
}

// Writes the escape of byte `b` (EscapeOf(b) != 0) at p; returns the end.
char* PutEscape(char* p, unsigned char b) {
  constexpr char kHex[] = "0123456789ABCDEF";
  const char e = EscapeOf(b);
  *p++ = '\\';
  *p++ = e;
  if (e == 'u') {
    *p++ = '0';
    *p++ = '0';
    *p++ = kHex[b >> 4];
    *p++ = kHex[b & 0xF];
  }
  return p;
}

}  // namespace

char* PutJsonString(char* p, std::string_view s) {
  const char* q = s.data();
  const char* const end = q + s.size();
  *p++ = '"';
  // Strings of 4 to 15 bytes (most of an event's: names, match texts, rules, ids) without a
  // loop: two loads that overlap when the string is shorter than both, tested together; when
  // neither has a byte to escape both are stored at their places (the overlapping bytes twice,
  // the same bytes), else the loops below take the whole string.
  if (const size_t n = s.size(); n >= 4 && n < 16) {
    if (n >= 8) {
      uint64_t head;
      uint64_t tail;
      std::memcpy(&head, q, 8);
      std::memcpy(&tail, end - 8, 8);
      if (!HasByteToEscape(head) && !HasByteToEscape(tail)) {
        std::memcpy(p, &head, 8);
        std::memcpy(p + n - 8, &tail, 8);
        p += n;
        *p++ = '"';
        return p;
      }
    } else {
      uint32_t head;
      uint32_t tail;
      std::memcpy(&head, q, 4);
      std::memcpy(&tail, end - 4, 4);
      if (!HasByteToEscape(head | (static_cast<uint64_t>(tail) << 32))) {
        std::memcpy(p, &head, 4);
        std::memcpy(p + n - 4, &tail, 4);
        p += n;
        *p++ = '"';
        return p;
      }
    }
  }
#if defined(__SSE2__)
  // 16 bytes at a time: copy them, then find the first byte to escape (a control character,
  // '"' or '\\'); the bytes after it are copied again on the next round. The output has room
  // for 6 bytes per input byte, so the 16-byte store never overruns it.
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i below_space = _mm_set1_epi8(0x1F);
  const auto escape_mask = [&](__m128i v) {
    // Unsigned v <= 0x1F exactly when min(v, 0x1F) == v.
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);
    const __m128i special =
        _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
    return static_cast<unsigned>(_mm_movemask_epi8(special));
  };
  if (end - q >= 16) {
    while (end - q >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
      const unsigned mask = escape_mask(v);
      if (mask == 0) {
        p += 16;
        q += 16;
        continue;
      }
      const int k = __builtin_ctz(mask);
      p = PutEscape(p + k, static_cast<unsigned char>(q[k]));
      q += k + 1;
    }
    // The last 1-15 bytes as the string's last 16, which overlap bytes already done: when none
    // of the 16 is to escape, the overlapped ones were copied as they are, so the 16 stored
    // where the first of them went rewrites those unchanged (else the loops below go on).
    if (const auto left = static_cast<size_t>(end - q); left != 0) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16));
      if (escape_mask(v) == 0) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p - (16 - left)), v);
        p += left;
        q = end;
      }
    }
  }
#endif
  // Then 8 bytes at a time, and the last few one by one.
  while (end - q >= 8) {
    uint64_t word;
    std::memcpy(&word, q, 8);
    if (HasByteToEscape(word)) break;  // the byte loop takes it from here
    std::memcpy(p, &word, 8);
    p += 8;
    q += 8;
  }
  for (; q != end; ++q) {
    const auto b = static_cast<unsigned char>(*q);
    if (kEscapes[b] != 0) {
      p = PutEscape(p, b);
    } else {
      *p++ = static_cast<char>(b);
    }
  }
  *p++ = '"';
  return p;
}

void WriteOriginJson(JsonWriter& w, const Origin& origin) {
  w.StartObject();
  WriteKey(w, "kind");
  switch (origin.kind) {
    case Origin::Kind::kKafka:
      WriteLiteral(w, "kafka");
      WriteKey(w, "topic");
      WriteString(w, origin.topic);
      WriteKey(w, "partition");
      w.Int(origin.partition);
      WriteKey(w, "offset");
      w.Int64(origin.offset);
      WriteKey(w, "timestamp");
      if (origin.timestamp_ms >= 0) {
        WriteString(w, FormatRfc3339(origin.timestamp_ms));
      } else {
        w.Null();
      }
      break;
    case Origin::Kind::kFile:
      WriteLiteral(w, "file");
      WriteKey(w, "file");
      WriteString(w, origin.file);
      WriteKey(w, "line");
      w.Int64(origin.line);
      break;
    case Origin::Kind::kStdin:
      WriteLiteral(w, "stdin");
      WriteKey(w, "line");
      w.Int64(origin.line);
      break;
  }
  w.EndObject();
}

}  // namespace newsflow::schemas
