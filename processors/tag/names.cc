#include "processors/tag/names.h"

#include <unicode/dtfmtsym.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/udata.h>
#include <unicode/unistr.h>
#include <unicode/ures.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "processors/normalize/folding.h"
#include "processors/tag/matcher.h"
#include "processors/tag/tag_stage.h"

namespace newsflow::tag {
namespace {

// What a token is to the name rules.
// kUpper: an upper-case initial or word (no name word, but a capitalised neighbour).
enum class Kind : uint8_t { kOther, kLower, kCap, kUpper };

constexpr size_t kMinNameWords = 2;
constexpr size_t kMaxNameWords = 4;
constexpr size_t kMaxParticles = 2;  // von der, de la

// Lower-case name particles that may stand between two capitalised words of one name.
constexpr std::string_view kParticles[] = {"de",  "del", "della", "der", "den", "di",  "da",
                                           "das", "do",  "dos",   "du",  "van", "von", "ter",
                                           "la",  "le",  "bin",   "ibn", "al",  "el"};

// Languages whose month and day names are read from ICU (those newsflow detects in Latin or
// Cyrillic script); other languages fall back to English's.
constexpr const char* kCalendarLanguages[] = {
    "en", "es", "de", "fr", "tr", "ru", "uk", "it", "pt", "nl", "pl", "ro", "sv", "da", "nb",
    "fi", "cs", "id", "bg", "sr", "hr", "sk", "sl", "hu", "lt", "lv", "et", "az", "ca", "be"};

// Titles and honorifics written capitalised before a name (Health Minister Ryan Park, Premier
// Chris Minns, Dr Tarun Gupta, Lieutenant Colonel Bryan Hilferty, Turkish TCMB Başkanı Fatih
// Karahan, Büyükelçi Akif Çağatay Kılıç), per language, space-separated. A span whose words up
// to the last of these are a title keeps only the words after it (at least two), and the
// title, not a gazetteer mention before it, is then the span's left neighbour. Only the head
// word of a title is needed: "Prime Minister", "Genel Müdürü" end in one.
// Hand-written because no library newsflow uses has such a list: ICU/CLDR have no titles or
// honorifics, Snowball and Hunspell dictionaries do not mark them (the PyPI package nameparser
// has an English list only, with many rarer titles). Languages that write titles in lower case
// (Russian, Ukrainian, mostly Spanish and French) need few: a capitalised title there starts
// a sentence, which the sentence-initial rule already drops. Other languages use English's.
struct TitleWords {
  const char* language;
  const char* words;
};
constexpr TitleWords kTitleWords[] = {
    {"en",
     "mr mrs ms miss mx dr prof professor sir dame lord lady madam president premier minister "
     "chancellor secretary senator sen rep representative congressman congresswoman governor "
     "gov mayor ambassador envoy spokesman spokeswoman spokesperson judge justice king queen "
     "prince princess sheikh emir sultan pope cardinal archbishop bishop rabbi imam ayatollah "
     "reverend rev general gen lieutenant lt colonel col major maj captain capt commander cmdr "
     "admiral adm sergeant sgt corporal cpl marshal brigadier inspector superintendent "
     "detective constable officer chief director chairman chairwoman commissioner attorney "
     "prosecutor sheriff coach deputy councillor councilor"},
    {"es",
     "señor sr señora sra don doña presidente presidenta ministro ministra canciller secretario "
     "secretaria senador senadora diputado diputada gobernador gobernadora alcalde alcaldesa "
     "embajador embajadora general coronel teniente capitán comandante almirante sargento juez "
     "jueza fiscal rey reina príncipe princesa papa monseñor doctor doctora dr dra licenciado "
     "licenciada"},
    {"fr",
     "monsieur madame mme mlle président présidente ministre chancelier secrétaire sénateur "
     "sénatrice député députée gouverneur maire ambassadeur ambassadrice général colonel "
     "lieutenant capitaine commandant amiral sergent juge roi reine prince princesse pape "
     "docteur dr professeur maître cheikh"},
    {"pt",
     "senhor senhora sr sra dom presidente presidenta ministro ministra chanceler secretário "
     "secretária senador senadora deputado deputada governador governadora prefeito prefeita "
     "embaixador general coronel tenente capitão comandante almirante juiz juíza rei rainha "
     "príncipe princesa papa doutor doutora dr dra professor"},
    {"it",
     "signor signora sig presidente ministro ministra cancelliere segretario senatore deputato "
     "governatore sindaco ambasciatore generale colonnello tenente capitano comandante "
     "ammiraglio giudice re regina principe principessa papa dottor dottore dottoressa dott "
     "professor professore onorevole"},
    {"tr",
     "bay bayan sayın dr prof doç av cumhurbaşkanı başkan başkanı başkanvekili bakan bakanı "
     "başbakan başbakanı müdür müdürü direktörü büyükelçi büyükelçisi sözcü sözcüsü vali "
     "valisi kaymakam kaymakamı milletvekili komutan komutanı orgeneral korgeneral tümgeneral "
     "tuğgeneral general albay yarbay binbaşı yüzbaşı danışmanı başdanışmanı sekreteri lideri "
     "yardımcısı hakim hakimi savcı savcısı başsavcısı rektörü dekanı müftüsü kral kraliçe "
     "prens şeyh papa emir"},
};

// German writes every noun with a capital, so a capital is no evidence of a name there: a German
// name is found only right after a title, and German titles are compounds (Bundeskanzler,
// Bundesdigitalminister Volker Wissing, Regierungschef, Außenministerin): a capitalised word
// ending in one of these is a title. Folded (TextFolder) at Create(). Hand-written for the
// reason the titles above are.
constexpr const char* kGermanTitleEnds =
    "minister ministerin kanzler kanzlerin präsident präsidentin chef chefin sprecher "
    "sprecherin bürgermeister bürgermeisterin sekretär sekretärin botschafter botschafterin "
    "vorsitzende vorsitzender direktor direktorin kommissar kommissarin abgeordnete "
    "abgeordneter general generalin herr frau";

// Head nouns of institutions' names, per language whose names end in them (English FIFA
// Disciplinary Committee, Iraqi Joint Operations Command; Turkish Ankara Üniversitesi): a span
// that ends in one and follows a capitalised gazetteer mention is one name with it (the mention
// names the institution's owner or country), where otherwise a span next to a mention is
// dropped. Hand-written for the reason the titles are (no library lists them).
constexpr TitleWords kHeadNouns[] = {
    {"en",
     "committee commission council service services command group ministry agency authority "
     "bank university institute institution organization organisation association federation "
     "union party front movement army forces guard police court office department bureau "
     "corporation foundation fund programme program center centre hospital airport airlines "
     "airways league club brigade brigades battalion division directorate "
     "assembly parliament congress senate board tribunal network corps"},
    {"tr",
     "kurulu kurumu bakanlığı başkanlığı müdürlüğü komutanlığı üniversitesi derneği partisi "
     "vakfı bankası meclisi mahkemesi ajansı federasyonu birliği kulübü hastanesi"},
};

// Prepositions that join an institution's head noun to the rest of its name, and the article
// that may follow them (Council of Europe, Office for the Coordination of Humanitarian
// Affairs), per language. English only: French and Spanish names go on in lower case after
// theirs (ministère des Armées) or are joined by the name particles (Corte Suprema de
// Justicia); German gets no names. Hand-written: two closed-class words per language, which
// no library lists as name connectors.
struct Connectors {
  std::string_view language;
  std::string_view prepositions[2];
  std::string_view article;
  std::string_view conjunction;  // a name that goes on with it is left as it was (below)
};
constexpr Connectors kConnectors[] = {{"en", {"of", "for"}, "the", "and"}};
constexpr size_t kMaxConnectorHops = 2;

// BGN/PCGN romanisation, then without the prime marks for soft/hard signs (Yelʹtsin) and
// without diacritics (Shchëlkovo): the spelling English text uses.
constexpr const char* kRussianLatinId = "Russian-Latin/BGN";
constexpr const char* kUkrainianLatinId = "Ukrainian-Latin/BGN";
constexpr const char* kRussianLatin =
    "Russian-Latin/BGN; [\\u02B9\\u02BA] Remove; NFD; [:Mn:] Remove; NFC";
constexpr const char* kUkrainianLatin =
    "Ukrainian-Latin/BGN; [\\u02B9\\u02BA] Remove; NFD; [:Mn:] Remove; NFC";

bool IsParticle(std::string_view folded) {
  return std::find(std::begin(kParticles), std::end(kParticles), folded) != std::end(kParticles);
}

UChar32 FirstCodePoint(std::string_view s) {
  int32_t i = 0;
  UChar32 c = 0;
  U8_NEXT(s.data(), i, static_cast<int32_t>(s.size()), c);
  return c;
}

// Every letter upper case (ABD, NATO, FC).
bool AllUpper(std::string_view s) {
  for (int32_t i = 0, n = static_cast<int32_t>(s.size()); i < n;) {
    const auto b = static_cast<unsigned char>(s[static_cast<size_t>(i)]);
    if (b < 0x80) {
      // ASCII without the three ICU calls: its only letters are A-Z (upper) and a-z (lower),
      // none title case, so this is what u_isalpha/u_isupper/u_istitle answer. Most calls are
      // for capitalised words, decided by their second letter.
      if (b >= 'a' && b <= 'z') return false;
      ++i;
      continue;
    }
    UChar32 c = 0;
    U8_NEXT(s.data(), i, n, c);
    if (u_isalpha(c) && !u_isupper(c) && !u_istitle(c)) return false;
  }
  return true;
}

bool IsHyphen(std::string_view gap) { return gap == "-" || gap == "\u2010"; }

// The text between two words of one name: a space, a no-break space, a hyphen, or " & ".
bool JoinsName(std::string_view gap) {
  return gap == " " || gap == "\u00A0" || gap == "-" || gap == "\u2010" || gap == " & " ||
         gap == "&";
}

// A line break or a sentence terminal (ICU Sentence_Terminal: . ! ? … । 。 ...) in `gap`.
bool EndsSentence(std::string_view gap) {
  for (int32_t i = 0, n = static_cast<int32_t>(gap.size()); i < n;) {
    UChar32 c = 0;
    U8_NEXT(gap.data(), i, n, c);
    if (c == '\n' || c == '\r' || c == 0x2029 || u_hasBinaryProperty(c, UCHAR_S_TERM)) return true;
  }
  return false;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The last code point of folded (lower-case) UTF-8.
UChar32 LastCodePoint(std::string_view s) {
  size_t start = s.size();
  while (start > 0 && (static_cast<unsigned char>(s[start - 1]) & 0xC0) == 0x80) --start;
  if (start > 0) --start;
  return FirstCodePoint(s.substr(start));
}

bool IsCyrillicVowel(UChar32 c) {
  return std::u32string_view(U"аеёиоуыэюяіїє").find(static_cast<char32_t>(c)) !=
         std::u32string_view::npos;
}

// A Russian/Ukrainian word (folded) in a form that is the nominative of a man's name: ends in a
// consonant, й or ь, not in an instrumental ending; or an undeclined surname ending.
bool MasculineNominative(std::string_view w) {
  for (std::string_view indeclinable : {"енко", "єнко", "швили", "дзе"}) {
    if (EndsWith(w, indeclinable)) return true;
  }
  const UChar32 last = LastCodePoint(w);
  if (u_getIntPropertyValue(last, UCHAR_SCRIPT) != USCRIPT_CYRILLIC || IsCyrillicVowel(last)) {
    return false;
  }
  if (last == U'ъ') return false;
  for (std::string_view instrumental : {"ом", "ём", "єм", "ым", "ой", "еем", "ием", "ієм"}) {
    if (EndsWith(w, instrumental)) return false;
  }
  return true;
}

// The case-ending rule (names.h) over the folded words of a Cyrillic span.
bool CyrillicNominative(const std::vector<std::string_view>& words) {
  bool all = true;
  for (std::string_view w : words) all = all && MasculineNominative(w);
  if (all) return true;
  // A woman's name with an undeclined surname: Мария Костюк, Ірина Верещук.
  const UChar32 first_last = LastCodePoint(words.front());
  if (first_last != U'а' && first_last != U'я') return false;
  for (size_t k = 1; k < words.size(); ++k) {
    // Adjectival surnames in the feminine nominative (Шекерінська, Вольская) are unambiguous.
    bool adjectival = false;
    for (std::string_view ending : {"ская", "цкая", "ська", "цька"}) {
      adjectival = adjectival || (k + 1 == words.size() && EndsWith(words[k], ending));
    }
    if (adjectival) continue;
    if (!MasculineNominative(words[k]) || EndsWith(words[k], "енко")) return false;
  }
  return true;
}

// Whether the words [begin, end) spell `acronym` (folded letters and digits) by their initials,
// in order, each word giving one letter, the first word the first letter, the last the last;
// a lower-case word of up to 4 bytes (of, for, et, des, de la) may give none. The classic test
// of an acronym's definition (as in Schwartz & Hearst's algorithm, here on word initials only):
// Free Application for Federal Student Aid = FAFSA, Commission nationale d'informatique et des
// libertés = CNIL, Society for Worldwide Interbank Financial Telecommunication = SWIFT.
template <typename InitialOf>
bool AcronymInitials(std::string_view acronym, size_t begin, size_t end,
                     const std::vector<Kind>& kind, const std::vector<core::Token>& tokens,
                     const InitialOf& initial_of) {
  if (acronym.empty()) return begin == end;
  if (begin == end || end - begin < acronym.size()) return false;
  if (initial_of(begin) == acronym[0] &&
      AcronymInitials(acronym.substr(1), begin + 1, end, kind, tokens, initial_of)) {
    return true;
  }
  const bool skippable =
      kind[begin] == Kind::kLower && tokens[begin].folded_size <= 4 &&
      !(tokens[begin].bare_size > 0 && tokens[begin].bare_offset > tokens[begin].folded_offset);
  return skippable && begin + 1 < end && acronym.size() < end - begin &&
         AcronymInitials(acronym, begin + 1, end, kind, tokens, initial_of);
}

// Generated from the Hunspell dictionaries (ops/gazetteer/proper_nouns.py): per language, the
// words listed only with a capital, NUL-terminated in one string, sorted by bytes.
struct ProperNounList {
  std::string_view language;
  const char* text;
  const uint32_t* offsets;  // count + 1: word i is text[offsets[i], offsets[i + 1] - 1)
  size_t count;
};
#include "processors/tag/names_proper_nouns.inc"

// Whether the language's Hunspell dictionary lists `word` (as written) only with a capital.
bool ProperNoun(std::string_view language, std::string_view word) {
  for (const ProperNounList& list : kProperNouns) {
    if (list.language != language) continue;
    size_t lo = 0;
    size_t hi = list.count;
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      const std::string_view w(list.text + list.offsets[mid],
                               list.offsets[mid + 1] - list.offsets[mid] - 1);
      const int c = w.compare(word);
      if (c == 0) return true;
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return false;
  }
  return false;
}

// Oblique forms of a Russian/Ukrainian "given name + surname" (Борису Синченко, Сергея
// Собянина, Ірини Верещук): the given name's case and gender come from its ending, confirmed by
// the dictionary (the nominative the ending implies must be a proper noun of the language's
// Hunspell dictionary, ProperNoun); the surname is put into the nominative by the same case's
// surname endings, or left as it is when it does not decline (-енко, a woman's -юк).
// Why endings written here: Snowball stems (it never gives the nominative back), and Hunspell's
// analysis restores only words its dictionary lists: most surnames are not there, and the name
// declension paradigms below are a few dozen textbook endings, not a lexicon.
enum class Case : uint8_t { kGen, kDat, kAcc, kIns, kPre };
struct CaseEnding {
  std::string_view oblique;     // ending in the text
  std::string_view nominative;  // ending of the nominative
  Case grammatical_case;
  bool feminine;
};
// Given names, longest endings first within a stem type.
constexpr CaseEnding kGivenEndings[] = {
    // Masculine in -й (Сергей, Андрей; Олексій): -я -ю -ем -е; uk -єм -еві -єві.
    {"еві", "й", Case::kDat, false},
    {"єві", "й", Case::kDat, false},
    {"ем", "й", Case::kIns, false},
    {"єм", "й", Case::kIns, false},
    {"я", "й", Case::kGen, false},
    {"ю", "й", Case::kDat, false},
    {"е", "й", Case::kPre, false},
    {"ї", "й", Case::kPre, false},
    // Masculine in -ь (Игорь, Ігор is hard): -я -ю -ем -е.
    {"ем", "ь", Case::kIns, false},
    {"я", "ь", Case::kGen, false},
    {"ю", "ь", Case::kDat, false},
    {"е", "ь", Case::kPre, false},
    // Masculine in a hard consonant (Борис, Владимир, Олег): -а -у -ом -е; uk -ові -ом -і.
    {"ові", "", Case::kDat, false},
    {"ом", "", Case::kIns, false},
    {"а", "", Case::kGen, false},
    {"у", "", Case::kDat, false},
    {"е", "", Case::kPre, false},
    {"і", "", Case::kPre, false},
    // Feminine in -ия/-ія (Мария, Марія): -ии -ию -ией; uk -ії -ію -ією.
    {"ией", "ия", Case::kIns, true},
    {"ією", "ія", Case::kIns, true},
    {"ии", "ия", Case::kGen, true},
    {"ию", "ия", Case::kAcc, true},
    {"ії", "ія", Case::kGen, true},
    {"ію", "ія", Case::kAcc, true},
    // Feminine in -я (Наталья, Наталя): -и -е -ю -ей; uk -і -ю -ею.
    {"ей", "я", Case::kIns, true},
    {"ею", "я", Case::kIns, true},
    // Feminine in -а (Ирина, Ірина): -ы -е -у -ой; uk -и -і -у -ою.
    {"ой", "а", Case::kIns, true},
    {"ою", "а", Case::kIns, true},
    {"ы", "а", Case::kGen, true},
    {"и", "а", Case::kGen, true},
    {"е", "а", Case::kDat, true},
    {"і", "а", Case::kDat, true},
    {"у", "а", Case::kAcc, true},
};
// Surname endings per case and gender: oblique -> nominative (first match wins).
constexpr CaseEnding kSurnameEndings[] = {
    // Masculine adjectival (-ский, -ський, -цкий).
    {"ского", "ский", Case::kGen, false},
    {"скому", "ский", Case::kDat, false},
    {"ским", "ский", Case::kIns, false},
    {"ском", "ский", Case::kPre, false},
    {"ського", "ський", Case::kGen, false},
    {"ському", "ський", Case::kDat, false},
    {"ським", "ський", Case::kIns, false},
    {"ськім", "ський", Case::kPre, false},
    {"цкого", "цкий", Case::kGen, false},
    {"цкому", "цкий", Case::kDat, false},
    {"цким", "цкий", Case::kIns, false},
    {"цком", "цкий", Case::kPre, false},
    // Masculine -ов/-ев/-ин (ru), -ов/-ев/-ін (uk).
    {"овым", "ов", Case::kIns, false},
    {"евым", "ев", Case::kIns, false},
    {"иным", "ин", Case::kIns, false},
    {"овим", "ов", Case::kIns, false},
    {"евим", "ев", Case::kIns, false},
    {"іним", "ін", Case::kIns, false},
    {"ова", "ов", Case::kGen, false},
    {"ева", "ев", Case::kGen, false},
    {"ина", "ин", Case::kGen, false},
    {"іна", "ін", Case::kGen, false},
    {"ову", "ов", Case::kDat, false},
    {"еву", "ев", Case::kDat, false},
    {"ину", "ин", Case::kDat, false},
    {"іну", "ін", Case::kDat, false},
    {"ове", "ов", Case::kPre, false},
    {"еве", "ев", Case::kPre, false},
    {"ине", "ин", Case::kPre, false},
    {"ові", "ов", Case::kPre, false},
    // Masculine, other consonant stems (Костюк, Греф).
    {"ові", "", Case::kDat, false},
    {"ом", "", Case::kIns, false},
    {"ем", "", Case::kIns, false},
    {"а", "", Case::kGen, false},
    {"у", "", Case::kDat, false},
    {"е", "", Case::kPre, false},
    // Feminine adjectival and -ова/-ина.
    {"ской", "ская", Case::kGen, true},
    {"скую", "ская", Case::kAcc, true},
    {"ської", "ська", Case::kGen, true},
    {"ській", "ська", Case::kDat, true},
    {"ську", "ська", Case::kAcc, true},
    {"ською", "ська", Case::kIns, true},
    {"овой", "ова", Case::kGen, true},
    {"евой", "ева", Case::kGen, true},
    {"иной", "ина", Case::kGen, true},
    {"ову", "ова", Case::kAcc, true},
    {"еву", "ева", Case::kAcc, true},
    {"ину", "ина", Case::kAcc, true},
    {"ової", "ова", Case::kGen, true},
    {"овій", "ова", Case::kDat, true},
    {"овою", "ова", Case::kIns, true},
    {"іної", "іна", Case::kGen, true},
    {"іній", "іна", Case::kDat, true},
    {"іною", "іна", Case::kIns, true},
};

bool SameCase(Case a, Case b, bool feminine) {
  if (a == b) return true;
  // A man's accusative is his genitive; a woman's genitive, dative and prepositional share
  // -ой/-ой/-ой (Ириной is instrumental, but Ирины/Ирине select her case, not her surname's).
  if (!feminine)
    return (a == Case::kAcc && b == Case::kGen) || (a == Case::kGen && b == Case::kAcc);
  return a != Case::kAcc && a != Case::kIns && b != Case::kAcc && b != Case::kIns;
}

// The nominative of "given surname" (original spelling, capitalised) in an oblique case, or
// false. `out` receives "Given Surname" in the nominative.
bool CyrillicNominativeOf(std::string_view language, std::string_view given,
                          std::string_view surname, std::string* out) {
  for (const CaseEnding& g : kGivenEndings) {
    if (!EndsWith(given, g.oblique) || given.size() <= g.oblique.size() + 2) continue;
    std::string nominative(given.substr(0, given.size() - g.oblique.size()));
    nominative.append(g.nominative);
    if (!ProperNoun(language, nominative)) continue;
    // The given name's case and gender are known: the surname's nominative.
    std::string last(surname);
    bool found = false;
    for (const CaseEnding& e : kSurnameEndings) {
      if (e.feminine != g.feminine ||
          !SameCase(e.grammatical_case, g.grammatical_case, g.feminine)) {
        continue;
      }
      if (EndsWith(surname, e.oblique) && surname.size() > e.oblique.size() + 2) {
        last.assign(surname.substr(0, surname.size() - e.oblique.size()));
        last.append(e.nominative);
        found = true;
        break;
      }
    }
    if (!found) {
      // Undeclined: -енко/-єнко/-ко, -швили/-дзе, -их/-ых; a woman's consonant-final surname.
      bool undeclined = false;
      for (std::string_view ending : {"енко", "єнко", "ко", "швили", "дзе", "их", "ых"}) {
        undeclined = undeclined || EndsWith(surname, ending);
      }
      const UChar32 last_letter = LastCodePoint(surname);
      undeclined = undeclined || (g.feminine && !IsCyrillicVowel(last_letter) &&
                                  last_letter != U'й' && last_letter != U'ь');
      if (!undeclined) return false;
    }
    out->assign(nominative);
    out->push_back(' ');
    out->append(last);
    return true;
  }
  return false;
}

// ASCII slug: letters and digits lower-cased, anything else one '-'.
void AppendSlug(std::string_view s, std::string* out) {
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u)) {
      out->push_back(static_cast<char>(std::tolower(u)));
    } else if (u >= 0x80) {
      out->push_back(c);  // folded non-ASCII letters (ß -> ss is already done by folding)
    } else if (!out->empty() && out->back() != '-' && out->back() != '/') {
      out->push_back('-');
    }
  }
  while (!out->empty() && out->back() == '-') out->pop_back();
}

