// SSE2 scanners for the hot loops of the cleaner (clean.cc) and the line classifier
// (boilerplate.cc): sixteen bytes of text classified with a few vector operations instead of a
// branch or a table load per character. Hand-written because no library scans "text that needs
// no cleaning and no NFC work" or "word starts" this cheaply; what they accept is a subset of
// what the general code accepts, checked against ICU and per-byte code by simd_scan_test.cc.
// Without SSE2, PlainPrefix16 finds nothing (the caller's general per-character code does all
// the work) and SpaceThen16 is computed byte by byte: same results, just slower.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace newsflow::normalize::simd {

// Length of the longest prefix of the 16 bytes at p that consists of plain characters, for
// CleanText's content runs. A plain character is copied by CleanText as it is, is NFC-stable
// with combining class 0 (NFC_Quick_Check Yes, ccc 0: no NFC work) and ends inside the block:
//   * printable ASCII (0x21-0x7E);
//   * a space (0x20) followed by a plain non-space character, and (at p[0]) only when
//     `space_first` (the cleaner's runs never start with a space);
//   * the letters of the main two-byte scripts: U+00C0-U+02FF (Latin, lead bytes C3-CB),
//     U+0400-U+047F (Cyrillic), U+05D0-U+05FF (Hebrew letters), U+0620-U+064A and
//     U+0680-U+06D5 (Arabic and Persian letters).
// Everything else (ill-formed bytes, marks, controls, other spaces, other two-byte characters,
// three- and four-byte characters) stops the prefix, which always ends on a character boundary.
// (Reading a 17th byte to complete a character or a space at the end of the block was tried:
// fewer blocks end early, but each costs more, and the sum was higher.)
inline int PlainPrefix16(const uint8_t* p, bool space_first) {
#if defined(__SSE2__)
  if (!space_first && p[0] == ' ') return 0;
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Signed byte compares only (SSE2): ASCII is 0..127, bytes >= 0x80 are negative, in order.
  auto byte = [](int v) { return _mm_set1_epi8(static_cast<char>(v)); };
  const __m128i ascii = _mm_and_si128(_mm_cmpgt_epi8(b, byte(0x20)), _mm_cmplt_epi8(b, byte(0x7F)));
  const __m128i space = _mm_cmpeq_epi8(b, byte(0x20));
  __m128i ok;
  if (_mm_movemask_epi8(b) == 0) {
    // All ASCII (the usual block of Latin-script text): printable bytes and single spaces.
    ok = _mm_or_si128(ascii, _mm_and_si128(space, _mm_srli_si128(ascii, 1)));
  } else {
    const __m128i cont = _mm_cmplt_epi8(b, byte(0xC0));  // 0x80-0xBF (below 0xC0, negative)
    const __m128i lead = _mm_slli_si128(b, 1);           // the byte before each byte
    auto lead_is = [&](int v) { return _mm_cmpeq_epi8(lead, byte(v)); };
    auto trail_from = [&](int v) { return _mm_cmpgt_epi8(b, byte(v - 1)); };  // trail >= v
    auto trail_below = [&](int v) { return _mm_cmplt_epi8(b, byte(v)); };     // trail < v
    // pair: at a continuation byte whose character is plain. Leads whose every character is
    // plain: C3-CB, D0-D1, DA.
    __m128i pair =
        _mm_and_si128(_mm_cmpgt_epi8(lead, byte(0xC2)), _mm_cmplt_epi8(lead, byte(0xCC)));
    pair = _mm_or_si128(pair, _mm_cmpeq_epi8(_mm_and_si128(lead, byte(0xFE)), byte(0xD0)));
    pair = _mm_or_si128(pair, lead_is(0xDA));
    pair = _mm_or_si128(pair, _mm_and_si128(lead_is(0xD7), trail_from(0x90)));   // U+05D0-05FF
    pair = _mm_or_si128(pair, _mm_and_si128(lead_is(0xD8), trail_from(0xA0)));   // U+0620-063F
    pair = _mm_or_si128(pair, _mm_and_si128(lead_is(0xD9), trail_below(0x8B)));  // U+0640-064A
    pair = _mm_or_si128(pair, _mm_and_si128(lead_is(0xDB), trail_below(0x96)));  // U+06C0-06D5
    pair = _mm_and_si128(pair, cont);
    const __m128i pair_lead = _mm_srli_si128(pair, 1);  // at the lead byte (never the last byte)
    const __m128i start = _mm_or_si128(ascii, pair_lead);
    ok = _mm_or_si128(_mm_or_si128(start, pair), _mm_and_si128(space, _mm_srli_si128(start, 1)));
  }
  const unsigned bad = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xFFFFu;
  return bad == 0 ? 16 : __builtin_ctz(bad);
#else
  (void)p;
  (void)space_first;
  return 0;
#endif
}

