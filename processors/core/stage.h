// Stage: one pure step of the pipeline (decode, normalize, tag, score, story, alert, encode).
//
// Contract:
//   * Process() reads and updates the Document and returns OK, or a non-OK Status that sends
//     the record to the dead-letter output. It must not throw, do I/O, read the clock directly
//     (use ctx.clock) or touch globals.
//   * Process() is const and is called concurrently from several worker threads on different
//     Documents: a stage holds only immutable state after construction (or state behind its
//     own synchronisation, documented on the stage).
//   * Stages are built by a factory registered in a StageRegistry, from a typed config struct
//     parsed by ConfigReader; a bad config fails at start-up with a message naming the key.
#pragma once

#include <string_view>

#include "processors/core/clock.h"
#include "processors/core/document.h"
#include "schemas/status.h"

namespace newsflow::core {

struct StageContext {
  const Clock* clock = nullptr;
  std::string_view pipeline_version;
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual std::string_view Name() const = 0;
  virtual Status Process(Document& doc, const StageContext& ctx) const = 0;
};

}  // namespace newsflow::core
