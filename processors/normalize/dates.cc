// Date parsing: tokenizer, word tables and the few patterns of dates.h.
//
// Flow: Scanner tokenizes the text once (numbers with their value and digit count, words with
// their matching fold and table entry, single punctuation characters, each with a flag for
// "white space before"); then for each token, left to right, it tries a numeric date, a
// day-month-year and a month-day-year pattern; the first valid one wins, and a time is looked
// for right after it (or right before it).
#include "processors/normalize/dates.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <unicode/uchar.h>

namespace newsflow::normalize {
namespace dates_internal {

CharClass ClassifyOther(int32_t c) {
  if (c < 0) return CharClass::kSeparator;
  if (c < 0x80) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return CharClass::kLetter;
    if (c >= '0' && c <= '9') return CharClass::kDigit;
    if (c <= 0x20 || c == 0x7F) return CharClass::kSeparator;
    return CharClass::kPunct;
  }
  switch (c) {
    case 0x00AD:  // soft hyphen
    case 0x200C:  // ZWNJ
    case 0x200D:  // ZWJ
      return CharClass::kJoiner;
    case 0x061C:  // Arabic letter mark
    case 0x200B:  // zero width space
    case 0x200E:  // LRM
    case 0x200F:  // RLM
    case 0xFEFF:  // BOM
      return CharClass::kIgnorable;
    default:
      break;
  }
  if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) return CharClass::kIgnorable;
  // Fast paths for the main scripts' core blocks (all assigned, same answer as u_charType).
  if ((c >= 0x0410 && c <= 0x044F) || (c >= 0x05D0 && c <= 0x05EA) ||
      (c >= 0x0620 && c <= 0x063A) || (c >= 0x0640 && c <= 0x064A)) {
    return CharClass::kLetter;
  }
  if (c >= 0x064B && c <= 0x065F) return CharClass::kJoiner;
  if ((c >= 0x0660 && c <= 0x0669) || (c >= 0x06F0 && c <= 0x06F9)) return CharClass::kDigit;
  switch (u_charType(c)) {
    case U_DECIMAL_DIGIT_NUMBER:
      return CharClass::kDigit;
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_ENCLOSING_MARK:
      return CharClass::kJoiner;
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return CharClass::kLetter;
    case U_CONTROL_CHAR:
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
      return CharClass::kSeparator;
    default:
      return CharClass::kPunct;
  }
}

namespace {

size_t PutUtf8(int32_t c, char out[4]) {
  if (c < 0x80) {
    out[0] = static_cast<char>(c);
    return 1;
  }
  if (c < 0x800) {
    out[0] = static_cast<char>(0xC0 | (c >> 6));
    out[1] = static_cast<char>(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (c >> 12));
    out[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (c >> 18));
  out[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (c & 0x3F));
  return 4;
}

size_t PutAscii(const char* s, char out[4]) {
  size_t n = 0;
  while (s[n] != '\0' && n < 4) {
    out[n] = s[n];
    ++n;
  }
  return n;
}

// Base letters of U+00C0-U+017F ('?' = needs two letters, '_' = not a letter).
constexpr char kLatinBase[] =
    "aaaaaa?ceeeeiiiidnooooo_ouuuuy??"   // U+00C0-U+00DF (Æ, Þ, ß: two letters)
    "aaaaaa?ceeeeiiiidnooooo_ouuuuy?y"   // U+00E0-U+00FF (æ, þ)
    "aaaaaaccccccccddddeeeeeeeeeegggg"   // U+0100-U+011F
    "gggghhhhiiiiiiiiii??jjkkklllllll"   // U+0120-U+013F (Ĳ ĳ)
    "lllnnnnnnnnnoooooo??rrrrrrssssss"   // U+0140-U+015F (Œ œ)
    "ssttttttuuuuuuuuuuuuwwyyyzzzzzzs";  // U+0160-U+017F
static_assert(sizeof(kLatinBase) == 6 * 32 + 1, "one entry per code point U+00C0-U+017F");

}  // namespace

size_t FoldChar(int32_t c, char out[4]) {
  if (c < 0) return 0;
  if (c < 0x80) {
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    out[0] = static_cast<char>(c);
    return 1;
  }
  const CharClass cls = Classify(c);
  if (cls == CharClass::kJoiner || cls == CharClass::kIgnorable) return 0;
  if (cls == CharClass::kDigit) {
    const int32_t v = u_charDigitValue(c);
    if (v >= 0 && v <= 9) {
      out[0] = static_cast<char>('0' + v);
      return 1;
    }
  }
  if (c >= 0xC0 && c <= 0x17F) {
    const char base = kLatinBase[c - 0xC0];
    if (base != '?' && base != '_') {
      out[0] = base;
      return 1;
    }
    switch (c) {
      case 0xC6:
      case 0xE6:
        return PutAscii("ae", out);
      case 0xDE:
      case 0xFE:
        return PutAscii("th", out);
      case 0xDF:
        return PutAscii("ss", out);
      case 0x132:
      case 0x133:
        return PutAscii("ij", out);
      case 0x152:
      case 0x153:
        return PutAscii("oe", out);
      default:
        break;  // × and ÷ stay as they are
    }
  }
  switch (c) {
    case 0x0640:  // tatweel
    case 0x02BC:  // modifier apostrophe (Ukrainian пʼятниця)
      return 0;
    case 0x0622:  // آ
    case 0x0623:  // أ
    case 0x0625:  // إ
    case 0x0671:  // ٱ
    case 0x0672:
    case 0x0673:
      return PutUtf8(0x0627, out);
    case 0x0649:  // ى
    case 0x06CC:  // Persian ی
    case 0x0626:  // ئ
      return PutUtf8(0x064A, out);
    case 0x06A9:  // Persian ک
      return PutUtf8(0x0643, out);
    case 0x0629:  // ة
    case 0x06C0:  // ۀ
    case 0x06D5:
      return PutUtf8(0x0647, out);
    case 0x0624:  // ؤ
      return PutUtf8(0x0648, out);
    case 0x0401:  // Ё
    case 0x0451:  // ё
      return PutUtf8(0x0435, out);
    default:
      break;
  }
  return PutUtf8(u_foldCase(c, U_FOLD_CASE_DEFAULT), out);
}

std::string FoldText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  size_t pos = 0;
  while (pos < text.size()) {
    const int32_t c = DecodeUtf8(text, &pos);
    const CharClass cls = Classify(c);
    if (cls == CharClass::kSeparator || cls == CharClass::kPunct) {
      pending_space = !out.empty();
      continue;
    }
    char buf[4];
    const size_t n = FoldChar(c, buf);
    if (n == 0) continue;
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.append(buf, n);
  }
  return out;
}

}  // namespace dates_internal

