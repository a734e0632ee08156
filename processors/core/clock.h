// Clock: the only way stages learn the time, so tests and reproducible runs can fix it.
#pragma once

#include <chrono>
#include <cstdint>

namespace newsflow::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, UTC epoch milliseconds.
  virtual int64_t NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that always reads the time it was given (tests, `process --processed-at`).
class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t now_ms) : now_ms_(now_ms) {}
  int64_t NowMs() const override { return now_ms_; }

 private:
  int64_t now_ms_;
};

}  // namespace newsflow::core
