// libFuzzer target: the whole default pipeline (decode -> normalize -> tag -> score -> encode)
// on arbitrary text, so the normalizer (ICU cleaning, CLD2, tokenizer, stemmers, "read also"
// splitting) sees every byte sequence: the input is a plain-text article (first line title,
// rest body) and decode replaces invalid UTF-8 with U+FFFD instead of rejecting it. Property:
// an outcome (outputs or a dead-letter status), no crash, no sanitizer report.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "app/app_config.h"
#include "app/pipeline_setup.h"
#include "processors/core/clock.h"

namespace {

newsflow::app::PipelineSetup* Build() {
  auto config = newsflow::app::LoadAppConfig("");
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    std::abort();
  }
  config->pipeline["decode"]["on_invalid_utf8"] = "replace";
  auto pipeline_setup = newsflow::app::BuildPipelineSetup(std::move(config).value());
  if (!pipeline_setup.ok()) {
    std::fprintf(stderr, "%s\n", pipeline_setup.status().ToString().c_str());
    std::abort();
  }
  return std::move(pipeline_setup).value().release();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace newsflow;
  static app::PipelineSetup* pipeline_setup = Build();
  schemas::RawRecord record;
  record.value.assign(reinterpret_cast<const char*>(data), size);
  record.headers.push_back({"content-type", "text/plain"});
  static core::FixedClock clock(1767225600000);
  const core::StageContext ctx{&clock, "fuzz"};
  (void)pipeline_setup->pipeline->Process(record, ctx, nullptr);
  return 0;
}
