// Signature: SimHash and lead sets of similar and different texts, numbers, event time.
#include "processors/story/signature.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <random>

#include "app/pipeline_setup.h"
#include "processors/core/form_hash.h"
#include "processors/story/sort_small.h"
#include "tests/testing/testing.h"

namespace newsflow::story {
namespace {

// Each token's word hash as the signature takes it (independently of signature.cc): the
// FormHash of its stem when it has one, else of its folded form.
std::vector<uint64_t> WordHashesOf(const core::Document& doc) {
  std::vector<uint64_t> words;
  for (const core::Token& t : doc.tokens) {
    const std::string_view form = t.stem_size > 0 ? doc.TokenForm(t.stem_offset, t.stem_size)
                                                  : doc.TokenForm(t.folded_offset, t.folded_size);
    words.push_back(core::FormHash(form.data(), form.size()));
  }
  return words;
}

class SignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pipeline_setup = app::BuildPipelineSetup("");
    ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
    pipeline_setup_ = std::move(pipeline_setup).value();
  }
  ArticleSignature Sign(const std::string& json, int64_t now = 1000,
                        const SignatureOptions& options = SignatureOptions{}) {
    schemas::RawRecord record = testing::MakeRecord(json, "application/json");
    core::Document doc(record);
    core::FixedClock clock(now);
    EXPECT_TRUE(pipeline_setup_->pipeline->ProcessDocument(doc, {&clock, "test"}).ok());
    ArticleSignature sig;
    ComputeSignature(doc, now, options, &sig);
    return sig;
  }
  std::unique_ptr<app::PipelineSetup> pipeline_setup_;
};

const char* kBody =
    "The United Nations envoy announced on Friday that the warring parties agreed to a two "
    "month truce starting on Saturday, with the possibility of extending it. The truce covers "
    "all military operations inside the country and across its borders, and fuel ships will "
    "be allowed into the port while commercial flights resume from the capital airport.";

// SortSmall gives std::sort's order: for 16 values or fewer libstdc++'s std::sort is a stable
// insertion sort, and so is SortSmall, so equal keys keep their order in both (the store's scan
// order compares entities by their list length alone); past 16 it is std::sort. Random lists of
// 0-40 (key, tag) pairs with many equal keys, by the key alone, and strings.
TEST(SortSmallTest, SameOrderAsStdSortTiesIncluded) {
  std::mt19937 rng(121);
  auto by_key = [](const std::pair<int, int>& a, const std::pair<int, int>& b) {
    return a.first < b.first;
  };
  for (int round = 0; round < 2000; ++round) {
    const size_t n = rng() % 41;
    std::vector<std::pair<int, int>> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = {static_cast<int>(rng() % 5), static_cast<int>(i)};
    std::vector<std::pair<int, int>> expected = v;
    std::sort(expected.begin(), expected.end(), by_key);
    SortSmall(v.data(), v.size(), by_key);
    if (n <= 16) {
      ASSERT_EQ(v, expected) << n;
    } else {
      ASSERT_TRUE(std::is_sorted(v.begin(), v.end(), by_key)) << n;
    }
    std::vector<std::string> words(n % 24);
    for (auto& w : words) w = std::to_string(rng() % 1000) + std::string(rng() % 20, 'x');
    std::vector<std::string> sorted = words;
    std::sort(sorted.begin(), sorted.end());
    SortSmall(words.data(), words.size());
    ASSERT_EQ(words, sorted);
  }
}

// HammingDistance counts bits by hand (no popcnt in the x86-64 baseline): the compiler's count
// over single bits, all bits, alternating patterns and random values.
TEST(HammingDistanceTest, CountsTheDifferingBitsAsTheBuiltinDoes) {
  EXPECT_EQ(HammingDistance(0, 0), 0);
  EXPECT_EQ(HammingDistance(0, ~uint64_t{0}), 64);
  EXPECT_EQ(HammingDistance(0x5555555555555555ull, 0xAAAAAAAAAAAAAAAAull), 64);
  for (int b = 0; b < 64; ++b) EXPECT_EQ(HammingDistance(uint64_t{1} << b, 0), 1) << b;
  std::mt19937_64 rng(117);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t a = rng(), c = rng() & rng();  // c: sparser bits
    ASSERT_EQ(HammingDistance(a, c), __builtin_popcountll(a ^ c)) << a << " " << c;
  }
}

