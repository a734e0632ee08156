// Output size limits: no record may stop its partition because an output does not fit.
//
// librdkafka refuses to enqueue a message whose key + value + headers exceed the producer's
// `message.max.bytes` (ERR_MSG_SIZE_TOO_LARGE), and the broker refuses one above the topic's
// `max.message.bytes`. An enriched event is about twice its input, so a valid 600 KB article
// used to fail locally, the instance exited, restarted and failed on the same offset forever.
// The Engine now checks every output against the producer limit before producing:
//
//   enriched event too large  -> ReduceEnrichedEvent(): the documented reduced form (no body,
//                                lead, related or extra; title capped at kReducedTextBytes;
//                                at most kReducedMatches matches/mentions per topic/entity;
//                                "truncated": true, see schemas/enriched_event.v1.schema.json);
//                                still too large -> the record is dead-lettered, class too_large.
//   alert too large           -> the record is dead-lettered, class too_large.
//   dead letter too large     -> BoundDeadLetter(): the value becomes a prefix of the original
//                                bytes and the headers say so (newsflow.error.value_truncated:
//                                true, newsflow.error.original_length, .original_sha256).
//
// The same happens when the *broker* rejects a message as too large (a topic limit below the
// producer's): the Engine re-routes the record to the dead-letter path (see engine.h).
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consumers/io.h"

namespace newsflow::consumers {

inline constexpr size_t kReducedMatches = 10;
inline constexpr size_t kReducedTextBytes = 1024;
// Room kept for a dead letter's newsflow.error.* headers and the record overhead.
inline constexpr int64_t kDeadLetterHeaderBudget = 16 * 1024;
// librdkafka's default message.max.bytes.
inline constexpr int64_t kDefaultMessageMaxBytes = 1000000;

// An upper bound of the size librdkafka checks against message.max.bytes: key + value + headers
// + per-record overhead.
int64_t MessageSize(const OutMessage& message);

// The reduced form of an enriched event (see above), or nullopt when `json` is not a JSON
// object.
std::optional<std::string> ReduceEnrichedEvent(std::string_view json);

// A dead letter that fits in `limit` bytes (MessageSize): returned unchanged when it fits;
// otherwise its value is cut to a prefix (at most `limit` minus the headers and a margin), and
// value_truncated/original_length/original_sha256 headers are added. When even the headers
// do not fit (huge original headers) they are dropped and newsflow.error.headers_dropped says
// how many.
OutMessage BoundDeadLetter(OutMessage message, int64_t limit);

// Lower-case hex SHA-256 (OpenSSL).
std::string Sha256Hex(std::string_view bytes);

}  // namespace newsflow::consumers
