// Unlinked name mentions: proper-name spans of the article that no gazetteer entity covers.
//
// The gazetteer (config/taxonomy) lists a few thousand entities; articles name many more people,
// companies, clubs and institutions ("Trevor Booker", "Procter & Gamble", "Сергей Собянин").
// NameFinder finds such spans with general rules of written language and lists each as an
// entity of type "name" (kNameEntityType), id "name/<slug>", with its mentions:
//
//   what is a name   2..4 capitalised words (first letter upper- or title-case, ICU
//                    u_isupper/u_istitle) of one script, Latin or Cyrillic, in a row, joined only
//                    by a space, a no-break space, a hyphen or " & "; between two of them the
//                    lower-case name particles de, del, della, der, den, di, da, das, do, dos,
//                    du, van, von, ter, la, le, bin, ibn, al, el may stand (Juan de la Cruz,
//                    Ursula von der Leyen, Waleed al-Samarra'i).
//   what is not      * a word that starts a sentence (first of its field, or after a line break
//                      or a sentence terminal, ICU UCHAR_S_TERM): its capital says nothing,
//                      unless the language's Hunspell dictionary lists the word only with a
//                      capital (a proper noun: Nigel, Daniel; names_proper_nouns.inc, generated
//                      by ops/gazetteer/proper_nouns.py);
//                    * a title before the name (kTitleWords in names.cc, hand-written per
//                      language): the name is the words after the span's last title word
//                      (Health Minister Ryan Park -> Ryan Park; Mr Minns -> nothing);
//                    * a word that the same text also writes in lower case ("Talks" when
//                      "talks" occurs too): a common word at a sentence start or in a heading;
//                    * a month or day name of the article's language (ICU DateFormatSymbols:
//                      wide and abbreviated, format and stand-alone forms);
//                    * a word of a gazetteer mention; and a span right before or after one
//                      (a title before a known name, "Prime Minister" + Narendra Modi, or a
//                      longer name around one): the surface cannot tell which. Except: after
//                      a title (the title is then the neighbour), and a span ending in an
//                      institution's head noun (kHeadNouns: committee, command ...) takes the
//                      mention before it as its first words (FIFA Disciplinary Committee);
//                    * a span of upper-case words only (acronym lists, shouted headlines);
//                    * the title when it is in Title Case (most of its words capitalised, as
//                      English headlines are): its capitals mark the style, not names;
//                    * a single word, and a run of 5 or more capitalised words (headings, titles
//                      of works).
//   hyphen           two names of two or more words each joined by a hyphen are two names
//                    (Mauricio Macri-Gabriela Michetti); one word on a side is one name
//                    (Jean-Marie Le Pen, Ana Pérez-García).
//   of / for         English institutions go on after their head noun (kHeadNouns) with "of"
//                    or "for" (+ "the") and 1-3 capitalised words, at most twice; those words
//                    may be gazetteer mentions or words also written in lower case (Council of
//                    Europe, Office for the Coordination of Humanitarian Affairs); one more
//                    word per word so added. A name that goes on with "and" + a capital
//                    (Organization for Security and Cooperation in Europe) keeps only its run
//                    up to the head noun (kConnectors in names.cc).
//   Cyrillic         only for Russian and Ukrainian articles; the name is the span's BGN/PCGN
//                    romanisation (ICU transliterators Russian-Latin/BGN and
//                    Ukrainian-Latin/BGN, with the soft/hard sign marks and diacritics dropped:
//                    Сергей Собянин -> Sergey Sobyanin, Олексій Данілов -> Oleksiy Danilov), the
//                    standard English spelling of most such names. Names inflect: Сергея
//                    Собянина (genitive) would romanise to another name. So a Cyrillic span is
//                    kept only in a nominative form (the case-ending rule): every word ends in
//                    a consonant, й or ь, and not in an instrumental ending (-ом -ём -єм -ым
//                    -ой); or, a woman's name with an undeclined surname, the first word ends
//                    in -а/-я and the last in such a consonant (Мария Костюк, Ірина Верещук).
//                    A two-word span in an oblique case is put into the nominative when its
//                    first word's ending gives a given name that the language's Hunspell
//                    dictionary lists as a proper noun (Сергея -> Сергей, Борису -> Борис,
//                    Ирине -> Ирина: case and gender), and the surname has that case's ending
//                    (Собянина -> Собянин, Захаровой -> Захарова) or does not decline
//                    (Синченко; a woman's Верещук); otherwise it is not listed.
//   German           German capitalises every noun, so a capital is no evidence there: a German
//                    span is a name only after a title, a capitalised word ending in a title
//                    (kGermanTitleEnds in names.cc: Bundesdigitalminister Volker Wissing,
//                    Regierungschef, Außenministerin), which may start the sentence; no
//                    acronym definitions. An article without such a title word among the
//                    candidates, followed by a capitalised word and a capitalised word or a
//                    particle, stops after pass 1.
//   Latin            the name is the span's text as written (spaces normalised).
//   acronyms         an acronym defined in parentheses, before or after its long form, whose
//                    word initials spell it (FAFSA, CNIL, SWIFT; AcronymInitials in names.cc):
//                    one name with both forms and the acronym's other occurrences as mentions,
//                    spelled as the text uses more often. Not when the gazetteer covers the
//                    long form, nor for a two-letter acronym of a lower-case long form. A long
//                    form ending in a head noun keeps the capitalised gazetteer mention right
//                    before it (Iraqi Counter-Terrorism Service (CTS)).
//
// The same name mentioned twice is one entity with two mentions. Salience is the gazetteer
// entities' formula (tag_stage.h). Name entities are listed after the gazetteer's entities.
//
// They are not taxonomy entities: they add no PatternHit, so topic scores never see them (the
// score stage reads hits), and the story stage leaves them out of the story signature (it
// skips entities of type kNameEntityType). Alert rules can name them by id like any entity.
//
// Cost: one pass over the tokens reading the first code point of each Latin/Cyrillic token;
// then hashes of the candidate words only (capitalised words with another one nearby) and of
// the lower-case words that pass a filter over the candidates' (size, first byte). No
// allocation per token once the per-thread buffers have grown; a name costs its strings and,
// in Cyrillic, one transliteration. Measured: 24.4 K instructions per article on the dev
// corpus (release, five stages; 21.6 K before the titles, acronyms, proper nouns and head
// nouns; processors/tag/README.md).
//
// Thread-safety: immutable after construction; Find() keeps per-thread buffers and a
// transliterator per thread (ICU transliterators are not thread-safe), built on the thread's
// first Cyrillic name (the first one in the process ~12 ms: ICU's transliterator registry and the
// rules; later ones ~0.3 ms each). Create() only looks their IDs up in ICU's data (~0.1 ms), so a
// missing transliterator is still a configuration error and start-up does not pay for them
// (bench/README.md, start-up).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "processors/core/document.h"
#include "schemas/result.h"

