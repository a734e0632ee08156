#include "processors/story/signature.h"

#include <algorithm>
#include <array>
#include <cstring>

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
// The bytes QuoteScan stops at, as strcspn() reject sets: the first byte of every quotation
// mark QuoteMark knows ('"', 0xC2 of « », 0xE2 of “ ” „ ‟, 0xE3 of 「 」 『 』, 0xEF of the
// fullwidth mark), and inside a quotation also the line end that closes it. Any other byte is
// neither.
constexpr const char kMarkFirstBytes[] = "\"\xC2\xE2\xE3\xEF";
constexpr const char kMarkFirstBytesOrLineEnd[] = "\n\"\xC2\xE2\xE3\xEF";
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

namespace {

// ShingleHash: each word's hash rotated by its position (so the order of the words counts),
// the k words XORed, then one 64x64->128-bit multiply-fold by an odd constant. The word hashes
// are already well-mixed 64-bit hashes (core::FormHash), so the XOR of rotated words is about
// uniform over shingles with other words, and the multiply-fold spreads every input bit into
// the low half that the lead set keeps. Rotations are distinct multiples of 21 mod 64; a
// shingle of one word repeated does not cancel (1 + x^21 + x^42 is prime to x^64 + 1 over
// GF(2)). Before 2026-12-06 (session 13) shingles were two chained multiply-folds plus
// MurmurHash3's fmix64 (~24 instructions a shingle, ~12 now): SimHash and lead-set values
// differ from those versions' for the same text (see the header on comparing fingerprints).
constexpr int kShingleRotation[8] = {0, 21, 42, 63, 20, 41, 62, 19};
constexpr uint64_t kShingleSeed = 0xA0761D6478BD642Full;
constexpr uint64_t kShingleMultiplier = 0xE7037ED1A0B428DBull;

inline uint64_t RotateLeft(uint64_t v, int r) { return r == 0 ? v : (v << r) | (v >> (64 - r)); }

// ShingleHash for a k known at compile time (the default 3): the same value, the loop unrolled.
template <int K>
inline uint64_t FixedShingleHash(const uint64_t* words) {
  using core::form_hash_internal::MulFold;
  uint64_t x = words[0] ^ kShingleSeed;
  for (int j = 1; j < K; ++j) x ^= RotateLeft(words[j], kShingleRotation[j & 7]);
  return MulFold(x, kShingleMultiplier);
}

}  // namespace

uint64_t ShingleHash(const uint64_t* words, int k) {
  using core::form_hash_internal::MulFold;
  uint64_t x = words[0] ^ kShingleSeed;
  for (int j = 1; j < k; ++j) x ^= RotateLeft(words[j], kShingleRotation[j & 7]);
  return MulFold(x, kShingleMultiplier);
}

namespace {

// Marks tokens as quoted from `first` on, as far as asked (Extend): the lead set needs only as
// many as it takes to find lead_words own words, not the whole text.
//
// Only the bytes between tokens can hold a mark or a line end, and most texts have few marks:
// the scan jumps from one byte that may start a mark (or, inside a quotation, end its
// paragraph) to the next with strcspn() (vectorised in glibc), which it calls again only after
// it has passed the byte found. Before 2026-12-06 every byte between tokens was looked up in a
// table, with the scan's state in members written back after each byte (6.1 K instructions per
// article of the dev corpus at 100,000 open stories).
class QuoteScan {
 public:
  QuoteScan(const core::Document& doc, size_t first, std::vector<uint8_t>* quoted)
      : doc_(doc), next_(first), quoted_(quoted) {
    quoted_->clear();
  }

