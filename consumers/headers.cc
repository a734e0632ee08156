#include "consumers/headers.h"

#include <cstdio>
#include <ctime>

namespace newsflow::consumers {

std::string FormatRfc3339Ms(int64_t epoch_ms) {
  int64_t seconds = epoch_ms / 1000;
  int64_t ms = epoch_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    seconds -= 1;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::vector<core::Header> OutputHeaders(const core::RawRecord& input, const core::Output& output,
                                        int64_t now_ms) {
  std::string_view type = kEnrichedEventType;
  switch (output.kind) {
    case core::Output::Kind::kEnriched:
      type = kEnrichedEventType;
      break;
    case core::Output::Kind::kAlert:
      type = kAlertType;
      break;
    case core::Output::Kind::kStory:
      type = kStoryType;
      break;
  }
  const core::Origin& o = input.origin;
  std::vector<core::Header> headers = {
      {"content-type", "application/json"},
      {"ce_specversion", "1.0"},
      {"ce_id", output.key},
      {"ce_source", "newsflow/" + o.topic},
      {"ce_type", std::string(type)},
      {"ce_time", FormatRfc3339Ms(now_ms)},
      {"newsflow-source-topic", o.topic},
      {"newsflow-source-partition", std::to_string(o.partition)},
      {"newsflow-source-offset", std::to_string(o.offset)},
  };
  return headers;
}

std::vector<core::Header> DeadLetterHeaders(const core::RawRecord& input,
                                            const core::Status& status,
                                            std::string_view article_id) {
  std::vector<core::Header> headers = input.headers;
  const core::Origin& o = input.origin;
  headers.push_back({"newsflow.error.stage", status.stage()});
  headers.push_back({"newsflow.error.class", std::string(core::CodeName(status.code()))});
  headers.push_back({"newsflow.error.message", status.message()});
  headers.push_back({"newsflow.error.topic", o.topic});
  headers.push_back({"newsflow.error.partition", std::to_string(o.partition)});
  headers.push_back({"newsflow.error.offset", std::to_string(o.offset)});
  headers.push_back({"newsflow.error.timestamp", std::to_string(o.timestamp_ms)});
  if (!article_id.empty()) {
    headers.push_back({"newsflow.error.article_id", std::string(article_id)});
  }
  return headers;
}

}  // namespace newsflow::consumers
