// StoryStore's candidate pruning (StoryStoreConfig::prune_candidates) decides exactly as scoring
// every candidate: two stores, one pruning and one not, fed the same random stream (stories
// growing, expiring, evicted above max_open, merged with another instance's states) must
// assign every article to the same story with the same score, bit for bit, and end with the
// same story states. Also AppendFixed (the explanations' number formatting) against printf.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "processors/story/story_state.h"
#include "processors/story/story_store.h"

namespace newsflow::story {
namespace {

constexpr int64_t kHour = 3600 * 1000;
constexpr int64_t kT0 = 1700000000000;

// A news event: the entities, topics and numbers its articles draw from.
struct Event {
  std::vector<std::string> entities;
  std::vector<std::string> topics;
  std::vector<std::string> numbers;
  int64_t time = 0;
};

class Stream {
 public:
  // `zero_saliences`: some entities with salience 0 or 1e-200 (stories with no entity norm).
  Stream(uint64_t seed, std::string prefix, bool zero_saliences = true)
      : rng_(seed), prefix_(std::move(prefix)), zero_saliences_(zero_saliences) {}

  // The next article: mostly from one of the recent events (with noise: entities left out or
  // added, saliences varied, sometimes zero), sometimes from a new event, sometimes unrelated.
  ArticleSignature Next(int64_t i) {
    if (events_.empty() || U() < 0.08) NewEvent(i);
    const Event& ev = events_[static_cast<size_t>(
        std::min<double>(static_cast<double>(events_.size()) - 1,
                         std::pow(U(), 0.5) * static_cast<double>(events_.size())))];
    ArticleSignature s;
    s.article_id = prefix_ + std::to_string(i);
    s.source = "outlet-" + std::to_string(rng_() % 40);
    s.language = kLanguages[rng_() % 4];
    s.title = "title " + std::to_string(i);
    s.event_time_ms = ev.time + static_cast<int64_t>(U() * 30 * kHour) - 5 * kHour;
    s.time_basis = U() < 0.05 ? "clock" : "published";
    const bool unrelated = U() < 0.15;
    auto pick_entities = [&](const std::vector<std::string>& from) {
      for (const auto& e : from) {
        if (U() < 0.25) continue;
        // Zero and tiny saliences too: a story whose entity weights are all zero has no entity
        // part (the weights are renormalised), which the bounds must allow for.
        const double r = zero_saliences_ ? U() : 1.0;
        s.entities.emplace_back(e, r < 0.05 ? 0.0 : r < 0.07 ? 1e-200 : 0.05 + 0.95 * U());
      }
    };
    if (!unrelated) pick_entities(ev.entities);
    const int extra = static_cast<int>(rng_() % 3);
    for (int k = 0; k < extra; ++k) s.entities.emplace_back(CommonEntity(), 0.1 + 0.5 * U());
    if (U() < 0.1) s.entities.clear();  // articles with no entity look at their topics' stories
    if (U() > 0.1) {
      for (const auto& t : unrelated ? std::vector<std::string>{Topic()} : ev.topics) {
        s.topics.emplace_back(t, U() < 0.05 ? 0.0 : 0.2 + 0.8 * U());
      }
      if (U() < 0.3) s.topics.emplace_back(Topic(), 0.1 + 0.4 * U());
    }
    if (U() > 0.2) {
      for (const auto& n : ev.numbers) {
        if (U() < 0.7) s.numbers.push_back(n);
      }
      if (U() < 0.3) s.numbers.push_back(std::to_string(10 + rng_() % 60));
    }
    std::sort(s.numbers.begin(), s.numbers.end());
    s.numbers.erase(std::unique(s.numbers.begin(), s.numbers.end()), s.numbers.end());
    return s;
  }

 private:
  static constexpr const char* kLanguages[] = {"en", "ar", "ru", "fr"};
  double U() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  // Skewed towards the first ones, as news is (a few entities are in many stories).
  std::string CommonEntity() {
    return "common/" + std::to_string(static_cast<int>(std::pow(U(), 3) * 60));
  }
  std::string Topic() { return "topic/" + std::to_string(rng_() % 20); }
  void NewEvent(int64_t i) {
    Event ev;
    const int own = 1 + static_cast<int>(rng_() % 3);
    for (int k = 0; k < own; ++k)
      ev.entities.push_back("ev" + std::to_string(i) + "/" + std::to_string(k));
    const int common = static_cast<int>(rng_() % 5);
    for (int k = 0; k < common; ++k) ev.entities.push_back(CommonEntity());
    const int topics = static_cast<int>(rng_() % 3);
    for (int k = 0; k < topics; ++k) ev.topics.push_back(Topic());
    const int numbers = static_cast<int>(rng_() % 5);
    for (int k = 0; k < numbers; ++k) ev.numbers.push_back(std::to_string(10 + rng_() % 200));
    // Event time moves forward with the stream (stories expire by event time).
    ev.time = kT0 + i * 4 * 60 * 1000;
    events_.push_back(ev);
    if (events_.size() > 30) events_.erase(events_.begin());
  }

