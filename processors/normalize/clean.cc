#include "processors/normalize/clean.h"

#include <gumbo.h>
#include <unicode/edits.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <utility>
#include <vector>

#include "processors/normalize/folding.h"
#include "processors/normalize/simd_scan.h"
#include "processors/normalize/swar.h"

namespace newsflow::normalize {
namespace {

enum class Kind : uint8_t { kOrdinary, kSpace, kNewline, kRemove, kJoiner };

inline Kind Classify(UChar32 c) {
  if (c < 0x80) {
    if (c >= 0x21 && c != 0x7F) return Kind::kOrdinary;
    if (c == ' ' || c == '\t') return Kind::kSpace;
    if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C) return Kind::kNewline;
    return Kind::kRemove;
  }
  if (c < 0xA0) return c == 0x85 ? Kind::kNewline : Kind::kRemove;
  if (c < 0x2000) {
    switch (c) {
      case 0x00A0:
      case 0x1680:
        return Kind::kSpace;
      case 0x00AD:
      case 0x061C:
      case 0x180E:
        return Kind::kRemove;
      default:
        return Kind::kOrdinary;
    }
  }
  if (c <= 0x200A) return Kind::kSpace;
  if (c <= 0x206F) {
    switch (c) {
      case 0x200B:
      case 0x200E:
      case 0x200F:
        return Kind::kRemove;
      case 0x200C:
      case 0x200D:
        return Kind::kJoiner;
      case 0x2028:
      case 0x2029:
        return Kind::kNewline;
      case 0x202F:
      case 0x205F:
        return Kind::kSpace;
      default:
        if (c >= 0x202A && c <= 0x202E) return Kind::kRemove;
        if (c >= 0x2060) return Kind::kRemove;  // U+2060-U+206F: joiners, isolates, format
        return Kind::kOrdinary;
    }
  }
  if (c == 0x3000) return Kind::kSpace;
  if (c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC)) return Kind::kRemove;
  return Kind::kOrdinary;
}

// Scripts in which ZWNJ/ZWJ change how letters join (and so what a word looks like).
bool IsJoiningScript(int script) {
  switch (script) {
    case USCRIPT_ARABIC:
    case USCRIPT_SYRIAC:
    case USCRIPT_NKO:
    case USCRIPT_MONGOLIAN:
    case USCRIPT_DEVANAGARI:
    case USCRIPT_BENGALI:
    case USCRIPT_GURMUKHI:
    case USCRIPT_GUJARATI:
    case USCRIPT_ORIYA:
    case USCRIPT_TAMIL:
    case USCRIPT_TELUGU:
    case USCRIPT_KANNADA:
    case USCRIPT_MALAYALAM:
    case USCRIPT_SINHALA:
      return true;
    default:
      return false;
  }
}

bool IsEmojiPart(UChar32 c) {
  return u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) || c == 0xFE0F ||
         (c >= 0x1F3FB && c <= 0x1F3FF);
}

const icu::Normalizer2* Nfc() {
  static const icu::Normalizer2* const nfc = [] {
    UErrorCode ec = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(ec);
    return U_SUCCESS(ec) ? n : nullptr;
  }();
  return nfc;
}

// The whitespace/control pass (everything but NFC).
// Two-byte characters (U+0080-U+07FF: Latin-1 to Arabic and NKo) by one table load, indexed
// by the two bytes as they are (little-endian 16-bit value): bit 0 = a well-formed two-byte
// character that is ordinary content (Classify), bit 1 = it may need NFC work
// (TextFolder::kNfcMaybe). Every other byte pair is 0.
class TwoByteTable {
 public:
  static constexpr uint8_t kOrdinary = 1;
  static constexpr uint8_t kNfcMaybe = 2;
  static const TwoByteTable& Get() {
    static const TwoByteTable table;
    return table;
  }
  uint8_t At(const uint8_t* p) const {  // reads p[0] and p[1]
    uint16_t index = 0;
    std::memcpy(&index, p, 2);
    return bits_[index];
  }

