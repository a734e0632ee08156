#include "app/offline.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "schemas/dead_letter.h"

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

}  // namespace

InputKind SniffKind(std::string_view head) {
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  for (char c : head) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return (c == '{' || c == '[') ? InputKind::kJsonLines : InputKind::kText;
  }
  return InputKind::kText;
}

bool IsBlankText(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  for (char c : text) {
    if (c != '\n' && !IsBlank(std::string_view(&c, 1))) return false;
  }
  return true;
}

namespace {

Status InputError(const std::string& path, const std::string& reason) {
  return Status(Code::kInvalidConfig, "input", "'" + path + "': " + reason);
}

}  // namespace

Status CheckInput(const std::string& path) {
  if (path == "-") return Status::Ok();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return InputError(path, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) {
    return InputError(path, "is a directory (give the files in it, e.g. " + path + "/*.jsonl)");
  }
  if (!S_ISREG(st.st_mode)) {
    // A FIFO or a device: opening it here could consume its one writer's data (a FIFO), so
    // only the permission is checked.
    if (::access(path.c_str(), R_OK) != 0) return InputError(path, std::strerror(errno));
    return Status::Ok();
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InputError(path, std::strerror(errno));
  ::close(fd);
  return Status::Ok();
}

Result<std::string> ReadWholeInput(const std::string& path) {
  NEWSFLOW_RETURN_IF_ERROR(CheckInput(path));
  std::string all;
  try {
    if (path == "-") {
      all.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(path, std::ios::binary);
      if (!in) return InputError(path, std::strerror(errno));
      all.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (in.bad()) return InputError(path, std::string("read error: ") + std::strerror(errno));
    }
  } catch (const std::ios_base::failure&) {
    return InputError(path, std::string("read error: ") + std::strerror(errno));
  }
  return all;
}

std::optional<int64_t> InputSize(const std::string& path) {
  struct stat st {};
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<int64_t>(st.st_size);
}

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

Status OfflineRunner::ProcessPath(const std::string& path, InputKind kind) {
  if (path == "-") {
    ProcessStream(std::cin, "<stdin>", kind, true);
    return Status::Ok();
  }
  NEWSFLOW_RETURN_IF_ERROR(CheckInput(path));
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError(path, std::strerror(errno));
  if (kind == InputKind::kAuto) kind = KindFromPath(path);
  // libstdc++'s filebuf throws on a read error (EISDIR, EIO) instead of setting badbit.
  try {
    ProcessStream(in, path, kind, false);
  } catch (const std::ios_base::failure&) {
    return InputError(path, std::string("read error: ") + std::strerror(errno));
  }
  if (in.bad()) return InputError(path, std::string("read error: ") + std::strerror(errno));
  return Status::Ok();
}

void OfflineRunner::ProcessStream(std::istream& in, const std::string& name, InputKind kind,
                                  bool is_stdin) {
  schemas::RawRecord record;
  record.origin.kind = is_stdin ? schemas::Origin::Kind::kStdin : schemas::Origin::Kind::kFile;
  record.origin.file = is_stdin ? std::string() : name;

  if (kind == InputKind::kAuto) {
    // Peek without consuming: read the whole input, then decide.
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream again(all);
    ProcessStream(again, name, SniffKind(all), is_stdin);
    return;
  }

  if (kind == InputKind::kText || kind == InputKind::kHtml) {
    record.value.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    stats_.bytes += static_cast<int64_t>(record.value.size());
    if (IsBlankText(record.value)) {
      NoteEmpty(name);
      return;
    }
    record.headers = {{"content-type", kind == InputKind::kHtml ? "text/html" : "text/plain"}};
    record.origin.line = 0;
    ProcessRecord(record);
    return;
  }

  int64_t line_number = 0;
  const int64_t read_before = stats_.read;
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    stats_.bytes += static_cast<int64_t>(line.size()) + (in.eof() ? 0 : 1);
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
  if (stats_.read == read_before) NoteEmpty(name);  // nothing but blank lines, or no bytes
}

void OfflineRunner::NoteEmpty(const std::string& name) {
  ++stats_.empty_inputs;
  log_ << "newsflow process: " << name << ": empty input (no records)\n";
}

void OfflineRunner::ProcessRecord(schemas::RawRecord& record) {
  ++stats_.read;
  if (progress_ && stats_.read % progress_every_ == 0) progress_(stats_);
  core::Outcome outcome = pipeline_.Process(record, ctx_);
  if (outcome.ok()) {
    ++stats_.enriched;
    for (const auto& output : outcome.outputs) {
      switch (output.kind) {
        case schemas::Output::Kind::kEnriched:
          out_ << output.value << '\n';
          ++stats_.outputs;
          break;
        case schemas::Output::Kind::kAlert:
          ++stats_.alerts;
          if (alerts_ != nullptr) *alerts_ << output.value << '\n';
          break;
        case schemas::Output::Kind::kStory:
          story_states_[output.key] = output.value;  // the latest state wins
          break;
      }
    }
    return;
  }
  ++stats_.dead_lettered;
  if (dead_letters_ != nullptr) {
    *dead_letters_ << schemas::DeadLetterJson(
                          {record, outcome.status, outcome.id, ctx_.clock->NowMs()})
                   << '\n';
  } else {
    log_ << "dead letter: "
         << (record.origin.file.empty() ? std::string("<stdin>") : record.origin.file);
    if (record.origin.line > 0) log_ << ':' << record.origin.line;
    log_ << ": " << outcome.status.ToString() << '\n';
  }
}

}  // namespace newsflow::app
