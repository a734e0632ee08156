// Result<T>: a value or a non-OK Status (in the manner of Arrow's Result / absl::StatusOr).
//
// Use NEWSFLOW_ASSIGN_OR_RETURN(lhs, expr) to unwrap a Result in a function that itself returns
// Status or Result<U>, and NEWSFLOW_RETURN_IF_ERROR(expr) for a Status.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "schemas/status.h"

namespace newsflow {

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result constructed from an OK status without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace newsflow

#define NEWSFLOW_CONCAT_INNER_(a, b) a##b
#define NEWSFLOW_CONCAT_(a, b) NEWSFLOW_CONCAT_INNER_(a, b)

#define NEWSFLOW_RETURN_IF_ERROR(expr)       \
  do {                                       \
    ::newsflow::Status nf_status_ = (expr);  \
    if (!nf_status_.ok()) return nf_status_; \
  } while (false)

#define NEWSFLOW_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

#define NEWSFLOW_ASSIGN_OR_RETURN(lhs, expr) \
  NEWSFLOW_ASSIGN_OR_RETURN_IMPL_(NEWSFLOW_CONCAT_(nf_result_, __LINE__), lhs, expr)
