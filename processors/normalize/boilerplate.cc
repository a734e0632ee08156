// Boilerplate line classification: marker tables and the per-kind rules of boilerplate.h.
#include "processors/normalize/boilerplate.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "processors/normalize/dates.h"
#include "processors/normalize/simd_scan.h"
#include "processors/normalize/swar.h"

namespace newsflow::normalize {
namespace {

using dates_internal::CharClass;
using dates_internal::Classify;
using dates_internal::DecodeUtf8;
using dates_internal::FoldChar;
using dates_internal::FoldText;

// Lines of more words than this are never boilerplate (the largest limit below is 20 words,
// keyword lists excepted: they need no word count).
constexpr size_t kLongLine = 21;

// Strong markers may be followed directly by text; weak ones (words that also start ordinary
// sentences) only by nothing, a separator (read-also) or platform names (footers).
enum class Strength : uint8_t { kStrong, kWeak };

struct MarkerList {
  LineKind kind;
  Strength strength;
  const char* phrases;  // "phrase|phrase|..."; folded when the table is built
};

constexpr MarkerList kMarkerLists[] = {
    // --- date labels (a date must follow) ---
    {LineKind::kDate, Strength::kStrong,
     "تاريخ النشر|نشر في|نشر بتاريخ|نشر|تم النشر|تم النشر في|آخر تحديث|تاريخ التحديث|"
     "تم التحديث|تم التحديث في|التحديث|بتاريخ|التاريخ|تاريخ|نشر يوم|"
     "published|published on|published at|first published|updated|last updated|updated on|"
     "updated at|posted|posted on|date|"
     "опубликовано|опубликован|обновлено|дата публикации|дата обновления|"
     "опубліковано|оновлено|дата публікації|дата оновлення|"
     "publié le|publié|mis à jour le|mis à jour|modifié le|date de publication|"
     "veröffentlicht|veröffentlicht am|aktualisiert|aktualisiert am|zuletzt aktualisiert|stand|"
     "datum|erstellt am|"
     "publicado|publicado el|actualizado|actualizado el|fecha|fecha de publicación|"
     "yayınlanma|yayınlanma tarihi|yayın tarihi|güncelleme|güncelleme tarihi|güncellendi|"
     "son güncelleme|yayınlandı|tarih|"
     "פורסם|פורסם ב|עודכן|עודכן ב|עודכן לאחרונה|תאריך|תאריך פרסום|"
     "تاریخ انتشار|انتشار|زمان انتشار|منتشر شده|منتشر شده در|تاریخ|"
     "به‌روزرسانی|به روزرسانی|به روز رسانی|بروزرسانی|"
     "آخرین به‌روزرسانی|آخرین بروزرسانی"},
    // --- source / credit labels (colon + short value) ---
    {LineKind::kSource, Strength::kStrong,
     "المصدر|مصدر|المصادر|source|sources|credit|credits|crédit|crédits|источник|источники|"
     "джерело|джерела|quelle|quellen|fuente|fuentes|kaynak|מקור|מקורות|منبع|منابع"},
    // --- keyword / tag labels (colon + list) ---
    {LineKind::kKeywords, Strength::kStrong,
     "كلمات دلالية|الكلمات الدلالية|كلمات مفتاحية|الكلمات المفتاحية|وسوم|الوسوم|"
     "tags|tag|keywords|topics|теги|метки|ключевые слова|ключові слова|мітки|"
     "mots-clés|mots clés|mots-clefs|schlagworte|schlagwörter|stichworte|stichwörter|"
     "etiquetas|palabras clave|etiketler|anahtar kelimeler|תגיות|"
     "برچسب‌ها|برچسب ها|برچسب|کلیدواژه‌ها|کلیدواژه|"
     "کلید واژه|کلیدواژگان|واژگان کلیدی"},
    // --- read also / related ---
    {LineKind::kReadAlso, Strength::kStrong,
     "اقرأ أيضا|اقرأ أيضاً|إقرأ أيضاً|اقرأ كذلك|اقرأ المزيد|مواضيع ذات صلة|مواضيع متعلقة|"
     "أخبار ذات صلة|مقالات ذات صلة|موضوعات ذات صلة|شاهد أيضا|طالع أيضا|قد يهمك أيضا|قد يهمك|"
     "read also|also read|related articles|related stories|related news|related content|"
     "see also|more on this|more on this story|you may also like|you might also like|"
     "читайте также|также читайте|читайте еще|смотрите также|похожие новости|"
     "читайте також|також читайте|дивіться також|"
     "lire aussi|à lire aussi|lire également|à lire également|voir aussi|sur le même sujet|"
     "lesen sie auch|mehr zum thema|auch interessant|das könnte sie auch interessieren|"
     "siehe auch|"
     "lee también|leer también|lea también|te puede interesar|también te puede interesar|"
     "le puede interesar|puede interesarte|noticias relacionadas|ver también|"
     "ayrıca okuyun|ayrıca oku|ayrıca bakınız|ilgili haberler|bunlar da ilginizi çekebilir|"
     "ilginizi çekebilir|"
     "קראו גם|קרא גם|כתבות נוספות|כתבות קשורות|עוד בנושא|"
     "بیشتر بخوانید|همچنین بخوانید|مطالب مرتبط|اخبار مرتبط|مطالب پیشنهادی"},
    {LineKind::kReadAlso, Strength::kWeak,
     "ذات صلة|read more|related|recommended|further reading|по теме|по темі|"
     "lire la suite|weiterlesen|zum thema|leer más|daha fazla|בחירת העורכים|بخوانید"},
    // --- share / subscribe / follow footers ---
    {LineKind::kFooter, Strength::kStrong,
     "شارك الخبر|شارك المقال|شارك هذا المقال|شارك هذا الخبر|تابعونا على|تابعونا|تابعنا على|"
     "اشترك في النشرة|اشترك في النشرة البريدية|اشترك في نشرتنا|اشترك الآن|انضم إلى قناتنا|"
     "share this|share this article|share this story|follow us|follow us on|"
     "subscribe to our newsletter|sign up for our newsletter|"
     "подписывайтесь|подпишитесь|читайте нас в|следите за нами|"
     "підписуйтесь|підпишіться|читайте нас у|слідкуйте за нами|"
     "abonnez-vous|suivez-nous|inscrivez-vous à notre newsletter|"
     "folgen sie uns|newsletter abonnieren|jetzt abonnieren|teilen sie diesen artikel|"
     "suscríbete|síguenos|suscríbete a nuestro boletín|"
     "abone ol|bizi takip edin|haberi paylaş|"
     "הירשמו|עקבו אחרינו|"
     "ما را دنبال کنید|به اشتراک بگذارید|عضویت در خبرنامه"},
    {LineKind::kFooter, Strength::kWeak,
     "شارك|شارك على|مشاركة|اشترك|share|share on|subscribe|sign up|"
     "поделиться|подписаться|поділитися|partager|partagez|s'abonner|teilen|abonnieren|"
     "compartir|comparte|paylaş|takip et|שתפו|שתף|הצטרפו|"
     "اشتراک‌گذاری|اشتراک گذاری"},
};

// Words allowed after a weak footer phrase: platforms, "copy link", and small fillers.
constexpr const char* kPlatformWords =
    "facebook|twitter|x|whatsapp|telegram|email|e-mail|mail|linkedin|instagram|youtube|tiktok|"
    "threads|reddit|vk|vkontakte|messenger|viber|print|copy|link|"
    "on|via|and|or|en|sur|auf|per|на|в|у|и|і|и|ve|في|على|عبر|و|در|ו|"
    "вконтакте|одноклассники|телеграм|телеграмм|"
    "فيسبوك|فيس|بوك|تويتر|إكس|واتساب|واتس|اب|تيليجرام|تلغرام|تليجرام|إنستغرام|انستجرام|يوتيوب|"
    "لينكدإن|البريد|الإلكتروني|طباعة|رابط|نسخ|"
    "פייסבוק|טוויטר|וואטסאפ|טלגרם|מייל|"
    "فیسبوک|توییتر|تلگرام|واتساپ|واتس‌اپ|"
    "اینستاگرام|ایکس|ایتا|بله|روبیکا";

struct Marker {
  std::string folded;
  LineKind kind;
  Strength strength;
};

class MarkerTable {
 public:
  static const MarkerTable& Get() {
    static const MarkerTable table;
    return table;
  }