 private:
  TwoByteTable() {
    const TextFolder& folder = TextFolder::Default();
    for (uint32_t lead = 0xC2; lead < 0xE0; ++lead) {
      for (uint32_t trail = 0x80; trail < 0xC0; ++trail) {
        const uint32_t cp = ((lead & 0x1F) << 6) | (trail & 0x3F);
        uint8_t b = 0;
        if (Classify(static_cast<UChar32>(cp)) == Kind::kOrdinary) b |= kOrdinary;
        if ((folder.RowOf(cp).flags & TextFolder::kNfcMaybe) != 0) b |= kNfcMaybe;
        const uint8_t pair[2] = {static_cast<uint8_t>(lead), static_cast<uint8_t>(trail)};
        uint16_t index = 0;
        std::memcpy(&index, pair, 2);
        bits_[index] = b;
      }
    }
  }
  uint8_t bits_[0x10000] = {};
};

class Cleaner {
 public:
  Cleaner(std::string_view in, const CleanOptions& options, std::string* out, OffsetMap* map)
      : in_(in),
        options_(options),
        out_(out),
        map_(map),
        folder_(TextFolder::Default()),
        two_byte_(TwoByteTable::Get()) {}

  // After Run(): the output offsets of the characters that may need NFC work (NFC_Quick_Check
  // not Yes, or combining class not 0), ascending -- the first kMaxNfcSpots of them;
  // nfc_count() tells how many there are. Every other character (ZWNJ/ZWJ and U+FFFD too) is
  // NFC-stable with combining class 0, so NFC boundaries lie before it and the text between
  // spots is NFC without asking ICU.
  static constexpr int kMaxNfcSpots = 32;
  const uint32_t* nfc_spots() const { return nfc_spots_; }
  int nfc_count() const { return nfc_count_; }

  void Run() {
    const auto* s = reinterpret_cast<const uint8_t*>(in_.data());
    const auto n = static_cast<int32_t>(in_.size());
    int32_t i = 0;
    while (i < n) {
      const int32_t start = i;
      // A run of content -- ordinary characters, and single ASCII spaces between two of them --
      // is copied with one append and one map piece. (A space inside a run is exactly what the
      // separator logic below would emit for it: one ' ' mapped to itself.)
      const int32_t end = ContentRun(s, i, n);
      if (end > start) {
        EmitContent(start, end);
        i = end;
        continue;
      }
      UChar32 c = 0;
      U8_NEXT(s, i, n, c);
      if (c < 0) {  // ill-formed: U+FFFD, mapped to the bad bytes
        EmitReplaced("\xEF\xBF\xBD", start, i);
        last_script_ = USCRIPT_COMMON;
        last_cp_ = 0xFFFD;
        continue;
      }
      switch (Classify(c)) {
        case Kind::kOrdinary:  // ContentRun() takes every ordinary character
          NoteScript(c, start);
          EmitContent(start, i);
          last_cp_ = c;
          break;
        case Kind::kSpace:
          Space(start, i, c == ' ');
          break;
        case Kind::kNewline:
          if (c == '\r' && i < n && s[i] == '\n') ++i;  // CRLF
          if (options_.single_line) {
            Space(start, i, false);
          } else {
            Newline(start, i, c == '\n');
          }
          break;
        case Kind::kRemove:
          break;
        case Kind::kJoiner:
          if (KeepJoiner(c, s, i, n)) {
            EmitContent(start, i);
            last_cp_ = c;  // script unchanged: a joiner continues the word
          }
          break;
      }
    }
  }

