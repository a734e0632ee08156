#include "processors/normalize/normalize_stage.h"

#include <gtest/gtest.h>
#include <unicode/uscript.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "processors/core/form_hash.h"
#include "processors/decode/decode_stage.h"
#include "processors/normalize/folding.h"
#include "processors/normalize/languages.h"
#include "tests/testing/testing.h"

namespace newsflow::normalize {
namespace {

// A decoded + normalized record (the Document borrows the record, so both live here).
struct Processed {
  schemas::RawRecord record;
  std::unique_ptr<core::Document> doc;
};

std::unique_ptr<Processed> Process(std::string value, std::string content_type = "",
                                   const YAML::Node& config = YAML::Node()) {
  auto p = std::make_unique<Processed>();
  p->record = testing::MakeRecord(std::move(value), std::move(content_type));
  p->doc = std::make_unique<core::Document>(p->record);
  const core::StageContext ctx;
  auto decode = decode::DecodeStage::Create(YAML::Node(), "pipeline.decode");
  EXPECT_TRUE(decode.ok());
  const Status ds = (*decode)->Process(*p->doc, ctx);
  EXPECT_TRUE(ds.ok()) << ds.ToString();
  auto normalize = NormalizeStage::Create(config, "pipeline.normalize");
  EXPECT_TRUE(normalize.ok()) << normalize.status().ToString();
  const Status ns = (*normalize)->Process(*p->doc, ctx);
  EXPECT_TRUE(ns.ok()) << ns.ToString();
  return p;
}

std::vector<std::string> FoldedTokens(const core::Document& doc) {
  std::vector<std::string> out;
  for (const core::Token& t : doc.tokens) {
    out.emplace_back(doc.TokenForm(t.folded_offset, t.folded_size));
  }
  return out;
}

bool HasFoldedToken(const core::Document& doc, std::string_view word) {
  const std::string folded = TextFolder::Default().Fold(word);
  for (const core::Token& t : doc.tokens) {
    if (doc.TokenForm(t.folded_offset, t.folded_size) == folded) return true;
  }
  return false;
}

// Every token's offsets select its surface in the original field text, and that surface
// folds to the token's folded form.
void ExpectOffsetsPointAtSurfaces(const core::Document& doc) {
  for (const core::Token& t : doc.tokens) {
    const std::string& original =
        t.field == core::Field::kTitle ? doc.article.title : doc.article.body;
    ASSERT_LE(t.begin, t.end);
    ASSERT_LE(t.end, original.size());
    const std::string surface = original.substr(t.begin, t.end - t.begin);
    EXPECT_EQ(TextFolder::Default().Fold(surface), doc.TokenForm(t.folded_offset, t.folded_size))
        << surface;
  }
}

TEST(NormalizeConfig, UnknownKeyIsAnErrorNamingIt) {
  const auto r =
      NormalizeConfig::FromYaml(YAML::Load("keep_zwnj: true\nmax_tokenz: 5"), "pipeline.normalize");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("pipeline.normalize.max_tokenz"), std::string::npos)
      << r.status().ToString();
}

TEST(NormalizeConfig, ReadsEveryKey) {
  const auto r = NormalizeConfig::FromYaml(
      YAML::Load("keep_zwnj: false\nstrip_boilerplate: false\nstem: false\n"
                 "stem_memo_words: 2048\n"
                 "trust_feed_language: true\nmax_tokens: 7\nlanguage_sample_bytes: 300\n"
                 "language_first_pass_bytes: 0\n"
                 "language_first_pass_bytes_by_script: {Cyrl: 128}\n"
                 "language_first_pass_bytes_single_script: {Grek: 100}\n"
                 "language_single_script_share: 0.9"),
      "pipeline.normalize");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->keep_zwnj);
  EXPECT_FALSE(r->strip_boilerplate);
  EXPECT_FALSE(r->stem);
  EXPECT_EQ(r->stem_memo_words, 2048);
  EXPECT_TRUE(r->trust_feed_language);
  EXPECT_EQ(r->max_tokens, 7);
  EXPECT_EQ(r->language_sample_bytes, 300);
  EXPECT_EQ(r->language_first_pass_bytes, 0);
  EXPECT_EQ(r->language_first_pass_bytes_by_script,
            (std::map<std::string, int64_t>{{"Cyrl", 128}}));
  EXPECT_EQ(r->language_first_pass_bytes_single_script,
            (std::map<std::string, int64_t>{{"Grek", 100}}));
  EXPECT_DOUBLE_EQ(r->language_single_script_share, 0.9);
  EXPECT_FALSE(NormalizeConfig::FromYaml(YAML::Load("max_tokens: -1"), "n").ok());
  EXPECT_FALSE(NormalizeConfig::FromYaml(YAML::Load("language_first_pass_bytes: -1"), "n").ok());
  core::ConfigDocs docs;
  ASSERT_TRUE(NormalizeConfig::FromYaml(YAML::Node(), "pipeline.normalize").ok());
  EXPECT_EQ(docs.fields().size(), 11u) << "every option is declared with a description";
}

