// ParseDate/FindDate: a table of real-world date forms in all ten languages plus ISO/RFC, a
// table of strings that must not parse, and a fuzz test (random bytes and mutated dates) that
// only checks the parser survives and stays in bounds (run it under ASan/UBSan).
#include "processors/normalize/dates.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "schemas/text.h"

namespace newsflow::normalize {
namespace {

struct DateCase {
  std::string_view input;
  std::string_view expected;  // RFC 3339 UTC
};

std::string Parsed(std::string_view input) {
  const std::optional<ParsedDate> d = ParseDate(input);
  return d.has_value() ? schemas::FormatRfc3339(d->epoch_ms) : std::string("nullopt");
}

constexpr DateCase kValid[] = {
    // --- the seed's date line ---
    {"تاريخ النشر: 21st, October 2025 GMT", "2025-10-21T00:00:00.000Z"},
    // --- ISO 8601 ---
    {"2025-10-21", "2025-10-21T00:00:00.000Z"},
    {"2025-10-21T14:05:00.000Z", "2025-10-21T14:05:00.000Z"},
    {"2025-10-21T14:05Z", "2025-10-21T14:05:00.000Z"},
    {"2025-10-21T14:05:00.123+03:00", "2025-10-21T11:05:00.123Z"},
    {"2025-10-21T14:05:00.5Z", "2025-10-21T14:05:00.500Z"},
    {"2025-10-21 14:05:00-05:00", "2025-10-21T19:05:00.000Z"},
    {"2024-12-31T23:59:59-01:00", "2025-01-01T00:59:59.000Z"},
    {"2025-10-21 14:05:00 UTC", "2025-10-21T14:05:00.000Z"},
    {"2025/10/21", "2025-10-21T00:00:00.000Z"},
    {"2024-04-10 (from URL)", "2024-04-10T00:00:00.000Z"},
    // --- RFC 2822 / asctime ---
    {"Tue, 21 Oct 2025 14:05:00 +0300", "2025-10-21T11:05:00.000Z"},
    {"Tue, 21 Oct 2025 14:05:00 GMT", "2025-10-21T14:05:00.000Z"},
    {"Tue, 21 Oct 2025 09:05:00 EST", "2025-10-21T14:05:00.000Z"},
    {"Tue, 20 Feb 2024 23:30:00 -0800", "2024-02-21T07:30:00.000Z"},
    {"Wed, 01 Jan 2025 00:00:00 +0000", "2025-01-01T00:00:00.000Z"},
    {"Tue Oct 21 14:05:00 UTC 2025", "2025-10-21T14:05:00.000Z"},
    // --- English ---
    {"October 21, 2025", "2025-10-21T00:00:00.000Z"},
    {"Published: Oct 21st, 2025", "2025-10-21T00:00:00.000Z"},
    {"21-Oct-2025", "2025-10-21T00:00:00.000Z"},
    {"Oct. 21, 2025 2:05 p.m.", "2025-10-21T14:05:00.000Z"},
    {"Updated 2:05 PM EDT, Tue October 21, 2025", "2025-10-21T18:05:00.000Z"},
    {"Tuesday, 21 October 2025 14:05 BST", "2025-10-21T13:05:00.000Z"},
    {"12:30 AM, October 21, 2025", "2025-10-21T00:30:00.000Z"},
    {"Oct 21, 2025 at 2:05 p.m. ET", "2025-10-21T14:05:00.000Z"},  // ET: unknown zone word
    {"29 February 2024", "2024-02-29T00:00:00.000Z"},
    // --- numeric ---
    {"21/10/2025", "2025-10-21T00:00:00.000Z"},
    {"10/21/2025", "2025-10-21T00:00:00.000Z"},
    {"21.10.2025", "2025-10-21T00:00:00.000Z"},
    {"21-10-2025 14:05", "2025-10-21T14:05:00.000Z"},
    // --- Arabic ---
    {"21 أكتوبر 2025", "2025-10-21T00:00:00.000Z"},
    {"٢١ أكتوبر ٢٠٢٥", "2025-10-21T00:00:00.000Z"},
    {"الثلاثاء 21 تشرين الأول 2025", "2025-10-21T00:00:00.000Z"},
    {"21 أكتوبر/تشرين الأول 2025", "2025-10-21T00:00:00.000Z"},
    {"الثلاثاء 21 اكتوبر 2025 - 02:05 مساءً", "2025-10-21T14:05:00.000Z"},
    {"٢١ أكتوبر ٢٠٢٥ الساعة ١٤:٠٥ بتوقيت غرينتش", "2025-10-21T14:05:00.000Z"},
    {"نشر في: 1 شباط 2025", "2025-02-01T00:00:00.000Z"},
    {"آخر تحديث: 15 آذار 2024 - 10:30 صباحاً", "2024-03-15T10:30:00.000Z"},
    {"21 إبريل 2025", "2025-04-21T00:00:00.000Z"},
    {"21 ابريل 2025", "2025-04-21T00:00:00.000Z"},
    {"5 يونيه 2025", "2025-06-05T00:00:00.000Z"},
    {"١٢ أيار ٢٠٢٤", "2024-05-12T00:00:00.000Z"},
    {"1 جويلية 2025", "2025-07-01T00:00:00.000Z"},
    {"21 أوت 2025", "2025-08-21T00:00:00.000Z"},
    {"الأحد ٢٢ كانون الأول ٢٠٢٤ الساعة ٩:١٥ م بتوقيت مكة", "2024-12-22T18:15:00.000Z"},
    {"21 أكتوبر 2025 14:05 ت.غ", "2025-10-21T14:05:00.000Z"},
    {"الثلاثاء 29 ربيع الآخر 1447 هـ", "2025-10-21T00:00:00.000Z"},
    {"1 رمضان 1446 هـ", "2025-03-01T00:00:00.000Z"},
    {"1447/04/29هـ", "2025-10-21T00:00:00.000Z"},
    // --- Russian ---
    {"21 октября 2025", "2025-10-21T00:00:00.000Z"},
    {"Опубликовано: 21 октября 2025 г., 14:05 МСК", "2025-10-21T11:05:00.000Z"},
    {"Обновлено: 21.10.2025 14:05", "2025-10-21T14:05:00.000Z"},
    {"вторник, 21 октября 2025 года, 14:05 (МСК)", "2025-10-21T11:05:00.000Z"},
    {"1 МАРТА 2024 Г.", "2024-03-01T00:00:00.000Z"},
    // --- Ukrainian ---
    {"21 жовтня 2025 р. о 14:05", "2025-10-21T14:05:00.000Z"},
    {"Опубліковано 21 листопада 2025", "2025-11-21T00:00:00.000Z"},
    {"1 березня 2025", "2025-03-01T00:00:00.000Z"},
    // --- French ---
    {"1er octobre 2025", "2025-10-01T00:00:00.000Z"},
    {"Publié le 21 octobre 2025 à 14h05", "2025-10-21T14:05:00.000Z"},
    {"Mis à jour le 3 février 2025 à 9 h 30", "2025-02-03T09:30:00.000Z"},
    {"Publié le 05/10/2025", "2025-10-05T00:00:00.000Z"},
    {"mardi 21 oct. 2025", "2025-10-21T00:00:00.000Z"},
    // --- German ---
    {"21. Oktober 2025", "2025-10-21T00:00:00.000Z"},
    {"3. März 2025, 14:05 Uhr", "2025-03-03T14:05:00.000Z"},
    {"Veröffentlicht am 21.10.2025 um 14:05 Uhr", "2025-10-21T14:05:00.000Z"},
    {"1. Jänner 2025", "2025-01-01T00:00:00.000Z"},
    {"Stand: 21.10.25, 08:00 Uhr MESZ", "2025-10-21T06:00:00.000Z"},
    // --- Spanish ---
    {"21 de octubre de 2025", "2025-10-21T00:00:00.000Z"},
    {"Publicado el 21 de octubre de 2025 a las 14:05", "2025-10-21T14:05:00.000Z"},
    {"Actualizado: 1º de mayo de 2025", "2025-05-01T00:00:00.000Z"},
    {"martes, 21 de octubre de 2025 14:05 CET", "2025-10-21T13:05:00.000Z"},
    // --- Turkish ---
    {"21 Ekim 2025", "2025-10-21T00:00:00.000Z"},
    {"21 Ekim 2025 Salı 14:05", "2025-10-21T14:05:00.000Z"},
    {"Yayınlanma: 21.10.2025 - 14:05", "2025-10-21T14:05:00.000Z"},
    {"Güncelleme: 3 Şubat 2025, 14:05 TSİ", "2025-02-03T11:05:00.000Z"},
    {"1 AĞUSTOS 2025", "2025-08-01T00:00:00.000Z"},
    // --- Hebrew ---
    {"21 באוקטובר 2025", "2025-10-21T00:00:00.000Z"},
    {"פורסם: 21.10.25, 14:05", "2025-10-21T14:05:00.000Z"},
    {"יום שלישי, 21 באוקטובר 2025, 14:05 IDT", "2025-10-21T11:05:00.000Z"},
    {"1 במרץ 2025", "2025-03-01T00:00:00.000Z"},
    // --- Persian ---
    {"۲۱ اکتبر ۲۰۲۵", "2025-10-21T00:00:00.000Z"},
    {"۲۹ مهر ۱۴۰۴", "2025-10-21T00:00:00.000Z"},
    {"تاریخ انتشار: سه‌شنبه ۲۹ مهر ۱۴۰۴ - ۱۴:۰۵",
     "2025-10-21T14:05:00.000Z"},
    {"۱۴۰۴/۰۷/۲۹", "2025-10-21T00:00:00.000Z"},
    {"۱ فروردین ۱۴۰۴", "2025-03-21T00:00:00.000Z"},
    {"۱۰ دی ۱۴۰۳", "2024-12-30T00:00:00.000Z"},
    {"۲۹ مهر ۱۴۰۴ ساعت ۱۴:۰۵ به وقت تهران", "2025-10-21T10:35:00.000Z"},
    {"۱۴۰۴/۰۷/۲۹ ۱۴:۰۵ IRST", "2025-10-21T10:35:00.000Z"},
};

TEST(ParseDateTest, ValidDates) {
  EXPECT_GE(std::size(kValid), 60u);
  for (const DateCase& c : kValid) {
    EXPECT_EQ(Parsed(c.input), c.expected) << "input: " << c.input;
  }
}

constexpr std::string_view kInvalid[] = {
    "",
    "October 2025",
    "21/13/2025",
    "31 февраля 2025",
    "29 February 2023",
    "2025",
    "2025-13-01",
    "2025-02-30",
    "32 October 2025",
    "21 October",
    "21 أكتوبر",
    "random text without any date",
    "+1 212-555-0123",
    "Tel: 0501234567",
    "05/10/2025",      // plain ASCII, both readings valid: ambiguous
    "21 Oct 25",       // two-digit year only as d.m.yy
    "1404/07/29",      // Hijri-range year in ASCII digits without a marker: which calendar?
    "31 مهر 1404",     // Mehr has 30 days
    "21 مهر 2025",     // Persian month with a Gregorian year
    "21 أكتوبر 1447",  // Gregorian month with a Hijri year
    "1.10.2025.3",     // a version number
    "14:05",
    "12:21 October 2025",
    "2021-05 (event)",
    "\xff\xfe\x80\xc3\x28\xe2\x82\xf0\x28\x8c\xbc",
    std::string_view("21\0October\0", 11),  // NOLINT(bugprone-string-literal-with-embedded-nul)
};

TEST(ParseDateTest, InvalidDates) {
  EXPECT_GE(std::size(kInvalid), 15u);
  for (std::string_view input : kInvalid) {
    EXPECT_EQ(Parsed(input), "nullopt") << "input: " << input;
  }
}

TEST(ParseDateTest, TimeAndZoneFlags) {
  std::optional<ParsedDate> d = ParseDate("تاريخ النشر: 21st, October 2025 GMT");
  ASSERT_TRUE(d.has_value());
  EXPECT_FALSE(d->has_time);
  EXPECT_FALSE(d->has_zone);  // a zone next to a date without a time is ignored

  d = ParseDate("21 octobre 2025 à 14h05");
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->has_time);
  EXPECT_FALSE(d->has_zone);

