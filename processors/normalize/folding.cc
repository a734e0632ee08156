#include "processors/normalize/folding.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <bit>
#include <cassert>
#include <cstring>
#include <iterator>

namespace newsflow::normalize {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  char buf[4];
  int32_t n = 0;
  UBool error = false;
  U8_APPEND(buf, n, 4, static_cast<UChar32>(cp), error);
  if (error) {
    out->append("\xEF\xBF\xBD");
    return;
  }
  out->append(buf, static_cast<size_t>(n));
}

// Script-specific replacements applied after NFKC_Casefold. Returns true and sets `*to` (0 =
// drop) when `cp` has an explicit rule.
bool ExplicitMap(uint32_t cp, uint32_t* to) {
  // Arabic marks: harakat, superscript alef, Quranic annotation signs; tatweel.
  if ((cp >= 0x064B && cp <= 0x0652) || cp == 0x0670 || (cp >= 0x0610 && cp <= 0x061A) ||
      (cp >= 0x06D6 && cp <= 0x06ED) || cp == 0x0640) {
    *to = 0;
    return true;
  }
  switch (cp) {
    // Arabic alef variants: hamza above/below, madda, wasla, wavy hamza.
    case 0x0622:
    case 0x0623:
    case 0x0625:
    case 0x0671:
    case 0x0672:
    case 0x0673:
      *to = 0x0627;
      return true;
    case 0x0649:  // alef maksura -> yeh
    case 0x06CC:  // Persian yeh -> Arabic yeh
      *to = 0x064A;
      return true;
    case 0x0629:  // teh marbuta -> heh
      *to = 0x0647;
      return true;
    case 0x06A9:  // Persian keheh -> Arabic kaf
      *to = 0x0643;
      return true;
    case 0x0451:  // ё -> е (Ё case-folds to ё first)
      *to = 0x0435;
      return true;
    case 0x0131:  // dotless ı -> i (İ folds to i + U+0307, whose mark is dropped)
      *to = 'i';
      return true;
    case 0x0142:  // ł
      *to = 'l';
      return true;
    case 0x00F8:  // ø
      *to = 'o';
      return true;
    case 0x0111:  // đ
      *to = 'd';
      return true;
    case 0x0127:  // ħ
      *to = 'h';
      return true;
    case 0x2019:  // right single quotation mark, used as apostrophe
    case 0x02BC:  // modifier letter apostrophe (Ukrainian)
    case 0x0060:  // grave accent used as apostrophe
      *to = '\'';
      return true;
    default:
      break;
  }
  if (u_charType(static_cast<UChar32>(cp)) == U_DECIMAL_DIGIT_NUMBER) {
    const int32_t v = u_charDigitValue(static_cast<UChar32>(cp));
    if (v >= 0 && v <= 9) {
      *to = static_cast<uint32_t>('0' + v);
      return true;
    }
  }
  return false;
}

bool IsMark(uint32_t cp) {
  const int8_t t = u_charType(static_cast<UChar32>(cp));
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK;
}

// Scripts whose diacritics are folded away (canonical decomposition, marks dropped).
bool DropsMarks(UScriptCode sc) {
  return sc == USCRIPT_LATIN || sc == USCRIPT_GREEK || sc == USCRIPT_COMMON ||
         sc == USCRIPT_INHERITED || sc == USCRIPT_HEBREW;
}

void FoldOne(uint32_t cp, const icu::Normalizer2* nfd, std::string* out) {
  uint32_t to = 0;
  if (ExplicitMap(cp, &to)) {
    if (to != 0) AppendUtf8(to, out);
    return;
  }
  UErrorCode ec = U_ZERO_ERROR;
  const UScriptCode sc = uscript_getScript(static_cast<UChar32>(cp), &ec);
  if (sc == USCRIPT_CYRILLIC) {
    if (!IsMark(cp)) AppendUtf8(cp, out);  // й, ї stay composed; titlo etc. dropped
    return;
  }
  if (!DropsMarks(sc)) {
    AppendUtf8(cp, out);
    return;
  }
  icu::UnicodeString decomposed;
  if (!nfd->getDecomposition(static_cast<UChar32>(cp), decomposed)) {
    if (!IsMark(cp)) AppendUtf8(cp, out);
    return;
  }
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (IsMark(static_cast<uint32_t>(c))) continue;
    uint32_t mapped = 0;
    if (ExplicitMap(static_cast<uint32_t>(c), &mapped)) {
      if (mapped != 0) AppendUtf8(mapped, out);
    } else {
      AppendUtf8(static_cast<uint32_t>(c), out);
    }
  }
}

