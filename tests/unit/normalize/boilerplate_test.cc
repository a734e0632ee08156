// ClassifyLine/SplitKeywords: per language a date line, a credit line, a tag line, a read-also
// marker, a footer and body sentences that must stay text (hard negatives that start with or
// contain a marker word); the seed article's lines; keyword splitting and deduplication.
#include "processors/normalize/boilerplate.h"

#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "schemas/text.h"

#include "processors/normalize/dates.h"

namespace newsflow::normalize {
namespace {

using ::testing::ElementsAre;

struct LineCase {
  std::string_view line;
  LineKind kind;
  std::string_view value;  // expected LineInfo::value
};

constexpr LineKind kText = LineKind::kText;
constexpr LineKind kDate = LineKind::kDate;
constexpr LineKind kSource = LineKind::kSource;
constexpr LineKind kKeywords = LineKind::kKeywords;
constexpr LineKind kReadAlso = LineKind::kReadAlso;
constexpr LineKind kFooter = LineKind::kFooter;

void ExpectLines(const std::vector<LineCase>& cases) {
  for (const LineCase& c : cases) {
    const LineInfo info = ClassifyLine(c.line);
    EXPECT_EQ(LineKindName(info.kind), LineKindName(c.kind)) << "line: " << c.line;
    EXPECT_EQ(info.value, c.value) << "line: " << c.line;
  }
}

TEST(ClassifyLineTest, Arabic) {
  ExpectLines({
      {"تاريخ النشر: 21st, October 2025 GMT", kDate, "21st, October 2025 GMT"},
      {"نشر في 21 أكتوبر 2025 - 14:05", kDate, "21 أكتوبر 2025 - 14:05"},
      {"آخر تحديث: الثلاثاء 21 تشرين الأول 2025", kDate, "الثلاثاء 21 تشرين الأول 2025"},
      {"الثلاثاء ٢١ أكتوبر ٢٠٢٥", kDate, "الثلاثاء ٢١ أكتوبر ٢٠٢٥"},
      {"المصدر: سكاي نيوز عربية", kSource, "سكاي نيوز عربية"},
      {"المصدر : وكالات.", kSource, "وكالات"},
      {"(المصدر: رويترز)", kSource, "رويترز"},
      {"كلمات دلالية: غزة، الهدنة، مصر", kKeywords, "غزة، الهدنة، مصر"},
      {"الكلمات المفتاحية: قمة ترامب بوتين", kKeywords, "قمة ترامب بوتين"},
      {"إقرأ أيضاً:", kReadAlso, ""},
      {"اقرأ أيضا.. قمة جديدة في القاهرة", kReadAlso, "قمة جديدة في القاهرة"},
      {"اقرأ ايضاً", kReadAlso, ""},
      {"مواضيع ذات صلة", kReadAlso, ""},
      {"تابعونا على فيسبوك وتويتر", kFooter, ""},
      {"شارك", kFooter, ""},
      {"اشترك في النشرة البريدية", kFooter, ""},
      // hard negatives
      {"وقال المصدر إن المفاوضات ستستأنف الأسبوع المقبل.", kText, ""},
      {"شارك الرئيس في القمة العربية التي عقدت أمس في الرياض.", kText, ""},
      {"المصدر الذي طلب عدم الكشف عن اسمه: لا اتفاق بعد بين الطرفين حتى الآن على الإطلاق", kText,
       ""},
      {"نشر الجيش بيانا في 21 أكتوبر 2025 عن الهجوم.", kText, ""},
  });
}

TEST(ClassifyLineTest, English) {
  ExpectLines({
      {"Published: 21 October 2025", kDate, "21 October 2025"},
      {"Updated 2:05 PM EDT, Tue October 21, 2025", kDate, "2:05 PM EDT, Tue October 21, 2025"},
      {"Tuesday 21 October 2025", kDate, "Tuesday 21 October 2025"},
      {"Source: Reuters", kSource, "Reuters"},
      {"SOURCE:AA", kSource, "AA"},
      {"Credit: AFP/Getty Images.", kSource, "AFP/Getty Images"},
      {"Tags: Ukraine, Russia, White House", kKeywords, "Ukraine, Russia, White House"},
      {"Keywords: ceasefire; Gaza", kKeywords, "ceasefire; Gaza"},
      {"Read more: Talks collapse in Doha", kReadAlso, "Talks collapse in Doha"},
      {"Related articles", kReadAlso, ""},
      {"Read also", kReadAlso, ""},
      {"Share this article", kFooter, ""},
      {"Share on Facebook Twitter WhatsApp", kFooter, ""},
      {"Follow us on X and Telegram", kFooter, ""},
      {"Subscribe to our newsletter", kFooter, ""},
      // hard negatives
      {"The source said the talks would resume next week.", kText, ""},
      {"Source said to be close to the minister denied it.", kText, ""},
      {"Share prices rose sharply on Monday.", kText, ""},
      {"Related talks were held in Doha on Monday.", kText, ""},
      {"The talks resumed on 21 October 2025 in Doha.", kText, ""},
      {"Updated rules take effect on 21 October 2025, officials said.", kText, ""},
      {"Ukraine war: 21 October 2025", kText, ""},  // two words outside a short date
      {"Read more about the talks in our live blog.", kText, ""},
      {"Published in 2020, the report warned of famine.", kText, ""},
      {"Source: a senior official who asked not to be named because the talks are secret", kText,
       ""},
  });
}

TEST(ClassifyLineTest, Russian) {
  ExpectLines({
      {"Опубликовано: 21 октября 2025 г., 14:05", kDate, "21 октября 2025 г., 14:05"},
      {"Обновлено 21.10.2025", kDate, "21.10.2025"},
      {"21 октября 2025, 14:05 по Киеву", kDate, "21 октября 2025, 14:05 по Киеву"},
      {"Источник: ТАСС", kSource, "ТАСС"},
      {"Теги: Украина, переговоры", kKeywords, "Украина, переговоры"},
      {"Ключевые слова: перемирие, Газа", kKeywords, "перемирие, Газа"},
      {"Читайте также: Путин и Трамп обсудили встречу", kReadAlso,
       "Путин и Трамп обсудили встречу"},
      {"Также читайте", kReadAlso, ""},
      {"Подписывайтесь на наш Telegram-канал", kFooter, ""},
      {"Поделиться", kFooter, ""},
      // hard negatives
      {"Источник в правительстве сообщил о переговорах.", kText, ""},
      {"Поделиться своими планами министр отказался.", kText, ""},
      {"Обновлено соглашение о перемирии, заявили в Кремле.", kText, ""},
  });
}

TEST(ClassifyLineTest, Ukrainian) {
  ExpectLines({
      {"Опубліковано: 21 жовтня 2025 р. о 14:05", kDate, "21 жовтня 2025 р. о 14:05"},
      {"Джерело: Укрінформ", kSource, "Укрінформ"},
      {"Теги: Україна, перемир'я", kKeywords, "Україна, перемир'я"},
      {"Ключові слова: Зеленський, Трамп", kKeywords, "Зеленський, Трамп"},
      {"Читайте також: Зеленський зустрівся з Трампом", kReadAlso,
       "Зеленський зустрівся з Трампом"},
      {"Підписуйтесь на наш канал у Telegram", kFooter, ""},
      {"Поділитися", kFooter, ""},
      // hard negatives
      {"Джерело в уряді повідомило про переговори.", kText, ""},
      {"Читайте уважно умови угоди, закликав міністр.", kText, ""},
  });
}

TEST(ClassifyLineTest, French) {
  ExpectLines({
      {"Publié le 21 octobre 2025 à 14h05", kDate, "21 octobre 2025 à 14h05"},
      {"Mis à jour le 22/10/2025 à 09h30", kDate, "22/10/2025 à 09h30"},
      {"Source : AFP", kSource, "AFP"},
      {"Crédit : Reuters", kSource, "Reuters"},
      {"Mots-clés : Ukraine, Russie, cessez-le-feu", kKeywords, "Ukraine, Russie, cessez-le-feu"},
      {"À lire aussi : Le sommet de Budapest reporté", kReadAlso, "Le sommet de Budapest reporté"},
      {"Lire aussi", kReadAlso, ""},
      {"Abonnez-vous à notre newsletter", kFooter, ""},
      {"Partager", kFooter, ""},
      // hard negatives
      {"La source a indiqué que les discussions reprendraient.", kText, ""},
      {"Partager le pouvoir reste la principale difficulté des négociations.", kText, ""},
  });
}

TEST(ClassifyLineTest, German) {
  ExpectLines({
      {"Veröffentlicht am 21.10.2025 um 14:05 Uhr", kDate, "21.10.2025 um 14:05 Uhr"},
      {"Stand: 21. Oktober 2025", kDate, "21. Oktober 2025"},
      {"21.10.2025, 14:05 Uhr", kDate, "21.10.2025, 14:05 Uhr"},
      {"Quelle: dpa", kSource, "dpa"},
      {"Schlagwörter: Ukraine, Waffenruhe", kKeywords, "Ukraine, Waffenruhe"},
      {"Lesen Sie auch: Gipfel in Budapest abgesagt", kReadAlso, "Gipfel in Budapest abgesagt"},
      {"Mehr zum Thema", kReadAlso, ""},
      {"Folgen Sie uns auf Instagram", kFooter, ""},
      {"Teilen", kFooter, ""},
      // hard negatives
      {"Quelle der Informationen war ein Regierungssprecher.", kText, ""},
      {"Teilen die Parteien die Einschätzung, ist eine Einigung möglich.", kText, ""},
  });
}

TEST(ClassifyLineTest, Spanish) {
  ExpectLines({
      {"Publicado el 21 de octubre de 2025 a las 14:05", kDate,
       "21 de octubre de 2025 a las 14:05"},
      {"Actualizado: 22/10/2025", kDate, "22/10/2025"},
      {"Fuente: EFE", kSource, "EFE"},
      {"Etiquetas: Ucrania, Rusia, alto el fuego", kKeywords, "Ucrania, Rusia, alto el fuego"},
      {"Palabras clave: Gaza; tregua", kKeywords, "Gaza; tregua"},
      {"Lee también: La cumbre de Budapest, suspendida", kReadAlso,
       "La cumbre de Budapest, suspendida"},
      {"Te puede interesar", kReadAlso, ""},
      {"Suscríbete a nuestro boletín", kFooter, ""},
      {"Compartir", kFooter, ""},
      // hard negatives
      {"Fuentes del Gobierno dijeron que las negociaciones continúan.", kText, ""},
      {"Compartir información con Rusia no está previsto, dijo el ministro.", kText, ""},
  });
}

TEST(ClassifyLineTest, Turkish) {
  ExpectLines({
      {"Yayınlanma: 21.10.2025 - 14:05", kDate, "21.10.2025 - 14:05"},
      {"Güncelleme: 21 Ekim 2025, 14:05", kDate, "21 Ekim 2025, 14:05"},
      {"Kaynak: AA", kSource, "AA"},
      {"Etiketler: Ukrayna, Rusya, ateşkes", kKeywords, "Ukrayna, Rusya, ateşkes"},
      {"Anahtar kelimeler: Gazze, ateşkes", kKeywords, "Gazze, ateşkes"},
      {"Ayrıca okuyun: Budapeşte zirvesi ertelendi", kReadAlso, "Budapeşte zirvesi ertelendi"},
      {"İlgili Haberler", kReadAlso, ""},
      {"Abone ol", kFooter, ""},
      {"Paylaş", kFooter, ""},
      // hard negatives
      {"Kaynak belirtilmeden yapılan açıklamada müzakerelerin süreceği bildirildi.", kText, ""},
      {"Paylaşılan görüntülerde saldırının ardından yangın çıktığı görülüyor.", kText, ""},
  });
}

TEST(ClassifyLineTest, Hebrew) {
  ExpectLines({
      {"פורסם: 21.10.25, 14:05", kDate, "21.10.25, 14:05"},
      {"עודכן 21 באוקטובר 2025", kDate, "21 באוקטובר 2025"},
      {"מקור: רויטרס", kSource, "רויטרס"},
      {"תגיות: אוקראינה, רוסיה, הפסקת אש", kKeywords, "אוקראינה, רוסיה, הפסקת אש"},
      {"קראו גם: הפסגה בבודפשט נדחתה", kReadAlso, "הפסגה בבודפשט נדחתה"},
      {"כתבות נוספות", kReadAlso, ""},
      {"עקבו אחרינו בטלגרם", kFooter, ""},
      {"שתפו", kFooter, ""},
      // hard negatives
      {"מקור מדיני אמר כי השיחות יימשכו בשבוע הבא.", kText, ""},
      {"שתפו פעולה עם החוקרים, אמר השר.", kText, ""},
  });
}

TEST(ClassifyLineTest, Persian) {
  ExpectLines({
      {"تاریخ انتشار: ۲۹ مهر ۱۴۰۴ - ۱۴:۰۵", kDate, "۲۹ مهر ۱۴۰۴ - ۱۴:۰۵"},
      {"به‌روزرسانی: سه‌شنبه ۲۹ مهر ۱۴۰۴", kDate,
       "سه‌شنبه ۲۹ مهر ۱۴۰۴"},
      {"منبع: ایرنا", kSource, "ایرنا"},
      {"برچسب‌ها: ایران، آمریکا، آتش‌بس", kKeywords,
       "ایران، آمریکا، آتش‌بس"},
      {"کلیدواژه‌ها: غزه، آتش بس", kKeywords, "غزه، آتش بس"},
      {"بیشتر بخوانید:", kReadAlso, ""},
      {"مطالب مرتبط", kReadAlso, ""},
      {"ما را در تلگرام دنبال کنید", kText, ""},  // not the fixed phrase: stays text
      {"ما را دنبال کنید", kFooter, ""},
      {"اشتراک‌گذاری", kFooter, ""},
      // hard negatives
      {"منبع آگاه گفت مذاکرات هفته آینده ادامه می‌یابد.",
       kText, ""},
      {"انتشار این گزارش در ۲۹ مهر ۱۴۰۴ واکنش‌های زیادی "
       "داشت.",
       kText, ""},
  });
}

TEST(ClassifyLineTest, VariantsOfMarkers) {
  ExpectLines({
      {"اقرأ أيضًا:", kReadAlso, ""},               // tanween
      {"إقرأ أيـضـاً", kReadAlso, ""},              // tatweel
      {"اقرا ايضا ...", kReadAlso, ""},            // bare alef, dots
      {"» اقرأ أيضا: عنوان", kReadAlso, "عنوان"},  // leading decoration
      {"READ ALSO:", kReadAlso, ""},
      {"برچسب ها: ایران", kKeywords, "ایران"},  // space instead of ZWNJ
      {"برچسبها: ایران", kKeywords, "ایران"},   // ZWNJ missing
      {"مصدر: الجزيرة نت", kSource, "الجزيرة نت"},
      {"", kText, ""},
      {"   ", kText, ""},
      {"----", kText, ""},
  });
}

// The seed article (processors' first real input): its boilerplate lines, verbatim.
constexpr std::string_view kSeedTitle =
    "أكسيوس: البيت الأبيض يجمد خطط عقد قمة ثانية بين ترامب وبوتين";
constexpr std::string_view kSeedDate = "تاريخ النشر: 21st, October 2025 GMT";
constexpr std::string_view kSeedSource = "المصدر: سكاي نيوز عربية";
constexpr std::string_view kSeedKeywords =
    "كلمات دلالية: ملفات ملفات ملفات البيت الأبيض أوكرانيا ترامب وبوتين وقف لإطلاق النار "
    "فولوديمير زيلينسكي فلاديمير بوتين دونالد ترامب أميركا أزمة أوكرانيا روسيا البيت الأبيض "
    "أوكرانيا ترامب وبوتين وقف لإطلاق النار فولوديمير زيلينسكي أخبار روسيا عقد قمة";
constexpr std::string_view kSeedReadAlso = "إقرأ أيضاً:";
constexpr std::string_view kSeedRelatedTitle =
    "لقاء متوتر في البيت الأبيض.. ماذا طلب ترامب من زيلينسكي";

TEST(ClassifyLineTest, SeedLines) {
  EXPECT_EQ(ClassifyLine(kSeedTitle).kind, LineKind::kText);
  EXPECT_EQ(ClassifyLine(kSeedRelatedTitle).kind, LineKind::kText);

  LineInfo date = ClassifyLine(kSeedDate);
  EXPECT_EQ(date.kind, LineKind::kDate);
  EXPECT_EQ(date.value, "21st, October 2025 GMT");
  const std::optional<ParsedDate> parsed = ParseDate(date.value);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(schemas::FormatRfc3339(parsed->epoch_ms), "2025-10-21T00:00:00.000Z");

  LineInfo source = ClassifyLine(kSeedSource);
  EXPECT_EQ(source.kind, LineKind::kSource);
  EXPECT_EQ(source.value, "سكاي نيوز عربية");

  LineInfo keywords = ClassifyLine(kSeedKeywords);
  EXPECT_EQ(keywords.kind, LineKind::kKeywords);
  EXPECT_EQ(keywords.value, kSeedKeywords.substr(kSeedKeywords.find(':') + 2));

  LineInfo read_also = ClassifyLine(kSeedReadAlso);
  EXPECT_EQ(read_also.kind, LineKind::kReadAlso);
  EXPECT_EQ(read_also.value, "");
}

// The whole seed file, when the shared folder is next to the repository (skipped otherwise):
// exactly four boilerplate lines, everything else text.
TEST(ClassifyLineTest, SeedFile) {
  const std::string path =
      std::string(NEWSFLOW_SOURCE_DIR) + "/../shared/seed/000_66ca287a9a26f914.txt";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "seed not found: " << path;
  std::vector<std::string> kinds;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const LineInfo info = ClassifyLine(line);
    if (info.kind != LineKind::kText) kinds.emplace_back(LineKindName(info.kind));
  }
  EXPECT_THAT(kinds, ElementsAre("date", "source", "keywords", "read_also"));
}

TEST(SplitKeywordsTest, SeedKeywordLineHasNoRepeats) {
  const std::string_view list = ClassifyLine(kSeedKeywords).value;
  const std::vector<std::string> words = SplitKeywords(list);
  EXPECT_THAT(words, ElementsAre("ملفات", "البيت", "الأبيض", "أوكرانيا", "ترامب", "وبوتين", "وقف",
                                 "لإطلاق", "النار", "فولوديمير", "زيلينسكي", "فلاديمير", "بوتين",
                                 "دونالد", "أميركا", "أزمة", "روسيا", "أخبار", "عقد", "قمة"));
  std::set<std::string> folded;
  for (const std::string& w : words) {
    EXPECT_TRUE(folded.insert(dates_internal::FoldText(w)).second) << w;
  }
}

TEST(SplitKeywordsTest, SeparatedListsKeepPhrases) {
  EXPECT_THAT(SplitKeywords("Ukraine, Russia, White House, ukraine"),
              ElementsAre("Ukraine", "Russia", "White House"));
  EXPECT_THAT(SplitKeywords("غزة، الهدنة ، مصر، غزه"), ElementsAre("غزة", "الهدنة", "مصر"));
  EXPECT_THAT(SplitKeywords("أوكرانيا؛ اوكرانيا؛ إيران"), ElementsAre("أوكرانيا", "إيران"));
  EXPECT_THAT(SplitKeywords("Politik | Ukraine | Waffenruhe"),
              ElementsAre("Politik", "Ukraine", "Waffenruhe"));
  EXPECT_THAT(SplitKeywords("Gaza · Israel • Hamas / Egypt"),
              ElementsAre("Gaza", "Israel", "Hamas", "Egypt"));
  EXPECT_THAT(SplitKeywords("\"Trump (US)\", #Putin, ,  Viktor   Orbán ,"),
              ElementsAre("Trump (US)", "Putin", "Viktor Orbán"));
  EXPECT_THAT(SplitKeywords("Éric\tERIC\terik"), ElementsAre("Éric", "erik"));
}

TEST(SplitKeywordsTest, WhitespaceListsSplitOnWords) {
  EXPECT_THAT(SplitKeywords("#Ukraine #Russia #ukraine"), ElementsAre("Ukraine", "Russia"));
  EXPECT_THAT(SplitKeywords("  "), ElementsAre());
  EXPECT_THAT(SplitKeywords(""), ElementsAre());
  EXPECT_THAT(SplitKeywords("\xff\xfe Gaza \x80"), ElementsAre("Gaza"));
}

TEST(BoilerplatePropertyTest, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 96);
  const std::string_view seeds[] = {kSeedDate,          kSeedSource,       kSeedKeywords,
                                    kSeedReadAlso,      "Source: Reuters", "Tags: a, b",
                                    "Share on Facebook"};
  for (int n = 0; n < 5000; ++n) {
    std::string s;
    if (n % 2 == 0) {
      s = std::string(seeds[static_cast<size_t>(n / 2) % std::size(seeds)]);
      for (int e = 0; e < 3 && !s.empty(); ++e) {
        std::uniform_int_distribution<size_t> at(0, s.size() - 1);
        s[at(rng)] = static_cast<char>(byte(rng));
      }
    } else {
      const int len = length(rng);
      for (int k = 0; k < len; ++k) s.push_back(static_cast<char>(byte(rng)));
    }
    const LineInfo info = ClassifyLine(s);
    if (!info.value.empty()) {
      ASSERT_GE(info.value.data(), s.data());
      ASSERT_LE(info.value.data() + info.value.size(), s.data() + s.size());
    }
    for (const std::string& kw : SplitKeywords(s)) ASSERT_FALSE(kw.empty());
  }
}

