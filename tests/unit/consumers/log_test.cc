#include "consumers/log.h"

#include <gtest/gtest.h>

namespace newsflow::consumers {
namespace {

TEST(LogTest, OneEscapedJsonObjectPerLine) {
  std::string line = Logger::Format(0, LogLevel::kWarn, "say \"hi\"\n",
                                    {{"n", int64_t{3}}, {"s", "a\tb"}, {"ok", true}});
  EXPECT_EQ(line,
            "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"level\":\"warn\",\"msg\":\"say "
            "\\\"hi\\\"\\n\",\"n\":3,\"s\":\"a\\tb\",\"ok\":true}");
}

}  // namespace
}  // namespace newsflow::consumers
