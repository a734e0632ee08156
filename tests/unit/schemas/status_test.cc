#include "schemas/status.h"

#include <gtest/gtest.h>

#include "schemas/result.h"

namespace newsflow::core {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, ToStringNamesStageClassAndMessage) {
  Status s(Code::kSchemaViolation, "decode", "/title: violates 'type'");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "decode: schema_violation: /title: violates 'type'");
}

TEST(StatusTest, EveryCodeHasADistinctStableName) {
  const Code codes[] = {
      Code::kOk,        Code::kInvalidConfig,   Code::kTooLarge,     Code::kInvalidEncoding,
      Code::kMalformed, Code::kSchemaViolation, Code::kEmptyArticle, Code::kStageFailure,
      Code::kInternal};
  std::set<std::string_view> names;
  for (Code c : codes) names.insert(CodeName(c));
  EXPECT_EQ(names.size(), std::size(codes));
  EXPECT_EQ(CodeName(Code::kTooLarge), "too_large");
  EXPECT_EQ(CodeName(Code::kInvalidEncoding), "invalid_encoding");
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status(Code::kStageFailure, "test", "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  NEWSFLOW_ASSIGN_OR_RETURN(int h, Half(x));
  NEWSFLOW_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(ResultTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
}

}  // namespace
}  // namespace newsflow::core
