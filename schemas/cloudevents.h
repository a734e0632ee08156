// The Kafka headers of enriched events and alerts: CloudEvents 1.0 Kafka protocol binding,
// binary content mode (a CloudEvents SDK reads the Kafka message natively as an event whose
// data is the JSON value), plus provenance. Dead-letter headers are in schemas/dead_letter.h.
//
//   content-type            application/json   (the binding maps datacontenttype to it)
//   ce_specversion          1.0
//   ce_id                   the message key (article id, alert's story id, story id)
//   ce_source               newsflow/<input topic>
//   ce_type                 io.newsflow.enriched_event.v1 | io.newsflow.alert.v1 |
//                           io.newsflow.story.v1 (story states, news.stories)
//   ce_time                 processing time, RFC 3339 UTC with milliseconds
//   newsflow-source-topic / newsflow-source-partition / newsflow-source-offset   provenance
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "schemas/record.h"

namespace newsflow::schemas {

inline constexpr std::string_view kEnrichedEventType = "io.newsflow.enriched_event.v1";
inline constexpr std::string_view kAlertType = "io.newsflow.alert.v1";
inline constexpr std::string_view kStoryType = "io.newsflow.story.v1";

std::vector<Header> OutputHeaders(const RawRecord& input, const Output& output, int64_t now_ms);

}  // namespace newsflow::schemas
