// StoryStore: joining, opening, windows and expiry, near-duplicates, remote states and merges.
#include "processors/story/story_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <iterator>
#include <memory>
#include <random>

namespace newsflow::story {
namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1700000000000;

ArticleSignature Article(const std::string& id, int64_t t,
                         std::vector<std::pair<std::string, double>> entities,
                         std::vector<std::pair<std::string, double>> topics = {},
                         std::vector<std::string> numbers = {}) {
  ArticleSignature s;
  s.article_id = id;
  s.source = "outlet-" + id;
  s.language = "en";
  s.title = "title " + id;
  s.event_time_ms = t;
  s.time_basis = "published";
  s.entities = std::move(entities);
  s.topics = std::move(topics);
  s.numbers = std::move(numbers);
  return s;
}

StoryStoreConfig Config() {
  StoryStoreConfig c;
  c.instance_id = "test";
  return c;
}

TEST(StoryStoreTest, SimilarArticlesJoinAndDifferentOnesOpenStories) {
  StoryStore store(Config());
  const auto a = store.Assign(
      Article("a", kT0, {{"country/yemen", 0.9}, {"org/un", 0.5}}, {{"ceasefire_talks", 0.9}}));
  EXPECT_TRUE(a.opened);
  EXPECT_EQ(a.story_id.substr(0, 3), "st-");
  const auto b = store.Assign(Article("b", kT0 + kHour, {{"country/yemen", 0.8}, {"org/un", 0.4}},
                                      {{"ceasefire_talks", 0.8}}));
  EXPECT_FALSE(b.opened);
  EXPECT_EQ(b.story_id, a.story_id);
  EXPECT_EQ(b.article_count, 2);
  EXPECT_NE(b.explanation.find("country/yemen"), std::string::npos) << b.explanation;
  const auto c = store.Assign(Article("c", kT0 + kHour, {{"sports/psg", 0.9}}, {{"sports", 0.9}}));
  EXPECT_TRUE(c.opened);
  EXPECT_NE(c.story_id, a.story_id);
  EXPECT_EQ(store.Stats().open, 2);
}

// The story's latest articles (core::StoryArticle) name their source and language through
// views of the store's stable copies: views handed out for an early article still read the
// same names after thousands of later articles interned new names (the store's name table
// grew and moved its short strings many times), and the list is the story's last
// recent_articles articles, oldest first, an article without a source or language naming none.
TEST(StoryStoreTest, RecentArticlesKeepTheirNamesWhileTheStoreInternsMore) {
  StoryStoreConfig config = Config();
  config.recent_articles = 8;
  StoryStore store(config);
  struct Expected {
    int64_t time;
    std::string source, language;
  };
  std::vector<Expected> joined;
  std::vector<core::StoryArticle> early;  // views handed out for the third article
  const std::vector<std::string> languages = {"en", "fr", "", "de"};
  std::string story_id;
  for (int k = 0; k < 20; ++k) {
    ArticleSignature a = Article("j" + std::to_string(k), kT0 + k * 60000,
                                 {{"country/yemen", 0.9}, {"org/un", 0.5}}, {{"talks", 0.9}});
    a.source = k % 5 == 4 ? "" : "o" + std::to_string(k % 3);  // short: stored in the string
    a.language = languages[k % languages.size()];
    const Assignment r = store.Assign(a);
    if (k == 0) story_id = r.story_id;
    ASSERT_EQ(r.story_id, story_id) << k;
    joined.push_back({a.event_time_ms, a.source, a.language});
    if (k == 2) early = r.recent;
    // The last recent_articles articles, oldest first.
    const size_t n = std::min<size_t>(joined.size(), 8);
    ASSERT_EQ(r.recent.size(), n) << k;
    for (size_t i = 0; i < n; ++i) {
      const Expected& e = joined[joined.size() - n + i];
      EXPECT_EQ(r.recent[i].time_ms, e.time) << k << " " << i;
      EXPECT_EQ(r.recent[i].source, e.source) << k << " " << i;
      EXPECT_EQ(r.recent[i].language, e.language) << k << " " << i;
    }
  }
  // Many new names (each article its own entities, numbers, source and language).
  std::vector<core::StoryArticle> into;  // the caller's vector, as the story stage passes it
  for (int k = 0; k < 3000; ++k) {
    const std::string t = std::to_string(k);
    ArticleSignature a =
        Article("x" + t, kT0 + 2 * kHour, {{"e/" + t, 0.9}, {"f/" + t, 0.4}}, {}, {"n" + t});
    a.source = "s" + t;
    a.language = "l" + t;
    store.Assign(a, StateOutput::kNone, &into);
    ASSERT_EQ(into.size(), 1u);
    EXPECT_EQ(into[0].source, a.source);
    EXPECT_EQ(into[0].language, a.language);
  }
  ASSERT_EQ(early.size(), 3u);
  for (size_t i = 0; i < early.size(); ++i) {
    EXPECT_EQ(early[i].time_ms, joined[i].time);
    EXPECT_EQ(early[i].source, joined[i].source) << i;
    EXPECT_EQ(early[i].language, joined[i].language) << i;
  }
  EXPECT_TRUE(early[2].language.empty());  // languages[2]
}

TEST(StoryStoreTest, AnArticleOutsideTheWindowOpensANewStory) {
  StoryStore store(Config());
  const auto a = store.Assign(Article("a", kT0, {{"country/yemen", 0.9}}));
  const auto b = store.Assign(Article("b", kT0 + 72 * kHour, {{"country/yemen", 0.9}}));
  EXPECT_NE(a.story_id, b.story_id);
}

TEST(StoryStoreTest, StoriesExpireByEventTimeAndMaxOpenIsABound) {
  StoryStoreConfig c = Config();
  c.max_open = 3;
  StoryStore store(c);
  store.Assign(Article("a", kT0, {{"e/a", 1}}));
  store.Assign(Article("b", kT0 + 100 * kHour, {{"e/b", 1}}));  // a closes (48 h + 6 h)
  EXPECT_EQ(store.Stats().open, 1);
  EXPECT_EQ(store.Stats().expired, 1);
  for (int i = 0; i < 5; ++i) {
    store.Assign(
        Article("x" + std::to_string(i), kT0 + 100 * kHour, {{"e/x" + std::to_string(i), 1}}));
  }
  EXPECT_EQ(store.Stats().open, 3);
  EXPECT_EQ(store.Stats().evicted, 3);
}

TEST(StoryStoreTest, ALateArticleStillFindsTheStoryItsLateSiblingOpened) {
  StoryStore store(Config());
  store.Assign(Article("new", kT0 + 500 * kHour, {{"e/other", 1}}));
  const auto a = store.Assign(Article("late1", kT0, {{"e/late", 1}}));
  const auto b = store.Assign(Article("late2", kT0 + kHour, {{"e/late", 1}}));
  EXPECT_EQ(a.story_id, b.story_id);
}

TEST(StoryStoreTest, NearDuplicatesNameTheEarliestArticleAndJoinItsStory) {
  StoryStore store(Config());
  ArticleSignature a = Article("a", kT0, {{"e/a", 1}});
  a.has_fingerprint = true;
  a.text_hash = 42;
  a.simhash = 0xF0F0F0F0F0F0F0F0ull;
  const auto ra = store.Assign(a);
  EXPECT_TRUE(ra.duplicate_of.empty());
  ArticleSignature b = Article("b", kT0 + kHour, {{"e/zzz", 1}});  // different entities
  b.has_fingerprint = true;
  b.text_hash = 43;
  b.simhash = a.simhash ^ 0x7;  // 3 bits apart
  const auto rb = store.Assign(b);
  EXPECT_EQ(rb.duplicate_of, "a");
  EXPECT_EQ(rb.duplicate_distance, 3);
  EXPECT_EQ(rb.story_id, ra.story_id);
  ArticleSignature c = Article("c", kT0 + kHour, {{"e/zzz", 1}});
  c.has_fingerprint = true;
  c.text_hash = 43;  // b's text exactly: still the earliest, a
  c.simhash = b.simhash;
  EXPECT_EQ(store.Assign(c).duplicate_of, "a");
  ArticleSignature d = Article("d", kT0 + kHour, {{"e/q", 1}});
  d.has_fingerprint = true;
  d.text_hash = 44;
  d.simhash = a.simhash ^ 0xF00;  // 4 bits from a, 7 from b: not a duplicate
  EXPECT_TRUE(store.Assign(d).duplicate_of.empty());
  EXPECT_EQ(store.Stats().exact_duplicates, 1);
  EXPECT_EQ(store.Stats().near_duplicates, 1);
}

TEST(StoryStoreTest, EditedCopiesAreFoundThroughTheLeadSets) {
  StoryStore store(Config());
  ArticleSignature a = Article("a", kT0, {{"e/a", 1}});
  a.has_fingerprint = true;
  a.text_hash = 1;
  a.simhash = 0;
  for (uint32_t i = 0; i < 40; ++i) a.lead_shingles.push_back(i);
  store.Assign(a);
  ArticleSignature b = Article("b", kT0, {{"e/b", 1}});
  b.has_fingerprint = true;
  b.text_hash = 2;
  b.simhash = ~uint64_t{0};
  for (uint32_t i = 30; i < 70; ++i) b.lead_shingles.push_back(i);  // 10 shared of 70: 0.14
  EXPECT_TRUE(store.Assign(b).duplicate_of.empty());
  ArticleSignature c = b;
  c.article_id = "c";
  c.text_hash = 3;
  c.simhash = 0x5555555555555555ull;  // far from both: only the lead sets can match
  c.lead_shingles.clear();
  // 20 shared of 60 with a (0.33), 30 of 50 with b (0.6): the closer one wins.
  for (uint32_t i = 20; i < 60; ++i) c.lead_shingles.push_back(i);
  const auto rc = store.Assign(c);
  EXPECT_EQ(rc.duplicate_of, "b");
  EXPECT_NEAR(rc.lead_jaccard, 0.6, 1e-9);
}

TEST(StoryStoreTest, RedeliveredArticleKeepsItsStoryId) {
  StoryStore one(Config());
  StoryStore two(Config());
  const auto a = one.Assign(Article("same", kT0, {{"e/a", 1}}));
  const auto b = two.Assign(Article("same", kT0, {{"e/a", 1}}));
  EXPECT_EQ(a.story_id, b.story_id);  // deterministic id on any instance
}

TEST(StoryStoreTest, RemoteStatesMergeAsACounterPerWriter) {
  StoryStoreConfig ca = Config();
  ca.instance_id = "A";
  StoryStoreConfig cb = Config();
  cb.instance_id = "B";
  StoryStore a(ca), b(cb);
  const auto first = a.Assign(Article("a1", kT0, {{"e/x", 1}, {"e/y", 1}}));
  b.ApplyRemote(first.state);
  const auto second = b.Assign(Article("b1", kT0 + kHour, {{"e/x", 1}, {"e/y", 1}}));
  EXPECT_EQ(second.story_id, first.story_id);  // b restored a's story and joined it
  const auto third = a.Assign(Article("a2", kT0 + kHour, {{"e/x", 1}, {"e/y", 1}}));
  a.ApplyRemote(second.state);
  b.ApplyRemote(third.state);
  b.ApplyRemote(first.state);  // an old record again: no change (max per writer)
  auto sa = a.Find(first.story_id);
  auto sb = b.Find(first.story_id);
  ASSERT_TRUE(sa && sb);
  EXPECT_EQ(sa->ArticleCount(), 3);
  EXPECT_EQ(sb->ArticleCount(), 3);
  EXPECT_EQ(EncodeStoryState(*sa).size() > 0, true);
  EXPECT_EQ(sa->counts, sb->counts);
}

// A replay (the start-up restore) keeps the topic's stories as their writers left them: two
// matching stories stay apart, their articles counted once each; the live tail merges them.
TEST(StoryStoreTest, AReplayDoesNotMergeMatchingStoriesTheTailDoes) {
  StoryStoreConfig ca = Config();
  ca.instance_id = "A";
  StoryStoreConfig cb = Config();
  cb.instance_id = "B";
  StoryStoreConfig cr = Config();
  cr.instance_id = "R";
  StoryStore a(ca), b(cb), replay(cr), tail(cr);
  const auto ra = a.Assign(Article("x1", kT0, {{"e/x", 1}, {"e/y", 1}}, {{"t", 1}}));
  const auto rb = b.Assign(Article("x2", kT0, {{"e/x", 1}, {"e/y", 1}}, {{"t", 1}}));
  ASSERT_NE(ra.story_id, rb.story_id);
  EXPECT_TRUE(replay.ApplyRemote(ra.state, /*match_open=*/false).empty());
  EXPECT_TRUE(replay.ApplyRemote(rb.state, /*match_open=*/false).empty());
  EXPECT_EQ(replay.Stats().open, 2);
  EXPECT_EQ(replay.Find(ra.story_id)->ArticleCount(), 1);
  EXPECT_EQ(replay.Find(rb.story_id)->ArticleCount(), 1);
  tail.ApplyRemote(ra.state);
  EXPECT_EQ(tail.ApplyRemote(rb.state).size(), 2u) << "the loser and the winner changed";
  EXPECT_EQ(tail.Stats().open, 1);
}

TEST(StoryStoreTest, TwoInstancesOpeningTheSameStoryMergeIntoTheLowerId) {
  StoryStoreConfig ca = Config();
  ca.instance_id = "A";
  StoryStoreConfig cb = Config();
  cb.instance_id = "B";
  StoryStore a(ca), b(cb);
  const auto ra = a.Assign(Article("x1", kT0, {{"e/x", 1}, {"e/y", 1}}, {{"t", 1}}));
  const auto rb = b.Assign(Article("x2", kT0, {{"e/x", 1}, {"e/y", 1}}, {{"t", 1}}));
  ASSERT_NE(ra.story_id, rb.story_id);
  const std::string winner = std::min(ra.story_id, rb.story_id);
  const std::string loser = std::max(ra.story_id, rb.story_id);
  const auto changed_a = a.ApplyRemote(rb.state);
  const auto changed_b = b.ApplyRemote(ra.state);
  ASSERT_EQ(changed_a.size(), 2u);
  EXPECT_EQ(changed_a[0].id, loser);
  EXPECT_EQ(changed_a[0].merged_into, winner);
  EXPECT_EQ(changed_a[1].id, winner);
  for (StoryStore* s : {&a, &b}) {
    auto w = s->Find(winner);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->id, winner);
    EXPECT_EQ(w->ArticleCount(), 2);
    EXPECT_EQ(s->Find(loser)->id, winner);  // the loser resolves to the winner
    EXPECT_EQ(s->Stats().open, 1);
  }
  // Later articles of either instance go to the winner, and a late record of the loser does
  // not count its articles twice.
  EXPECT_EQ(b.Assign(Article("x3", kT0, {{"e/x", 1}, {"e/y", 1}}, {{"t", 1}})).story_id, winner);
  a.ApplyRemote(rb.state);
  EXPECT_EQ(a.Find(winner)->ArticleCount(), 2);
}