  using Range = std::pair<const Marker*, const Marker*>;
  Range All() const { return {markers_.data(), markers_.data() + markers_.size()}; }

  // The markers whose folded form is `word` or starts with `word` and a space: all those a
  // line whose first folded word is `word` can start with. They sort together from `word` on
  // (a space sorts before every byte a folded word has), a few at most.
  Range StartingWith(std::string_view word) const {
    const Marker* const end = markers_.data() + markers_.size();
    const Marker* const begin =
        std::lower_bound(markers_.data(), end, word,
                         [](const Marker& m, std::string_view k) { return m.folded < k; });
    const Marker* it = begin;
    while (it != end && it->folded.starts_with(word) &&
           (it->folded.size() == word.size() || it->folded[word.size()] == ' ')) {
      ++it;
    }
    return {begin, it};
  }

  // The marker whose folded form is `folded`, looked for in `range` (sorted).
  static const Marker* Find(Range range, std::string_view folded) {
    const Marker* it =
        std::lower_bound(range.first, range.second, folded,
                         [](const Marker& m, std::string_view k) { return m.folded < k; });
    if (it == range.second || it->folded != folded) return nullptr;
    return it;
  }

  bool IsPlatformWord(std::string_view folded) const {
    return std::binary_search(platform_.begin(), platform_.end(), folded);
  }

