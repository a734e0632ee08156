#include "processors/alert/alert_rules.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "processors/normalize/folding.h"
#include "schemas/embedded.h"

namespace newsflow::alert {
namespace embedded {
extern const EmbeddedFile kAlertRules[];
extern const std::size_t kAlertRules_count;
}  // namespace embedded

namespace {

Status Error(const std::string& where, const std::string& message) {
  return Status(Code::kInvalidConfig, "alerts", where + ": " + message);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The placeholders a reason template may use (alert_stage.cc fills them).
const std::map<std::string, ReasonField, std::less<>>& Placeholders() {
  static const std::map<std::string, ReasonField, std::less<>> kNames = {
      {"rule", ReasonField::kRule},         {"severity", ReasonField::kSeverity},
      {"title", ReasonField::kTitle},       {"article_id", ReasonField::kArticleId},
      {"story_id", ReasonField::kStoryId},  {"articles", ReasonField::kArticles},
      {"sources", ReasonField::kSources},   {"languages", ReasonField::kLanguages},
      {"language", ReasonField::kLanguage}, {"source", ReasonField::kSource},
      {"topics", ReasonField::kTopics},     {"entities", ReasonField::kEntities},
      {"level", ReasonField::kLevel}};
  return kNames;
}

// Checks a reason template and splits it into its literal text and placeholders.
Status ParseTemplate(const std::string& where, const std::string& text,
                     std::vector<ReasonPart>* parts) {
  parts->clear();
  auto literal = [&](size_t from, size_t to) {
    if (to > from) parts->push_back({ReasonField::kText, text.substr(from, to - from)});
  };
  size_t pos = 0;
  size_t open;
  while ((open = text.find('{', pos)) != std::string::npos) {
    const size_t end = text.find('}', open);
    if (end == std::string::npos) return Error(where, "unclosed '{' in reason");
    const std::string name = text.substr(open + 1, end - open - 1);
    const auto it = Placeholders().find(name);
    if (it == Placeholders().end()) {
      return Error(where, "unknown placeholder {" + name + "} in reason");
    }
    literal(pos, open);
    parts->push_back({it->second, {}});
    pos = end + 1;
  }
  literal(pos, text.size());
  return Status::Ok();
}

Result<Severity> ParseSeverity(const std::string& where, const std::string& s) {
  if (s == "info") return Severity::kInfo;
  if (s == "warning") return Severity::kWarning;
  if (s == "critical") return Severity::kCritical;
  return Error(where, "severity must be info, warning or critical, got '" + s + "'");
}

// Reads a map of known keys; any other key is an error naming it.
class Keys {
 public:
  Keys(const YAML::Node& node, std::string where) : node_(node), where_(std::move(where)) {}
  YAML::Node Get(const std::string& key) {
    known_.insert(key);
    return node_.IsMap() ? node_[key] : YAML::Node();
  }
  Status Finish() const {
    if (!node_.IsMap()) return Status::Ok();
    for (const auto& kv : node_) {
      const std::string key = kv.first.as<std::string>();
      if (!known_.contains(key)) return Error(where_ + "." + key, "unknown key");
    }
    return Status::Ok();
  }

 private:
  YAML::Node node_;
  std::string where_;
  std::set<std::string> known_;
};

Status Strings(const YAML::Node& node, const std::string& where, std::vector<std::string>* out) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsSequence()) return Error(where, "expected a list of strings");
  for (const auto& item : node) {
    if (!item.IsScalar()) return Error(where, "expected a list of strings");
    out->push_back(item.Scalar());
  }
  return Status::Ok();
}

template <typename T>
Status Scalar(const YAML::Node& node, const std::string& where, T* out) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  try {
    *out = node.as<T>();
  } catch (const YAML::Exception&) {
    return Error(where, "expected a " + std::string(std::is_same_v<T, bool>     ? "boolean"
                                                    : std::is_same_v<T, double> ? "number"
                                                                                : "value"));
  }
  return Status::Ok();
}

Status Duration(const YAML::Node& node, const std::string& where, int64_t* out) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  if (!node.IsScalar()) return Error(where, "expected a duration such as 30m, 2h, 1d");
  auto d = ParseDuration(node.Scalar());
  if (!d.ok()) return Error(where, d.status().message());
  *out = *d;
  return Status::Ok();
}

