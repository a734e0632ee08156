#include "processors/story/signature.h"

#include <algorithm>
#include <array>

#include "processors/core/form_hash.h"

namespace newsflow::story {
namespace {

// "https://www.example.com/a/b" -> "example.com": the outlet when the feed names no source.
std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  url = url.substr(0, url.find(':'));
  if (url.substr(0, 4) == "www.") url.remove_prefix(4);
  std::string host(url);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return host;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// (*v)[i] = {id, w}, reusing the element's string when there is one.
void AssignAt(std::vector<std::pair<std::string, double>>* v, size_t i, const std::string& id,
              double w) {
  if (i < v->size()) {
    (*v)[i].first.assign(id);
    (*v)[i].second = w;
  } else {
    v->emplace_back(id, w);
  }
}

// "1,000" -> "1000"; empty when the token is not a number worth keeping.
void NumberOf(std::string_view folded, std::string* out) {
  out->clear();
  if (folded.empty() || !IsDigit(folded.front())) return;
  for (char c : folded) {
    if (IsDigit(c)) {
      out->push_back(c);
    } else if (c != ',' && c != '.' && c != '\'' && c != ' ') {
      out->clear();  // "5km", "g7": not a plain number
      return;
    }
  }
  while (out->size() > 1 && out->front() == '0') out->erase(out->begin());
  if (out->size() < 2) {
    out->clear();
    return;
  }
  if (out->size() == 4) {
    const int v = std::stoi(*out);
    if (v >= 1900 && v <= 2100) out->clear();
  }
}

// Quotation marks, by how they may be used. `kEither` marks open a quotation at depth 0 and
// close one inside a quotation: English "..." and “...”, German „...“ (the low mark only
// opens), French and Russian «...», their reversed German/Danish form »...«, Swedish ”...”.
// Single quotes are left out (apostrophes). Returns 0 for no mark, else the mark's byte length;
// `kind` says how it acts.
enum class QuoteKind { kOpen, kClose, kEither };
// The bytes QuoteScan stops at: a line end, and the first byte of every quotation mark
// QuoteMark knows ('"', 0xC2 of « », 0xE2 of “ ” „ ‟, 0xE3 of 「 」 『 』, 0xEF of the fullwidth
// mark). Any other byte is neither.
constexpr std::array<bool, 256> kMarkOrLineEnd = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {'\n', '"', '\xC2', '\xE2', '\xE3', '\xEF'}) t[c] = true;
  return t;
}();
size_t QuoteMark(std::string_view text, size_t i, QuoteKind* kind) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c == '"') {
    *kind = QuoteKind::kEither;
    return 1;
  }
  if (c == 0xC2 && i + 1 < text.size()) {
    const auto d = static_cast<unsigned char>(text[i + 1]);
    if (d == 0xAB || d == 0xBB) {  // « »
      *kind = QuoteKind::kEither;
      return 2;
    }
    return 0;
  }
  if (i + 2 >= text.size()) return 0;
  const auto d = static_cast<unsigned char>(text[i + 1]);
  const auto e = static_cast<unsigned char>(text[i + 2]);
  if (c == 0xE2 && d == 0x80) {
    if (e == 0x9C || e == 0x9D) {  // “ ”
      *kind = QuoteKind::kEither;
      return 3;
    }
    if (e == 0x9E || e == 0x9F) {  // „ ‟
      *kind = QuoteKind::kOpen;
      return 3;
    }
    return 0;
  }
  if (c == 0xE3 && d == 0x80) {
    if (e == 0x8C || e == 0x8E) {  // 「 『
      *kind = QuoteKind::kOpen;
      return 3;
    }
    if (e == 0x8D || e == 0x8F) {  // 」 』
      *kind = QuoteKind::kClose;
      return 3;
    }
    return 0;
  }
  if (c == 0xEF && d == 0xBC && e == 0x82) {  // fullwidth quotation mark
    *kind = QuoteKind::kEither;
    return 3;
  }
  return 0;
}

}  // namespace