TEST_F(SignatureTest, SameTextGivesTheSameHashesAndAnEditedCopyIsClose) {
  const std::string a = std::string(R"({"id":"a","title":"Truce agreed","body":")") + kBody + "\"}";
  const std::string b = std::string(R"({"id":"b","title":"Truce agreed","body":")") + kBody + "\"}";
  std::string edited = kBody;
  edited.replace(edited.find("Friday"), 6, "Thursday");
  const std::string c =
      std::string(R"({"id":"c","title":"Truce agreed","body":")") + edited + "\"}";
  const ArticleSignature sa = Sign(a), sb = Sign(b), sc = Sign(c);
  ASSERT_TRUE(sa.has_fingerprint);
  EXPECT_EQ(sa.text_hash, sb.text_hash);
  EXPECT_EQ(sa.simhash, sb.simhash);
  EXPECT_NE(sa.text_hash, sc.text_hash);
  EXPECT_LE(HammingDistance(sa.simhash, sc.simhash), 12);
  EXPECT_FALSE(sa.lead_shingles.empty());
}

TEST_F(SignatureTest, UnrelatedTextsAreFarApart) {
  const ArticleSignature a =
      Sign(std::string(R"({"id":"a","title":"Truce","body":")") + kBody + "\"}");
  const ArticleSignature b = Sign(
      R"({"id":"b","title":"Football","body":"The home side won the cup final after extra time )"
      R"(in front of a record crowd, with two late goals from the young striker who joined )"
      R"(the club last summer from a second division team in the north of the country."})");
  EXPECT_GE(HammingDistance(a.simhash, b.simhash), 16);
}

// The lead values as a set (the signature lists them in text order, repeats included).
std::vector<uint32_t> LeadSet(std::vector<uint32_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

double Jaccard(std::vector<uint32_t> a, std::vector<uint32_t> b) {
  a = LeadSet(std::move(a));
  b = LeadSet(std::move(b));
  std::vector<uint32_t> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  const size_t uni = a.size() + b.size() - both.size();
  return uni == 0 ? 0.0 : static_cast<double>(both.size()) / static_cast<double>(uni);
}

// A statement that two independent reports both quote at length.
const char* kQuote =
    "The parties to the conflict have accepted to renew the truce for two more months under "
    "the same terms, and I call on them to use this time to agree on the opening of roads and "
    "the payment of public salaries without delay";

TEST_F(SignatureTest, LeadSetLeavesQuotationsOut) {
  const std::string a =
      std::string(R"({"id":"a","title":"Truce renewed","body":"Aden, Saturday. )") +
      R"(The envoy of the United Nations said in a written statement: \")" + kQuote +
      R"(.\" Residents of the port city welcomed the news while local )"
      R"(traders hoped fuel prices would finally fall this month."})";
  const std::string b =
      std::string(R"({"id":"b","title":"UN: truce extended","body":"In a brief announcement )") +
      R"(from his office, Hans Grundberg declared: “)" + kQuote +
      R"(.” Analysts in Riyadh expect the talks on prisoners to resume soon, a diplomat told )"
      R"(our correspondent."})";
  const ArticleSignature sa = Sign(a), sb = Sign(b);
  ASSERT_GE(sa.lead_shingles.size(), 8u);
  ASSERT_GE(sb.lead_shingles.size(), 8u);
  // Without quotations the two openings share nothing; with them, the quote dominates.
  EXPECT_LT(Jaccard(sa.lead_shingles, sb.lead_shingles), 0.05);
  SignatureOptions with_quotes;
  with_quotes.lead_skip_quotes = false;
  const ArticleSignature qa = Sign(a, 1000, with_quotes), qb = Sign(b, 1000, with_quotes);
  EXPECT_GT(Jaccard(qa.lead_shingles, qb.lead_shingles), 0.30);
  // A republished copy with the same quotation still matches fully.
  std::string copy = a;
  copy.replace(copy.find(R"("id":"a")"), 8, R"("id":"c")");
  EXPECT_EQ(Jaccard(sa.lead_shingles, Sign(copy).lead_shingles), 1.0);
}

TEST_F(SignatureTest, MostlyQuotedOrUnbalancedOpeningFallsBackToThePlainLead) {
  // An opening quotation mark never closed runs to the paragraph's end: nearly every word is
  // "quoted", so the lead set is the plain opening (still compared), not empty.
  const std::string json = std::string(R"({"id":"u","title":"Statement","body":"\")") + kBody +
                           R"( And more words follow in the same paragraph here."})";
  SignatureOptions plain;
  plain.lead_skip_quotes = false;
  const ArticleSignature s = Sign(json), p = Sign(json, 1000, plain);
  EXPECT_FALSE(s.lead_shingles.empty());
  EXPECT_EQ(s.lead_shingles, p.lead_shingles);
}