namespace {

using dates_internal::CharClass;
using dates_internal::Classify;
using dates_internal::DecodeUtf8;
using dates_internal::FoldChar;

constexpr size_t kMaxTokens = 256;
constexpr size_t kMaxFold = 40;  // longer words are no table word

// ---------------------------------------------------------------------------------------------
// Word table

enum class WordKind : uint8_t {
  kNone,
  kMonth,          // value 1-12, with its calendar
  kWeekday,        // skipped around dates and times
  kOrdinal,        // st nd rd th er e º го (after the day)
  kDateConnector,  // de del of من (between day, month and year)
  kTimeConnector,  // at à um в о saat الساعة ساعت בשעה T (between date and time)
  kTimeSuffix,     // Uhr horas hrs (after the time)
  kYearMarker,     // г года р року م ميلادي (after the year)
  kHijriMarker,    // هـ هجري (value 1 = lunar) / شمسی (value 2 = solar)
  kAm,             // am صباحا صبح
  kPm,             // pm مساء ظهرا عصرا
  kZone,           // value = offset in minutes
  kZonePrefix,     // بتوقيت توقيت по به وقت (before a zone word)
};

enum class Cal : uint8_t { kGregorian, kPersian, kIslamic };

enum WordFlags : uint8_t {
  kDayFirst = 1,    // a word of a day-first locale (numeric rule)
  kOffsetBase = 2,  // GMT/UTC/UT: may be followed by +hh[:mm]
};

struct WordInfo {
  WordKind kind = WordKind::kNone;
  int16_t value = 0;
  Cal cal = Cal::kGregorian;
  uint8_t flags = 0;
};

// Months: 12 entries, each "variant|variant|...". Keys are folded when the table is built, so
// accents, hamza forms and case need not be listed.
struct MonthList {
  Cal cal;
  bool day_first;  // the language writes day/month (numeric rule hint)
  std::array<const char*, 12> names;
};

constexpr MonthList kMonthLists[] = {
    // English
    {Cal::kGregorian,
     false,
     {"january|jan", "february|feb", "march|mar", "april|apr", "may", "june|jun", "july|jul",
      "august|aug", "september|sep|sept", "october|oct", "november|nov", "december|dec"}},
    // French
    {Cal::kGregorian,
     true,
     {"janvier|janv", "février|févr|fév", "mars", "avril|avr", "mai", "juin", "juillet|juil",
      "août", "septembre|sept", "octobre|oct", "novembre|nov", "décembre|déc"}},
    // German (Austrian Jänner/Feber)
    {Cal::kGregorian,
     true,
     {"januar|jänner|jan", "februar|feber|feb", "märz|maerz|mär|mrz", "april|apr", "mai",
      "juni|jun", "juli|jul", "august|aug", "september|sep|sept", "oktober|okt", "november|nov",
      "dezember|dez"}},
    // Spanish
    {Cal::kGregorian,
     true,
     {"enero|ene", "febrero|feb", "marzo|mar", "abril|abr", "mayo|may", "junio|jun", "julio|jul",
      "agosto|ago", "septiembre|setiembre|sep|sept|set", "octubre|oct", "noviembre|nov",
      "diciembre|dic"}},
    // Turkish
    {Cal::kGregorian,
     true,
     {"ocak|oca", "şubat|şub", "mart|mar", "nisan|nis", "mayıs|may", "haziran|haz", "temmuz|tem",
      "ağustos|ağu", "eylül|eyl", "ekim|eki", "kasım|kas", "aralık|ara"}},
    // Russian: genitive, nominative, abbreviations
    {Cal::kGregorian,
     true,
     {"января|январь|янв", "февраля|февраль|фев|февр", "марта|март|мар", "апреля|апрель|апр",
      "мая|май", "июня|июнь|июн", "июля|июль|июл", "августа|август|авг",
      "сентября|сентябрь|сен|сент", "октября|октябрь|окт", "ноября|ноябрь|ноя|нояб",
      "декабря|декабрь|дек"}},
    // Ukrainian: genitive, nominative, abbreviations
    {Cal::kGregorian,
     true,
     {"січня|січень|січ", "лютого|лютий|лют", "березня|березень|бер", "квітня|квітень|квіт",
      "травня|травень|трав", "червня|червень|черв", "липня|липень|лип", "серпня|серпень|серп",
      "вересня|вересень|вер", "жовтня|жовтень|жовт", "листопада|листопад|лист",
      "грудня|грудень|груд"}},
    // Hebrew (the prefix ב is added below)
    {Cal::kGregorian,
     true,
     {"ינואר", "פברואר", "מרץ|מרס", "אפריל", "מאי", "יוני", "יולי", "אוגוסט", "ספטמבר", "אוקטובר",
      "נובמבר", "דצמבר"}},
    // Arabic: Egyptian/Gulf | Levantine | Algerian/Tunisian | Moroccan
    {Cal::kGregorian,
     true,
     {"يناير|كانون الثاني|كانون ثاني|جانفي|جانفييه", "فبراير|شباط|فيفري|فبرير", "مارس|آذار",
      "أبريل|إبريل|نيسان|أفريل", "مايو|أيار|ماي", "يونيو|يونيه|حزيران|جوان",
      "يوليو|يوليه|تموز|جويلية|جويلييه|يوليوز", "أغسطس|آب|أوت|غشت", "سبتمبر|أيلول|شتنبر",
      "أكتوبر|تشرين الأول|تشرين أول", "نوفمبر|تشرين الثاني|تشرين ثاني|نونبر",
      "ديسمبر|كانون الأول|كانون أول|دجنبر"}},
    // Persian transcriptions of the Gregorian months
    {Cal::kGregorian,
     true,
     {"ژانویه|ژانویهٔ", "فوریه|فوریهٔ", "مارس", "آوریل", "مه|می", "ژوئن", "ژوئیه|ژوئیهٔ|جولای",
      "اوت|آگوست", "سپتامبر", "اکتبر", "نوامبر", "دسامبر"}},
    // Solar Hijri
    {Cal::kPersian,
     true,
     {"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد|امرداد", "شهریور", "مهر", "آبان", "آذر", "دی",
      "بهمن", "اسفند"}},
    // Hijri
    {Cal::kIslamic,
     true,
     {"محرم|المحرم", "صفر", "ربيع الأول|ربيع أول", "ربيع الآخر|ربيع الثاني|ربيع ثاني|ربيع آخر",
      "جمادى الأولى|جمادى الأول|جمادى أولى",
      "جمادى الآخرة|جمادى الثانية|جمادى الآخر|جمادى الثاني|جمادى ثاني", "رجب", "شعبان", "رمضان",
      "شوال", "ذو القعدة|ذي القعدة", "ذو الحجة|ذي الحجة"}},
};

struct WordList {
  WordKind kind;
  int16_t value;
  uint8_t flags;
  const char* words;  // "a|b|c"
};

constexpr WordList kWordLists[] = {
    {WordKind::kWeekday, 0, 0,
     "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|"
     "fri|sat|sun"},
    {WordKind::kWeekday, 0, kDayFirst,
     "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mer|jeu|ven|sam|dim|"
     "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|mo|di|mi|do|fr|sa|so|"
     "lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
     "pazartesi|salı|çarşamba|perşembe|cuma|cumartesi|pazar|"
     "понедельник|вторник|среда|среду|четверг|пятница|пятницу|суббота|субботу|воскресенье|"
     "пн|вт|ср|чт|пт|сб|вс|"
     "понеділок|вівторок|середа|середу|четвер|пʼятниця|пятниця|пʼятницю|субота|суботу|неділя|"
     "неділю|"
     "يوم|الاثنين|الإثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد|"
     "יום|ראשון|שני|שלישי|רביעי|חמישי|שישי|שבת|"
     "شنبه|یکشنبه|یک‌شنبه|دوشنبه|دو‌شنبه|"
     "سه‌شنبه|سهشنبه|چهارشنبه|چهار‌شنبه|"
     "پنجشنبه|پنج‌شنبه|جمعه"},
    {WordKind::kOrdinal, 0, 0, "st|nd|rd|th|er|re|e|eme|ème|ieme|º|ª|го|ое"},
    {WordKind::kDateConnector, 0, 0, "of|من"},
    {WordKind::kDateConnector, 0, kDayFirst, "de|del"},
    {WordKind::kTimeConnector, 0, 0, "at|t|في|الساعة|ساعت|בשעה|в|во|о|об"},
    {WordKind::kTimeConnector, 0, kDayFirst, "à|a|um|gegen|las|la|saat|alle|ore"},
    {WordKind::kTimeSuffix, 0, kDayFirst, "uhr|horas|hs|hrs"},
    {WordKind::kYearMarker, 0, 0, "г|года|год|гг|р|року|рік|م|ميلادي|ميلادية"},
    {WordKind::kHijriMarker, 1, 0, "ه|هجري|هجرية|قمري|قمری"},
    {WordKind::kHijriMarker, 2, 0, "شمسي|شمسی"},
    {WordKind::kAm, 0, 0, "am|صباحا|صباحاً|صباح|فجرا|صبح"},
    {WordKind::kPm, 0, 0, "pm|مساء|مساءا|مساءً|ظهرا|ظهراً|عصرا|عصراً|عصر|بعدازظهر"},
    {WordKind::kZone, 0, kOffsetBase, "gmt|utc|ut"},
    {WordKind::kZone, 0, 0, "z|wet|غرينتش|جرينتش|غرينيتش|جرينيتش|گرینویچ"},
    {WordKind::kZone, 60, 0, "bst|west|cet|mez"},
    {WordKind::kZone, 120, 0, "cest|mesz|eet|ist"},
    {WordKind::kZone, 180, 0, "eest|msk|мск|московскому|москве|trt|tsi|idt|مكة"},
    {WordKind::kZone, 210, 0, "irst|تهران"},
    {WordKind::kZone, 240, 0, "gst"},
    {WordKind::kZone, 270, 0, "irdt"},
    {WordKind::kZone, -240, 0, "edt"},
    {WordKind::kZone, -300, 0, "est|cdt"},
    {WordKind::kZone, -360, 0, "cst|mdt"},
    {WordKind::kZone, -420, 0, "mst|pdt"},
    {WordKind::kZone, -480, 0, "pst"},
    {WordKind::kZonePrefix, 0, 0, "بتوقيت|توقيت|по|به|وقت"},
    // Label words that only day-first locales use (numeric rule hint); no other role.
    {WordKind::kNone, 0, kDayFirst,
     "le|el|publié|mis|jour|veröffentlicht|aktualisiert|stand|publicado|actualizado|fecha|"
     "yayın|yayınlanma|tarihi|güncelleme|güncellendi|h"},
};

class WordTable {
 public:
  static const WordTable& Get() {
    static const WordTable table;
    return table;
  }