 private:
  // The end of the content run starting at i (i itself when s[i] is not ordinary content).
  // Notes the characters that may need NFC work (NoteNfcSpot), and the last character and
  // script as the character-by-character loop would have left them (read back from the run's
  // end once).
  int32_t ContentRun(const uint8_t* s, int32_t i, int32_t n) {
    const int32_t start = i;
    while (i < n) {
      if (n - i >= 16) {
        // Sixteen bytes at once: plain text (ASCII, and the letters of the main scripts) in the
        // usual case; the first character that is anything else takes one step below. A block
        // that stopped at its last byte or two (a character or space that it cuts off) is
        // followed by the block starting there.
        const uint8_t* p = s + i;
        const uint8_t* const last = s + n - 16;  // the last place a block fits
        int plain = simd::PlainPrefix16(p, i > start);
        p += plain;
        while (plain >= 14 && p <= last) {
          plain = simd::PlainPrefix16(p, true);
          p += plain;
        }
        i = static_cast<int32_t>(p - s);
        if (plain >= 14) continue;  // too close to the end for a block: the steps below
      }
      const uint8_t b = s[i];
      if (b >= 0x21 && b < 0x7F) {
        if (i + 8 <= n) {
          // Eight ASCII bytes at once: printable characters and single spaces between them
          // (the first is printable; a space may not end the block, whose follower is unread).
          const uint64_t v = swar::Load8(s + i);
          const uint64_t space = swar::BytesBetween(v, 0x1F, 0x21);
          if ((swar::BytesBetween(v, 0x20, 0x7F) | space) == swar::kHighBits &&
              (space & ((space >> 8) | (uint64_t{1} << 63))) == 0) {
            i += 8;
            continue;
          }
        }
        ++i;
        continue;
      }
      if (b == ' ') {
        if (i == start || i + 1 >= n) break;
        const uint8_t next = s[i + 1];
        if (next >= 0x21 && next < 0x7F) {
          ++i;
          continue;
        }
        if (next < 0x80) break;
        if (i + 2 < n) {
          if ((two_byte_.At(s + i + 1) & TwoByteTable::kOrdinary) != 0) {
            ++i;  // the two-byte character itself is taken (and its NFC flag noted) next
            continue;
          }
        }
        int32_t k = i + 1;
        UChar32 d = 0;
        U8_NEXT(s, k, n, d);
        if (d < 0 || Classify(d) != Kind::kOrdinary) break;
        ++i;
        continue;
      }
      if (b < 0x80) break;
      if (i + 1 < n) {
        // Two bytes (Latin-1 to Arabic and NKo): the bulk of non-Latin text. Anything else,
        // and two-byte characters that are not ordinary, go the long way below.
        const uint8_t bits = two_byte_.At(s + i);
        if ((bits & TwoByteTable::kOrdinary) != 0) {
          if ((bits & TwoByteTable::kNfcMaybe) != 0) NoteNfcSpot(i);
          i += 2;
          continue;
        }
      }
      int32_t k = i;
      UChar32 d = 0;
      U8_NEXT(s, k, n, d);
      if (d < 0 || Classify(d) != Kind::kOrdinary) break;
      if ((Flags(static_cast<uint32_t>(d)) & TextFolder::kNfcMaybe) != 0) NoteNfcSpot(i);
      i = k;
    }
    if (i > start) NoteRunEnd(s, start, i);
    return i;
  }

  // The character at input offset `at`, about to be emitted by EmitContent(), may need NFC
  // work. Spots are kept as input offsets until EmitContent() knows where they land.
  void NoteNfcSpot(int32_t at) {
    if (nfc_count_ < kMaxNfcSpots) nfc_spots_[nfc_count_] = static_cast<uint32_t>(at);
    ++nfc_count_;
  }

  uint8_t Flags(uint32_t cp) const {
    return cp < 0x10000 ? folder_.RowOf(cp).flags : folder_.CharFlags(cp);
  }
  int ScriptOf(uint32_t cp) const {
    return cp < 0x10000 ? folder_.RowOf(cp).script : folder_.Script(cp);
  }

  // last_cp_ and last_script_ after the content run s[start, end) (well-formed, not ending in
  // a space): its last character, and the script of its last character that has one (ASCII
  // counts as Common, spaces and Inherited marks leave the script as it was).
  void NoteRunEnd(const uint8_t* s, int32_t start, int32_t end) {
    bool last = true;
    for (int32_t i = end; i > start;) {
      --i;
      while (i > start && (s[i] & 0xC0) == 0x80) --i;  // back to the character's first byte
      int32_t k = i;
      UChar32 c = 0;
      U8_NEXT(s, k, end, c);
      if (last) {
        last_cp_ = c;
        last = false;
      }
      if (c == ' ') continue;
      if (c < 0x80) {
        last_script_ = USCRIPT_COMMON;
        return;
      }
      const int sc = ScriptOf(static_cast<uint32_t>(c));
      if (sc != USCRIPT_INHERITED) {
        last_script_ = sc;
        return;
      }
    }
  }