  std::mt19937_64 rng_;
  std::string prefix_;
  bool zero_saliences_ = true;
  std::vector<Event> events_;
};

struct Totals {
  int64_t joined = 0, opened = 0, pruned_opened = 0;
  int64_t lists_skipped = 0;  // by the pruning store's max-score stop (without explanations)
};

// `stop_early`: the pruning store writes no explanations, which lets its candidate scan stop
// before the later entity lists (the max-score stop); the exhaustive one scans them all.
void CompareOnStream(StoryStoreConfig config, uint64_t seed, int articles, Totals* totals,
                     bool stop_early = false, bool zero_saliences = true) {
  config.instance_id = "one";
  StoryStoreConfig exhaustive_config = config;
  config.prune_candidates = true;
  exhaustive_config.prune_candidates = false;
  if (stop_early) config.explain = false;
  StoryStore pruned(config);
  StoryStore exhaustive(exhaustive_config);
  // Another instance that sees the same events (the same stream under other article ids):
  // some of its story states are applied to both, so stories opened on both instances merge
  // (remote counters, entities added to open stories by a merge, stories closed by it).
  StoryStoreConfig other_config = exhaustive_config;
  other_config.instance_id = "two";
  StoryStore other(other_config);
  Stream stream(seed, "a", zero_saliences);
  Stream other_stream(seed, "b", zero_saliences);
  for (int i = 0; i < articles; ++i) {
    const ArticleSignature sig = stream.Next(i);
    const Assignment a = pruned.Assign(sig, StateOutput::kRecord);
    const Assignment b = exhaustive.Assign(sig, StateOutput::kRecord);
    ASSERT_EQ(a.story_id, b.story_id)
        << "article " << i << ": " << a.explanation << " | " << b.explanation;
    ASSERT_EQ(a.opened, b.opened) << "article " << i;
    ASSERT_EQ(std::memcmp(&a.score, &b.score, sizeof(double)), 0)
        << "article " << i << ": " << a.score << " vs " << b.score;
    ASSERT_EQ(a.article_count, b.article_count) << "article " << i;
    ASSERT_EQ(a.record, b.record) << "article " << i;
    if (!a.opened) {
      // Joined: the same explanation (the chosen story scored again with its reasons).
      if (!stop_early) {
        ASSERT_EQ(a.explanation, b.explanation) << "article " << i;
      }
      ++totals->joined;
    } else {
      ++totals->opened;
      if (!stop_early && a.explanation != b.explanation) ++totals->pruned_opened;
    }
    const ArticleSignature o = other_stream.Next(i);
    if (i % 5 == 0) {
      const Assignment r = other.Assign(o, StateOutput::kState);
      auto applied_a = pruned.ApplyRemote(r.state);
      auto applied_b = exhaustive.ApplyRemote(r.state);
      ASSERT_EQ(applied_a.size(), applied_b.size()) << "article " << i;
      for (size_t k = 0; k < applied_a.size(); ++k) {
        ASSERT_EQ(EncodeStoryState(applied_a[k]), EncodeStoryState(applied_b[k]));
      }
    }
  }
  const auto open_a = pruned.OpenStories();
  const auto open_b = exhaustive.OpenStories();
  ASSERT_EQ(open_a.size(), open_b.size());
  for (size_t k = 0; k < open_a.size(); ++k) {
    ASSERT_EQ(EncodeStoryState(open_a[k]), EncodeStoryState(open_b[k]));
  }
  const StoreStats pa = pruned.Stats(), pb = exhaustive.Stats();
  if (stop_early) {
    EXPECT_LE(pa.candidates, pb.candidates);
  } else {
    EXPECT_EQ(pa.candidates, pb.candidates);
    EXPECT_EQ(pa.lists_skipped, 0);  // explanations on: every list scanned
  }
  EXPECT_EQ(pb.lists_skipped, 0);
  totals->lists_skipped += pa.lists_skipped;
  EXPECT_EQ(pb.scored, pb.candidates);  // exhaustive: every candidate scored
  // The stream must exercise what it is about: stories expiring and candidates pruned.
  EXPECT_GT(pa.expired + pa.evicted, 100);
  EXPECT_GT(pa.merged, 0);
  // (With the stop, fewer candidates are gathered: mostly those worth scoring.)
  if (!stop_early) {
    EXPECT_LT(pa.scored * 2, pa.candidates) << pa.scored << " of " << pa.candidates;
  } else {
    EXPECT_LT(pa.scored, pb.scored) << pa.scored << " vs " << pb.scored;
  }
}

TEST(StoryStorePruneTest, SameDecisionsAsScoringEveryCandidate) {
  Totals totals;
  // Default settings, a small store (evictions above max_open), and a few other thresholds,
  // weights and scan bounds.
  StoryStoreConfig c;
  c.max_open = 400;
  CompareOnStream(c, 1, 6000, &totals);
  c.join_threshold = 0.3;
  c.max_candidates = 8;
  c.max_postings_scan = 16;
  CompareOnStream(c, 2, 4000, &totals);
  c = StoryStoreConfig();
  c.join_threshold = 0.8;
  c.weight_entities = 0.3;
  c.weight_topics = 0.5;
  c.weight_numbers = 0.2;
  c.window_ms = 12 * kHour;
  CompareOnStream(c, 3, 4000, &totals);
  c = StoryStoreConfig();
  c.weight_topics = 0.0;  // a part with weight 0
  c.max_open = 150;
  CompareOnStream(c, 4, 4000, &totals);
  // Both outcomes, and openings where pruning skipped candidates (a different explanation).
  EXPECT_GT(totals.joined, 2000);
  EXPECT_GT(totals.opened, 1000);
  EXPECT_GT(totals.pruned_opened, 100);
}

// The bound's fast path (which parts count is certain: one weighted mean) and its fallback (a
// part that may drop out: zero or tiny weights, CandidateBoundLocked) on streams where most
// candidates are bounded out: many candidates per article (a low threshold, long scans) and
// the numbers weighed most.
TEST(StoryStorePruneTest, SameDecisionsWithManyCandidatesBoundedOut) {
  Totals totals;
  StoryStoreConfig c;
  c.max_candidates = 256;
  c.max_postings_scan = 512;
  c.join_threshold = 0.2;
  CompareOnStream(c, 5, 3000, &totals);
  c.join_threshold = 0.65;
  c.weight_entities = 0.2;
  c.weight_topics = 0.1;
  c.weight_numbers = 0.7;
  CompareOnStream(c, 6, 3000, &totals);
  EXPECT_GT(totals.joined, 1000);
  EXPECT_GT(totals.opened, 300);
}

// The candidate scan's max-score stop (no explanations): the entity lists after the rarest
// ones are left unscanned when no story met only through them can reach the best score so far
// or the threshold. Same decisions and story states as scanning and scoring every candidate;
// with and without stories whose entity weights are all zero (which turn the stop off while
// open), with short scans (lists cut at max_postings_scan, whose entities count as left) and
// other weights and thresholds.
TEST(StoryStorePruneTest, SameDecisionsWhenTheScanStopsEarly) {
  Totals totals;
  StoryStoreConfig c;
  c.max_open = 400;
  CompareOnStream(c, 11, 5000, &totals, /*stop_early=*/true, /*zero_saliences=*/false);
  const int64_t without_zero = totals.lists_skipped;
  CompareOnStream(c, 12, 3000, &totals, /*stop_early=*/true, /*zero_saliences=*/true);
  c.join_threshold = 0.3;
  c.max_candidates = 8;
  c.max_postings_scan = 4;
  CompareOnStream(c, 13, 3000, &totals, /*stop_early=*/true, /*zero_saliences=*/false);
  c = StoryStoreConfig();
  c.join_threshold = 0.8;
  c.weight_entities = 0.3;
  c.weight_topics = 0.5;
  c.weight_numbers = 0.2;
  c.max_postings_scan = 8;
  CompareOnStream(c, 14, 3000, &totals, /*stop_early=*/true, /*zero_saliences=*/false);
  c = StoryStoreConfig();
  c.weight_topics = 0.0;
  c.max_candidates = 256;
  c.max_postings_scan = 512;
  CompareOnStream(c, 15, 3000, &totals, /*stop_early=*/true, /*zero_saliences=*/false);
  // The stop must happen, often, for the comparison to test it.
  EXPECT_GT(without_zero, 1000) << without_zero;
  EXPECT_GT(totals.lists_skipped, 3000) << totals.lists_skipped;
  EXPECT_GT(totals.joined, 3000);
  EXPECT_GT(totals.opened, 1000);
}

// A list cut short by max_postings_scan leaves its entity's weight to the stop's bound: the
// story that shares the article's main entity is older than that entity's newest postings, and
// is found only through the next (longer, but older) list, of an entity the article barely
// mentions. Stopping after the first list would open a new story.
TEST(StoryStorePruneTest, TheScanGoesOnPastAListCutShort) {
  for (const bool explain : {true, false}) {
    StoryStoreConfig c;
    c.instance_id = "one";
    c.max_postings_scan = 4;
    c.explain = explain;  // off: the scan may stop early
    StoryStore store(c);
    auto article = [](const std::string& id, std::vector<std::pair<std::string, double>> ents) {
      ArticleSignature s;
      s.article_id = id;
      s.event_time_ms = kT0;
      s.time_basis = "published";
      s.entities = std::move(ents);
      return s;
    };
    // Ten old stories with b (its list: longer than a's, and older).
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(store
                      .Assign(article("b" + std::to_string(i),
                                      {{"b", 0.1}, {"own/b" + std::to_string(i), 1.0}}))
                      .opened);
    }
    const Assignment target = store.Assign(article("target", {{"a", 1.0}, {"b", 1.0}}));
    ASSERT_TRUE(target.opened);
    // Six newer stories with a: a's newest four postings are theirs.
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(store
                      .Assign(article("a" + std::to_string(i),
                                      {{"a", 0.1}, {"own/a" + std::to_string(i), 1.0}}))
                      .opened);
    }
    const Assignment a = store.Assign(article("new", {{"a", 1.0}, {"b", 0.05}}));
    EXPECT_FALSE(a.opened) << "explain " << explain;
    EXPECT_EQ(a.story_id, target.story_id) << "explain " << explain;
    EXPECT_GT(a.score, 0.5);
  }
}

