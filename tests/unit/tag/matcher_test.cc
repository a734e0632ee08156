// Direct tests of the Matcher (processors/tag/matcher.h): token modes, multi-token
// verification, surface conditions, Arabic bare forms, title/body separation, many patterns
// sharing a first token. Articles are tokenized by the real normalize stage.
#include "processors/tag/matcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tests/unit/tag/tag_fixture.h"

namespace newsflow::tag {
namespace {

PatternToken Exact(std::string form, std::string bare = "", std::string surface = "") {
  return {TokenMode::kExact, std::move(form), std::move(bare), std::move(surface)};
}
PatternToken Prefix(std::string form) { return {TokenMode::kPrefix, std::move(form), "", ""}; }
PatternToken Stem(std::string stem) { return {TokenMode::kStem, std::move(stem), "", ""}; }

class MatcherTest : public ::testing::Test {
 protected:
  MatcherTest() {
    // A one-pattern taxonomy, only to run decode + normalize (+ tag) for the tokens.
    auto tax = CompileInline(
        "entities: [{id: misc/z, type: organization, name: Z, aliases: {en: "
        "[Zzzq]}}]\n",
        "topic: {id: t, groups: {g: {en: [zzzq]}}, rules: [{name: r, any: "
        "[g]}]}\n");
    EXPECT_TRUE(tax.ok()) << tax.status().ToString();
    pipeline_ = std::make_unique<TaggedPipeline>(*tax);
  }

  // (pattern, token_begin, token_end) of every hit in the article.
  std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> Hits(const Matcher& m,
                                                             const std::string& title,
                                                             const std::string& body,
                                                             const std::string& lang = "en") {
    const core::Document& doc = pipeline_->Run(Article(title, body, lang));
    std::vector<core::PatternHit> hits;
    m.Match(doc.tokens, doc.token_text, {doc.article.title, doc.article.body}, &hits);
    std::vector<std::tuple<uint32_t, uint32_t, uint32_t>> out;
    for (const auto& h : hits) out.emplace_back(h.pattern, h.token_begin, h.token_end);
    return out;
  }