  // Whether some marker's folded form starts with this word (followed by a space or nothing).
  // A line whose first word is not one cannot start with a marker, so the classifier need not
  // fold its further words nor look up its longer prefixes.
  bool IsFirstWord(std::string_view folded_word) const {
    return std::binary_search(first_words_.begin(), first_words_.end(), folded_word);
  }

  // A quick filter in front of IsFirstWord(), asked while the first word is being folded: false
  // when no first word of a marker is `head` (a whole folded word of fewer than kHeadBytes
  // bytes) or starts with `head` (the first kHeadBytes bytes of a longer one). May say true
  // wrongly (a hashed bit set), never false wrongly.
  static constexpr size_t kHeadBytes = 4;
  bool MayBeFirstWord(std::string_view head) const {
    const uint32_t h = HeadHash(head);
    return (head_bits_[h / 64] >> (h % 64) & 1) != 0;
  }

 private:
  MarkerTable() {
    for (const MarkerList& list : kMarkerLists) {
      ForEach(list.phrases, [&](std::string_view p) {
        std::string key = FoldText(p);
        if (!key.empty()) markers_.push_back(Marker{std::move(key), list.kind, list.strength});
      });
    }
    // First listing wins on duplicates (a phrase is listed under one kind only).
    std::stable_sort(markers_.begin(), markers_.end(),
                     [](const Marker& a, const Marker& b) { return a.folded < b.folded; });
    markers_.erase(
        std::unique(markers_.begin(), markers_.end(),
                    [](const Marker& a, const Marker& b) { return a.folded == b.folded; }),
        markers_.end());
    for (const Marker& m : markers_) first_words_.push_back(m.folded.substr(0, m.folded.find(' ')));
    std::sort(first_words_.begin(), first_words_.end());
    first_words_.erase(std::unique(first_words_.begin(), first_words_.end()), first_words_.end());
    for (const std::string& w : first_words_) {
      const uint32_t h = HeadHash(std::string_view(w).substr(0, kHeadBytes));
      head_bits_[h / 64] |= uint64_t{1} << (h % 64);
    }
    ForEach(kPlatformWords, [&](std::string_view p) {
      // Multi-word entries ("e-mail") fold to several words; each is allowed on its own.
      const std::string key = FoldText(p);
      size_t start = 0;
      while (start <= key.size()) {
        const size_t space = key.find(' ', start);
        const size_t end = space == std::string::npos ? key.size() : space;
        if (end > start) platform_.push_back(key.substr(start, end - start));
        if (space == std::string::npos) break;
        start = space + 1;
      }
    });
    std::sort(platform_.begin(), platform_.end());
  }

  template <typename Fn>
  static void ForEach(std::string_view list, Fn&& fn) {
    while (!list.empty()) {
      const size_t bar = list.find('|');
      fn(list.substr(0, bar));
      if (bar == std::string_view::npos) break;
      list.remove_prefix(bar + 1);
    }
  }

  std::vector<Marker> markers_;
  // Hash of up to kHeadBytes folded bytes (the length counts: "ab" and "ab\0" differ).
  static uint32_t HeadHash(std::string_view head) {
    uint32_t v = 0;
    std::memcpy(&v, head.data(), std::min(head.size(), kHeadBytes));
    return ((v ^ static_cast<uint32_t>(head.size()) << 29) * 0x9E3779B1u) >> (32 - kHeadBits);
  }
  static constexpr int kHeadBits = 14;  // 16 K bits: a few hundred heads, ~2% false yes

