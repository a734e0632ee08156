// Kafka headers newsflow writes: provenance + CloudEvents on enriched events and alerts, error
// and origin headers on dead letters. Pure functions of their inputs (tested without a broker).
//
// Enriched events and alerts (CloudEvents 1.0 Kafka protocol binding, binary content mode, so a
// CloudEvents SDK reads the Kafka message natively as an event whose data is the JSON value):
//   content-type            application/json   (the binding maps datacontenttype to it)
//   ce_specversion          1.0
//   ce_id                   article id (the message key)
//   ce_source               newsflow/<input topic>
//   ce_type                 io.newsflow.enriched_event.v1 | io.newsflow.alert.v1 |
//                           io.newsflow.story.v1 (story states, news.stories)
//   ce_time                 processing time, RFC 3339 UTC with milliseconds
//   newsflow-source-topic / newsflow-source-partition / newsflow-source-offset   provenance
//
// Dead letters (in the spirit of Kafka Connect's __connect.errors.* headers): the original key,
// value and headers unchanged, plus
//   newsflow.error.stage      stage that rejected the record ("decode", ...)
//   newsflow.error.class      core::CodeName of the status ("malformed", ...)
//   newsflow.error.message    human-readable reason
//   newsflow.error.topic / .partition / .offset / .timestamp   origin (timestamp: epoch ms)
//   newsflow.error.article_id article id when decoding got that far (omitted otherwise)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "processors/core/document.h"
#include "processors/core/status.h"

namespace newsflow::consumers {

inline constexpr std::string_view kEnrichedEventType = "io.newsflow.enriched_event.v1";
inline constexpr std::string_view kAlertType = "io.newsflow.alert.v1";
inline constexpr std::string_view kStoryType = "io.newsflow.story.v1";

// "2026-01-01T00:00:00.000Z".
std::string FormatRfc3339Ms(int64_t epoch_ms);

std::vector<core::Header> OutputHeaders(const core::RawRecord& input, const core::Output& output,
                                        int64_t now_ms);

std::vector<core::Header> DeadLetterHeaders(const core::RawRecord& input,
                                            const core::Status& status,
                                            std::string_view article_id);

}  // namespace newsflow::consumers
