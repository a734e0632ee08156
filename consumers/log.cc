#include "consumers/log.h"

#include <chrono>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "schemas/text.h"

namespace newsflow::consumers {
namespace {

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

std::string Logger::Format(int64_t now_ms, LogLevel level, std::string_view msg,
                           std::initializer_list<LogField> fields) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  w.Key("ts");
  str(schemas::FormatRfc3339(now_ms));
  w.Key("level");
  str(LevelName(level));
  w.Key("msg");
  str(msg);
  for (const auto& field : fields) {
    w.Key(field.key.data(), static_cast<rapidjson::SizeType>(field.key.size()));
    if (const auto* s = std::get_if<std::string>(&field.value)) {
      str(*s);
    } else if (const auto* i = std::get_if<int64_t>(&field.value)) {
      w.Int64(*i);
    } else if (const auto* b = std::get_if<bool>(&field.value)) {
      w.Bool(*b);
    } else if (const auto* d = std::get_if<double>(&field.value)) {
      w.Double(*d);
    }
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Logger::Logger(std::FILE* out, LogLevel min) : min_(min) {
  spdlog::sink_ptr sink =
      std::make_shared<spdlog::sinks::stdout_sink_base<spdlog::details::console_mutex>>(out);
  sink->set_pattern("%v");  // the line is already the whole JSON object
  sink_ = std::make_unique<spdlog::logger>("newsflow", std::move(sink));
  sink_->set_level(spdlog::level::trace);  // filtered by min_ before the line is built
  sink_->flush_on(spdlog::level::trace);
}

Logger::~Logger() = default;

void Logger::Write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < static_cast<int>(min_)) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::string line = Format(now, level, msg, fields);
  spdlog::level::level_enum spd = spdlog::level::info;
  switch (level) {
    case LogLevel::kDebug:
      spd = spdlog::level::debug;
      break;
    case LogLevel::kInfo:
      spd = spdlog::level::info;
      break;
    case LogLevel::kWarn:
      spd = spdlog::level::warn;
      break;
    case LogLevel::kError:
      spd = spdlog::level::err;
      break;
  }
  sink_->log(spd, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace newsflow::consumers