struct Pending {
  std::string id;
  std::string name;
  std::string nominative;                            // a Cyrillic name put into the nominative
  std::vector<std::pair<uint32_t, uint32_t>> spans;  // token ranges
};

// Per-thread buffers of Find(): grown to the largest article, then reused.
struct NameScratch {
  std::vector<Kind> kind;
  std::vector<uint8_t> eligible;
  std::vector<size_t> acronyms;     // upper-case words and elided words: acronym candidates
  std::vector<uint64_t> word_hash;  // per candidate token: hash of its word, of its stem (or 0)
  std::vector<uint64_t> stem_hash;
  std::vector<uint64_t> lower_hashes;  // sorted
  std::vector<std::string_view> words;
  std::string id;
  std::string name;
  std::string nominative;  // a Cyrillic name put into the nominative
  std::vector<Pending> pending;
};

const icu::Transliterator* ThreadTransliterator(bool ukrainian) {
  thread_local std::unique_ptr<icu::Transliterator> cache[2];
  std::unique_ptr<icu::Transliterator>& t = cache[ukrainian ? 1 : 0];
  if (!t) {
    UErrorCode status = U_ZERO_ERROR;
    t.reset(icu::Transliterator::createInstance(
        icu::UnicodeString::fromUTF8(ukrainian ? kUkrainianLatin : kRussianLatin), UTRANS_FORWARD,
        status));
    if (U_FAILURE(status)) t.reset();  // Create() checked that this works
  }
  return t.get();
}

}  // namespace