uint64_t ShingleHash(const uint64_t* words, int k) {
  using core::form_hash_internal::MulFold;
  // Chained 64x64->128-bit multiply-folds (a different constant per position, so the order of
  // the words counts), then a full avalanche (the finalizer of MurmurHash3's fmix64): SimHash
  // reads every bit of the result, so each must be about as likely set as clear, and
  // independent of the others.
  constexpr uint64_t kPosition[8] = {
      0xA0761D6478BD642Full, 0xE7037ED1A0B428DBull, 0x8EBC6AF09C88C6E3ull, 0x589965CC75374CC3ull,
      0x1D8E4E27C47D124Full, 0x9E3779B97F4A7C15ull, 0xBF58476D1CE4E5B9ull, 0x94D049BB133111EBull};
  uint64_t h = words[0] ^ kPosition[0];
  for (int j = 1; j < k; ++j) h = MulFold(h, words[j] ^ kPosition[j & 7]);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

namespace {

// Marks tokens as quoted from `first` on, as far as asked (Extend): the lead set needs only as
// many as it takes to find lead_words own words, not the whole text.
class QuoteScan {
 public:
  QuoteScan(const core::Document& doc, size_t first, std::vector<uint8_t>* quoted)
      : doc_(doc), next_(first), quoted_(quoted) {
    quoted_->clear();
  }

  // Marks tokens [next, end); quoted[i - first] is token i's mark.
  void Extend(size_t end) {
    end = std::min(end, doc_.tokens.size());
    for (; next_ < end; ++next_) {
      const core::Token& t = doc_.tokens[next_];
      if (t.field == core::Field::kTitle) {
        quoted_->push_back(0);
        continue;
      }
      if (t.field != field_) {
        // Offsets are per field: a quotation does not run from the lead into the body.
        field_ = t.field;
        text_ = field_ == core::Field::kLead ? std::string_view(doc_.lead)
                                             : std::string_view(doc_.body);
        depth_ = 0;
        pos_ = 0;
      }
      // The text between the previous token and this one: quotation marks and line ends.
      const size_t stop = std::min<size_t>(t.begin, text_.size());
      while (pos_ < stop) {
        // Bytes that neither end a paragraph nor start a quotation mark, skipped a table lookup
        // each.
        while (pos_ < stop && !kMarkOrLineEnd[static_cast<unsigned char>(text_[pos_])]) ++pos_;
        if (pos_ == stop) break;
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '\n') {
          depth_ = 0;  // a quotation does not go on past its paragraph (the next one reopens it)
          ++pos_;
          continue;
        }
        QuoteKind kind;
        const size_t n = QuoteMark(text_, pos_, &kind);
        if (n == 0) {
          ++pos_;
          continue;
        }
        if (kind == QuoteKind::kOpen || (kind == QuoteKind::kEither && depth_ == 0)) {
          ++depth_;
        } else if (depth_ > 0) {
          --depth_;
        }
        pos_ += n;
      }
      quoted_->push_back(depth_ > 0 ? 1 : 0);
      pos_ = std::max<size_t>(pos_, t.end);
    }
  }
  size_t end() const { return next_; }

 private:
  const core::Document& doc_;
  size_t next_;
  std::vector<uint8_t>* quoted_;
  std::string_view text_;
  core::Field field_ = core::Field::kTitle;
  int depth_ = 0;
  size_t pos_ = 0;
};

}  // namespace

namespace {

// Carry-save adder: three words of bits in, per position their sum's low bit and carry.
inline void Csa(uint64_t a, uint64_t b, uint64_t c, uint64_t* sum, uint64_t* carry) {
  const uint64_t u = a ^ b;
  *sum = u ^ c;
  *carry = (a & b) | (u & c);
}

}  // namespace