  std::vector<std::string> first_words_;
  uint64_t head_bits_[(1u << kHeadBits) / 64] = {};
  std::vector<std::string> platform_;
};

// ---------------------------------------------------------------------------------------------
// Line scanning helpers

bool IsWordClass(CharClass cls) {
  return cls == CharClass::kLetter || cls == CharClass::kDigit || cls == CharClass::kJoiner;
}

// Number of white-space separated chunks of `text` that contain a letter or digit, counting
// stops at `cap` (the rules only ask "at most N words", so long lines are not read to the end).
// Runs for every line (the date-line test), so the common characters skip Classify(): inside a
// chunk already counted only a separator matters, and no character of U+00C0-U+07FF (UTF-8 lead
// bytes C3-DF: Latin, Greek, Cyrillic, Hebrew, Arabic letters) is one.
size_t CountWords(std::string_view text, size_t cap = SIZE_MAX) {
  size_t words = 0;
  bool in_chunk = false;
  bool chunk_counted = false;
  size_t pos = 0;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  while (pos < n) {
    if (chunk_counted) {
      const uint8_t b = s[pos];
      if (b > 0x20 && b < 0x7F) {
        ++pos;
        continue;
      }
      if (b >= 0xC3 && b <= 0xDF && pos + 1 < n && (s[pos + 1] & 0xC0) == 0x80) {
        pos += 2;
        continue;
      }
    }
    const CharClass cls = Classify(DecodeUtf8(text, &pos));
    if (cls == CharClass::kSeparator) {
      in_chunk = false;
      chunk_counted = false;
      continue;
    }
    if (!in_chunk) {
      in_chunk = true;
      chunk_counted = false;
    }
    if (!chunk_counted && (cls == CharClass::kLetter || cls == CharClass::kDigit)) {
      chunk_counted = true;
      if (++words >= cap) break;
    }
  }
  return words;
}

// Classify() and FoldChar() of every two-byte character (U+0080-U+07FF: Latin-1 to Arabic),
// computed once: the line scans look them up instead of calling them per character.
class TwoByteChars {
 public:
  struct Entry {
    CharClass cls;
    uint8_t fold_len;
    char fold[4];
    uint8_t unused[2];  // 8 bytes: the index is a shift
  };
  static const TwoByteChars& Get() {
    static const TwoByteChars table;
    return table;
  }
  const Entry& operator[](int32_t cp) const { return entries_[cp - 0x80]; }  // 0x80-0x7FF
  // Whether the two-byte character `lead` (0xC2-0xDF) `trail` (0x80-0xBF) is a letter or digit.
  bool IsWordStart(uint8_t lead, uint8_t trail) const {
    const unsigned cp = (lead & 0x1Fu) << 6 | (trail & 0x3Fu);
    return (word_bits_[cp / 64] >> (cp % 64) & 1) != 0;
  }

