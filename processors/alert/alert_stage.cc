#include "processors/alert/alert_stage.h"

#include <rapidjson/internal/dtoa.h>
#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <span>

#include "processors/core/config.h"
#include "processors/core/form_hash.h"
#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace newsflow::alert {
namespace {

// An alert.v1 record written straight into a string: the same bytes RapidJSON's Writer wrote
// (its number formats: internal::dtoa for a double, the decimal digits of an integer; strings by
// schemas::PutJsonString, which is the Writer's String but for its one fix, see json_writer.h).
// The Writer, a std::map of every placeholder's value and the template's scan cost about 30 K
// instructions a raised alert (measured by callgrind over the story set and the dev corpus,
// 2026-12-07); most of it went to keys and values the record did not need.
class AlertJson {
 public:
  AlertJson() { out_.resize(1024); }
  template <size_t N>
  void Raw(const char (&literal)[N]) {
    char* const p = Room(N - 1);
    std::memcpy(p, literal, N - 1);
    used_ += N - 1;
  }
  // `"key":` for a key of lower-case letters and '_' (nothing to escape); `,` before it unless
  // it opens an object.
  template <size_t N>
  void Key(const char (&key)[N]) {
    char* p = Room(N + 2);
    if (!first_) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, key, N - 1);
    p += N - 1;
    *p++ = '"';
    *p++ = ':';
    first_ = false;
    used_ = static_cast<size_t>(p - out_.data());
  }
  void Open(char c) {
    *Room(1) = c;
    ++used_;
    first_ = true;
  }
  void Close(char c) {
    *Room(1) = c;
    ++used_;
    first_ = false;
  }
  // An array element's separator.
  void Next() {
    if (!first_) {
      *Room(1) = ',';
      ++used_;
    }
    first_ = false;
  }
  void String(std::string_view s) {
    char* const p = Room(6 * s.size() + 2);
    used_ = static_cast<size_t>(schemas::PutJsonString(p, s) - out_.data());
  }
  void StringOrNull(std::string_view s) {
    if (s.empty()) {
      Raw("null");
    } else {
      String(s);
    }
  }
  void Int(int64_t v) {
    char* const p = Room(24);
    used_ = static_cast<size_t>(std::to_chars(p, p + 24, v).ptr - out_.data());
  }
  // (A NaN or an infinity, which no score or baseline is, as null: JSON has neither.)
  void Double(double d) {
    if (!std::isfinite(d)) {
      Raw("null");
      return;
    }
    char* const p = Room(32);  // dtoa writes at most 25 bytes ("-1.2345678901234567e-308")
    used_ = static_cast<size_t>(rapidjson::internal::dtoa(d, p) - out_.data());
  }
  std::string Take() {
    out_.resize(used_);
    return std::move(out_);
  }

 private:
  char* Room(size_t n) {
    if (used_ + n > out_.size()) [[unlikely]]
      Grow(n);
    return out_.data() + used_;
  }
  [[gnu::noinline]] void Grow(size_t n) { out_.resize(std::max(out_.size() * 2, used_ + n)); }
  std::string out_;
  size_t used_ = 0;
  bool first_ = true;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int64_t EventTime(const core::Document& doc, const core::StageContext& ctx) {
  if (doc.story.event_time_ms >= 0) return doc.story.event_time_ms;
  if (doc.published_at_ms) return *doc.published_at_ms;
  if (doc.raw != nullptr && doc.raw->origin.timestamp_ms >= 0) return doc.raw->origin.timestamp_ms;
  return ctx.clock != nullptr ? ctx.clock->NowMs() : 0;
}

struct StoryCounts {
  int64_t articles = 0;
  int64_t sources = 0;
  int64_t languages = 0;
};

// A set of a story's recent sources or languages (at most recent_articles, usually a few
// distinct): a linear membership test over an inline array (no allocation, no node per element
// as in a std::set), spilling to a vector past kInline. Insert is inlined: it runs once per
// recent article of the story (twice for a story condition), and out of line its call and frame
// cost as much as its usual one or two comparisons.
class SmallSet {
 public:
  [[gnu::always_inline]] void Insert(std::string_view v) {
    for (size_t i = 0; i < n_; ++i) {
      if (Same(small_[i], v)) return;
    }
    if (n_ < kInline) {
      small_[n_++] = {v.data(), v.size()};
      return;
    }
    // (Past kInline only: the vector's search is a call, made for no set of the usual sizes.)
    InsertMore(v);
  }
  size_t size() const { return n_ + more_.size(); }
  // Sorted, as a std::set would list them (into the vector: called for raised alerts only).
  std::span<const std::string_view> Sorted() {
    for (size_t i = 0; i < n_; ++i) more_.emplace_back(small_[i].data, small_[i].size);
    n_ = 0;
    std::sort(more_.begin(), more_.end());
    return more_;
  }