uint64_t SimHashOf(const uint64_t* hashes, size_t n) {
  // Bit-sliced counting: planes[j] holds bit j of the 64 per-position counts. Eight hashes at a
  // time are first added vertically with carry-save adders (Harley-Seal: their per-position
  // count, 0-8, as four bit planes in 7 adders), and that 4-bit number is added to the planes
  // with a ripple carry: about 8 word operations per hash instead of 64 shift-mask-adds.
  uint64_t planes[64] = {};
  int used = 0;  // planes in use
  auto add = [&](const uint64_t* in, int bits) {
    uint64_t carry = 0;
    int j = 0;
    for (; j < bits || carry != 0; ++j) {
      const uint64_t b = j < bits ? in[j] : 0;
      const uint64_t a = planes[j];
      const uint64_t u = a ^ b;
      planes[j] = u ^ carry;
      carry = (a & b) | (u & carry);
    }
    used = std::max(used, j);
  };
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint64_t* h = hashes + i;
    uint64_t s1, c1, s2, c2, s3, c3, t1, d1;
    Csa(h[0], h[1], h[2], &s1, &c1);
    Csa(h[3], h[4], h[5], &s2, &c2);
    Csa(s1, s2, h[6], &s3, &c3);
    const uint64_t ones = s3 ^ h[7];
    const uint64_t c4 = s3 & h[7];
    Csa(c1, c2, c3, &t1, &d1);
    const uint64_t twos = t1 ^ c4;
    const uint64_t d2 = t1 & c4;
    const uint64_t in[4] = {ones, twos, d1 ^ d2, d1 & d2};
    add(in, 4);
  }
  for (; i < n; ++i) add(&hashes[i], 1);
  // Bit b is set when its count > n / 2, i.e. >= t = floor(n / 2) + 1: the 64 comparisons
  // bit-sliced too, from the highest plane down (`above`: count > t's high bits so far,
  // `equal`: equal so far). Counts have `used` planes; a bit of t above them makes every count
  // smaller.
  const uint64_t t = n / 2 + 1;
  if (used < 64 && (t >> used) != 0) return 0;
  uint64_t above = 0, equal = ~uint64_t{0};
  for (int j = used - 1; j >= 0; --j) {
    if ((t >> j) & 1) {
      equal &= planes[j];
    } else {
      above |= equal & planes[j];
      equal &= ~planes[j];
    }
  }
  return above | equal;
}

void QuotedTokens(const core::Document& doc, size_t first, size_t end,
                  std::vector<uint8_t>* quoted) {
  QuoteScan scan(doc, first, quoted);
  scan.Extend(end);
}