 private:
  TwoByteChars() {
    for (int32_t cp = 0x80; cp < 0x800; ++cp) {
      Entry& e = entries_[cp - 0x80];
      e.cls = Classify(cp);
      e.fold_len = static_cast<uint8_t>(FoldChar(cp, e.fold));
      if (e.cls == CharClass::kLetter || e.cls == CharClass::kDigit) {
        word_bits_[cp / 64] |= uint64_t{1} << (cp % 64);
      }
    }
  }
  uint64_t word_bits_[0x800 / 64] = {};  // letters and digits, one bit each
  Entry entries_[0x800 - 0x80] = {};
};

// Whether `line` has more than `limit` words: CountWords(line, limit + 1) > limit. Most lines
// are long paragraphs, so a lower bound decides first: every space followed by a letter or
// digit starts a chunk that counts, as does a letter or digit at the start (SSE2, sixteen bytes
// at a time; only the non-ASCII characters after a space are looked up). Other separators are
// not looked for (CleanText's lines have none; they only make the bound lower). When the bound
// does not reach the limit, CountWords() counts exactly.
bool MoreWordsThan(std::string_view line, size_t limit) {
  const auto* s = reinterpret_cast<const uint8_t*>(line.data());
  const size_t n = line.size();
  const TwoByteChars& two_byte = TwoByteChars::Get();
  auto word_at = [&](size_t at) {
    if (at + 1 < n && s[at] >= 0xC2 && s[at] <= 0xDF && (s[at + 1] & 0xC0) == 0x80) {
      return two_byte.IsWordStart(s[at], s[at + 1]);
    }
    const CharClass cls = Classify(DecodeUtf8(line, &at));
    return cls == CharClass::kLetter || cls == CharClass::kDigit;
  };
  size_t words = n > 0 && word_at(0) ? 1 : 0;
  size_t i = 0;
  for (; i + 33 <= n; i += 32) {  // 32 bytes a step: half the loop and limit checks
    uint32_t alnum = 0;
    uint32_t non_ascii = 0;
    uint32_t alnum_hi = 0;
    uint32_t non_ascii_hi = 0;
    simd::SpaceThen16(s + i, &alnum, &non_ascii);
    simd::SpaceThen16(s + i + 16, &alnum_hi, &non_ascii_hi);
    words += static_cast<size_t>(swar::PopCount32(alnum | alnum_hi << 16));
    for (non_ascii |= non_ascii_hi << 16; non_ascii != 0; non_ascii &= non_ascii - 1) {
      if (word_at(i + static_cast<size_t>(std::countr_zero(non_ascii)) + 1)) ++words;
    }
    if (words > limit) return true;
  }
  for (; i + 17 <= n; i += 16) {
    uint32_t alnum = 0;
    uint32_t non_ascii = 0;
    simd::SpaceThen16(s + i, &alnum, &non_ascii);
    words += static_cast<size_t>(swar::PopCount32(alnum));
    for (; non_ascii != 0; non_ascii &= non_ascii - 1) {
      if (word_at(i + static_cast<size_t>(std::countr_zero(non_ascii)) + 1)) ++words;
    }
    if (words > limit) return true;
  }
  for (; i + 1 < n; ++i) {
    if (s[i] == ' ' && word_at(i + 1) && ++words > limit) return true;
  }
  return CountWords(line, limit + 1) > limit;
}

// Whether `text` has a decimal digit of any script. FindDate() needs one (days and years are
// numbers), so lines without are no dates.
bool HasDigit(std::string_view text) {
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  size_t pos = 0;
  while (pos < text.size()) {
    if (s[pos] < 0x80) {
      if (s[pos] >= '0' && s[pos] <= '9') return true;
      ++pos;
      continue;
    }
    if (Classify(DecodeUtf8(text, &pos)) == CharClass::kDigit) return true;
  }
  return false;
}

// Counts word chunks of `line` that lie entirely outside / overlap [begin, end).
void CountWordsAround(std::string_view line, size_t begin, size_t end, size_t* outside,
                      size_t* inside) {
  *outside = 0;
  *inside = 0;
  size_t pos = 0;
  while (pos < line.size()) {
    // One chunk: [chunk_begin, chunk_end).
    size_t chunk_begin = pos;
    const CharClass first = Classify(DecodeUtf8(line, &pos));
    if (first == CharClass::kSeparator) continue;
    bool has_word = first == CharClass::kLetter || first == CharClass::kDigit;
    size_t chunk_end = pos;
    while (pos < line.size()) {
      size_t next = pos;
      const CharClass cls = Classify(DecodeUtf8(line, &next));
      if (cls == CharClass::kSeparator) break;
      has_word = has_word || cls == CharClass::kLetter || cls == CharClass::kDigit;
      pos = next;
      chunk_end = pos;
    }
    if (!has_word) continue;
    if (chunk_end <= begin || chunk_begin >= end) {
      ++*outside;
    } else {
      ++*inside;
    }
  }
}

bool IsSeparatorPunct(int32_t c) {
  switch (c) {
    case ':':
    case 0xFF1A:  // fullwidth colon
    case '-':
    case 0x2013:  // en dash
    case 0x2014:  // em dash
    case '|':
    case 0x00BB:  // »
    case 0x203A:  // ›
    case '>':
    case '.':
    case 0x2026:  // …
    case 0x060C:  // ،
    case 0x061B:  // ؛
    case ';':
    case 0x06D4:  // ۔
    case '=':
      return true;
    default:
      return false;
  }
}

bool IsColon(int32_t c) { return c == ':' || c == 0xFF1A || c == 0xFE55; }

// The first words of a line, folded, with where each ends in the line.
struct LinePrefix {
  static constexpr size_t kMaxWords = 7;
  static constexpr size_t kMaxBytes = 320;
  char folded[kMaxBytes];
  size_t fold_end[kMaxWords] = {};  // folded length up to and including word n
  size_t byte_end[kMaxWords] = {};  // byte offset in the line after word n
  size_t words = 0;
  bool bracket = false;      // the line starts with ( or [
  bool maybe_marker = true;  // false: the first word starts no marker (later words not read)
};

// Folds the line's first words into `p`. kFast (ClassifyLine) stops as soon as the first word's
// folded head rules out every marker (MarkerTable::MayBeFirstWord), and folds ASCII in line;
// the general version (the test reference) folds the whole first word. Both give the same
// words > 0 and maybe_marker, and the same words when maybe_marker is true.
template <bool kFast>
void ScanPrefix(std::string_view line, LinePrefix* p) {
  const MarkerTable& table = MarkerTable::Get();
  const TwoByteChars& two_byte = TwoByteChars::Get();
  // The character at `at`: its class, code point and end. kFast reads ASCII and two-byte
  // characters without DecodeUtf8()/Classify() (same results).
  auto read = [&](size_t at, int32_t* c, size_t* next) {
    if (kFast) {
      const auto b0 = static_cast<uint8_t>(line[at]);
      if (b0 < 0x80) {
        *c = b0;
        *next = at + 1;
        return Classify(b0);
      }
      if (b0 >= 0xC2 && b0 <= 0xDF && at + 1 < line.size() &&
          (static_cast<uint8_t>(line[at + 1]) & 0xC0) == 0x80) {
        *c = (b0 & 0x1F) << 6 | (static_cast<uint8_t>(line[at + 1]) & 0x3F);
        *next = at + 2;
        return two_byte[*c].cls;
      }
    }
    *next = at;
    *c = DecodeUtf8(line, next);
    return Classify(*c);
  };
  size_t pos = 0;
  size_t len = 0;
  // Leading decoration: bullets, dashes, quotes, brackets, emoji.
  while (pos < line.size()) {
    size_t next = pos;
    int32_t c = 0;
    if (IsWordClass(read(pos, &c, &next))) break;
    if (c == '(' || c == '[') p->bracket = true;
    pos = next;
  }
  while (pos < line.size() && p->words < LinePrefix::kMaxWords) {
    size_t next = pos;
    int32_t c = 0;
    // Skip to the next word (the first one starts where the decoration ends).
    if (p->words > 0 && !IsWordClass(read(pos, &c, &next))) {
      pos = next;
      continue;
    }
    if (p->words > 0) {
      if (len + 1 > LinePrefix::kMaxBytes) return;
      p->folded[len++] = ' ';
    }
    const bool first = p->words == 0;
    bool head_checked = !kFast || !first;
    bool overflow = false;
    while (pos < line.size()) {
      if (!IsWordClass(read(pos, &c, &next))) break;
      size_t n = 0;
      if (kFast && c < 0x80 && len < LinePrefix::kMaxBytes) {
        // An ASCII letter or digit (word class): FoldChar() would give it in lower case.
        p->folded[len] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        n = 1;
      } else if (kFast && c < 0x800 && len + 4 <= LinePrefix::kMaxBytes) {
        const TwoByteChars::Entry& e = two_byte[c];  // the fold, looked up
        std::memcpy(p->folded + len, e.fold, 4);     // (room for 4 bytes: one move)
        n = e.fold_len;
      } else if (kFast && len + 4 <= LinePrefix::kMaxBytes) {
        n = FoldChar(c, p->folded + len);  // room for the longest fold: no copy
      } else {
        char buf[4];
        n = FoldChar(c, buf);
        if (len + n > LinePrefix::kMaxBytes) {
          overflow = true;
          break;
        }
        std::memcpy(p->folded + len, buf, n);
      }
      len += n;
      pos = next;
      if (!head_checked && len >= MarkerTable::kHeadBytes &&
          !table.MayBeFirstWord(std::string_view(p->folded, MarkerTable::kHeadBytes))) {
        // No marker starts so. The rest of the word need not be folded -- unless its fold could
        // overflow the buffer (which leaves no word at all): a word ends at a space, and the
        // fold of a character is at most twice its bytes, so one within 150 bytes is enough.
        const size_t rest = line.size() - pos;
        if (rest <= 150 || std::memchr(line.data() + pos, ' ', 150) != nullptr) {
          p->words = 1;
          p->maybe_marker = false;
          return;
        }
      }
      if (len >= MarkerTable::kHeadBytes) head_checked = true;
    }
    if (overflow) return;  // the words so far stand; this one is too long to be a marker
    p->fold_end[p->words] = len;
    p->byte_end[p->words] = pos;
    ++p->words;
    if (first) {
      const std::string_view word(p->folded, len);
      if ((kFast && len < MarkerTable::kHeadBytes && !table.MayBeFirstWord(word)) ||
          !table.IsFirstWord(word)) {
        p->maybe_marker = false;
        return;
      }
    }
  }
}

// What follows a marker: separators (and white space), then the value up to the line's end.
struct AfterMarker {
  bool colon = false;
  bool separator = false;
  std::string_view value;  // trimmed
};

std::string_view TrimRight(std::string_view s) {
  // Drop trailing separators/ignorables (UTF-8 aware: walk forward, remember the last keep).
  size_t keep = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    const CharClass cls = Classify(DecodeUtf8(s, &pos));
    if (cls != CharClass::kSeparator && cls != CharClass::kIgnorable) keep = pos;
  }
  return s.substr(0, keep);
}

AfterMarker ReadAfterMarker(std::string_view line, size_t pos) {
  AfterMarker a;
  while (pos < line.size()) {
    size_t next = pos;
    const int32_t c = DecodeUtf8(line, &next);
    const CharClass cls = Classify(c);
    if (cls == CharClass::kSeparator || cls == CharClass::kIgnorable) {
      pos = next;
      continue;
    }
    if (!IsSeparatorPunct(c)) break;
    a.separator = true;
    a.colon = a.colon || IsColon(c);
    pos = next;
  }
  a.value = TrimRight(line.substr(pos));
  return a;
}

// Strips trailing punctuation (and a closing bracket) from a credit value.
std::string_view TrimValuePunct(std::string_view s) {
  size_t keep = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    const int32_t c = DecodeUtf8(s, &pos);
    const CharClass cls = Classify(c);
    // Words, and punctuation that may end a name (closing quotes, "&", "+"), are kept.
    const bool name_punct = cls == CharClass::kPunct && !IsSeparatorPunct(c) && c != ')' &&
                            c != ']' && c != ',' && c != '!' && c != '?';
    if (IsWordClass(cls) || name_punct) keep = pos;
  }
  return s.substr(0, keep);
}