// --- Fast paths (ClassifyLine) against the general code (boilerplate_internal) ---------------

// Checks every fast path on `line`: the classification (kind and where the value lies), the
// word-count bound at every limit the rules use and around them, and that a line FindDate()
// reads has a digit.
void ExpectFastPathsAgree(std::string_view line) {
  const LineInfo fast = ClassifyLine(line);
  const LineInfo general = boilerplate_internal::ClassifyLineGeneral(line);
  ASSERT_EQ(LineKindName(fast.kind), LineKindName(general.kind)) << "line: " << line;
  ASSERT_EQ(fast.value.data(), general.value.data()) << "line: " << line;
  ASSERT_EQ(fast.value.size(), general.value.size()) << "line: " << line;
  for (size_t limit = 0; limit <= 22; ++limit) {
    ASSERT_EQ(boilerplate_internal::MoreWordsThan(line, limit),
              boilerplate_internal::CountWords(line, limit + 1) > limit)
        << "limit " << limit << " line: " << line;
  }
  if (!boilerplate_internal::HasDigit(line)) {
    ASSERT_FALSE(FindDate(line).has_value()) << "line: " << line;
  }
}

// Lines assembled from marker phrases (every kind, several languages), dates in several
// scripts, ordinary words, punctuation, odd white space, marks, emoji, ill-formed bytes and
// words too long to fold, so that every exit of the fast paths is taken both ways.
TEST(BoilerplateFastPathTest, AgreesWithGeneralCodeOnRandomLines) {
  const std::string_view pieces[] = {"Published",
                                     "published on",
                                     "Updated:",
                                     "Source:",
                                     "Sources",
                                     "Tags:",
                                     "Keywords",
                                     "Read also",
                                     "Read more",
                                     "Related",
                                     "Share",
                                     "Share on",
                                     "Follow us on",
                                     "Subscribe",
                                     "Credit",
                                     "Date",
                                     "Stand",
                                     "Quelle:",
                                     "Publié le",
                                     "Mis à jour",
                                     "Lire aussi",
                                     "Partager",
                                     "Teilen",
                                     "Lesen Sie auch",
                                     "Fuente:",
                                     "Lee también",
                                     "Compartir",
                                     "Yayın tarihi",
                                     "Kaynak:",
                                     "Paylaş",
                                     "Опубликовано",
                                     "Источник:",
                                     "Читайте также",
                                     "Поделиться",
                                     "Опубліковано",
                                     "Джерело:",
                                     "Читайте також",
                                     "تاريخ النشر",
                                     "نشر في",
                                     "المصدر:",
                                     "كلمات دلالية:",
                                     "اقرأ أيضا",
                                     "إقرأ أيضاً",
                                     "شارك",
                                     "تابعونا على",
                                     "פורסם",
                                     "מקור:",
                                     "קראו גם",
                                     "שתפו",
                                     "تاریخ انتشار",
                                     "منبع:",
                                     "برچسب‌ها:",
                                     "بیشتر بخوانید",
                                     "اشتراک‌گذاری",
                                     "21 October 2025",
                                     "October 21, 2025",
                                     "2025-10-21T14:05:00.000Z",
                                     "21.10.2025",
                                     "21/10/2025",
                                     "05/10/2025",
                                     "14:05",
                                     "2 PM",
                                     "Tue, 21 Oct 2025",
                                     "21 октября 2025 г.",
                                     "21 Ekim 2025",
                                     "21 באוקטובר 2025",
                                     "٢١ أكتوبر ٢٠٢٥",
                                     "۲۹ مهر ۱۴۰۴",
                                     "29 ربيع الآخر 1447 هـ",
                                     "١٤٤٧",
                                     "۱۴۰۴",
                                     "७",
                                     "２０２５",
                                     "2025",
                                     "7",
                                     "Facebook",
                                     "Twitter",
                                     "WhatsApp",
                                     "X",
                                     "e-mail",
                                     "via",
                                     "and",
                                     "the",
                                     "The",
                                     "source",
                                     "said",
                                     "Reuters",
                                     "AFP",
                                     "a",
                                     "ab",
                                     "abc",
                                     "abcd",
                                     "abcde",
                                     "sharing",
                                     "dates",
                                     "Путин",
                                     "заявил",
                                     "Київ",
                                     "الرئيس",
                                     "قال",
                                     "الأمم",
                                     "über",
                                     "İstanbul",
                                     "şehir",
                                     "ÉTÉ",
                                     "Ελλάδα",
                                     "שלום",
                                     "می‌خواهم",
                                     "e\u0301",
                                     "\u0627\u0654",
                                     "\u064E",
                                     "😀",
                                     "\u200C",
                                     "\u200F",
                                     "\u00AD",
                                     "—",
                                     "-",
                                     "|",
                                     ":",
                                     "»",
                                     "(",
                                     ")",
                                     "[",
                                     "•",
                                     "...",
                                     ",",
                                     "&",
                                     "#",
                                     "\u00A0",
                                     "\t",
                                     "\xFF",
                                     "\xD8",
                                     "\xE2\x80"};
  const std::string long_words[] = {std::string(200, 'a'), std::string(400, 'b'),
                                    [] {
                                      std::string w;
                                      for (int i = 0; i < 120; ++i) w += "ж";
                                      return w;
                                    }(),
                                    [] {
                                      std::string w;
                                      for (int i = 0; i < 90; ++i) w += "\u00DF";  // ß -> ss
                                      return w;
                                    }()};
  std::mt19937 rng(2026);
  for (int round = 0; round < 40000; ++round) {
    std::string line;
    const size_t n = 1 + rng() % 26;
    for (size_t k = 0; k < n; ++k) {
      if (k > 0) {
        const unsigned sep = rng() % 10;
        line += sep < 7 ? " " : sep == 7 ? "  " : sep == 8 ? "" : ", ";
      }
      if (rng() % 60 == 0) {
        line += long_words[rng() % std::size(long_words)];
      } else {
        line += pieces[rng() % std::size(pieces)];
      }
    }
    ExpectFastPathsAgree(line);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// The classifier's own examples (every marker kind and language above) and random bytes.
TEST(BoilerplateFastPathTest, AgreesWithGeneralCodeOnExamplesAndRandomBytes) {
  for (std::string_view line : {kSeedDate, kSeedSource, kSeedKeywords, kSeedReadAlso}) {
    ExpectFastPathsAgree(line);
  }
  std::mt19937 rng(9);
  for (int round = 0; round < 20000; ++round) {
    std::string line;
    const size_t n = rng() % 120;
    for (size_t k = 0; k < n; ++k) {
      // Mostly spaces and letters, so that words are counted; any byte now and then.
      const unsigned r = rng() % 8;
      line.push_back(r == 0  ? ' '
                     : r < 6 ? static_cast<char>('a' + rng() % 26)
                             : static_cast<char>(rng()));
    }
    ExpectFastPathsAgree(line);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace newsflow::normalize
