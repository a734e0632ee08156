// `newsflow explain FILE [--topic ID]`.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "app/offline.h"
#include "app/pipeline_setup.h"
#include "processors/alert/alert_stage.h"
#include "processors/score/score_stage.h"
#include "processors/tag/tag_stage.h"
#include "schemas/text.h"

namespace newsflow::app {
namespace {

struct ExplainOptions {
  std::string file;
  std::string topic;
  std::string config_path;
  std::string taxonomy;
  int64_t line = 1;
};

std::string Quote(const core::Match& m) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), " %s [%u,%u)", std::string(core::FieldName(m.field)).c_str(),
                m.begin, m.end);
  return "\"" + m.text + "\"" + buf;
}

// Reads the record to explain: the N-th non-blank line of a JSON Lines file, else the file.
// `preceding` (may be null) gets the records before it, for the story and alert state.
Result<schemas::RawRecord> ReadRecord(const ExplainOptions& opt,
                                      std::vector<schemas::RawRecord>* preceding) {
  NEWSFLOW_ASSIGN_OR_RETURN(const std::string all, ReadWholeInput(opt.file));
  if (IsBlankText(all)) {
    return Status(Code::kInvalidConfig, "explain", "'" + opt.file + "': empty input (no article)");
  }
  schemas::RawRecord record;
  record.origin.kind = schemas::Origin::Kind::kFile;
  record.origin.file = opt.file;
  InputKind kind = KindFromPath(opt.file);
  if (kind == InputKind::kAuto) kind = SniffKind(all);
  if (kind != InputKind::kJsonLines) {
    record.value = all;
    record.headers = {{"content-type", kind == InputKind::kHtml ? "text/html" : "text/plain"}};
    return record;
  }
  std::istringstream lines(all);
  std::string line;
  int64_t n = 0, number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    record.value = line;
    record.headers = {{"content-type", "application/json"}};
    record.origin.line = number;
    if (++n == opt.line) return record;
    if (preceding != nullptr) preceding->push_back(record);
  }
  return Status(Code::kInvalidConfig, "explain",
                opt.file + " has fewer than " + std::to_string(opt.line) + " records");
}