TEST_F(SignatureTest, QuotedTokensFollowMarksOfSeveralScriptsAndEndAtTheParagraph) {
  schemas::RawRecord record = testing::MakeRecord(
      R"({"id":"q","title":"T","body":"one «two three» four “five” six \"seven\nnine ten"})",
      "application/json");
  core::Document doc(record);
  core::FixedClock clock(0);
  ASSERT_TRUE(pipeline_setup_->pipeline->ProcessDocument(doc, {&clock, "test"}).ok());
  size_t first = 0;
  while (first < doc.tokens.size() && doc.tokens[first].field == core::Field::kTitle) ++first;
  std::vector<uint8_t> quoted;
  QuotedTokens(doc, first, doc.tokens.size(), &quoted);
  std::string marked;
  for (size_t i = first; i < doc.tokens.size(); ++i) {
    marked += std::string(doc.TokenForm(doc.tokens[i].folded_offset, doc.tokens[i].folded_size)) +
              (quoted[i - first] != 0 ? "+ " : "- ");
  }
  EXPECT_EQ(marked, "one- two+ three+ four- five+ six- seven+ nine- ten- ");
}

TEST_F(SignatureTest, NumbersDropSeparatorsYearsAndSingleDigits) {
  const ArticleSignature s = Sign(
      R"({"id":"n","title":"Swap","body":"They agreed to exchange 1,000 prisoners each in 2025, )"
      R"(after 3 hours; another 1.200 later and 6000 bodies."})");
  EXPECT_EQ(s.numbers, (std::vector<std::string>{"1000", "1200", "6000"}));
}

// Digits of other scripts are folded to 0-9 by the normalizer and kept; a token with a letter
// is no number however it starts ("5km", "g7"). (The number scan reads only the tokens without
// a letter.)
TEST_F(SignatureTest, NumbersInOtherScriptsDigitsAndNotInWordsWithDigits) {
  const ArticleSignature s =
      Sign(R"({"id":"n2","title":"Swap 5km","body":"٢٥٠ prisoners and ५०० more were freed; the g7 )"
           R"(met 12km away; 1,500 others wait and 0042 left."})");
  EXPECT_EQ(s.numbers, (std::vector<std::string>{"1500", "250", "42", "500"}));
}

TEST_F(SignatureTest, EventTimeIsPublishedElseKafkaElseClock) {
  const ArticleSignature published =
      Sign(R"({"id":"p","title":"t","body":"b","published":"2025-05-16T10:00:00Z"})", 5);
  EXPECT_EQ(published.time_basis, "published");
  EXPECT_EQ(published.event_time_ms, 1747389600000);
  const ArticleSignature clock = Sign(R"({"id":"q","title":"t","body":"b"})", 42);
  EXPECT_EQ(clock.time_basis, "clock");
  EXPECT_EQ(clock.event_time_ms, 42);
  EXPECT_FALSE(clock.has_fingerprint);  // too short
}

// The straightforward SimHash: 64 counters, one shift-mask-add per bit and hash.
uint64_t NaiveSimHash(const std::vector<uint64_t>& hashes) {
  uint64_t ones[64] = {};
  for (uint64_t h : hashes) {
    for (int b = 0; b < 64; ++b) ones[b] += (h >> b) & 1;
  }
  uint64_t out = 0;
  for (int b = 0; b < 64; ++b) {
    if (2 * ones[b] > hashes.size()) out |= uint64_t{1} << b;
  }
  return out;
}

TEST(SimHashOfTest, BitSlicedCountingEqualsPerBitCounting) {
  std::mt19937_64 rng(7);
  std::vector<size_t> sizes = {255, 256, 1000, 4097, 70000};
  for (size_t n = 0; n <= 200; ++n) sizes.push_back(n);  // every block and tail length
  for (size_t n : sizes) {
    std::vector<uint64_t> random(n), skewed(n), same(n, 0xF0F0F0F0F0F0F0F1ull);
    for (size_t i = 0; i < n; ++i) {
      random[i] = rng();
      skewed[i] = rng() & rng() & rng();  // an eighth of the bits set
    }
    // Exactly half of the hashes with a bit: not a majority, so the bit stays clear.
    std::vector<uint64_t> half(n);
    for (size_t i = 0; i < n; ++i) half[i] = (i % 2 == 0) ? ~uint64_t{0} : 0;
    for (const auto* v : {&random, &skewed, &same, &half}) {
      EXPECT_EQ(SimHashOf(v->data(), v->size()), NaiveSimHash(*v)) << "n=" << n;
    }
  }
  const std::vector<uint64_t> all(5, ~uint64_t{0});
  EXPECT_EQ(SimHashOf(all.data(), all.size()), ~uint64_t{0});
}

