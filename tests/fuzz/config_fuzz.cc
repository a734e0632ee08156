// libFuzzer target: the configuration reader. The input is a newsflow.yaml; it goes through
// LoadAppConfig (YAML parsing, top-level keys), the kafka:/metrics: sections, the librdkafka
// pass-through (BuildRdKafkaConfs), the size-limit check and the pipeline's stage configs
// (BuildPipelineSetup with the built-in taxonomy). Property: a config or an error, no crash, no
// uncaught exception, no sanitizer report.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "app/app_config.h"
#include "app/kafka_setup.h"
#include "app/pipeline_setup.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace newsflow;
  static const std::string path = "/tmp/newsflow-config-fuzz-" + std::to_string(getpid()) + ".yaml";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  Result<app::AppConfig> config = app::LoadAppConfig(path);
  if (!config.ok()) return 0;
  (void)app::LoadKafkaSetup(*config, [](const char*) -> const char* { return nullptr; });
  // Stage configs only; the taxonomy stays the built-in one (taxonomy_fuzz covers it).
  config->taxonomy = YAML::Node();
  (void)app::BuildPipelineSetup(std::move(config).value());
  return 0;
}