Status ParseRule(const YAML::Node& node, const std::string& where, Rule* rule) {
  if (!node.IsMap()) return Error(where, "a rule must be a map");
  Keys k(node, where);
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("id"), where + ".id", &rule->id));
  if (rule->id.empty()) return Error(where, "a rule needs an id");
  const std::string at = where + "(" + rule->id + ")";
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("description"), at + ".description", &rule->description));
  std::string severity = "warning";
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("severity"), at + ".severity", &severity));
  NEWSFLOW_ASSIGN_OR_RETURN(rule->severity, ParseSeverity(at + ".severity", severity));
  std::string reason;
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("reason"), at + ".reason", &reason));
  if (reason.empty()) reason = "{rule}: {title}";
  NEWSFLOW_RETURN_IF_ERROR(ParseTemplate(at + ".reason", reason, &rule->reason_parts));
  NEWSFLOW_RETURN_IF_ERROR(
      Duration(k.Get("suppress_for"), at + ".suppress_for", &rule->suppress_for_ms));
  if (rule->suppress_for_ms <= 0) return Error(at + ".suppress_for", "must be positive");

  YAML::Node when = k.Get("when");
  if (!when.IsMap()) return Error(at + ".when", "a rule needs a `when` map of conditions");
  Keys w(when, at + ".when");
  if (YAML::Node topics = w.Get("topics"); topics.IsDefined()) {
    if (!topics.IsMap()) return Error(at + ".when.topics", "expected {topic_id: min_score}");
    for (const auto& kv : topics) {
      double min = 0;
      const std::string id = kv.first.as<std::string>();
      NEWSFLOW_RETURN_IF_ERROR(Scalar(kv.second, at + ".when.topics." + id, &min));
      if (min < 0 || min > 1) return Error(at + ".when.topics." + id, "must be in [0, 1]");
      rule->topics[id] = min;
    }
  }
  if (YAML::Node ents = w.Get("entities"); ents.IsDefined()) {
    Keys e(ents, at + ".when.entities");
    NEWSFLOW_RETURN_IF_ERROR(Strings(e.Get("any"), at + ".when.entities.any", &rule->entities_any));
    NEWSFLOW_RETURN_IF_ERROR(Strings(e.Get("all"), at + ".when.entities.all", &rule->entities_all));
    NEWSFLOW_RETURN_IF_ERROR(
        Strings(e.Get("none"), at + ".when.entities.none", &rule->entities_none));
    NEWSFLOW_RETURN_IF_ERROR(e.Finish());
  }
  NEWSFLOW_RETURN_IF_ERROR(Strings(w.Get("languages"), at + ".when.languages", &rule->languages));
  std::vector<std::string> sources, terms;
  NEWSFLOW_RETURN_IF_ERROR(Strings(w.Get("sources"), at + ".when.sources", &sources));
  for (auto& s : sources) rule->sources.push_back(Lower(s));
  NEWSFLOW_RETURN_IF_ERROR(Strings(w.Get("terms"), at + ".when.terms", &terms));
  for (const auto& t : terms) {
    std::string folded = normalize::TextFolder::Default().Fold(t);
    if (folded.empty() || folded.find(' ') != std::string::npos) {
      return Error(at + ".when.terms", "'" + t + "': a term is one word");
    }
    rule->terms.push_back(std::move(folded));
  }
  if (YAML::Node story = w.Get("story"); story.IsDefined()) {
    rule->has_story = true;
    Keys s(story, at + ".when.story");
    NEWSFLOW_RETURN_IF_ERROR(
        Scalar(s.Get("min_articles"), at + ".when.story.min_articles", &rule->story.min_articles));
    NEWSFLOW_RETURN_IF_ERROR(
        Scalar(s.Get("min_sources"), at + ".when.story.min_sources", &rule->story.min_sources));
    NEWSFLOW_RETURN_IF_ERROR(Scalar(s.Get("min_languages"), at + ".when.story.min_languages",
                                    &rule->story.min_languages));
    NEWSFLOW_RETURN_IF_ERROR(
        Duration(s.Get("within"), at + ".when.story.within", &rule->story.within_ms));
    NEWSFLOW_RETURN_IF_ERROR(s.Finish());
  }
  NEWSFLOW_RETURN_IF_ERROR(w.Finish());
  if (rule->topics.empty() && rule->entities_any.empty() && rule->entities_all.empty() &&
      rule->terms.empty() && !rule->has_story) {
    return Error(at + ".when", "needs at least one of topics, entities, terms or story");
  }

  if (YAML::Node esc = k.Get("escalate"); esc.IsDefined()) {
    Keys e(esc, at + ".escalate");
    if (YAML::Node steps = e.Get("articles"); steps.IsDefined()) {
      rule->escalate_articles.clear();
      if (!steps.IsSequence()) return Error(at + ".escalate.articles", "expected a list");
      for (const auto& s : steps) rule->escalate_articles.push_back(s.as<int64_t>());
      if (!std::is_sorted(rule->escalate_articles.begin(), rule->escalate_articles.end())) {
        return Error(at + ".escalate.articles", "steps must be increasing");
      }
    }
    NEWSFLOW_RETURN_IF_ERROR(
        Scalar(e.Get("languages"), at + ".escalate.languages", &rule->escalate_languages));
    NEWSFLOW_RETURN_IF_ERROR(
        Scalar(e.Get("critical_at"), at + ".escalate.critical_at", &rule->critical_at));
    NEWSFLOW_RETURN_IF_ERROR(e.Finish());
  }
  return k.Finish();
}

