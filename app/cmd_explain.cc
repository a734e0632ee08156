// `newsflow explain FILE [--topic ID]`.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "app/pipeline_setup.h"
#include "app/offline.h"
#include "app/pipeline_setup.h"
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
Result<schemas::RawRecord> ReadRecord(const ExplainOptions& opt) {
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
    if (++n == opt.line) {
      record.value = line;
      record.headers = {{"content-type", "application/json"}};
      record.origin.line = number;
      return record;
    }
  }
  return Status(Code::kInvalidConfig, "explain",
                opt.file + " has fewer than " + std::to_string(opt.line) + " records");
}

int RunExplain(const ExplainOptions& opt) {
  std::unique_ptr<PipelineSetup> pipeline_setup =
      BuildPipelineSetupOrReport(opt.config_path, opt.taxonomy);
  if (!pipeline_setup) return kExitUsage;
  auto record = ReadRecord(opt);
  if (!record.ok()) {
    std::cerr << "newsflow explain: " << record.status().message() << '\n';
    return kExitUsage;
  }
  core::SystemClock clock;
  core::Document doc(*record);
  const Status status = pipeline_setup->pipeline->ProcessDocument(doc, {&clock, Version()});
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
  sub->add_option("--line", opt->line, "Which record of a JSON Lines file (1-based)")
      ->capture_default_str();
  sub->add_option("-c,--config", opt->config_path, "Configuration file (default: built-in)");
  sub->add_option("--taxonomy", opt->taxonomy,
                  "taxonomy.yaml to use instead of the configured one");
  return {sub, [opt] { return RunExplain(*opt); }};
}

}  // namespace newsflow::app
