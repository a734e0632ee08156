#include "schemas/text.h"

#include <chrono>
#include <cstring>
#include <ctime>

#include <xxhash.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace newsflow::schemas {

namespace {

// Hand-written because no library on the target does it in bulk: simdutf is not packaged in
// Debian 12, and ICU validates one character at a time (U8_NEXT, which the exact-offset scan
// below still uses for records that fail).
//
// UTF-8 validation as a shift-based DFA (RFC 3629, table 3-7 of the Unicode standard): each
// state is a bit offset (a multiple of 6) into a 64-bit row per input byte, and the row holds at
// that offset the state to go to. kError is 0, so every row maps it to itself: once a byte is
// wrong the walk stays in kError and needs no branch per byte, only a check at the end.
enum Utf8State : uint64_t {
  kError = 0,
  kAccept = 6,
  kTail1 = 12,    // one continuation byte (80..BF) to go
  kTail2 = 18,    // two
  kTail3 = 24,    // three
  kAfterE0 = 30,  // next A0..BF (no overlongs), then one more
  kAfterED = 36,  // next 80..9F (no surrogates), then one more
  kAfterF0 = 42,  // next 90..BF (no overlongs), then two more
  kAfterF4 = 48,  // next 80..8F (<= U+10FFFF), then two more
};

struct Utf8Table {
  uint64_t row[256] = {};
};

constexpr Utf8Table MakeUtf8Table() {
  Utf8Table t;
  auto set = [&t](int lo, int hi, Utf8State from, Utf8State to) {
    for (int b = lo; b <= hi; ++b) t.row[b] |= uint64_t{to} << from;
  };
  set(0x00, 0x7F, kAccept, kAccept);
  set(0xC2, 0xDF, kAccept, kTail1);
  set(0xE0, 0xE0, kAccept, kAfterE0);
  set(0xE1, 0xEC, kAccept, kTail2);
  set(0xED, 0xED, kAccept, kAfterED);
  set(0xEE, 0xEF, kAccept, kTail2);
  set(0xF0, 0xF0, kAccept, kAfterF0);
  set(0xF1, 0xF3, kAccept, kTail3);
  set(0xF4, 0xF4, kAccept, kAfterF4);
  set(0x80, 0xBF, kTail1, kAccept);
  set(0x80, 0xBF, kTail2, kTail1);
  set(0x80, 0xBF, kTail3, kTail2);
  set(0xA0, 0xBF, kAfterE0, kTail1);
  set(0x80, 0x9F, kAfterED, kTail1);
  set(0x90, 0xBF, kAfterF0, kTail2);
  set(0x80, 0x8F, kAfterF4, kTail2);
  return t;
}

constexpr Utf8Table kUtf8 = MakeUtf8Table();

inline uint64_t Step(uint64_t state, unsigned char byte) { return kUtf8.row[byte] >> (state & 63); }

// Whether `bytes` is well-formed UTF-8, by the DFA: runs of 16 ASCII bytes between characters
// are skipped with two word tests; everything else goes through the table, ~3 instructions a
// byte.
bool Utf8IsValidByDfa(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  uint64_t state = kAccept;
  size_t i = 0;
  while (i + 16 <= n) {
    if ((state & 63) == kAccept) {
      uint64_t w0;
      uint64_t w1;
      std::memcpy(&w0, s + i, 8);
      std::memcpy(&w1, s + i + 8, 8);
      if (((w0 | w1) & 0x8080808080808080ULL) == 0) {
        i += 16;
        continue;
      }
    }
    for (size_t k = 0; k < 16; ++k) state = Step(state, s[i + k]);
    if ((state & 63) == kError) return false;
    i += 16;
  }
  for (; i < n; ++i) state = Step(state, s[i]);
  return (state & 63) == kAccept;
}

#if defined(__SSE2__)
// The same question 16 bytes at a time with SSE2 (the x86-64 baseline; the published SIMD
// validators look bytes up with SSSE3's pshufb, which the baseline lacks). A string is
// well-formed exactly when
//  (a) a byte is a continuation byte (80..BF) exactly when one of the 3 bytes before it is a
//      lead byte whose sequence reaches it: C0..FF one byte on, E0..FF two, F0..FF three (two
//      leads cannot claim one position unless one of them sits where a continuation must be);
//  (b) no byte is C0, C1 (overlong two-byte leads) or F5..FF (beyond U+10FFFF);
//  (c) the byte after E0 is >= A0 (no overlongs), after ED <= 9F (no surrogates), after F0 >=
//      90 (no overlongs), after F4 <= 8F (<= U+10FFFF);
//  (d) the last 3 bytes start no sequence that runs past the end.
// Each block reads the 3 bytes before it as three more unaligned loads, so blocks need no
// state between them. (b) and (c) are tested on the byte before each position (prev1) and
// only where a block has one of the rare bytes they are about (C0, C1, E0..FF: three- and
// four-byte leads, which most text in two-byte scripts lacks); ASCII blocks need only (a),
// which also rejects a lead of any kind just before an ASCII block. The DFA's table walk is
// ~53 instructions a 16-byte block of non-ASCII text (callgrind); this is ~25. Errors are
// collected (OR) and tested once at the end: well-formed input is the common case, and
// FirstInvalidUtf8 finds the offset.
//
// Adds to `err` a non-zero byte where the 16 bytes at `p`, with the 3 before them, break (a),
// or where the byte before each of them breaks (b) or (c) with it.
inline void CheckUtf8Block(const unsigned char* p, __m128i& err) {
  const auto load = [](const unsigned char* q) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  };
  const auto bytes = [](unsigned char b) { return _mm_set1_epi8(static_cast<char>(b)); };
  const __m128i cur = load(p);
  const __m128i prev1 = load(p - 1);
  const __m128i prev2 = load(p - 2);
  const __m128i prev3 = load(p - 3);
  // (a): a saturating subtraction leaves a non-zero byte where the lead reaches this byte.
  const __m128i reach = _mm_or_si128(
      _mm_subs_epu8(prev1, bytes(0xBF)),
      _mm_or_si128(_mm_subs_epu8(prev2, bytes(0xDF)), _mm_subs_epu8(prev3, bytes(0xEF))));
  const __m128i must_continue = _mm_cmpgt_epi8(reach, _mm_setzero_si128());  // 1..0x40
  // As signed bytes, 80..BF are -128..-65: the continuation bytes are those below -64.
  const __m128i is_continuation = _mm_cmplt_epi8(cur, _mm_set1_epi8(-64));
  err = _mm_or_si128(err, _mm_xor_si128(must_continue, is_continuation));
  if (_mm_movemask_epi8(cur) == 0) return;  // ASCII: prev1 is too, but for its first byte
  const __m128i c0_c1 = _mm_cmpeq_epi8(_mm_and_si128(prev1, bytes(0xFE)), bytes(0xC0));
  const __m128i rare = _mm_or_si128(c0_c1, _mm_subs_epu8(prev1, bytes(0xDF)));
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(rare, _mm_setzero_si128())) == 0xFFFF) return;
  // (b)
  err = _mm_or_si128(err, _mm_or_si128(c0_c1, _mm_subs_epu8(prev1, bytes(0xF4))));
  // (c), on bytes that (a) has made continuation bytes: signed compares against the bounds.
  const auto after = [&](unsigned char lead) { return _mm_cmpeq_epi8(prev1, bytes(lead)); };
  const auto below = [&](unsigned char bound) {  // cur < bound, both in 80..BF
    return _mm_cmplt_epi8(cur, bytes(bound));
  };
  const auto above = [&](unsigned char bound) {  // cur > bound, both in 80..BF
    return _mm_cmpgt_epi8(cur, bytes(bound));
  };
  err = _mm_or_si128(err, _mm_and_si128(after(0xE0), below(0xA0)));
  err = _mm_or_si128(err, _mm_and_si128(after(0xED), above(0x9F)));
  err = _mm_or_si128(err, _mm_and_si128(after(0xF0), below(0x90)));
  err = _mm_or_si128(err, _mm_and_si128(after(0xF4), above(0x8F)));
}

