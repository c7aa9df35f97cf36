#include "gempool/common/service_arguments.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace gempool {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

constexpr ServiceDescription kService{"gempool-test", "Does what a test needs.", "  TEST_SETTING  what it is"};

struct Ran {
  std::optional<int> exit_code;
  std::string out;
  std::string err;
};

Ran RunWithArguments(std::vector<const char*> args) {
  args.insert(args.begin(), "gempool-test");
  std::ostringstream out, err;
  Ran ran;
  ran.exit_code = HandleServiceArguments(static_cast<int>(args.size()), args.data(), kService, out, err);
  ran.out = out.str();
  ran.err = err.str();
  return ran;
}

TEST(ServiceArgumentsTest, NoArgumentsRunsTheService) {
  const Ran ran = RunWithArguments({});
  EXPECT_EQ(ran.exit_code, std::nullopt);
  EXPECT_EQ(ran.out, "");
  EXPECT_EQ(ran.err, "");
}

TEST(ServiceArgumentsTest, HelpSaysWhatItIsAndWhereSettingsComeFrom) {
  for (const char* flag : {"--help", "-h"}) {
    const Ran ran = RunWithArguments({flag});
    EXPECT_THAT(ran.exit_code, Optional(0));
    EXPECT_THAT(ran.out, HasSubstr("Usage: gempool-test [--help | --version]"));
    EXPECT_THAT(ran.out, HasSubstr("Does what a test needs."));
    EXPECT_THAT(ran.out, HasSubstr("TEST_SETTING"));
    EXPECT_THAT(ran.out, HasSubstr(".env.example"));
    EXPECT_EQ(ran.err, "");
  }
}

TEST(ServiceArgumentsTest, VersionIsTheProjects) {
  const Ran ran = RunWithArguments({"--version"});
  EXPECT_THAT(ran.exit_code, Optional(0));
  EXPECT_EQ(ran.out, absl::StrCat("gempool-test ", GempoolVersion(), "\n"));
  EXPECT_THAT(std::string(GempoolVersion()), ::testing::MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
}

TEST(ServiceArgumentsTest, AnythingElseIsRefusedNotIgnored) {
  const std::vector<std::pair<std::vector<const char*>, const char*>> cases = {
      {{"--port=8000"}, "--port=8000"}, {{"--help", "extra"}, "extra"}, {{"serve"}, "serve"}};
  for (const auto& [args, refused] : cases) {
    const Ran ran = RunWithArguments(args);
    EXPECT_THAT(ran.exit_code, Optional(2)) << refused;
    EXPECT_THAT(ran.err, HasSubstr(absl::StrCat("unknown argument '", refused, "'")));
    EXPECT_THAT(ran.err, HasSubstr("environment"));
    EXPECT_EQ(ran.out, "");
  }
}

}  // namespace
}  // namespace gempool
