#include "app/eval.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include <rapidjson/document.h>
#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include "processors/score/score_stage.h"
#include "processors/tag/names.h"
#include "processors/tag/taxonomy.h"

namespace newsflow::app {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The key under which eval compares an entity name with a label (EntityNameKey in eval.h): the
// root collator's sort key at primary strength, which ignores case and diacritics (ICU; a
// collator is not thread-safe, so one per thread).
const icu::Collator* PrimaryCollator() {
  thread_local std::unique_ptr<icu::Collator> collator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Collator> c(icu::Collator::createInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status)) return std::unique_ptr<icu::Collator>();
    c->setStrength(icu::Collator::PRIMARY);
    return c;
  }();
  return collator.get();
}

}  // namespace

std::string EntityNameKey(std::string_view name) {
  const icu::Collator* collator = PrimaryCollator();
  // Without ICU's collation data (never in a build that passed its tests): ASCII case only.
  if (collator == nullptr) return Lower(std::string(name));
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  std::string key(64, '\0');
  int32_t size = collator->getSortKey(u, reinterpret_cast<uint8_t*>(key.data()),
                                      static_cast<int32_t>(key.size()));
  if (size > static_cast<int32_t>(key.size())) {
    key.resize(static_cast<size_t>(size));
    size = collator->getSortKey(u, reinterpret_cast<uint8_t*>(key.data()), size);
  }
  key.resize(size > 0 ? static_cast<size_t>(size - 1) : 0);  // without the terminating NUL
  return key;
}

namespace {

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

double HandScore(const EvalDataset& data, size_t t, const std::vector<double>& x) {
  double raw = 0.0;
  for (size_t r = 0; r < x.size(); ++r) raw += data.hand_weights[t][r] * x[r];
  return 1.0 - std::exp(-std::max(raw, 0.0));
}

std::string Fmt(const char* format, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof(buf), format, args...);
  return buf;
}

}  // namespace

Result<std::vector<std::string>> ExpandGoldPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> files;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        if (e.path().extension() == ".jsonl") files.push_back(e.path().string());
      }
      if (files.empty()) {
        return Status(Code::kInvalidConfig, "eval", "no *.jsonl file in '" + p + "'");
      }
      std::sort(files.begin(), files.end());
      out.insert(out.end(), files.begin(), files.end());
    } else {
      out.push_back(p);
    }
  }
  return out;
}

Result<EvalDataset> LoadEvalDataset(const core::Pipeline& pipeline,
                                    const std::vector<std::string>& files) {
  EvalDataset data;
  data.files = files;
  core::SystemClock clock;
  const core::StageContext ctx{&clock, "eval"};
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(Code::kInvalidConfig, "eval", "cannot open '" + path + "'");
    const std::string file_name = std::filesystem::path(path).filename().string();
    std::string line;
    int line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      rapidjson::Document gold;
      gold.Parse(line.c_str(), line.size());
      if (gold.HasParseError() || !gold.IsObject()) {
        return Status(Code::kMalformed, "eval",
                      path + ":" + std::to_string(line_number) + ": not a JSON object");
      }
      schemas::RawRecord record;
      record.value = line;
      record.headers = {{"content-type", "application/json"}};
      record.origin.kind = schemas::Origin::Kind::kFile;
      record.origin.file = path;
      record.origin.line = line_number;
      core::Document doc(record);
      EvalArticle a;
      a.failed = !pipeline.ProcessDocument(doc, ctx).ok();
      a.id = Str(gold, "id");
      a.lang = Str(gold, "lang");
      a.outlet = Str(gold, "outlet");
      if (a.outlet.empty()) a.outlet = a.id;
      a.file = file_name;
      a.note = Str(gold, "note");
      a.title = Str(gold, "title");
      if (a.title.empty()) a.title = Str(gold, "title_from_url");
      for (const auto& l : Strings(gold, "labels")) a.labels.insert(l);
      a.entities = Strings(gold, "entities");
      a.detected_language = doc.language.code;
      const auto* tax = dynamic_cast<const tag::Taxonomy*>(doc.taxonomy.get());
      std::set<std::string> gold_names;
      for (const auto& name : a.entities) gold_names.insert(EntityNameKey(name));
      for (const auto& e : doc.entities) {
        // The entity's name, and its other spellings (also_known_as): a gold name in either
        // spelling is found.
        bool labelled = false;
        auto add = [&](std::string_view name) {
          std::string key = EntityNameKey(name);
          labelled = labelled || gold_names.contains(key);
          a.found.insert(std::move(key));
        };
        add(e.name);
        if (const int i = tax != nullptr ? tax->FindEntity(e.id) : -1; i >= 0) {
          for (const auto& name : tax->entities()[i].also_known_as) add(name);
        }
        a.outputs.emplace_back(e.type, labelled);
      }
      if (tax != nullptr) {
        if (data.topics.empty()) {
          data.taxonomy_version = tax->version();
          for (const auto& t : tax->topics()) {
            data.topics.push_back(t.id);
            data.hand_thresholds.push_back(t.hand_threshold);
            data.rule_names.emplace_back();
            data.hand_weights.emplace_back();
            for (const auto& r : t.rules) {
              data.rule_names.back().push_back(r.name);
              data.hand_weights.back().push_back(r.weight);
            }
          }
        }
        a.features.resize(data.topics.size());
        for (size_t t = 0; t < data.topics.size(); ++t)
          a.features[t].assign(data.rule_names[t].size(), 0.0);
        for (const auto& s : score::ScoreTopics(doc, true)) {
          for (size_t r = 0; r < s.rules.size(); ++r) {
            if (s.rules[r].fired) a.features[s.topic][r] = score::Feature(s.rules[r].n);
          }
        }
      }
      if (const std::string gold_story = Str(gold, "story"); !gold_story.empty()) {
        data.stories.push_back({a.id, a.lang, gold_story, Str(gold, "duplicate_group"),
                                doc.story_id, doc.duplicate_of.empty() ? a.id : doc.duplicate_of,
                                a.title, doc.story.explanation});
      }
      data.articles.push_back(std::move(a));
    }
  }
  // Articles the pipeline rejected before tagging have no features: all zero.
  for (auto& a : data.articles) {
    if (a.features.size() == data.topics.size()) continue;
    a.features.resize(data.topics.size());
    for (size_t t = 0; t < data.topics.size(); ++t)
      a.features[t].assign(data.rule_names[t].size(), 0.0);
  }
  return data;
}

