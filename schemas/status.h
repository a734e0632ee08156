// Status and Result<T>: errors as values across every stage boundary.
//
// A Status is either OK or carries a Code (the error class), the stage that raised it and a
// human-readable message. Stages never throw across their boundary; untrusted input that cannot
// be processed becomes a non-OK Status, which the pipeline turns into a dead letter. The Code
// names are stable: they appear in dead-letter records and headers (`error.class`) and in
// metrics labels, so downstream tooling may match on them. Add new codes at the end and extend
// CodeName(); every switch over Code is exhaustive (no default) so the compiler flags the gaps.
//
// Status lives in schemas/ because its codes are part of the wire contract
// (schemas/dead_letter.v1.schema.json lists them), and in the top-level namespace `newsflow`
// because every folder uses it as a vocabulary type, the way absl::Status is used.
//
// Thread-safety: plain value types; no shared state.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace newsflow {

enum class Code {
  kOk,
  kInvalidConfig,    // configuration rejected at start-up (never per record)
  kTooLarge,         // record above the configured size limit
  kInvalidEncoding,  // not valid UTF-8 (UTF-16, stray bytes), or NUL bytes
  kMalformed,        // bytes do not parse as the declared/detected format (JSON syntax, nesting)
  kSchemaViolation,  // parses, but breaks the raw-article contract (types, required fields)
  kEmptyArticle,     // neither title nor body has any text
  kStageFailure,     // a processing stage rejected a well-formed record
  kInternal,         // a bug: an invariant did not hold
};

// Stable snake_case name of a code, e.g. "schema_violation".
std::string_view CodeName(Code code);

class Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string stage, std::string message)
      : code_(code), stage_(std::move(stage)), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // The stage that produced the error ("decode", "normalize", ...); empty for OK.
  const std::string& stage() const { return stage_; }
  const std::string& message() const { return message_; }

  // "stage: class: message", for logs and summaries.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string stage_;
  std::string message_;
};

}  // namespace newsflow