// The message of the error that `yaml` as the normalize section gives ("" when it is valid).
std::string ConfigError(const char* yaml) {
  const auto r = NormalizeConfig::FromYaml(YAML::Load(yaml), "pipeline.normalize");
  return r.ok() ? std::string() : r.status().message();
}

TEST(NormalizeConfig, FirstPassByScriptDefaultsAndErrors) {
  const auto d = NormalizeConfig::FromYaml(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->language_first_pass_bytes_by_script,
            (std::map<std::string, int64_t>{{"Arab", 96}, {"Hebr", 96}}));
  EXPECT_EQ(ConfigError("language_first_pass_bytes_by_script: {Arabic: 64}"),
            "pipeline.normalize.language_first_pass_bytes_by_script: 'Arabic' is not an ISO "
            "15924 script code (e.g. Arab, Hebr, Cyrl)");
  EXPECT_EQ(ConfigError("language_first_pass_bytes_by_script: {Xyzw: 64}"),
            "pipeline.normalize.language_first_pass_bytes_by_script: 'Xyzw' is not an ISO 15924 "
            "script code (e.g. Arab, Hebr, Cyrl)");
  EXPECT_EQ(ConfigError("language_first_pass_bytes_by_script: {Hebr: -1}"),
            "pipeline.normalize.language_first_pass_bytes_by_script: 'Hebr': must not be negative");
  EXPECT_EQ(ConfigError("language_first_pass_bytes_by_script: {}"), "");
}

TEST(NormalizeConfig, SingleScriptFirstPassDefaultsAndErrors) {
  const auto d = NormalizeConfig::FromYaml(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->language_first_pass_bytes_single_script,
            (std::map<std::string, int64_t>{{"Arab", 64}, {"Cyrl", 128}, {"Latn", 128}}));
  EXPECT_DOUBLE_EQ(d->language_single_script_share, 0.995);
  EXPECT_EQ(ConfigError("language_first_pass_bytes_single_script: {Latin: 128}"),
            "pipeline.normalize.language_first_pass_bytes_single_script: 'Latin' is not an ISO "
            "15924 script code (e.g. Arab, Hebr, Cyrl)");
  EXPECT_EQ(ConfigError("language_first_pass_bytes_single_script: {Latn: -5}"),
            "pipeline.normalize.language_first_pass_bytes_single_script: 'Latn': must not be "
            "negative");
  EXPECT_EQ(ConfigError("language_single_script_share: 1.5"),
            "pipeline.normalize.language_single_script_share: must be between 0 and 1");
  EXPECT_EQ(ConfigError("language_single_script_share: -0.1"),
            "pipeline.normalize.language_single_script_share: must be between 0 and 1");
  EXPECT_EQ(ConfigError("language_first_pass_bytes_single_script: {}"), "");
}