// The signature computed the straightforward way (each word's form hashed here with
// core::FormHash instead of taken from doc.token_hashes, each shingle hashed for the SimHash and
// again for the lead set, 64 counters per shingle, the whole quotation scan): ComputeSignature
// must give the same values, so no decision depends on its shortcuts.
ArticleSignature ReferenceSignature(const core::Document& doc, int64_t now,
                                    const SignatureOptions& options) {
  ArticleSignature ref;
  ComputeSignature(doc, now, options, &ref);  // the fields that were not changed
  auto shingle_hash = [](const std::vector<uint64_t>& hashes, size_t i, int k) {
    return ShingleHash(&hashes[i], k);
  };
  const std::vector<uint64_t> hashes = WordHashesOf(doc);
  // The exact-text hash: the polynomial sum f_i * M^(n-i) (plus the seed's term) of the folded
  // forms' hashes f_i, evaluated term by term here, then folded with the word count.
  const uint64_t m = 0xD6E8FEB86659FD93ull;
  const size_t n = doc.tokens.size();
  uint64_t exact_sum = 0;
  uint64_t power = 1;  // M^(n-1-i), from the last word back
  for (size_t i = n; i-- > 0;) {
    const core::Token& t = doc.tokens[i];
    const std::string_view folded = doc.TokenForm(t.folded_offset, t.folded_size);
    exact_sum += core::FormHash(folded.data(), folded.size()) * power;
    power *= m;
  }
  exact_sum += 0x9E3779B97F4A7C15ull * power;  // the seed's term, M^n
  const uint64_t exact_hash = core::form_hash_internal::MulFold(
      exact_sum ^ 0x243F6A8885A308D3ull, uint64_t{n} ^ 0xC2B2AE3D27D4EB4Full);
  const int k = std::max(1, options.shingle_size);
  const int shingles = static_cast<int>(hashes.size()) - k + 1;
  ref.has_fingerprint = shingles >= options.min_shingles;
  ref.text_hash = ref.has_fingerprint ? exact_hash : 0;
  ref.simhash = 0;
  if (ref.has_fingerprint) {
    std::vector<uint64_t> all;
    for (int i = 0; i < shingles; ++i) all.push_back(shingle_hash(hashes, i, k));
    ref.simhash = NaiveSimHash(all);
  }
  ref.lead_shingles.clear();
  size_t first = 0;
  while (first < doc.tokens.size() && doc.tokens[first].field == core::Field::kTitle) ++first;
  const size_t lead_words = static_cast<size_t>(std::max(0, options.lead_words));
  auto plain_lead = [&] {
    ref.lead_shingles.clear();
    const size_t end = std::min(hashes.size(), first + lead_words);
    for (size_t i = first; i + k <= end; ++i) {
      ref.lead_shingles.push_back(static_cast<uint32_t>(shingle_hash(hashes, i, k)));
    }
  };
  if (options.lead_skip_quotes) {
    std::vector<uint8_t> quoted;
    QuotedTokens(doc, first, doc.tokens.size(), &quoted);
    size_t own = 0;
    for (size_t i = first; i < hashes.size() && own < lead_words; ++i) {
      if (quoted[i - first] != 0) continue;
      ++own;
      if (i + k > hashes.size()) continue;
      bool in_quote = false;
      for (int j = 1; j < k; ++j) in_quote |= quoted[i - first + j] != 0;
      if (!in_quote) ref.lead_shingles.push_back(static_cast<uint32_t>(shingle_hash(hashes, i, k)));
    }
    if (static_cast<int>(ref.lead_shingles.size()) < options.min_shingles) plain_lead();
  } else {
    plain_lead();
  }
  // In text order, a recurring shingle each time, as ComputeSignature lists them.
  return ref;
}