  const WordInfo* Find(std::string_view folded) const {
    auto it = std::lower_bound(
        entries_.begin(), entries_.end(), folded,
        [](const std::pair<std::string, WordInfo>& e, std::string_view k) { return e.first < k; });
    if (it == entries_.end() || it->first != folded) return nullptr;
    return &it->second;
  }

 private:
  WordTable() {
    for (const MonthList& list : kMonthLists) {
      for (int m = 0; m < 12; ++m) {
        ForEachVariant(list.names[static_cast<size_t>(m)], [&](std::string_view v) {
          WordInfo info{WordKind::kMonth, static_cast<int16_t>(m + 1), list.cal,
                        static_cast<uint8_t>(list.day_first ? kDayFirst : 0)};
          std::string key = dates_internal::FoldText(v);
          Add(key, info);
          // Persian writes ربیع‌الاول as one word (the ZWNJ folds away).
          if (key.find(' ') != std::string::npos) {
            std::string joined;
            for (char ch : key) {
              if (ch != ' ') joined.push_back(ch);
            }
            Add(joined, info);
          }
          if (!key.empty() && static_cast<unsigned char>(key[0]) == 0xD7) {  // Hebrew: ב + name
            Add("\xD7\x91" + key, info);
          }
        });
      }
    }
    for (const WordList& list : kWordLists) {
      ForEachVariant(list.words, [&](std::string_view v) {
        Add(dates_internal::FoldText(v),
            WordInfo{list.kind, list.value, Cal::kGregorian, list.flags});
      });
    }
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    // Duplicates: the first entry wins its kind/value; day-first flags are merged.
    std::vector<std::pair<std::string, WordInfo>> unique;
    for (auto& e : entries_) {
      if (!unique.empty() && unique.back().first == e.first) {
        unique.back().second.flags |= e.second.flags & kDayFirst;
        continue;
      }
      unique.push_back(std::move(e));
    }
    entries_ = std::move(unique);
  }