 private:
  // The inline elements as a plain struct without initializers: a std::string_view array was
  // zeroed on construction (16 elements, three sets an article), though only the first n_ are
  // read.
  struct Item {
    const char* data;
    size_t size;
  };
  [[gnu::noinline]] void InsertMore(std::string_view v) {
    if (std::find(more_.begin(), more_.end(), v) == more_.end()) more_.push_back(v);
  }
  // Equality inline: the values are short (language codes, outlet names) and most tests compare
  // equal strings, each a call to memcmp through std::string_view's ==.
  // The story stage hands on the names as views of its interned copies, so equal names are
  // mostly the same bytes: tested first, before the comparison (a call).
  static bool Same(Item a, std::string_view b) {
    return a.size == b.size() && (a.data == b.data() || core::EqualBytes(a.data, b.data(), a.size));
  }
  static constexpr size_t kInline = 16;
  Item small_[kInline];
  size_t n_ = 0;
  std::vector<std::string_view> more_;
};

StoryCounts CountStory(const core::Document& doc, int64_t now, int64_t within_ms) {
  StoryCounts c;
  SmallSet sources, languages;
  for (const auto& a : doc.story.recent) {
    if (within_ms > 0 && a.time_ms < now - within_ms) continue;
    ++c.articles;
    if (!a.source.empty()) sources.Insert(a.source);
    if (!a.language.empty()) languages.Insert(a.language);
  }
  c.sources = static_cast<int64_t>(sources.size());
  c.languages = static_cast<int64_t>(languages.size());
  return c;
}

// Whether the story meets `cond` at `now`: CountStory's counts compared with the minimums, but
// outlets and languages are no longer collected once there are enough of each (a large story's
// recent articles were each looked up in both sets, for every article).
bool StoryMeets(const core::Document& doc, int64_t now, const StoryCondition& cond) {
  // Each count is at most the number of recent articles: a story with fewer than a minimum
  // does not meet the condition, whatever their times, outlets and languages.
  const auto recent = static_cast<int64_t>(doc.story.recent.size());
  if (recent < cond.min_articles || recent < cond.min_sources || recent < cond.min_languages) {
    return false;
  }
  // A condition on languages needs the story's recent articles to have that many, whatever their
  // times: most stories are told in one language, which this loop tells after a compare or two
  // per article (the same language is mostly the same bytes: the story stage's interned names),
  // where the loop below also tests the times and collects the outlets (~22 instructions per
  // recent article, for every article of a large story).
  if (cond.min_languages >= 2) {
    std::string_view first;
    bool two = false;
    for (const auto& a : doc.story.recent) {
      const std::string_view l = a.language;
      if (l.data() == first.data() || l.empty()) continue;
      if (first.empty()) {
        first = l;
      } else if (l != first) {
        two = true;
        break;
      }
    }
    if (!two) return false;
  }
  int64_t articles = 0;
  SmallSet sources, languages;
  bool sources_enough = cond.min_sources <= 0;
  bool languages_enough = cond.min_languages <= 0;
  for (const auto& a : doc.story.recent) {
    if (cond.within_ms > 0 && a.time_ms < now - cond.within_ms) continue;
    ++articles;
    if (!sources_enough && !a.source.empty()) {
      sources.Insert(a.source);
      sources_enough = static_cast<int64_t>(sources.size()) >= cond.min_sources;
    }
    if (!languages_enough && !a.language.empty()) {
      languages.Insert(a.language);
      languages_enough = static_cast<int64_t>(languages.size()) >= cond.min_languages;
    }
    // The three counts only grow: once each meets its minimum the rest of the recent articles
    // cannot change the answer (a large story's were all visited, for every article).
    if (sources_enough && languages_enough && articles >= cond.min_articles) return true;
  }
  return articles >= cond.min_articles && sources_enough && languages_enough;
}

bool HasTerm(const core::Document& doc, const std::string& term) {
  for (const auto& t : doc.tokens) {
    const std::string_view folded = doc.TokenForm(t.folded_offset, t.folded_size);
    if (folded.size() >= term.size() && folded.size() <= term.size() + 3 &&
        folded.substr(0, term.size()) == term) {
      return true;
    }
    if (t.stem_size > 0 && doc.TokenForm(t.stem_offset, t.stem_size) == term) return true;
  }
  return false;
}

// The title, or when the article has none the start of its lead (cut at a word, <= 120 bytes).
std::string DisplayTitle(const core::Document& doc) {
  const std::string& title = doc.normalized ? doc.title : doc.article.title;
  if (!title.empty()) return title;
  std::string_view lead =
      doc.lead.empty() ? std::string_view(doc.body) : std::string_view(doc.lead);
  if (lead.size() <= 120) return std::string(lead);
  size_t cut = lead.rfind(' ', 120);
  if (cut == std::string_view::npos || cut < 40) {
    cut = 120;
    while (cut > 0 && (static_cast<unsigned char>(lead[cut]) & 0xC0) == 0x80) --cut;
  }
  return std::string(lead.substr(0, cut)) + "…";
}

// An alert.v1 record's `{` and the members every record starts with (WriteEnd closes it).
void WriteCommon(AlertJson& w, std::string_view id, std::string_view kind, std::string_view rule,
                 Severity severity, const core::Document& doc, std::string_view title) {
  w.Open('{');
  w.Key("schema");
  w.Raw("\"newsflow.alert.v1\"");
  w.Key("id");
  w.String(id);
  w.Key("kind");
  w.String(kind);
  w.Key("rule");
  w.String(rule);
  w.Key("severity");
  w.String(SeverityName(severity));
  w.Key("article_id");
  w.String(doc.article.id);
  w.Key("url");
  w.StringOrNull(doc.article.url);
  w.Key("title");
  w.String(title);
  w.Key("language");
  w.StringOrNull(doc.language.code);
  w.Key("topics");
  w.Open('[');
  for (const auto& t : doc.topics) {
    w.Next();
    w.Open('{');
    w.Key("id");
    w.String(t.id);
    w.Key("score");
    w.Double(t.score);
    w.Close('}');
  }
  w.Close(']');
  w.Key("entities");
  w.Open('[');
  for (const auto& e : doc.entities) {
    w.Next();
    w.String(e.id);
  }
  w.Close(']');
}

// The members every alert.v1 record ends with, and its `}`.
void WriteEnd(AlertJson& w, std::string_view reason, int64_t event_time, int64_t now) {
  w.Key("reason");
  w.String(reason);
  w.Key("event_time");
  w.String(schemas::FormatRfc3339(event_time));
  w.Key("raised_at");
  w.String(schemas::FormatRfc3339(now));
  w.Close('}');
}

}  // namespace

