// Publication dates: one tolerant parser for the many ways feeds and pages write a date.
//
// ParseDate() finds the first complete date (day, month and year) in a string and returns it
// as UTC epoch milliseconds. It is what the normalize stage runs on the feed's `published`
// field and on date lines of the text (boilerplate.h), so it must read everything below and
// must never guess.
//
// Recognised, anywhere in the text (labels before and words after the date are skipped):
//   ISO 8601     2025-10-21, 2025-10-21T14:05:00Z, 2025-10-21 14:05:00.123+03:00, also with
//                '/' or '.' between the numbers (2025/10/21 is always year/month/day)
//   RFC 2822     Tue, 21 Oct 2025 14:05:00 +0300 (GMT, EST, ...), and asctime/`date` output
//                Tue Oct 21 14:05:00 UTC 2025
//   numeric      21/10/2025, 21-10-2025, 21.10.2025, 21.10.25 (see "numeric rule")
//   month names  21 October 2025, 21st, October 2025, October 21, 2025, Oct. 21 2025,
//                21-Oct-2025, 1er octobre 2025, 21. Oktober 2025, 21 de octubre de 2025,
//                21 октября 2025 г., 21 жовтня 2025 р., 21 Ekim 2025, 21 באוקטובר 2025,
//                21 أكتوبر 2025, 21 تشرين الأول 2025, 21 أكتوبر/تشرين الأول 2025,
//                ۲۱ اکتبر ۲۰۲۵ -- in every supported language's full and abbreviated month
//                names (Russian/Ukrainian nominative and genitive; Arabic Egyptian/Gulf,
//                Levantine, Algerian/Tunisian and Moroccan names; Persian transcriptions)
//   Solar Hijri  ۲۹ مهر ۱۴۰۴ (Persian month names), ۱۴۰۴/۰۷/۲۹ in Persian digits, or a
//                numeric date followed by ه.ش -- converted with ICU's Persian calendar
//   Hijri        29 ربيع الآخر 1447 هـ (Islamic month names), or a numeric date followed by
//                هـ / هجري -- converted with ICU's islamic-umalqura calendar
// Digits of any script count (u_charDigitValue: Arabic-Indic ٠-٩, Persian ۰-۹, ...).
// Matching of month and marker words is case-insensitive and ignores Latin accents, Arabic
// diacritics and tatweel, hamza/alef variants (أ إ آ -> ا), ى/ي, ة/ه, Persian ی/ک, ZWNJ;
// Hebrew month names may carry the prefix ב ("in").
//
// Times (optional; after the date, or just before it): 14:05, 14:05:09.123, 2:05 PM, 2:05 p.m.,
// 2 PM, 14h05, 14 h 05, with AM/PM words ص/صباحاً, م/مساءً/ظهراً/عصراً, ق.ظ/ب.ظ. Between
// date and time these may stand: punctuation, weekday names, "at/à/um/в/о/saat/الساعة/ساعت/
// בשעה/a las/T", and year markers (г., р., هـ, م). Zones after the time (has_zone = true):
//   Z, ±hh:mm, ±hhmm, ±hh, GMT/UTC/UT with or without an offset (GMT+3, UTC+03:00),
//   fixed-offset names: WET 0, BST WEST CET MEZ +1, CEST MESZ EET +2, EEST MSK TRT TSİ IDT +3,
//   IST +2 (Israel, not India), IRST +3:30, IRDT +4:30, GST +4 (Gulf), EST -5, EDT -4,
//   CST -6, CDT -5, MST -7, MDT -6, PST -8, PDT -7 (RFC 2822's US zones), and the words
//   غرينتش/جرينتش/ت.غ/گرینویچ (GMT), مكة (+3), تهران (+3:30), МСК/по московскому времени (+3).
// Any other zone word (ET, AST, "Kyiv time", ...) is not a zone: the time is taken as UTC and
// has_zone stays false. A zone next to a date without a time is ignored (date-only results are
// always 00:00:00 UTC of that day).
//
// Numeric rule (d/m/y versus m/d/y): a leading 4-digit number is the year (y/m/d). Otherwise,
// with a trailing year, the order is day/month when only that reading is valid (first number
// > 12), month/day when only that is valid (10/21/2025), and when both are valid: day/month if
// the separator is '.' (21.10.2025 -- the European style) or if the text is clearly from a
// day-first locale (it contains non-ASCII letters or digits -- Arabic, Cyrillic, Hebrew,
// Persian, accented Latin -- or a French/German/Spanish/Turkish label word such as "le",
// "publié", "veröffentlicht", "publicado", "tarihi", "saat"); plain-ASCII 05/10/2025 is
// ambiguous and gives nullopt. A two-digit year is accepted only as d.m.yy (Israeli and
// German style 21.10.25 -> 2025). Years must be 1900-2199 (Gregorian), 1300-1599 (Solar Hijri),
// 1300-1600 (Hijri); ranges never overlap, so the calendar of a numeric date is never a guess.
//
// Why hand-written: ICU's SimpleDateFormat needs one exact pattern per locale and fails on
// labels, mixed scripts ("٢١ أكتوبر 2025"), ordinals, Levantine month pairs and the rest of
// real feed noise, so the parser tokenizes once and matches a few patterns over tokens. ICU is
// used where it does the work: digit values, case folding, and the Persian/Islamic calendars.
// Gregorian dates use plain days-from-civil arithmetic (no time zone database, no locale).
//
// Contract and pitfalls:
//   * Never a guess: no day -> nullopt ("October 2025", "2025"), invalid day -> nullopt
//     (31 февраля 2025, 21/13/2025), ambiguous numeric -> nullopt, 2-digit years only as d.m.yy.
//   * The first valid date in the text wins. Only the first 256 tokens (numbers, words,
//     punctuation) are looked at: pass a date string or a line, not an article.
//   * Any bytes are safe: ill-formed UTF-8 is read as separators, nothing is read out of
//     bounds (a fuzz test checks this under ASan/UBSan).
//   * Thread-safe. One small allocation per call; the word tables are built once (function-local
//     static). Solar Hijri/Hijri conversions use a per-thread cached icu::Calendar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace newsflow::normalize {

