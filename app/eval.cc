#include "app/eval.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>

#include <rapidjson/document.h>

#include "processors/score/score_stage.h"
#include "processors/tag/taxonomy.h"

namespace newsflow::app {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> Strings(const rapidjson::Value& doc, const char* key) {
  std::vector<std::string> out;
  if (!doc.HasMember(key) || !doc[key].IsArray()) return out;
  for (const auto& v : doc[key].GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

std::string Str(const rapidjson::Value& doc, const char* key) {
  if (!doc.HasMember(key) || !doc[key].IsString()) return {};
  return std::string(doc[key].GetString(), doc[key].GetStringLength());
}

}  // namespace

StoryMetrics ComputeStoryMetrics(const std::vector<StoryAssignment>& a) {
  StoryMetrics m;
  m.articles = static_cast<int>(a.size());
  if (a.empty()) return m;
  std::map<std::string, std::vector<size_t>> gold, predicted, roots;
  std::map<std::string, std::set<std::string>> gold_languages;
  for (size_t i = 0; i < a.size(); ++i) {
    gold[a[i].gold_story].push_back(i);
    predicted[a[i].story].push_back(i);
    roots[a[i].duplicate_root].push_back(i);
    gold_languages[a[i].gold_story].insert(a[i].language);
  }
  m.gold_stories = static_cast<int>(gold.size());
  m.predicted_stories = static_cast<int>(predicted.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& cluster = predicted[a[i].story];
    const auto& truth = gold[a[i].gold_story];
    int both = 0;
    for (size_t j : cluster) both += a[j].gold_story == a[i].gold_story ? 1 : 0;
    const double p = static_cast<double>(both) / cluster.size();
    const double r = static_cast<double>(both) / truth.size();
    m.precision += p;
    m.recall += r;
    if (gold_languages[a[i].gold_story].size() > 1) {
      ++m.multi_language_articles;
      m.multi_precision += p;
      m.multi_recall += r;
    }
  }
  m.precision /= a.size();
  m.recall /= a.size();
  if (m.multi_language_articles > 0) {
    m.multi_precision /= m.multi_language_articles;
    m.multi_recall /= m.multi_language_articles;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i + 1; j < a.size(); ++j) {
      const bool g = !a[i].gold_duplicate_group.empty() &&
                     a[i].gold_duplicate_group == a[j].gold_duplicate_group;
      const bool p = a[i].duplicate_root == a[j].duplicate_root;
      m.duplicate_gold_pairs += g ? 1 : 0;
      m.duplicate_predicted_pairs += p ? 1 : 0;
      m.duplicate_true_pairs += (g && p) ? 1 : 0;
    }
  }
  return m;
}

core::Result<EvalResult> Evaluate(const core::Pipeline& pipeline, const std::string& gold_path) {
  std::ifstream in(gold_path, std::ios::binary);
  if (!in) {
    return core::Status(core::Code::kInvalidConfig, "eval", "cannot open '" + gold_path + "'");
  }
  EvalResult result;
  core::SystemClock clock;
  const core::StageContext ctx{&clock, "eval"};
  std::string line;
  int line_number = 0;
  std::set<std::string> topic_ids;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    rapidjson::Document gold;
    gold.Parse(line.c_str(), line.size());
    if (gold.HasParseError() || !gold.IsObject()) {
      return core::Status(core::Code::kMalformed, "eval",
                          gold_path + ":" + std::to_string(line_number) + ": not a JSON object");
    }
    ++result.articles;
    core::RawRecord record;
    record.value = line;
    record.headers = {{"content-type", "application/json"}};
    record.origin.kind = core::Origin::Kind::kFile;
    record.origin.file = gold_path;
    record.origin.line = line_number;
    core::Document doc(record);
    const core::Status status = pipeline.ProcessDocument(doc, ctx);
    if (!status.ok()) ++result.failed;
    if (const auto* tax = dynamic_cast<const tag::Taxonomy*>(doc.taxonomy.get())) {
      for (const auto& t : tax->topics()) {
        topic_ids.insert(t.id);
        result.topics[t.id];  // every topic appears in the table
      }
    }

    const std::string id = Str(gold, "id");
    const std::string note = Str(gold, "note");
    std::string title = Str(gold, "title");
    if (title.empty()) title = Str(gold, "title_from_url");
    if (Str(gold, "lang") == doc.language.code) ++result.language_correct;

    std::set<std::string> labelled;
    for (const auto& l : Strings(gold, "labels")) labelled.insert(l);
    std::map<std::string, double> predicted;
    for (const auto& t : doc.topics) predicted[t.id] = t.score;
    std::map<std::string, double> candidate_scores;
    if (doc.taxonomy) {
      const auto& tax = static_cast<const tag::Taxonomy&>(*doc.taxonomy);
      for (const auto& s : score::ScoreTopics(doc, false))
        candidate_scores[tax.topics()[s.topic].id] = s.score;
    }

    bool all_right = true;
    for (const auto& topic : topic_ids) {
      const bool gold_has = labelled.contains(topic);
      const bool pred_has = predicted.contains(topic);
      TopicCounts& c = result.topics[topic];
      if (gold_has && pred_has) ++c.tp;
      if (!gold_has && pred_has) ++c.fp;
      if (gold_has && !pred_has) ++c.fn;
      if (gold_has != pred_has) {
        all_right = false;
        result.misses.push_back({id, topic, pred_has, candidate_scores[topic], title, note});
      }
    }
    const std::string note_lower = Lower(note);
    if (note_lower.find("hard negative") != std::string::npos) {
      ++result.hard_negative;
      result.hard_negative_right += all_right ? 1 : 0;
    }
    if (note_lower.find("hard positive") != std::string::npos) {
      ++result.hard_positive;
      result.hard_positive_right += all_right ? 1 : 0;
    }

    if (const std::string gold_story = Str(gold, "story"); !gold_story.empty()) {
      result.stories.push_back({id, Str(gold, "lang"), gold_story, Str(gold, "duplicate_group"),
                                doc.story_id, doc.duplicate_of.empty() ? id : doc.duplicate_of,
                                title, doc.story.explanation});
    }

    std::set<std::string> found;
    for (const auto& e : doc.entities) found.insert(Lower(e.name));
    for (const auto& name : Strings(gold, "entities")) {
      ++result.entity_gold;
      if (found.contains(Lower(name))) {
        ++result.entity_found;
      } else {
        ++result.missed_entities[name];
      }
    }
  }
  double f1_sum = 0.0;
  int f1_topics = 0;
  for (const auto& [id, c] : result.topics) {
    result.micro.tp += c.tp;
    result.micro.fp += c.fp;
    result.micro.fn += c.fn;
    if (c.tp + c.fn > 0) {
      f1_sum += c.F1();
      ++f1_topics;
    }
  }
  result.macro_f1 = f1_topics == 0 ? 0.0 : f1_sum / f1_topics;
  result.story = ComputeStoryMetrics(result.stories);
  return result;
}