  std::unique_ptr<TaggedPipeline> pipeline_;
};

using Hit = std::tuple<uint32_t, uint32_t, uint32_t>;

// (pattern, token_begin, token_end) of every hit of `m` on `tokens` (of `doc`'s text).
std::vector<Hit> HitsOf(const Matcher& m, const std::vector<core::Token>& tokens,
                        const core::Document& doc) {
  std::vector<core::PatternHit> hits;
  m.Match(tokens, doc.token_text, {doc.article.title, doc.article.body}, &hits);
  std::vector<Hit> got;
  for (const auto& h : hits) got.emplace_back(h.pattern, h.token_begin, h.token_end);
  return got;
}

// A matcher's image as 64-bit words (aligned like a mapped snapshot), to be damaged by a test.
std::vector<uint64_t> ImageWords(const Matcher& m) {
  const std::span<const std::byte> image = m.image();
  std::vector<uint64_t> words(image.size() / 8);
  std::memcpy(words.data(), image.data(), image.size());
  return words;
}

// Attach()'s status on a copy of `words`, and the matcher attached to it.
std::pair<Status, std::unique_ptr<Matcher>> AttachWords(const std::vector<uint64_t>& words) {
  auto owned = std::make_shared<std::vector<uint64_t>>(words);
  auto matcher = std::make_unique<Matcher>();
  const Status status = matcher->Attach(
      {reinterpret_cast<const std::byte*>(owned->data()), owned->size() * 8}, owned);
  return {status, std::move(matcher)};
}

TEST_F(MatcherTest, ExactSingleAndMultiTokenPatterns) {
  Matcher m;
  const uint32_t a = m.Add({Exact("ceasefire")});
  const uint32_t b = m.Add({Exact("cessation"), Exact("of"), Exact("hostilities")});
  const uint32_t c = m.Add({Exact("cessation"), Exact("of"), Exact("fire")});
  m.Build();
  EXPECT_EQ(m.pattern_count(), 3u);
  // Body tokens: Talks(0) on(1) a(2) Ceasefire(3) and(4) a(5) cessation(6) of(7) hostilities(8)
  EXPECT_EQ(Hits(m, "", "Talks on a Ceasefire and a cessation of hostilities."),
            (std::vector<Hit>{{a, 3, 4}, {b, 6, 9}}));
  (void)c;
}

TEST_F(MatcherTest, PrefixAndStemModes) {
  Matcher m;
  const uint32_t p = m.Add({Prefix("перемири")});
  m.Build();
  EXPECT_EQ(Hits(m, "", "Стороны обсудили условия перемирия.", "ru"),
            (std::vector<Hit>{{p, 3, 4}}));
  EXPECT_TRUE(Hits(m, "", "Мир без перемен.", "ru").empty());

  // The Snowball English stem of "negotiations" and "negotiated" is "negoti".
  Matcher s;
  const uint32_t st = s.Add({Stem("negoti")});
  s.Build();
  EXPECT_EQ(Hits(s, "", "They negotiated. Negotiations continue.", "en"),
            (std::vector<Hit>{{st, 1, 2}, {st, 2, 3}}));
}

// The matcher takes a token's forms as views into the token arena without a range check or a
// clamp (matcher.cc, Form()): the forms at the arena's two ends (the first title word, the last
// body word) and a phrase ending at the last token still match in every mode.
TEST_F(MatcherTest, FormsAtBothEndsOfTheTokenArenaMatch) {
  Matcher m;
  const uint32_t exact = m.Add({Exact("ceasefire")});
  const uint32_t prefix = m.Add({Prefix("truc")});
  const uint32_t stem = m.Add({Stem("negoti")});
  const uint32_t phrase = m.Add({Exact("cessation"), Exact("of"), Exact("hostilities")});
  m.Build();
  const std::string title = "Ceasefire";
  const std::string body = "Negotiations on a truce and a cessation of hostilities";
  const core::Document& doc = pipeline_->Run(Article(title, body, "en"));
  // The edges are where the test means them to be: the first token's form starts the arena and
  // the last token's form ends it.
  ASSERT_EQ(doc.tokens.size(), 10u);
  const core::Token& last = doc.tokens.back();
  EXPECT_EQ(doc.tokens.front().folded_offset, 0u);
  EXPECT_EQ(std::max(last.folded_offset + last.folded_size, last.stem_offset + last.stem_size),
            doc.token_text.size());
  // Tokens: Ceasefire(0) | Negotiations(1) on(2) a(3) truce(4) and(5) a(6) cessation(7) of(8)
  // hostilities(9).
  EXPECT_EQ(Hits(m, title, body),
            (std::vector<Hit>{{exact, 0, 1}, {stem, 1, 2}, {prefix, 4, 5}, {phrase, 7, 10}}));
  // A one-word article: its only form is the whole arena.
  EXPECT_EQ(Hits(m, "", "Truce"), (std::vector<Hit>{{prefix, 0, 1}}));
}

// Pattern strings are views into the string pool without a range check (matcher.h, Str()):
// the pool's first string (the first pattern's form, "abd") and its last (the last pattern's
// surface, "US") are read whole when candidates are verified.
TEST_F(MatcherTest, PatternStringsAtBothEndsOfThePoolAreReadWhole) {
  Matcher m;
  const uint32_t talks = m.Add({Exact("abd", "", "ABD"), Exact("talks")});
  const uint32_t us = m.Add({Exact("us", "", "US")});
  m.Build();
  // Tokens: ABD(0) talks(1) The(2) US(3) told(4) us(5) Abd(6) talks(7).
  EXPECT_EQ(Hits(m, "", "ABD talks. The US told us. Abd talks."),
            (std::vector<Hit>{{talks, 0, 2}, {us, 3, 4}}));
}

TEST_F(MatcherTest, SurfaceConditionIsCaseSensitive) {
  Matcher m;
  const uint32_t us = m.Add({Exact("us", "", "US")});
  m.Build();
  EXPECT_EQ(Hits(m, "", "The US told us."), (std::vector<Hit>{{us, 1, 2}}));
}

TEST_F(MatcherTest, SurfaceConditionAllowsASuffixOrElisionAfterAnApostrophe) {
  Matcher m;
  const uint32_t abd = m.Add({Exact("abd", "", "ABD")});
  const uint32_t onu = m.Add({Exact("onu", "", "ONU")});
  m.Build();
  // Turkish case suffixes after a typographic and an ASCII apostrophe (forms from the dev
  // corpus: ABD’nin, ABD'de); tokens: ABD’nin(0) ve(1) ABD'de(2) abd'nin(3) ABDnin(4).
  EXPECT_EQ(Hits(m, "", "ABD’nin ve ABD'de abd'nin ABDnin.", "tr"),
            (std::vector<Hit>{{abd, 0, 1}, {abd, 2, 3}}));
  // French elision before the acronym: de(0) l'ONU(1) et(2) l’ONU(3) l'onu(4).
  EXPECT_EQ(Hits(m, "", "de l'ONU et l’ONU, l'onu", "fr"),
            (std::vector<Hit>{{onu, 1, 2}, {onu, 3, 4}}));
}

TEST_F(MatcherTest, ArabicBareFormsMatchWithClitics) {
  Matcher m;
  // Folded form of هدنة is هدنه (ة -> ه); the bare form is the same without clitics.
  const uint32_t h = m.Add({Exact("هدنه", "هدنه")});
  m.Build();
  const auto hits = Hits(m, "", "أعلنت الأطراف والهدنة صامدة وللهدنة شروط", "ar");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(std::get<0>(hits[0]), h);
  EXPECT_EQ(std::get<1>(hits[0]), 2u);
  EXPECT_EQ(std::get<1>(hits[1]), 4u);
}

TEST_F(MatcherTest, PatternsNeverSpanTitleAndBody) {
  Matcher m;
  const uint32_t p = m.Add({Exact("peace"), Exact("talks")});
  m.Build();
  // Title "Peace" + body "talks resume": no hit; body "peace talks": one, in the body.
  EXPECT_TRUE(Hits(m, "Peace", "talks resume").empty());
  EXPECT_EQ(Hits(m, "Peace", "peace talks"), (std::vector<Hit>{{p, 1, 3}}));
}

TEST_F(MatcherTest, ManyPatternsSharingAFirstToken) {
  Matcher m;
  std::vector<uint32_t> ids;
  for (int i = 0; i < 500; ++i)
    ids.push_back(m.Add({Exact("new"), Exact("w" + std::to_string(i))}));
  const uint32_t single = m.Add({Exact("new")});
  m.Build();
  EXPECT_EQ(Hits(m, "", "a new w499 and new w7 and new x"),
            (std::vector<Hit>{
                {ids[499], 1, 3}, {single, 1, 2}, {ids[7], 4, 6}, {single, 4, 5}, {single, 7, 8}}));
  EXPECT_GT(m.memory_bytes(), 0u);
}

// A token's folded and bare forms can reach a pattern twice: an Arabic pattern with both a form
// and a bare key (folded والهدنه = its form, bare هدنه = its bare form), and a prefix key that
// is a prefix of both poland's and its bare form poland. Each pattern is reported once per
// token, in the order found.
TEST_F(MatcherTest, EachPatternIsReportedOncePerTokenThroughFoldedAndBareForms) {
  Matcher m;
  const uint32_t both = m.Add({Exact("والهدنه", "هدنه")});
  const uint32_t bare_only = m.Add({Exact("هدنه")});
  const uint32_t polan = m.Add({Prefix("polan")});
  const uint32_t pol = m.Add({Prefix("pol")});
  const uint32_t poland = m.Add({Exact("poland")});
  m.Build();
  EXPECT_EQ(Hits(m, "", "أعلنت والهدنة صامدة", "ar"),
            (std::vector<Hit>{{both, 1, 2}, {bare_only, 1, 2}}));
  auto hits = Hits(m, "", "Poland's army and Poland.");
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return std::get<1>(a) != std::get<1>(b) ? std::get<1>(a) < std::get<1>(b) : a < b;
  });
  EXPECT_EQ(
      hits,
      (std::vector<Hit>{
          {polan, 0, 1}, {pol, 0, 1}, {poland, 0, 1}, {polan, 3, 4}, {pol, 3, 4}, {poland, 3, 4}}));
}