namespace {

// Appends the decimal digits of v (what printf's %d / %PRId64 writes).
void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

// The values a reason's placeholders take (those not read from the rule or the document).
struct ReasonValues {
  Severity severity;
  std::string_view title;
  const core::Document& doc;
  int64_t article_count;
  int64_t event_time;
  size_t languages;
  std::string_view level;
};

// Appends `rule`'s reason: its template's text with each placeholder's value.
void AppendReason(std::string* out, const Rule& rule, const ReasonValues& v) {
  const core::Document& doc = v.doc;
  for (const ReasonPart& part : rule.reason_parts) {
    switch (part.field) {
      case ReasonField::kText:
        out->append(part.text);
        break;
      case ReasonField::kRule:
        out->append(rule.id);
        break;
      case ReasonField::kSeverity:
        out->append(SeverityName(v.severity));
        break;
      case ReasonField::kTitle:
        out->append(v.title);
        break;
      case ReasonField::kArticleId:
        out->append(doc.article.id);
        break;
      case ReasonField::kStoryId:
        out->append(doc.story_id);
        break;
      case ReasonField::kArticles:
        AppendInt(out, v.article_count);
        break;
      case ReasonField::kSources:
        AppendInt(out, CountStory(doc, v.event_time, 0).sources);
        break;
      case ReasonField::kLanguages:
        AppendInt(out, static_cast<int64_t>(v.languages));
        break;
      case ReasonField::kLanguage:
        out->append(doc.language.code);
        break;
      case ReasonField::kSource:
        out->append(doc.article.source);
        break;
      case ReasonField::kTopics:
        // ", " between the labels (none before the first non-empty one, as ever).
        for (const size_t start = out->size(); const auto& t : doc.topics) {
          if (out->size() > start) out->append(", ");
          out->append(t.label);
        }
        break;
      case ReasonField::kEntities:
        for (const size_t start = out->size(); const auto& e : doc.entities) {
          if (out->size() > start) out->append(", ");
          out->append(e.name);
        }
        break;
      case ReasonField::kLevel:
        out->append(v.level);
        break;
    }
  }
}

}  // namespace

