#include "processors/normalize/folding_icu.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>
#include <unicode/uversion.h>

#include <cassert>

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

}  // namespace

namespace internal {

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

uint8_t ComputeFlags(uint32_t cp) {
  const auto c = static_cast<UChar32>(cp);
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

void BuildBmpTable(std::vector<TextFolder::Row>* rows, std::string* pool) {
  rows->assign(0x10000, TextFolder::Row{});
  pool->clear();
  pool->reserve(256 * 1024);
  for (uint32_t cp = 0; cp < 0x10000; ++cp) {
    TextFolder::Row& e = (*rows)[cp];
    const std::string f = FoldCodePointSlow(cp);
    assert(f.size() < 256);
    e.offset = static_cast<uint32_t>(pool->size());
    e.length = static_cast<uint8_t>(f.size());
    pool->append(f);
    UErrorCode ec = U_ZERO_ERROR;
    e.script = static_cast<uint8_t>(uscript_getScript(static_cast<UChar32>(cp), &ec));
    e.flags = ComputeFlags(cp);
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
  pool->append(4, '\0');  // padding: FoldPool() readers may copy 4 bytes from any row
}

std::string IcuVersionKey() {
  UVersionInfo icu;
  UVersionInfo unicode;
  u_getVersion(icu);
  u_getUnicodeVersion(unicode);
  char a[U_MAX_VERSION_STRING_LENGTH];
  char b[U_MAX_VERSION_STRING_LENGTH];
  u_versionToString(icu, a);
  u_versionToString(unicode, b);
  return std::string(a) + "/" + b;
}

}  // namespace internal

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

}  // namespace newsflow::normalize
