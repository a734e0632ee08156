// Dead letters: a record newsflow could not process, with the reason, in its two wire forms.
//
//   * Kafka (`newsflow run`): the original key, value and headers unchanged, plus the
//     `newsflow.error.*` headers below (in the spirit of Kafka Connect's __connect.errors.*).
//   * JSON (`newsflow process --dead-letter FILE`): one dead_letter.v1 record
//     (schemas/dead_letter.v1.schema.json) with the original bytes in base64.
//
// Both forms are built here, from the same DeadLetter value, so the Kafka path and the offline
// path cannot drift apart. Headers of the Kafka form:
//   newsflow.error.stage      stage that rejected the record ("decode", ...)
//   newsflow.error.class      CodeName of the status ("malformed", ...)
//   newsflow.error.message    human-readable reason
//   newsflow.error.topic / .partition / .offset / .timestamp   origin (timestamp: epoch ms)
//   newsflow.error.article_id article id when decoding got that far (omitted otherwise)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/record.h"
#include "schemas/status.h"

namespace newsflow::schemas {

struct DeadLetter {
  const RawRecord& record;      // the original, unchanged
  const Status& status;         // why (never OK)
  std::string_view article_id;  // empty when decoding did not get that far
  int64_t at_ms = 0;            // when it was dead-lettered (epoch ms)
};

// The dead_letter.v1 JSON record.
std::string DeadLetterJson(const DeadLetter& letter);

// The Kafka headers: the original headers followed by the newsflow.error.* headers.
std::vector<Header> DeadLetterHeaders(const DeadLetter& letter);

}  // namespace newsflow::schemas