  // Marks tokens [next, end); quoted[i - first] is token i's mark.
  void Extend(size_t end) {
    end = std::min(end, doc_.tokens.size());
    if (next_ >= end) return;
    const size_t from = quoted_->size();
    quoted_->resize(from + (end - next_));
    // The state in locals: the stores through `out` (bytes) may alias any member.
    uint8_t* out = quoted_->data() + from;
    const core::Token* const tokens = doc_.tokens.data();
    std::string_view text = text_;
    core::Field field = field_;
    int depth = depth_;
    size_t pos = pos_;
    size_t next_stop = next_stop_;
    for (size_t i = next_; i < end; ++i) {
      const core::Token& t = tokens[i];
      if (t.field != field) [[unlikely]] {
        if (t.field == core::Field::kTitle) {
          *out++ = 0;
          continue;
        }
        // Offsets are per field: a quotation does not run from the lead into the body.
        field = t.field;
        text =
            field == core::Field::kLead ? std::string_view(doc_.lead) : std::string_view(doc_.body);
        depth = 0;
        pos = 0;
        next_stop = 0;
      }
      // (Title tokens before the lead have field == kTitle and an empty text: nothing to scan,
      // depth 0.) The text between the previous token and this one: quotation marks and line
      // ends, from the next byte that may be one on.
      const size_t stop = std::min<size_t>(t.begin, text.size());
      if (next_stop >= stop) [[likely]] {
        // No byte before this token can change the depth (the last search found none in [pos,
        // next_stop), or pos is already past next_stop and this token): nor before any of the
        // following tokens of the field that start at or before next_stop. They all take the
        // current depth, in a run without the search's bookkeeping (most tokens of most texts:
        // the bytes that may start a mark are few).
        // The tokens of a field follow each other in the text without overlapping (word
        // segments), so the run's last token ends last: pos is raised once, after the run (until
        // 2026-12-06 it was raised to each token's end in the loop).
        const uint8_t mark = depth > 0 ? 1 : 0;
        *out++ = mark;
        const core::Token* u = tokens + i + 1;
        const core::Token* const u_end = tokens + end;
        while (u < u_end && u->begin <= next_stop && u->field == field) {
          *out++ = mark;
          ++u;
        }
        pos = std::max<size_t>(pos, u[-1].end);
        i = static_cast<size_t>(u - tokens) - 1;
        continue;
      }
      while (pos < stop && next_stop < stop) {
        if (next_stop < pos) {
          // `text` is a whole std::string: NUL-terminated. A NUL inside it stops strcspn() too
          // and is then skipped below as a byte that is no mark.
          next_stop = pos + std::strcspn(text.data() + pos,
                                         depth > 0 ? kMarkFirstBytesOrLineEnd : kMarkFirstBytes);
          continue;
        }
        // next_stop is in [pos, stop). (It may also be a byte that is neither a mark nor a line
        // end, e.g. at the start of a field: skipped like any such byte.)
        if (text[next_stop] == '\n') {
          depth = 0;  // a quotation does not go on past its paragraph (the next one reopens it)
          pos = next_stop + 1;
          continue;
        }
        QuoteKind kind;
        const size_t n = QuoteMark(text, next_stop, &kind);
        if (n == 0) {
          pos = next_stop + 1;
          continue;
        }
        if (kind == QuoteKind::kOpen || (kind == QuoteKind::kEither && depth == 0)) {
          ++depth;
        } else if (depth > 0) {
          --depth;
        }
        pos = next_stop + n;
      }
      *out++ = depth > 0 ? 1 : 0;
      pos = std::max<size_t>(pos, t.end);
    }
    next_ = end;
    text_ = text;
    field_ = field;
    depth_ = depth;
    pos_ = pos;
    next_stop_ = next_stop;
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
  // No byte in [pos_, next_stop_) starts a mark (or, when depth_ > 0, ends the paragraph): the
  // last search's result while next_stop_ >= pos_, else stale.
  size_t next_stop_ = 0;
};

}  // namespace

namespace {

// Two 64-bit lanes (SSE2, x86-64's baseline; GCC's vector extension so that the operators read as
// the scalar code's): SimHashOf counts the even- and the odd-numbered hashes in one lane each,
// half the operations of one 64-bit lane, and adds the two lanes' counts at the end.
using Lanes = uint64_t __attribute__((vector_size(16)));

inline Lanes LoadLanes(const uint64_t* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Carry-save adder: three words of bits in, per position their sum's low bit and carry.
inline void Csa(Lanes a, Lanes b, Lanes c, Lanes* sum, Lanes* carry) {
  const Lanes u = a ^ b;
  *sum = u ^ c;
  *carry = (a & b) | (u & c);
}

}  // namespace

uint64_t SimHashOf(const uint64_t* hashes, size_t n) {
  // Bit-sliced counting (Harley-Seal, as in bit-parallel population counts): the 64 per-position
  // counts are kept as bit planes. Running planes of weight 1, 2, 4 and 8 (`ones` .. `eights`)
  // take 16 hashes at a time through 15 carry-save adders, and only the weight-16 carry of each
  // block is added, with a ripple carry, into `planes` (plane j: weight 16 * 2^j): about 5 word
  // operations per hash instead of 64 shift-mask-adds. Each operation works on two lanes (hashes
  // 2i and 2i+1), so a block is 32 hashes; the lanes' counts are added at the end. Until
  // 2026-12-06 one 64-bit lane (about 10 instructions a hash with the loads and the tail, 5 now).
  Lanes planes[64];
  int used = 0;  // planes in use (the others are not read)
  auto add16 = [&](Lanes carry) {
    for (int j = 0; (carry[0] | carry[1]) != 0; ++j) {
      if (j == used) {
        planes[used++] = carry;
        return;
      }
      const Lanes a = planes[j];
      planes[j] = a ^ carry;
      carry &= a;
    }
  };
  Lanes ones = {0, 0}, twos = {0, 0}, fours = {0, 0}, eights = {0, 0};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const uint64_t* h = hashes + i;
    Lanes twos_a, twos_b, fours_a, fours_b, eights_a, eights_b, sixteens;
    Csa(ones, LoadLanes(h), LoadLanes(h + 2), &ones, &twos_a);
    Csa(ones, LoadLanes(h + 4), LoadLanes(h + 6), &ones, &twos_b);
    Csa(twos, twos_a, twos_b, &twos, &fours_a);
    Csa(ones, LoadLanes(h + 8), LoadLanes(h + 10), &ones, &twos_a);
    Csa(ones, LoadLanes(h + 12), LoadLanes(h + 14), &ones, &twos_b);
    Csa(twos, twos_a, twos_b, &twos, &fours_b);
    Csa(fours, fours_a, fours_b, &fours, &eights_a);
    Csa(ones, LoadLanes(h + 16), LoadLanes(h + 18), &ones, &twos_a);
    Csa(ones, LoadLanes(h + 20), LoadLanes(h + 22), &ones, &twos_b);
    Csa(twos, twos_a, twos_b, &twos, &fours_a);
    Csa(ones, LoadLanes(h + 24), LoadLanes(h + 26), &ones, &twos_a);
    Csa(ones, LoadLanes(h + 28), LoadLanes(h + 30), &ones, &twos_b);
    Csa(twos, twos_a, twos_b, &twos, &fours_b);
    Csa(fours, fours_a, fours_b, &fours, &eights_b);
    Csa(eights, eights_a, eights_b, &eights, &sixteens);
    add16(sixteens);
  }
  // The rest two at a time (a last odd hash with 0 in the other lane: it counts no bit), through
  // half adders up the four running planes.
  for (; i < n; i += 2) {
    const Lanes h = i + 1 < n ? LoadLanes(hashes + i) : Lanes{hashes[i], 0};
    Lanes carry = ones & h;
    ones ^= h;
    Lanes next = twos & carry;
    twos ^= carry;
    carry = fours & next;
    fours ^= next;
    next = eights & carry;
    eights ^= carry;
    add16(next);
  }
  // Each lane's counts, planes from the lowest: ones, twos, fours, eights, then `planes`; their
  // sum by a ripple-carry adder over the planes (one more plane for the last carry).
  Lanes lane[68];
  lane[0] = ones;
  lane[1] = twos;
  lane[2] = fours;
  lane[3] = eights;
  for (int j = 0; j < used; ++j) lane[4 + j] = planes[j];
  int bits = 4 + used;
  uint64_t count[69];
  uint64_t carry = 0;
  for (int j = 0; j < bits; ++j) {
    const uint64_t a = lane[j][0], b = lane[j][1];
    const uint64_t u = a ^ b;
    count[j] = u ^ carry;
    carry = (a & b) | (u & carry);
  }
  count[bits++] = carry;
  // Bit b is set when its count > n / 2, i.e. >= t = floor(n / 2) + 1: the 64 comparisons
  // bit-sliced too, from the highest plane down (`above`: count > t's high bits so far,
  // `equal`: equal so far). Counts have `bits` planes; a bit of t above them makes every count
  // smaller.
  const uint64_t t = n / 2 + 1;
  if (bits < 64 && (t >> bits) != 0) return 0;
  uint64_t above = 0, equal = ~uint64_t{0};
  for (int j = bits - 1; j >= 0; --j) {
    if ((t >> j) & 1) {
      equal &= count[j];
    } else {
      above |= equal & count[j];
      equal &= ~count[j];
    }
  }
  return above | equal;
}

namespace {

// The loops below are functions of their own, kept out of line: inlined into ComputeSignature
// they shared its registers, and GCC kept their pointers and even the multiply-folds' halves on
// the stack (about a third more instructions per token).

// The exact-text hash: a polynomial in the folded forms' hashes modulo 2^64, h = h * M + f per
// word from kExactTextSeed, then one multiply-fold with the word count (ExactTextHash). Two
// different sequences of the same length collide only when sum (f_i - g_i) * M^(n-i) is 0
// modulo 2^64; the f_i are FormHash values (about uniform 64-bit), so about as rarely as two
// random 64-bit values are equal (one differing word: never, M being odd). Before 2026-12-06
// each word was one multiply-fold into the running value (7 instructions a token, 2 now): the
// values differ from those versions'. Nothing outside the process sees them (the exact-duplicate
// index is per instance and not in the story state; see the header on comparing fingerprints).
constexpr uint64_t kExactTextSeed = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kExactTextMultiplier = 0xD6E8FEB86659FD93ull;  // odd
inline uint64_t ExactTextStep(uint64_t h, uint64_t folded) {
  return h * kExactTextMultiplier + folded;
}
inline uint64_t ExactTextHash(uint64_t h, size_t words) {
  return core::form_hash_internal::MulFold(h ^ 0x243F6A8885A308D3ull,
                                           uint64_t{words} ^ 0xC2B2AE3D27D4EB4Full);
}

// WordHashes' state between its loops: the exact-text polynomial so far and the number of
// candidates listed.
struct WordScan {
  uint64_t exact_hash = kExactTextSeed;
  size_t n_digits = 0;
};

// WordHashes for tokens [i, n) hashing the forms whose hashes the normalizer did not hand on (or
// left 0): the documents of a normalizer configured not to stem, and empty forms. Out of line so
// that its calls leave WordHashes' loop its registers.
[[gnu::noinline]] void WordHashesFrom(const core::Document& doc, size_t i, uint64_t* words,
                                      uint32_t* digits, WordScan* scan) {
  const size_t n = doc.tokens.size();
  const core::Token* const tokens = doc.tokens.data();
  const char* const text = doc.token_text.data();
  const core::FormHashes* const known =
      doc.token_hashes.size() == n ? doc.token_hashes.data() : nullptr;
  uint64_t exact_hash = scan->exact_hash;
  size_t nd = scan->n_digits;
  for (; i < n; ++i) {
    const core::Token& t = tokens[i];
    uint64_t folded = known != nullptr ? known[i].folded : 0;
    if (folded == 0) folded = core::FormHash(text + t.folded_offset, t.folded_size);
    uint64_t word = folded;
    if (t.stem_size > 0) {
      word = known != nullptr ? known[i].stem : 0;
      if (word == 0) word = core::FormHash(text + t.stem_offset, t.stem_size);
    }
    words[i] = word;
    exact_hash = ExactTextStep(exact_hash, folded);
    digits[nd] = static_cast<uint32_t>(i);
    nd += t.script == core::Token::kNoScript ? 1 : 0;
  }
  scan->exact_hash = exact_hash;
  scan->n_digits = nd;
}

// Each token's word hash (its shingle form's FormHash: the stem's where it has one, else the
// folded form's) into words[i], from doc.token_hashes where the normalizer computed it. Returns
// the exact-text hash (ExactTextStep, ExactTextHash): the same folded word sequence gives the
// same value (but for 64-bit collisions). The indices of the tokens
// that may be numbers go to `digits` (*n_digits of them), so the number scan reads those alone:
// the tokens without a letter (Token::script == kNoScript). A number NumberOf() keeps is ASCII
// digits and separators only, so it has no letter and is among them; the others (punctuation,
// symbols) it rejects on their first byte. Until 2026-12-06 the candidates were the tokens whose
// folded form starts with a digit: a read of each token's first byte in token_text, a cache
// line apart from the token and its hashes.
[[gnu::noinline]] uint64_t WordHashes(const core::Document& doc, uint64_t* words, uint32_t* digits,
                                      size_t* n_digits) {
  const size_t n = doc.tokens.size();
  WordScan scan;
  size_t i = 0;
  if (doc.token_hashes.size() == n) {
    // The normalizer hands on every token's hashes (since 2026-12-06 those of digits and other
    // scripts too, which were hashed here by a call per token: ~21 tokens an article of the dev
    // corpus, and every token of a language without a stemmer). A missing one (0) ends this
    // loop and WordHashesFrom() goes on from that token.
    const core::Token* const tokens = doc.tokens.data();
    const core::FormHashes* const known = doc.token_hashes.data();
    uint64_t exact_hash = scan.exact_hash;
    size_t nd = 0;
    for (; i < n; ++i) {
      const core::Token& t = tokens[i];
      const uint64_t folded = known[i].folded;
      // The word: the stem's hash when the token has a stem.
      const uint64_t word = t.stem_size > 0 ? known[i].stem : folded;
      if (folded == 0 || word == 0) [[unlikely]] {
        break;
      }
      words[i] = word;
      exact_hash = ExactTextStep(exact_hash, folded);
      // Written for every token, counted for the candidates only (no branch).
      digits[nd] = static_cast<uint32_t>(i);
      nd += t.script == core::Token::kNoScript ? 1 : 0;
    }
    scan.exact_hash = exact_hash;
    scan.n_digits = nd;
  }
  if (i < n) [[unlikely]] {
    WordHashesFrom(doc, i, words, digits, &scan);
  }
  *n_digits = scan.n_digits;
  return ExactTextHash(scan.exact_hash, n);
}

}  // namespace

// Sorts v[0, m) ascending and drops repeated values (the lead set: at most lead_words values, 80
// by default); returns how many remain. The values are the low 32 bits of shingle hashes, about
// uniform: each goes into a table of 1,024 + m slots at the slot of its top 10 bits, or after the
// values of the same or lower slots that are smaller (ordered linear probing: a value that lands
// in a run of larger ones moves the rest of the run one slot on). The occupied slots, read in
// order, are then the sorted values, and a repeated value meets its copy in the probe and is not
// stored again; a bitmap of the occupied slots lists them at the end (a few instructions a
// value). With about 72 values (the dev corpus' mean) in 1,024 home slots 2 % of the values move
// a run (a memmove call); with the 256 home slots (top 8 bits) of session 15, 8 %. Either way
// about 34 instructions a value (2.53 -> 2.49 K an article: the bitmap's tests and the listing
// are most of it), as the counting sort of session 14 (+ ~7 for std::unique). By hand:
// no library sorts and de-duplicates a few dozen integers without comparisons; this is the
// address-calculation sort of any textbook. Short lists (<= 16) and long ones (> 256: a configured
// lead_words) go to std::sort + std::unique, so that values crowded into few slots cost at most the
// moves of an insertion sort of 256.
size_t SortUniqueLeadValues(uint32_t* v, size_t m) {
  if (m <= 16 || m > 256) {
    std::sort(v, v + m);
    return static_cast<size_t>(std::unique(v, v + m) - v);
  }
  constexpr int kHomeBits = 10;
  constexpr int kShift = 32 - kHomeBits;
  constexpr size_t kHome = size_t{1} << kHomeBits;
  // A value's slot is at most kHome - 1 + m (every value after its home is another value).
  const size_t slots = kHome + m;
  thread_local std::array<uint32_t, kHome + 256> scratch;
  uint32_t* const table = scratch.data();
  uint64_t used[(kHome + 256) / 64] = {};
  auto occupied = [&used](size_t p) { return ((used[p >> 6] >> (p & 63)) & 1) != 0; };
  for (size_t i = 0; i < m; ++i) {
    const uint32_t x = v[i];
    size_t p = x >> kShift;
    while (occupied(p) && table[p] < x) ++p;
    size_t e = p;  // the slot that becomes occupied
    if (occupied(p)) {
      if (table[p] == x) continue;  // repeated
      // table[p] > x: the run from p moves one slot on, into its first empty slot.
      do {
        ++e;
      } while (occupied(e));
      std::memmove(table + p + 1, table + p, (e - p) * sizeof(uint32_t));
    }
    used[e >> 6] |= uint64_t{1} << (e & 63);
    table[p] = x;
  }
  size_t n = 0;
  for (size_t w = 0; w * 64 < slots; ++w) {
    for (uint64_t bits = used[w]; bits != 0; bits &= bits - 1) {
      v[n++] = table[w * 64 + static_cast<size_t>(__builtin_ctzll(bits))];
    }
  }
  return n;
}

namespace {

// out[i] = ShingleHash(words + i, k) for i < n.
[[gnu::noinline]] void ShingleHashes(const uint64_t* words, size_t n, int k, uint64_t* out) {
  if (k == 3) {
    // Unrolled by four (~10 instructions a shingle; rolled, the loop's index, compare and jump
    // made it 13).
#pragma GCC unroll 4
    for (size_t i = 0; i < n; ++i) out[i] = FixedShingleHash<3>(words + i);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = ShingleHash(words + i, k);
  }
}

// The lead set over the opening's own words (lead_skip_quotes): from token `first` on, the
// shingles of the first lead_words words outside quotations whose words are all outside
// quotations, written to lead[]; returns their number (<= lead_words). K: the shingle size when
// known at compile time (the inner test unrolled), else 0 and `k` says.
template <int K>
size_t OwnLeadShingles(const core::Document& doc, size_t first, size_t lead_words, int k,
                       const uint64_t* shingle, uint32_t* lead) {
  const size_t kk = static_cast<size_t>(K > 0 ? K : k);
  const size_t n_tokens = doc.tokens.size();
  thread_local std::vector<uint8_t> quoted;
  QuoteScan scan(doc, first, &quoted);
  size_t own = 0;  // words outside quotations so far
  size_t m = 0;
  // Tokens past n_tokens - kk start no shingle: the loop stops before them.
  const size_t last = n_tokens >= kk ? n_tokens - kk + 1 : 0;
  size_t i = first;
  while (i < last && own < lead_words) {
    // Marks as far as this shingle's last word and the own words still wanted: no further when
    // no quotation comes (a quotation's words make it extend again).
    scan.Extend(i + kk + (lead_words - own));
    const size_t scanned = scan.end();
    const uint8_t* const q = quoted.data();  // q[i - first]: token i is inside a quotation
    // The tokens whose shingle is marked (i + kk <= scanned), a run of equal marks at a time.
    // Token i counts as an own word when unquoted, and its shingle is kept when none of its kk
    // words is quoted: in a run of r unquoted tokens the first r - kk + 1 shingles are all kept
    // (copied without a test each), the others reach the quoted token that ends the run; a run
    // of quoted tokens adds nothing. Until 2026-12-06 each token's kk marks were tested (~18
    // instructions a token; a run costs about one a token to find and two to copy).
    const size_t stop = std::min(last, scanned - kk + 1);
    while (i < stop && own < lead_words) {
      const uint8_t* const w = q + (i - first);
      if (w[0] != 0) {
        size_t z = 1;
        while (i + z < stop && w[z] != 0) ++z;
        i += z;
        continue;
      }
      // The iterations left (each of which counts an own word here), and the marks they read.
      const size_t want = std::min(stop - i, lead_words - own);
      const size_t lim = std::min(want + kk - 1, scanned - i);
      size_t r = 1;
      while (r + 8 <= lim &&
             core::form_hash_internal::Load64(reinterpret_cast<const char*>(w + r)) == 0)
        r += 8;
      while (r < lim && w[r] == 0) ++r;
      if (r >= kk) {
        // (r < lim: w[r] is quoted; r == lim: the run covers every iteration wanted.)
        const size_t run = std::min(want, r - kk + 1);
        for (size_t j = 0; j < run; ++j) lead[m + j] = static_cast<uint32_t>(shingle[i + j]);
        m += run;
        own += run;
        i += run;
      } else {
        // r < kk <= scanned - i, so w[r] is quoted: the r own words before it keep no shingle.
        const size_t words = std::min(r, want);
        own += words;
        i += words;
      }
    }
  }
  return m;
}

}  // namespace

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
  thread_local std::vector<uint32_t> digit_tokens;
  const size_t n_tokens = doc.tokens.size();
  hashes.resize(n_tokens);
  digit_tokens.resize(n_tokens);
  size_t n_digit_tokens = 0;
  const uint64_t exact_hash = WordHashes(doc, hashes.data(), digit_tokens.data(), &n_digit_tokens);
  const int k = std::max(1, options.shingle_size);
  const int shingles = static_cast<int>(n_tokens) - k + 1;
  shingle_hashes.resize(static_cast<size_t>(std::max(0, shingles)));
  ShingleHashes(hashes.data(), shingle_hashes.size(), k, shingle_hashes.data());
  sig->has_fingerprint = shingles >= options.min_shingles;
  sig->text_hash = sig->has_fingerprint ? exact_hash : 0;
  sig->simhash = sig->has_fingerprint ? SimHashOf(shingle_hashes.data(), shingle_hashes.size()) : 0;

