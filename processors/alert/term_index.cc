#include "processors/alert/term_index.h"

#include <algorithm>

#include "processors/core/form_hash.h"

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
  if (term.size() >= 8) {
    Set(filter8_, Key8(term.data()));
  } else if (term.size() >= 4) {
    Set(filter4_, Key4(term.data()));
  } else {
    Set(short_first_, static_cast<unsigned char>(term[0]));
  }
  Set(whole_, KeyWhole(term));
  Set(hashes_, KeyHash(core::FormHash(term.data(), term.size())));
  lengths_ |= term.size() < 64 ? uint64_t{1} << term.size() : 0;
  max_size_ = std::max(max_size_, term.size());
}

void TermIndex::Mark(std::string_view form, std::vector<uint8_t>* hit) const {
  if (!Test(whole_.data(), KeyWhole(form))) return;
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
  size_t next = 0;
  FindFrom(doc, &next, rules, hit);
}

void TermIndex::FindFrom(const core::Document& doc, size_t* next, size_t wanted,
                         std::vector<uint8_t>* hit) const {
  const size_t n_tokens = doc.tokens.size();
  if (terms_.empty()) {
    *next = n_tokens;
    return;
  }
  // One loop per case, so that the loop tests neither whether the normalizer handed on the
  // stems' hashes nor whether some term is shorter than 4 bytes (none of the default rules'):
  // until 2026-12-06 both were tested per token, with the flag kept on the stack (~40
  // instructions a token, ~28 now).
  const bool any_short = (short_first_[0] | short_first_[1] | short_first_[2] | short_first_[3]);
  const bool known = doc.token_hashes.size() == n_tokens;
  if (known && !any_short) {
    ScanFrom<true, false>(doc, next, wanted, hit);
  } else if (known) {
    ScanFrom<true, true>(doc, next, wanted, hit);
  } else if (!any_short) {
    ScanFrom<false, false>(doc, next, wanted, hit);
  } else {
    ScanFrom<false, true>(doc, next, wanted, hit);
  }
}

template <bool kKnown, bool kShort>
void TermIndex::ScanFrom(const core::Document& doc, size_t* next, size_t wanted,
                         std::vector<uint8_t>* hit) const {
  const size_t n_tokens = doc.tokens.size();
  // Plain pointers: the stores into `hit` (bytes) would otherwise make the compiler reload the
  // document's and the filters' vectors for every token.
  const core::Token* const tokens = doc.tokens.data();
  const char* const text = doc.token_text.data();
  const core::FormHashes* const known = kKnown ? doc.token_hashes.data() : nullptr;
  const uint64_t* const filter4 = filter4_.data();
  const uint64_t* const filter8 = filter8_.data();
  const uint64_t* const short_first = short_first_.data();
  const uint64_t* const hashes = hashes_.data();
  // A hit of `wanted` is looked for only after a token marked something (rare).
  const uint8_t* const wanted_hit = wanted < hit->size() ? hit->data() + wanted : nullptr;
  for (size_t i = *next; i < n_tokens; ++i) {
    const core::Token& t = tokens[i];
    const char* const folded = text + t.folded_offset;
    const size_t n = t.folded_size;
    // The stem's hash: the normalizer's (0 for a token without a stem), else hashed here.
    uint64_t h = 0;
    if (kKnown) {
      h = known[i].stem;
      if (h == 0 && t.stem_size > 0) [[unlikely]] {
        h = core::FormHashOutOfLine(text + t.stem_offset, t.stem_size);
      }
    } else if (t.stem_size > 0) {
      h = core::FormHashOutOfLine(text + t.stem_offset, t.stem_size);
    }
    // The stem is looked up when its hash's bit is set and some term has its size.
    auto mark_stem = [&] {
      if (t.stem_size > 0 && t.stem_size <= max_size_ &&
          (HasLength(t.stem_size) || t.stem_size >= 64)) {
        Mark(std::string_view(text + t.stem_offset, t.stem_size), hit);
        return true;
      }
      return false;
    };
    // A term of 8+ bytes is a prefix of the form: its first 8 bytes are the form's; a term of
    // 4-7 bytes (and so a form of at most 10) its first 4. A term of 1-3 bytes matches forms of
    // at most 6 bytes starting with its first byte.
    bool may;
    if (n >= 8) {
      may = Test(filter8, Key8(folded)) || (n <= 10 && Test(filter4, Key4(folded)));
    } else {
      may = n >= 4 && Test(filter4, Key4(folded));
      if (kShort) {
        may = may || (n >= 1 && n <= 6 && Test(short_first, static_cast<unsigned char>(folded[0])));
      }
    }
    // A token whose prefixes were looked up, or whose stem was, may have given `wanted` its hit:
    // tested in those (rare) branches only. (Until 2026-12-07 a flag set in either branch was
    // tested for every token.)
    if (may) [[unlikely]] {
      MarkPrefixes(std::string_view(folded, n), hit);
      if (Test(hashes, KeyHash(h))) mark_stem();
      if (wanted_hit != nullptr && *wanted_hit != 0) {
        *next = i + 1;
        return;
      }
      continue;
    }
    if (Test(hashes, KeyHash(h))) [[unlikely]] {
      if (mark_stem() && wanted_hit != nullptr && *wanted_hit != 0) {
        *next = i + 1;
        return;
      }
    }
  }
  *next = n_tokens;
}

}  // namespace newsflow::alert