// SimHash reads every bit of every shingle hash: over the corpora's shingles (word hashes from
// the normalizer) each bit must be set about half the time, and the hash must depend on the
// words' order and on every word.
TEST_F(SignatureTest, ShingleHashBitsAreBalancedAndDependOnOrder) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  std::vector<int64_t> ones(64, 0);
  int64_t shingles = 0, order_same = 0;
  testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
    const std::vector<uint64_t> words = WordHashesOf(doc);
    for (size_t i = 0; i + 3 <= words.size(); ++i) {
      const uint64_t h = ShingleHash(&words[i], 3);
      for (int b = 0; b < 64; ++b) ones[static_cast<size_t>(b)] += (h >> b) & 1;
      ++shingles;
      if (words[i] != words[i + 1]) {
        const uint64_t swapped[3] = {words[i + 1], words[i], words[i + 2]};
        order_same += ShingleHash(swapped, 3) == h ? 1 : 0;
      }
    }
  });
  ASSERT_GT(shingles, 20000);
  for (int b = 0; b < 64; ++b) {
    const double share = static_cast<double>(ones[static_cast<size_t>(b)]) / shingles;
    EXPECT_NEAR(share, 0.5, 0.02) << "bit " << b;
  }
  EXPECT_EQ(order_same, 0);
  const uint64_t a[3] = {1, 2, 3}, b[3] = {1, 2, 4}, c[3] = {4, 2, 3};
  EXPECT_NE(ShingleHash(a, 3), ShingleHash(b, 3));
  EXPECT_NE(ShingleHash(a, 3), ShingleHash(c, 3));
  EXPECT_NE(ShingleHash(a, 1), ShingleHash(c, 1));  // k = 1: the word alone, mixed
  EXPECT_EQ(ShingleHash(a, 2), ShingleHash(b, 2));  // the third word is not in a 2-shingle
}

// ShingleHash XORs its words' rotated hashes before one multiply-fold, so two shingles that
// share words differ only through the words they do not share. SimHash needs neighbouring
// shingles' bits to be independent (each agrees with its neighbour's about half the time), and
// the lead set, which keeps the low 32 bits, needs distinct shingles to keep distinct values
// (about n^2 / 2^33 collisions among n distinct shingles, as for a random function): both over
// the corpora's real word hashes, for the default k = 3 and for k = 2 and 5.
TEST_F(SignatureTest, OverlappingShinglesHaveIndependentBitsAndDistinctLeadValues) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  std::vector<std::vector<uint64_t>> texts;
  testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
    texts.push_back(WordHashesOf(doc));
  });
  for (int k : {2, 3, 5}) {
    std::vector<int64_t> agree(64, 0);
    int64_t pairs = 0;
    std::map<std::vector<uint64_t>, uint32_t> distinct;  // a shingle's words -> its lead value
    for (const std::vector<uint64_t>& words : texts) {
      for (size_t i = 0; i + static_cast<size_t>(k) <= words.size(); ++i) {
        const uint64_t h = ShingleHash(&words[i], k);
        distinct.emplace(std::vector<uint64_t>(words.begin() + static_cast<std::ptrdiff_t>(i),
                                               words.begin() + static_cast<std::ptrdiff_t>(i) + k),
                         static_cast<uint32_t>(h));
        if (i + static_cast<size_t>(k) + 1 > words.size()) continue;
        if (std::equal(&words[i], &words[i] + k, &words[i + 1])) continue;  // a repeated word
        const uint64_t next = ShingleHash(&words[i + 1], k);
        for (int b = 0; b < 64; ++b) agree[static_cast<size_t>(b)] += ((h ^ next) >> b & 1) ^ 1;
        ++pairs;
      }
    }
    ASSERT_GT(pairs, 20000) << "k=" << k;
    for (int b = 0; b < 64; ++b) {
      const double share = static_cast<double>(agree[static_cast<size_t>(b)]) / pairs;
      EXPECT_NEAR(share, 0.5, 0.02) << "k=" << k << " bit " << b;
    }
    std::vector<uint32_t> values;
    for (const auto& [shingle, value] : distinct) values.push_back(value);
    std::sort(values.begin(), values.end());
    const auto collisions = values.end() - std::unique(values.begin(), values.end());
    const double n = static_cast<double>(distinct.size());
    EXPECT_LE(static_cast<double>(collisions), 4.0 + 3.0 * n * n / 8589934592.0)
        << "k=" << k << ", " << distinct.size() << " distinct shingles";
  }
}