bool Utf8IsValid(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  // Short strings (fields, names) by the DFA; so is the first block of a long one, whose
  // 3 bytes before do not exist: the blocks after it check what crosses into them, with the
  // first block's last byte as their first prev1. The last byte is never a prev1: (d) rejects
  // it when it is a lead, which covers (b).
  if (n < 32) return Utf8IsValidByDfa(bytes);
  uint64_t state = kAccept;
  for (size_t k = 0; k < 16; ++k) state = Step(state, s[k]);
  if ((state & 63) == kError) return false;
  __m128i err = _mm_setzero_si128();
  size_t i = 16;
  for (; i + 16 <= n; i += 16) CheckUtf8Block(s + i, err);
  if (i < n) CheckUtf8Block(s + n - 16, err);  // the last bytes, overlapping checked ones
  // (d)
  if (s[n - 1] >= 0xC0 || s[n - 2] >= 0xE0 || s[n - 3] >= 0xF0) return false;
  return _mm_movemask_epi8(_mm_cmpeq_epi8(err, _mm_setzero_si128())) == 0xFFFF;
}
#else
bool Utf8IsValid(std::string_view bytes) { return Utf8IsValidByDfa(bytes); }
#endif

// The first ill-formed sequence, found one sequence at a time: the exact offset once
// Utf8IsValid() has said there is one.
std::optional<size_t> FirstInvalidUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // Fast path: 8 ASCII bytes at a time.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlongs
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;  // <= U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (s[i + 1] < lo || s[i + 1] > hi) return i;
    for (size_t k = 2; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
    }
    i += len;
  }
  return std::nullopt;
}

}  // namespace

