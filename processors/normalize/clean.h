// Display text cleaning: the first thing the normalize stage does to a title or body.
//
// CleanText() turns any UTF-8 text into the display form newsflow stores and emits:
//   * line breaks unified: CRLF, CR, VT, FF, NEL, U+2028, U+2029 -> "\n";
//   * spaces unified: tab, NBSP, U+1680, U+2000-U+200A, U+202F, U+205F, U+3000 -> " ";
//     runs of spaces collapse to one; lines are trimmed; runs of 2+ blank lines collapse to one
//     blank line ("\n\n\n+" -> "\n\n"); leading and trailing blank lines go;
//   * invisible characters removed: other C0/C1 controls, soft hyphen, ZWSP U+200B, word
//     joiner and invisible operators U+2060-U+2064, bidi controls (LRM, RLM, ALM, U+202A-U+202E,
//     U+2066-U+2069), deprecated format characters U+206A-U+206F, BOM/ZWNBSP U+FEFF,
//     U+180E, U+FFF9-U+FFFC;
//   * ZWNJ U+200C and ZWJ U+200D are kept (when `keep_zwnj`) where they carry meaning: after a
//     letter of a joining script (Arabic script, Syriac, N'Ko, Mongolian, the Indic scripts)
//     and before a letter or mark -- Persian می‌خواهم, آتش‌بس -- and ZWJ inside
//     emoji sequences; removed everywhere else;
//   * NFC (ICU). Only the characters that may need NFC work are checked (with the character
//     before each), and the text is composed only from the first that is not NFC.
// Ill-formed UTF-8 becomes U+FFFD (the decode stage normally rejects it before).
//
// CleanText is idempotent: CleanText(CleanText(x)) == CleanText(x) (a property test checks it).
//
// Every function here fills an OffsetMap from the output back to its input so that token
// offsets can be reported in the original text. They are pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "processors/normalize/offset_map.h"

namespace newsflow::normalize {

struct CleanOptions {
  // Titles: line breaks become spaces and the result is one line.
  bool single_line = false;
  // Keep ZWNJ/ZWJ in joining-script words (see above). When false they are always removed.
  bool keep_zwnj = true;
};

// Cleans `in` into `*out` (replaced, not appended) and sets `*map` (out -> in offsets).
void CleanText(std::string_view in, const CleanOptions& options, std::string* out, OffsetMap* map);

// Convenience for callers that need no offsets.
std::string CleanText(std::string_view in, const CleanOptions& options = {});

// Extracts the text of an HTML document or fragment with gumbo, for CleanText() to clean next:
//   * script, style, noscript, template, nav, header, footer, aside, form, iframe, svg, head,
//     button and select elements are dropped with their content;
//   * block elements (p, div, h1-h6, li, tr, blockquote, section, article, pre, ...) and <br>
//     become line breaks, so paragraphs survive; table cells are separated by spaces;
//   * entities are decoded (gumbo), and line breaks inside a text node become spaces as a
//     browser renders them (except inside <pre> and <textarea>).
// Offsets (`*map`, out -> html) are exact for text runs without entity references or CRs; a
// text node that has them maps, as a whole, to its source span (a token in it begins at the
// text node's first byte and ends at its last). Inserted line breaks map to the position of
// the element that caused them.
void HtmlToText(std::string_view html, std::string* out, OffsetMap* map);

// Exposed for tests (clean_test.cc checks it against whole-text normalization), not an API.
namespace clean_internal {

// The NFC step of CleanText(): composes `*text` (well-formed UTF-8, mapped to some input by
// `*map`) to NFC and makes `*map` map the result to that input. `spots` are the offsets,
// ascending, of the characters of `text` that may need NFC work (NFC_Quick_Check not Yes, or
// combining class not 0): all of them when `complete`, else the first few (at least one).
// Only the text around the spots is checked (isNormalizedUTF8), and only the text from the
// first segment that is not NFC is composed (normalizeUTF8).
void ComposeNfc(std::span<const uint32_t> spots, bool complete, std::string* text, OffsetMap* map);

}  // namespace clean_internal

}  // namespace newsflow::normalize
