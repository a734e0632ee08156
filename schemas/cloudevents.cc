#include "schemas/cloudevents.h"

#include <string>

#include "schemas/text.h"

namespace newsflow::schemas {

std::vector<Header> OutputHeaders(const RawRecord& input, const Output& output, int64_t now_ms) {
  std::string_view type = kEnrichedEventType;
  switch (output.kind) {
    case Output::Kind::kEnriched:
      type = kEnrichedEventType;
      break;
    case Output::Kind::kAlert:
      type = kAlertType;
      break;
    case Output::Kind::kStory:
      type = kStoryType;
      break;
  }
  const Origin& o = input.origin;
  return {
      {"content-type", "application/json"},
      {"ce_specversion", "1.0"},
      {"ce_id", output.key},
      {"ce_source", "newsflow/" + o.topic},
      {"ce_type", std::string(type)},
      {"ce_time", FormatRfc3339(now_ms)},
      {"newsflow-source-topic", o.topic},
      {"newsflow-source-partition", std::to_string(o.partition)},
      {"newsflow-source-offset", std::to_string(o.offset)},
  };
}

}  // namespace newsflow::schemas
