#include "gempool/config/custom_headers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string CustomHeadersMessage(const absl::Status& status) { return std::string(status.message()); }

TEST(CheckCustomHeadersTest, AcceptsOrdinaryHeaders) {
  EXPECT_TRUE(CheckCustomHeaders({}).ok());
  EXPECT_TRUE(CheckCustomHeaders({{"X-Team", "a b: c"}, {"User-Agent", "gempool-test/1"}}).ok());
}

TEST(CheckCustomHeadersTest, RefusesWhatGempoolSetsItselfInAnyCase) {
  for (const char* name : {"x-goog-api-key", "Authorization", "HOST", "Content-Length", "transfer-encoding",
                           "Connection"}) {
    absl::Status status = CheckCustomHeaders({{name, "v"}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(CustomHeadersMessage(status), AllOf(HasSubstr(name), HasSubstr("gempool sets it itself")));
  }
}

TEST(CheckCustomHeadersTest, RefusesMalformedHeadersWithoutShowingTheValue) {
  for (const auto& [name, value] : std::map<std::string, std::string>{
           {"", "v"}, {"X Team", "v"}, {"X-Team:", "v"}, {"X-Line\n", "v"}, {"X-Tab\t", "v"}}) {
    absl::Status status = CheckCustomHeaders({{name, value}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(CustomHeadersMessage(status), HasSubstr("is not a valid HTTP header"));
  }
  absl::Status split = CheckCustomHeaders({{"X-Token", "secret-123\r\nX-Evil: 1"}});
  EXPECT_EQ(split.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(CustomHeadersMessage(split), AllOf(HasSubstr("'X-Token'"), Not(HasSubstr("secret-123"))));
  // A line break in a name is shown escaped, so the message stays one line.
  EXPECT_THAT(CustomHeadersMessage(CheckCustomHeaders({{"X-Line\n", "v"}})), HasSubstr("'X-Line\\n'"));
}

}  // namespace
}  // namespace gempool::config