TEST(NormalizeConfig, StemMemoWordsRange) {
  const auto d = NormalizeConfig::FromYaml(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->stem_memo_words, 32768);
  EXPECT_EQ(ConfigError("stem_memo_words: 1023"),
            "pipeline.normalize.stem_memo_words: must be between 1024 and 4194304");
  EXPECT_EQ(ConfigError("stem_memo_words: 4194305"),
            "pipeline.normalize.stem_memo_words: must be between 1024 and 4194304");
  EXPECT_EQ(ConfigError("stem_memo_words: 1024"), "");
}

TEST(NormalizeStage, FirstPassBytesFollowTheDominantScript) {
  const NormalizeStage defaults{NormalizeConfig{}};
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_ARABIC), 96u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_HEBREW), 96u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_LATIN), 192u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_CYRILLIC), 192u);
  EXPECT_EQ(defaults.FirstPassBytes(-1), 192u);
  const auto config = NormalizeConfig::FromYaml(
      YAML::Load("language_first_pass_bytes: 300\nlanguage_first_pass_bytes_by_script: {Cyrl: 0}"),
      "pipeline.normalize");
  ASSERT_TRUE(config.ok());
  const NormalizeStage custom{*config};
  EXPECT_EQ(custom.FirstPassBytes(USCRIPT_CYRILLIC), 0u);
  EXPECT_EQ(custom.FirstPassBytes(USCRIPT_ARABIC), 300u);  // the given map replaced the default
}

TEST(NormalizeStage, SingleScriptTextGetsTheShorterFirstPass) {
  const NormalizeStage defaults{NormalizeConfig{}};
  // At or above the share (0.995): the single-script map, where it names the script.
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_LATIN, 1.0), 128u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_LATIN, 0.995), 128u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_CYRILLIC, 0.999), 128u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_ARABIC, 1.0), 64u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_HEBREW, 1.0), 96u);  // not in it: by_script
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_GREEK, 1.0), 192u);  // in neither map
  // Below it (letters of other scripts mixed in, as in noisy text): the by-script rules.
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_LATIN, 0.99), 192u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_CYRILLIC, 0.9), 192u);
  EXPECT_EQ(defaults.FirstPassBytes(USCRIPT_ARABIC, 0.99), 96u);
  const auto off = NormalizeConfig::FromYaml(
      YAML::Load("language_first_pass_bytes_single_script: {}"), "pipeline.normalize");
  ASSERT_TRUE(off.ok());
  const NormalizeStage without{*off};
  EXPECT_EQ(without.FirstPassBytes(USCRIPT_LATIN, 1.0), 192u);
  EXPECT_EQ(without.FirstPassBytes(USCRIPT_ARABIC, 1.0), 96u);
}

