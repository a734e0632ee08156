// Boilerplate lines of article text: date stamps, credits, tag lists, "read also" markers and
// share/subscribe footers, recognised line by line in all ten supported languages.
//
// The normalize stage classifies every clean body line with ClassifyLine() and drops what is
// not article text (see normalize_stage.h for what it does with each kind). The classifier is
// language-independent: one table holds the markers of every language (they differ by script
// or wording), so a French credit line in an Arabic article is still found.
//
// How a line is read: leading bullets/brackets/quotes are skipped, the first words are folded
// (case, Latin accents, Arabic diacritics/tatweel/hamza forms, ى/ي, ة/ه, Persian ی/ک, ZWNJ: see
// dates.h dates_internal) and the longest marker phrase at the start of the line is looked up.
// What must follow the marker depends on its kind:
//
// (clang-format miscounts the width of ZWNJ and would reflow the table below.)
// clang-format off
//   kDate      label (تاريخ النشر, نشر في, آخر تحديث, Published, Updated, Опубликовано,
//              Опубліковано, Publié le, Mis à jour, Veröffentlicht, Aktualisiert,
//              Publicado, Actualizado, Yayın tarihi, Güncelleme, פורסם, עודכן,
//              تاریخ انتشار, به‌روزرسانی, ...) with or without a colon, then a date that
//              ParseDate() reads, starting within the first three words after the label, in a
//              line of at most 20 words. Also a line of at most 8 words that is nothing but a
//              date: FindDate() succeeds, fewer words lie outside the date expression than
//              inside it, and those are at most one word, or two when the date covers 60% of
//              the line ("Tuesday 21 October 2025", "21.10.2025, 14:05 Uhr",
//              "21 октября 2025, 14:05 по Киеву"; not "Ukraine war: 21 October 2025").
//              value = the text after the label (the whole line for a bare date).
//   kSource    label (المصدر, مصدر, Source, Credit, Crédit, Источник, Джерело, Quelle, Fuente,
//              Kaynak, מקור, منبع, ...) + colon + a value of 1 to 8 words. value = the outlet
//              name without trailing punctuation (and without the closing bracket of a line in
//              brackets: "(المصدر: رويترز)" -> "رويترز").
//   kKeywords  label (كلمات دلالية, الكلمات المفتاحية, وسوم, Tags, Keywords, Теги, Ключевые
//              слова, Ключові слова, Mots-clés, Schlagworte, Etiquetas, Palabras clave,
//              Etiketler, Anahtar kelimeler, תגיות, برچسب‌ها, کلیدواژه‌ها, ...) + colon +
//              a non-empty list. value = the list (split it with SplitKeywords()).
//   kReadAlso  marker (إقرأ أيضاً, اقرأ المزيد, مواضيع ذات صلة, Read also, Related articles,
//              Читайте также, Читайте також, Lire aussi, Lesen Sie auch, Mehr zum Thema, Lee
//              también, Te puede interesar, Ayrıca okuyun, İlgili haberler, קראו גם, بیشتر
//              بخوانید, مطالب مرتبط, ...) alone, or followed by a separator (: - | » ...) and a
//              title, or (distinctive multi-word markers only) directly by a title in a line of
//              at most 20 words. Generic markers ("Related", "Read more", "ذات صلة") need the
//              separator or nothing after them. value = the text after the marker (often empty).
//   kFooter    a share/subscribe/follow phrase (شارك, تابعونا على, اشترك في النشرة,
//              Share this, Follow us on, Subscribe to our newsletter, Поделиться,
//              Подписывайтесь, Підписуйтесь, Partager, Abonnez-vous, Teilen, Abonnieren,
//              Compartir, Suscríbete, Paylaş, Abone ol, שתפו, הירשמו, اشتراک‌گذاری,
//              ما را دنبال کنید, ...) in a line of at most 12 words. Single verbs that also
//              start sentences (شارك "took part", Share "Share prices ...", Teilen, Partager,
//              Compartir, Paylaş, שתפו) count only alone or followed by platform names
//              (Facebook, X, WhatsApp, Telegram, ...).
// clang-format on
//
// Precision first: body sentences must stay kText. So a credit label needs the colon and a
// short value ("Source: Reuters" is a credit; "The source said ...", "Источник в правительстве
// сообщил ...", "وقال المصدر إن ..." are text), a label is only recognised at the start of the
// line, and every length limit above is what keeps a sentence that merely starts with a marker
// word in the text.
//
// Input: one line, NFC, trimmed (CleanText output). Any bytes are safe (ill-formed UTF-8 is read
// as separators). Thread-safe; marker tables are built once (function-local static).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace newsflow::normalize {

enum class LineKind { kText, kDate, kSource, kKeywords, kReadAlso, kFooter };

// Stable lower-case name of a kind ("text", "date", "source", "keywords", "read_also",
// "footer"), for logs, explanations and tests.
std::string_view LineKindName(LineKind kind);

struct LineInfo {
  LineKind kind = LineKind::kText;
  std::string_view value;  // kDate: the date text after any label; kSource: the outlet name;
                           // kKeywords: the list after the label; kReadAlso: text after the marker
                           // on the same line (often empty); otherwise empty. Points into `line`.
};

// Classifies one line of article text (already NFC-normalized and trimmed). Language-independent:
// markers of all supported languages are recognised (they differ by script/wording).
LineInfo ClassifyLine(std::string_view line);

// Splits a keyword/tag list into keywords, deduplicated (first occurrence order kept).
//
// Separators: if the list contains any of  , ، ; ؛ | · • / ، tab  it is split on those (items
// may be phrases: "White House, Ukraine" -> {"White House", "Ukraine"}); otherwise it is split
// on white space. Items are trimmed of white space and of punctuation at both ends (#, quotes,
// brackets, a final '.'), inner white space runs become one space, and items without a letter
// or digit are dropped. Duplicates are found on the folded form (case, accents, Arabic
// hamza/alef variants, ى/ي, ة/ه, diacritics, tatweel) and the first spelling is kept.
//
// Limitation: a white-space-only list (the seed's "كلمات دلالية: ملفات ملفات البيت الأبيض ...")
// carries no phrase boundaries, so it comes back as single words ("البيت", "الأبيض"). Sites
// often print their tag list twice, but a repeated run (here "البيت الأبيض أوكرانيا ترامب
// وبوتين ...") spans several tags, so repetition does not reveal where a phrase ends either;
// recovering phrases needs the original markup (one link per tag), not this line.
std::vector<std::string> SplitKeywords(std::string_view list);

// Exposed for tests (boilerplate_test.cc checks the fast paths against these), not an API.
namespace boilerplate_internal {

// ClassifyLine() without its fast paths: the whole first word folded and looked up, words
// counted one by one, FindDate() asked for every short line.
LineInfo ClassifyLineGeneral(std::string_view line);
// Whether `line` has more than `limit` words (the fast path) ...
bool MoreWordsThan(std::string_view line, size_t limit);
// ... and the general count (white-space separated chunks with a letter or digit, up to `cap`).
size_t CountWords(std::string_view line, size_t cap);
// Whether `text` has a decimal digit of any script (FindDate() needs one).
bool HasDigit(std::string_view text);

}  // namespace boilerplate_internal

}  // namespace newsflow::normalize