// Thousands of hits in one article (a bare key of 401 postings, one of them the bare-key
// posting of a pattern the folded probe found first): every hit once, in order, the folded
// probe's before the bare probe's; the next, small article on the same thread has only its
// own. (A guard for a per-thread hit buffer grown during a bare probe, tried in session 14.)
TEST_F(MatcherTest, ThousandsOfHitsInAnArticleAreEachReportedOnceInOrder) {
  Matcher m;
  const uint32_t both = m.Add({Exact("والهدنه", "هدنه")});
  std::vector<uint32_t> bare_only;
  for (int k = 0; k < 400; ++k) bare_only.push_back(m.Add({Exact("هدنه")}));
  const uint32_t second = m.Add({Exact("والهدنه"), Exact("صامده")});
  m.Build();
  std::string body;
  std::vector<Hit> expected;
  for (uint32_t k = 0; k < 6; ++k) {
    body += "والهدنة صامدة ";
    const uint32_t at = 2 * k;
    expected.push_back({both, at, at + 1});
    expected.push_back({second, at, at + 2});
    for (uint32_t p : bare_only) expected.push_back({p, at, at + 1});
  }
  EXPECT_EQ(Hits(m, "", body, "ar"), expected);
  std::vector<Hit> small = {{both, 1, 2}};
  for (uint32_t p : bare_only) small.push_back({p, 1, 2});
  EXPECT_EQ(Hits(m, "", "صامدة والهدنة", "ar"), small);
}

// Prefix keys that start alike and have one length are each found (the trie branches at their
// last byte), from the folded and from the bare form, and a token that differs from them only
// there finds none.
TEST_F(MatcherTest, PrefixKeysThatDifferOnlyInTheirLastByteAreEachFound) {
  Matcher m;
  const uint32_t negot = m.Add({Prefix("negot")});
  const uint32_t negoz = m.Add({Prefix("negoz")});
  const uint32_t hudna = m.Add({Prefix("هدن")});
  const uint32_t hudnat = m.Add({Prefix("هدنه")});
  const uint32_t hudnaz = m.Add({Prefix("هدنز")});
  m.Build();
  // negotiated(0) negozio(1) negoxx(2) nego(3)
  EXPECT_EQ(Hits(m, "", "Negotiated negozio negoxx nego."),
            (std::vector<Hit>{{negot, 0, 1}, {negoz, 1, 2}}));
  // أعلنت(0) والهدنة(1): folded والهدنه, bare هدنه; هدنز(2)
  EXPECT_EQ(Hits(m, "", "أعلنت والهدنة هدنز", "ar"),
            (std::vector<Hit>{{hudna, 1, 2}, {hudnat, 1, 2}, {hudna, 2, 3}, {hudnaz, 2, 3}}));
}