  d = ParseDate("2025-10-21T14:05:00+03:00");
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->has_time);
  EXPECT_TRUE(d->has_zone);

  d = ParseDate("Oct 21, 2025 2:05 PM ET");  // unknown zone word: no zone, time as UTC
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->has_time);
  EXPECT_FALSE(d->has_zone);
  EXPECT_EQ(schemas::FormatRfc3339(d->epoch_ms), "2025-10-21T14:05:00.000Z");
}

TEST(ParseDateTest, InvalidUtf8IsASeparator) {
  // Ill-formed bytes between the parts of a date separate them like spaces.
  EXPECT_EQ(Parsed("21\xff October\x80 2025"), "2025-10-21T00:00:00.000Z");
  EXPECT_EQ(Parsed("\xc3"
                   "2025-10-21"),
            "2025-10-21T00:00:00.000Z");
}

TEST(ParseDateTest, FirstDateWins) {
  EXPECT_EQ(Parsed("Updated 22 October 2025, published 21 October 2025"),
            "2025-10-22T00:00:00.000Z");
  // A Hijri date and its Gregorian equivalent: the first is used, both are the same day.
  EXPECT_EQ(Parsed("الثلاثاء 29 ربيع الآخر 1447 هـ الموافق 21 أكتوبر 2025 م"),
            "2025-10-21T00:00:00.000Z");
}