  void NoteScript(UChar32 c, int32_t at) {
    const auto cp = static_cast<uint32_t>(c);
    int sc;
    uint8_t flags;
    if (cp < 0x10000) {
      const TextFolder::Row& row = folder_.RowOf(cp);
      sc = row.script;
      flags = row.flags;
    } else {
      sc = folder_.Script(cp);
      flags = folder_.CharFlags(cp);
    }
    if (sc != USCRIPT_INHERITED) last_script_ = sc;
    if ((flags & TextFolder::kNfcMaybe) != 0) NoteNfcSpot(at);
  }

  bool KeepJoiner(UChar32 c, const uint8_t* s, int32_t i, int32_t n) const {
    if (!options_.keep_zwnj || pending_space_ || pending_newlines_ > 0 || !line_has_content_) {
      return false;
    }
    if (i >= n) return false;
    UChar32 next = 0;
    U8_NEXT(s, i, n, next);
    if (next < 0) return false;
    if (c == 0x200D && IsEmojiPart(last_cp_) && IsEmojiPart(next)) return true;
    if (!IsJoiningScript(last_script_)) return false;
    const uint8_t flags = folder_.CharFlags(static_cast<uint32_t>(next));
    return (flags & (TextFolder::kLetter | TextFolder::kMark)) != 0;
  }

  void Space(int32_t begin, int32_t end, bool ascii_space) {
    if (!pending_space_) {
      pending_space_ = true;
      space_begin_ = begin;
      space_ascii_ = ascii_space;
    }
    space_end_ = end;
  }

  void Newline(int32_t begin, int32_t end, bool lf) {
    pending_space_ = false;  // trims the end of the line
    line_has_content_ = false;
    if (pending_newlines_ == 0) {
      nl_begin_ = begin;
      nl_lf_ = lf;
    }
    ++pending_newlines_;
    nl_end_ = end;
  }

  void FlushSeparators() {
    if (pending_newlines_ > 0) {
      if (!out_->empty()) {
        const auto o = static_cast<uint32_t>(out_->size());
        if (pending_newlines_ == 1 && nl_lf_) {
          map_->AddExact(o, static_cast<uint32_t>(nl_begin_), 1);
          out_->push_back('\n');
        } else {
          const uint32_t k = pending_newlines_ == 1 ? 1 : 2;
          map_->AddReplaced(o, k, static_cast<uint32_t>(nl_begin_), static_cast<uint32_t>(nl_end_));
          out_->append(k, '\n');
        }
      }
      pending_newlines_ = 0;
    }
    if (pending_space_) {
      if (line_has_content_) {
        const auto o = static_cast<uint32_t>(out_->size());
        if (space_ascii_) {
          map_->AddExact(o, static_cast<uint32_t>(space_begin_), 1);
        } else {
          map_->AddReplaced(o, 1, static_cast<uint32_t>(space_begin_),
                            static_cast<uint32_t>(space_end_));
        }
        out_->push_back(' ');
      }
      pending_space_ = false;
    }
  }

  void EmitContent(int32_t begin, int32_t end) {
    FlushSeparators();
    const auto o = static_cast<uint32_t>(out_->size());
    if (nfc_placed_ < nfc_count_) {  // this content's spots: input -> output offsets
      const int last = nfc_count_ < kMaxNfcSpots ? nfc_count_ : kMaxNfcSpots;
      for (int k = nfc_placed_; k < last; ++k) {
        nfc_spots_[k] = o + (nfc_spots_[k] - static_cast<uint32_t>(begin));
      }
      nfc_placed_ = nfc_count_;
    }
    map_->AddExact(o, static_cast<uint32_t>(begin), static_cast<uint32_t>(end - begin));
    out_->append(in_.data() + begin, static_cast<size_t>(end - begin));
    line_has_content_ = true;
  }