// QuotedTokens the straightforward way: every byte between tokens compared with every
// quotation mark (the marks as the header lists them), no search for the next candidate byte
// and no runs of tokens.
std::vector<uint8_t> NaiveQuotedTokens(const core::Document& doc, size_t first, size_t end) {
  enum Kind { kOpen, kClose, kEither };
  const std::vector<std::pair<std::string_view, Kind>> marks = {
      {"\"", kEither},           {"\xC2\xAB", kEither},     {"\xC2\xBB", kEither},
      {"\xE2\x80\x9C", kEither}, {"\xE2\x80\x9D", kEither}, {"\xE2\x80\x9E", kOpen},
      {"\xE2\x80\x9F", kOpen},   {"\xE3\x80\x8C", kOpen},   {"\xE3\x80\x8E", kOpen},
      {"\xE3\x80\x8D", kClose},  {"\xE3\x80\x8F", kClose},  {"\xEF\xBC\x82", kEither}};
  std::vector<uint8_t> out;
  core::Field field = core::Field::kTitle;
  std::string_view text;
  int depth = 0;
  size_t pos = 0;
  for (size_t i = first; i < end && i < doc.tokens.size(); ++i) {
    const core::Token& t = doc.tokens[i];
    if (t.field == core::Field::kTitle) {
      out.push_back(0);
      continue;
    }
    if (t.field != field) {
      field = t.field;
      text = field == core::Field::kLead ? std::string_view(doc.lead) : std::string_view(doc.body);
      depth = 0;
      pos = 0;
    }
    while (pos < std::min<size_t>(t.begin, text.size())) {
      if (text[pos] == '\n') {
        depth = 0;
        ++pos;
        continue;
      }
      size_t n = 1;
      for (const auto& [mark, kind] : marks) {
        if (text.substr(pos, mark.size()) != mark) continue;
        if (kind == kOpen || (kind == kEither && depth == 0)) {
          ++depth;
        } else if (depth > 0) {
          --depth;
        }
        n = mark.size();
        break;
      }
      pos += n;
    }
    out.push_back(depth > 0 ? 1 : 0);
    pos = std::max<size_t>(pos, t.end);
  }
  return out;
}

// The quotation scan jumps between the bytes that may start a mark and marks whole runs of
// tokens between them: it must mark every token as the byte-by-byte scan does, on every corpus
// article, from the opening's first token and from other starts, to the end and to a limit.
TEST_F(SignatureTest, QuotedTokensEqualTheByteByByteScanOnTheCorpora) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  int64_t quoted_tokens = 0;
  const int articles =
      testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
        const size_t n = doc.tokens.size();
        size_t lead = 0;
        while (lead < n && doc.tokens[lead].field == core::Field::kTitle) ++lead;
        for (const auto& [first, end] : std::vector<std::pair<size_t, size_t>>{
                 {0, n}, {lead, n}, {lead, lead + 83}, {lead + 7, n}, {n / 2, n}}) {
          std::vector<uint8_t> quoted;
          QuotedTokens(doc, first, end, &quoted);
          EXPECT_EQ(quoted, NaiveQuotedTokens(doc, first, end))
              << doc.article.id << " tokens " << first << ".." << end;
          if (first == 0 && end == n) {
            quoted_tokens += std::count(quoted.begin(), quoted.end(), uint8_t{1});
          }
        }
      });
  EXPECT_GT(articles, 100);
  EXPECT_GT(quoted_tokens, 1000);  // the corpora quote: the scan's marks are exercised
}

// The numbers the straightforward way: every token's folded form read (not only the ones
// ComputeSignature lists as candidates), separators dropped, leading zeros stripped, one-digit
// numbers and years 1900-2100 left out, the first max_numbers distinct ones, sorted.
std::vector<std::string> ReferenceNumbers(const core::Document& doc, size_t max_numbers) {
  std::vector<std::string> out;
  for (const core::Token& t : doc.tokens) {
    if (out.size() >= max_numbers) break;
    const std::string_view folded = doc.TokenForm(t.folded_offset, t.folded_size);
    if (folded.empty() || folded[0] < '0' || folded[0] > '9') continue;
    std::string digits;
    bool plain = true;
    for (char c : folded) {
      if (c >= '0' && c <= '9') {
        digits.push_back(c);
      } else if (std::string_view(",.' ").find(c) == std::string_view::npos) {
        plain = false;
      }
    }
    if (!plain) continue;
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
    if (digits.size() < 2) continue;
    if (digits.size() == 4 && digits >= "1900" && digits <= "2100") continue;
    if (std::find(out.begin(), out.end(), digits) == out.end()) out.push_back(digits);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(SignatureTest, NumbersEqualTheEveryTokenScanOnTheCorpora) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  SignatureOptions few;
  few.max_numbers = 2;
  size_t numbers = 0, capped = 0;
  const int articles =
      testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
        for (const SignatureOptions& options : {SignatureOptions{}, few}) {
          ArticleSignature sig;
          ComputeSignature(doc, 0, options, &sig);
          EXPECT_EQ(sig.numbers, ReferenceNumbers(doc, options.max_numbers)) << doc.article.id;
          numbers += sig.numbers.size();
          capped += sig.numbers.size() == options.max_numbers ? 1 : 0;
        }
      });
  EXPECT_GT(articles, 100);
  EXPECT_GT(numbers, 200u);  // the corpora mention numbers: the scan is exercised
  EXPECT_GT(capped, 20u);    // and the max_numbers cut
}