std::string AlertLevel::Key() const {
  // "a<articles_step>.l<languages>.s<severity>.r<renewal>", formerly written by snprintf (about
  // 1,800 instructions a call; std::to_chars writes the same digits).
  std::string key;
  key.push_back('a');
  AppendInt(&key, articles_step);
  key.append(".l");
  AppendInt(&key, languages);
  key.append(".s");
  AppendInt(&key, severity);
  key.append(".r");
  AppendInt(&key, renewal);
  return key;
}

std::string AlertId(std::string_view rule, std::string_view story, std::string_view level) {
  std::string key;
  key.reserve(rule.size() + story.size() + level.size() + 2);
  key.append(rule).append("|").append(story).append("|").append(level);
  // "al-" and the hash as 16 lower-case hex digits, zero-padded (printf's "al-%016" PRIx64,
  // which this replaced: about 1,400 instructions a call).
  const uint64_t h = XXH3_64bits(key.data(), key.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "al-";
  id.resize(3 + 16);
  for (size_t i = 0; i < 16; ++i) id[3 + i] = kHex[(h >> (60 - 4 * i)) & 15];
  return id;
}

bool AlertState::Decide(const std::string& rule, const std::string& story, const AlertLevel& level,
                        Severity severity, AlertLevel* previous, bool* had_previous) {
  std::lock_guard lock(mu_);
  // The keys in per-thread strings (most matches are suppressed: found, nothing stored): a new
  // string per match was an allocation and a free.
  thread_local std::string key;
  key.assign(rule).append(1, '|').append(story);
  auto it = raised_.find(key);
  *had_previous = it != raised_.end();
  bool raise = true;
  if (it == raised_.end()) {
    raised_.emplace(key, level);
    order_.push_back(key);
    while (order_.size() > max_pairs_) {
      raised_.erase(order_.front());
      order_.pop_front();
    }
  } else {
    *previous = it->second;
    raise = level.HigherThan(it->second);
    if (raise) {
      AlertLevel& r = it->second;
      r.articles_step = std::max(r.articles_step, level.articles_step);
      r.languages = std::max(r.languages, level.languages);
      r.severity = std::max(r.severity, level.severity);
      r.renewal = std::max(r.renewal, level.renewal);
    }
  }
  // Counted under the same lock (until 2026-12-07 a second call, and lock, per match).
  if (raise) {
    key.assign(rule).append(1, '|').append(SeverityName(severity));
    ++counters_.raised[key];
  } else {
    ++counters_.suppressed[rule];
  }
  return raise;
}

void AlertState::CountSurge() {
  std::lock_guard lock(mu_);
  ++counters_.surges;
}

AlertCounters AlertState::Counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

size_t AlertState::size() const {
  std::lock_guard lock(mu_);
  return raised_.size();
}

bool TermHits::Has(const Rule& rule) {
  if (!started_) {
    hit_.assign(rules_.rules().size(), 0);
    started_ = true;
  }
  if (rule.index >= hit_.size()) return false;
  // The scan goes on only as far as this rule's first hit: an earlier rule's scan may have
  // found it already, and a later rule's goes on from here.
  if (hit_[rule.index] == 0 && next_ < doc_.tokens.size()) {
    rules_.terms().FindFrom(doc_, &next_, rule.index, &hit_);
  }
  return hit_[rule.index] != 0;
}

bool RuleMatches(const Rule& rule, const core::Document& doc, std::string* why, TermHits* terms) {
  // `why` is formatted only when asked for (explain); the stage's hot path passes null.
  for (const auto& [id, min] : rule.topics) {
    // (clang 14 cannot capture a structured binding: compare through a plain reference)
    const std::string& topic_id = id;
    // (Sizes first, inline: most of the article's topics are another size; std::string's == was
    // a call per topic.)
    auto it = std::find_if(doc.topics.begin(), doc.topics.end(), [&](const core::TopicResult& t) {
      return t.id.size() == topic_id.size() &&
             core::EqualBytes(t.id.data(), topic_id.data(), topic_id.size());
    });
    if (it == doc.topics.end() || it->score < min) {
      if (why != nullptr) {
        char buf[160];
        std::snprintf(buf, sizeof(buf), "topic %s %s (needs >= %.2f)", id.c_str(),
                      it == doc.topics.end() ? "absent" : "too low", min);
        *why = buf;
      }
      return false;
    }
  }
  auto has_entity = [&](const std::string& id) {
    return std::any_of(doc.entities.begin(), doc.entities.end(),
                       [&](const core::EntityResult& e) { return e.id == id; });
  };
  if (!rule.entities_any.empty() &&
      std::none_of(rule.entities_any.begin(), rule.entities_any.end(), has_entity)) {
    if (why != nullptr) *why = "none of the entities.any";
    return false;
  }
  for (const auto& id : rule.entities_all) {
    if (!has_entity(id)) {
      if (why != nullptr) *why = "entities.all: " + id + " absent";
      return false;
    }
  }
  for (const auto& id : rule.entities_none) {
    if (has_entity(id)) {
      if (why != nullptr) *why = "entities.none: " + id + " present";
      return false;
    }
  }
  if (!rule.languages.empty() && std::find(rule.languages.begin(), rule.languages.end(),
                                           doc.language.code) == rule.languages.end()) {
    if (why != nullptr) *why = "language " + doc.language.code + " not listed";
    return false;
  }
  if (!rule.sources.empty() && std::find(rule.sources.begin(), rule.sources.end(),
                                         Lower(doc.article.source)) == rule.sources.end()) {
    if (why != nullptr) *why = "source not listed";
    return false;
  }
  if (!rule.terms.empty()) {
    const bool found = terms != nullptr
                           ? terms->Has(rule)
                           : std::any_of(rule.terms.begin(), rule.terms.end(),
                                         [&](const std::string& t) { return HasTerm(doc, t); });
    if (!found) {
      if (why != nullptr) *why = "none of the terms";
      return false;
    }
  }
  if (rule.has_story) {
    const int64_t now = doc.story.event_time_ms;
    // The counts themselves only for `why`.
    if (why == nullptr) return StoryMeets(doc, now, rule.story);
    const StoryCounts c = CountStory(doc, now, rule.story.within_ms);
    {
      char buf[200];
      std::snprintf(buf, sizeof(buf),
                    "story has %" PRId64 " articles, %" PRId64 " outlets, %" PRId64
                    " languages in the window (needs %" PRId64 "/%" PRId64 "/%" PRId64 ")",
                    c.articles, c.sources, c.languages, rule.story.min_articles,
                    rule.story.min_sources, rule.story.min_languages);
      *why = buf;
    }
    if (c.articles < rule.story.min_articles || c.sources < rule.story.min_sources ||
        c.languages < rule.story.min_languages) {
      return false;
    }
    return true;
  }
  if (why != nullptr) *why = "all conditions hold";
  return true;
}

Result<std::unique_ptr<core::Stage>> AlertStage::Create(const YAML::Node& node,
                                                        const std::string& path,
                                                        AlertServices services) {
  core::ConfigReader r(node, path);
  NEWSFLOW_RETURN_IF_ERROR(r.Finish());
  if (!services.rules || !services.state || !services.surges) {
    return Status(Code::kInvalidConfig, "config",
                  path + ": the alert stage needs alert rules and state (built by the app)");
  }
  return std::unique_ptr<core::Stage>(std::make_unique<AlertStage>(std::move(services)));
}

Status AlertStage::Process(core::Document& doc, const core::StageContext& ctx) const {
  return Run(doc, ctx, nullptr);
}

Status AlertStage::Run(core::Document& doc, const core::StageContext& ctx,
                       std::vector<Verdict>* verdicts) const {
  if (doc.article.id.empty()) {
    return Status(Code::kInternal, "alert", "no article decoded before alert");
  }
  const std::shared_ptr<const AlertRules> rules = services_.rules->Get();
  if (!rules) return Status::Ok();
  const int64_t event_time = EventTime(doc, ctx);
  const int64_t now = ctx.clock != nullptr ? ctx.clock->NowMs() : 0;
  const std::string& story = doc.story_id.empty() ? doc.article.id : doc.story_id;
  // The story's languages, counted when the first rule matches (most articles match none).
  SmallSet story_languages;
  bool story_languages_counted = false;
  const int64_t article_count = std::max<int64_t>(doc.story.article_count, 1);
  const int64_t first_seen = doc.story.first_seen_ms >= 0 ? doc.story.first_seen_ms : event_time;

  TermHits term_hits(*rules, doc);
  for (const Rule& rule : rules->rules()) {
    // Without verdicts a rule that does not match (most) costs no Verdict (three strings built
    // and destroyed per rule and article until 2026-12-06).
    if (verdicts == nullptr && !RuleMatches(rule, doc, nullptr, &term_hits)) continue;
    Verdict v;
    // (The verdict's rule id is copied only when verdicts are asked for: most ids are longer than
    // a string's inline buffer, so every copy was an allocation per rule and article.)
    if (verdicts != nullptr) {
      v.rule = rule.id;
      v.matched = RuleMatches(rule, doc, &v.why, &term_hits);
      if (!v.matched) {
        verdicts->push_back(std::move(v));
        continue;
      }
    }
    v.matched = true;
    if (!story_languages_counted) {
      for (const auto& a : doc.story.recent) {
        if (!a.language.empty()) story_languages.Insert(a.language);
      }
      story_languages_counted = true;
    }
    AlertLevel level;
    for (int64_t step : rule.escalate_articles)
      level.articles_step += article_count >= step ? 1 : 0;
    level.languages = rule.escalate_languages ? static_cast<int64_t>(story_languages.size()) : 0;
    Severity severity = rule.severity;
    if (rule.critical_at > 0 && article_count >= rule.critical_at) severity = Severity::kCritical;
    level.severity = static_cast<int>(severity);
    // An article timed only by the processing clock does not renew (its time is not comparable
    // with the story's event times).
    const int64_t renewal_time = doc.story.event_time_basis == "clock" ? first_seen : event_time;
    level.renewal = std::max<int64_t>(0, renewal_time - first_seen) / rule.suppress_for_ms;
    AlertLevel previous;
    bool had_previous = false;
    v.raised = services_.state->Decide(rule.id, story, level, severity, &previous, &had_previous);
    // A suppressed alert (most matches) needs its level key and id only for the verdict.
    if (!v.raised && verdicts == nullptr) continue;
    const std::string level_key = level.Key();
    v.alert_id = AlertId(rule.id, story, level_key);
    if (!v.raised) {  // (verdicts asked for)
      v.why += "; suppressed: level " + level_key + " not above " + previous.Key();
      verdicts->push_back(std::move(v));
      continue;
    }
    if (verdicts != nullptr) {
      v.why +=
          "; raised at level " + level_key +
          (had_previous ? " (escalated from " + previous.Key() + ")" : " (first for the story)");
    }
    const std::string title = DisplayTitle(doc);
    thread_local std::string reason;
    reason.clear();
    AppendReason(
        &reason, rule,
        {severity, title, doc, article_count, event_time, story_languages.size(), level_key});
    AlertJson w;
    WriteCommon(w, v.alert_id, "rule", rule.id, severity, doc, title);
    w.Key("story_id");
    w.StringOrNull(doc.story_id);
    w.Key("level");
    w.Open('{');
    w.Key("key");
    w.String(level_key);
    w.Key("articles_step");
    w.Int(level.articles_step);
    w.Key("languages");
    w.Int(level.languages);
    w.Key("renewal");
    w.Int(level.renewal);
    w.Close('}');
    w.Key("story");
    w.Open('{');
    w.Key("article_count");
    w.Int(article_count);
    w.Key("languages");
    w.Open('[');
    for (const auto& l : story_languages.Sorted()) {
      w.Next();
      w.String(l);
    }
    w.Close(']');
    w.Key("first_seen");
    w.String(schemas::FormatRfc3339(first_seen));
    w.Close('}');
    WriteEnd(w, reason, event_time, now);
    doc.outputs.push_back({schemas::Output::Kind::kAlert,
                           doc.story_id.empty() ? doc.article.id : doc.story_id, w.Take()});
    if (verdicts != nullptr) verdicts->push_back(std::move(v));
  }

  // Surges.
  const SurgeSettings& surge = rules->surge();
  if (surge.enabled) {
    // The keys are written into the strings of earlier articles (the list is never shortened, n
    // says how many are this article's): a new string per key and article was an allocation and
    // a free each.
    thread_local std::vector<std::string> keys;
    size_t n = 0;
    auto add_key = [&](std::string_view prefix, const std::string& id) {
      if (n == keys.size()) keys.emplace_back();
      keys[n++].assign(prefix).append(id);
    };
    for (const auto& t : doc.topics) add_key("topic:", t.id);
    if (!surge.entities.empty()) {  // (opt-in: none by default)
      for (const auto& e : doc.entities) {
        if (std::find(surge.entities.begin(), surge.entities.end(), e.id) != surge.entities.end()) {
          add_key("entity:", e.id);
        }
      }
    }
    for (const SurgeEvent& s : services_.surges->Observe(
             std::span<const std::string>(keys.data(), n), event_time, surge)) {
      services_.state->CountSurge();
      const std::string bucket = schemas::FormatRfc3339(s.bucket_start_ms);
      const std::string id = AlertId("surge", s.key, bucket);
      char reason[256];
      std::snprintf(reason, sizeof(reason),
                    "surge in %s: %" PRId64
                    " articles in the bucket from %s against a baseline "
                    "of %.2f (Poisson p = %.2g)",
                    s.key.c_str(), s.count, bucket.c_str(), s.baseline, s.p_value);
      AlertJson w;
      WriteCommon(w, id, "surge", "surge", surge.severity, doc, DisplayTitle(doc));
      w.Key("story_id");
      w.Raw("null");
      w.Key("surge");
      w.Open('{');
      w.Key("key");
      w.String(s.key);
      w.Key("bucket_start");
      w.String(bucket);
      w.Key("bucket_seconds");
      w.Int(s.bucket_ms / 1000);
      w.Key("count");
      w.Int(s.count);
      w.Key("baseline");
      w.Double(s.baseline);
      w.Key("p_value");
      w.Double(s.p_value);
      w.Close('}');
      WriteEnd(w, reason, event_time, now);
      doc.outputs.push_back({schemas::Output::Kind::kAlert, s.key, w.Take()});
      if (verdicts != nullptr) {
        verdicts->push_back({"surge", true, true, reason, id});
      }
    }
  }
  return Status::Ok();
}

}  // namespace newsflow::alert