  void EmitReplaced(std::string_view bytes, int32_t begin, int32_t end) {
    FlushSeparators();
    map_->AddReplaced(static_cast<uint32_t>(out_->size()), static_cast<uint32_t>(bytes.size()),
                      static_cast<uint32_t>(begin), static_cast<uint32_t>(end));
    out_->append(bytes);
    line_has_content_ = true;
  }

  std::string_view in_;
  const CleanOptions& options_;
  std::string* out_;
  OffsetMap* map_;
  const TextFolder& folder_;
  const TwoByteTable& two_byte_;

  uint32_t nfc_spots_[kMaxNfcSpots];  // see nfc_spots()
  int nfc_count_ = 0;
  int nfc_placed_ = 0;  // spots before this one hold output offsets
  bool line_has_content_ = false;
  bool pending_space_ = false;
  bool space_ascii_ = false;
  int32_t space_begin_ = 0;
  int32_t space_end_ = 0;
  int pending_newlines_ = 0;
  bool nl_lf_ = false;
  int32_t nl_begin_ = 0;
  int32_t nl_end_ = 0;
  int last_script_ = USCRIPT_COMMON;
  UChar32 last_cp_ = 0;
};

// Appends the map of an ICU normalization of text[from, ...) (Edits: new text -> old text,
// both relative to `from`) to `map`.
void AppendEditsMap(const icu::Edits& edits, uint32_t from, OffsetMap* map) {
  UErrorCode ec = U_ZERO_ERROR;
  icu::Edits::Iterator it = edits.getFineIterator();
  while (it.next(ec)) {
    const auto dst = from + static_cast<uint32_t>(it.destinationIndex());
    const auto src = from + static_cast<uint32_t>(it.sourceIndex());
    if (it.hasChange()) {
      map->AddReplaced(dst, static_cast<uint32_t>(it.newLength()), src,
                       src + static_cast<uint32_t>(it.oldLength()));
    } else {
      map->AddExact(dst, src, static_cast<uint32_t>(it.oldLength()));
    }
  }
}

// Start of the character before offset `at` of well-formed UTF-8 (0 when `at` is 0).
uint32_t CharBefore(const uint8_t* s, uint32_t at) {
  if (at == 0) return 0;
  --at;
  while (at > 0 && (s[at] & 0xC0) == 0x80) --at;
  return at;
}

}  // namespace

namespace clean_internal {

void ComposeNfc(std::span<const uint32_t> spots, bool complete, std::string* text, OffsetMap* map) {
  if (spots.empty()) return;
  const icu::Normalizer2* nfc = Nfc();
  if (nfc == nullptr) return;
  const auto* s = reinterpret_cast<const uint8_t*>(text->data());
  const auto n = static_cast<int32_t>(text->size());
  // Each spot, with the character before it (which may compose with it: ا + U+0654 -> أ) and
  // the spots right after it, is a segment between NFC boundaries: every other character is
  // NFC-stable with combining class 0, so a boundary lies before it and it is NFC on its own.
  // The text is NFC when every segment is; else everything from the first segment that is not
  // is composed (what lies before it stays as it is).
  uint32_t from = UINT32_MAX;
  size_t k = 0;
  while (k < spots.size()) {
    const uint32_t begin = CharBefore(s, spots[k]);
    int32_t end = static_cast<int32_t>(spots[k]);
    U8_FWD_1(s, end, n);
    ++k;
    while (k < spots.size() && CharBefore(s, spots[k]) < static_cast<uint32_t>(end)) {
      end = static_cast<int32_t>(spots[k]);
      U8_FWD_1(s, end, n);
      ++k;
    }
    // Spots after the last one known (incomplete list) may follow anywhere: check to the end.
    if (k == spots.size() && !complete) end = n;
    UErrorCode ec = U_ZERO_ERROR;
    const bool normalized = nfc->isNormalizedUTF8(
        icu::StringPiece(text->data() + begin, static_cast<int32_t>(end - begin)), ec);
    if (U_FAILURE(ec)) return;
    if (!normalized) {
      from = begin;
      break;
    }
  }
  if (from == UINT32_MAX) return;
  // Rare path: compose the rest, and route its offsets through ICU's edit record.
  std::string composed;
  composed.reserve(text->size());
  composed.append(*text, 0, from);
  icu::StringByteSink<std::string> sink(&composed);
  icu::Edits edits;
  UErrorCode ec = U_ZERO_ERROR;
  nfc->normalizeUTF8(0, icu::StringPiece(text->data() + from, n - static_cast<int32_t>(from)), sink,
                     &edits, ec);
  if (U_FAILURE(ec)) return;
  OffsetMap composed_map;  // composed -> text
  composed_map.AddExact(0, 0, from);
  AppendEditsMap(edits, from, &composed_map);
  *map = composed_map.Compose(*map);
  *text = std::move(composed);
}

}  // namespace clean_internal