Status ParseSurge(const YAML::Node& node, SurgeSettings* s) {
  if (!node.IsDefined() || node.IsNull()) return Status::Ok();
  const std::string at = "surge";
  Keys k(node, at);
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("enabled"), at + ".enabled", &s->enabled));
  NEWSFLOW_RETURN_IF_ERROR(Duration(k.Get("bucket"), at + ".bucket", &s->bucket_ms));
  NEWSFLOW_RETURN_IF_ERROR(
      Duration(k.Get("allowed_lateness"), at + ".allowed_lateness", &s->allowed_lateness_ms));
  int64_t baseline_buckets = static_cast<int64_t>(1.0 / s->baseline_alpha + 0.5);
  NEWSFLOW_RETURN_IF_ERROR(
      Scalar(k.Get("baseline_buckets"), at + ".baseline_buckets", &baseline_buckets));
  if (baseline_buckets < 1) return Error(at + ".baseline_buckets", "must be at least 1");
  s->baseline_alpha = 1.0 / static_cast<double>(baseline_buckets);
  NEWSFLOW_RETURN_IF_ERROR(
      Scalar(k.Get("warmup_buckets"), at + ".warmup_buckets", &s->warmup_buckets));
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("min_baseline"), at + ".min_baseline", &s->min_baseline));
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("min_count"), at + ".min_count", &s->min_count));
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("min_ratio"), at + ".min_ratio", &s->min_ratio));
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("max_p_value"), at + ".max_p_value", &s->max_p_value));
  NEWSFLOW_RETURN_IF_ERROR(
      Scalar(k.Get("cooldown_buckets"), at + ".cooldown_buckets", &s->cooldown_buckets));
  NEWSFLOW_RETURN_IF_ERROR(Strings(k.Get("entities"), at + ".entities", &s->entities));
  std::string severity = "warning";
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("severity"), at + ".severity", &severity));
  NEWSFLOW_ASSIGN_OR_RETURN(s->severity, ParseSeverity(at + ".severity", severity));
  if (s->bucket_ms < 1000) return Error(at + ".bucket", "must be at least 1s");
  if (s->min_count < 1) return Error(at + ".min_count", "must be at least 1");
  if (s->max_p_value <= 0 || s->max_p_value >= 1) return Error(at + ".max_p_value", "in (0, 1)");
  if (s->min_baseline <= 0) return Error(at + ".min_baseline", "must be positive");
  return k.Finish();
}

}  // namespace

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "warning";
}

Result<int64_t> ParseDuration(const std::string& text) {
  if (text.empty()) return Status(Code::kInvalidConfig, "alerts", "empty duration");
  size_t used = 0;
  int64_t n = 0;
  try {
    n = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = used == 0 ? std::string() : text.substr(used);
  const int64_t scale = unit == "ms"  ? 1
                        : unit == "s" ? 1000
                        : unit == "m" ? 60000
                        : unit == "h" ? 3600000
                        : unit == "d" ? 86400000
                                      : 0;
  if (used == 0 || scale == 0 || n < 0) {
    return Status(Code::kInvalidConfig, "alerts",
                  "'" + text + "' is not a duration such as 90s, 30m, 2h or 1d");
  }
  return n * scale;
}

Result<std::shared_ptr<const AlertRules>> CompileAlertRules(const std::string& name,
                                                            const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Error(name, "line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  auto rules = std::make_shared<AlertRules>();
  Keys k(root, name);
  NEWSFLOW_RETURN_IF_ERROR(Scalar(k.Get("version"), name + ": version", &rules->version_));
  if (rules->version_.empty()) return Error(name, "needs a version");
  YAML::Node list = k.Get("rules");
  if (list.IsDefined() && !list.IsNull()) {
    if (!list.IsSequence()) return Error(name + ": rules", "expected a list of rules");
    std::set<std::string> ids;
    for (size_t i = 0; i < list.size(); ++i) {
      Rule rule;
      NEWSFLOW_RETURN_IF_ERROR(
          ParseRule(list[i], name + ": rules[" + std::to_string(i) + "]", &rule));
      if (!ids.insert(rule.id).second) return Error(name, "duplicate rule id '" + rule.id + "'");
      rule.index = static_cast<uint32_t>(rules->rules_.size());
      for (const auto& t : rule.terms) rules->terms_.Add(rule.index, t);
      rules->rules_.push_back(std::move(rule));
    }
  }
  NEWSFLOW_RETURN_IF_ERROR(ParseSurge(k.Get("surge"), &rules->surge_));
  NEWSFLOW_RETURN_IF_ERROR(k.Finish());
  return std::shared_ptr<const AlertRules>(std::move(rules));
}

Result<std::shared_ptr<const AlertRules>> LoadAlertRules(const std::string& path) {
  if (path.empty()) {
    for (size_t i = 0; i < embedded::kAlertRules_count; ++i) {
      if (embedded::kAlertRules[i].name == "alerts.yaml") {
        return CompileAlertRules("config/alerts/alerts.yaml (built in)",
                                 std::string(embedded::kAlertRules[i].data));
      }
    }
    return Status(Code::kInternal, "alerts", "built-in alerts.yaml missing");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(path, "cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return CompileAlertRules(path, ss.str());
}

}  // namespace newsflow::alert