TEST(NormalizeStage, SeedArticle) {
  auto p = Process(
      testing::ReadFile(testing::SourcePath("tests/data/seed_ar_000_66ca287a9a26f914.txt")));
  const core::Document& doc = *p->doc;
  EXPECT_TRUE(doc.normalized);
  EXPECT_EQ(doc.title, "أكسيوس: البيت الأبيض يجمد خطط عقد قمة ثانية بين ترامب وبوتين");
  EXPECT_EQ(doc.language.code, "ar");
  EXPECT_EQ(doc.language.script, "Arab");
  EXPECT_GT(doc.language.confidence, 0.5);
  ASSERT_TRUE(doc.published_at_ms.has_value());
  EXPECT_EQ(*doc.published_at_ms, 1761004800000);  // 2025-10-21T00:00:00Z
  EXPECT_NE(doc.published_raw.find("October 2025"), std::string::npos) << doc.published_raw;
  EXPECT_EQ(doc.article.source, "سكاي نيوز عربية");
  ASSERT_FALSE(doc.keywords.empty());
  std::vector<std::string> sorted = doc.keywords;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << "repeated keyword";
  EXPECT_NE(std::find(doc.keywords.begin(), doc.keywords.end(), "ملفات"), doc.keywords.end());
  EXPECT_EQ(doc.related,
            std::vector<std::string>{"لقاء متوتر في البيت الأبيض.. ماذا طلب ترامب من زيلينسكي"});
  EXPECT_EQ(doc.lead.rfind("أفاد موقع", 0), 0u) << doc.lead;
  // Nothing of the appended article, nor the boilerplate lines, in body or tokens.
  EXPECT_EQ(doc.body.find("توماهوك"), std::string::npos);
  EXPECT_FALSE(HasFoldedToken(doc, "توماهوك"));
  EXPECT_EQ(doc.body.find("المصدر"), std::string::npos);
  EXPECT_EQ(doc.body.find("كلمات دلالية"), std::string::npos);
  EXPECT_EQ(doc.body.find("تاريخ النشر"), std::string::npos);
  EXPECT_NE(doc.body.find("بودابست"), std::string::npos);
  ExpectOffsetsPointAtSurfaces(doc);
  // Title, lead and body tokens, in that order.
  ASSERT_FALSE(doc.tokens.empty());
  EXPECT_EQ(doc.tokens.front().field, core::Field::kTitle);
  EXPECT_TRUE(std::any_of(doc.tokens.begin(), doc.tokens.end(),
                          [](const core::Token& t) { return t.field == core::Field::kLead; }));
  EXPECT_EQ(doc.tokens.back().field, core::Field::kBody);
  EXPECT_EQ(*doc.word_count, static_cast<int64_t>(doc.tokens.size()));
  // Bare form of وبوتين in the title.
  bool putin = false;
  for (const core::Token& t : doc.tokens) {
    if (doc.TokenForm(t.bare_offset, t.bare_size) == "بوتين" && t.field == core::Field::kTitle) {
      putin = true;
    }
  }
  EXPECT_TRUE(putin);
}

struct LanguageCase {
  const char* lang;
  const char* script;
  int64_t published_ms;
  const char* source;
  std::vector<std::string> keywords;
  const char* related;
  const char* related_only_word;  // appears only in the appended article
  const char* body_word;          // appears in the body (matched on its folded form)
};

class NormalizeLanguages : public ::testing::TestWithParam<LanguageCase> {};

TEST_P(NormalizeLanguages, GoldenInput) {
  const LanguageCase& c = GetParam();
  auto p = Process(testing::ReadFile(
      testing::SourcePath(std::string("tests/golden/article_") + c.lang + "/input.txt")));
  const core::Document& doc = *p->doc;
  EXPECT_EQ(doc.language.code, c.lang);
  EXPECT_EQ(doc.language.script, c.script);
  EXPECT_GT(doc.language.confidence, 0.5);
  ASSERT_TRUE(doc.published_at_ms.has_value()) << doc.published_raw;
  EXPECT_EQ(*doc.published_at_ms, c.published_ms);
  EXPECT_EQ(doc.article.source, c.source);
  EXPECT_EQ(doc.keywords, c.keywords);
  EXPECT_EQ(doc.related, std::vector<std::string>{c.related});
  EXPECT_EQ(doc.body.find(c.related_only_word), std::string::npos);
  EXPECT_FALSE(HasFoldedToken(doc, c.related_only_word));
  EXPECT_TRUE(HasFoldedToken(doc, c.body_word)) << c.body_word;
  EXPECT_FALSE(doc.lead.empty());
  EXPECT_EQ(doc.body.rfind(doc.lead, 0), 0u);
  ExpectOffsetsPointAtSurfaces(doc);
}

constexpr int64_t kNov3 = 1762128000000;  // 2025-11-03T00:00:00Z