TEST(StoryStoreTest, StateRoundTripsThroughStoryV1) {
  StoryStore store(Config());
  const auto r = store.Assign(Article("a", kT0, {{"e/x", 0.5}}, {{"t", 0.7}}, {"1000"}));
  auto decoded = DecodeStoryState(EncodeStoryState(r.state));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->id, r.story_id);
  EXPECT_EQ(decoded->counts, r.state.counts);
  EXPECT_EQ(decoded->first_seen_ms, kT0);
  EXPECT_EQ(decoded->entities, r.state.entities);
  EXPECT_EQ(decoded->numbers, (std::vector<std::string>{"1000"}));
  EXPECT_FALSE(DecodeStoryState(R"({"schema":"newsflow.story.v1"})").ok());
  EXPECT_FALSE(DecodeStoryState("not json").ok());
}

// Regression (seen in the two-instance integration test): the loser's merged_into record, from
// another partition, was applied before the winner's first record; the loser stayed open.
TEST(StoryStoreTest, AMergeRecordBeforeItsWinnerIsHeldUntilTheWinnerArrives) {
  StoryStoreConfig ca = Config();
  ca.instance_id = "A";
  StoryStoreConfig cb = Config();
  cb.instance_id = "B";
  StoryStore a(ca), b(cb);
  const auto ra = a.Assign(Article("x1", kT0, {{"e/x", 1}, {"e/y", 1}}, {{"t", 1}}));
  const auto rb = b.Assign(Article("x2", kT0, {{"e/x", 1}, {"e/y", 1}}, {{"t", 1}}));
  const auto changed = a.ApplyRemote(rb.state);  // [loser with merged_into, winner]
  ASSERT_EQ(changed.size(), 2u);
  const StoryState& loser = changed[0];
  const StoryState& winner = changed[1];
  StoryStoreConfig cr = Config();
  cr.instance_id = "R";
  StoryStore restored(cr);
  // Loser's own record, then its merge record, then the winner.
  const StoryState& loser_first = loser.id == ra.story_id ? ra.state : rb.state;
  restored.ApplyRemote(loser_first);
  restored.ApplyRemote(loser);
  restored.ApplyRemote(winner);
  const auto open = restored.OpenStories();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].id, winner.id);
  EXPECT_EQ(open[0].ArticleCount(), 2);
}