Result<std::shared_ptr<const NameFinder>> NameFinder::Create() {
  // The rule-based BGN transliterators must be in ICU's data. They are looked up in the
  // transliterator index of ICU's data (translit/root, table RuleBasedTransliteratorIDs), not
  // built: any use of icu::Transliterator (createInstance, even getAvailableIDs) first builds
  // ICU's whole transliterator registry (~700 IDs, ~140 M instructions, ~10 ms) and building the
  // two compound transliterators adds more; the lookup costs ~0.1 ms. The threads build their
  // own on first use (ThreadTransliterator); the rest of the compound ID (Remove, NFD, NFC) is
  // built into ICU's code.
  for (const char* id : {kRussianLatinId, kUkrainianLatinId}) {
    UErrorCode status = U_ZERO_ERROR;
    UResourceBundle* root =
        ures_openDirect(U_ICUDATA_NAME U_TREE_SEPARATOR_STRING "translit", "root", &status);
    UResourceBundle* ids = ures_getByKey(root, "RuleBasedTransliteratorIDs", nullptr, &status);
    UResourceBundle* entry = ures_getByKey(ids, id, nullptr, &status);
    ures_close(entry);
    ures_close(ids);
    ures_close(root);
    if (U_FAILURE(status)) {
      return Status(Code::kInvalidConfig, "config",
                    std::string("tag.unlinked_names: ICU has no transliterator '") + id +
                        "': " + u_errorName(status));
    }
  }
  std::shared_ptr<NameFinder> f(new NameFinder());
  const normalize::TextFolder& folder = normalize::TextFolder::Default();
  for (const auto& [table, list] :
       {std::pair{&f->title_words_, std::span<const TitleWords>(kTitleWords)},
        std::pair{&f->head_nouns_, std::span<const TitleWords>(kHeadNouns)}}) {
    for (const TitleWords& t : list) {
      std::vector<uint64_t>& hashes = (*table)[t.language];
      const std::string_view words = t.words;
      for (size_t pos = 0; pos < words.size();) {
        size_t end = words.find(' ', pos);
        if (end == std::string_view::npos) end = words.size();
        hashes.push_back(Matcher::Hash(folder.Fold(words.substr(pos, end - pos))));
        pos = end + 1;
      }
      std::sort(hashes.begin(), hashes.end());
      hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    }
  }
  for (std::string_view ends = kGermanTitleEnds; !ends.empty();) {
    const size_t end = std::min(ends.find(' '), ends.size());
    f->german_title_ends_.push_back(folder.Fold(ends.substr(0, end)));
    ends.remove_prefix(std::min(end + 1, ends.size()));
  }
  for (const char* lang : kCalendarLanguages) {
    UErrorCode status = U_ZERO_ERROR;
    icu::DateFormatSymbols symbols{icu::Locale(lang), status};
    if (U_FAILURE(status)) {
      return Status(Code::kInvalidConfig, "config",
                    std::string("tag.unlinked_names: ICU has no date symbols for '") + lang +
                        "': " + u_errorName(status));
    }
    std::vector<uint64_t>& words = f->calendar_words_[lang];
    auto add = [&](const icu::UnicodeString* names, int32_t count) {
      for (int32_t i = 0; i < count; ++i) {
        std::string utf8;
        names[i].toUTF8String(utf8);
        std::string folded = folder.Fold(utf8);
        while (!folded.empty() && folded.back() == '.') folded.pop_back();
        // Two-letter abbreviations (Mo, Di) are too often other words.
        if (folded.size() < 3) continue;
        words.push_back(Matcher::Hash(folded));
      }
    };
    using S = icu::DateFormatSymbols;
    for (S::DtContextType context : {S::FORMAT, S::STANDALONE}) {
      for (S::DtWidthType width : {S::WIDE, S::ABBREVIATED}) {
        int32_t count = 0;
        const icu::UnicodeString* months = symbols.getMonths(count, context, width);
        add(months, count);
        const icu::UnicodeString* days = symbols.getWeekdays(count, context, width);
        add(days, count);
      }
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
  }
  return std::shared_ptr<const NameFinder>(std::move(f));
}

void NameFinder::Find(core::Document& doc, std::span<const uint8_t> covered,
                      int64_t max_mentions) const {
  const std::vector<core::Token>& tokens = doc.tokens;
  const size_t n = tokens.size();
  if (n < kMinNameWords) return;
  // German (and Luxembourgish) capitalise every noun: names only after a title there
  // (kGermanTitleEnds).
  const bool german = doc.language.code == "de" || doc.language.code == "lb";
  thread_local NameScratch s;
  auto& kind = s.kind;
  kind.assign(n, Kind::kOther);
  s.acronyms.clear();
  // Token forms without string_view::substr's range check (which GCC calls out of line per
  // token here): the tokenizer's offsets are inside token_text by construction.
  const char* const token_text = doc.token_text.data();
  auto form_at = [token_text](uint32_t offset, uint32_t size) {
    return std::string_view(token_text + offset, size);
  };
  auto folded_of = [&](const core::Token& t) { return form_at(t.folded_offset, t.folded_size); };
  // A Latin word with a suffix after an apostrophe (Turkish Kançal'ın, English Party's): its
  // bare form is the word before the apostrophe (tokenize.h), a prefix of the folded form.
  auto suffixed = [&](const core::Token& t) {
    return t.script == USCRIPT_LATIN && t.bare_size > 0 && t.bare_offset == t.folded_offset;
  };
  // The word as the rules compare it: without such a suffix.
  auto word_of = [&](const core::Token& t) {
    return suffixed(t) ? form_at(t.bare_offset, t.bare_size) : folded_of(t);
  };
  // FormHash (= Matcher::Hash) of token i's word and stem as the normalize stage handed them on
  // (core::Document::token_hashes; 0 where it did not compute one), so that the words of a
  // stemmed language are not hashed again here. The word's hash is the folded form's, so not
  // for a suffixed word.
  const std::span<const core::FormHashes> known =
      doc.token_hashes.size() == n ? std::span<const core::FormHashes>(doc.token_hashes)
                                   : std::span<const core::FormHashes>();
  auto word_hash_of = [&](size_t i, std::string_view word) {
    const uint64_t h = known.empty() || suffixed(tokens[i]) ? 0 : known[i].folded;
    return h != 0 ? h : Matcher::Hash(word);
  };
  auto stem_hash_of = [&](size_t i, std::string_view stem) {
    const uint64_t h = known.empty() ? 0 : known[i].stem;
    return h != 0 ? h : Matcher::Hash(stem);
  };
  // Token k as written in the original text.
  auto written_of = [&](size_t k) {
    const core::Token& t = tokens[k];
    return OriginalText(doc, t.field).substr(t.begin, t.end - t.begin);
  };
  // Pass 1: what each Latin/Cyrillic token is, from its first code point in the original text.
  size_t caps = 0;
  size_t title_words = 0;
  size_t title_caps = 0;
  const std::string_view title_text = doc.article.title;
  const std::string_view body_text = doc.article.body;
  for (size_t i = 0; i < n; ++i) {
    const core::Token& t = tokens[i];
    if (t.script != USCRIPT_LATIN && t.script != USCRIPT_CYRILLIC) continue;
    const std::string_view text = t.field == core::Field::kTitle ? title_text : body_text;
    if (t.end > text.size() || t.begin >= t.end) continue;
    const std::string_view word(text.data() + t.begin, t.end - t.begin);  // checked just above
    const unsigned char b = static_cast<unsigned char>(word[0]);
    bool upper = false;
    bool lower = false;
    if (b < 0x80) {
      upper = b >= 'A' && b <= 'Z';
      lower = b >= 'a' && b <= 'z';
    } else if ((b == 0xD0 || b == 0xD1) && t.end - t.begin >= 2) {
      // Basic Cyrillic without a table lookup: U+0400-U+042F upper, U+0430-U+045F lower case.
      const uint32_t c = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(word[1]) & 0x3Fu);
      upper = c >= 0x400 && c <= 0x42F;
      lower = c >= 0x430 && c <= 0x45F;
    } else {
      const UChar32 c = FirstCodePoint(word);
      upper = u_isupper(c) || u_istitle(c);
      lower = u_islower(c);
    }
    if (upper) {
      // An initial (one letter) or an upper-case word (an acronym, a shouted heading) is no
      // word of a name here: acronyms are the gazetteer's, and a run of them says nothing.
      const bool initial = b < 0x80
                               ? t.end - t.begin == 1
                               : U8_LENGTH(FirstCodePoint(word)) == static_cast<int>(word.size());
      kind[i] = initial || AllUpper(word) ? Kind::kUpper : Kind::kCap;
      caps += kind[i] == Kind::kCap ? 1 : 0;
      if (kind[i] == Kind::kUpper && !initial) s.acronyms.push_back(i);
    } else if (lower) {
      kind[i] = Kind::kLower;  // particles are told apart only where one may stand
      // An elided acronym (l'ANSSI) starts in lower case: its bare form (after the
      // apostrophe) is a part of the folded form, not its start.
      if (t.script == USCRIPT_LATIN && t.bare_size > 0 && t.bare_offset > t.folded_offset) {
        s.acronyms.push_back(i);
      }
    }
    if (t.field == core::Field::kTitle && t.folded_size >= 4) {
      ++title_words;
      title_caps += upper ? 1 : 0;
    }
  }
  if (caps < kMinNameWords) return;
  // A Title Case headline: most of its words capitalised.
  const bool title_case = title_words >= 3 && title_caps * 5 >= title_words * 3;
  auto german_title = [&](size_t k) {
    const std::string_view w = word_of(tokens[k]);
    for (const std::string& end : german_title_ends_) {
      if (EndsWith(w, end)) return true;
    }
    return false;
  };
  if (german) {
    // No title (a capitalised word that no gazetteer mention covers) with a capitalised word
    // after it and a capitalised word or a particle after that: no German name, and no further
    // pass. The shape first: German capitalises every noun, and with the suffix test on every
    // candidate NameFinder::Find cost 48.1 K instructions per German article (callgrind, the 6
    // German articles of dev batch 1), 10.2 K with this check.
    auto free_cap = [&](size_t k) {
      return kind[k] == Kind::kCap && !(k < covered.size() && covered[k] != 0) &&
             !(title_case && tokens[k].field == core::Field::kTitle);
    };
    bool any_title = false;
    for (size_t i = 0; i + 2 < n && !any_title; ++i) {
      any_title = free_cap(i) && free_cap(i + 1) &&
                  (kind[i + 2] == Kind::kCap ||
                   (kind[i + 2] == Kind::kLower && tokens[i + 2].folded_size <= 5 &&
                    IsParticle(folded_of(tokens[i + 2])))) &&
                  german_title(i);
    }
    if (!any_title) return;
  }

  // Pass 2: the capitalised words that may be part of a name (another capitalised word next to
  // them, or after up to kMaxParticles lower-case words), with the hashes of their forms.
  auto& eligible = s.eligible;
  eligible.assign(n, 0);
  auto& word_hash = s.word_hash;
  auto& stem_hash = s.stem_hash;
  word_hash.resize(n);
  stem_hash.resize(n);
  auto cap_within = [&](size_t i, int step) {  // a kCap word within 1 + kMaxParticles tokens
    for (size_t k = 1; k <= 1 + kMaxParticles; ++k) {
      if (step < 0 ? i < k : i + k >= n) return false;
      const Kind other = kind[step < 0 ? i - k : i + k];
      if (other == Kind::kCap) return true;
      if (other != Kind::kLower) return false;
    }
    return false;
  };
  // A filter over (size, first byte) of the candidates' forms, so that only the lower-case
  // words that may equal one are hashed.
  uint64_t filter[4] = {0, 0, 0, 0};
  auto filter_bit = [](std::string_view form) -> size_t {
    return form.empty() ? 0 : (form.size() * 31 + static_cast<unsigned char>(form[0])) & 255;
  };
  size_t candidates = 0;
  for (size_t i = 0; i < n; ++i) {
    if (kind[i] != Kind::kCap || (i < covered.size() && covered[i] != 0)) continue;
    if (title_case && tokens[i].field == core::Field::kTitle) continue;
    if (!cap_within(i, -1) && !cap_within(i, 1)) continue;
    const core::Token& t = tokens[i];
    const std::string_view word = word_of(t);
    word_hash[i] = word_hash_of(i, word);
    const size_t wb = filter_bit(word);
    filter[wb / 64] |= uint64_t{1} << (wb % 64);
    stem_hash[i] = 0;
    if (t.stem_size > 0) {
      const std::string_view stem = form_at(t.stem_offset, t.stem_size);
      stem_hash[i] = stem_hash_of(i, stem);
      const size_t sb = filter_bit(stem);
      filter[sb / 64] |= uint64_t{1} << (sb % 64);
    }
    eligible[i] = 1;
    ++candidates;
  }
  // German: the title rule only (no acronym definitions, which are measured for the other
  // languages).
  if (german) s.acronyms.clear();
  // Fewer than two candidates make no span; an acronym definition may still be found.
  if (candidates < kMinNameWords && s.acronyms.empty()) return;

  // Pass 3: the lower-case words (and their stems) that may equal a candidate's form.
  auto& lower = s.lower_hashes;
  lower.clear();
  auto maybe = [&](std::string_view form) {
    const size_t bit = filter_bit(form);
    return ((filter[bit / 64] >> (bit % 64)) & 1) != 0;
  };
  for (size_t i = 0; i < n; ++i) {
    if (kind[i] != Kind::kLower) continue;
    const core::Token& t = tokens[i];
    if (const std::string_view word = word_of(t); maybe(word)) {
      lower.push_back(word_hash_of(i, word));
    }
    if (t.stem_size > 0) {
      if (const std::string_view stem = form_at(t.stem_offset, t.stem_size); maybe(stem)) {
        lower.push_back(stem_hash_of(i, stem));
      }
    }
  }
  std::sort(lower.begin(), lower.end());
  // The language's word list, else English's (`fallback`), else none.
  static const std::vector<uint64_t> kNoWords;
  auto words_for = [&](const std::unordered_map<std::string, std::vector<uint64_t>>& lists,
                       bool fallback) -> const std::vector<uint64_t>* {
    if (auto it = lists.find(doc.language.code); it != lists.end()) return &it->second;
    return fallback ? &lists.at("en") : &kNoWords;
  };
  const std::vector<uint64_t>* calendar = words_for(calendar_words_, true);
  const std::vector<uint64_t>* titles = words_for(title_words_, true);
  const std::vector<uint64_t>* heads = words_for(head_nouns_, false);
  const Connectors* connectors = nullptr;
  for (const Connectors& c : kConnectors) {
    if (c.language == doc.language.code) connectors = &c;
  }
  auto in = [](const std::vector<uint64_t>& v, uint64_t h) {
    return std::binary_search(v.begin(), v.end(), h);
  };
  for (size_t i = 0; i < n; ++i) {
    if (!eligible[i]) continue;
    // A word the text also writes in lower case, in any inflection, or a month or day name.
    if (in(lower, word_hash[i]) || in(*calendar, word_hash[i]) ||
        (stem_hash[i] != 0 && in(lower, stem_hash[i]))) {
      eligible[i] = 0;
    }
  }

  auto same_part = [&](size_t a, size_t b) {
    return (tokens[a].field == core::Field::kTitle) == (tokens[b].field == core::Field::kTitle);
  };
  auto gap = [&](size_t a, size_t b) -> std::string_view {  // text between tokens a < b
    const std::string_view text = OriginalText(doc, tokens[a].field);
    if (tokens[a].end > tokens[b].begin || tokens[b].begin > text.size()) return {};
    return text.substr(tokens[a].end, tokens[b].begin - tokens[a].end);
  };
  auto joined = [&](size_t a, size_t b) { return same_part(a, b) && JoinsName(gap(a, b)); };
  auto sentence_initial = [&](size_t i) {
    if (i == 0 || !same_part(i - 1, i)) return true;
    const std::string_view g = gap(i - 1, i);
    return g.data() == nullptr || EndsSentence(g);
  };
  auto is_covered = [&](size_t i) { return i < covered.size() && covered[i] != 0; };
  auto is_particle = [&](size_t i) {
    return kind[i] == Kind::kLower && tokens[i].folded_size <= 5 &&
           IsParticle(folded_of(tokens[i]));
  };

  const bool cyrillic_ok = doc.language.code == "ru" || doc.language.code == "uk";
  for (auto& p : s.pending) p.spans.clear();
  size_t pending = 0;

  // Pass 3b: acronyms defined in parentheses (AcronymInitials). Their long forms are no spans.
  auto elided = [&](const core::Token& t) {
    return t.script == USCRIPT_LATIN && t.bare_size > 0 && t.bare_offset > t.folded_offset;
  };
  // The initial of a word as an acronym has it: after an elided article (d'informatique: i).
  auto initial_of = [&](size_t k) -> char {
    const std::string_view w = elided(tokens[k]) ? doc.TokenForm(tokens[k].bare_offset, 1)
                                                 : folded_of(tokens[k]).substr(0, 1);
    return w.empty() ? '\0' : w[0];
  };
  // The acronym of token k (its folded letters, l'ANSSI: anssi), or empty when k is none: a
  // Latin word of 2-10 letters or digits, written in capitals, with 2 or more letters.
  auto acronym_of = [&](size_t k) -> std::string_view {
    const core::Token& t = tokens[k];
    // Cheap tests first: this runs for every word.
    if (kind[k] != Kind::kUpper && (kind[k] != Kind::kLower || !elided(t))) return {};
    if (t.script != USCRIPT_LATIN || is_covered(k)) return {};
    std::string_view word = written_of(k);
    std::string_view folded = folded_of(t);
    if (elided(t)) {
      folded = doc.TokenForm(t.bare_offset, t.bare_size);
      if (word.size() < folded.size()) return {};
      word = word.substr(word.size() - folded.size());
    } else if (kind[k] != Kind::kUpper) {
      return {};
    }
    if (folded.size() < 2 || folded.size() > 10 || !AllUpper(word)) return {};
    size_t letters = 0;
    for (char c : folded) {
      if (c >= 'a' && c <= 'z') {
        ++letters;
      } else if (c < '0' || c > '9') {
        return {};
      }
    }
    return letters >= 2 ? folded : std::string_view{};
  };
  // Tokens [a, b) of one field joined like a name or by an elision (d'informatique).
  auto long_form_gap = [&](size_t a, size_t b) { return same_part(a, b) && JoinsName(gap(a, b)); };
  for (const size_t i : s.acronyms) {
    const std::string_view acronym = acronym_of(i);
    if (acronym.empty()) continue;
    const size_t letters = acronym.size();
    const size_t max_words = 2 * letters + 3;
    size_t lf_begin = 0;
    size_t lf_end = 0;
    bool acronym_first = false;
    const std::string_view before =
        i > 0 && same_part(i - 1, i) ? gap(i - 1, i) : std::string_view{};
    const std::string_view after =
        i + 1 < n && same_part(i, i + 1) ? gap(i, i + 1) : std::string_view{};
    if (EndsWith(before, "(") && !after.empty() && after.front() == ')') {
      // Free Application for Federal Student Aid (FAFSA): the nearest start that matches.
      size_t first = i - 1;
      while (first > 0 && i - first < max_words && long_form_gap(first - 1, first)) --first;
      for (size_t b = i; b-- > first;) {
        if (kind[b] != Kind::kCap || initial_of(b) != acronym[0]) continue;
        if (AcronymInitials(acronym, b, i, kind, tokens, initial_of)) {
          lf_begin = b;
          lf_end = i;
          break;
        }
      }
    } else if (!after.empty() && (after == "(" || after == " (") && i + 1 < n) {
      // CNIL (Commission nationale d'informatique et des libertés), up to the ')'.
      size_t b = i + 1;
      while (b < n && kind[b] == Kind::kLower && !elided(tokens[b])) ++b;  // (the ...)
      size_t e = b + 1;
      while (e < n && e - b < max_words && long_form_gap(e - 1, e)) ++e;
      const std::string_view close =
          e < n && same_part(e - 1, e) ? gap(e - 1, e) : std::string_view{};
      if (b < n && (e == n || (!close.empty() && close.front() == ')')) &&
          AcronymInitials(acronym, b, e, kind, tokens, initial_of)) {
        lf_begin = b;
        lf_end = e;
        acronym_first = true;
      }
    }
    if (lf_end == 0) continue;
    // A long form the gazetteer knows (Islamic State (IS)) is no new name; a two-letter acronym
    // needs a long form in capitals (artificial intelligence (AI) is a common noun).
    bool all_covered = true;
    bool all_capital = true;
    for (size_t k = lf_begin; k < lf_end; ++k) {
      all_covered = all_covered && is_covered(k);
      all_capital = all_capital && (kind[k] == Kind::kCap || kind[k] == Kind::kUpper ||
                                    tokens[k].folded_size <= 4);
    }
    if (all_covered || (letters == 2 && !all_capital)) continue;
    // A long form ending in an institution's head noun keeps a capitalised gazetteer mention
    // right before it, as a span does (Iraqi Counter-Terrorism Service (CTS): the country's
    // adjective names whose service it is); the initials are those of the words after it.
    size_t name_begin = lf_begin;
    if (tokens[lf_begin].script == USCRIPT_LATIN &&
        in(*heads, Matcher::Hash(word_of(tokens[lf_end - 1])))) {
      size_t k = lf_begin;
      while (k > 0 && lf_begin - k < 3 && is_covered(k - 1) &&
             (kind[k - 1] == Kind::kCap || kind[k - 1] == Kind::kUpper) &&
             tokens[k - 1].script == USCRIPT_LATIN && joined(k - 1, k)) {
        --k;
      }
      if (k < lf_begin && !(k > 0 && is_covered(k - 1) && joined(k - 1, k))) name_begin = k;
    }
    // The name is the form the text uses more often (ties: the one written first).
    const std::string_view text = OriginalText(doc, tokens[lf_begin].field);
    const std::string_view long_form =
        text.substr(tokens[name_begin].begin, tokens[lf_end - 1].end - tokens[name_begin].begin);
    size_t acronym_count = 0;
    for (const size_t k : s.acronyms) {
      if (acronym_of(k) == acronym) {
        ++acronym_count;
      }
    }
    size_t long_count = 0;
    for (const std::string_view field : {title_text, body_text}) {
      for (size_t pos = field.find(long_form); pos != std::string_view::npos;
           pos = field.find(long_form, pos + long_form.size())) {
        ++long_count;
      }
    }
    const bool use_acronym =
        acronym_count > long_count || (acronym_count == long_count && acronym_first);
    s.name.clear();
    if (use_acronym) {
      const std::string_view word = written_of(i);
      s.name.assign(word.substr(word.size() - acronym.size()));
    } else {
      s.name.assign(long_form);
    }
    s.id.assign("name/");
    AppendSlug(use_acronym ? acronym : std::string_view(s.name), &s.id);
    Pending* p = nullptr;
    for (size_t k = 0; k < pending; ++k) {
      if (s.pending[k].id == s.id) p = &s.pending[k];
    }
    if (p != nullptr) continue;  // defined twice
    if (pending == s.pending.size()) s.pending.emplace_back();
    p = &s.pending[pending++];
    p->id = s.id;
    p->name = s.name;
    p->spans.emplace_back(static_cast<uint32_t>(name_begin), static_cast<uint32_t>(lf_end));
    for (const size_t k : s.acronyms) {
      if (acronym_of(k) == acronym) {
        p->spans.emplace_back(static_cast<uint32_t>(k), static_cast<uint32_t>(k + 1));
      }
    }
    std::sort(p->spans.begin(), p->spans.end());
    for (size_t k = lf_begin; k < lf_end; ++k) eligible[k] = 0;
  }

  // Pass 4: runs of eligible words (with particles between them), then the span rules.
  for (size_t i = 0; i < n;) {
    if (!eligible[i]) {
      ++i;
      continue;
    }
    const uint8_t script = tokens[i].script;
    size_t end = i + 1;  // [i, end)
    while (end < n && !suffixed(tokens[end - 1])) {
      if (eligible[end] && tokens[end].script == script && joined(end - 1, end)) {
        // Two names of two or more words joined by a hyphen are two names (a ticket, a
        // pairing: Mauricio Macri-Gabriela Michetti); a hyphen inside a given name or a
        // double surname has one word on a side (Jean-Marie Le Pen, Ana Pérez-García).
        if (end >= i + 2 && end + 1 < n && IsHyphen(gap(end - 1, end)) &&
            gap(end - 2, end - 1) == " " && eligible[end + 1] && same_part(end, end + 1) &&
            gap(end, end + 1) == " ") {
          break;
        }
        ++end;
        continue;
      }
      // Particles between two name words: de la, von der, al-.
      size_t k = end;
      while (k < n && k - end < kMaxParticles && is_particle(k) && joined(k - 1, k)) {
        ++k;
      }
      if (k > end && k < n && eligible[k] && tokens[k].script == script && joined(k - 1, k)) {
        end = k + 1;
        continue;
      }
      break;
    }
    // An institution's name goes on after its head noun with "of"/"for" (+ "the") and
    // capitalised words, up to kMaxConnectorHops times (Council of Europe, Office for the
    // Coordination of Humanitarian Affairs, Court of Arbitration for Sport): the words after
    // the connector need not be eligible (a gazetteer mention, a word also written in lower
    // case: they are capitalised as part of the name).
    size_t connector_words = 0;
    const size_t head_end = end;  // the run up to its head noun
    // Cheap tests first (this runs for every run): a preposition next, then the head noun.
    auto preposition = [&](size_t k) {
      return kind[k] == Kind::kLower && (folded_of(tokens[k]) == connectors->prepositions[0] ||
                                         folded_of(tokens[k]) == connectors->prepositions[1]);
    };
    if (script == USCRIPT_LATIN && connectors != nullptr && end + 1 < n && preposition(end) &&
        in(*heads, word_hash[end - 1])) {
      for (size_t hop = 0; hop < kMaxConnectorHops && end + 1 < n && !suffixed(tokens[end - 1]);
           ++hop) {
        size_t k = end;
        if (!preposition(k) || !joined(k - 1, k)) break;
        ++k;
        if (k < n && kind[k] == Kind::kLower && joined(k - 1, k) &&
            folded_of(tokens[k]) == connectors->article) {
          ++k;  // of the
        }
        size_t e = k;
        while (e < n && e - k < 3 && (kind[e] == Kind::kCap || kind[e] == Kind::kUpper) &&
               tokens[e].script == script && joined(e - 1, e) && !suffixed(tokens[e - 1])) {
          ++e;
        }
        if (e == k || (e < n && kind[e] == Kind::kCap && joined(e - 1, e))) break;
        connector_words += e - k;
        end = e;
      }
      // A name that goes on with "and" + a capital (Organization for Security and Cooperation
      // in Europe) has an end these rules cannot find: the head noun's run stays as it was.
      if (connector_words > 0 && end + 1 < n && kind[end] == Kind::kLower &&
          folded_of(tokens[end]) == connectors->conjunction && joined(end - 1, end) &&
          kind[end + 1] == Kind::kCap && joined(end, end + 1)) {
        end = head_end;
        connector_words = 0;
      }
    }
    const size_t run_begin = i;
    const size_t run_end = end;
    i = end;
    size_t b = run_begin;
    // A sentence-initial word says nothing by its capital, unless the language's dictionary
    // knows it only as a proper noun (Kyle Korver, Nigel Fisher). German: the title may start
    // the sentence.
    if (!german && sentence_initial(b) && !ProperNoun(doc.language.code, written_of(b))) {
      ++b;
      while (b < run_end && kind[b] == Kind::kLower) ++b;
    }
    // A title before the name (Health Minister Ryan Park): the name starts after its last word.
    bool titled = false;
    for (size_t k = run_end; k-- > b;) {
      if (kind[k] == Kind::kCap && (german ? german_title(k) : in(*titles, word_hash[k]))) {
        b = k + 1;
        while (b < run_end && kind[b] == Kind::kLower) ++b;
        titled = true;
        break;
      }
    }
    if (german && !titled) continue;
    auto capital = [&](size_t k) { return kind[k] == Kind::kCap || kind[k] == Kind::kUpper; };
    // An institution named after a gazetteer mention right before it (FIFA Disciplinary
    // Committee): the mention's words (up to 3, the whole mention) start the name.
    size_t owner = b;
    if (script == USCRIPT_LATIN && !titled && b == run_begin &&
        in(*heads, word_hash[head_end - 1])) {
      size_t k = b;
      while (k > 0 && b - k < 3 && is_covered(k - 1) && capital(k - 1) &&
             tokens[k - 1].script == USCRIPT_LATIN && joined(k - 1, k)) {
        --k;
      }
      if (k < b && !(k > 0 && is_covered(k - 1) && joined(k - 1, k))) owner = k;
    }
    size_t words = owner < b ? 1 : 0;
    bool all_upper = owner == b;
    for (size_t k = b; k < run_end; ++k) {
      if (kind[k] != Kind::kCap) continue;
      ++words;
      all_upper = all_upper && AllUpper(written_of(k));
    }
    if (words < kMinNameWords || words > kMaxNameWords + connector_words || all_upper) continue;
    // Right before a gazetteer mention: a title before a known name ("Prime Minister" +
    // Narendra Modi) or the start of a longer name around it. Right after one, in Latin script:
    // a title after a qualifier ("Moscow" + "Mayor Sergei Sobyanin") or the rest of a longer
    // name. Cyrillic text does not capitalise titles, so "мэр Москвы" + "Сергей Собянин" is
    // the qualifier and the name.
    if (run_end < n && is_covered(run_end) && capital(run_end) && joined(run_end - 1, run_end)) {
      continue;
    }
    if (script == USCRIPT_LATIN && !titled && owner == b && run_begin > 0 &&
        is_covered(run_begin - 1) && capital(run_begin - 1) && joined(run_begin - 1, run_begin)) {
      continue;
    }
    b = owner;

    s.id.assign("name/");
    s.name.clear();
    const std::string_view text = OriginalText(doc, tokens[b].field);
    std::string_view surface =
        text.substr(tokens[b].begin, tokens[run_end - 1].end - tokens[b].begin);
    if (suffixed(tokens[run_end - 1])) {
      // Up to the apostrophe: the name without its case or possessive suffix.
      const core::Token& last = tokens[run_end - 1];
      const std::string_view word = text.substr(last.begin, last.end - last.begin);
      size_t apostrophe = std::string_view::npos;
      for (std::string_view a : {"'", "\u2019", "\u02BC", "`"}) {
        apostrophe = std::min(apostrophe, word.find(a));
      }
      if (apostrophe != std::string_view::npos) {
        surface = surface.substr(0, last.begin - tokens[b].begin + apostrophe);
      }
    }
    if (script == USCRIPT_CYRILLIC) {
      if (!cyrillic_ok) continue;
      s.words.clear();
      for (size_t k = b; k < run_end; ++k) s.words.push_back(folded_of(tokens[k]));
      std::string_view nominative = surface;
      if (!CyrillicNominative(s.words)) {
        // An oblique "given name + surname" whose nominative the dictionary confirms.
        if (run_end - b != 2 || !CyrillicNominativeOf(doc.language.code, written_of(b),
                                                      written_of(b + 1), &s.nominative)) {
          continue;
        }
        nominative = s.nominative;
      }
      const icu::Transliterator* t = ThreadTransliterator(doc.language.code == "uk");
      if (t == nullptr) continue;
      icu::UnicodeString u = icu::UnicodeString::fromUTF8(nominative);
      t->transliterate(u);
      u.toUTF8String(s.name);
      AppendSlug(s.name, &s.id);
    } else {
      s.name.assign(surface);
      for (size_t k = b; k < run_end; ++k) {
        if (k > b) s.id.push_back('-');
        AppendSlug(word_of(tokens[k]), &s.id);
      }
    }
    // A no-break space inside a name is a space.
    for (size_t pos = 0; (pos = s.name.find("\u00A0", pos)) != std::string::npos;) {
      s.name.replace(pos, 2, " ");
    }
    Pending* p = nullptr;
    for (size_t k = 0; k < pending; ++k) {
      if (s.pending[k].id == s.id) p = &s.pending[k];
    }
    if (p == nullptr) {
      if (pending == s.pending.size()) s.pending.emplace_back();
      p = &s.pending[pending++];
      p->id = s.id;
      p->name = s.name;
    }
    p->spans.emplace_back(static_cast<uint32_t>(b), static_cast<uint32_t>(run_end));
  }

  const size_t first_name = doc.entities.size();
  for (size_t k = 0; k < pending; ++k) {
    const Pending& p = s.pending[k];
    core::EntityResult r;
    r.id = p.id;
    r.name = p.name;
    r.type = std::string(kNameEntityType);
    bool in_title = false;
    uint32_t first = p.spans.front().first;
    for (const auto& [begin, end] : p.spans) {
      in_title = in_title || tokens[begin].field == core::Field::kTitle;
      first = std::min(first, begin);
      if (static_cast<int64_t>(r.mentions.size()) < max_mentions) {
        r.mentions.push_back(MatchForTokens(doc, begin, end));
      }
    }
    r.salience = EntitySalience(in_title, p.spans.size(), first, n);
    doc.entities.push_back(std::move(r));
  }
  std::stable_sort(doc.entities.begin() + static_cast<std::ptrdiff_t>(first_name),
                   doc.entities.end(), [](const auto& a, const auto& b) {
                     return a.salience != b.salience ? a.salience > b.salience : a.name < b.name;
                   });
}

}  // namespace newsflow::tag