INSTANTIATE_TEST_SUITE_P(
    TenLanguages, NormalizeLanguages,
    ::testing::Values(LanguageCase{"ar",
                                   "Arab",
                                   kNov3,
                                   "وكالة أنباء الشرق الأوسط",
                                   {"هدنة", "غزة", "القاهرة"},
                                   "ارتفاع أسعار الذهب في الأسواق العالمية",
                                   "البورصات",
                                   "الإنسانية"},
                      LanguageCase{"en",
                                   "Latn",
                                   kNov3,
                                   "Example Wire Service",
                                   {"ceasefire", "Cairo", "humanitarian aid"},
                                   "Zeppelin museum reopens after renovation",
                                   "airship",
                                   "CONVOYS"},
                      LanguageCase{"ru",
                                   "Cyrl",
                                   kNov3,
                                   "Информационное агентство",
                                   {"перемирие", "переговоры"},
                                   "Хоккейный клуб подписал нового вратаря",
                                   "голкипером",
                                   "тяжелого"},
                      LanguageCase{"uk",
                                   "Cyrl",
                                   kNov3,
                                   "Інформаційне агентство",
                                   {"перемир'я", "переговори"},
                                   "Футбольний клуб підписав нового воротаря",
                                   "голкіпером",
                                   "тиші"},
                      LanguageCase{"fr",
                                   "Latn",
                                   kNov3,
                                   "Agence de presse",
                                   {"cessez-le-feu", "Caire", "aide humanitaire"},
                                   "Le musée du chocolat rouvre ses portes après travaux",
                                   "pralines",
                                   "trêve"},
                      LanguageCase{"de",
                                   "Latn",
                                   kNov3,
                                   "Nachrichtenagentur",
                                   {"Waffenruhe", "Kairo", "Hilfe"},
                                   "Schokoladenmuseum öffnet nach Umbau wieder",
                                   "Pralinen",
                                   "Unterhandler"},
                      LanguageCase{"es",
                                   "Latn",
                                   kNov3,
                                   "Agencia de noticias",
                                   {"tregua", "El Cairo", "ayuda humanitaria"},
                                   "El museo del chocolate reabre tras las obras",
                                   "bombones",
                                   "diplomatico"},
                      LanguageCase{"tr",
                                   "Latn",
                                   kNov3,
                                   "Haber Ajansı",
                                   {"ateşkes", "Kahire", "insani yardım"},
                                   "Çikolata müzesi yenilemenin ardından yeniden açıldı",
                                   "pralinlere",
                                   "ATESKES"},
                      LanguageCase{"he",
                                   "Hebr",
                                   kNov3,
                                   "סוכנות ידיעות",
                                   {"הפסקת אש", "קהיר", "סיוע הומניטרי"},
                                   "מוזיאון השוקולד נפתח מחדש לאחר שיפוץ",
                                   "לפרלינים",
                                   "שביר"},
                      LanguageCase{"fa",
                                   "Arab",
                                   kNov3,
                                   "خبرگزاری",
                                   {"آتش‌بس", "قاهره", "کمک بشردوستانه"},
                                   "موزه شکلات پس از بازسازی دوباره باز شد",
                                   "پرالین",
                                   "آتش‌بس"}),
    [](const ::testing::TestParamInfo<LanguageCase>& param_info) {
      return std::string(param_info.param.lang);
    });

TEST(NormalizeStage, PersianTokensWithAndWithoutZwnjMatch) {
  auto p = Process(testing::ReadFile(testing::SourcePath("tests/golden/article_fa/input.txt")));
  const auto folded = FoldedTokens(*p->doc);
  // The title has آتش‌بس (with ZWNJ), the body آتشبس (without): one folded form.
  EXPECT_GE(std::count(folded.begin(), folded.end(), "اتشبس"), 2);
  EXPECT_NE(p->doc->title.find("\u200C"), std::string::npos) << "ZWNJ kept in display text";
}