// For counting words: bit k of the results is set when byte k of the 16 bytes at p is a space
// (0x20: a character of its own however the bytes before it decode) and byte k + 1 -- the first
// byte of the character after it; p[16] for the last, so 17 bytes are read -- is an ASCII
// letter or digit (`*alnum`) or a byte >= 0x80 (`*non_ascii`: a character the caller must
// classify). Other separators (tabs, controls) are not looked for: CleanText's lines have none.
inline void SpaceThen16(const uint8_t* p, uint32_t* alnum, uint32_t* non_ascii) {
#if defined(__SSE2__)
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
  const __m128i space = _mm_cmpeq_epi8(b, _mm_set1_epi8(0x20));
  const __m128i lower = _mm_or_si128(next, _mm_set1_epi8(0x20));  // A-Z -> a-z (and others)
  const __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(next, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(next, _mm_set1_epi8('9' + 1)));
  const __m128i high = _mm_cmplt_epi8(next, _mm_setzero_si128());  // >= 0x80
  *alnum =
      static_cast<uint32_t>(_mm_movemask_epi8(_mm_and_si128(space, _mm_or_si128(letter, digit))));
  *non_ascii = static_cast<uint32_t>(_mm_movemask_epi8(_mm_and_si128(space, high)));
#else
  *alnum = 0;
  *non_ascii = 0;
  for (int k = 0; k < 16; ++k) {
    if (p[k] != 0x20) continue;
    const uint8_t c = p[k + 1];
    const uint8_t lower = c | 0x20;
    if ((lower >= 'a' && lower <= 'z') || (c >= '0' && c <= '9')) *alnum |= 1u << k;
    if (c >= 0x80) *non_ascii |= 1u << k;
  }
#endif
}

// Length of the longest prefix of p[0, min(avail, 16)) made of ASCII lower-case letters and
// digits -- the bytes of a Latin word that fold to themselves, for the tokenizer's quick pass --
// for avail >= 8; reads 16 bytes when avail >= 16, else 8 (so the prefix is at most 8 then).
// Sets *digits to the prefix's digits as a bit mask (bit k: byte k).
inline int LowerOrDigitPrefix(const uint8_t* p, ptrdiff_t avail, uint32_t* digits) {
#if defined(__SSE2__)
  const __m128i b = avail >= 16 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p))
                                : _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  // x in [lo, lo + n) <=> (int8)(x + 0x80 - lo) < -128 + n; bytes >= 0x80 never are.
  auto in_range = [&b](int lo, int n) {
    return _mm_cmplt_epi8(_mm_add_epi8(b, _mm_set1_epi8(static_cast<char>(0x80 - lo))),
                          _mm_set1_epi8(static_cast<char>(-128 + n)));
  };
  const __m128i digit = in_range('0', 10);
  const auto ok = static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(in_range('a', 26), digit)));
  const int take = __builtin_ctz(~ok);  // ok has at most 16 bits set
  *digits = static_cast<uint32_t>(_mm_movemask_epi8(digit)) & ((1u << take) - 1);
  return take;
#else
  const int width = avail >= 16 ? 16 : 8;
  int take = 0;
  *digits = 0;
  for (; take < width; ++take) {
    const uint8_t c = p[take];
    if (c >= '0' && c <= '9') {
      *digits |= 1u << take;
    } else if (c < 'a' || c > 'z') {
      break;
    }
  }
  return take;
#endif
}

}  // namespace newsflow::normalize::simd