void CleanText(std::string_view in, const CleanOptions& options, std::string* out, OffsetMap* map) {
  out->clear();
  map->Clear();
  out->reserve(in.size());
  Cleaner cleaner(in, options, out, map);
  cleaner.Run();
  if (cleaner.nfc_count() == 0) return;  // fast path: every character is NFC-stable
  const int known = std::min(cleaner.nfc_count(), Cleaner::kMaxNfcSpots);
  clean_internal::ComposeNfc(
      std::span<const uint32_t>(cleaner.nfc_spots(), static_cast<size_t>(known)),
      known == cleaner.nfc_count(), out, map);
}

std::string CleanText(std::string_view in, const CleanOptions& options) {
  std::string out;
  OffsetMap map;
  CleanText(in, options, &out, &map);
  return out;
}

namespace {

// Tag sets as lookup tables (a switch over GumboTag would have to name all ~150 tags).
struct TagTable {
  bool dropped[GUMBO_TAG_LAST + 1] = {};
  bool block[GUMBO_TAG_LAST + 1] = {};
  TagTable() {
    for (GumboTag t :
         {GUMBO_TAG_SCRIPT, GUMBO_TAG_STYLE, GUMBO_TAG_NOSCRIPT, GUMBO_TAG_TEMPLATE, GUMBO_TAG_NAV,
          GUMBO_TAG_HEADER, GUMBO_TAG_FOOTER, GUMBO_TAG_ASIDE, GUMBO_TAG_FORM, GUMBO_TAG_IFRAME,
          GUMBO_TAG_SVG, GUMBO_TAG_HEAD, GUMBO_TAG_BUTTON, GUMBO_TAG_SELECT}) {
      dropped[t] = true;
    }
    for (GumboTag t :
         {GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE, GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_CAPTION,
          GUMBO_TAG_CENTER,  GUMBO_TAG_DD,      GUMBO_TAG_DETAILS,    GUMBO_TAG_DIV,
          GUMBO_TAG_DL,      GUMBO_TAG_DT,      GUMBO_TAG_FIELDSET,   GUMBO_TAG_FIGCAPTION,
          GUMBO_TAG_FIGURE,  GUMBO_TAG_H1,      GUMBO_TAG_H2,         GUMBO_TAG_H3,
          GUMBO_TAG_H4,      GUMBO_TAG_H5,      GUMBO_TAG_H6,         GUMBO_TAG_HR,
          GUMBO_TAG_LI,      GUMBO_TAG_MAIN,    GUMBO_TAG_OL,         GUMBO_TAG_P,
          GUMBO_TAG_PRE,     GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,    GUMBO_TAG_TABLE,
          GUMBO_TAG_TBODY,   GUMBO_TAG_TFOOT,   GUMBO_TAG_THEAD,      GUMBO_TAG_TR,
          GUMBO_TAG_UL,      GUMBO_TAG_BR}) {
      block[t] = true;
    }
  }
};

const TagTable& Tags() {
  static const TagTable tags;
  return tags;
}

bool IsDropped(GumboTag tag) { return tag <= GUMBO_TAG_LAST && Tags().dropped[tag]; }
bool IsBlock(GumboTag tag) { return tag <= GUMBO_TAG_LAST && Tags().block[tag]; }

class HtmlWalker {
 public:
  HtmlWalker(std::string* out, OffsetMap* map) : out_(out), map_(map) {}