  template <typename Fn>
  static void ForEachVariant(std::string_view list, Fn&& fn) {
    while (!list.empty()) {
      const size_t bar = list.find('|');
      fn(list.substr(0, bar));
      if (bar == std::string_view::npos) break;
      list.remove_prefix(bar + 1);
    }
  }

  void Add(std::string key, const WordInfo& info) {
    if (key.empty() || key.size() > 2 * kMaxFold) return;
    entries_.emplace_back(std::move(key), info);
  }

  std::vector<std::pair<std::string, WordInfo>> entries_;
};

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic

constexpr int64_t kMsPerDay = 86'400'000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Midnight UTC (epoch ms) of day/month/year in a Persian or Islamic calendar, through ICU.
// Calendars are expensive to create and not thread-safe: one per thread and calendar, reused.
std::optional<int64_t> IcuCalendarDayMs(Cal cal, int year, int month, int day) {
  thread_local std::unique_ptr<icu::Calendar> persian;
  thread_local std::unique_ptr<icu::Calendar> islamic;
  std::unique_ptr<icu::Calendar>& slot = cal == Cal::kPersian ? persian : islamic;
  if (slot == nullptr) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Locale locale(cal == Cal::kPersian ? "en@calendar=persian"
                                                  : "en@calendar=islamic-umalqura");
    slot.reset(icu::Calendar::createInstance(*icu::TimeZone::getGMT(), locale, status));
    if (U_FAILURE(status) || slot == nullptr) {
      slot.reset();
      return std::nullopt;
    }
    slot->setLenient(false);
  }
  icu::Calendar& c = *slot;
  c.clear();
  c.set(year, month - 1, day);
  UErrorCode status = U_ZERO_ERROR;
  const UDate ms = c.getTime(status);
  if (U_FAILURE(status)) return std::nullopt;
  // Belt and braces: the fields must survive a round trip (no lenient roll-over).
  const int32_t got_year = c.get(UCAL_YEAR, status);
  const int32_t got_month = c.get(UCAL_MONTH, status);
  const int32_t got_day = c.get(UCAL_DATE, status);
  if (U_FAILURE(status) || got_year != year || got_month != month - 1 || got_day != day) {
    return std::nullopt;
  }
  return static_cast<int64_t>(ms);
}

struct Ymd {
  int year = 0;
  int month = 0;
  int day = 0;
  Cal cal = Cal::kGregorian;
};

