// Offline mode (`newsflow process`): the same pipeline as the Kafka runtime, over files or
// stdin, JSON Lines out.
//
// Input kinds, per file: JSON Lines (.jsonl/.ndjson/.json: one raw article per line; blank lines
// skipped), plain-text articles (.txt: the whole file is one article, first non-empty line the
// title), HTML articles (.html/.htm: a plain-text article whose body is HTML). Other names and
// stdin are sniffed: first non-blank byte `{` or `[` -> JSON Lines, else one plain-text article.
// A UTF-8 byte-order mark is tolerated at the start of a file and of a line.
//
// Every record read ends as one enriched event on `out` or one dead letter (on the dead-letter
// stream when given, else reported on `log`); the counts reconcile:
// read == enriched + dead_lettered. An empty input (no bytes, or only blanks and a BOM) holds
// no record, whatever its kind: it is noted on `log` and counted in `empty_inputs`. Alerts go to
// the alerts stream when one is set (set_alerts); story states (Output kStory) are not written per
// record: the last state of each story is kept (story_states()) and `process --stories` writes them
// at the end.
//
// Inputs that cannot be read (a directory, a missing or unreadable file, a read error midway)
// are reported as a Status naming the path and the reason (strerror); nothing throws.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "processors/core/pipeline.h"
#include "schemas/result.h"
#include "schemas/status.h"

namespace newsflow::app {

struct OfflineStats {
  int64_t read = 0;
  int64_t enriched = 0;
  int64_t dead_lettered = 0;
  int64_t blank_lines = 0;
  int64_t outputs = 0;  // enriched events written
  int64_t alerts = 0;   // alerts raised (written when an alerts stream is set)
  int64_t bytes = 0;    // input bytes consumed (records, blank lines and line ends)
  int64_t empty_inputs = 0;
};

enum class InputKind { kAuto, kJsonLines, kText, kHtml };

class OfflineRunner {
 public:
  // `dead_letters` may be null: dead letters are then described one per line on `log`.
  OfflineRunner(const core::Pipeline& pipeline, const core::StageContext& ctx, std::ostream& out,
                std::ostream* dead_letters, std::ostream& log);

  // Processes one file ("-" = stdin). Errors only for I/O failures (unreadable file, read
  // error); bad records never fail the run.
  Status ProcessPath(const std::string& path, InputKind kind);
  // Processes a stream; `name` is used in origins and messages.
  void ProcessStream(std::istream& in, const std::string& name, InputKind kind, bool is_stdin);

  const OfflineStats& stats() const { return stats_; }
  // The last story.v1 state of every story seen, by story id (`process --stories`).
  const std::map<std::string, std::string>& story_states() const { return story_states_; }
  // Where alerts are written (JSON Lines); null: counted only.
  void set_alerts(std::ostream* alerts) { alerts_ = alerts; }

  // Called every `every` records with the running counts (progress reports); may be empty.
  void OnProgress(std::function<void(const OfflineStats&)> callback, int64_t every = 256) {
    progress_ = std::move(callback);
    progress_every_ = every;
  }

 private:
  void ProcessRecord(schemas::RawRecord& record);
  void NoteEmpty(const std::string& name);

  const core::Pipeline& pipeline_;
  const core::StageContext& ctx_;
  std::ostream& out_;
  std::ostream* dead_letters_;
  std::ostream* alerts_ = nullptr;
  std::map<std::string, std::string> story_states_;
  std::ostream& log_;
  OfflineStats stats_;
  std::function<void(const OfflineStats&)> progress_;
  int64_t progress_every_ = 256;
};

// OK when `path` can be read as an input: it exists, is not a directory, and opens for reading
// (a regular file, a FIFO or a device such as /dev/stdin). Otherwise a Status whose message
// names the path and the reason, e.g. "'in/': is a directory".
Status CheckInput(const std::string& path);

// The whole content of an input ("-" = stdin), or a Status as CheckInput gives (read errors
// included). For tools that read one article (`explain`).
Result<std::string> ReadWholeInput(const std::string& path);

// JSON Lines when the first non-blank byte after an optional BOM is `{` or `[`, else one
// plain-text article.
InputKind SniffKind(std::string_view head);

// True for text with nothing but an optional BOM, blanks and line ends: no article in it.
bool IsBlankText(std::string_view text);

// Size in bytes of a regular file, or nullopt (stdin, a FIFO, a device): for ETAs.
std::optional<int64_t> InputSize(const std::string& path);

// The kind implied by a file name (kAuto when the extension says nothing).
InputKind KindFromPath(const std::string& path);

}  // namespace newsflow::app