int RunExplain(const ExplainOptions& opt) {
  std::unique_ptr<PipelineSetup> pipeline_setup = BuildPipelineSetupOrReport(
      opt.config_path,
      {.taxonomy = opt.taxonomy, .alerts = "", .taxonomy_options = {}, .story_explanations = true});
  if (!pipeline_setup) return kExitUsage;
  std::vector<schemas::RawRecord> preceding;
  auto record = ReadRecord(opt, &preceding);
  if (!record.ok()) {
    std::cerr << "newsflow explain: " << record.status().message() << '\n';
    return kExitUsage;
  }
  core::SystemClock clock;
  const core::StageContext ctx{&clock, Version()};
  // The records before it build the story and alert state, as `process` would have it.
  for (const auto& r : preceding) (void)pipeline_setup->pipeline->Process(r, ctx);
  core::Document doc(*record);
  std::vector<alert::Verdict> verdicts;
  Status status;
  for (const auto name : pipeline_setup->pipeline->StageNames()) {
    const core::Stage* stage = pipeline_setup->pipeline->FindStage(name);
    if (const auto* a = dynamic_cast<const alert::AlertStage*>(stage)) {
      status = a->Run(doc, ctx, &verdicts);
    } else {
      status = stage->Process(doc, ctx);
    }
    if (!status.ok()) break;
  }
  if (!status.ok()) {
    std::cout << "record rejected: " << status.ToString() << '\n';
    return kExitOk;
  }
  const auto* tax = dynamic_cast<const tag::Taxonomy*>(doc.taxonomy.get());
  if (tax == nullptr) {
    std::cerr << "newsflow explain: the pipeline has no tag stage\n";
    return kExitUsage;
  }
  if (!opt.topic.empty() && tax->FindTopic(opt.topic) < 0) {
    std::cerr << "newsflow explain: unknown topic '" << opt.topic << "'\n";
    return kExitUsage;
  }
  std::printf("article %s\n  title: %s\n  language: %s (confidence %.2f, script %s)\n",
              doc.article.id.c_str(),
              doc.title.empty() ? doc.article.title.c_str() : doc.title.c_str(),
              doc.language.code.empty() ? "?" : doc.language.code.c_str(), doc.language.confidence,
              doc.language.script.c_str());
  std::printf("  published_at: %s  tokens: %zu  taxonomy: %s\n",
              doc.published_at_ms ? schemas::FormatRfc3339(*doc.published_at_ms).c_str() : "null",
              doc.tokens.size(), tax->version().c_str());
  if (!doc.related.empty()) {
    std::printf("  related (not scored):\n");
    for (const auto& r : doc.related) std::printf("    - %s\n", r.c_str());
  }
  std::printf(
      "\ntopics (calibrated: score = 1 / (1 + exp(-(bias + sum of weight * (1 - exp(-n))))), "
      "weights fitted by `newsflow fit`, hand weight in brackets; otherwise score = 1 - "
      "exp(-sum of weight * (1 - exp(-n)))):\n");
  for (const auto& s : score::ScoreTopics(doc, true)) {
    const tag::Topic& topic = tax->topics()[s.topic];
    if (!opt.topic.empty() && topic.id != opt.topic) continue;
    std::printf("  %-22s score %.4f  threshold %.2f  %s", topic.id.c_str(), s.score,
                topic.threshold, s.assigned ? "ASSIGNED" : "-");
    if (topic.calibrated) std::printf("  (calibrated, bias %+.3f)", topic.bias);
    std::printf("\n");
    for (const auto& r : s.rules) {
      const double weight = r.rule->EffectiveWeight(topic.calibrated);
      char hand[32] = "";
      if (topic.calibrated) std::snprintf(hand, sizeof(hand), " [hand %+.2f]", r.rule->weight);
      const char* kind = r.rule->kind == tag::Rule::Kind::kAny    ? "any"
                         : r.rule->kind == tag::Rule::Kind::kAll  ? "all"
                         : r.rule->kind == tag::Rule::Kind::kNear ? "near"
                                                                  : "pair";
      std::string refs;
      for (const auto& ref : r.rule->refs) refs += (refs.empty() ? "" : ", ") + ref.text;
      if (r.blocked) {
        std::printf("    %-28s %s[%s] weight %+.3f%s: blocked by `not`\n", r.rule->name.c_str(),
                    kind, refs.c_str(), weight, hand);
      } else if (!r.fired) {
        if (!opt.topic.empty()) {
          std::printf("    %-28s %s[%s] weight %+.3f%s: did not fire\n", r.rule->name.c_str(), kind,
                      refs.c_str(), weight, hand);
        }
      } else {
        std::printf("    %-28s %s[%s] weight %+.3f%s: n=%.2f -> %+.4f\n", r.rule->name.c_str(),
                    kind, refs.c_str(), weight, hand, r.n, r.contribution);
        for (size_t i = 0; i < r.occurrences.size() && i < 8; ++i) {
          const auto& o = r.occurrences[i];
          std::printf("        %s\n", Quote(tag::MatchForTokens(doc, o.begin, o.end)).c_str());
        }
      }
    }
  }
  if (opt.topic.empty() && !doc.story_id.empty()) {
    std::printf("\nstory (after the %zu records before this one):\n", preceding.size());
    std::printf("  %s %s, now %lld articles, first seen %s\n",
                doc.story.opened ? "opened" : "joined", doc.story_id.c_str(),
                static_cast<long long>(doc.story.article_count),
                schemas::FormatRfc3339(doc.story.first_seen_ms).c_str());
    std::printf("  event time %s (from %s)\n",
                schemas::FormatRfc3339(doc.story.event_time_ms).c_str(),
                doc.story.event_time_basis.c_str());
    if (!doc.duplicate_of.empty()) std::printf("  duplicate of %s\n", doc.duplicate_of.c_str());
    std::printf("  why: %s\n", doc.story.explanation.c_str());
  }
  if (opt.topic.empty() && !verdicts.empty()) {
    std::printf("\nalert rules:\n");
    for (const auto& v : verdicts) {
      std::printf("  %-30s %-10s %s%s%s\n", v.rule.c_str(),
                  v.raised    ? "RAISED"
                  : v.matched ? "suppressed"
                              : "no match",
                  v.why.c_str(), v.alert_id.empty() ? "" : "  id ", v.alert_id.c_str());
    }
  }
  if (opt.topic.empty()) {
    std::printf(
        "\nentities (salience = 0.45*title + 0.35*(1-exp(-n/2)) + 0.2*(1-first/tokens)):\n");
    for (const auto& e : doc.entities) {
      std::printf("  %-40s %-14s salience %.4f  mentions %zu\n", (e.id + " " + e.name).c_str(),
                  e.type.c_str(), e.salience, e.mentions.size());
      for (size_t i = 0; i < e.mentions.size() && i < 5; ++i) {
        std::printf("        %s\n", Quote(e.mentions[i]).c_str());
      }
    }
  }
  return kExitOk;
}

}  // namespace

Command AddExplainCommand(CLI::App& parent) {
  auto opt = std::make_shared<ExplainOptions>();
  CLI::App* sub = parent.add_subcommand(
      "explain",
      "Show, for one article, every topic's score with the rules, terms and fields "
      "that produced it, and the entities with their mentions");
  sub->add_option("file", opt->file, "Article: .jsonl (see --line), .txt or .html")->required();
  sub->add_option("--topic", opt->topic,
                  "Explain only this topic, including rules that did not fire");
  sub->add_option("--line", opt->line,
                  "Which record of a JSON Lines file (1-based); the records before it are run "
                  "first, so the story and alert state is what `process` has at that record")
      ->capture_default_str();
  sub->add_option("-c,--config", opt->config_path, "Configuration file (default: built-in)");
  sub->add_option("--taxonomy", opt->taxonomy,
                  "taxonomy.yaml to use instead of the configured one");
  return {sub, [opt] { return RunExplain(*opt); }};
}

}  // namespace newsflow::app