std::vector<int> OutletFolds(const EvalDataset& data, int k) {
  std::map<std::string, int> outlet_count;
  for (const auto& a : data.articles) ++outlet_count[a.outlet];
  std::vector<std::pair<int, std::string>> outlets;
  for (const auto& [o, n] : outlet_count) outlets.push_back({-n, o});
  std::sort(outlets.begin(), outlets.end());
  std::vector<int> size(static_cast<size_t>(k), 0);
  std::map<std::string, int> fold_of;
  for (const auto& [neg, o] : outlets) {
    const auto smallest = std::min_element(size.begin(), size.end()) - size.begin();
    fold_of[o] = static_cast<int>(smallest);
    size[static_cast<size_t>(smallest)] -= neg;
  }
  std::vector<int> folds;
  for (const auto& a : data.articles) folds.push_back(fold_of[a.outlet]);
  return folds;
}

FitData TopicFitData(const EvalDataset& data, size_t topic, const std::vector<int>& folds) {
  FitData d;
  d.hand = data.hand_weights[topic];
  for (size_t i = 0; i < data.articles.size(); ++i) {
    d.x.push_back(data.articles[i].features[topic]);
    d.y.push_back(data.articles[i].labels.contains(data.topics[topic]) ? 1 : 0);
    d.fold.push_back(folds[i]);
  }
  return d;
}

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

