#include "processors/normalize/folding.h"

#include <unicode/normalizer2.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <bit>
#include <cstring>
#include <iterator>

#include "processors/normalize/folding_icu.h"

namespace newsflow::normalize {

TextFolder::WordClass TextFolder::SupplementaryWordClass(uint32_t cp) {
  return internal::ComputeWordClass(cp);
}

const TextFolder& TextFolder::Default() {
  // Intentionally leaked (used until exit, from any thread).
  static const TextFolder* const folder = internal::IcuVersionKey() == internal::kBuiltInIcuVersion
                                              ? new TextFolder(TableSource::kBuiltIn)
                                              : new TextFolder(TableSource::kIcuAtStart);
  return *folder;
}

std::unique_ptr<TextFolder> TextFolder::Make(TableSource source) {
  return std::unique_ptr<TextFolder>(new TextFolder(source));
}

std::string_view TextFolder::BuiltInIcuVersion() { return internal::kBuiltInIcuVersion; }

TextFolder::TextFolder(TableSource source) : source_(source) {
  if (source == TableSource::kBuiltIn) {
    rows_ = internal::kBuiltInRows;
    pool_ = internal::kBuiltInPool;
  } else {
    internal::BuildBmpTable(&owned_rows_, &owned_pool_);
    rows_ = owned_rows_.data();
    pool_ = owned_pool_.data();
  }
  for (int c = 0; c < 128; ++c) {
    char f = static_cast<char>(c);
    if (c >= 'A' && c <= 'Z') f = static_cast<char>(c - 'A' + 'a');
    if (c == '`') f = '\'';
    ascii_[c] = f;
  }
}

int TextFolder::Script(uint32_t cp) const {
  if (cp < 0x10000) return rows_[cp].script;
  UErrorCode ec = U_ZERO_ERROR;
  return uscript_getScript(static_cast<UChar32>(cp), &ec);
}

uint8_t TextFolder::CharFlags(uint32_t cp) const {
  if (cp < 0x10000) return rows_[cp].flags;
  return internal::ComputeFlags(cp);
}

void TextFolder::AppendSupplementary(uint32_t cp, std::string* out) const {
  out->append(FoldCodePointSlow(cp));
}

void TextFolder::FoldNfcAppend(std::string_view nfc, std::string* out) const {
  FoldNfcAppendCounting(nfc, out, nullptr);
}

int TextFolder::FoldNfcAppendCounting(std::string_view nfc, std::string* out,
                                      ScriptHistogram* scripts) const {
  int first_script = -1;
  const auto* s = reinterpret_cast<const uint8_t*>(nfc.data());
  const int32_t n = static_cast<int32_t>(nfc.size());
  int32_t i = 0;
  while (i < n) {
    const uint8_t b = s[i];
    if (b < 0x80) {
      out->push_back(ascii_[b]);
      ++i;
      if (((b | 0x20) >= 'a' && (b | 0x20) <= 'z')) {
        if (first_script < 0) first_script = USCRIPT_LATIN;
        if (scripts != nullptr) scripts->Add(USCRIPT_LATIN);
      }
      continue;
    }
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(s, i, n, c);
    if (c < 0) {
      out->append("\xEF\xBF\xBD");
      continue;
    }
    if (c < 0x10000) {
      const Row& e = rows_[static_cast<uint32_t>(c)];
      if ((e.flags & kLetter) != 0 && e.script != USCRIPT_INHERITED && e.script != USCRIPT_COMMON) {
        if (first_script < 0) first_script = e.script;
        if (scripts != nullptr) scripts->Add(e.script);
      }
      if ((e.flags & kIdentity) != 0) {
        out->append(nfc.data() + start, static_cast<size_t>(i - start));
      } else {
        out->append(pool_ + e.offset, e.length);
      }
    } else {
      AppendSupplementary(static_cast<uint32_t>(c), out);
    }
  }
  return first_script;
}

void TextFolder::FoldAppend(std::string_view utf8, std::string* out) const {
  UErrorCode ec = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(ec);
  if (U_SUCCESS(ec) && !nfc->isNormalizedUTF8(utf8, ec) && U_SUCCESS(ec)) {
    std::string composed;
    icu::StringByteSink<std::string> sink(&composed);
    nfc->normalizeUTF8(0, utf8, sink, nullptr, ec);
    if (U_SUCCESS(ec)) {
      FoldNfcAppend(composed, out);
      return;
    }
  }
  FoldNfcAppend(utf8, out);
}

int ScriptHistogram::Dominant(double* share) const {
  int best = -1;
  uint32_t best_count = 0;
  uint64_t total = 0;
  for (int w = 0; w < static_cast<int>(std::size(seen)); ++w) {
    for (uint64_t bits = seen[w]; bits != 0; bits &= bits - 1) {
      const int i = w * 64 + std::countr_zero(bits);
      if (i == USCRIPT_COMMON || i == USCRIPT_INHERITED) continue;
      total += letters[i];
      if (letters[i] > best_count) {
        best_count = letters[i];
        best = i;
      }
    }
  }
  if (share != nullptr) {
    *share = total == 0 ? 0.0 : static_cast<double>(best_count) / static_cast<double>(total);
  }
  return best;
}

std::string_view ArabicBareForm(std::string_view folded) {
  // Folded Arabic letters are two bytes (U+0600-U+06FF: lead byte 0xD8-0xDB), so the prefixes
  // are compared as 16-bit codes of the first three letters: one load each, no string compares.
  const auto* s = reinterpret_cast<const uint8_t*>(folded.data());
  const size_t n = folded.size();
  if (n < 2 || s[0] < 0xD8 || s[0] > 0xDB) return {};
  auto letter = [&](size_t at) -> uint16_t {
    return at + 1 < n ? static_cast<uint16_t>((s[at] << 8) | s[at + 1]) : 0;
  };
  constexpr uint16_t kAlef = 0xD8A7;  // ا
  constexpr uint16_t kBeh = 0xD8A8;   // ب
  constexpr uint16_t kFeh = 0xD981;   // ف
  constexpr uint16_t kKaf = 0xD983;   // ك
  constexpr uint16_t kLam = 0xD984;   // ل
  constexpr uint16_t kWaw = 0xD988;   // و
  const uint16_t c0 = letter(0);
  const uint16_t c1 = letter(2);
  const uint16_t c2 = letter(4);
  // At least 2 letters (characters) must remain after the prefix.
  auto leaves_two = [&](size_t bytes) {
    // The usual case first: two character starts among the next three bytes (a two-byte
    // letter and the character after it). The same answer as the count below, for any bytes.
    if (bytes + 2 < n && (s[bytes] & 0xC0) != 0x80 && (s[bytes + 2] & 0xC0) != 0x80) return true;
    size_t count = 0;
    for (size_t i = bytes; i < n && count < 2; ++i) {
      if ((s[i] & 0xC0) != 0x80) ++count;
    }
    return count >= 2;
  };
  // Longest first; at most one prefix of each length can match a given word.
  //   وال فال بال كال (conjunction/preposition + article), ولل فلل
  const bool three =
      ((c0 == kWaw || c0 == kFeh || c0 == kBeh || c0 == kKaf) && c1 == kAlef && c2 == kLam) ||
      ((c0 == kWaw || c0 == kFeh) && c1 == kLam && c2 == kLam);
  if (three && leaves_two(6)) return folded.substr(6);
  //   لل ال
  if ((c0 == kLam || c0 == kAlef) && c1 == kLam && leaves_two(4)) return folded.substr(4);
  //   و ف ب ل ك
  if ((c0 == kWaw || c0 == kFeh || c0 == kBeh || c0 == kLam || c0 == kKaf) && leaves_two(2)) {
    return folded.substr(2);
  }
  return {};
}

}  // namespace newsflow::normalize
