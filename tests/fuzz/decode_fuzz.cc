// libFuzzer target: the decode stage on arbitrary bytes (JSON, plain text, HTML, by content
// type). Property: it returns a Status (an article or a dead-letter class) and never crashes,
// hangs or reads out of bounds (ASan/UBSan). Seeds: samples/*.jsonl lines (ops/fuzz.sh).
#include <cstddef>
#include <cstdint>
#include <string>

#include "processors/core/clock.h"
#include "processors/core/stage.h"
#include "processors/decode/decode_stage.h"

namespace {

const newsflow::core::Stage& Decoder() {
  static auto* stage = [] {
    auto s = newsflow::decode::DecodeStage::Create(YAML::Node(), "pipeline.decode");
    return s.ok() ? std::move(s).value().release() : nullptr;
  }();
  return *stage;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace newsflow;
  static const char* kTypes[] = {"", "application/json", "text/plain", "text/html"};
  schemas::RawRecord record;
  record.value.assign(reinterpret_cast<const char*>(data), size);
  const char* type = kTypes[size == 0 ? 0 : data[size - 1] % 4];
  if (*type != '\0') record.headers.push_back({"content-type", type});
  core::Document doc(record);
  static core::FixedClock clock(1767225600000);
  const core::StageContext ctx{&clock, "fuzz"};
  (void)Decoder().Process(doc, ctx);
  return 0;
}