// The exact-text and SimHash-band lookups (one flat table) against a brute-force reference
// over the FIFO: the table grows several times from its first size, fingerprints leave it all
// the time (backward-shift deletion), exact copies, copies of copies a few bits apart (ties of
// distance included: the earliest wins) and new texts are mixed.
TEST(StoryStoreTest, NearDuplicateLookupsAreWhatABruteForceScanFinds) {
  StoryStoreConfig config = Config();
  config.lead_jaccard = 0;  // the SimHash and exact paths only
  config.max_fingerprints = 15000;
  StoryStore store(config);
  std::mt19937_64 rng(5);
  struct Ref {
    uint64_t seq;
    std::string root;
    uint64_t text_hash;
    uint64_t simhash;
  };
  std::deque<Ref> fifo;
  uint64_t next_seq = 0;
  int exact = 0, near = 0, ties = 0, fresh = 0;
  for (int i = 0; i < 40000; ++i) {
    ArticleSignature s = Article("a" + std::to_string(i), kT0, {});
    s.has_fingerprint = true;
    s.text_hash = rng();
    s.simhash = rng();
    const uint64_t kind = rng() % 10;
    if (!fifo.empty() && kind < 5) {
      // A copy of a recent fingerprint: the same text, or 1-3 of its low 6 bits flipped (so
      // that copies of copies are often equally far from two of them).
      const Ref& target = fifo[fifo.size() - 1 - rng() % std::min<size_t>(fifo.size(), 20000)];
      s.simhash = target.simhash;
      if (kind == 0) {
        s.text_hash = target.text_hash;
      } else {
        for (uint64_t k = 0, n = 1 + rng() % 3; k < n; ++k) s.simhash ^= uint64_t{1} << (rng() % 6);
      }
    }
    // The reference: the store trims its FIFO before the lookup.
    while (fifo.size() > static_cast<size_t>(config.max_fingerprints)) fifo.pop_front();
    const Ref* want = nullptr;
    int want_distance = -1;
    for (const Ref& r : fifo) {
      if (r.text_hash == s.text_hash) {
        want = &r;
        want_distance = 0;
        break;
      }
    }
    if (want == nullptr) {
      int best = 4, at_best = 0;
      for (const Ref& r : fifo) {  // oldest first: the first at the best distance wins
        const int d = HammingDistance(r.simhash, s.simhash);
        if (d < best) {
          best = d;
          want = &r;
          at_best = 1;
        } else if (d == best) {
          ++at_best;
        }
      }
      if (want != nullptr) {
        want_distance = best;
        ties += at_best > 1 ? 1 : 0;
      }
    }
    const Assignment a = store.Assign(s, StateOutput::kNone);
    ASSERT_EQ(a.duplicate_of, want != nullptr ? want->root : "") << "article " << i;
    ASSERT_EQ(a.duplicate_distance, want_distance) << "article " << i;
    (want == nullptr ? fresh : want_distance == 0 ? exact : near) += 1;
    if (want == nullptr || want_distance > 0) {
      fifo.push_back(
          {next_seq++, want != nullptr ? want->root : s.article_id, s.text_hash, s.simhash});
    }
  }
  EXPECT_EQ(store.Stats().fingerprints, static_cast<int64_t>(fifo.size()));
  // Every path was taken many times.
  EXPECT_GT(exact, 1000);
  EXPECT_GT(near, 5000);
  EXPECT_GT(ties, 500);
  EXPECT_GT(fresh, 5000);
}