TextFolder::WordClass ComputeWordClass(uint32_t cp) {
  using WC = TextFolder::WordClass;
  const auto c = static_cast<UChar32>(cp);
  if ((cp >= 0xAC00 && cp <= 0xD7A3) || u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) ||
      u_getIntPropertyValue(c, UCHAR_LINE_BREAK) == U_LB_COMPLEX_CONTEXT) {
    return WC::kHard;
  }
  // ICU's root word rules (word.txt) tailor UAX #29: `$ALetter = [\p{Word_Break = ALetter} @]`,
  // so that e-mail addresses and handles stay one word ("@POTUS", "a@b.com"). Only the ASCII
  // '@' (U+FF20 and U+FE6B stay Other). Without this the fast path started "@POTUS" at 'P'.
  if (cp == 0x0040) return WC::kLetter;
  UErrorCode ec = U_ZERO_ERROR;
  const UScriptCode sc = uscript_getScript(c, &ec);
  if (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA) return WC::kHard;
  switch (static_cast<UWordBreakValues>(u_getIntPropertyValue(c, UCHAR_WORD_BREAK))) {
    case U_WB_ALETTER:
      return WC::kLetter;
    case U_WB_HEBREW_LETTER:
      return WC::kHebrew;
    case U_WB_NUMERIC:
      return WC::kNumeric;
    case U_WB_MIDLETTER:
      // ICU's root rules (CLDR) take the colons out of MidLetter: "ENXTPA:RNO" is two words.
      if (cp == 0x003A || cp == 0xFE55 || cp == 0xFF1A) return WC::kOther;
      return WC::kMidLetter;
    case U_WB_MIDNUM:
      return WC::kMidNum;
    case U_WB_MIDNUMLET:
      return WC::kMidNumLet;
    case U_WB_SINGLE_QUOTE:
      return WC::kSingleQuote;
    case U_WB_DOUBLE_QUOTE:
      return WC::kDoubleQuote;
    case U_WB_EXTEND:
    case U_WB_FORMAT:
    case U_WB_ZWJ:
      return WC::kExtend;
    case U_WB_KATAKANA:
    case U_WB_EXTENDNUMLET:
    case U_WB_REGIONAL_INDICATOR:
      return WC::kHard;
    case U_WB_CR:  // line breaks always break (rules 3-3b) and are never words
    case U_WB_LF:
    case U_WB_NEWLINE:
    case U_WB_OTHER:
    case U_WB_E_BASE:
    case U_WB_E_BASE_GAZ:
    case U_WB_E_MODIFIER:
    case U_WB_GLUE_AFTER_ZWJ:
    case U_WB_WSEGSPACE:
    case U_WB_COUNT:
      break;
  }
  if (u_hasBinaryProperty(c, UCHAR_EMOJI) || u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC)) {
    return WC::kEmoji;
  }
  return WC::kOther;
}

}  // namespace

TextFolder::WordClass TextFolder::SupplementaryWordClass(uint32_t cp) {
  return ComputeWordClass(cp);
}

namespace {

uint8_t ComputeFlags(UChar32 c) {
  uint8_t flags = 0;
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) flags |= TextFolder::kLetter;
  const int8_t type = u_charType(c);
  if (type == U_DECIMAL_DIGIT_NUMBER) flags |= TextFolder::kDigit;
  if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_COMBINING_SPACING_MARK) {
    flags |= TextFolder::kMark;
  }
  if (u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) != UNORM_YES || u_getCombiningClass(c) != 0) {
    flags |= TextFolder::kNfcMaybe;
  }
  return flags;
}

}  // namespace