EvalResult EvaluateDataset(const EvalDataset& data, int k) {
  EvalResult result;
  result.stories = data.stories;
  result.story = ComputeStoryMetrics(data.stories);
  result.articles = static_cast<int>(data.articles.size());
  result.folds = k;
  const std::vector<int> folds = OutletFolds(data, k);
  const size_t n = data.articles.size();
  // Held-out scores and decisions, [topic][article].
  std::vector<std::vector<double>> cv_score(data.topics.size(), std::vector<double>(n, 0.0));
  std::vector<std::vector<char>> cv_pred(data.topics.size(), std::vector<char>(n, 0));
  for (size_t t = 0; t < data.topics.size(); ++t) {
    const FitData all = TopicFitData(data, t, folds);
    for (int f = 0; f < k; ++f) {
      const TopicModel model = FitTopic(SelectFolds(all, f, false));
      for (size_t i = 0; i < n; ++i) {
        if (folds[i] != f) continue;
        const double s = EmittedScore(model, all.x[i]);
        cv_score[t][i] = s;
        cv_pred[t][i] = s > 0 && s >= model.threshold;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const EvalArticle& a = data.articles[i];
    result.failed += a.failed;
    const bool lang_ok = a.lang == a.detected_language;
    result.language_correct += lang_ok;
    GroupEval* groups[] = {&result.languages[a.lang], &result.files[a.file]};
    int found = 0;
    for (const auto& name : a.entities) {
      if (a.found.contains(EntityNameKey(name))) {
        ++found;
      } else {
        ++result.missed_entities[name];
      }
    }
    result.entity_gold += static_cast<int>(a.entities.size());
    result.entity_found += found;
    int labelled = 0;
    for (const auto& [type, is_label] : a.outputs) {
      labelled += is_label ? 1 : 0;
      auto& by_type = result.entity_output_by_type[type];
      ++by_type.first;
      by_type.second += is_label ? 1 : 0;
    }
    result.entity_output += static_cast<int>(a.outputs.size());
    result.entity_output_labelled += labelled;
    for (GroupEval* g : groups) {
      ++g->articles;
      g->language_correct += lang_ok;
      g->entity_gold += static_cast<int>(a.entities.size());
      g->entity_found += found;
      g->entity_output += static_cast<int>(a.outputs.size());
      g->entity_output_labelled += labelled;
    }
    bool all_right = true;
    for (size_t t = 0; t < data.topics.size(); ++t) {
      const std::string& topic = data.topics[t];
      const bool gold = a.labels.contains(topic);
      const bool pred = cv_pred[t][i];
      const double hs = HandScore(data, t, a.features[t]);
      const bool hand_pred = hs > 0 && hs >= data.hand_thresholds[t];
      TopicEval& te = result.topics[topic];
      te.cv.Add(gold, pred);
      te.hand.Add(gold, hand_pred);
      auto& bucket = te.buckets[std::min<size_t>(9, static_cast<size_t>(cv_score[t][i] * 10))];
      ++bucket.count;
      bucket.positives += gold;
      bucket.score_sum += cv_score[t][i];
      for (GroupEval* g : groups) {
        g->cv.Add(gold, pred);
        g->hand.Add(gold, hand_pred);
      }
      if (gold != pred) {
        all_right = false;
        result.misses.push_back({a.id, topic, pred, cv_score[t][i], a.title, a.note});
      }
    }
    const std::string note = Lower(a.note);
    if (note.find("hard negative") != std::string::npos) {
      ++result.hard_negative;
      result.hard_negative_right += all_right;
    }
    if (note.find("hard positive") != std::string::npos) {
      ++result.hard_positive;
      result.hard_positive_right += all_right;
    }
  }
  double f1 = 0.0, hand_f1 = 0.0;
  int with_gold = 0;
  for (auto& [id, te] : result.topics) {
    for (const auto& b : te.buckets) {
      if (b.count == 0) continue;
      te.ece += std::abs(b.positives - b.score_sum) / static_cast<double>(n);
    }
    result.micro.tp += te.cv.tp;
    result.micro.fp += te.cv.fp;
    result.micro.fn += te.cv.fn;
    result.hand_micro.tp += te.hand.tp;
    result.hand_micro.fp += te.hand.fp;
    result.hand_micro.fn += te.hand.fn;
    if (te.cv.tp + te.cv.fn > 0) {
      f1 += te.cv.F1();
      hand_f1 += te.hand.F1();
      ++with_gold;
    }
  }
  result.macro_f1 = with_gold == 0 ? 0.0 : f1 / with_gold;
  result.hand_macro_f1 = with_gold == 0 ? 0.0 : hand_f1 / with_gold;
  return result;
}

Result<EvalResult> Evaluate(const core::Pipeline& pipeline,
                            const std::vector<std::string>& gold_paths, int folds) {
  NEWSFLOW_ASSIGN_OR_RETURN(std::vector<std::string> files, ExpandGoldPaths(gold_paths));
  NEWSFLOW_ASSIGN_OR_RETURN(EvalDataset data, LoadEvalDataset(pipeline, files));
  return EvaluateDataset(data, folds);
}

std::string FormatReport(const EvalResult& r, size_t worst) {
  std::string out;
  out += Fmt("articles %d (rejected by the pipeline: %d), language accuracy %.3f\n", r.articles,
             r.failed, r.LanguageAccuracy());
  out +=
      Fmt("topics: cross-validated by outlet, %d folds (weights, bias and threshold fitted on the "
          "other folds; app/fit.h); 'hand' = the hand-written weights and thresholds\n\n",
          r.folds);
  out += Fmt("%-20s %4s %4s %4s %4s %6s %6s %6s %6s | %6s %6s %6s\n", "topic", "gold", "tp", "fp",
             "fn", "prec", "recall", "f1", "ece", "h.prec", "h.rec", "h.f1");
  for (const auto& [id, t] : r.topics) {
    out += Fmt("%-20s %4d %4d %4d %4d %6.3f %6.3f %6.3f %6.3f | %6.3f %6.3f %6.3f\n", id.c_str(),
               t.cv.tp + t.cv.fn, t.cv.tp, t.cv.fp, t.cv.fn, t.cv.Precision(), t.cv.Recall(),
               t.cv.F1(), t.ece, t.hand.Precision(), t.hand.Recall(), t.hand.F1());
  }
  out += Fmt("%-20s %4d %4d %4d %4d %6.3f %6.3f %6.3f %6s | %6.3f %6.3f %6.3f\n", "micro",
             r.micro.tp + r.micro.fn, r.micro.tp, r.micro.fp, r.micro.fn, r.micro.Precision(),
             r.micro.Recall(), r.micro.F1(), "", r.hand_micro.Precision(), r.hand_micro.Recall(),
             r.hand_micro.F1());
  out += Fmt("%-20s %43.3f %6s | %20.3f\n\n", "macro (topics w/ gold)", r.macro_f1, "",
             r.hand_macro_f1);

  out +=
      "reliability (cross-validated scores; every article x topic; bucket: n, mean score, "
      "observed rate of the label):\n";
  std::array<ReliabilityBucket, 10> pooled{};
  for (const auto& [id, t] : r.topics) {
    for (size_t b = 0; b < 10; ++b) {
      pooled[b].count += t.buckets[b].count;
      pooled[b].positives += t.buckets[b].positives;
      pooled[b].score_sum += t.buckets[b].score_sum;
    }
  }
  for (size_t b = 0; b < 10; ++b) {
    if (pooled[b].count == 0) continue;
    out += Fmt("  [%.1f,%.1f)  n %5d  score %.3f  observed %.3f\n", b / 10.0, (b + 1) / 10.0,
               pooled[b].count, pooled[b].score_sum / pooled[b].count,
               static_cast<double>(pooled[b].positives) / pooled[b].count);
  }
  {
    // The ECE above is over every pair, most of them near 0 and right; restricted to the pairs
    // an alert could act on (score >= 0.1) it is stricter.
    int n = 0;
    double gap = 0.0;
    for (size_t b = 1; b < 10; ++b) {
      n += pooled[b].count;
      gap += std::abs(pooled[b].positives - pooled[b].score_sum);
    }
    out += Fmt("  pooled ECE over the %d pairs with score >= 0.1: %.3f\n", n, n ? gap / n : 0.0);
  }
  out += "  per topic, buckets >= 0.1 (n:observed):\n";
  {
    std::string header = Fmt("  %-20s", "");
    for (size_t b = 1; b < 10; ++b) header += Fmt("  [%.1f,)  ", b / 10.0);
    out += header + "\n";
  }
  for (const auto& [id, t] : r.topics) {
    std::string line = Fmt("  %-20s", id.c_str());
    for (size_t b = 1; b < 10; ++b) {
      if (t.buckets[b].count == 0) {
        line += "     -    ";
      } else {
        line += Fmt(" %3d:%.2f ", t.buckets[b].count,
                    static_cast<double>(t.buckets[b].positives) / t.buckets[b].count);
      }
    }
    out += line + "\n";
  }
  out += "\n";

  auto groups = [&](const char* what, const std::map<std::string, GroupEval>& m) {
    out += Fmt("%-24s %5s %6s %6s %6s %6s %7s %7s %7s\n", what, "n", "lang", "prec", "recall", "f1",
               "h.f1", "entity", "e.prec");
    for (const auto& [id, g] : m) {
      out += Fmt("%-24s %5d %6.3f %6.3f %6.3f %6.3f %7.3f %7.3f %7.3f\n", id.c_str(), g.articles,
                 g.articles == 0 ? 0.0 : static_cast<double>(g.language_correct) / g.articles,
                 g.cv.Precision(), g.cv.Recall(), g.cv.F1(), g.hand.F1(), g.EntityRecall(),
                 g.EntityPrecision());
    }
    out += "\n";
  };
  groups("language (micro)", r.languages);
  groups("file (micro)", r.files);

  out += Fmt("hard negatives all right: %d/%d; hard positives all right: %d/%d\n",
             r.hard_negative_right, r.hard_negative, r.hard_positive_right, r.hard_positive);
  out += Fmt("entity recall %.3f (%d of %d labelled entities found)\n", r.EntityRecall(),
             r.entity_found, r.entity_gold);
  out += Fmt("entity precision vs labels %.3f (%d of %d output entities are labelled",
             r.EntityPrecision(), r.entity_output_labelled, r.entity_output);
  for (const auto& [type, counts] : r.entity_output_by_type) {
    if (type == tag::kNameEntityType) {
      out += Fmt("; unlinked names: %d of %d", counts.second, counts.first);
    }
  }
  out += ")\n\n";
  if (worst > 0) {
    out += "worst misses (cross-validated; false negatives by score, then false positives):\n";
    std::vector<EvalMiss> misses = r.misses;
    std::stable_sort(misses.begin(), misses.end(), [](const EvalMiss& a, const EvalMiss& b) {
      if (a.false_positive != b.false_positive) return !a.false_positive;
      return a.false_positive ? a.score > b.score : a.score < b.score;
    });
    for (size_t i = 0; i < misses.size() && i < worst; ++i) {
      const auto& m = misses[i];
      out += Fmt("  %s %-20s score %.3f  %s  %.80s\n", m.false_positive ? "FP" : "FN",
                 m.topic.c_str(), m.score, m.article.c_str(), m.title.c_str());
    }
    std::vector<std::pair<int, std::string>> missed;
    for (const auto& [name, count] : r.missed_entities) missed.emplace_back(count, name);
    std::sort(missed.rbegin(), missed.rend());
    out += "\nmost missed entities:\n";
    for (size_t i = 0; i < missed.size() && i < worst; ++i) {
      out += Fmt("  %3d  %s\n", missed[i].first, missed[i].second.c_str());
    }
  }
  if (r.story.articles > 0) {
    const StoryMetrics& s = r.story;
    out +=
        Fmt("\nstories: %d articles, %d gold stories, %d predicted\n"
            "  B-cubed precision %.3f recall %.3f F1 %.3f\n"
            "  multi-language stories (%d articles): precision %.3f recall %.3f F1 %.3f\n"
            "  near-duplicates: precision %.3f recall %.3f (%d gold pairs, %d predicted, "
            "%d right)\n\n",
            s.articles, s.gold_stories, s.predicted_stories, s.precision, s.recall, s.F1(),
            s.multi_language_articles, s.multi_precision, s.multi_recall, s.MultiF1(),
            s.DuplicatePrecision(), s.DuplicateRecall(), s.duplicate_gold_pairs,
            s.duplicate_predicted_pairs, s.duplicate_true_pairs);
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
        out += Fmt("  %-45.45s %-22.22s %s  %.60s\n", x.gold_story.c_str(), x.story.c_str(),
                   x.language.c_str(), x.title.c_str());
        out += "      " + x.why.substr(0, 400) + "\n";
      }
      out += "\n";
    }
  }
  return out;
}