void ComputeSignature(const core::Document& doc, int64_t now_ms, const SignatureOptions& options,
                      ArticleSignature* sig) {
  sig->article_id = doc.article.id;
  sig->source = doc.article.source;
  if (sig->source.empty()) sig->source = HostOf(doc.article.url);
  sig->language = doc.language.code;
  sig->title = doc.normalized ? doc.title : doc.article.title;
  if (doc.published_at_ms) {
    sig->event_time_ms = *doc.published_at_ms;
    sig->time_basis = "published";
  } else if (doc.raw != nullptr && doc.raw->origin.timestamp_ms >= 0) {
    sig->event_time_ms = doc.raw->origin.timestamp_ms;
    sig->time_basis = "kafka";
  } else {
    sig->event_time_ms = now_ms;
    sig->time_basis = "clock";
  }

  // Per-token hashes once (the normalizer's FormHash of the form, handed on in
  // doc.token_hashes, else computed here); shingles combine neighbours, each shingle hashed
  // once (the SimHash and the lead set read the same array).
  thread_local std::vector<uint64_t> hashes;
  thread_local std::vector<uint64_t> shingle_hashes;
  const size_t n_tokens = doc.tokens.size();
  hashes.resize(n_tokens);
  uint64_t exact_hash = 0x9E3779B97F4A7C15ull;
  {
    const bool known = doc.token_hashes.size() == n_tokens;
    const char* const text = doc.token_text.data();
    for (size_t i = 0; i < n_tokens; ++i) {
      const core::Token& t = doc.tokens[i];
      // The folded form's hash: the exact-text chain reads it, and it is the word's hash when
      // the token has no stem.
      uint64_t folded = known ? doc.token_hashes[i].folded : 0;
      if (folded == 0) folded = core::FormHash(text + t.folded_offset, t.folded_size);
      uint64_t word = folded;
      if (t.stem_size > 0) {
        word = known ? doc.token_hashes[i].stem : 0;
        if (word == 0) word = core::FormHash(text + t.stem_offset, t.stem_size);
      }
      hashes[i] = word;
      // Same folded word sequence <=> same chain (but for 64-bit collisions): an
      // order-dependent fold of the words' hashes.
      exact_hash = core::form_hash_internal::MulFold(exact_hash ^ 0x243F6A8885A308D3ull,
                                                     folded ^ 0xC2B2AE3D27D4EB4Full);
    }
  }
  const int k = std::max(1, options.shingle_size);
  const int shingles = static_cast<int>(n_tokens) - k + 1;
  shingle_hashes.resize(static_cast<size_t>(std::max(0, shingles)));
  for (int i = 0; i < shingles; ++i) {
    shingle_hashes[static_cast<size_t>(i)] = ShingleHash(&hashes[static_cast<size_t>(i)], k);
  }
  sig->has_fingerprint = shingles >= options.min_shingles;
  sig->text_hash = sig->has_fingerprint ? exact_hash : 0;
  sig->simhash = sig->has_fingerprint ? SimHashOf(shingle_hashes.data(), shingle_hashes.size()) : 0;

  // Lead set: shingles over the article's opening (the first lead_words words of lead and
  // body). With lead_skip_quotes, the opening is the first lead_words words outside quotations
  // and a shingle with a quoted word is left out (see the header).
  sig->lead_shingles.clear();
  {
    size_t first = 0;
    while (first < n_tokens && doc.tokens[first].field == core::Field::kTitle) ++first;
    const size_t lead_words = static_cast<size_t>(std::max(0, options.lead_words));
    auto plain_lead = [&] {
      sig->lead_shingles.clear();
      const size_t end = std::min(n_tokens, first + lead_words);
      for (size_t i = first; i + k <= end; ++i) {
        sig->lead_shingles.push_back(static_cast<uint32_t>(shingle_hashes[i]));
      }
    };
    if (options.lead_skip_quotes) {
      thread_local std::vector<uint8_t> quoted;
      QuoteScan scan(doc, first, &quoted);
      size_t own = 0;  // words outside quotations so far
      size_t i = first;
      for (; i < n_tokens && own < lead_words; ++i) {
        // Marks as far as this shingle's last word and the own words still wanted: no further
        // when no quotation comes (a quotation's words make it extend again).
        if (i + k > scan.end()) scan.Extend(i + k + (lead_words - own));
        if (quoted[i - first] != 0) continue;
        ++own;
        if (i + k > n_tokens) continue;
        bool in_quote = false;
        for (int j = 1; j < k; ++j) in_quote |= quoted[i - first + j] != 0;
        if (!in_quote) sig->lead_shingles.push_back(static_cast<uint32_t>(shingle_hashes[i]));
      }
      // Mostly quotation (or an unbalanced mark that runs to the paragraph's end): the plain
      // opening, so that such copies are still compared.
      if (static_cast<int>(sig->lead_shingles.size()) < options.min_shingles) plain_lead();
    } else {
      plain_lead();
    }
    std::sort(sig->lead_shingles.begin(), sig->lead_shingles.end());
    sig->lead_shingles.erase(std::unique(sig->lead_shingles.begin(), sig->lead_shingles.end()),
                             sig->lead_shingles.end());
  }

  // The lists below are rewritten in place: the signature is reused from article to article
  // (StoryStage keeps one per thread), so their strings keep their buffers.
  size_t n = 0;
  for (const auto& e : doc.entities) {
    // Unlinked name mentions (processors/tag/names.h) are not taxonomy entities: they stay out
    // of the signature.
    if (e.type == core::kNameEntityType) continue;
    AssignAt(&sig->entities, n++, e.id, e.salience);
  }
  sig->entities.resize(n);
  n = 0;
  for (const auto& t : doc.topics) AssignAt(&sig->topics, n++, t.id, t.score);
  sig->topics.resize(n);

  // Numbers in order of first mention (title first), the first max_numbers distinct ones.
  n = 0;
  thread_local std::string number;
  for (const core::Token& t : doc.tokens) {
    if (n >= options.max_numbers) break;
    // Most tokens are words: rejected on their first byte without building the form.
    if (t.folded_size == 0 || !IsDigit(doc.token_text[t.folded_offset])) continue;
    NumberOf(doc.TokenForm(t.folded_offset, t.folded_size), &number);
    if (number.empty()) continue;
    const auto end = sig->numbers.begin() + static_cast<std::ptrdiff_t>(n);
    if (std::find(sig->numbers.begin(), end, number) != end) continue;
    if (n < sig->numbers.size()) {
      sig->numbers[n].assign(number);
    } else {
      sig->numbers.push_back(number);
    }
    ++n;
  }
  sig->numbers.resize(n);
  std::sort(sig->numbers.begin(), sig->numbers.end());
}

}  // namespace newsflow::story