// SortUniqueLeadValues gives what std::sort + std::unique give: on the corpora's shingle values
// (the lead sets' own values, every length up to 300 so that the short, table and long paths all
// run, each list also with some of its values repeated), and on values crowded into one slot or
// into the last slots, repeated, or in descending order (each call also relies on the previous
// one having left its table empty).
TEST_F(SignatureTest, SortUniqueLeadValuesEqualsStdSortAndUnique) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  std::vector<uint32_t> values;
  testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
    const std::vector<uint64_t> words = WordHashesOf(doc);
    for (size_t i = 0; i + 3 <= words.size(); ++i) {
      values.push_back(static_cast<uint32_t>(ShingleHash(&words[i], 3)));
    }
  });
  ASSERT_GT(values.size(), 20000u);
  size_t repeats = 0;
  auto check = [&](std::vector<uint32_t> v) {
    std::vector<uint32_t> want = v;
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    repeats += v.size() - want.size();
    const size_t n = SortUniqueLeadValues(v.data(), v.size());
    v.resize(n);
    return v == want;
  };
  size_t at = 0;
  for (size_t m = 0; m <= 300; ++m) {
    std::vector<uint32_t> v(values.begin() + static_cast<std::ptrdiff_t>(at),
                            values.begin() + static_cast<std::ptrdiff_t>(at + m));
    EXPECT_TRUE(check(v)) << m;
    // The same list with every third value repeated further on (a lead set repeats a shingle
    // when its opening repeats words).
    for (size_t i = 0; i < m; i += 3) v.push_back(v[i]);
    std::rotate(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    EXPECT_TRUE(check(v)) << m << " with repeats";
    at = (at + m) % (values.size() - 300);
  }
  for (size_t m : {17u, 80u, 200u, 256u}) {
    std::vector<uint32_t> crowded, last, last4, repeated, descending;
    for (size_t i = 0; i < m; ++i) {
      crowded.push_back(0xABC00000u | (values[i] & 0x3FFFFFu));  // one home slot (top 10 bits)
      last.push_back(0xFFC00000u | (values[i] & 0x3FFFFFu));     // the last: runs past 1,024
      last4.push_back(0xFF000000u | (values[i] & 0xFFFFFFu));    // the last four
      repeated.push_back(values[i % 5]);
      descending.push_back(static_cast<uint32_t>(0xFFFFFFFFu - i * 1000003u));
    }
    EXPECT_TRUE(check(crowded)) << m;
    EXPECT_TRUE(check(last)) << m;
    EXPECT_TRUE(check(last4)) << m;
    EXPECT_TRUE(check(repeated)) << m;
    EXPECT_TRUE(check(descending)) << m;
  }
  EXPECT_GT(repeats, 5000u);  // the de-duplication ran
}