// A token whose folded and bare forms can start no prefix key still gets its exact and stem
// probes, and a token that can start a prefix key through only one of its forms (folded
// negotiated; bare هدنه of والهدنة, whose folded form is an exact key) is probed through it.
TEST_F(MatcherTest, PrefixProbesRunThroughEitherFormAndExactAndStemProbesAlways) {
  Matcher m;
  const uint32_t negot = m.Add({Prefix("negot")});
  const uint32_t hudna = m.Add({Prefix("هدن")});
  const uint32_t truce = m.Add({Exact("truce")});
  const uint32_t hold = m.Add({Stem("hold")});
  const uint32_t wal = m.Add({Exact("والهدنه")});
  m.Build();
  // truce(0) holds(1) negotiated(2) ok(3): truce, holds and ok start no prefix key.
  EXPECT_EQ(Hits(m, "", "Truce holds, negotiated ok.", "en"),
            (std::vector<Hit>{{truce, 0, 1}, {hold, 1, 2}, {negot, 2, 3}}));
  // أعلنت(0) والهدنة(1): folded والهدنه (an exact key, no prefix key starts like it), bare هدنه.
  EXPECT_EQ(Hits(m, "", "أعلنت والهدنة", "ar"), (std::vector<Hit>{{wal, 1, 2}, {hudna, 1, 2}}));
}

// Prefix keys of more than 64 distinct lengths, each a prefix of the next: one walk down the
// trie finds every one a token starts with, shortest first (the hash index before the trie
// needed another path past 64 lengths).
TEST_F(MatcherTest, PrefixKeysOfMoreThan64LengthsAreProbedLengthByLength) {
  Matcher m;
  std::vector<uint32_t> a_run;  // "a", "aa", ... 70 lengths
  for (size_t len = 1; len <= 70; ++len) a_run.push_back(m.Add({Prefix(std::string(len, 'a'))}));
  const uint32_t arabic = m.Add({Prefix("هدن")});  // found through the bare form
  m.Build();
  std::vector<Hit> expected;
  for (size_t len = 1; len <= 10; ++len) expected.emplace_back(a_run[len - 1], 1, 2);
  EXPECT_EQ(Hits(m, "", "Say aaaaaaaaaa now."), expected);
  EXPECT_EQ(Hits(m, "", "أعلنت والهدنة صامدة", "ar"), (std::vector<Hit>{{arabic, 1, 2}}));
  EXPECT_TRUE(Hits(m, "", "Nothing here.").empty());
}

// Prefix keys of every length cut from the articles' own folded and bare forms (so that keys are
// prefixes of each other, cut inside a UTF-8 sequence, and reached through either form), one-
// and two-token patterns, give the hits, in the order, of a brute-force match: per token, by key
// length, the folded form's key (its patterns in pattern order), then the bare form's when it
// is another key.
TEST_F(MatcherTest, PrefixKeysOfEveryLengthGiveTheHitsAndOrderOfABruteForceMatch) {
  struct Case {
    std::string title, body, lang;
  };
  const std::vector<Case> cases = {
      {"Negotiators negotiate", "Negotiations on the negotiated truce; the negotiators met.", "en"},
      {"Переговоры о перемирии",
       "Стороны обсудили условия перемирия, переговоры о перемирии продолжатся.", "ru"},
      {"الهدنة في غزة", "قالت الحكومة إن الهدنة في غزة صامدة وللهدنة شروط والحكومة تفاوض.", "ar"},
  };
  for (const Case& c : cases) {
    const core::Document& doc = pipeline_->Run(Article(c.title, c.body, c.lang));
    const auto& tokens = doc.tokens;
    auto folded = [&](size_t j) {
      return std::string(doc.TokenForm(tokens[j].folded_offset, tokens[j].folded_size));
    };
    auto bare = [&](size_t j) {
      return std::string(doc.TokenForm(tokens[j].bare_offset, tokens[j].bare_size));
    };
    size_t with_bare = 0;
    std::vector<std::vector<PatternToken>> patterns;
    for (size_t j = 0; j < tokens.size(); ++j) {
      with_bare += !bare(j).empty();
      for (const std::string& form : {folded(j), bare(j)}) {
        for (size_t len = 1; len <= form.size(); len += 1 + j % 3) {
          std::vector<PatternToken> p = {Prefix(form.substr(0, len))};
          // Every third a two-token pattern, whose second token follows the key only at j.
          if ((len + j) % 3 == 0 && j + 1 < tokens.size()) p.push_back(Exact(folded(j + 1)));
          patterns.push_back(std::move(p));
        }
      }
    }
    if (c.lang == "ar") {
      EXPECT_GT(with_bare, 2u);
    }
    Matcher m;
    for (const auto& p : patterns) m.Add(p);
    m.Build();

    auto matches_at = [&](const std::vector<PatternToken>& p, const std::string& key, size_t i) {
      if (p[0].form != key) return false;
      if (p.size() == 1) return true;
      return i + 1 < tokens.size() &&
             (tokens[i + 1].field == core::Field::kTitle) ==
                 (tokens[i].field == core::Field::kTitle) &&
             (folded(i + 1) == p[1].form || (!bare(i + 1).empty() && bare(i + 1) == p[1].form));
    };
    std::vector<Hit> expected;
    size_t multi_token_hits = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const std::string f = folded(i), b = bare(i);
      for (size_t len = 1; len <= std::max(f.size(), b.size()); ++len) {
        const std::string fk = len <= f.size() ? f.substr(0, len) : "";
        const std::string bk = len <= b.size() ? b.substr(0, len) : "";
        for (int side = 0; side < 2; ++side) {
          const std::string& key = side == 0 ? fk : bk;
          if (key.empty() || (side == 1 && bk == fk)) continue;
          for (size_t id = 0; id < patterns.size(); ++id) {
            if (matches_at(patterns[id], key, i)) {
              expected.emplace_back(id, i, i + patterns[id].size());
              multi_token_hits += patterns[id].size() > 1;
            }
          }
        }
      }
    }
    // Many hits, from keys nested in each other and two-token patterns among them.
    EXPECT_GT(expected.size(), 5 * tokens.size()) << c.lang;
    EXPECT_GT(multi_token_hits, 10u) << c.lang;
    EXPECT_EQ(HitsOf(m, tokens, doc), expected) << c.lang;
  }
}