TEST(StoryStorePruneTest, PrunedOpeningSaysSo) {
  // An article sharing only a frequent entity with many stories: every candidate is bounded
  // below the threshold, none is scored, and the explanation says why.
  StoryStoreConfig c;
  c.instance_id = "one";
  StoryStore store(c);
  for (int i = 0; i < 20; ++i) {
    ArticleSignature s;
    s.article_id = "s" + std::to_string(i);
    s.event_time_ms = kT0;
    s.time_basis = "published";
    s.entities = {{"common/x", 0.1}, {"own/" + std::to_string(i), 0.9}};
    s.topics = {{"topic/a", 0.9}};
    ASSERT_TRUE(store.Assign(s).opened);
  }
  ArticleSignature s;
  s.article_id = "new";
  s.event_time_ms = kT0;
  s.time_basis = "published";
  s.entities = {{"common/x", 0.1}, {"own/new", 0.9}, {"own/new2", 0.9}};
  s.topics = {{"topic/b", 0.9}};
  const StoreStats before = store.Stats();
  const Assignment a = store.Assign(s);
  EXPECT_TRUE(a.opened);
  const StoreStats after = store.Stats();
  EXPECT_EQ(after.candidates - before.candidates, 20);
  // (A story whose own entity's mask bit happens to be one of the article's is scored.)
  EXPECT_LT(after.scored - before.scored, 5);
  EXPECT_NE(a.explanation.find("no candidate story reaches 0.500"), std::string::npos)
      << a.explanation;
}

}  // namespace
}  // namespace newsflow::story