std::string FormatReport(const EvalResult& r, size_t worst) {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "articles %d (rejected by the pipeline: %d), language accuracy %.3f\n\n",
                r.articles, r.failed,
                r.articles == 0 ? 0.0 : static_cast<double>(r.language_correct) / r.articles);
  out += buf;
  std::snprintf(buf, sizeof(buf), "%-22s %5s %4s %4s %4s %9s %7s %6s\n", "topic", "gold", "tp",
                "fp", "fn", "precision", "recall", "f1");
  out += buf;
  for (const auto& [id, c] : r.topics) {
    std::snprintf(buf, sizeof(buf), "%-22s %5d %4d %4d %4d %9.3f %7.3f %6.3f\n", id.c_str(),
                  c.tp + c.fn, c.tp, c.fp, c.fn, c.Precision(), c.Recall(), c.F1());
    out += buf;
  }
  std::snprintf(buf, sizeof(buf), "%-22s %5d %4d %4d %4d %9.3f %7.3f %6.3f\n", "micro",
                r.micro.tp + r.micro.fn, r.micro.tp, r.micro.fp, r.micro.fn, r.micro.Precision(),
                r.micro.Recall(), r.micro.F1());
  out += buf;
  std::snprintf(buf, sizeof(buf), "%-22s %48.3f\n\n", "macro (topics with gold)", r.macro_f1);
  out += buf;
  std::snprintf(buf, sizeof(buf),
                "hard negatives all right: %d/%d; hard positives all right: %d/%d\n",
                r.hard_negative_right, r.hard_negative, r.hard_positive_right, r.hard_positive);
  out += buf;
  std::snprintf(buf, sizeof(buf), "entity recall %.3f (%d of %d labelled entities found)\n\n",
                r.EntityRecall(), r.entity_found, r.entity_gold);
  out += buf;
  if (r.story.articles > 0) {
    const StoryMetrics& s = r.story;
    std::snprintf(buf, sizeof(buf),
                  "stories: %d articles, %d gold stories, %d predicted\n"
                  "  B-cubed precision %.3f recall %.3f F1 %.3f\n"
                  "  multi-language stories (%d articles): precision %.3f recall %.3f F1 %.3f\n"
                  "  near-duplicates: precision %.3f recall %.3f (%d gold pairs, %d predicted, "
                  "%d right)\n\n",
                  s.articles, s.gold_stories, s.predicted_stories, s.precision, s.recall, s.F1(),
                  s.multi_language_articles, s.multi_precision, s.multi_recall, s.MultiF1(),
                  s.DuplicatePrecision(), s.DuplicateRecall(), s.duplicate_gold_pairs,
                  s.duplicate_predicted_pairs, s.duplicate_true_pairs);
    out += buf;
    if (worst > 0) {
      // Articles whose predicted story differs from the majority of their gold story.
      std::map<std::string, std::map<std::string, int>> votes;
      for (const auto& x : r.stories) ++votes[x.gold_story][x.story];
      out += "story assignments that differ from their gold story's main predicted story:\n";
      for (const auto& x : r.stories) {
        const auto& v = votes[x.gold_story];
        const auto main = std::max_element(
            v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
        if (x.story == main->first) continue;
        std::snprintf(buf, sizeof(buf), "  %-45.45s %-22.22s %s  %.60s\n", x.gold_story.c_str(),
                      x.story.c_str(), x.language.c_str(), x.title.c_str());
        out += buf;
        out += "      " + x.why.substr(0, 400) + "\n";
      }
      out += "\n";
    }
  }
  if (worst > 0) {
    out += "worst misses (false negatives first, then false positives by score):\n";
    std::vector<EvalMiss> misses = r.misses;
    std::stable_sort(misses.begin(), misses.end(), [](const EvalMiss& a, const EvalMiss& b) {
      if (a.false_positive != b.false_positive) return !a.false_positive;
      return a.false_positive ? a.score > b.score : a.score < b.score;
    });
    for (size_t i = 0; i < misses.size() && i < worst; ++i) {
      const auto& m = misses[i];
      std::snprintf(buf, sizeof(buf), "  %s %-20s score %.3f  %s  %.80s\n",
                    m.false_positive ? "FP" : "FN", m.topic.c_str(), m.score, m.article.c_str(),
                    m.title.c_str());
      out += buf;
    }
    std::vector<std::pair<int, std::string>> missed;
    for (const auto& [name, n] : r.missed_entities) missed.emplace_back(n, name);
    std::sort(missed.rbegin(), missed.rend());
    out += "\nmost missed entities:\n";
    for (size_t i = 0; i < missed.size() && i < worst; ++i) {
      std::snprintf(buf, sizeof(buf), "  %3d  %s\n", missed[i].first, missed[i].second.c_str());
      out += buf;
    }
  }
  return out;
}

}  // namespace newsflow::app