std::string FoldCodePointSlow(uint32_t cp) {
  std::string out;
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out.append("\xEF\xBF\xBD", 3);
    return out;
  }
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(ec);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(ec);
  if (U_FAILURE(ec)) return out;  // ICU data missing: nothing sensible to fold to
  uint32_t direct = 0;
  if (cp == 0x0130) {  // İ: NFKC_Casefold gives i + U+0307; say it plainly
    out.push_back('i');
    return out;
  }
  if (ExplicitMap(cp, &direct)) {
    if (direct != 0) AppendUtf8(direct, &out);
    return out;
  }
  const icu::UnicodeString folded =
      nfkc_cf->normalize(icu::UnicodeString(static_cast<UChar32>(cp)), ec);
  if (U_FAILURE(ec)) return out;
  for (int32_t i = 0; i < folded.length();) {
    const UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    FoldOne(static_cast<uint32_t>(c), nfd, &out);
  }
  return out;
}

const TextFolder& TextFolder::Default() {
  static const TextFolder* const folder = new TextFolder();  // intentionally leaked
  return *folder;
}

TextFolder::TextFolder() : entries_(0x10000) {
  pool_.reserve(256 * 1024);
  for (uint32_t cp = 0; cp < 0x10000; ++cp) {
    Entry& e = entries_[cp];
    const std::string f = FoldCodePointSlow(cp);
    assert(f.size() < 256);
    e.offset = static_cast<uint32_t>(pool_.size());
    e.length = static_cast<uint8_t>(f.size());
    pool_.append(f);
    UErrorCode ec = U_ZERO_ERROR;
    e.script = static_cast<uint8_t>(uscript_getScript(static_cast<UChar32>(cp), &ec));
    e.flags = ComputeFlags(static_cast<UChar32>(cp));
    std::string self;
    if (cp < 0xD800 || cp > 0xDFFF) AppendUtf8(cp, &self);
    if (self == f) e.flags |= TextFolder::kIdentity;
    if (f.find('\'') != std::string::npos) e.flags |= TextFolder::kFoldQuote;
    if ((e.flags & TextFolder::kLetter) != 0 && e.script != USCRIPT_COMMON &&
        e.script != USCRIPT_INHERITED) {
      e.flags |= TextFolder::kScriptLetter;
    }
    e.word_class = static_cast<uint8_t>(ComputeWordClass(cp));
  }
  pool_.append(4, '\0');  // padding: FoldPool() readers may copy 4 bytes from any row
  for (int c = 0; c < 128; ++c) {
    char f = static_cast<char>(c);
    if (c >= 'A' && c <= 'Z') f = static_cast<char>(c - 'A' + 'a');
    if (c == '`') f = '\'';
    ascii_[c] = f;
  }
}

int TextFolder::Script(uint32_t cp) const {
  if (cp < 0x10000) return entries_[cp].script;
  UErrorCode ec = U_ZERO_ERROR;
  return uscript_getScript(static_cast<UChar32>(cp), &ec);
}

uint8_t TextFolder::CharFlags(uint32_t cp) const {
  if (cp < 0x10000) return entries_[cp].flags;
  return ComputeFlags(static_cast<UChar32>(cp));
}

void TextFolder::AppendSupplementary(uint32_t cp, std::string* out) const {
  out->append(FoldCodePointSlow(cp));
}

void TextFolder::FoldNfcAppend(std::string_view nfc, std::string* out) const {
  FoldNfcAppendCounting(nfc, out, nullptr);
}

int TextFolder::FoldNfcAppendCounting(std::string_view nfc, std::string* out,
                                      ScriptHistogram* scripts) const {
  int first_script = -1;
  const auto* s = reinterpret_cast<const uint8_t*>(nfc.data());
  const int32_t n = static_cast<int32_t>(nfc.size());
  int32_t i = 0;
  while (i < n) {
    const uint8_t b = s[i];
    if (b < 0x80) {
      out->push_back(ascii_[b]);
      ++i;
      if (((b | 0x20) >= 'a' && (b | 0x20) <= 'z')) {
        if (first_script < 0) first_script = USCRIPT_LATIN;
        if (scripts != nullptr) scripts->Add(USCRIPT_LATIN);
      }
      continue;
    }
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      out->append("\xEF\xBF\xBD");
      continue;
    }
    if (c < 0x10000) {
      const Entry& e = entries_[static_cast<uint32_t>(c)];
      if ((e.flags & kLetter) != 0 && e.script != USCRIPT_INHERITED && e.script != USCRIPT_COMMON) {
        if (first_script < 0) first_script = e.script;
        if (scripts != nullptr) scripts->Add(e.script);
      }
      if ((e.flags & kIdentity) != 0) {
        out->append(nfc.data() + start, static_cast<size_t>(i - start));
      } else {
        out->append(pool_.data() + e.offset, e.length);
      }
    } else {
      AppendSupplementary(static_cast<uint32_t>(c), out);
    }
  }
  return first_script;
}