// Midnight UTC of a date, or nullopt if it does not exist or its year is out of range.
std::optional<int64_t> DayStartMs(const Ymd& date) {
  if (date.month < 1 || date.month > 12 || date.day < 1) return std::nullopt;
  switch (date.cal) {
    case Cal::kGregorian:
      if (date.year < 1900 || date.year > 2199) return std::nullopt;
      if (date.day > DaysInMonth(date.year, date.month)) return std::nullopt;
      return DaysFromCivil(date.year, date.month, date.day) * kMsPerDay;
    case Cal::kPersian:
      if (date.year < 1300 || date.year > 1599 || date.day > 31) return std::nullopt;
      return IcuCalendarDayMs(date.cal, date.year, date.month, date.day);
    case Cal::kIslamic:
      if (date.year < 1300 || date.year > 1600 || date.day > 30) return std::nullopt;
      return IcuCalendarDayMs(date.cal, date.year, date.month, date.day);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Tokens

enum class TokType : uint8_t { kNumber, kWord, kPunct };

struct Token {
  TokType type = TokType::kPunct;
  bool space_before = true;  // white space (or the start of the text) precedes the token
  bool persian_digits = false;
  bool long_word = false;  // folded form longer than kMaxFold: never a table word
  char punct = 0;          // kPunct: ASCII stand-in (':' for '：', '-' for '–', ...), '?' other
  uint8_t digits = 0;      // kNumber: digit count (capped at 10)
  uint8_t fold_len = 0;    // kWord
  int32_t value = -1;      // kNumber: value, -1 if more than 9 digits
  uint32_t begin = 0;      // byte span in the text
  uint32_t end = 0;
  const WordInfo* info = nullptr;  // kWord: table entry
  char fold[kMaxFold];

  std::string_view Fold() const { return std::string_view(fold, fold_len); }
};

char PunctStandIn(int32_t c) {
  if (c < 0x80) return static_cast<char>(c);
  switch (c) {
    case 0xFF1A:  // fullwidth colon
    case 0xFE55:
      return ':';
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2212:
    case 0xFE63:
    case 0xFF0D:
      return '-';
    case 0x060C:  // Arabic comma
    case 0xFF0C:
    case 0x3001:
      return ',';
    case 0x06D4:  // Arabic full stop
    case 0xFF0E:
      return '.';
    case 0x061B:  // Arabic semicolon
      return ';';
    case 0xFF0B:
      return '+';
    case 0x2044:
    case 0xFF0F:
      return '/';
    default:
      return '?';
  }
}

struct TimeHit {
  int64_t ms = 0;  // since midnight
  bool has_zone = false;
  int offset_min = 0;
  size_t first = 0;  // token range [first, next)
  size_t next = 0;
};

struct DateHit {
  Ymd ymd;
  size_t first = 0;  // token range [first, next)
  size_t next = 0;
  std::optional<TimeHit> time;  // only for asctime (time between day and year)
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) { Tokenize(); }

  std::optional<DateMatch> Find() const {
    for (size_t i = 0; i < toks_.size(); ++i) {
      DateHit hit;
      if (!TryNumeric(i, &hit) && !TryDayMonthYear(i, &hit) && !TryMonthDayYear(i, &hit)) {
        continue;
      }
      const std::optional<int64_t> day_ms = DayStartMs(hit.ymd);
      if (!day_ms.has_value()) continue;
      std::optional<TimeHit> time = hit.time;
      if (!time.has_value()) time = TimeAfter(hit.next);
      if (!time.has_value()) time = TimeBefore(hit.first);
      return MakeMatch(hit, *day_ms, time);
    }
    return std::nullopt;
  }

 private:
  // --- tokenizer -----------------------------------------------------------------------------

  void Tokenize() {
    if (text_.size() > 0x7FFFFFFF) text_ = text_.substr(0, 0x7FFFFFFF);
    const WordTable& table = WordTable::Get();
    toks_.reserve(std::min<size_t>(kMaxTokens, text_.size() / 2 + 1));
    bool space = true;
    size_t pos = 0;
    while (pos < text_.size() && toks_.size() < kMaxTokens) {
      const size_t start = pos;
      const int32_t c = DecodeUtf8(text_, &pos);
      const CharClass cls = Classify(c);
      if (cls == CharClass::kSeparator) {
        space = true;
        continue;
      }
      if (cls == CharClass::kIgnorable) continue;
      Token t;
      t.space_before = space;
      t.begin = static_cast<uint32_t>(start);
      space = false;
      if (cls == CharClass::kPunct) {
        t.type = TokType::kPunct;
        t.punct = PunctStandIn(c);
      } else if (cls == CharClass::kDigit) {
        t.type = TokType::kNumber;
        int64_t value = 0;
        int32_t d = c;
        while (true) {
          const int32_t v = d < 0x80 ? d - '0' : u_charDigitValue(d);
          if (d >= 0x80) day_first_context_ = true;
          if (d >= 0x06F0 && d <= 0x06F9) t.persian_digits = true;
          if (t.digits < 10) {
            ++t.digits;
            value = value * 10 + std::max(v, 0);
          }
          size_t next = pos;
          if (next >= text_.size()) break;
          d = DecodeUtf8(text_, &next);
          if (Classify(d) != CharClass::kDigit) break;
          pos = next;
        }
        t.value = t.digits <= 9 ? static_cast<int32_t>(value) : -1;
      } else {  // letter or joiner: a word
        t.type = TokType::kWord;
        int32_t d = c;
        while (true) {
          if (d >= 0x80 && Classify(d) == CharClass::kLetter) day_first_context_ = true;
          char buf[4];
          const size_t n = FoldChar(d, buf);
          if (t.fold_len + n > kMaxFold) {
            t.long_word = true;
          } else {
            std::memcpy(t.fold + t.fold_len, buf, n);
            t.fold_len = static_cast<uint8_t>(t.fold_len + n);
          }
          size_t next = pos;
          if (next >= text_.size()) break;
          d = DecodeUtf8(text_, &next);
          const CharClass dc = Classify(d);
          if (dc != CharClass::kLetter && dc != CharClass::kJoiner) break;
          pos = next;
        }
        if (t.long_word) t.fold_len = 0;
        if (t.fold_len > 0) t.info = table.Find(t.Fold());
        if (t.info != nullptr && (t.info->flags & kDayFirst) != 0) day_first_context_ = true;
      }
      t.end = static_cast<uint32_t>(pos);
      toks_.push_back(t);
    }
  }

  // --- token predicates (all bounds-checked) ---------------------------------------------------

  const Token* At(size_t i) const { return i < toks_.size() ? &toks_[i] : nullptr; }
  bool IsNumber(size_t i) const { return i < toks_.size() && toks_[i].type == TokType::kNumber; }
  bool IsWord(size_t i) const { return i < toks_.size() && toks_[i].type == TokType::kWord; }
  bool IsPunct(size_t i, char p) const {
    return i < toks_.size() && toks_[i].type == TokType::kPunct && toks_[i].punct == p;
  }
  bool IsPunctAny(size_t i) const { return i < toks_.size() && toks_[i].type == TokType::kPunct; }
  bool Adjacent(size_t i) const { return i < toks_.size() && !toks_[i].space_before; }
  WordKind Kind(size_t i) const {
    if (!IsWord(i) || toks_[i].info == nullptr) return WordKind::kNone;
    return toks_[i].info->kind;
  }
  bool WordIs(size_t i, std::string_view folded) const {
    return IsWord(i) && toks_[i].Fold() == folded;
  }
  // Number with 1-2 digits and a value in [lo, hi].
  bool IsSmall(size_t i, int lo, int hi) const {
    return IsNumber(i) && toks_[i].digits <= 2 && toks_[i].value >= lo && toks_[i].value <= hi;
  }
  bool IsYear(size_t i) const { return IsNumber(i) && toks_[i].digits == 4; }

  // --- dates ---------------------------------------------------------------------------------

  // y-m-d, d/m/y, m/d/y, d.m.yy with one separator kind ('-', '/' or '.'), no spaces.
  bool TryNumeric(size_t i, DateHit* out) const {
    if (!IsNumber(i)) return false;
    if (i >= 2 && Adjacent(i) && IsPunctAny(i - 1) && IsNumber(i - 2) && Adjacent(i - 1)) {
      const char p = toks_[i - 1].punct;
      if (p == '.' || p == '/' || p == '-' || p == ':') return false;  // inside a longer chain
    }
    const Token* sep1 = At(i + 1);
    if (sep1 == nullptr || sep1->type != TokType::kPunct || !Adjacent(i + 1)) return false;
    const char sep = sep1->punct;
    if (sep != '-' && sep != '/' && sep != '.') return false;
    if (!IsNumber(i + 2) || !Adjacent(i + 2) || !IsPunct(i + 3, sep) || !Adjacent(i + 3) ||
        !IsNumber(i + 4) || !Adjacent(i + 4)) {
      return false;
    }
    if (IsPunct(i + 5, sep) && Adjacent(i + 5) && IsNumber(i + 6) && Adjacent(i + 6)) {
      return false;  // 1.2.3.4, a version or an address
    }
    const Token& a = toks_[i];
    const Token& b = toks_[i + 2];
    const Token& c = toks_[i + 4];
    Ymd ymd;
    if (a.digits == 4 && b.digits <= 2 && c.digits <= 2) {
      ymd = {a.value, b.value, c.value, Cal::kGregorian};
    } else if (a.digits <= 2 && b.digits <= 2 && (c.digits == 4 || (c.digits == 2 && sep == '.'))) {
      const int p = a.value;
      const int q = b.value;
      const bool day_month = p >= 1 && p <= 31 && q >= 1 && q <= 12;
      const bool month_day = q >= 1 && q <= 31 && p >= 1 && p <= 12;
      int day = 0;
      int month = 0;
      if (day_month && (!month_day || p == q || sep == '.' || day_first_context_)) {
        day = p;
        month = q;
      } else if (month_day && !day_month && sep != '.') {
        day = q;
        month = p;
      } else {
        return false;  // invalid, or ambiguous
      }
      ymd = {c.digits == 4 ? c.value : 2000 + c.value, month, day, Cal::kGregorian};
    } else {
      return false;
    }
    if (ymd.year >= 1300 && ymd.year <= 1600) {
      const int marker = HijriMarker(i + 5);
      if (marker == 1) {
        ymd.cal = Cal::kIslamic;
      } else if (marker == 2 || (a.persian_digits || c.persian_digits)) {
        ymd.cal = Cal::kPersian;
      } else {
        return false;  // a Hijri-range year without saying which calendar
      }
    }
    *out = DateHit{ymd, i, i + 5, std::nullopt};
    return true;
  }

  // 1: Hijri (هـ, هجري, ه.ق), 2: Solar Hijri (ه.ش, شمسی), 0: none, at token i.
  int HijriMarker(size_t i) const {
    if (Kind(i) != WordKind::kHijriMarker) return 0;
    if (toks_[i].info->value == 2) return 2;
    if (IsPunct(i + 1, '.') && WordIs(i + 2, "\xD8\xB4")) return 2;  // ه.ش
    return 1;
  }

  // Skips up to `max` tokens of punctuation , . - / and date connectors (de, of, من).
  size_t SkipDateFillers(size_t j, int max) const {
    for (int k = 0; k < max; ++k) {
      if (IsPunct(j, ',') || IsPunct(j, '.') || IsPunct(j, '-') || IsPunct(j, '/') ||
          Kind(j) == WordKind::kDateConnector) {
        ++j;
      } else {
        break;
      }
    }
    return j;
  }

  // A month name at token j (two words first: تشرين الأول, ربيع الآخر); sets *next.
  const WordInfo* MatchMonth(size_t j, size_t* next) const {
    if (!IsWord(j)) return nullptr;
    if (IsWord(j + 1) && toks_[j].fold_len > 0 && toks_[j + 1].fold_len > 0) {
      char buf[2 * kMaxFold + 1];
      const std::string_view a = toks_[j].Fold();
      const std::string_view b = toks_[j + 1].Fold();
      std::memcpy(buf, a.data(), a.size());
      buf[a.size()] = ' ';
      std::memcpy(buf + a.size() + 1, b.data(), b.size());
      const WordInfo* info = WordTable::Get().Find(std::string_view(buf, a.size() + 1 + b.size()));
      if (info != nullptr && info->kind == WordKind::kMonth) {
        *next = j + 2;
        return info;
      }
    }
    if (Kind(j) == WordKind::kMonth) {
      *next = j + 1;
      return toks_[j].info;
    }
    return nullptr;
  }

  // After a month: "/تشرين الأول" or "(أكتوبر)" naming the same month again is skipped.
  size_t SkipAlternateMonth(size_t j, int month) const {
    size_t next = 0;
    if (IsPunct(j, '/') || IsPunct(j, '-')) {
      const WordInfo* alt = MatchMonth(j + 1, &next);
      if (alt != nullptr && alt->value == month) return next;
    }
    if (IsPunct(j, '(')) {
      const WordInfo* alt = MatchMonth(j + 1, &next);
      if (alt != nullptr && alt->value == month && IsPunct(next, ')')) return next + 1;
    }
    return j;
  }

  // Skips an ordinal suffix after a day: 21st, 1er, 21-го, 1º.
  size_t SkipOrdinal(size_t j) const {
    if (Kind(j) == WordKind::kOrdinal && Adjacent(j)) return j + 1;
    if (IsPunct(j, '-') && Adjacent(j) && Kind(j + 1) == WordKind::kOrdinal && Adjacent(j + 1)) {
      return j + 2;
    }
    return j;
  }

  // 21 October 2025, 21st, October 2025, 21 de octubre de 2025, 21 تشرين الأول 2025, ...
  bool TryDayMonthYear(size_t i, DateHit* out) const {
    if (!IsSmall(i, 1, 31)) return false;
    if (i >= 1 && Adjacent(i)) {  // 14:21 October, 10/21 October: not a day
      if (IsPunct(i - 1, ':')) return false;
      if (i >= 2 && IsPunctAny(i - 1) && IsNumber(i - 2) && Adjacent(i - 1)) return false;
    }
    size_t j = SkipDateFillers(SkipOrdinal(i + 1), 3);
    size_t next = 0;
    const WordInfo* month = MatchMonth(j, &next);
    if (month == nullptr) return false;
    j = SkipDateFillers(SkipAlternateMonth(next, month->value), 3);
    if (!IsYear(j)) return false;
    *out =
        DateHit{{toks_[j].value, month->value, toks_[i].value, month->cal}, i, j + 1, std::nullopt};
    return true;
  }

  // October 21, 2025; Oct. 21st 2025; asctime Tue Oct 21 14:05:00 [UTC] 2025.
  bool TryMonthDayYear(size_t i, DateHit* out) const {
    size_t j = 0;
    const WordInfo* month = MatchMonth(i, &j);
    if (month == nullptr) return false;
    if (IsPunct(j, '.')) ++j;
    if (!IsSmall(j, 1, 31) || (IsPunct(j + 1, ':') && Adjacent(j + 1))) return false;
    const int day = toks_[j].value;
    j = SkipOrdinal(j + 1);
    if (IsPunct(j, ',')) ++j;
    if (IsYear(j)) {
      *out = DateHit{{toks_[j].value, month->value, day, month->cal}, i, j + 1, std::nullopt};
      return true;
    }
    TimeHit time;
    if (TryTime(j, &time) && IsYear(time.next)) {
      *out =
          DateHit{{toks_[time.next].value, month->value, day, month->cal}, i, time.next + 1, time};
      return true;
    }
    return false;
  }

  // --- times ---------------------------------------------------------------------------------

  // AM/PM at token j: 1 = am, 2 = pm, 0 = none; sets *next.
  int MatchAmPm(size_t j, size_t* next) const {
    if (!IsWord(j)) return 0;
    const WordKind kind = Kind(j);
    if (kind == WordKind::kAm || WordIs(j, "\xD8\xB5")) {  // ص
      *next = j + 1;
      return 1;
    }
    if (kind == WordKind::kPm || WordIs(j, "\xD9\x85")) {  // م
      *next = j + 1;
      return 2;
    }
    // a.m. / p.m. and Persian ق.ظ / ب.ظ
    const bool am = WordIs(j, "a") || WordIs(j, "\xD9\x82");
    const bool pm = WordIs(j, "p") || WordIs(j, "\xD8\xA8");
    if ((am || pm) && IsPunct(j + 1, '.') && Adjacent(j + 1) && Adjacent(j + 2) &&
        (WordIs(j + 2, "m") || WordIs(j + 2, "\xD8\xB8"))) {
      *next = IsPunct(j + 3, '.') && Adjacent(j + 3) ? j + 4 : j + 3;
      return am ? 1 : 2;
    }
    return 0;
  }

  // +03:00, +0300, +3, -05 at token j (sign immediately followed by digits).
  bool MatchSignedOffset(size_t j, int* offset, size_t* next) const {
    if (!(IsPunct(j, '+') || IsPunct(j, '-')) || !IsNumber(j + 1) || !Adjacent(j + 1)) {
      return false;
    }
    const int sign = toks_[j].punct == '-' ? -1 : 1;
    const Token& n = toks_[j + 1];
    int hours = 0;
    int minutes = 0;
    size_t k = j + 2;
    if (n.digits == 4) {
      hours = n.value / 100;
      minutes = n.value % 100;
    } else if (n.digits <= 2) {
      hours = n.value;
      if (IsPunct(k, ':') && Adjacent(k) && IsNumber(k + 1) && Adjacent(k + 1) &&
          toks_[k + 1].digits == 2) {
        minutes = toks_[k + 1].value;
        k += 2;
      }
    } else {
      return false;
    }
    if (hours > 14 || minutes > 59) return false;
    *offset = sign * (hours * 60 + minutes);
    *next = k;
    return true;
  }

  // A zone after a time: Z, +03:00, GMT, GMT+3, (MSK), بتوقيت غرينتش, ت.غ, ...
  bool MatchZone(size_t j, int* offset, size_t* next) const {
    size_t k = j;
    const bool paren = IsPunct(k, '(');
    if (paren) ++k;
    for (int p = 0; p < 2 && Kind(k) == WordKind::kZonePrefix; ++p) ++k;
    if (Kind(k) == WordKind::kZone) {
      const WordInfo& info = *toks_[k].info;
      *offset = info.value;
      ++k;
      if ((info.flags & kOffsetBase) != 0) {
        int extra = 0;
        size_t after = 0;
        if (MatchSignedOffset(k, &extra, &after)) {
          *offset = extra;
          k = after;
        }
      }
    } else if (WordIs(k, "\xD8\xAA") && IsPunct(k + 1, '.') && Adjacent(k + 1) &&
               WordIs(k + 2, "\xD8\xBA") && Adjacent(k + 2)) {  // ت.غ
      *offset = 0;
      k += 3;
    } else if (!MatchSignedOffset(k, offset, &k)) {
      return false;
    }
    if (paren && IsPunct(k, ')')) ++k;
    *next = k;
    return true;
  }

  // 14:05, 14:05:09.123, 2:05 PM, 2 PM, 14h05, 14 h, with zone; starting at token i.
  bool TryTime(size_t i, TimeHit* out) const {
    if (!IsSmall(i, 0, 23)) return false;
    int hour = toks_[i].value;
    int minute = 0;
    int second = 0;
    int millis = 0;
    size_t j = i + 1;
    size_t next = 0;
    int ampm = 0;
    if (IsPunct(j, ':') && Adjacent(j) && IsNumber(j + 1) && Adjacent(j + 1) &&
        toks_[j + 1].digits == 2) {
      minute = toks_[j + 1].value;
      j += 2;
      if (IsPunct(j, ':') && Adjacent(j) && IsNumber(j + 1) && Adjacent(j + 1) &&
          toks_[j + 1].digits == 2) {
        second = toks_[j + 1].value;
        j += 2;
        if ((IsPunct(j, '.') || IsPunct(j, ',')) && Adjacent(j) && IsNumber(j + 1) &&
            Adjacent(j + 1)) {
          const Token& f = toks_[j + 1];
          if (f.value >= 0) {
            int64_t v = f.value;
            for (int d = f.digits; d > 3; --d) v /= 10;
            for (int d = f.digits; d < 3; ++d) v *= 10;
            millis = static_cast<int>(v);
          }
          j += 2;
        }
      }
      if (IsPunct(j, ':') && Adjacent(j) && IsNumber(j + 1) && Adjacent(j + 1)) return false;
    } else if (WordIs(j, "h")) {  // 14h05, 14 h 05, 14h
      ++j;
      if (IsNumber(j) && toks_[j].digits == 2) {
        minute = toks_[j].value;
        ++j;
      }
    } else if ((ampm = MatchAmPm(j, &next)) != 0) {  // 2 PM
      if (hour < 1 || hour > 12) return false;
      j = next;
    } else {
      return false;
    }
    if (minute > 59 || second > 60) return false;
    second = std::min(second, 59);  // a leap second is read as :59
    if (ampm == 0) {
      ampm = MatchAmPm(j, &next);
      if (ampm != 0) j = next;
    }
    if (ampm != 0 && hour >= 1 && hour <= 12) hour = hour % 12 + (ampm == 2 ? 12 : 0);
    if (Kind(j) == WordKind::kTimeSuffix) ++j;
    TimeHit hit;
    hit.ms = ((hour * 60LL + minute) * 60 + second) * 1000 + millis;
    int offset = 0;
    if (MatchZone(j, &offset, &next)) {
      hit.has_zone = true;
      hit.offset_min = offset;
      j = next;
    }
    hit.first = i;
    hit.next = j;
    *out = hit;
    return true;
  }

  // Tokens that may stand between a date and its time.
  bool Skippable(size_t i) const {
    if (IsPunctAny(i)) return toks_[i].punct != '+';
    switch (Kind(i)) {
      case WordKind::kWeekday:
      case WordKind::kTimeConnector:
      case WordKind::kDateConnector:
      case WordKind::kYearMarker:
      case WordKind::kHijriMarker:
        return true;
      case WordKind::kNone:
      case WordKind::kMonth:
      case WordKind::kOrdinal:
      case WordKind::kTimeSuffix:
      case WordKind::kAm:
      case WordKind::kPm:
      case WordKind::kZone:
      case WordKind::kZonePrefix:
        return false;
    }
    return false;
  }

  std::optional<TimeHit> TimeAfter(size_t j) const {
    for (int skipped = 0; j < toks_.size() && skipped <= 5; ++skipped, ++j) {
      TimeHit hit;
      if (TryTime(j, &hit)) return hit;
      if (!Skippable(j)) break;
    }
    return std::nullopt;
  }

  std::optional<TimeHit> TimeBefore(size_t first) const {
    size_t k = first;  // one past the candidate time's last token
    for (int skipped = 0; k > 0 && skipped < 4 && Skippable(k - 1); ++skipped) --k;
    if (k == 0) return std::nullopt;
    for (size_t s = k > 8 ? k - 8 : 0; s < k; ++s) {
      TimeHit hit;
      if (TryTime(s, &hit) && hit.next == k) return hit;
    }
    return std::nullopt;
  }

  // --- result --------------------------------------------------------------------------------

  DateMatch MakeMatch(const DateHit& hit, int64_t day_ms,
                      const std::optional<TimeHit>& time) const {
    DateMatch m;
    m.date.epoch_ms = day_ms;
    size_t first = hit.first;
    size_t next = hit.next;
    if (time.has_value()) {
      m.date.has_time = true;
      m.date.has_zone = time->has_zone;
      m.date.epoch_ms += time->ms - int64_t{time->offset_min} * 60'000;
      first = std::min(first, time->first);
      next = std::max(next, time->next);
    } else {
      // Trailing zone word of a date-only expression ("21st, October 2025 GMT"): part of the
      // span, not of the value.
      int offset = 0;
      size_t after = 0;
      if (MatchZone(next, &offset, &after)) next = after;
    }
    // Trailing year markers: 2025 г., 1447 هـ, 2025 م.
    bool after_marker = false;  // the abbreviation dot of г. / р. belongs to the marker
    for (int k = 0; k < 3 && next < toks_.size(); ++k) {
      const WordKind kind = Kind(next);
      if (kind == WordKind::kYearMarker || kind == WordKind::kHijriMarker) {
        after_marker = true;
        ++next;
      } else if (after_marker && IsPunct(next, '.') && Adjacent(next)) {
        after_marker = false;
        ++next;
      } else {
        break;
      }
    }
    // A weekday name before the date: "Tuesday, 21 October 2025", "يوم الثلاثاء 21 ...".
    for (size_t k = first, steps = 0; k > 0 && steps < 4; --k, ++steps) {
      if (Kind(k - 1) == WordKind::kWeekday) {
        first = k - 1;
      } else if (!IsPunct(k - 1, ',')) {
        break;
      }
    }
    m.begin = toks_[first].begin;
    m.end = toks_[next - 1].end;
    return m;
  }

  std::string_view text_;
  std::vector<Token> toks_;
  bool day_first_context_ = false;
};

}  // namespace

std::optional<DateMatch> FindDate(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return Scanner(text).Find();
}

std::optional<ParsedDate> ParseDate(std::string_view text) {
  std::optional<DateMatch> m = FindDate(text);
  if (!m.has_value()) return std::nullopt;
  return m->date;
}

}  // namespace newsflow::normalize