// The band table grows while an article's own entries go in (its load limit is crossed by one of
// the article's four band keys), and each of its later keys must still land where a lookup from
// the key's home finds it. The fill ends just after such a growth: the band table starts at
// 65,536 slots and doubles past 80 % load, i.e. at its 52,429th and 104,858th entries (the
// latter is the second band key of article 26,214). Every article is then looked up, newest
// first (a later growth would re-place every entry), through each of its four band entries
// alone: a copy that keeps band k and has one bit flipped in each other band (distance 3; the
// bit differs per k, so the copies of an article share no band key with each other) is found
// only through the article's band-k entry.
TEST(StoryStoreTest, EveryBandEntryIsFoundAfterTheTableGrewMidArticle) {
  StoryStoreConfig config = Config();
  config.lead_jaccard = 0;  // the SimHash and exact paths only
  config.max_fingerprints = 1000000;
  StoryStore store(config);
  std::mt19937_64 rng(23);
  constexpr int kArticles = 26215;
  std::vector<uint64_t> simhashes(kArticles);
  for (int i = 0; i < kArticles; ++i) {
    ArticleSignature s = Article("a" + std::to_string(i), kT0, {});
    s.has_fingerprint = true;
    s.text_hash = rng();
    s.simhash = simhashes[static_cast<size_t>(i)] = rng();
    const Assignment a = store.Assign(s, StateOutput::kNone);
    // Random 64-bit SimHashes: a neighbour within 3 bits is (all but) impossible.
    ASSERT_EQ(a.duplicate_of, "") << "article " << i;
  }
  ASSERT_EQ(store.Stats().fingerprints, kArticles);
  for (int i = kArticles - 1; i >= 0; --i) {
    for (int k = 0; k < 4; ++k) {
      ArticleSignature s = Article("copy" + std::to_string(i) + "-" + std::to_string(k), kT0, {});
      s.has_fingerprint = true;
      s.text_hash = rng();
      s.simhash = simhashes[static_cast<size_t>(i)];
      for (int j = 0; j < 4; ++j) {
        if (j != k) s.simhash ^= uint64_t{1} << (16 * j + 3 * k + 1);
      }
      const Assignment a = store.Assign(s, StateOutput::kNone);
      ASSERT_EQ(a.duplicate_of, "a" + std::to_string(i)) << "article " << i << ", band " << k;
      ASSERT_EQ(a.duplicate_distance, 3) << "article " << i << ", band " << k;
    }
  }
}

// Records written while the store's weight-text cache turns over (more stories than its
// entries, each coming back with changed and unchanged weights, some merged from another
// writer's record by max) are still exactly the encoded states.
TEST(StoryStoreTest, RecordsStayTheEncodedStateWhileTheWeightCacheTurnsOver) {
  StoryStore store(Config());
  std::mt19937_64 rng(3);
  constexpr int kStories = 5000;  // more than the cache's 4,096 entries
  int compared = 0, joined = 0;
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < kStories; ++k) {
      // The story's own rare entity, always with the same weight (its text can be reused), and
      // shared ones whose weights change with every article.
      ArticleSignature s =
          Article("r" + std::to_string(round) + "-" + std::to_string(k), kT0 + round * 60000,
                  {{"story/" + std::to_string(k), 0.5},
                   {"country/c" + std::to_string(rng() % 40), 0.1 + (rng() % 1000) / 1000.0},
                   {"org/o" + std::to_string(rng() % 300), 0.3}},
                  {{"topic-" + std::to_string(rng() % 7), 0.25 + (rng() % 100) / 400.0}},
                  {std::to_string(k % 97)});
      const Assignment a = store.Assign(s, StateOutput::kRecord);
      const auto state = store.Find(a.story_id);
      ASSERT_TRUE(state.has_value());
      ASSERT_EQ(a.record, EncodeStoryState(*state)) << "round " << round << " story " << k;
      ++compared;
      joined += a.opened ? 0 : 1;
      if (round == 1 && k % 50 == 0) {
        // Another writer's state with higher weights: merged by max, then the next record.
        StoryState remote = *state;
        remote.counts = {{"other", 1}};
        for (auto& [id, w] : remote.entities) w += 0.125;
        store.ApplyRemote(remote);
      }
    }
  }
  EXPECT_EQ(compared, 3 * kStories);
  EXPECT_GT(joined, kStories) << "stories came back with more articles";
}

// A taxonomy snapshot for the tests: only its identity matters to the store.
class TestSnapshot : public core::Snapshot {
 public:
  const std::string& version() const override { return version_; }

 private:
  std::string version_ = "test";
};