// The exact-text hash tells texts apart exactly when their folded word sequences differ: over
// the corpora's articles (each also with two neighbouring words swapped and with its last word
// dropped), equal sequences have equal hashes and different ones different hashes.
TEST_F(SignatureTest, ExactTextHashIsEqualExactlyForEqualFoldedSequences) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  SignatureOptions options;
  options.min_shingles = 0;  // every text hashed
  std::map<std::string, uint64_t> by_text;
  std::map<uint64_t, std::string> by_hash;
  auto add = [&](const core::Document& doc) {
    std::string text;
    for (const core::Token& t : doc.tokens) {
      text.append(doc.TokenForm(t.folded_offset, t.folded_size)).push_back('\0');
    }
    ArticleSignature sig;
    ComputeSignature(doc, 0, options, &sig);
    auto [t, new_text] = by_text.emplace(text, sig.text_hash);
    EXPECT_EQ(t->second, sig.text_hash) << doc.article.id;
    auto [h, new_hash] = by_hash.emplace(sig.text_hash, text);
    EXPECT_EQ(h->second, text) << doc.article.id;
  };
  testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
    add(doc);
    add(doc);  // the same text again: the same hash
    if (doc.tokens.size() < 3) return;
    core::Document swapped = doc;
    const size_t mid = swapped.tokens.size() / 2;
    std::swap(swapped.tokens[mid], swapped.tokens[mid + 1]);
    swapped.token_hashes.clear();
    add(swapped);
    core::Document shorter = doc;
    shorter.tokens.pop_back();
    shorter.token_hashes.clear();
    add(shorter);
  });
  EXPECT_GT(by_text.size(), 300u);
}

TEST_F(SignatureTest, SameValuesAsTheReferenceOnTheCorpora) {
  std::vector<std::string> files = testing::DevCorpusFiles();
  if (auto stories = testing::StoryCorpusPath()) files.push_back(*stories);
  if (files.empty()) GTEST_SKIP() << "no corpus found";
  const SignatureOptions defaults;
  SignatureOptions plain;
  plain.lead_skip_quotes = false;
  SignatureOptions small;
  small.shingle_size = 2;
  small.lead_words = 20;
  // Shingles of one word (each own word's shingle kept) and of five, over a long opening (runs of
  // own words longer than 8 tokens, quotations inside the opening).
  SignatureOptions single;
  single.shingle_size = 1;
  single.lead_words = 40;
  SignatureOptions five;
  five.shingle_size = 5;
  five.lead_words = 200;
  int fingerprints = 0;
  const int articles =
      testing::ForEachProcessedArticle(files, *pipeline_setup_->pipeline, [&](core::Document& doc) {
        for (const SignatureOptions* options :
             std::vector<const SignatureOptions*>{&defaults, &plain, &small, &single, &five}) {
          ArticleSignature sig;
          ComputeSignature(doc, 0, *options, &sig);
          const ArticleSignature ref = ReferenceSignature(doc, 0, *options);
          fingerprints += sig.has_fingerprint ? 1 : 0;
          EXPECT_EQ(sig.has_fingerprint, ref.has_fingerprint) << doc.article.id;
          EXPECT_EQ(sig.text_hash, ref.text_hash) << doc.article.id;
          EXPECT_EQ(sig.simhash, ref.simhash) << doc.article.id;
          EXPECT_EQ(sig.lead_shingles, ref.lead_shingles) << doc.article.id;
        }
        // The normalizer hands on every token's hashes (digits and other scripts too).
        ASSERT_EQ(doc.token_hashes.size(), doc.tokens.size()) << doc.article.id;
        for (const core::FormHashes& h : doc.token_hashes) ASSERT_NE(h.folded, 0u);
        // Hashes missing from the middle on (WordHashes' loop stops there and the slow path goes
        // on), and none at all (every word hashed here): the same values.
        ArticleSignature with_hashes, partly, without;
        ComputeSignature(doc, 0, defaults, &with_hashes);
        for (size_t i = doc.token_hashes.size() / 2; i < doc.token_hashes.size(); i += 3) {
          doc.token_hashes[i] = {};
        }
        ComputeSignature(doc, 0, defaults, &partly);
        EXPECT_EQ(partly.text_hash, with_hashes.text_hash) << doc.article.id;
        EXPECT_EQ(partly.simhash, with_hashes.simhash) << doc.article.id;
        EXPECT_EQ(partly.lead_shingles, with_hashes.lead_shingles) << doc.article.id;
        EXPECT_EQ(partly.numbers, with_hashes.numbers) << doc.article.id;
        doc.token_hashes.clear();
        ComputeSignature(doc, 0, defaults, &without);
        EXPECT_EQ(without.text_hash, with_hashes.text_hash) << doc.article.id;
        EXPECT_EQ(without.simhash, with_hashes.simhash) << doc.article.id;
        EXPECT_EQ(without.lead_shingles, with_hashes.lead_shingles) << doc.article.id;
        EXPECT_EQ(without.numbers, with_hashes.numbers) << doc.article.id;
      });
  EXPECT_GT(articles, 100);
  EXPECT_GT(fingerprints, articles);  // most articles have one under each option set
}

}  // namespace
}  // namespace newsflow::story