TEST(NormalizeStage, FeedDateWinsAndUnparseableDateIsKeptRaw) {
  auto p =
      Process(R"j({"id":"x1","title":"Talks resume","body":"Published: November 3, 2025\nText.",)j"
              R"j("published":"2024-01-02T03:04:05Z"})j");
  ASSERT_TRUE(p->doc->published_at_ms.has_value());
  EXPECT_EQ(*p->doc->published_at_ms, 1704164645000);
  EXPECT_EQ(p->doc->published_raw, "2024-01-02T03:04:05Z");

  auto q = Process(R"j({"id":"x2","title":"Talks resume","body":"Text only.",)j"
                   R"j("published":"2021-05 (event: May 2021 truce)"})j");
  EXPECT_FALSE(q->doc->published_at_ms.has_value());
  EXPECT_EQ(q->doc->published_raw, "2021-05 (event: May 2021 truce)");

  auto r =
      Process(R"j({"id":"x3","title":"Talks resume","body":"Published: November 3, 2025\nText.",)j"
              R"j("published":"sometime in 2021"})j");
  ASSERT_TRUE(r->doc->published_at_ms.has_value());
  EXPECT_EQ(*r->doc->published_at_ms, kNov3);
}

TEST(NormalizeStage, FeedSourceIsNotOverwritten) {
  auto p = Process(R"j({"id":"x","title":"T","body":"Some text here.\nSource: Other Agency",)j"
                   R"j("source":"Feed Outlet"})j");
  EXPECT_EQ(p->doc->article.source, "Feed Outlet");
  EXPECT_EQ(p->doc->body, "Some text here.");
}

TEST(NormalizeStage, HtmlBody) {
  const std::string body =
      "<html><body><nav>Menu</nav><p>Leaders met in Cairo &amp; agreed.</p>"
      "<script>alert(1)</script><p>Talks continue.</p><footer>Share</footer></body></html>";
  auto p = Process(R"j({"id":"h","title":"Cairo talks","content_type":"text/html","body":")j" +
                   body + "\"}");
  const core::Document& doc = *p->doc;
  EXPECT_EQ(doc.body, "Leaders met in Cairo & agreed.\nTalks continue.");
  EXPECT_EQ(doc.lead, "Leaders met in Cairo & agreed.");
  for (const core::Token& t : doc.tokens) {
    if (t.field == core::Field::kTitle) continue;
    const std::string src = doc.article.body.substr(t.begin, t.end - t.begin);
    const std::string_view folded = doc.TokenForm(t.folded_offset, t.folded_size);
    if (folded == "talks") {
      EXPECT_EQ(src, "Talks");  // exact: no entity in that text node
    }
    EXPECT_NE(src.find_first_not_of(' '), std::string::npos);
  }
  EXPECT_FALSE(HasFoldedToken(doc, "alert"));
  EXPECT_FALSE(HasFoldedToken(doc, "menu"));
}

TEST(NormalizeStage, MixedScriptArabicArticleIsArabic) {
  auto p = Process(
      "ترامب يلتقي نتنياهو في واشنطن\n"
      "قال الرئيس الأميركي Donald Trump إن اللقاء مع Benjamin Netanyahu في البيت الأبيض "
      "سيتناول الهدنة في غزة والأوضاع الإنسانية، وذلك بحسب بيان نشرته وكالة Reuters.\n");
  EXPECT_EQ(p->doc->language.code, "ar");
  EXPECT_EQ(p->doc->language.script, "Arab");
  ExpectOffsetsPointAtSurfaces(*p->doc);
}

TEST(NormalizeStage, FeedLanguageHintBreaksTiesOnly) {
  // Too short for CLD2 to be sure: the hint decides.
  auto p = Process(R"j({"id":"s","title":"Gaza","body":"Gaza.","language":"de"})j");
  EXPECT_EQ(p->doc->language.code, "de");
  // A long English text with a wrong hint stays English.
  auto q =
      Process(R"j({"id":"l","title":"Leaders agree on a pause in fighting",)j"
              R"j("body":"Negotiators said on Monday that both sides had accepted a pause in )j"
              R"j(fighting to let aid convoys reach the city, officials said.","language":"fr"})j");
  EXPECT_EQ(q->doc->language.code, "en");
}

