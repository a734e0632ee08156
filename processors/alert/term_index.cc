#include "processors/alert/term_index.h"

#include <algorithm>

namespace newsflow::alert {

void TermIndex::Add(uint32_t rule, const std::string& term) {
  if (term.empty()) return;
  auto it = terms_.find(term);
  if (it == terms_.end()) {
    owned_.push_back(std::make_unique<std::string>(term));
    it = terms_.emplace(std::string_view(*owned_.back()), std::vector<uint32_t>{}).first;
  }
  if (std::find(it->second.begin(), it->second.end(), rule) == it->second.end()) {
    it->second.push_back(rule);
  }
  if (term.size() >= 4) {
    Set(filter_, Key4(term));
  } else {
    Set(short_first_, static_cast<unsigned char>(term[0]));
  }
  Set(whole_, KeyWhole(term));
  lengths_ |= term.size() < 64 ? uint64_t{1} << term.size() : 0;
  max_size_ = std::max(max_size_, term.size());
}

void TermIndex::Mark(std::string_view form, std::vector<uint8_t>* hit) const {
  if (!Test(whole_, KeyWhole(form))) return;
  auto it = terms_.find(form);
  if (it == terms_.end()) return;
  for (uint32_t r : it->second) (*hit)[r] = 1;
}

void TermIndex::MarkPrefixes(std::string_view folded, std::vector<uint8_t>* hit) const {
  // Terms t with folded = t + at most 3 bytes: the prefixes of length n-3 .. n.
  const size_t n = folded.size();
  const size_t lo = n > 3 ? n - 3 : 1;
  const size_t hi = std::min(n, max_size_);
  for (size_t len = lo; len <= hi; ++len) {
    if (HasLength(len) || len >= 64) Mark(folded.substr(0, len), hit);
  }
}

void TermIndex::Find(const core::Document& doc, size_t rules, std::vector<uint8_t>* hit) const {
  hit->assign(rules, 0);
  if (terms_.empty()) return;
  const bool any_short = (short_first_[0] | short_first_[1] | short_first_[2] | short_first_[3]);
  for (const core::Token& t : doc.tokens) {
    const std::string_view folded = doc.TokenForm(t.folded_offset, t.folded_size);
    const size_t n = folded.size();
    // A term of 4+ bytes is a prefix of the form: its first 4 bytes are the form's.
    const bool long_may = n >= 4 && Test(filter_, Key4(folded));
    // A term of 1-3 bytes matches forms of at most 6 bytes starting with its first byte.
    const bool short_may =
        any_short && n >= 1 && n <= 6 && Test(short_first_, static_cast<unsigned char>(folded[0]));
    if (long_may || short_may) MarkPrefixes(folded, hit);
    if (t.stem_size > 0) {
      const std::string_view stem = doc.TokenForm(t.stem_offset, t.stem_size);
      const size_t m = stem.size();
      const bool may = m >= 4 ? Test(filter_, Key4(stem))
                              : Test(short_first_, static_cast<unsigned char>(stem[0]));
      if (may && m <= max_size_ && (HasLength(m) || m >= 64)) Mark(stem, hit);
    }
  }
}

}  // namespace newsflow::alert
