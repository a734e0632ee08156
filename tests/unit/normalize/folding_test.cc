#include "processors/normalize/folding.h"

#include <gtest/gtest.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <string>

namespace newsflow::normalize {
namespace {

std::string F(std::string_view s) { return TextFolder::Default().Fold(s); }

TEST(Folding, LatinCaseAndDiacritics) {
  EXPECT_EQ(F("Café"), "cafe");
  EXPECT_EQ(F("NIÑO Ñandú"), "nino nandu");
  EXPECT_EQ(F("Müller Österreich"), "muller osterreich");
  EXPECT_EQ(F("Straße STRAẞE"), "strasse strasse");
  EXPECT_EQ(F("Łódź Øresund Đakovo"), "lodz oresund dakovo");
  EXPECT_EQ(F("ﬁnal Ｗide"), "final wide");  // compatibility forms
}

TEST(Folding, TurkishDottedAndDotlessI) {
  EXPECT_EQ(F("İstanbul"), "istanbul");
  EXPECT_EQ(F("ılık ISPARTA"), "ilik isparta");
  EXPECT_EQ(F("Ateşkes GÖRÜŞME"), "ateskes gorusme");
}

TEST(Folding, Greek) { EXPECT_EQ(F("Αθήνα ΣΟΦΟΣ"), "αθηνα σοφοσ"); }

TEST(Folding, CyrillicKeepsLettersButFoldsYo) {
  EXPECT_EQ(F("Ёлка ещё"), "елка еще");
  EXPECT_EQ(F("Йошкар-Ола"), "йошкар-ола");
  EXPECT_EQ(F("Їжак Євген Ґанок"), "їжак євген ґанок");
  EXPECT_EQ(F("за\u0301мок"), "замок");  // stress mark dropped
}

TEST(Folding, UkrainianApostrophes) {
  EXPECT_EQ(F("п’ять"), "п'ять");
  EXPECT_EQ(F("пʼять"), "п'ять");
  EXPECT_EQ(F("п`ять"), "п'ять");
  EXPECT_EQ(F("перемир’я"), F("перемир'я"));
}

TEST(Folding, HebrewDropsNiqqudAndCantillation) {
  EXPECT_EQ(F("שָׁלוֹם"), "שלום");
  EXPECT_EQ(F("בְּרֵאשִׁ֖ית"), "בראשית");
  EXPECT_EQ(F("ישראל"), "ישראל");
}

TEST(Folding, ArabicMarksAndLetterVariants) {
  EXPECT_EQ(F("أَحْمَد"), "احمد");                      // harakat, hamza on alef
  EXPECT_EQ(F("إسلام آمن ٱلله"), "اسلام امن الله");  // alef variants
  EXPECT_EQ(F("مصطفى"), "مصطفي");                    // alef maksura -> yeh
  EXPECT_EQ(F("مدرسة"), "مدرسه");                    // teh marbuta -> heh
  EXPECT_EQ(F("عـــربي"), "عربي");                   // tatweel
  EXPECT_EQ(F("هٰذا"), "هذا");                        // superscript alef U+0670
  EXPECT_EQ(F("الرَّحِيمِ\u06D6"), "الرحيم");            // shadda, kasra, Quranic mark
  EXPECT_EQ(F("مؤتمر شئون"), "مؤتمر شئون");          // hamza carriers kept
  EXPECT_EQ(F("ﻻ"), "لا");                           // presentation form
}

TEST(Folding, ArabicAndPersianDigits) {
  EXPECT_EQ(F("٢٠٢٥"), "2025");
  EXPECT_EQ(F("۱۴۰۴"), "1404");
}

TEST(Folding, PersianLettersAndZwnj) {
  EXPECT_EQ(F("ایران"), "ايران");
  EXPECT_EQ(F("کشور"), "كشور");
  EXPECT_EQ(F("آتش\u200Cبس"), F("آتشبس"));
  EXPECT_EQ(F("آتش\u200Cبس"), "اتشبس");
}

TEST(Folding, DecomposedInputFoldsLikeComposed) {
  EXPECT_EQ(F("Cafe\u0301"), F("Café"));
  EXPECT_EQ(F("\u0627\u0654\u0645\u0646"), F("أمن"));
  EXPECT_EQ(F("\u0648\u0654"), F("ؤ"));  // ؤ stays ؤ in both forms
  EXPECT_EQ(F("\u0438\u0306"), "й");
}

TEST(Folding, TableMatchesIcuRulesForEveryBmpCodePoint) {
  const TextFolder& folder = TextFolder::Default();
  for (uint32_t cp = 0; cp < 0x10000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    ASSERT_EQ(folder.FoldBmp(cp), FoldCodePointSlow(cp)) << std::hex << cp;
  }
}

TEST(Folding, IsIdempotentForEveryBmpCodePoint) {
  const TextFolder& folder = TextFolder::Default();
  int failures = 0;
  for (uint32_t cp = 0; cp < 0x10000; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    char buf[4];
    int32_t n = 0;
    U8_APPEND_UNSAFE(buf, n, cp);
    const std::string once = folder.Fold(std::string_view(buf, static_cast<size_t>(n)));
    const std::string twice = folder.Fold(once);
    if (once != twice && ++failures < 10) {
      ADD_FAILURE() << "U+" << std::hex << cp << " folds to '" << once << "' then '" << twice
                    << "'";
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST(Folding, SupplementaryPlane) {
  EXPECT_EQ(F("𝐀𝐁"), "ab");  // mathematical bold
  EXPECT_EQ(F("😀"), "😀");
}

TEST(ArabicBareForm, StripsArticleAndClitics) {
  auto bare = [](std::string_view word) { return std::string(ArabicBareForm(F(word))); };
  EXPECT_EQ(bare("والبيت"), "بيت");
  EXPECT_EQ(bare("البيت"), "بيت");
  EXPECT_EQ(bare("بالبيت"), "بيت");
  EXPECT_EQ(bare("فالأمر"), "امر");
  EXPECT_EQ(bare("كالبحر"), "بحر");
  EXPECT_EQ(bare("للرئيس"), "رئيس");
  EXPECT_EQ(bare("وللرئيس"), "رئيس");
  EXPECT_EQ(bare("وبوتين"), "بوتين");
  EXPECT_EQ(bare("وترامب"), "ترامب");
}

TEST(ArabicBareForm, KeepsAtLeastTwoLetters) {
  EXPECT_EQ(ArabicBareForm(F("ال")), "");
  EXPECT_EQ(ArabicBareForm(F("الم")), "");  // ال + one letter: nothing to strip to
  EXPECT_EQ(ArabicBareForm(F("ول")), "");
  EXPECT_EQ(ArabicBareForm(F("بر")), "");
}

TEST(ArabicBareForm, OnlyArabicScript) {
  EXPECT_EQ(ArabicBareForm("washington"), "");
  EXPECT_EQ(ArabicBareForm(F("שלום")), "");
  EXPECT_EQ(ArabicBareForm(""), "");
}

TEST(ArabicBareForm, IsASuffixOfTheFoldedForm) {
  const std::string folded = F("والبيت");
  const std::string_view bare = ArabicBareForm(folded);
  ASSERT_FALSE(bare.empty());
  EXPECT_EQ(bare.data() + bare.size(), folded.data() + folded.size());
}

}  // namespace
}  // namespace newsflow::normalize

namespace newsflow::normalize {
namespace {

// The rule ArabicBareForm() implements, written the plain way (prefixes tried longest first,
// at least two characters left), as the reference for random words over the letters involved.
std::string_view ReferenceBareForm(std::string_view folded) {
  if (folded.size() < 2 || static_cast<uint8_t>(folded[0]) < 0xD8 ||
      static_cast<uint8_t>(folded[0]) > 0xDB) {
    return {};
  }
  static constexpr std::string_view kPrefixes[] = {"وال", "فال", "بال", "كال", "ولل", "فلل", "لل",
                                                   "ال",  "و",   "ف",   "ب",   "ل",   "ك"};
  for (std::string_view p : kPrefixes) {
    if (folded.substr(0, p.size()) != p) continue;
    size_t left = 0;
    for (size_t i = p.size(); i < folded.size(); ++i) {
      if ((static_cast<uint8_t>(folded[i]) & 0xC0) != 0x80) ++left;
    }
    if (left >= 2) return folded.substr(p.size());
  }
  return {};
}

TEST(ArabicBareForm, MatchesTheReferenceRuleOnRandomWords) {
  const std::vector<std::string> letters = {"و", "ف", "ب", "ك", "ل", "ا", "م", "ن", "ي", "a", "1"};
  uint32_t seed = 99;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7FFF;
  };
  for (int i = 0; i < 50000; ++i) {
    std::string word;
    const uint32_t len = next() % 7;
    for (uint32_t k = 0; k < len; ++k) word += letters[next() % letters.size()];
    ASSERT_EQ(ArabicBareForm(word), ReferenceBareForm(word)) << word;
  }
}

TEST(ScriptHistogram, DominantScriptAndItsShare) {
  ScriptHistogram h;
  double share = -1;
  EXPECT_EQ(h.Dominant(&share), -1);
  EXPECT_EQ(share, 0.0);
  h.Add(USCRIPT_LATIN, 995);
  h.Add(USCRIPT_ARABIC, 5);
  h.Add(USCRIPT_COMMON, 1000);  // Common and Inherited count in neither the top nor the total
  h.Add(USCRIPT_INHERITED, 1000);
  EXPECT_EQ(h.Dominant(&share), USCRIPT_LATIN);
  EXPECT_DOUBLE_EQ(share, 0.995);
  EXPECT_EQ(h.Dominant(), USCRIPT_LATIN);
  h.Add(USCRIPT_CYRILLIC, 1000);
  EXPECT_EQ(h.Dominant(&share), USCRIPT_CYRILLIC);
  EXPECT_DOUBLE_EQ(share, 1000.0 / 2000.0);
}

}  // namespace
}  // namespace newsflow::normalize