// Two-pass detection: a clear first pass decides alone; an unclear one (here: only numbers and
// a stray word in the first pass bytes) makes CLD2 read the whole sample.
TEST(DetectLanguage, TheFeedHintWinsWhenTrustedAndBreaksTiesOtherwise) {
  const std::string arabic =
      "أعلنت وزارة الخارجية اليوم أن المحادثات بين الوفدين ستستأنف الأسبوع المقبل في القاهرة "
      "بعد توقف دام عدة أشهر، وقال المتحدث باسم الوزارة إن الجانبين اتفقا على جدول الأعمال.";
  DetectOptions options;
  options.dominant_script = USCRIPT_ARABIC;
  // Trusted: a hint with an ISO 639-1 code wins outright (CLD2 codes and tags mapped).
  options.trust_hint = true;
  options.hint = "FA-ir";
  core::Language l = DetectLanguage(arabic, options);
  EXPECT_EQ(l.code, "fa");
  EXPECT_EQ(l.confidence, 1.0);
  EXPECT_EQ(l.script, "Arab");
  options.hint = "iw";
  EXPECT_EQ(DetectLanguage(arabic, options).code, "he");
  // Trusted but no ISO 639-1 code: CLD2 decides.
  options.hint = "fil";
  l = DetectLanguage(arabic, options);
  EXPECT_EQ(l.code, "ar");
  EXPECT_GT(l.confidence, 0.9);
  // Not trusted: CLD2's reliable answer stands against the hint.
  options.trust_hint = false;
  options.hint = "fa";
  EXPECT_EQ(DetectLanguage(arabic, options).code, "ar");
  // Not trusted, CLD2 unsure (two words): the hint, when the text's script writes it.
  options.dominant_script = USCRIPT_LATIN;
  options.hint = "de-AT";
  l = DetectLanguage("Gaza.", options);
  EXPECT_EQ(l.code, "de");
  EXPECT_GT(l.confidence, 0.0);
  EXPECT_LT(l.confidence, 0.5);
  options.hint = "ar";  // Arabic is not written in Latin script: not taken
  EXPECT_NE(DetectLanguage("Gaza.", options).code, "ar");
}

TEST(DetectLanguage, SecondPassOnlyWhenTheFirstIsNotReliable) {
  std::string english;
  for (int i = 0; i < 12; ++i) {
    english += "The foreign ministers met in Geneva on Tuesday to discuss a ceasefire. ";
  }
  DetectOptions options;
  options.max_bytes = 512;
  options.first_pass_bytes = 128;
  int calls = 0;
  options.cld2_calls = &calls;
  core::Language l = DetectLanguage(english, options);
  EXPECT_EQ(l.code, "en");
  EXPECT_EQ(calls, 1);

  std::string numbers_first;
  for (int i = 0; i < 20; ++i) numbers_first += "2025-10-21 14:05 ";
  l = DetectLanguage(numbers_first + english, options);
  EXPECT_EQ(l.code, "en");
  EXPECT_EQ(calls, 2);

  options.first_pass_bytes = 0;  // one pass over the whole sample
  l = DetectLanguage(numbers_first + english, options);
  EXPECT_EQ(l.code, "en");
  EXPECT_EQ(calls, 1);
}

TEST(NormalizeStage, MaxTokensLimitsStoredTokensNotWordCount) {
  auto p = Process("Title\none two three four five six", "", YAML::Load("max_tokens: 3"));
  EXPECT_EQ(p->doc->tokens.size(), 3u);
  EXPECT_EQ(*p->doc->word_count, 7);
}

TEST(NormalizeStage, StripBoilerplateOff) {
  auto p = Process("Title\nText.\nSource: Agency", "", YAML::Load("strip_boilerplate: false"));
  EXPECT_EQ(p->doc->body, "Text.\nSource: Agency");
}

