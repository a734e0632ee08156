// The records newsflow reads and writes, as bytes: what a source delivers (RawRecord) and what a
// sink produces (Output).
//
// A RawRecord is a Kafka message, or a line/file in offline mode. Its bytes are never modified,
// so a dead letter can carry them unchanged (schemas/dead_letter.h). An Output is one message to
// produce: an enriched event or an alert, already rendered; the Kafka headers that go with it
// come from schemas/cloudevents.h.
//
// Thread-safety: plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace newsflow::schemas {

struct Header {
  std::string key;
  std::string value;
  bool null_value = false;  // a Kafka header with a null value (distinct from ""), kept as is
};

// Where a record came from. Kafka fields are set for records from Kafka; file/line for
// offline input (line is 1-based; 0 for a whole-file plain-text article).
struct Origin {
  enum class Kind { kKafka, kFile, kStdin };
  Kind kind = Kind::kStdin;
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;  // Kafka message timestamp; -1 if unknown
  std::string file;
  int64_t line = 0;
};

struct RawRecord {
  std::string value;
  bool null_value = false;  // a Kafka tombstone (null value, distinct from ""), kept as is
  std::optional<std::string> key;
  std::vector<Header> headers;
  Origin origin;

  // First header with this key (case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
};

// One record to produce: the enriched event, an alert, or a story's state (news.stories).
struct Output {
  enum class Kind { kEnriched, kAlert, kStory };
  Kind kind = Kind::kEnriched;
  std::string key;
  std::string value;
};

}  // namespace newsflow::schemas
