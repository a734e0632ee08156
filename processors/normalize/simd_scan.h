// SSE2 scanners for the hot loops of the cleaner (clean.cc): sixteen bytes of text classified
// with a few vector operations instead of a branch or a table load per character. Hand-written
// because no library scans "text that needs no cleaning and no NFC work" this cheaply; the sets
// of characters accepted are subsets of what the general code accepts, checked exhaustively
// against ICU by simd_scan_test.cc. Without SSE2 the scanners find nothing, so the caller's
// general per-character code does all the work (same results, just slower).
#pragma once

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
//   * two-byte characters of the scripts the corpus is written in, where they are letters,
//     digits or punctuation: U+00A1-U+00BF except the soft hyphen, U+00C0-U+02FF (Latin),
//     U+0400-U+047F (Cyrillic), U+05C8-U+05FF (Hebrew letters), U+0600-U+060F and
//     U+061D-U+063F, U+0640-U+064A, U+0660-U+066F and U+0671-U+067F, U+0680-U+06BF and
//     U+06C0-U+06D5, U+06EE-U+06FF (Arabic and Persian letters, digits and punctuation).
// Everything else (ill-formed bytes, marks, controls, other spaces, three- and four-byte
// characters) stops the prefix; the prefix always ends on a character boundary.
inline int PlainPrefix16(const uint8_t* p, bool space_first) {
#if defined(__SSE2__)
  if (!space_first && p[0] == ' ') return 0;
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Signed byte compares only (SSE2): ASCII is 0..127, bytes >= 0x80 are negative.
  const __m128i ascii =
      _mm_and_si128(_mm_cmpgt_epi8(b, _mm_set1_epi8(0x20)), _mm_cmplt_epi8(b, _mm_set1_epi8(0x7F)));
  const __m128i space = _mm_cmpeq_epi8(b, _mm_set1_epi8(0x20));
  const __m128i cont = _mm_cmplt_epi8(b, _mm_set1_epi8(-64));  // 0x80-0xBF
  // u = b - 0x80: a continuation byte's payload 0..63, a lead byte 0x40 + (lead - 0xC0).
  const __m128i u = _mm_xor_si128(b, _mm_set1_epi8(static_cast<char>(0x80)));
  const __m128i lead = _mm_slli_si128(u, 1);  // the byte before each byte (0 before the first)
  auto lead_is = [&](int byte) {
    return _mm_cmpeq_epi8(lead, _mm_set1_epi8(static_cast<char>(byte - 0x80)));
  };
  auto trail_below = [&](int byte) {
    return _mm_cmplt_epi8(u, _mm_set1_epi8(static_cast<char>(byte - 0x80)));
  };
  auto trail_above = [&](int byte) {
    return _mm_cmpgt_epi8(u, _mm_set1_epi8(static_cast<char>(byte - 0x80)));
  };
  // Leads whose every character is plain: C3-CB (U+00C0-U+02FF), D0-D1 (U+0400-U+047F),
  // DA (U+0680-U+06BF).
  __m128i pair =
      _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(lead, _mm_set1_epi8(0xC2 - 0x80)),
                                 _mm_cmplt_epi8(lead, _mm_set1_epi8(0xCC - 0x80))),
                   _mm_or_si128(_mm_or_si128(lead_is(0xD0), lead_is(0xD1)), lead_is(0xDA)));
  // C2: U+00A1-U+00BF except U+00AD (soft hyphen, removed).
  pair =
      _mm_or_si128(pair, _mm_andnot_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(static_cast<char>(0xAD))),
                                          _mm_and_si128(lead_is(0xC2), trail_above(0xA0))));
  // D7: U+05C8-U+05FF (Hebrew letters; the points before them are marks).
  pair = _mm_or_si128(pair, _mm_and_si128(lead_is(0xD7), trail_above(0x87)));
  // D8: U+0600-U+060F, U+061D-U+063F (not the marks U+0610-U+061A nor U+061C, removed).
  pair = _mm_or_si128(
      pair, _mm_and_si128(lead_is(0xD8), _mm_or_si128(trail_below(0x90), trail_above(0x9C))));
  // D9: U+0640-U+064A, U+0660-U+066F, U+0671-U+067F (not the harakat nor U+0670).
  pair = _mm_or_si128(
      pair,
      _mm_and_si128(
          lead_is(0xD9),
          _mm_or_si128(trail_below(0x8B),
                       _mm_andnot_si128(_mm_cmpeq_epi8(b, _mm_set1_epi8(static_cast<char>(0xB0))),
                                        trail_above(0x9F)))));
  // DB: U+06C0-U+06D5, U+06EE-U+06FF (not the Quranic marks between them).
  pair = _mm_or_si128(
      pair, _mm_and_si128(lead_is(0xDB), _mm_or_si128(trail_below(0x96), trail_above(0xAD))));
  pair = _mm_and_si128(pair, cont);                   // at the continuation byte
  const __m128i pair_lead = _mm_srli_si128(pair, 1);  // at the lead byte (never the last byte)
  const __m128i start = _mm_or_si128(ascii, pair_lead);
  const __m128i space_ok = _mm_and_si128(space, _mm_srli_si128(start, 1));
  const __m128i ok = _mm_or_si128(_mm_or_si128(start, pair), space_ok);
  const unsigned bad = ~static_cast<unsigned>(_mm_movemask_epi8(ok)) & 0xFFFFu;
  return bad == 0 ? 16 : __builtin_ctz(bad);
#else
  (void)p;
  (void)space_first;
  return 0;
#endif
}

}  // namespace newsflow::normalize::simd
