// Unlinked name mentions (processors/tag/names.h) through the real decode, normalize, tag and
// score stages: what is a name, what is not (each filter on a real form), Cyrillic names put
// into the nominative, the configuration, and that topic scores do not change.
#include "processors/tag/names.h"

#include <gtest/gtest.h>

#include "processors/tag/tag_stage.h"
#include "tests/unit/tag/tag_fixture.h"

namespace newsflow::tag {
namespace {

constexpr const char* kEntities =
    "entities:\n"
    "  - {id: person/narendra-modi, type: person, name: Narendra Modi,\n"
    "     aliases: {en: [Narendra Modi]}}\n"
    "  - {id: city/moscow, type: city, name: Moscow, aliases: {en: [Moscow], ru: [Москвы]}}\n"
    "  - {id: org/fifa, type: sports_org, name: FIFA, aliases: {en: [FIFA]}}\n"
    "  - {id: country/iraq, type: country, name: Iraq, aliases: {en: [Iraq, Iraqi]}}\n";
constexpr const char* kTopics =
    "topic: {id: t, groups: {g: {en: [talks], ru: [переговоры]}}, rules: [{name: r, any: "
    "[g]}]}\n";

std::shared_ptr<const Taxonomy> Tax() {
  auto tax = CompileInline(kEntities, kTopics);
  EXPECT_TRUE(tax.ok()) << tax.status().ToString();
  return *tax;
}

// The unlinked names of an article: name -> (id, mention texts).
struct Name {
  std::string id;
  std::vector<std::string> mentions;
  bool operator==(const Name&) const = default;
};
std::map<std::string, Name> Names(const core::Document& doc) {
  std::map<std::string, Name> out;
  for (const auto& e : doc.entities) {
    if (e.type != kNameEntityType) continue;
    Name& n = out[e.name];
    n.id = e.id;
    for (const auto& m : e.mentions) n.mentions.push_back(m.text);
  }
  return out;
}

class NamesTest : public ::testing::Test {
 protected:
  TaggedPipeline pipeline_{Tax()};
};

TEST_F(NamesTest, CapitalisedWordsWithParticlesAndAmpersandAreOneName) {
  const auto& doc = pipeline_.Run(Article(
      "",
      "The forward Trevor Booker scored twice. Shares of Procter & Gamble fell, said the analyst "
      "Ursula von der Leyen, and the talks went on while Trevor Booker rested.",
      "en"));
  const auto names = Names(doc);
  EXPECT_EQ(names,
            (std::map<std::string, Name>{
                {"Procter & Gamble", {"name/procter-gamble", {"Procter & Gamble"}}},
                {"Trevor Booker", {"name/trevor-booker", {"Trevor Booker", "Trevor Booker"}}},
                {"Ursula von der Leyen", {"name/ursula-von-der-leyen", {"Ursula von der Leyen"}}},
            }));
  // Listed after the gazetteer's entities, with a salience in [0, 1] and byte offsets of the
  // mention into the original body.
  for (const auto& e : doc.entities) {
    if (e.type != kNameEntityType) continue;
    EXPECT_GT(e.salience, 0.0);
    EXPECT_LE(e.salience, 1.0);
    for (const auto& m : e.mentions) {
      EXPECT_EQ(doc.article.body.substr(m.begin, m.end - m.begin), m.text);
    }
  }
}

TEST_F(NamesTest, GeneralFiltersRejectNonNames) {
  // Sentence-initial word + one more word: one word left, no name ("Yesterday Booker").
  // A word the text also writes in lower case ("Talks"/"talks"), month and day names (ICU),
  // upper-case acronyms, a single capitalised word, and a title right before a gazetteer name
  // ("Prime Minister" + Narendra Modi) are no names either.
  const auto& doc = pipeline_.Run(Article(
      "",
      "Yesterday Booker played. The Peace Talks began after talks failed. It happened on Monday "
      "March 3. The NATO EU meeting ended. Prime Minister Narendra Modi spoke to Smith.",
      "en"));
  EXPECT_TRUE(Names(doc).empty()) << doc.entities.back().name;
  bool modi = false;
  for (const auto& e : doc.entities) modi = modi || e.id == "person/narendra-modi";
  EXPECT_TRUE(modi);
}

TEST_F(NamesTest, TitleCaseHeadlinesAreSkippedButBodyNamesKept) {
  const auto& doc = pipeline_.Run(Article(
      "Six Clubs Face Bans From Registering Players",
      "The committee said the coach Salman Mohamed met the players before the talks.", "en"));
  EXPECT_EQ(Names(doc), (std::map<std::string, Name>{
                            {"Salman Mohamed", {"name/salman-mohamed", {"Salman Mohamed"}}}}));
}

TEST_F(NamesTest, TurkishSuffixAfterAnApostropheEndsTheName) {
  const auto& doc = pipeline_.Run(Article(
      "", "Açıklamayı dün akşam Kaan Kançal'ın ofisi yaptı ve toplantıya Yusuf Günay da katıldı.",
      "tr"));
  const auto names = Names(doc);
  ASSERT_TRUE(names.contains("Kaan Kançal")) << names.size();
  EXPECT_EQ(names.at("Kaan Kançal").id, "name/kaan-kancal");
  EXPECT_EQ(names.at("Kaan Kançal").mentions, std::vector<std::string>{"Kaan Kançal'ın"});
  ASSERT_TRUE(names.contains("Yusuf Günay"));
  EXPECT_EQ(names.at("Yusuf Günay").id, "name/yusuf-gunay");
}

TEST_F(NamesTest, CyrillicNamesAreRomanisedInTheNominative) {
  // Oblique forms of a given name + surname are put into the nominative when the given name's
  // nominative is a proper noun of the Hunspell dictionary (Сергея -> Сергей, Борису -> Борис,
  // Ирине -> Ирина), with the surname's ending of the same case (Собянина, Собяниным ->
  // Собянин; Синченко and a woman's Верещук do not decline). "Ради Міністрів" (рада is a common
  // word) stays no name.
  const auto& ru = pipeline_.Run(
      Article("",
              "Вчера мэр Москвы заявил о переговорах. Об этом сообщил Сергей Собянин, а затем "
              "выступила Мария Костюк. Позже слова Сергея Собянина повторили в мэрии, и с Сергеем "
              "Собяниным согласились. Письмо направили Борису Синченко и Ирине Верещук.",
              "ru"));
  EXPECT_EQ(
      Names(ru),
      (std::map<std::string, Name>{
          {"Boris Sinchenko", {"name/boris-sinchenko", {"Борису Синченко"}}},
          {"Irina Vereshchuk", {"name/irina-vereshchuk", {"Ирине Верещук"}}},
          {"Mariya Kostyuk", {"name/mariya-kostyuk", {"Мария Костюк"}}},
          {"Sergey Sobyanin",
           {"name/sergey-sobyanin", {"Сергей Собянин", "Сергея Собянина", "Сергеем Собяниным"}}},
      }));
  const auto& uk = pipeline_.Run(Article(
      "",
      "Про це заявив секретар ради Олексій Данілов, а пізніше про це сказала Ірина Верещук. "
      "Слова Олексія Данілова підтвердили в уряді. Засідання Ради Міністрів перенесли.",
      "uk"));
  EXPECT_EQ(
      Names(uk),
      (std::map<std::string, Name>{
          {"Iryna Vereshchuk", {"name/iryna-vereshchuk", {"Ірина Верещук"}}},
          {"Oleksiy Danilov", {"name/oleksiy-danilov", {"Олексій Данілов", "Олексія Данілова"}}},
      }));
}

TEST_F(NamesTest, TitlesBeforeANameAreLeftOut) {
  // A title (the lexicon's last word and the words before it) is not part of the name, a title
  // with one word after it is no name ("Mr Minns"), and a gazetteer mention before the title
  // ("Moscow") no longer blocks the name: the title stands between them.
  const auto& en = pipeline_.Run(Article(
      "",
      "Officials sought help, Health Minister Ryan Park said on the day. A demand Premier Chris "
      "Minns has rejected, and Mr Minns left. According to the officer Dr Tarun Gupta, drops "
      "began. In Moscow Lieutenant Colonel Bryan Hilferty spoke.",
      "en"));
  EXPECT_EQ(Names(en), (std::map<std::string, Name>{
                           {"Bryan Hilferty", {"name/bryan-hilferty", {"Bryan Hilferty"}}},
                           {"Chris Minns", {"name/chris-minns", {"Chris Minns"}}},
                           {"Ryan Park", {"name/ryan-park", {"Ryan Park"}}},
                           {"Tarun Gupta", {"name/tarun-gupta", {"Tarun Gupta"}}},
                       }));
  const auto& tr = pipeline_.Run(
      Article("", "Enflasyon tahmini açıklandı. TCMB Başkanı Fatih Karahan bunu söyledi.", "tr"));
  EXPECT_EQ(
      Names(tr),
      (std::map<std::string, Name>{{"Fatih Karahan", {"name/fatih-karahan", {"Fatih Karahan"}}}}));
}

TEST_F(NamesTest, AcronymsDefinedInParenthesesAreOneNameWithTheirLongForm) {
  // The acronym is the name when the text uses it more often (FAFSA) or, as often, writes it
  // first (CNIL, l'ANSSI); the long form when it is used as often and written first (ACE).
  const auto& en = pipeline_.Run(Article(
      "",
      "Delays in the Free Application for Federal Student Aid (FAFSA) process worry students. "
      "The FAFSA form changed. A recent American Council on Education (ACE) survey finds "
      "stress. Progress in artificial intelligence (AI) was shown in the report (PDF) too.",
      "en"));
  EXPECT_EQ(
      Names(en),
      (std::map<std::string, Name>{
          {"American Council on Education",
           {"name/american-council-on-education", {"American Council on Education", "ACE"}}},
          {"FAFSA", {"name/fafsa", {"Free Application for Federal Student Aid", "FAFSA", "FAFSA"}}},
      }));
  const auto& fr = pipeline_.Run(Article(
      "",
      "La direction a alerté la CNIL (Commission nationale d'informatique et des libertés) et "
      "l'ANSSI (l'Agence nationale de la sécurité des systèmes d'information) dès lundi.",
      "fr"));
  const auto names = Names(fr);
  ASSERT_TRUE(names.contains("CNIL")) << names.size();
  EXPECT_EQ(
      names.at("CNIL").mentions,
      (std::vector<std::string>{"CNIL", "Commission nationale d'informatique et des libertés"}));
  ASSERT_TRUE(names.contains("ANSSI"));
  EXPECT_EQ(names.at("ANSSI").id, "name/anssi");
  EXPECT_EQ(names.size(), 2u);
}

TEST_F(NamesTest, SentenceInitialProperNounsOfTheDictionaryStartNames) {
  // "Nigel" starts a sentence, but the English Hunspell dictionary lists it only with a capital;
  // "Yesterday" is a common word (yesterday), so "Yesterday Booker" stays no name.
  const auto& doc = pipeline_.Run(
      Article("",
              "Aid arrived on trucks. Nigel Fisher, the coordinator, said more would come. "
              "Yesterday Booker played.",
              "en"));
  EXPECT_EQ(
      Names(doc),
      (std::map<std::string, Name>{{"Nigel Fisher", {"name/nigel-fisher", {"Nigel Fisher"}}}}));
}

TEST_F(NamesTest, InstitutionsNamedAfterAGazetteerMentionKeepIt) {
  // A span ending in a head noun (Committee) takes the mention before it (FIFA); a span after a
  // mention without one stays dropped ("Moscow" + "Ivan Petrov": which is the name?).
  const auto& doc = pipeline_.Run(Article(
      "",
      "The sanctions of the FIFA Disciplinary Committee were published. Sources in Moscow Ivan "
      "Petrov quoted disagreed.",
      "en"));
  EXPECT_EQ(Names(doc), (std::map<std::string, Name>{{"FIFA Disciplinary Committee",
                                                      {"name/fifa-disciplinary-committee",
                                                       {"FIFA Disciplinary Committee"}}}}));
}

TEST_F(NamesTest, TwoNamesJoinedByAHyphenAreTwoNames) {
  // A ticket of two people (Página/12's "la fórmula Mauricio Macri-Gabriela Michetti"): two or
  // more words on each side of the hyphen; a hyphenated given name or double surname (one word
  // on a side) stays one name.
  const auto& doc = pipeline_.Run(Article(
      "",
      "Obtuvo 8.601.063 votos la fórmula Mauricio Macri-Gabriela Michetti, dijo el portavoz. "
      "Luego habló Jean-Marie Le Pen y también Ana Pérez-García.",
      "es"));
  EXPECT_EQ(Names(doc),
            (std::map<std::string, Name>{
                {"Mauricio Macri", {"name/mauricio-macri", {"Mauricio Macri"}}},
                {"Gabriela Michetti", {"name/gabriela-michetti", {"Gabriela Michetti"}}},
                {"Jean-Marie Le Pen", {"name/jean-marie-le-pen", {"Jean-Marie Le Pen"}}},
                {"Ana Pérez-García", {"name/ana-perez-garcia", {"Ana Pérez-García"}}}}));
}

TEST_F(NamesTest, InstitutionsGoOnAfterTheirHeadNounWithOfAndFor) {
  // English institutions: head noun + of/for (+ the) + capitalised words, up to two hops; the
  // words after the preposition may be a gazetteer mention (Moscow) or words the text also
  // writes in lower case (humanitarian). A name that goes on with "and" + a capital has an
  // end the rules cannot find: only the run up to the head noun is left (one word: no name).
  const auto& doc = pipeline_.Run(Article(
      "",
      "Observers came from the Council of Europe on Sunday. The Office for the Coordination of "
      "Humanitarian Affairs sent humanitarian aid. The Bank of Moscow and the Organization for "
      "Security and Cooperation in Europe said nothing.",
      "en"));
  EXPECT_EQ(Names(doc),
            (std::map<std::string, Name>{
                {"Council of Europe", {"name/council-of-europe", {"Council of Europe"}}},
                {"Office for the Coordination of Humanitarian Affairs",
                 {"name/office-for-the-coordination-of-humanitarian-affairs",
                  {"Office for the Coordination of Humanitarian Affairs"}}},
                {"Bank of Moscow", {"name/bank-of-moscow", {"Bank of Moscow"}}}}));
  // Other languages have no connectors: Spanish names go on with the particles.
  const auto& es = pipeline_.Run(
      Article("", "Lo confirmó la Corte Suprema de Justicia el lunes por la tarde.", "es"));
  EXPECT_EQ(Names(es), (std::map<std::string, Name>{
                           {"Corte Suprema de Justicia",
                            {"name/corte-suprema-de-justicia", {"Corte Suprema de Justicia"}}}}));
}

TEST_F(NamesTest, AcronymLongFormsOfInstitutionsKeepTheMentionBeforeThem) {
  // Xinhua: "The Iraqi Counter-Terrorism Service (CTS) forces ...": a long form ending in a
  // head noun (Service) keeps the gazetteer mention before it; one that does not (Form) not.
  const auto& doc = pipeline_.Run(Article(
      "",
      "The Iraqi Counter-Terrorism Service (CTS) advanced on the town. An Iraqi Student Aid Form "
      "(SAF) was filed.",
      "en"));
  EXPECT_EQ(
      Names(doc),
      (std::map<std::string, Name>{
          {"Iraqi Counter-Terrorism Service",
           {"name/iraqi-counter-terrorism-service", {"Iraqi Counter-Terrorism Service", "CTS"}}},
          {"Student Aid Form", {"name/student-aid-form", {"Student Aid Form", "SAF"}}}}));
}

TEST_F(NamesTest, GermanCapitalsAreNoEvidence) {
  const auto& doc = pipeline_.Run(Article(
      "", "Laut Angaben der Polizei sagte Robert Habeck, die Zahl der Masernfälle steige weiter.",
      "de"));
  EXPECT_TRUE(Names(doc).empty());
}

// German names only after a title, which German writes as a compound (the dev corpus's
// de-onvista sentences): the words after it, not the title.
TEST_F(NamesTest, GermanNamesFollowACompoundTitle) {
  const auto& doc = pipeline_.Run(Article(
      "",
      "Bundesdigitalminister Volker Wissing (FDP) will dies mit einer wirtschaftsfreundlichen "
      "Politik ändern. Deutschland sei bei KI gut aufgestellt, betonte "
      "Bundeswirtschaftsminister Robert Habeck (Grüne). Die Außenministerin Annalena Baerbock "
      "sprach von Fortschritten. Bundeskanzler Scholz schwieg, Vorsitzende Anträge gab es nicht.",
      "de"));
  EXPECT_EQ(Names(doc),
            (std::map<std::string, Name>{
                {"Annalena Baerbock", {"name/annalena-baerbock", {"Annalena Baerbock"}}},
                {"Robert Habeck", {"name/robert-habeck", {"Robert Habeck"}}},
                {"Volker Wissing", {"name/volker-wissing", {"Volker Wissing"}}},
            }));
}

TEST(NamesConfigTest, OffListsNoNamesAndScoresDoNotChange) {
  const std::string text =
      "The forward Trevor Booker said the talks with Procter & Gamble on wages went on, and "
      "Narendra Modi joined the talks.";
  TaggedPipeline on(Tax());
  TaggedPipeline off(Tax(), ", tag: {unlinked_names: false}");
  const auto& with = on.Run(Article("", text, "en"));
  const std::vector<core::TopicResult> topics_on = with.topics;
  const size_t entities_on = with.entities.size();
  EXPECT_EQ(Names(with).size(), 2u);
  const auto& without = off.Run(Article("", text, "en"));
  EXPECT_TRUE(Names(without).empty());
  EXPECT_EQ(entities_on, without.entities.size() + 2);
  ASSERT_EQ(topics_on.size(), without.topics.size());
  ASSERT_FALSE(topics_on.empty());
  for (size_t i = 0; i < topics_on.size(); ++i) {
    EXPECT_EQ(topics_on[i].id, without.topics[i].id);
    EXPECT_EQ(topics_on[i].score, without.topics[i].score);
  }
}

TEST_F(NamesTest, UpperCaseSpansAreNoNamesInEveryScript) {
  // A span whose words are all upper case (AllUpper: ASCII A-Z without ICU, other letters by
  // ICU) is no name; a capitalised word with a capital inside (McDonald, DiCaprio) or a
  // non-ASCII second letter (Çağlar, Élodie) is a name word.
  const auto& en = pipeline_.Run(Article(
      "", "Later the UNITED NATIONS envoy met Ronald McDonald and Leonardo DiCaprio.", "en"));
  EXPECT_EQ(Names(en), (std::map<std::string, Name>{
                           {"Leonardo DiCaprio", {"name/leonardo-dicaprio", {"Leonardo DiCaprio"}}},
                           {"Ronald McDonald", {"name/ronald-mcdonald", {"Ronald McDonald"}}},
                       }));
  const auto& tr = pipeline_.Run(Article(
      "", "Dün İSTANBUL BÜYÜKŞEHİR binasında Çağlar Söyüncü ile Élodie Öztürk konuştu.", "tr"));
  EXPECT_EQ(Names(tr), (std::map<std::string, Name>{
                           {"Çağlar Söyüncü", {"name/caglar-soyuncu", {"Çağlar Söyüncü"}}},
                           {"Élodie Öztürk", {"name/elodie-ozturk", {"Élodie Öztürk"}}},
                       }));
}

TEST_F(NamesTest, FormHashesHandedOnByNormalizeFindTheSameNames) {
  // Find() takes the hashes of folded forms and stems from doc.token_hashes where normalize
  // computed them, and hashes the forms itself otherwise: both ways must give the same names.
  // The articles hold the cases the hashes decide: a capitalised word written in lower case
  // elsewhere, as such ("Talks"/"talks") and by its stem ("Builders"/"builder"), and a word
  // with a suffix after an apostrophe, whose word is not its folded form (Kaya'nın: "kaya",
  // also written in lower case, so Ahmet Kaya is no name; Kaan Kançal'ın is one).
  const std::pair<std::string, std::map<std::string, Name>> cases[] = {
      {Article("",
               "The Peace Talks began after talks failed, said Mary Walsh. The Builders "
               "Union met a builder while Mary Walsh waited.",
               "en"),
       {{"Mary Walsh", {"name/mary-walsh", {"Mary Walsh", "Mary Walsh"}}}}},
      {Article("",
               "Dün Ahmet Kaya'nın evine bir kaya düştü ve Kaan Kançal'ın ofisi açıklama "
               "yaptı.",
               "tr"),
       {{"Kaan Kançal", {"name/kaan-kancal", {"Kaan Kançal'ın"}}}}},
      {Article("", "Вчера об этом сообщил Сергей Собянин, а затем выступила Мария Костюк.", "ru"),
       {{"Mariya Kostyuk", {"name/mariya-kostyuk", {"Мария Костюк"}}},
        {"Sergey Sobyanin", {"name/sergey-sobyanin", {"Сергей Собянин"}}}}}};
  auto finder = NameFinder::Create();
  ASSERT_TRUE(finder.ok()) << finder.status().ToString();
  for (const auto& [json, expected] : cases) {
    const core::Document& doc = pipeline_.Run(json);
    EXPECT_EQ(Names(doc), expected) << json;
    ASSERT_EQ(doc.token_hashes.size(), doc.tokens.size()) << json;  // a stemmed language
    // The same tokens without the gazetteer's entities (none is mentioned), with and without
    // the hashes.
    core::Document with = doc;
    std::erase_if(with.entities, [](const auto& e) { return e.type == kNameEntityType; });
    core::Document without = with;
    without.token_hashes.clear();
    const std::vector<uint8_t> covered(doc.tokens.size(), 0);
    (*finder)->Find(with, covered, 10);
    (*finder)->Find(without, covered, 10);
    EXPECT_EQ(Names(with), expected) << json;
    EXPECT_EQ(Names(without), expected) << json;
  }
}

TEST(NamesConfigTest, NonBooleanValueIsRejectedNamingTheKey) {
  auto config = TagConfig::FromYaml(YAML::Load("{unlinked_names: maybe}"), "pipeline.tag");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().ToString().find("unlinked_names"), std::string::npos)
      << config.status().ToString();
  auto off = TagConfig::FromYaml(YAML::Load("{unlinked_names: false}"), "pipeline.tag");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->unlinked_names);
  EXPECT_TRUE(TagConfig{}.unlinked_names);
}

}  // namespace
}  // namespace newsflow::tag
