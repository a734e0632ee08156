#include "app/offline.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "processors/core/json.h"

namespace newsflow::app {
namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') return false;
  }
  return true;
}

// First non-blank byte after an optional BOM decides JSON Lines vs a plain-text article.
InputKind Sniff(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  for (char c : head) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return (c == '{' || c == '[') ? InputKind::kJsonLines : InputKind::kText;
  }
  return InputKind::kText;
}

}  // namespace

InputKind KindFromPath(const std::string& path) {
  if (EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson") || EndsWith(path, ".json")) {
    return InputKind::kJsonLines;
  }
  if (EndsWith(path, ".txt") || EndsWith(path, ".text")) return InputKind::kText;
  if (EndsWith(path, ".html") || EndsWith(path, ".htm")) return InputKind::kHtml;
  return InputKind::kAuto;
}

OfflineRunner::OfflineRunner(const core::Pipeline& pipeline, const core::StageContext& ctx,
                             std::ostream& out, std::ostream* dead_letters, std::ostream& log)
    : pipeline_(pipeline), ctx_(ctx), out_(out), dead_letters_(dead_letters), log_(log) {}

core::Status OfflineRunner::ProcessPath(const std::string& path, InputKind kind) {
  if (path == "-") {
    ProcessStream(std::cin, "<stdin>", kind, true);
    return core::Status::Ok();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::Status(core::Code::kInvalidConfig, "input",
                        "cannot open '" + path + "': " + std::strerror(errno));
  }
  if (kind == InputKind::kAuto) kind = KindFromPath(path);
  ProcessStream(in, path, kind, false);
  if (in.bad()) {
    return core::Status(core::Code::kInternal, "input", "read error on '" + path + "'");
  }
  return core::Status::Ok();
}

void OfflineRunner::ProcessStream(std::istream& in, const std::string& name, InputKind kind,
                                  bool is_stdin) {
  core::RawRecord record;
  record.origin.kind = is_stdin ? core::Origin::Kind::kStdin : core::Origin::Kind::kFile;
  record.origin.file = is_stdin ? std::string() : name;

  if (kind == InputKind::kAuto) {
    // Peek without consuming: read the whole input, then decide.
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream again(all);
    ProcessStream(again, name, Sniff(all), is_stdin);
    return;
  }

  if (kind == InputKind::kText || kind == InputKind::kHtml) {
    record.value.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    record.headers = {{"content-type", kind == InputKind::kHtml ? "text/html" : "text/plain"}};
    record.origin.line = 0;
    ProcessRecord(record);
    return;
  }

  int64_t line_number = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view view(line);
    if (line_number == 1 && view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);
    if (IsBlank(view)) {
      ++stats_.blank_lines;
      continue;
    }
    record.value = std::move(line);
    record.headers = {{"content-type", "application/json"}};
    record.origin.line = line_number;
    ProcessRecord(record);
    line = std::move(record.value);
  }
}

void OfflineRunner::ProcessRecord(core::RawRecord& record) {
  ++stats_.read;
  core::Outcome outcome = pipeline_.Process(record, ctx_);
  if (outcome.ok()) {
    ++stats_.enriched;
    for (const auto& output : outcome.outputs) {
      switch (output.kind) {
        case core::Output::Kind::kEnriched:
          out_ << output.value << '\n';
          ++stats_.outputs;
          break;
        case core::Output::Kind::kAlert:
          ++stats_.alerts;
          if (alerts_ != nullptr) *alerts_ << output.value << '\n';
          break;
        case core::Output::Kind::kStory:
          story_states_[output.key] = output.value;  // the latest state wins
          break;
      }
    }
    return;
  }
  ++stats_.dead_lettered;
  if (dead_letters_ != nullptr) {
    *dead_letters_ << core::EncodeDeadLetterJson(record, outcome.status, outcome.id,
                                                 ctx_.clock->NowMs())
                   << '\n';
  } else {
    log_ << "dead letter: "
         << (record.origin.file.empty() ? std::string("<stdin>") : record.origin.file);
    if (record.origin.line > 0) log_ << ':' << record.origin.line;
    log_ << ": " << outcome.status.ToString() << '\n';
  }
}

}  // namespace newsflow::app