std::string FitCalibrationYaml(const EvalDataset& data, int k) {
  const std::vector<int> folds = OutletFolds(data, k);
  std::set<std::string> outlets;
  for (const auto& a : data.articles) outlets.insert(a.outlet);
  std::string files;
  for (const auto& f : data.files) {
    files += (files.empty() ? "" : ", ") + std::filesystem::path(f).filename().string();
  }
  std::string out =
      "# Fitted topic weights: GENERATED by `newsflow fit` (see config/taxonomy/README.md), do\n"
      "# not edit by hand. score = 1 / (1 + e^-(bias + sum_r weight_r * (1 - e^-n_r))); a topic\n"
      "# is assigned at score >= threshold. Rules and their hand weights: topics/<id>.yaml.\n"
      "calibration:\n";
  out += Fmt("  fitted_on: \"%zu articles (%s), %zu outlets, %d outlet folds\"\n",
             data.articles.size(), files.c_str(), outlets.size(), k);
  out += "  topics:\n";
  for (size_t t = 0; t < data.topics.size(); ++t) {
    const TopicModel m = FitTopic(TopicFitData(data, t, folds));
    out += "    " + data.topics[t] + ":\n";
    out += Fmt("      # lambda %g, prior scale %.4f\n", m.lambda, m.scale);
    out += Fmt("      bias: %.4f\n      threshold: %.2f\n      weights:\n", m.bias, m.threshold);
    for (size_t r = 0; r < m.weights.size(); ++r) {
      out += Fmt("        \"%s\": %.4f  # hand %.2f\n", data.rule_names[t][r].c_str(), m.weights[r],
                 data.hand_weights[t][r]);
    }
  }
  return out;
}

}  // namespace newsflow::app
