// ConfigReader: builds a typed config struct from a YAML node, and documents it.
//
// Every stage (and the runtime) declares its fields in one place, Fluent Bit config_map style:
//
//   ConfigReader r(node, "pipeline.decode");
//   r.Read("max_record_bytes", &cfg.max_record_bytes, "Largest record accepted, in bytes.");
//   NEWSFLOW_RETURN_IF_ERROR(r.Finish());
//
// Read() leaves the default in place when the key is absent. Finish() reports the first
// problem: a value of the wrong type, a failed Require(), or a key nobody read (an unknown
// key), always naming the full dotted path ("pipeline.decode.max_recrod_bytes: unknown key").
// Fields() returns name/type/default/description of every declared field. While a ConfigDocs
// is alive on the thread, every ConfigReader also hands its fields to it when destroyed:
// `newsflow config --dump` builds the whole built-in configuration under one and prints every
// option with its type, default and description.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "schemas/status.h"

namespace newsflow::core {

struct ConfigFieldDoc {
  std::string path;  // full dotted path
  std::string type;
  std::string default_value;  // the config struct's own default (before reading)
  std::string value;          // the value after reading (the node's, or the default)
  std::string description;
};

// Collects the fields of every ConfigReader destroyed on this thread while it is alive (nested
// collectors: the innermost one). Not thread-safe by design: one thread builds one config.
class ConfigDocs {
 public:
  ConfigDocs();
  ~ConfigDocs();
  ConfigDocs(const ConfigDocs&) = delete;
  ConfigDocs& operator=(const ConfigDocs&) = delete;

  const std::vector<ConfigFieldDoc>& fields() const { return fields_; }

 private:
  friend class ConfigReader;
  std::vector<ConfigFieldDoc> fields_;
  ConfigDocs* previous_;
};

class ConfigReader {
 public:
  // `node` may be null/undefined (all defaults). `path` is the dotted prefix used in messages.
  ConfigReader(const YAML::Node& node, std::string path);
  ~ConfigReader();
  ConfigReader(const ConfigReader&) = delete;
  ConfigReader& operator=(const ConfigReader&) = delete;

  void Read(std::string_view key, bool* out, std::string_view help);
  void Read(std::string_view key, int64_t* out, std::string_view help);
  void Read(std::string_view key, double* out, std::string_view help);
  void Read(std::string_view key, std::string* out, std::string_view help);
  void Read(std::string_view key, std::vector<std::string>* out, std::string_view help);
  // A mapping of names to integers ("Arab: 64"). A given mapping replaces the default one
  // whole ({} empties it); keys are not checked here (Require() what they must be).
  void Read(std::string_view key, std::map<std::string, int64_t>* out, std::string_view help);
  // Marks a key as known without reading it (sub-sections handled by another reader).
  YAML::Node Section(std::string_view key, std::string_view help);

  // Records an error for `key` unless `condition` holds.
  void Require(bool condition, std::string_view key, std::string_view message);

  // First error (wrong type, failed requirement, unknown key), or OK.
  Status Finish() const;

  const std::vector<ConfigFieldDoc>& Fields() const { return fields_; }
  const std::string& path() const { return path_; }

 private:
  template <typename T>
  void ReadScalar(std::string_view key, T* out, std::string_view type, std::string_view help);
  YAML::Node Lookup(std::string_view key);
  void Fail(std::string_view key, std::string message);

  YAML::Node node_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
  std::vector<ConfigFieldDoc> fields_;
  std::string first_error_;
};

// Loads a YAML file; errors name the file and line.
Status LoadYamlFile(const std::string& file, YAML::Node* out);

}  // namespace newsflow::core