// Entities interned through their taxonomy index (ArticleSignature::taxonomy and
// entity_indexes, the store's per-snapshot id cache) decide exactly as through their text: the
// same stories, scores and states as a store given the same signatures without a taxonomy. The
// third snapshot numbers the same entities otherwise (index i is another entity than in the
// first two): ids cached for an earlier snapshot must not be used for it (a store that kept
// them would put other entities into the stories).
TEST(StoryStoreTest, EntitiesInternedByTaxonomyIndexDecideAsByTheirText) {
  StoryStore by_index(Config());
  StoryStore by_text(Config());
  std::mt19937_64 rng(20);
  constexpr int kEntities = 40;
  auto first = std::make_shared<TestSnapshot>();
  auto reloaded = std::make_shared<TestSnapshot>();  // the same numbering, another snapshot
  auto renumbered = std::make_shared<TestSnapshot>();
  int joined = 0;
  for (int i = 0; i < 3000; ++i) {
    const int phase = i / 1000;
    const std::shared_ptr<const core::Snapshot> snapshot =
        phase == 0   ? std::shared_ptr<const core::Snapshot>(first)
        : phase == 1 ? std::shared_ptr<const core::Snapshot>(reloaded)
                     : std::shared_ptr<const core::Snapshot>(renumbered);
    std::vector<std::pair<std::string, double>> entities;
    std::vector<uint32_t> indexes;
    // A few entities of a small pool (stories share them), in any order, sometimes one
    // without an index (kNoTaxonomyIndex: interned by its text).
    for (int n = 1 + static_cast<int>(rng() % 4); n > 0; --n) {
      const auto e = static_cast<uint32_t>(rng() % kEntities);
      if (std::any_of(entities.begin(), entities.end(),
                      [&](const auto& x) { return x.first == "e/" + std::to_string(e); })) {
        continue;
      }
      entities.emplace_back("e/" + std::to_string(e), 0.2 + 0.1 * static_cast<double>(rng() % 8));
      const uint32_t index = phase == 2 ? (e * 7 + 3) % kEntities : e;
      indexes.push_back(rng() % 10 == 0 ? core::EntityResult::kNoTaxonomyIndex : index);
    }
    std::vector<std::pair<std::string, double>> topics;
    if (rng() % 2 == 0) topics.emplace_back("topic-" + std::to_string(rng() % 3), 0.9);
    std::vector<std::string> numbers;
    if (rng() % 3 == 0) numbers.push_back(std::to_string(100 + rng() % 5));
    ArticleSignature text = Article("a" + std::to_string(i), kT0 + i * 60000, std::move(entities),
                                    std::move(topics), std::move(numbers));
    ArticleSignature indexed = text;
    indexed.taxonomy = snapshot;
    indexed.entity_indexes = indexes;
    const Assignment a = by_index.Assign(indexed, StateOutput::kRecord);
    const Assignment b = by_text.Assign(text, StateOutput::kRecord);
    ASSERT_EQ(a.story_id, b.story_id) << "article " << i;
    ASSERT_EQ(a.score, b.score) << "article " << i;
    ASSERT_EQ(a.opened, b.opened) << "article " << i;
    ASSERT_EQ(a.record, b.record) << "article " << i;
    joined += a.opened ? 0 : 1;
  }
  EXPECT_GT(joined, 500) << "stories must grow for the comparison to mean something";
  // The store remembers which snapshot its ids are of without keeping it (a reloaded taxonomy
  // is freed).
  EXPECT_EQ(renumbered.use_count(), 1);
  const auto states_a = by_index.OpenStories();
  const auto states_b = by_text.OpenStories();
  ASSERT_EQ(states_a.size(), states_b.size());
  for (size_t i = 0; i < states_a.size(); ++i) {
    EXPECT_EQ(EncodeStoryState(states_a[i]), EncodeStoryState(states_b[i]));
  }
}

// The store's own story.v1 encoder (RecordLocked: the cached items text with only the changed
// weights written anew, the instance id's JSON text, the lists, times and fingerprint as last
// written) against the reference encoder on many random stories: weights of every length (0.0
// to past 2^36, where the double's own digits are written) that change or stay from one article
// to the next, names with and without escapes in every list, an instance id that needs escapes,
// other writers' records merged in (weights raised by max, new items, writers and languages),
// and the record cache turning over.
TEST(StoryStoreTest, RandomRecordsAreTheEncodedState) {
  StoryStoreConfig config = Config();
  config.instance_id = "in\"st\\ance-19";
  StoryStore store(config);
  std::mt19937_64 rng(19);
  const std::vector<std::string> names = {"country/yemen",
                                          "org/\"q\"",
                                          "person/a\\b",
                                          "city/aden",
                                          "org/опек",
                                          "x\ty",
                                          "topic-a-rather-long-name-0123456789",
                                          "a"};
  auto name = [&](const std::string& prefix) {
    return prefix + names[rng() % names.size()] + std::to_string(rng() % 4);
  };
  auto weight = [&]() -> double {
    switch (rng() % 6) {
      case 0:
        return static_cast<double>(rng() % 10000) / 10000.0;
      case 1:
        return static_cast<double>(rng() % 1000000) / 10000.0;
      case 2:
        return static_cast<double>(rng() % 100000000000000ull);  // up to 1e14 (past 2^36)
      case 3:
        return 0.1 * static_cast<double>(rng() % 7);
      default:
        return static_cast<double>(rng() % 100) / 100.0 + 1e-5 * static_cast<double>(rng() % 3);
    }
  };
  constexpr int kStories = 4500;  // more than the record cache's 4,096 entries
  int compared = 0, joined = 0, merged = 0;
  for (int i = 0; i < 12000; ++i) {
    // Mostly a few hot stories (records of the same story in a row), else any of kStories.
    const int k = static_cast<int>(rng() % 3 == 0 ? rng() % 8 : rng() % kStories);
    std::vector<std::pair<std::string, double>> entities = {{"story/" + std::to_string(k), 0.9}};
    for (int n = static_cast<int>(rng() % 4); n > 0; --n)
      entities.emplace_back(name("e/"), weight());
    std::vector<std::pair<std::string, double>> topics;
    for (int n = static_cast<int>(rng() % 3); n > 0; --n) topics.emplace_back(name("t/"), weight());
    std::vector<std::string> numbers;
    for (int n = static_cast<int>(rng() % 3); n > 0; --n) numbers.push_back(name(""));
    ArticleSignature s =
        Article("art-" + std::to_string(i) + (i % 5 == 0 ? "\"x" : ""), kT0 + i * 1000,
                std::move(entities), std::move(topics), std::move(numbers));
    if (rng() % 4 == 0) s.source = name("src/");
    if (rng() % 4 == 0) s.language = names[rng() % names.size()];
    if (rng() % 3 == 0) s.title = "t " + name("\"");
    const Assignment a = store.Assign(s, StateOutput::kRecord);
    const auto state = store.Find(a.story_id);
    ASSERT_TRUE(state.has_value());
    ASSERT_EQ(a.record, EncodeStoryState(*state)) << "article " << i;
    ++compared;
    joined += a.opened ? 0 : 1;
    if (rng() % 40 == 0) {
      // Another writer's record: higher weights for some items, a new entity, number and
      // language; the story's next record writes them.
      StoryState remote = *state;
      remote.counts = {{rng() % 2 ? "other" : "o\"ther", static_cast<int64_t>(1 + rng() % 3)}};
      for (auto& [id, w] : remote.entities) {
        if (rng() % 2 == 0) w += weight();
      }
      if (rng() % 2 == 0) remote.entities.emplace_back(name("remote/"), weight());
      if (rng() % 2 == 0) remote.numbers.push_back(name("n"));
      if (rng() % 2 == 0) remote.languages.push_back(name("l"));
      std::sort(remote.entities.begin(), remote.entities.end());
      std::sort(remote.numbers.begin(), remote.numbers.end());
      std::sort(remote.languages.begin(), remote.languages.end());
      store.ApplyRemote(remote);
      ++merged;
    }
  }
  EXPECT_EQ(compared, 12000);
  EXPECT_GT(joined, 3000) << "stories came back with more articles";
  EXPECT_GT(merged, 100);
}