struct ParsedDate {
  int64_t epoch_ms = 0;   // UTC
  bool has_time = false;  // false: date only, epoch_ms is 00:00:00 UTC of that day
  bool has_zone = false;  // false: no zone/offset given; time taken as UTC
};

// Parses a date written anywhere in `text`: leading labels ("Published:", "تاريخ النشر:",
// "Опубликовано:", "Yayın tarihi:", "פורסם:", "تاریخ انتشار:" ...) and trailing words are ignored.
// Returns nullopt when no complete, valid date (day, month, year) is found -- never a guess.
std::optional<ParsedDate> ParseDate(std::string_view text);

// ParseDate() plus where the date expression lies in `text`: [begin, end) byte offsets covering
// a preceding weekday name, the date, its time and zone, and trailing year markers (г., هـ).
// Used by ClassifyLine() to decide whether a short line is "nothing but a date".
struct DateMatch {
  ParsedDate date;
  size_t begin = 0;
  size_t end = 0;
};
std::optional<DateMatch> FindDate(std::string_view text);

// Shared with boilerplate.cc (not an API for other callers): the small, allocation-free
// matching fold both files use for marker words. It is not the text folder of folding.h: it
// drops Latin accents and turns ؤ/ئ into و/ي, which is right for fixed marker lists and wrong
// for article text.
namespace dates_internal {

enum class CharClass : uint8_t {
  kSeparator,  // white space, controls, and every ill-formed UTF-8 byte
  kLetter,     // general category L*
  kDigit,      // general category Nd (any script)
  kJoiner,     // marks, ZWNJ, ZWJ, soft hyphen: part of a word, dropped by the fold
  kIgnorable,  // bidi controls and BOM: neither word nor separator
  kPunct,      // everything else
};

// Decodes the code point at text[*pos] (requires *pos < text.size()) and advances *pos.
// Ill-formed sequences (overlong, surrogate, truncated, > U+10FFFF) return -1 and advance by
// one byte. Inline: it is the inner loop of both files.
inline int32_t DecodeUtf8(std::string_view text, size_t* pos) {
  const size_t i = *pos;
  const size_t n = text.size();
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  size_t len = 0;
  int32_t c = 0;
  int32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    c = b0 & 0x1F;
    min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    c = b0 & 0x0F;
    min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    c = b0 & 0x07;
    min = 0x10000;
  } else {
    *pos = i + 1;
    return -1;
  }
  if (n - i < len) {
    *pos = i + 1;
    return -1;
  }
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) {
      *pos = i + 1;
      return -1;
    }
    c = (c << 6) | (b & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    *pos = i + 1;
    return -1;
  }
  *pos = i + len;
  return c;
}

// Class of a code point (-1, the ill-formed marker, is a separator). Inline for ASCII and the
// core letter blocks of Cyrillic, Hebrew and Arabic (every line is scanned with it); ICU's
// general category for the rest.
CharClass ClassifyOther(int32_t c);
inline CharClass Classify(int32_t c) {
  if (c >= 0 && c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return CharClass::kLetter;
    if (c >= '0' && c <= '9') return CharClass::kDigit;
    if (c <= 0x20 || c == 0x7F) return CharClass::kSeparator;
    return CharClass::kPunct;
  }
  // All assigned letters (the same answer as u_charType).
  if ((c >= 0x0410 && c <= 0x044F) || (c >= 0x05D0 && c <= 0x05EA) ||
      (c >= 0x0620 && c <= 0x063A) || (c >= 0x0640 && c <= 0x064A)) {
    return CharClass::kLetter;
  }
  return ClassifyOther(c);
}

// Writes the matching fold of code point `c` (lower case, no accent or diacritic, Arabic and
// Persian letter variants unified, digits of any script as ASCII) to `out` and returns its
// length in bytes (0 to 4; 0 means the code point is dropped).
size_t FoldChar(int32_t c, char out[4]);

// Folds a whole string: words folded, every run of separators/punctuation one space, trimmed.
std::string FoldText(std::string_view text);

}  // namespace dates_internal
}  // namespace newsflow::normalize