TEST(FindDateTest, SpanCoversWeekdayDateTimeZoneAndMarkers) {
  struct SpanCase {
    std::string_view input;
    std::string_view span;
  };
  constexpr SpanCase kCases[] = {
      {"تاريخ النشر: 21st, October 2025 GMT", "21st, October 2025 GMT"},
      {"Published: Tuesday, 21 October 2025 14:05 BST.", "Tuesday, 21 October 2025 14:05 BST"},
      {"Опубликовано: 21 октября 2025 г. Москва", "21 октября 2025 г."},
      {"الثلاثاء 29 ربيع الآخر 1447 هـ", "الثلاثاء 29 ربيع الآخر 1447 هـ"},
      {"Updated 2:05 PM EDT, Tue October 21, 2025", "2:05 PM EDT, Tue October 21, 2025"},
  };
  for (const SpanCase& c : kCases) {
    const std::optional<DateMatch> m = FindDate(c.input);
    ASSERT_TRUE(m.has_value()) << c.input;
    EXPECT_EQ(c.input.substr(m->begin, m->end - m->begin), c.span);
  }
}

// Word tables are function-local statics and the Persian/Islamic calendars are per-thread
// caches: concurrent callers must get the same answers (run under TSan for the full check).
TEST(ParseDateTest, ConcurrentCallsAgree) {
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (size_t t = 0; t < mismatches.size(); ++t) {
    threads.emplace_back([t, &mismatches] {
      for (int round = 0; round < 50; ++round) {
        for (const DateCase& c : kValid) {
          if (Parsed(c.input) != c.expected) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

// --- fuzz: random bytes and mutated valid dates never crash and stay in bounds ---------------

void CheckSane(const std::string& input) {
  const std::optional<DateMatch> m = FindDate(input);
  if (!m.has_value()) return;
  ASSERT_LT(m->begin, m->end) << input;
  ASSERT_LE(m->end, input.size()) << input;
  // 1899-12-31 (a +14:00 offset on 1900-01-01) to 2200-01-02.
  ASSERT_GE(m->date.epoch_ms, -2209075200000) << input;
  ASSERT_LE(m->date.epoch_ms, 7258204800000) << input;
  ASSERT_EQ(ParseDate(input).has_value(), true);
}

TEST(ParseDatePropertyTest, RandomBytesNeverCrash) {
  std::mt19937 rng(20251021);
  // Pieces that steer random strings into the parser's deeper paths.
  std::vector<std::string> pieces = {
      "21",     "10",       "2025", "1447",    "1404",    "٢١",       "۲۹",    "۱۴۰۴",   "/",
      "-",      ".",        ":",    "+",       ",",       " ",        "T",     "Z",      "GMT",
      "+03:00", "PM",       "p.m.", "h",       "October", "أكتوبر",   "تشرين", "الأول",  "مهر",
      "ربيع",   "الآخر",    "هـ",   "октября", "г.",      "באוקטובר", "ت.غ",   "14:05",  "\xd9",
      "\xff",   "\xe2\x80", "(",    ")",       "de",      "Uhr",      "مساءً",  "بتوقيت", "غرينتش"};
  pieces.emplace_back(1, '\0');
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 64);
  std::uniform_int_distribution<size_t> piece(0, pieces.size() - 1);
  std::bernoulli_distribution use_piece(0.5);
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    const int len = length(rng);
    for (int k = 0; k < len; ++k) {
      if (use_piece(rng)) {
        s += pieces[piece(rng)];
      } else {
        s.push_back(static_cast<char>(byte(rng)));
      }
    }
    CheckSane(s);
    if (HasFatalFailure()) return;
  }
}

TEST(ParseDatePropertyTest, MutatedValidDatesNeverCrash) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> op(0, 3);
  std::uniform_int_distribution<int> edits(1, 4);
  for (int n = 0; n < 20000; ++n) {
    const DateCase& c = kValid[static_cast<size_t>(n) % std::size(kValid)];
    std::string s(c.input);
    const int count = edits(rng);
    for (int e = 0; e < count && !s.empty(); ++e) {
      std::uniform_int_distribution<size_t> at(0, s.size() - 1);
      const size_t i = at(rng);
      switch (op(rng)) {
        case 0:  // replace a byte
          s[i] = static_cast<char>(byte(rng));
          break;
        case 1:  // insert a byte
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(i), static_cast<char>(byte(rng)));
          break;
        case 2:  // delete a byte
          s.erase(i, 1);
          break;
        default:  // truncate
          s.resize(i);
          break;
      }
    }
    CheckSane(s);
    if (HasFatalFailure()) return;
  }
}

TEST(ParseDatePropertyTest, LongInputsAreBounded) {
  std::string long_text(100000, 'x');
  EXPECT_FALSE(ParseDate(long_text).has_value());
  std::string many_tokens;
  for (int i = 0; i < 5000; ++i) many_tokens += "1 ";
  many_tokens += "21 October 2025";  // beyond the 256-token window
  EXPECT_FALSE(ParseDate(many_tokens).has_value());
  EXPECT_EQ(Parsed(std::string(300, ' ') + "21 October 2025"), "2025-10-21T00:00:00.000Z");
}

}  // namespace
}  // namespace newsflow::normalize
