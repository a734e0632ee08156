#include "processors/core/config.h"

#include <sstream>

namespace newsflow::core {
namespace {

std::string Join(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

template <typename T>
std::string ToText(const T& value) {
  std::ostringstream os;
  if constexpr (std::is_same_v<T, bool>) {
    os << (value ? "true" : "false");
  } else {
    os << value;
  }
  return os.str();
}

thread_local ConfigDocs* current_docs = nullptr;

}  // namespace

ConfigDocs::ConfigDocs() : previous_(current_docs) { current_docs = this; }
ConfigDocs::~ConfigDocs() { current_docs = previous_; }

ConfigReader::~ConfigReader() {
  if (current_docs != nullptr) {
    current_docs->fields_.insert(current_docs->fields_.end(), fields_.begin(), fields_.end());
  }
}

ConfigReader::ConfigReader(const YAML::Node& node, std::string path)
    : node_(node), path_(std::move(path)) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    first_error_ = (path_.empty() ? std::string("config") : path_) + ": expected a mapping";
  }
}

YAML::Node ConfigReader::Lookup(std::string_view key) {
  known_.emplace(key);
  if (!node_.IsDefined() || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return node_[std::string(key)];
}

void ConfigReader::Fail(std::string_view key, std::string message) {
  if (!first_error_.empty()) return;
  first_error_ = Join(path_, key) + ": " + message;
}

template <typename T>
void ConfigReader::ReadScalar(std::string_view key, T* out, std::string_view type,
                              std::string_view help) {
  const std::string default_text = ToText(*out);
  fields_.push_back(
      {Join(path_, key), std::string(type), default_text, default_text, std::string(help)});
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsScalar()) {
    Fail(key, "expected a " + std::string(type));
    return;
  }
  T parsed{};
  if (!YAML::convert<T>::decode(value, parsed)) {
    Fail(key, "expected a " + std::string(type) + ", got '" + value.Scalar() + "'");
    return;
  }
  *out = parsed;
  fields_.back().value = ToText(*out);
}

void ConfigReader::Read(std::string_view key, bool* out, std::string_view help) {
  ReadScalar(key, out, "bool", help);
}
void ConfigReader::Read(std::string_view key, int64_t* out, std::string_view help) {
  ReadScalar(key, out, "integer", help);
}
void ConfigReader::Read(std::string_view key, double* out, std::string_view help) {
  ReadScalar(key, out, "number", help);
}
void ConfigReader::Read(std::string_view key, std::string* out, std::string_view help) {
  ReadScalar(key, out, "string", help);
}

void ConfigReader::Read(std::string_view key, std::vector<std::string>* out,
                        std::string_view help) {
  auto text = [](const std::vector<std::string>& items) {
    std::string joined;
    for (const auto& item : items) joined += (joined.empty() ? "" : ", ") + item;
    return "[" + joined + "]";
  };
  fields_.push_back(
      {Join(path_, key), "list of strings", text(*out), text(*out), std::string(help)});
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsSequence()) {
    Fail(key, "expected a list of strings");
    return;
  }
  std::vector<std::string> parsed;
  for (const auto& item : value) {
    if (!item.IsScalar()) {
      Fail(key, "expected a list of strings");
      return;
    }
    parsed.push_back(item.Scalar());
  }
  *out = std::move(parsed);
  fields_.back().value = text(*out);
}

void ConfigReader::Read(std::string_view key, std::map<std::string, int64_t>* out,
                        std::string_view help) {
  auto text = [](const std::map<std::string, int64_t>& items) {
    std::string joined;
    for (const auto& [name, number] : items) {
      joined += (joined.empty() ? "" : ", ") + name + ": " + std::to_string(number);
    }
    return "{" + joined + "}";
  };
  fields_.push_back(
      {Join(path_, key), "map of integers", text(*out), text(*out), std::string(help)});
  YAML::Node value = Lookup(key);
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsMap()) {
    Fail(key, "expected a mapping of names to integers");
    return;
  }
  std::map<std::string, int64_t> parsed;
  for (const auto& item : value) {
    int64_t number = 0;
    if (!item.first.IsScalar() || !item.second.IsScalar() ||
        !YAML::convert<int64_t>::decode(item.second, number)) {
      const std::string name = item.first.IsScalar() ? item.first.Scalar() : std::string("?");
      Fail(key, "expected a mapping of names to integers; '" + name + "' is not an integer");
      return;
    }
    parsed[item.first.Scalar()] = number;
  }
  *out = std::move(parsed);
  fields_.back().value = text(*out);
}

YAML::Node ConfigReader::Section(std::string_view key, std::string_view help) {
  fields_.push_back({Join(path_, key), "section", "", "", std::string(help)});
  return Lookup(key);
}

void ConfigReader::Require(bool condition, std::string_view key, std::string_view message) {
  if (!condition) Fail(key, std::string(message));
}

Status ConfigReader::Finish() const {
  if (!first_error_.empty()) return Status(Code::kInvalidConfig, "config", first_error_);
  if (node_.IsDefined() && node_.IsMap()) {
    for (const auto& item : node_) {
      const std::string key = item.first.as<std::string>();
      if (!known_.contains(key)) {
        return Status(Code::kInvalidConfig, "config", Join(path_, key) + ": unknown key");
      }
    }
  }
  return Status::Ok();
}

Status LoadYamlFile(const std::string& file, YAML::Node* out) {
  try {
    *out = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    return Status(Code::kInvalidConfig, "config", file + ": cannot open file");
  } catch (const YAML::ParserException& e) {
    return Status(Code::kInvalidConfig, "config",
                  file + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return Status::Ok();
}

}  // namespace newsflow::core
