// Structured logs: one JSON object per line, e.g.
//   {"ts":"2026-01-01T00:00:00.000Z","level":"info","msg":"partitions assigned","count":3}
// Strings are escaped by RapidJSON (quotes, control characters; invalid UTF-8 is written as
// is by the writer's default, so callers pass text from librdkafka and our own messages only).
//
// The line is built here (RapidJSON escapes the fields); spdlog writes it: its thread-safe
// stdout/stderr sink (one line per call, never interleaved), its level filter, and a flush per
// line so that a crash loses no log line. spdlog's own formatter is printf-style and has no
// structured fields, hence the JSON is ours.
//
// Thread-safety: Write() may be called from any thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace spdlog {
class logger;
}  // namespace spdlog

namespace newsflow::consumers {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, int64_t v) : key(k), value(v) {}
  LogField(std::string_view k, int32_t v) : key(k), value(int64_t{v}) {}
  LogField(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  std::string_view key;
  std::variant<std::string, int64_t, bool, double> value;
};

class Logger {
 public:
  // `out` is not owned (stdout for `run`, stderr for `demo`). Lines below `min` are dropped.
  explicit Logger(std::FILE* out, LogLevel min = LogLevel::kInfo);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void Write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Write(LogLevel::kInfo, msg, fields);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Write(LogLevel::kWarn, msg, fields);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Write(LogLevel::kError, msg, fields);
  }

  // The JSON line (without newline) Write() would print; for tests.
  static std::string Format(int64_t now_ms, LogLevel level, std::string_view msg,
                            std::initializer_list<LogField> fields);

 private:
  LogLevel min_;
  std::unique_ptr<spdlog::logger> sink_;
};

}  // namespace newsflow::consumers