  // Iterative walk (no recursion: nesting depth is attacker-controlled).
  void Walk(const GumboNode* root) {
    struct Frame {
      const GumboNode* node;
      unsigned next_child;
      bool preformatted;
    };
    std::vector<Frame> stack;
    stack.push_back({root, 0, false});
    Enter(root);
    while (!stack.empty()) {
      Frame& f = stack.back();
      const GumboNode* node = f.node;
      if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT) {
        stack.pop_back();
        continue;
      }
      const GumboVector& children =
          node->type == GUMBO_NODE_DOCUMENT ? node->v.document.children : node->v.element.children;
      if (f.next_child >= children.length) {
        Leave(node);
        stack.pop_back();
        continue;
      }
      const auto* child = static_cast<const GumboNode*>(children.data[f.next_child++]);
      const bool pre = f.preformatted;
      switch (child->type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
          Text(child->v.text, pre);
          break;
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE: {
          if (IsDropped(child->v.element.tag)) break;
          const bool child_pre = pre || child->v.element.tag == GUMBO_TAG_PRE ||
                                 child->v.element.tag == GUMBO_TAG_TEXTAREA;
          Enter(child);
          stack.push_back({child, 0, child_pre});
          break;
        }
        case GUMBO_NODE_DOCUMENT:
        case GUMBO_NODE_COMMENT:
          break;
      }
    }
  }

 private:
  void Enter(const GumboNode* node) {
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboTag tag = node->v.element.tag;
    if (tag == GUMBO_TAG_BR) {
      Separator("\n", node->v.element.start_pos.offset);
    } else if (IsBlock(tag)) {
      Break(node->v.element.start_pos.offset);
    } else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) {
      Separator(" ", node->v.element.start_pos.offset);
    }
  }

  void Leave(const GumboNode* node) {
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboTag tag = node->v.element.tag;
    if (IsBlock(tag) && tag != GUMBO_TAG_BR) {
      const unsigned pos = node->v.element.end_pos.offset != 0 ? node->v.element.end_pos.offset
                                                               : node->v.element.start_pos.offset;
      Break(pos);
    }
  }

  // Block boundaries: one line break however many blocks open or close (<br> always adds one).
  void Break(unsigned pos) {
    if (out_->empty() || out_->back() == '\n') return;
    Separator("\n", pos);
  }

  void Separator(std::string_view s, unsigned pos) {
    map_->AddReplaced(static_cast<uint32_t>(out_->size()), static_cast<uint32_t>(s.size()), pos,
                      pos);
    out_->append(s);
  }

  void Text(const GumboText& text, bool preformatted) {
    const std::string_view decoded(text.text);
    const std::string_view original(text.original_text.data, text.original_text.length);
    const auto o = static_cast<uint32_t>(out_->size());
    const auto pos = static_cast<uint32_t>(text.start_pos.offset);
    if (decoded == original) {
      map_->AddExact(o, pos, static_cast<uint32_t>(decoded.size()));
    } else {
      map_->AddReplaced(o, static_cast<uint32_t>(decoded.size()), pos,
                        pos + static_cast<uint32_t>(original.size()));
    }
    const size_t at = out_->size();
    out_->append(decoded);
    if (!preformatted) {
      for (size_t k = at; k < out_->size(); ++k) {
        char& ch = (*out_)[k];
        if (ch == '\n' || ch == '\r' || ch == '\t' || ch == '\f') ch = ' ';
      }
    }
  }

  std::string* out_;
  OffsetMap* map_;
};

}  // namespace

void HtmlToText(std::string_view html, std::string* out, OffsetMap* map) {
  out->clear();
  map->Clear();
  GumboOptions options = kGumboDefaultOptions;
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  if (output == nullptr) return;
  HtmlWalker(out, map).Walk(output->document);
  gumbo_destroy_output(&options, output);
}

}  // namespace newsflow::normalize
