#include "consumers/log.h"

#include <chrono>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

void Logger::Write(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < static_cast<int>(min_)) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string line = Format(now, level, msg, fields);
  line.push_back('\n');
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace newsflow::consumers