TEST(NormalizeStage, RegisteredName) {
  auto s = NormalizeStage::Create(YAML::Node(), "pipeline.normalize");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->Name(), "normalize");
}

// Document::token_hashes (for the tag stage's matcher): one entry per token when the stage
// stems, with the FormHash of each stemmed token's folded form; and never left over from an
// earlier article when the stage runs again on the same Document without stemming.
TEST(NormalizeStage, TokenHashesFollowTheTokensOfTheArticle) {
  auto p = Process(R"({"title":"Ceasefire talks","body":"Negotiators met again today.",
                       "language":"en"})");
  core::Document& doc = *p->doc;
  ASSERT_EQ(doc.language.code, "en");
  ASSERT_FALSE(doc.tokens.empty());
  ASSERT_EQ(doc.token_hashes.size(), doc.tokens.size());
  for (size_t i = 0; i < doc.tokens.size(); ++i) {
    const core::Token& t = doc.tokens[i];
    const std::string_view folded = doc.TokenForm(t.folded_offset, t.folded_size);
    EXPECT_EQ(doc.token_hashes[i].folded, core::FormHash(folded.data(), folded.size())) << folded;
  }
  auto unstemmed = NormalizeStage::Create(YAML::Load("stem: false"), "pipeline.normalize");
  ASSERT_TRUE(unstemmed.ok());
  ASSERT_TRUE((*unstemmed)->Process(doc, core::StageContext()).ok());
  ASSERT_FALSE(doc.tokens.empty());
  EXPECT_TRUE(doc.token_hashes.empty());
}

// Every token's folded form comes hashed, not only the words the stemmer saw: digits and words
// of another script in a stemmed language, and every word of a language without a stemmer
// (Persian, Hebrew: Snowball has none) or of an article whose language is not detected. The stem
// hash is the stem's for stemmed tokens and 0 for the others (their stem_size is 0).
TEST(NormalizeStage, TokenHashesCoverDigitsOtherScriptsAndLanguagesWithoutAStemmer) {
  const char* const articles[] = {
      R"({"title":"Ceasefire talks in Москва","body":"Negotiators met 1,200 delegates on 5 May 2026.",
          "language":"en"})",
      R"({"title":"مذاکرات آتش‌بس در ژنو","body":"هیئت‌های ایران و آمریکا روز دوشنبه ۱۲ آذر در ژنو دیدار کردند.",
          "language":"fa"})",
      R"({"title":"שיחות הפסקת אש","body":"המשלחות נפגשו ביום שני 12 בדצמבר בז'נבה.","language":"he"})",
      R"({"title":"12 34","body":"56 78 90"})",
  };
  size_t unstemmed = 0;
  for (const char* json : articles) {
    SCOPED_TRACE(json);
    auto p = Process(json);
    core::Document& doc = *p->doc;
    ASSERT_FALSE(doc.tokens.empty());
    ASSERT_EQ(doc.token_hashes.size(), doc.tokens.size());
    for (size_t i = 0; i < doc.tokens.size(); ++i) {
      const core::Token& t = doc.tokens[i];
      const std::string_view folded = doc.TokenForm(t.folded_offset, t.folded_size);
      ASSERT_FALSE(folded.empty());
      EXPECT_EQ(doc.token_hashes[i].folded, core::FormHash(folded.data(), folded.size())) << folded;
      if (t.stem_size > 0) {
        const std::string_view stem = doc.TokenForm(t.stem_offset, t.stem_size);
        EXPECT_EQ(doc.token_hashes[i].stem, core::FormHash(stem.data(), stem.size())) << folded;
      } else {
        EXPECT_EQ(doc.token_hashes[i].stem, 0u) << folded;
        ++unstemmed;
      }
    }
  }
  EXPECT_GE(unstemmed, 25u);
}

}  // namespace
}  // namespace newsflow::normalize