// The trie's cells stay dense: thousands of keys in Latin and Cyrillic letters (nodes with one
// child and with dozens) take fewer than twice as many cells as the trie has nodes (the image
// and a snapshot's size, and its load's checks, grow with the cells), and each key is found.
TEST_F(MatcherTest, PrefixTrieOfThousandsOfKeysIsDense) {
  const std::vector<std::string> letters = {"a", "e", "i", "n", "o", "r", "s", "t",
                                            "z", "п", "р", "е", "о", "в", "и", "ы"};
  uint64_t state = 7;
  auto next = [&](uint64_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % n;
  };
  std::vector<std::string> keys;
  std::set<std::string> nodes;  // every non-empty prefix of a key is a node
  Matcher m;
  for (int k = 0; k < 4000; ++k) {
    std::string key;
    const size_t len = 3 + next(8);
    const size_t script = next(2) * 9;  // Latin or Cyrillic letters only
    for (size_t j = 0; j < len; ++j) key += letters[script + next(script == 0 ? 9 : 7)];
    for (size_t n = 1; n <= key.size(); ++n) nodes.insert(key.substr(0, n));
    m.Add({Prefix(key)});
    keys.push_back(key);
  }
  m.Build();
  const std::span<const std::byte> image = m.image();
  std::vector<uint64_t> entries(1 + 2 * 17);
  std::memcpy(entries.data(), image.data(), entries.size() * 8);
  const uint64_t cells = entries[1 + 2 * 15 + 1] / 16;  // entry 15: the trie
  EXPECT_GT(nodes.size(), 10000u);
  EXPECT_LT(cells, 2 * nodes.size());
  for (size_t k = 0; k < keys.size(); k += 97) {
    const auto hits = Hits(m, "", "Word " + keys[k] + " end.", k % 2 ? "ru" : "en");
    EXPECT_TRUE(std::any_of(hits.begin(), hits.end(), [&](const Hit& h) {
      return std::get<0>(h) == k;
    })) << keys[k];
  }
}

// Attach() checks the string table (offsets ascending) and the pattern table (1..12 tokens per
// pattern, starts ascending) of an image: a descending offset, an empty pattern, a pattern of
// 13 tokens and descending starts are each rejected, the intact image matches.
TEST_F(MatcherTest, AttachRejectsADescendingStringTableOrABadPatternLength) {
  Matcher m;
  const uint32_t p = m.Add({Exact("cessation"), Exact("of"), Exact("hostilities")});
  const uint32_t q = m.Add({Exact("truce")});
  m.Build();
  // Entries (matcher.cc Build()): 2 the string offsets (u32, id 0 is ""), 4 the pattern starts
  // (u32: 0, 3, 4).
  std::vector<uint64_t> copy = ImageWords(m);
  auto u32 = [&](std::vector<uint64_t>& words, int entry, size_t k) {
    return reinterpret_cast<uint32_t*>(reinterpret_cast<unsigned char*>(words.data()) +
                                       words[1 + 2 * entry]) +
           k;
  };
  ASSERT_EQ(copy[1 + 2 * 4 + 1], 12u);
  ASSERT_EQ(*u32(copy, 4, 1), 3u);
  {
    auto [status, intact] = AttachWords(copy);
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(Hits(*intact, "", "A truce and a cessation of hostilities."),
              (std::vector<Hit>{{q, 1, 2}, {p, 4, 7}}));
  }
  {
    std::vector<uint64_t> damaged = copy;
    const uint32_t second = *u32(damaged, 2, 2);  // the end of string 1 (> 0)
    ASSERT_GT(second, 0u);
    *u32(damaged, 2, 3) = second - 1;  // string 2 ends before it starts
    auto [status, attached] = AttachWords(damaged);
    EXPECT_NE(status.message().find("bad string table"), std::string::npos) << status.message();
  }
  // Pattern starts {0, 3, 4}: an empty first pattern {0, 0, 4}, 13 tokens {0, 13, 4}, and
  // descending starts {0, 5, 4} (whose second pattern's count would wrap).
  for (uint32_t start : {0u, 13u, 5u}) {
    std::vector<uint64_t> damaged = copy;
    *u32(damaged, 4, 1) = start;
    auto [status, attached] = AttachWords(damaged);
    EXPECT_NE(status.message().find("bad pattern table"), std::string::npos)
        << start << ": " << status.message();
  }
}

