// The acceptance figures of story clustering and near-duplicate detection on the story set
// (../shared/corpus/stories/articles.jsonl; skipped when absent): B-cubed F1 >= 0.85 overall
// and >= 0.75 for stories told in more than one language, near-duplicate precision >= 0.95 and
// recall 1.0 (what is reached). Also prints, for every pair of articles, the measures the
// near-duplicate decision could use (SimHash distance; Jaccard of the lead sets of the article's
// own text, the decision's measure; Jaccard of the plain opening, quotations included; shingle
// containment of the whole own text) for the labelled pairs and the closest other pairs: the
// margins, which is how the defaults were checked (see processors/story/README.md).
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "app/eval.h"
#include "app/pipeline_setup.h"
#include "processors/story/signature.h"
#include "processors/story/story_store.h"
#include "tests/testing/testing.h"

namespace newsflow::story {
namespace {

TEST(StoryCorpusTest, ClusteringAndNearDuplicatesMeetTheTargets) {
  const auto corpus = testing::StoryCorpusPath();
  if (!corpus) GTEST_SKIP() << "story set not found (../shared/corpus/stories/articles.jsonl)";
  auto pipeline_setup = app::BuildPipelineSetup("");
  ASSERT_TRUE(pipeline_setup.ok()) << pipeline_setup.status().ToString();
  auto result = app::Evaluate(*(*pipeline_setup)->pipeline, {*corpus});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::printf("%s", app::FormatReport(*result, 0).c_str());
  const app::StoryMetrics& m = result->story;
  ASSERT_GT(m.articles, 0);
  EXPECT_EQ(result->failed, 0);
  EXPECT_GE(m.F1(), 0.85);
  EXPECT_GE(m.MultiF1(), 0.75);
  // Target >= 0.95. On this set a single false pair among the 8 labelled ones gives 0.889, so
  // this asserts that there is none. The one that 0.889 came from (two reports quoting the same
  // UN statement over their opening) is gone because the lead sets leave quotations out.
  EXPECT_GE(m.DuplicatePrecision(), 0.95);
  EXPECT_GE(m.DuplicateRecall(), 1.0);
  // Every article has a story.
  for (const auto& a : result->stories) EXPECT_FALSE(a.story.empty()) << a.article;
}

TEST(StoryCorpusTest, SimHashDistancesOfDuplicateGroups) {
  const auto corpus = testing::StoryCorpusPath();
  if (!corpus) GTEST_SKIP() << "story set not found";
  auto pipeline_setup = app::BuildPipelineSetup("");
  ASSERT_TRUE(pipeline_setup.ok());
  std::ifstream in(*corpus);
  std::string line;
  struct Item {
    std::string id, group, story;
    uint64_t simhash;
    bool has;
    std::vector<uint32_t> lead;        // the decision's lead set (own text, default options)
    std::vector<uint32_t> plain_lead;  // the opening with its quotations
    std::vector<uint32_t> all;         // every shingle of the own text
  };
  std::vector<Item> items;
  core::FixedClock clock(0);
  const core::StageContext ctx{&clock, "test"};
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    ASSERT_TRUE(d.IsObject());
    schemas::RawRecord record = testing::MakeRecord(line, "application/json");
    core::Document doc(record);
    ASSERT_TRUE((*pipeline_setup)->pipeline->ProcessDocument(doc, ctx).ok());
    ArticleSignature sig;
    ComputeSignature(doc, 0, SignatureOptions{}, &sig);
    auto str = [&](const char* k) {
      return d.HasMember(k) && d[k].IsString() ? std::string(d[k].GetString()) : std::string();
    };
    Item item{str("id"),           str("duplicate_group"), str("story"), sig.simhash,
              sig.has_fingerprint, sig.lead_shingles,      {},           {}};
    SignatureOptions options;
    options.lead_skip_quotes = false;
    ComputeSignature(doc, 0, options, &sig);
    item.plain_lead = sig.lead_shingles;
    options.lead_skip_quotes = true;
    options.lead_words = 1 << 20;
    ComputeSignature(doc, 0, options, &sig);
    item.all = sig.lead_shingles;
    items.push_back(std::move(item));
  }
  // The lead values as sets (the signature lists them in text order, repeats included).
  for (Item& item : items) {
    for (std::vector<uint32_t>* v : {&item.lead, &item.plain_lead, &item.all}) {
      v->resize(SortUniqueLeadValues(v->data(), v->size()));
    }
  }
  auto intersection = [](const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    std::vector<uint32_t> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    return both;
  };
  auto shared = [&](const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    return intersection(a, b).size();
  };
  auto jaccard = [&](const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    const size_t n = shared(a, b);
    const size_t uni = a.size() + b.size() - n;
    return uni == 0 ? 0.0 : static_cast<double>(n) / static_cast<double>(uni);
  };
  auto containment = [&](const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    const size_t smaller = std::min(a.size(), b.size());
    return smaller == 0 ? 0.0 : static_cast<double>(shared(a, b)) / static_cast<double>(smaller);
  };
  double min_lead_within = 1.0;
  double min_plain_within = 1.0;
  double min_all_within = 1.0;
  // The closest other pairs by each measure.
  std::vector<std::pair<double, std::string>> lead_between, plain_between, all_between;
  int max_within = 0;
  int min_between = 64;
  int within_pairs = 0;
  std::map<int, int> between_histogram;
  for (size_t i = 0; i < items.size(); ++i) {
    for (size_t j = i + 1; j < items.size(); ++j) {
      const Item& a = items[i];
      const Item& b = items[j];
      if (!a.has || !b.has) continue;
      const int d = HammingDistance(a.simhash, b.simhash);
      const double lj = jaccard(a.lead, b.lead);
      const double pj = jaccard(a.plain_lead, b.plain_lead);
      const double ac = containment(a.all, b.all);
      if (!a.group.empty() && a.group == b.group) {
        // Shared shingles in all and of them indexed (StoryStore::LeadIndexed): the index
        // makes a pair a candidate through 2 shared indexed shingles.
        size_t indexed = 0;
        const std::vector<uint32_t> both = intersection(a.lead, b.lead);
        for (uint32_t h : both) indexed += StoryStore::LeadIndexed(h) ? 1 : 0;
        std::printf(
            "duplicate pair %s %s: %d bits, lead Jaccard %.3f (with quotations %.3f), "
            "containment %.3f, lead shingles shared %zu (indexed %zu)\n",
            a.id.c_str(), b.id.c_str(), d, lj, pj, ac, both.size(), indexed);
        min_lead_within = std::min(min_lead_within, lj);
        min_plain_within = std::min(min_plain_within, pj);
        min_all_within = std::min(min_all_within, ac);
        max_within = std::max(max_within, d);
        ++within_pairs;
      } else {
        min_between = std::min(min_between, d);
        const std::string pair = a.id + " " + b.id + (a.story == b.story ? " (same story)" : "");
        lead_between.emplace_back(lj, pair);
        plain_between.emplace_back(pj, pair);
        all_between.emplace_back(ac, pair);
        ++between_histogram[std::min(d, 20)];
      }
    }
  }
  std::printf("largest distance within a duplicate group: %d; smallest between others: %d\n",
              max_within, min_between);
  for (const auto& [d, n] : between_histogram) std::printf("  between, %2d bits: %d pairs\n", d, n);
  auto print_top = [](const char* what, double within,
                      std::vector<std::pair<double, std::string>>& between) {
    std::sort(between.rbegin(), between.rend());
    std::printf("%s: smallest within a duplicate group %.3f; largest between others:\n", what,
                within);
    for (size_t i = 0; i < 5 && i < between.size(); ++i) {
      std::printf("  %.3f %s\n", between[i].first, between[i].second.c_str());
    }
  };
  print_top("lead Jaccard (own text)", min_lead_within, lead_between);
  print_top("lead Jaccard (with quotations)", min_plain_within, plain_between);
  print_top("containment (whole own text)", min_all_within, all_between);
  ASSERT_GT(within_pairs, 0);
  ASSERT_FALSE(lead_between.empty());
  EXPECT_GT(min_between, 3);         // the default duplicate_distance makes no false pair here
  EXPECT_GE(min_lead_within, 0.15);  // the default lead_jaccard finds every labelled pair
  EXPECT_LT(lead_between.front().first, 0.15);  // and no other pair
}

}  // namespace
}  // namespace newsflow::story