  // Lead set: shingles over the article's opening (the first lead_words words of lead and
  // body). With lead_skip_quotes, the opening is the first lead_words words outside quotations
  // and a shingle with a quoted word is left out (see the header). At most lead_words shingles:
  // written by index into the list sized for them, then cut to the count.
  {
    size_t first = 0;
    while (first < n_tokens && doc.tokens[first].field == core::Field::kTitle) ++first;
    const size_t lead_words = static_cast<size_t>(std::max(0, options.lead_words));
    const uint64_t* const shingle = shingle_hashes.data();
    sig->lead_shingles.resize(lead_words);
    uint32_t* const lead = sig->lead_shingles.data();
    size_t m = 0;  // lead shingles so far
    if (options.lead_skip_quotes) {
      m = k == 3 ? OwnLeadShingles<3>(doc, first, lead_words, k, shingle, lead)
                 : OwnLeadShingles<0>(doc, first, lead_words, k, shingle, lead);
    }
    // Without lead_skip_quotes, or when the opening is mostly quotation (or an unbalanced mark
    // runs to the paragraph's end): the plain opening, so that such copies are still compared.
    if (!options.lead_skip_quotes || static_cast<int>(m) < options.min_shingles) {
      m = 0;
      const size_t end = std::min(n_tokens, first + lead_words);
      for (size_t i = first; i + k <= end; ++i) lead[m++] = static_cast<uint32_t>(shingle[i]);
    }
    // In text order, not as a set: the store sorts them only for the rare article whose lead
    // shares shingles with a stored one (SortUniqueLeadValues, ~2.5 K instructions an article
    // when it was done here for every article).
    sig->lead_shingles.resize(m);
  }