// The prefix trie is walked by base + byte without a bounds test: Attach() rejects an image
// where a cell's base + 255 lies past the cells, or a cell's postings past the postings.
TEST_F(MatcherTest, AttachRejectsATrieCellThatPointsPastTheTables) {
  Matcher m;
  const uint32_t p = m.Add({Prefix("negot")});
  m.Build();
  // Entries (matcher.cc Build()): count, pool, offsets, tokens, pattern starts, 5 per hash
  // index (exact, stem), then the trie (entry 15) and the prefix postings (16). A cell is 16
  // bytes: base, check, postings_begin, postings_count.
  std::vector<uint64_t> copy = ImageWords(m);
  const uint64_t trie_offset = copy[1 + 2 * 15];
  const uint64_t cells = copy[1 + 2 * 15 + 1] / 16;
  ASSERT_EQ(copy[1 + 2 * 16 + 1], 16u);  // one posting
  ASSERT_GE(cells, 256u);
  auto cell = [&](std::vector<uint64_t>& words, uint64_t k) {
    return reinterpret_cast<uint32_t*>(reinterpret_cast<unsigned char*>(words.data()) +
                                       trie_offset + 16 * k);
  };
  {
    auto [status, intact] = AttachWords(copy);
    ASSERT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(Hits(*intact, "", "Negotiated nego."), (std::vector<Hit>{{p, 0, 1}}));
  }
  // The cell of the key's end: the one with postings.
  uint64_t end = 0;
  for (uint64_t k = 0; k < cells; ++k) end = cell(copy, k)[3] != 0 ? k : end;
  ASSERT_NE(end, 0u);
  for (int field : {0, 2, 3}) {
    std::vector<uint64_t> damaged = copy;
    cell(damaged, field == 0 ? 0 : end)[field] =
        field == 0 ? static_cast<uint32_t>(cells - 255) : (field == 2 ? 1u : 2u);
    auto [status, attached] = AttachWords(damaged);
    EXPECT_FALSE(status.ok()) << field;
    EXPECT_NE(status.message().find("bad prefix trie"), std::string::npos) << status.message();
  }
}

// The document's token_hashes (the normalize stage's stem memo hashes, core::FormHash) stand for
// the hashes Match() would compute: with them, without them, and with a vector of the wrong size
// (ignored) the hits are the same; wrong hashes of the right size are used (and find nothing),
// so the fast path is the one under test.
TEST_F(MatcherTest, HashesHandedOverByNormalizeGiveTheSameHits) {
  Matcher m;
  const uint32_t a = m.Add({Exact("ceasefire")});
  const uint32_t b = m.Add({Stem("negoti"), Stem("continu")});
  const uint32_t c = m.Add({Stem("negoti")});
  const uint32_t d = m.Add({Exact("truce"), Stem("hold")});
  m.Build();
  const core::Document& doc =
      pipeline_->Run(Article("Ceasefire talks", "Negotiations continue; the truce holds.", "en"));
  ASSERT_EQ(doc.token_hashes.size(), doc.tokens.size());
  size_t with_stem_hash = 0;
  for (size_t i = 0; i < doc.tokens.size(); ++i) {
    const core::Token& t = doc.tokens[i];
    const std::string_view folded = doc.TokenForm(t.folded_offset, t.folded_size);
    EXPECT_EQ(doc.token_hashes[i].folded, Matcher::Hash(folded)) << folded;
    if (t.stem_size > 0) {
      EXPECT_EQ(doc.token_hashes[i].stem, Matcher::Hash(doc.TokenForm(t.stem_offset, t.stem_size)))
          << folded;
      ++with_stem_hash;
    }
  }
  EXPECT_GT(with_stem_hash, 5u);
  const SourceText source{doc.article.title, doc.article.body};
  std::vector<core::PatternHit> own;
  m.Match(doc.tokens, doc.token_text, source, &own);
  std::vector<core::PatternHit> handed;
  m.Match(doc.tokens, doc.token_text, source, &handed, doc.token_hashes);
  auto spans = [](const std::vector<core::PatternHit>& hits) {
    std::vector<Hit> out;
    for (const auto& h : hits) out.emplace_back(h.pattern, h.token_begin, h.token_end);
    return out;
  };
  // Title: Ceasefire(0) talks(1); body: Negotiations(2) continue(3) the(4) truce(5) holds(6).
  const std::vector<Hit> expected{{a, 0, 1}, {b, 2, 4}, {c, 2, 3}, {d, 5, 7}};
  EXPECT_EQ(spans(own), expected);
  EXPECT_EQ(spans(handed), expected);
  std::vector<core::FormHashes> short_by_one(doc.token_hashes.begin(), doc.token_hashes.end() - 1);
  std::vector<core::PatternHit> ignored;
  m.Match(doc.tokens, doc.token_text, source, &ignored, short_by_one);
  EXPECT_EQ(spans(ignored), expected);
  std::vector<core::FormHashes> wrong(doc.tokens.size(), core::FormHashes{1, 1});
  std::vector<core::PatternHit> none;
  m.Match(doc.tokens, doc.token_text, source, &none, wrong);
  EXPECT_TRUE(none.empty());
}