namespace newsflow::story {
namespace {

TEST(AppendFixedTest, WritesWhatPrintfWrites) {
  // The explanations' numbers: random values in the scores' range and beyond, exact ties
  // (x * 10^d ending in .5 exactly: (2m + 1) / 16 and the like), signs, zeros, and what falls
  // back to snprintf (NaN, infinities, huge values).
  std::mt19937_64 rng(7);
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                -1.0,
                                0.5,
                                0.0005,
                                0.0015,
                                0.125,
                                0.375,
                                2.5,
                                0.9995,
                                0.99949,
                                1e-300,
                                -1e-300,
                                123456.789,
                                1e12,
                                1e300,
                                -1e300,
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity(),
                                std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::denorm_min()};
  for (int m = 0; m < 64; ++m) {
    for (double d : {16.0, 8.0, 4.0, 2.0, 32.0, 64.0}) {
      values.push_back((2 * m + 1) / d);
      values.push_back(-(2 * m + 1) / d);
    }
  }
  std::uniform_real_distribution<double> unit(0, 1), wide(-1e6, 1e6);
  for (int i = 0; i < 200000; ++i) {
    values.push_back(unit(rng));
    values.push_back(wide(rng));
    // A value next to a rounding boundary.
    const double k = std::floor(unit(rng) * 2000) + 0.5;
    values.push_back(std::nextafter(k / 1000, i % 2 == 0 ? 2.0 : -2.0));
  }
  for (double x : values) {
    for (int d = 0; d <= 3; ++d) {
      char want[400];
      std::snprintf(want, sizeof(want), "%.*f", d, x);
      std::string got = "x";
      AppendFixed(x, d, &got);
      ASSERT_EQ(got, std::string("x") + want) << "x=" << x << " d=" << d;
    }
  }
}

}  // namespace
}  // namespace newsflow::story