bool AllPlatformWords(std::string_view rest) {
  const std::string folded = FoldText(rest);
  const MarkerTable& table = MarkerTable::Get();
  size_t start = 0;
  while (start < folded.size()) {
    size_t space = folded.find(' ', start);
    if (space == std::string::npos) space = folded.size();
    if (!table.IsPlatformWord(std::string_view(folded).substr(start, space - start))) {
      return false;
    }
    start = space + 1;
  }
  return true;
}

// kFast looks for the line's marker among those that start with its first word only (the
// general version searches the whole table for each prefix).
template <bool kFast>
std::optional<LineInfo> ClassifyMarker(std::string_view line, const LinePrefix& prefix) {
  const MarkerTable& table = MarkerTable::Get();
  const MarkerTable::Range range =
      kFast ? table.StartingWith(std::string_view(prefix.folded, prefix.fold_end[0])) : table.All();
  const Marker* marker = nullptr;
  size_t marker_words = 0;
  for (size_t n = prefix.words; n >= 1; --n) {
    marker = MarkerTable::Find(range, std::string_view(prefix.folded, prefix.fold_end[n - 1]));
    if (marker != nullptr) {
      marker_words = n;
      break;
    }
  }
  if (marker == nullptr) return std::nullopt;
  const AfterMarker after = ReadAfterMarker(line, prefix.byte_end[marker_words - 1]);
  // Words of the line, counted up to kLongLine (only the limits below are compared with it).
  const size_t line_words = marker->kind == LineKind::kSource || marker->kind == LineKind::kKeywords
                                ? 0
                                : CountWords(line, kLongLine);
  switch (marker->kind) {
    case LineKind::kDate: {
      if (after.value.empty() || line_words > 20) return std::nullopt;
      const std::optional<DateMatch> date = FindDate(after.value);
      if (!date.has_value()) return std::nullopt;
      if (CountWords(after.value.substr(0, date->begin), 3) > 2) return std::nullopt;
      return LineInfo{LineKind::kDate, after.value};
    }
    case LineKind::kSource: {
      if (!after.colon) return std::nullopt;
      std::string_view value = TrimValuePunct(after.value);
      const size_t words = CountWords(value, 9);
      if (words == 0 || words > 8) return std::nullopt;
      return LineInfo{LineKind::kSource, value};
    }
    case LineKind::kKeywords:
      if (!after.colon || CountWords(after.value, 1) == 0) return std::nullopt;
      return LineInfo{LineKind::kKeywords, after.value};
    case LineKind::kReadAlso:
      if (after.value.empty() || after.separator ||
          (marker->strength == Strength::kStrong && line_words <= 20)) {
        return LineInfo{LineKind::kReadAlso, after.value};
      }
      return std::nullopt;
    case LineKind::kFooter:
      if (line_words > 12) return std::nullopt;
      if (marker->strength == Strength::kStrong || after.value.empty() ||
          AllPlatformWords(after.value)) {
        return LineInfo{LineKind::kFooter, {}};
      }
      return std::nullopt;
    case LineKind::kText:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string_view LineKindName(LineKind kind) {
  switch (kind) {
    case LineKind::kText:
      return "text";
    case LineKind::kDate:
      return "date";
    case LineKind::kSource:
      return "source";
    case LineKind::kKeywords:
      return "keywords";
    case LineKind::kReadAlso:
      return "read_also";
    case LineKind::kFooter:
      return "footer";
  }
  return "text";
}

namespace {

// ClassifyLine(), and with kFast = false the general version its fast paths are tested against.
template <bool kFast>
LineInfo Classify(std::string_view line) {
  LinePrefix prefix;
  ScanPrefix<kFast>(line, &prefix);
  if (prefix.words == 0) return {};
  if (prefix.maybe_marker) {
    if (std::optional<LineInfo> info = ClassifyMarker<kFast>(line, prefix)) return *info;
  }
  // A short line that is nothing but a date.
  const bool short_line = kFast ? !MoreWordsThan(line, 8) : CountWords(line, 9) <= 8;
  if (short_line && (!kFast || HasDigit(line))) {
    if (std::optional<DateMatch> date = FindDate(line)) {
      size_t outside = 0;
      size_t inside = 0;
      CountWordsAround(line, date->begin, date->end, &outside, &inside);
      // One stray word ("ET", "Uhr") is fine; two only when the date is most of the line
      // ("21 октября 2025, 14:05 по Киеву" yes, "Ukraine war: 21 October 2025" no).
      const std::string_view trimmed = TrimRight(line);
      const bool mostly_date = 10 * (date->end - date->begin) >= 6 * trimmed.size();
      if (outside < inside && (outside <= 1 || (outside == 2 && mostly_date))) {
        return LineInfo{LineKind::kDate, trimmed};
      }
    }
  }
  return {};
}

}  // namespace

LineInfo ClassifyLine(std::string_view line) { return Classify<true>(line); }

namespace boilerplate_internal {

LineInfo ClassifyLineGeneral(std::string_view line) { return Classify<false>(line); }
bool MoreWordsThan(std::string_view line, size_t limit) {
  return newsflow::normalize::MoreWordsThan(line, limit);
}
size_t CountWords(std::string_view line, size_t cap) {
  return newsflow::normalize::CountWords(line, cap);
}
bool HasDigit(std::string_view text) { return newsflow::normalize::HasDigit(text); }

}  // namespace boilerplate_internal

std::vector<std::string> SplitKeywords(std::string_view list) {
  // Which separators split this list?
  bool has_separator = false;
  size_t pos = 0;
  auto is_list_separator = [](int32_t c) {
    switch (c) {
      case ',':
      case 0x060C:  // ،
      case ';':
      case 0x061B:  // ؛
      case '|':
      case 0x00B7:  // ·
      case 0x2022:  // •
      case '/':
      case '\t':
      case 0xFF0C:  // fullwidth comma
      case 0x3001:  // ideographic comma
        return true;
      default:
        return false;
    }
  };
  while (pos < list.size()) {
    if (is_list_separator(DecodeUtf8(list, &pos))) {
      has_separator = true;
      break;
    }
  }

  std::vector<std::string> out;
  std::vector<std::string> keys;
  std::string item;
  auto flush = [&]() {
    // Keep from the first to the last letter/digit, plus a closing bracket whose opener is
    // kept ("Trump (US)"); quotes, '#', dots and dashes at the ends go.
    size_t begin = 0;
    size_t end = 0;
    size_t p = 0;
    bool seen = false;
    while (p < item.size()) {
      const size_t start = p;
      const int32_t c = DecodeUtf8(item, &p);
      if (IsWordClass(Classify(c))) {
        if (!seen) begin = start;
        seen = true;
        end = p;
      } else if (seen && (c == ')' || c == ']')) {
        const char open = c == ')' ? '(' : '[';
        if (item.find(open, begin) < end) end = p;
      }
    }
    if (seen) {
      std::string kw = item.substr(begin, end - begin);
      std::string key = FoldText(kw);
      if (!key.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) {
        keys.push_back(std::move(key));
        out.push_back(std::move(kw));
      }
    }
    item.clear();
  };

  pos = 0;
  bool pending_space = false;
  while (pos < list.size()) {
    const size_t start = pos;
    const int32_t c = DecodeUtf8(list, &pos);
    if (has_separator ? is_list_separator(c) : Classify(c) == CharClass::kSeparator) {
      if (has_separator) {
        flush();
        pending_space = false;
      } else if (!item.empty()) {
        flush();
      }
      continue;
    }
    const CharClass cls = Classify(c);
    if (cls == CharClass::kIgnorable) continue;
    if (cls == CharClass::kSeparator) {  // inside a separated item: one space
      pending_space = true;
      continue;
    }
    if (pending_space && !item.empty()) item.push_back(' ');
    pending_space = false;
    item.append(list.substr(start, pos - start));
  }
  flush();
  return out;
}

}  // namespace newsflow::normalize