// Records of stories whose entity, topic or number names need JSON escapes (and of stories
// whose names need none, with the plain copy) are the encoded state byte for byte: the store
// decides per interned name whether its record may skip the escape scan.
// Topic ids, numbers, languages and sources of at most 24 bytes are found through a cache keyed
// by their bytes (StoryStore::ShortName): names of every size from 1 to 26 bytes, each also with
// one byte changed at every position, are each their own name. Every name is the topic, number,
// language and source of one story's articles, twice (the second time from the cache): each
// story then lists that one name, never another's.
TEST(StoryStoreTest, ShortNamesAreTheirOwnWhateverByteDiffers) {
  StoryStore store(Config());
  std::vector<std::string> names;
  for (size_t n = 1; n <= 26; ++n) {
    std::string base;
    for (size_t i = 0; i < n; ++i) base.push_back(static_cast<char>('a' + (i * 7 + n) % 26));
    names.push_back(base);
    for (size_t i = 0; i < n; ++i) {
      std::string v = base;
      v[i] = static_cast<char>(v[i] ^ 0x20);  // the same letter in upper case
      names.push_back(v);
    }
  }
  std::vector<std::string> story_of(names.size());
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t k = 0; k < names.size(); ++k) {
      const std::string id = "art-" + std::to_string(pass) + "-" + std::to_string(k);
      ArticleSignature s =
          Article(id, kT0 + static_cast<int64_t>(k) * 1000, {{"entity/" + std::to_string(k), 0.9}},
                  {{names[k], 0.5}}, {names[k]});
      s.language = names[k];
      s.source = names[k];
      const Assignment a = store.Assign(s);
      if (pass == 0) {
        story_of[k] = a.story_id;
      } else {
        ASSERT_EQ(a.story_id, story_of[k]) << names[k];
      }
    }
  }
  for (size_t k = 0; k < names.size(); ++k) {
    const auto state = store.Find(story_of[k]);
    ASSERT_TRUE(state.has_value());
    ASSERT_EQ(state->topics.size(), 1u) << names[k];
    EXPECT_EQ(state->topics[0].first, names[k]);
    EXPECT_EQ(state->numbers, std::vector<std::string>{names[k]});
    EXPECT_EQ(state->languages, std::vector<std::string>{names[k]});
    EXPECT_EQ(state->sources, std::vector<std::string>{names[k]});
  }
}

TEST(StoryStoreTest, RecordsEscapeTheNamesThatNeedIt) {
  StoryStore store(Config());
  const std::vector<std::string> entities = {"org/\"quoted\"", "country/yemen", "org/back\\slash",
                                             "person/new\nline", "org/опек"};
  int checked = 0, plain = 0;
  for (int i = 0; i < 20; ++i) {
    // Articles 0-9 have plain names only; later ones add names with escapes to their stories.
    const std::string& odd = i < 10 ? entities[1 + 3 * (i % 2)] : entities[(i * 2) % 5];
    ArticleSignature s =
        Article("art-" + std::to_string(i), kT0 + i * 60000, {{"country/yemen", 0.9}, {odd, 0.5}},
                {{i % 3 == 0 ? "topic/\"q\"" : "war", 0.7}}, {"450"});
    if (i < 10) s.topics = {{"war", 0.7}};
    const Assignment a = store.Assign(s, StateOutput::kRecord);
    const auto state = store.Find(a.story_id);
    ASSERT_TRUE(state.has_value());
    EXPECT_EQ(a.record, EncodeStoryState(*state)) << "article " << i;
    ++checked;
    if (a.record.find("\\\"") == std::string::npos) ++plain;
  }
  EXPECT_EQ(checked, 20);
  EXPECT_GE(plain, 5) << "records without any escaped name";
  EXPECT_LT(plain, 20) << "records with escaped names";
}

}  // namespace
}  // namespace newsflow::story

namespace newsflow::story {
namespace {

// StateOutput::kRecord encodes story.v1 straight from the store: the same bytes as
// EncodeStoryState of the story's StoryState, for stories with several writers, languages,
// sources, titles, topics, entities and numbers whose interned order differs from their text
// order (ids interned in reverse alphabetical order, non-ASCII ones included).
TEST(StoryStoreTest, RecordIsTheEncodedStateByteForByte) {
  StoryStore store(Config());
  const std::vector<std::string> languages = {"ru", "fr", "en", "ar"};
  const std::vector<std::string> entities = {"person/zelensky", "org/опек", "country/yemen",
                                             "country/ukraine", "city/aden"};
  const std::vector<std::string> numbers = {"9000", "450", "30", "1200"};
  int checked = 0;
  size_t most_languages = 0, most_writers = 0, most_entities = 0;
  for (int i = 0; i < 40; ++i) {
    ArticleSignature s = Article(
        "art-" + std::to_string(i), kT0 + i * 60000,
        {{"country/yemen", 0.9}, {entities[i % 5], 0.4}, {entities[(i + 2) % 5], 0.3 + i * 0.01}},
        {{i % 2 ? "war" : "diplomacy", 0.7}, {"ceasefire_talks", 0.5}},
        {numbers[i % 4], numbers[(i + 1) % 4]});
    s.language = languages[i % 4];
    s.source = "outlet-" + std::to_string(9 - i % 7);
    s.title = "заголовок \"" + std::to_string(i) + "\"";
    const Assignment a = store.Assign(s, StateOutput::kRecord);
    EXPECT_TRUE(a.state.id.empty()) << "kRecord builds no StoryState";
    const auto state = store.Find(a.story_id);
    ASSERT_TRUE(state.has_value());
    EXPECT_EQ(a.record, EncodeStoryState(*state)) << "article " << i;
    ++checked;
    most_languages = std::max(most_languages, state->languages.size());
    most_writers = std::max(most_writers, state->counts.size());
    most_entities = std::max(most_entities, state->entities.size());
    if (i == 20) {
      // A second writer's record merged in: counts with two writers.
      StoryState remote = *state;
      remote.counts = {{"other", 3}};
      store.ApplyRemote(remote);
    }
  }
  EXPECT_EQ(checked, 40);
  // The comparison covered sorted lists, not only one-element ones.
  EXPECT_GE(most_languages, 3u);
  EXPECT_GE(most_writers, 2u);
  EXPECT_GE(most_entities, 3u);
  // kNone renders neither.
  const Assignment none = store.Assign(Article("n", kT0, {{"city/aden", 0.9}}), StateOutput::kNone);
  EXPECT_TRUE(none.record.empty());
  EXPECT_TRUE(none.state.id.empty());
}

}  // namespace
}  // namespace newsflow::story