// Keys with many one-token and multi-token patterns (exact, stem and prefix second tokens;
// Arabic forms with bare forms, as keys and as second tokens; ~50 postings per key) give the
// hits, in the order, of a brute-force match of every pattern at every token: per token, the
// patterns found through the folded form's key in pattern order, then those found only through
// the bare form's key. A reference for any change to how Verify() walks a key's postings.
TEST_F(MatcherTest, ManyPatternsPerKeyGiveTheHitsAndOrderOfABruteForceMatch) {
  struct Case {
    std::string title, body, lang;
  };
  const std::vector<Case> cases = {
      {"The talks on the truce",
       "The talks on the truce resumed: the negotiators said the "
       "truce holds and the talks on the prisoners continue. The truce, the talks, the end.",
       "en"},
      {"الهدنة في غزة",
       "قالت الحكومة إن الهدنة في غزة صامدة والهدنة في الضفة هشة وللهدنة "
       "شروط، والحكومة في غزة تقول إن الهدنة في غزة صامدة.",
       "ar"},
  };
  for (const Case& c : cases) {
    const core::Document& doc = pipeline_->Run(Article(c.title, c.body, c.lang));
    const auto& tokens = doc.tokens;
    ASSERT_GT(tokens.size(), 20u) << c.lang;
    auto folded = [&](size_t j) {
      return std::string(doc.TokenForm(tokens[j].folded_offset, tokens[j].folded_size));
    };
    auto bare = [&](size_t j) {
      return std::string(doc.TokenForm(tokens[j].bare_offset, tokens[j].bare_size));
    };
    auto stem = [&](size_t j) {
      return std::string(doc.TokenForm(tokens[j].stem_offset, tokens[j].stem_size));
    };
    // Patterns from the article's own forms (so that many match, and many more fail on a later
    // token), first tokens from a few keys only: a deterministic pseudo-random mix.
    uint64_t state = 12345;
    auto next = [&](uint64_t n) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return (state >> 33) % n;
    };
    std::vector<std::vector<PatternToken>> patterns;
    std::vector<size_t> key_tokens;
    for (size_t j = 0; j < tokens.size() && key_tokens.size() < 6; ++j) {
      if (std::none_of(key_tokens.begin(), key_tokens.end(),
                       [&](size_t k) { return folded(k) == folded(j); })) {
        key_tokens.push_back(j);
      }
    }
    for (int n = 0; n < 300; ++n) {
      const size_t i = key_tokens[next(key_tokens.size())];
      std::vector<PatternToken> p;
      if (!bare(i).empty() && next(3) == 0) {
        p.push_back(Exact(bare(i)));  // found through the article's bare form only
      } else {
        p.push_back(Exact(folded(i), bare(i)));
      }
      const size_t length = std::vector<size_t>{1, 1, 2, 2, 2, 3, 4}[next(7)];
      for (size_t k = 1; k < length; ++k) {
        // Mostly the forms of the token that follows the key somewhere, else of any token.
        const size_t j = next(4) != 0 && i + k < tokens.size() ? i + k : next(tokens.size());
        switch (next(5)) {
          case 0:
            p.push_back(stem(j).empty() ? Exact(folded(j)) : Stem(stem(j)));
            break;
          case 1:
            p.push_back(Prefix(folded(j).substr(0, std::min<size_t>(folded(j).size(), 3))));
            break;
          case 2:
            p.push_back(Exact(bare(j).empty() ? folded(j) : bare(j)));
            break;
          default:
            p.push_back(Exact(folded(j), bare(j)));
        }
      }
      patterns.push_back(std::move(p));
    }
    Matcher m;
    for (const auto& p : patterns) m.Add(p);
    m.Build();

    auto token_matches = [&](const PatternToken& p, size_t j) {
      const std::string f = folded(j), b = bare(j);
      switch (p.mode) {
        case TokenMode::kExact:
          return f == p.form || (!b.empty() && (b == p.form || b == p.bare));
        case TokenMode::kPrefix:
          return f.rfind(p.form, 0) == 0 || (!b.empty() && b.rfind(p.form, 0) == 0);
        case TokenMode::kStem:
          return tokens[j].stem_size > 0 && stem(j) == p.form;
      }
      return false;
    };
    auto rest_matches = [&](const std::vector<PatternToken>& p, size_t i) {
      if (i + p.size() > tokens.size()) return false;
      for (size_t k = 1; k < p.size(); ++k) {
        if ((tokens[i + k].field == core::Field::kTitle) !=
                (tokens[i].field == core::Field::kTitle) ||
            !token_matches(p[k], i + k)) {
          return false;
        }
      }
      return true;
    };
    std::vector<Hit> expected;
    size_t multi_token_hits = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::vector<bool> found(patterns.size(), false);
      for (size_t id = 0; id < patterns.size(); ++id) {  // the folded form's key
        if (patterns[id][0].form == folded(i) && rest_matches(patterns[id], i)) {
          found[id] = true;
          expected.emplace_back(id, i, i + patterns[id].size());
        }
      }
      const std::string b = bare(i);
      for (size_t id = 0; id < patterns.size(); ++id) {  // then the bare form's key
        const PatternToken& first = patterns[id][0];
        if (!found[id] && !b.empty() && (first.form == b || first.bare == b) &&
            rest_matches(patterns[id], i)) {
          expected.emplace_back(id, i, i + patterns[id].size());
        }
      }
    }
    for (const Hit& h : expected) multi_token_hits += std::get<2>(h) - std::get<1>(h) > 1;
    // The mix has what the test is about: many hits, multi-token ones among them.
    EXPECT_GT(expected.size(), 100u) << c.lang;
    EXPECT_GT(multi_token_hits, 20u) << c.lang;

    EXPECT_EQ(HitsOf(m, tokens, doc), expected) << c.lang;
    std::vector<core::PatternHit> with_hashes;
    m.Match(tokens, doc.token_text, {doc.article.title, doc.article.body}, &with_hashes,
            doc.token_hashes);
    std::vector<Hit> got_with_hashes;
    for (const auto& h : with_hashes)
      got_with_hashes.emplace_back(h.pattern, h.token_begin, h.token_end);
    EXPECT_EQ(got_with_hashes, expected) << c.lang;
  }
}