namespace newsflow::tag {

using core::kNameEntityType;  // "name"

class NameFinder {
 public:
  // Fails when ICU's data lacks the BGN transliterators or the date symbols.
  static Result<std::shared_ptr<const NameFinder>> Create();

  // Appends to doc.entities one entity per unlinked name of `doc` (tokens, original texts,
  // language). `covered[i]` != 0 marks token i as part of a gazetteer mention. At most
  // `max_mentions` mentions are listed per name.
  void Find(core::Document& doc, std::span<const uint8_t> covered, int64_t max_mentions) const;

 private:
  NameFinder() = default;
  // Language (ISO 639-1) -> sorted hashes (Matcher::Hash) of the folded month and day names.
  std::unordered_map<std::string, std::vector<uint64_t>> calendar_words_;
  // Language -> sorted hashes of the folded title words (names.cc, kTitleWords).
  std::unordered_map<std::string, std::vector<uint64_t>> title_words_;
  // Language -> sorted hashes of the folded head nouns of institutions (names.cc, kHeadNouns).
  std::unordered_map<std::string, std::vector<uint64_t>> head_nouns_;
  // The folded ends of German titles (names.cc, kGermanTitleEnds).
  std::vector<std::string> german_title_ends_;
};

}  // namespace newsflow::tag