namespace newsflow::story {
namespace {

// The near-duplicate index is allocated with the first fingerprint: articles before it (no
// fingerprint) find nothing, and with the lead-set check off, fingerprints still expire from
// the FIFO (which reads the lead-set table) without fault.
TEST(StoryStoreTest, NearDuplicateIndexIsAllocatedWithTheFirstFingerprint) {
  StoryStoreConfig config = Config();
  config.lead_jaccard = 0;
  config.max_fingerprints = 2;
  StoryStore store(config);
  const auto plain = store.Assign(Article("p", kT0, {{"country/yemen", 0.9}}));
  EXPECT_TRUE(plain.duplicate_of.empty());
  EXPECT_EQ(store.ApproximateBytes() < 1000000, true) << "no index before a fingerprint";
  auto with_text = [](const std::string& id, uint64_t simhash) {
    ArticleSignature s = Article(id, kT0, {{"org/un", 0.9}});
    s.has_fingerprint = true;
    s.text_hash = simhash * 7 + 1;
    s.simhash = simhash;
    for (uint32_t i = 0; i < 20; ++i) s.lead_shingles.push_back(2 * i);
    return s;
  };
  EXPECT_TRUE(store.Assign(with_text("a", 0x1111)).duplicate_of.empty());
  EXPECT_GT(store.ApproximateBytes(), 1000000u) << "the bands and lead buckets now exist";
  EXPECT_EQ(store.Assign(with_text("b", 0x1113)).duplicate_of, "a") << "1 bit apart";
  store.Assign(with_text("c", 0xff000000));
  store.Assign(with_text("d", 0xff0000ff000000));  // "a" leaves the FIFO ("b" with the next)
  EXPECT_EQ(store.Stats().fingerprints, 3) << "b, c, d: the FIFO is trimmed before adding";
  ArticleSignature e = with_text("e", 0x1111);  // a's text again
  EXPECT_TRUE(store.Assign(e).duplicate_of.empty()) << "a's fingerprint expired";
}

// The near-duplicate index over the last max_fingerprints fingerprints, as they come and go
// (long lead sets and ids first, then shorter ones; expiry by time between phases): what a lookup
// finds (root, story, lead-set Jaccard) is what a brute-force scan of a FIFO of the same
// fingerprints finds. (Written by store10 for a ring of reused slots, not merged; it holds for
// any container of the fingerprints.)
TEST(StoryStoreTest, NearDuplicatesFoundAsByABruteForceFifoScan) {
  StoryStoreConfig config = Config();
  config.max_fingerprints = 24;  // below max_lead_postings: every shingle's postings are all kept
  StoryStore store(config);
  std::mt19937_64 rng(17);
  struct Ref {
    std::vector<uint32_t> lead;
    std::string root;
    std::string story;
  };
  std::deque<Ref> fifo;
  int found = 0, fresh = 0;
  const int phase_sizes[] = {10, 40, 5, 60, 30};
  for (int phase = 0; phase < 5; ++phase) {
    fifo.clear();  // 100 h later: every fingerprint and story of the phase before has closed
    for (int i = 0; i < phase_sizes[phase]; ++i) {
      // Long ids (heap strings) in the early phases, short ones later.
      const std::string id = (phase < 2 ? "https://example.com/news/2026/12/06/article-" : "a") +
                             std::to_string(phase) + "-" + std::to_string(i);
      ArticleSignature s = Article(id, kT0 + phase * 100 * kHour + i * 1000, {});
      s.has_fingerprint = true;
      s.text_hash = rng();
      s.simhash = rng();  // random: no SimHash neighbours, only the lead sets match
      std::vector<bool> in(100, false);
      if (!fifo.empty() && rng() % 2 == 0) {
        // An edited copy of a recent one: its lead set with a few shingles swapped.
        for (uint32_t h : fifo[fifo.size() - 1 - rng() % fifo.size()].lead) in[h] = true;
        for (int k = 0; k < 4; ++k) in[rng() % 100] = rng() % 2 == 0;
      } else {
        const size_t n = phase < 2 ? 30 + rng() % 40 : rng() % 25;
        for (size_t k = 0; k < n; ++k) in[rng() % 100] = true;
      }
      for (uint32_t h = 0; h < 100; ++h) {
        if (in[h]) s.lead_shingles.push_back(h);
      }
      while (fifo.size() > static_cast<size_t>(config.max_fingerprints)) fifo.pop_front();
      const Ref* want = nullptr;
      double best = config.lead_jaccard;
      for (const Ref& r : fifo) {  // oldest first: the first at the best Jaccard wins
        size_t shared = 0, shared_sampled = 0;
        for (uint32_t h : r.lead) {
          if (!in[h]) continue;
          ++shared;
          shared_sampled += StoryStore::LeadIndexed(h) ? 1 : 0;
        }
        if (s.lead_shingles.empty() || shared_sampled < 2 ||
            static_cast<int64_t>(shared) < config.lead_min_shared) {
          continue;
        }
        const double j = static_cast<double>(shared) /
                         static_cast<double>(s.lead_shingles.size() + r.lead.size() - shared);
        if (j > best) {
          best = j;
          want = &r;
        }
      }
      const Assignment a = store.Assign(s, StateOutput::kNone);
      ASSERT_EQ(a.duplicate_of, want != nullptr ? want->root : "") << id;
      if (want != nullptr) {
        ASSERT_NEAR(a.lead_jaccard, best, 1e-12) << id;
        ASSERT_EQ(a.story_id, want->story) << id << ": the story of the fingerprint found";
        ++found;
      } else {
        ++fresh;
      }
      fifo.push_back({s.lead_shingles, want != nullptr ? want->root : id, a.story_id});
      ASSERT_EQ(store.Stats().fingerprints, static_cast<int64_t>(fifo.size())) << id;
    }
  }
  EXPECT_GT(found, 40) << "edited copies found through the lead sets";
  EXPECT_GT(fresh, 40);
}

// The lead-set index when shingles are shared by more fingerprints than max_lead_postings (an
// insertion then replaces the shingle's oldest entry) and runs meet (shingles with the same home
// slot share one run, so one insertion fills the slot that ends the others' runs): an article's
// insertions reuse what its lookup found of each run (LeadInsertHintedLocked) unless an entry
// moved since. What a lookup finds is what a brute-force scan finds: for each sampled shingle,
// the max_lead_postings most recent live fingerprints with it; a fingerprint met through two of
// them is a candidate, the best Jaccard (the oldest of equals) wins.
// Edited copies found through the lead-set table, against a brute-force reference over the
// FIFO, for articles whose lead sets are drawn from `pool` (plus 24 random shingles).
void CheckLeadSetsAgainstABruteForceScan(std::vector<uint32_t> pool, uint64_t seed) {
  StoryStoreConfig config = Config();
  config.max_lead_postings = 3;
  config.lead_min_shared = 3;
  config.max_fingerprints = 40;  // reached in the long phases: entries erased as others come
  StoryStore store(config);
  std::mt19937_64 rng(seed);
  for (int k = 0; k < 24; ++k) pool.push_back(static_cast<uint32_t>(rng()) | (k % 2));
  struct Ref {
    std::vector<uint32_t> lead;  // sorted
    std::string root;
    std::string story;
  };
  std::deque<Ref> fifo;
  int found = 0, fresh = 0;
  const int phase_sizes[] = {25, 120, 10, 90};
  for (int phase = 0; phase < 4; ++phase) {
    fifo.clear();  // 100 h later: every fingerprint and story of the phase before has closed
    for (int i = 0; i < phase_sizes[phase]; ++i) {
      const std::string id = "p" + std::to_string(phase) + "-" + std::to_string(i);
      ArticleSignature s = Article(id, kT0 + phase * 100 * kHour + i * 1000, {});
      s.has_fingerprint = true;
      s.text_hash = rng();
      s.simhash = rng();  // random: no SimHash neighbours, only the lead sets match
      std::vector<bool> in(pool.size(), false);
      if (!fifo.empty() && rng() % 2 == 0) {
        // An edited copy of a recent one: its lead set with a few shingles swapped.
        const Ref& r = fifo[fifo.size() - 1 - rng() % std::min<size_t>(fifo.size(), 8)];
        for (uint32_t h : r.lead) {
          in[std::find(pool.begin(), pool.end(), h) - pool.begin()] = true;
        }
        for (int k = 0; k < 3; ++k) in[rng() % pool.size()] = rng() % 2 == 0;
      } else {
        const size_t n = 4 + rng() % 16;
        for (size_t k = 0; k < n; ++k) in[rng() % pool.size()] = true;
      }
      std::vector<uint32_t> set;  // the lead set (sorted): what the reference compares
      for (size_t k = 0; k < pool.size(); ++k) {
        if (in[k]) set.push_back(pool[k]);
      }
      std::sort(set.begin(), set.end());
      // The store is given the values as a signature lists them: in text order (here
      // shuffled), a shingle that recurs in the opening listed again.
      s.lead_shingles = set;
      for (size_t k = 0; k < set.size(); ++k) {
        if (rng() % 4 == 0) s.lead_shingles.push_back(set[k]);
      }
      std::shuffle(s.lead_shingles.begin(), s.lead_shingles.end(), rng);
      while (fifo.size() > static_cast<size_t>(config.max_fingerprints)) fifo.pop_front();
      // Per sampled shingle of the article, its max_lead_postings most recent fingerprints.
      std::vector<int> met(fifo.size(), 0);
      for (uint32_t h : set) {
        if (!StoryStore::LeadIndexed(h)) continue;
        int64_t seen = 0;
        for (size_t k = fifo.size(); k-- > 0 && seen < config.max_lead_postings;) {
          if (std::binary_search(fifo[k].lead.begin(), fifo[k].lead.end(), h)) {
            ++met[k];
            ++seen;
          }
        }
      }
      const Ref* want = nullptr;
      double best = config.lead_jaccard;
      for (size_t k = 0; k < fifo.size(); ++k) {  // oldest first: the first at the best wins
        if (met[k] < 2) continue;
        std::vector<uint32_t> both;
        std::set_intersection(set.begin(), set.end(), fifo[k].lead.begin(), fifo[k].lead.end(),
                              std::back_inserter(both));
        if (static_cast<int64_t>(both.size()) < config.lead_min_shared) continue;
        const double j = static_cast<double>(both.size()) /
                         static_cast<double>(set.size() + fifo[k].lead.size() - both.size());
        // (The store takes a Jaccard equal to lead_jaccard too: 3 of 20 shingles here.)
        if (j > best || (want == nullptr && j == best)) {
          best = j;
          want = &fifo[k];
        }
      }
      const Assignment a = store.Assign(s, StateOutput::kNone);
      ASSERT_EQ(a.duplicate_of, want != nullptr ? want->root : "") << id;
      if (want != nullptr) {
        ASSERT_NEAR(a.lead_jaccard, best, 1e-12) << id;
        ASSERT_EQ(a.story_id, want->story) << id;
        ++found;
      } else {
        ++fresh;
      }
      fifo.push_back({set, want != nullptr ? want->root : id, a.story_id});
    }
  }
  EXPECT_GT(found, 30) << "edited copies found through the lead sets";
  EXPECT_GT(fresh, 30);
}

TEST(StoryStoreTest, LeadSetsFoundAsByABruteForceScanWhenShinglesHaveManyFingerprints) {
  // 24 shingles with home slot 0 (small values: one run for all of them), 24 spread over the
  // table; even ones sampled.
  std::vector<uint32_t> pool;
  for (uint32_t h = 0; h < 24; ++h) pool.push_back(h);
  CheckLeadSetsAgainstABruteForceScan(pool, 23);
}

// The same where runs wrap around the table's end: 24 shingles whose home is the last slot
// (the largest values) and 8 with home slot 0, so that the wrapped runs go on into slot 0's.
TEST(StoryStoreTest, LeadSetsFoundAsByABruteForceScanWhenRunsWrapAroundTheTable) {
  std::vector<uint32_t> pool;
  for (uint32_t k = 0; k < 24; ++k) pool.push_back(0xFFFFFFFFu - k);
  for (uint32_t h = 0; h < 8; ++h) pool.push_back(h);
  CheckLeadSetsAgainstABruteForceScan(pool, 29);
  CheckLeadSetsAgainstABruteForceScan(pool, 31);
}

// The candidate scan's seen-set (a stamp per slot and scan): a story found through several of
// the article's entities is one candidate, and a story gathered by one article's scan is a
// candidate again for the next article (each scan starts with an empty set).
TEST(StoryStoreTest, AStoryFoundThroughSeveralEntitiesIsOneCandidate) {
  StoryStoreConfig config = Config();
  config.join_threshold = 0.99;  // every article opens a story of its own
  StoryStore store(config);
  store.Assign(Article("a", kT0, {{"country/yemen", 0.9}, {"org/un", 0.5}, {"person/x", 0.4}}));
  store.Assign(Article("b", kT0, {{"sports/psg", 0.9}}));
  const int64_t before = store.Stats().candidates;
  // Shares three entities with "a" (three postings of one story), one with "b".
  const auto c = store.Assign(Article(
      "c", kT0, {{"country/yemen", 0.2}, {"org/un", 0.9}, {"person/x", 0.1}, {"sports/psg", 0.1}}));
  EXPECT_TRUE(c.opened);
  EXPECT_EQ(store.Stats().candidates - before, 2) << "a and b, once each";
  const auto d = store.Assign(Article("d", kT0, {{"country/yemen", 0.9}, {"org/un", 0.5}}));
  EXPECT_EQ(store.Stats().candidates - before, 2 + 2) << "a and c, again candidates for d";
  EXPECT_TRUE(d.opened);
}

}  // namespace
}  // namespace newsflow::story