// Verify() takes a candidate's token count from its posting (so that most candidates are
// rejected before the pattern store is read): Attach() checks it against the pattern table, so
// a damaged image is an error, never a read past the pattern or the article.
TEST_F(MatcherTest, AttachRejectsAPostingWhosePatternLengthIsNotThePatterns) {
  Matcher m;
  const uint32_t p = m.Add({Exact("cessation"), Exact("of"), Exact("hostilities")});
  m.Build();
  // The image's entry table: u64 count, then {u64 offset, u64 size} per entry. Entry 7 is the
  // exact index's postings (matcher.cc Build(): count, pool, offsets, tokens, pattern starts,
  // then slots, filter, postings per index); a posting is 16 bytes, its length at byte 7.
  const std::span<const std::byte> image = m.image();
  std::vector<uint64_t> copy(image.size() / 8);
  std::memcpy(copy.data(), image.data(), image.size());
  const uint64_t postings_offset = copy[1 + 2 * 7];
  const uint64_t postings_size = copy[1 + 2 * 7 + 1];
  ASSERT_EQ(postings_size, 16u);  // one pattern, one key
  auto* bytes = reinterpret_cast<unsigned char*>(copy.data());
  ASSERT_EQ(bytes[postings_offset + 7], 3u);
  {
    auto intact = std::make_shared<std::vector<uint64_t>>(copy);
    Matcher attached;
    ASSERT_TRUE(
        attached.Attach({reinterpret_cast<const std::byte*>(intact->data()), image.size()}, intact)
            .ok());
    EXPECT_EQ(Hits(attached, "", "A cessation of hostilities."), (std::vector<Hit>{{p, 1, 4}}));
  }
  for (unsigned char wrong : {0, 2, 4, 13, 255}) {
    bytes[postings_offset + 7] = wrong;
    auto damaged = std::make_shared<std::vector<uint64_t>>(copy);
    Matcher attached;
    const Status status = attached.Attach(
        {reinterpret_cast<const std::byte*>(damaged->data()), image.size()}, damaged);
    EXPECT_FALSE(status.ok()) << int{wrong};
    EXPECT_NE(status.message().find("bad posting"), std::string::npos) << status.message();
  }
}

}  // namespace
}  // namespace newsflow::tag