std::optional<size_t> FindInvalidUtf8(std::string_view bytes) {
  if (Utf8IsValid(bytes)) return std::nullopt;
  return FirstInvalidUtf8(bytes);
}

std::optional<size_t> FindNul(std::string_view bytes) {
  const void* p = std::memchr(bytes.data(), 0, bytes.size());
  if (p == nullptr) return std::nullopt;
  return static_cast<size_t>(static_cast<const char*>(p) - bytes.data());
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{s[i]} << 16) | (uint32_t{s[i + 1]} << 8) | s[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{s[i]} << 16;
    if (rest == 2) v |= uint32_t{s[i + 1]} << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string FormatRfc3339(int64_t epoch_ms) {
  // The calendar from <chrono>; the fixed-width digits written here: strftime + snprintf cost
  // about 2,500 instructions a call and fmt's compiled format about 1,700, for a string that is
  // written twice per enriched event.
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(epoch_ms)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const int y = static_cast<int>(ymd.year());
  if (y >= 1000 && y <= 9999) {
    const hh_mm_ss<milliseconds> hms(t - day);
    char buf[24];
    auto digits = [&buf](size_t at, unsigned value, int width) {
      for (int k = width - 1; k >= 0; --k) {
        buf[at + static_cast<size_t>(k)] = static_cast<char>('0' + value % 10);
        value /= 10;
      }
    };
    digits(0, static_cast<unsigned>(y), 4);
    buf[4] = '-';
    digits(5, static_cast<unsigned>(ymd.month()), 2);
    buf[7] = '-';
    digits(8, static_cast<unsigned>(ymd.day()), 2);
    buf[10] = 'T';
    digits(11, static_cast<unsigned>(hms.hours().count()), 2);
    buf[13] = ':';
    digits(14, static_cast<unsigned>(hms.minutes().count()), 2);
    buf[16] = ':';
    digits(17, static_cast<unsigned>(hms.seconds().count()), 2);
    buf[19] = '.';
    digits(20, static_cast<unsigned>(hms.subseconds().count()), 3);
    buf[23] = 'Z';
    return std::string(buf, sizeof(buf));
  }
  // Years with other than four digits: as strftime writes them.
  int64_t secs = epoch_ms / 1000;
  int64_t ms = epoch_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  const time_t tt = static_cast<time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  size_t at = 0;
  auto digits = [&](size_t width, int* out) {
    if (at + width > text.size()) return false;
    int v = 0;
    for (size_t k = 0; k < width; ++k) {
      const char c = text[at + k];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    at += width;
    *out = v;
    return true;
  };
  auto literal = [&](std::string_view chars) {
    if (at >= text.size() || chars.find(text[at]) == std::string_view::npos) return false;
    ++at;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(4, &y) || !literal("-") || !digits(2, &mo) || !literal("-") || !digits(2, &d) ||
      !literal("Tt ") || !digits(2, &h) || !literal(":") || !digits(2, &mi) || !literal(":") ||
      !digits(2, &sec)) {
    return std::nullopt;
  }
  int ms = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    const size_t first = at;
    int scale = 100;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      ms += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  int offset_minutes = 0;
  if (literal("Zz")) {
    offset_minutes = 0;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    ++at;
    int oh = 0, om = 0;
    if (!digits(2, &oh) || !literal(":") || !digits(2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  // A leap second (60) is accepted as RFC 3339 allows and counted as the next second.
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const int64_t day_ms = sys_days(ymd).time_since_epoch().count() * int64_t{86'400'000};
  return day_ms + ((h * 60 + mi - offset_minutes) * int64_t{60} + sec) * 1000 + ms;
}

std::string Hash128Hex(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return buf;
}

}  // namespace newsflow::schemas