void TextFolder::FoldAppend(std::string_view utf8, std::string* out) const {
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(ec);
  if (U_SUCCESS(ec) && !nfc->isNormalizedUTF8(utf8, ec) && U_SUCCESS(ec)) {
    std::string composed;
    icu::StringByteSink<std::string> sink(&composed);
    nfc->normalizeUTF8(0, utf8, sink, nullptr, ec);
    if (U_SUCCESS(ec)) {
      FoldNfcAppend(composed, out);
      return;
    }
  }
  FoldNfcAppend(utf8, out);
}

int ScriptHistogram::Dominant(double* share) const {
  int best = -1;
  uint32_t best_count = 0;
  uint64_t total = 0;
  for (int w = 0; w < static_cast<int>(std::size(seen)); ++w) {
    for (uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
      const int i = w * 64 + std::countr_zero(bits);
      if (i == USCRIPT_COMMON || i == USCRIPT_INHERITED) continue;
      total += letters[i];
      if (letters[i] > best_count) {
        best_count = letters[i];
        best = i;
      }
    }
  }
  if (share != nullptr) {
    *share = total == 0 ? 0.0 : static_cast<double>(best_count) / static_cast<double>(total);
  }
  return best;
}

std::string_view ArabicBareForm(std::string_view folded) {
  // Folded Arabic letters are two bytes (U+0600-U+06FF: lead byte 0xD8-0xDB), so the prefixes
  // are compared as 16-bit codes of the first three letters: one load each, no string compares.
  const auto* s = reinterpret_cast<const uint8_t*>(folded.data());
  const size_t n = folded.size();
  if (n < 2 || s[0] < 0xD8 || s[0] > 0xDB) return {};
  auto letter = [&](size_t at) -> uint16_t {
    return at + 1 < n ? static_cast<uint16_t>((s[at] << 8) | s[at + 1]) : 0;
  };
  constexpr uint16_t kAlef = 0xD8A7;  // ا
  constexpr uint16_t kBeh = 0xD8A8;   // ب
  constexpr uint16_t kFeh = 0xD981;   // ف
  constexpr uint16_t kKaf = 0xD983;   // ك
  constexpr uint16_t kLam = 0xD984;   // ل
  constexpr uint16_t kWaw = 0xD988;   // و
  const uint16_t c0 = letter(0);
  const uint16_t c1 = letter(2);
  const uint16_t c2 = letter(4);
  // At least 2 letters (characters) must remain after the prefix.
  auto leaves_two = [&](size_t bytes) {
    size_t count = 0;
    for (size_t i = bytes; i < n && count < 2; ++i) {
      if ((s[i] & 0xC0) != 0x80) ++count;
    }
    return count >= 2;
  };
  // Longest first; at most one prefix of each length can match a given word.
  //   وال فال بال كال (conjunction/preposition + article), ولل فلل
  const bool three =
      ((c0 == kWaw || c0 == kFeh || c0 == kBeh || c0 == kKaf) && c1 == kAlef && c2 == kLam) ||
      ((c0 == kWaw || c0 == kFeh) && c1 == kLam && c2 == kLam);
  if (three && leaves_two(6)) return folded.substr(6);
  //   لل ال
  if ((c0 == kLam || c0 == kAlef) && c1 == kLam && leaves_two(4)) return folded.substr(4);
  //   و ف ب ل ك
  if ((c0 == kWaw || c0 == kFeh || c0 == kBeh || c0 == kLam || c0 == kKaf) && leaves_two(2)) {
    return folded.substr(2);
  }
  return {};
}

}  // namespace newsflow::normalize