  // The lists below are rewritten in place: the signature is reused from article to article
  // (StoryStage keeps one per thread), so their strings keep their buffers.
  size_t n = 0;
  sig->entity_indexes.resize(doc.entities.size());
  for (const auto& e : doc.entities) {
    // Unlinked name mentions (processors/tag/names.h) are not taxonomy entities: they stay out
    // of the signature.
    if (e.type == core::kNameEntityType) continue;
    sig->entity_indexes[n] = e.taxonomy_index;
    AssignAt(&sig->entities, n++, e.id, e.salience);
  }
  sig->entities.resize(n);
  sig->entity_indexes.resize(n);
  // Held for this article only: whoever keeps the signature past it (StoryStage's per-thread
  // one) releases it, as the pipeline releases the document's (a reloaded taxonomy is freed).
  sig->taxonomy = doc.taxonomy;
  n = 0;
  for (const auto& t : doc.topics) AssignAt(&sig->topics, n++, t.id, t.score);
  sig->topics.resize(n);

  // Numbers in order of first mention (title first), the first max_numbers distinct ones: from
  // the tokens without a letter (WordHashes listed them in order).
  n = 0;
  thread_local std::string number;
  const char* const text = doc.token_text.data();
  for (size_t j = 0; j < n_digit_tokens && n < options.max_numbers; ++j) {
    const core::Token& t = doc.tokens[digit_tokens[j]];
    NumberOf(std::string_view(text + t.folded_offset, t.folded_size), &number);
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
