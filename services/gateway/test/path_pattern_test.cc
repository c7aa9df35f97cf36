#include "http/path_pattern.h"

#include <regex>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gempool::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(PathPatternTest, LiteralPrefixStopsAtRegexSyntaxAndQuantifiedCharacters) {
  EXPECT_EQ(PathPattern("/v1/chat/completions").literal_prefix(), "/v1/chat/completions");
  EXPECT_EQ(PathPattern("/v1beta/.*").literal_prefix(), "/v1beta/");
  EXPECT_EQ(PathPattern("/v1/models/?").literal_prefix(), "/v1/models");
  EXPECT_EQ(PathPattern("/v1/models/(.+)").literal_prefix(), "/v1/models/");
  EXPECT_EQ(PathPattern("/ab*").literal_prefix(), "/a");
  EXPECT_EQ(PathPattern("/a{2}").literal_prefix(), "/");
  EXPECT_EQ(PathPattern("(/gemini)?/v1").literal_prefix(), "");
}

TEST(PathPatternTest, ExactPatternMatchesOnlyItself) {
  const PathPattern p("/v1/chat/completions");
  EXPECT_TRUE(p.Match("/v1/chat/completions"));
  EXPECT_FALSE(p.Match("/v1/chat/completions/"));
  EXPECT_FALSE(p.Match("/v1/chat/completion"));
  EXPECT_FALSE(p.Match(""));
}

TEST(PathPatternTest, PrefixPatternKeepsTheRegexLineTerminatorRule) {
  const PathPattern p("/static/.*");
  EXPECT_TRUE(p.Match("/static/"));
  EXPECT_TRUE(p.Match("/static/app.js"));
  EXPECT_FALSE(p.Match("/static"));
  EXPECT_FALSE(p.Match("/static/a\nb"));  // "." does not match a decoded %0A.
  EXPECT_FALSE(p.Match("/static/a\rb"));
}

TEST(PathPatternTest, RegexPatternReturnsGroups) {
  const PathPattern p("/v1/models/(.+)");
  std::vector<std::string> groups;
  ASSERT_TRUE(p.Match("/v1/models/gemini-2.5-flash", &groups));
  EXPECT_THAT(groups, ElementsAre("gemini-2.5-flash"));
  EXPECT_FALSE(p.Match("/v1/models/", &groups));
  EXPECT_THAT(groups, IsEmpty());
  EXPECT_FALSE(p.Match("/v2/models/x", &groups));
}

// Every fast path answers exactly as std::regex_match would.
TEST(PathPatternTest, AgreesWithStdRegexOnEveryPatternAndPath) {
  const std::vector<std::string> patterns = {
      "/health", "/", "/keys", "/static/.*", "/api(/.*)?", "/v1/models/?", "/v1/models/(.+)",
      "/openai/v1/.*", "/hf/v1(/.*)?", "/v1beta/openai(/.*)?", "/v1beta/.*", "/gemini/v1/.*",
      "/v1/chat/completions", "(/gemini)?/v1(beta|alpha)?/.*", "/ab*c", "/x.y"};
  const std::vector<std::string> paths = {
      "", "/", "/health", "/healthz", "/keys", "/keys/", "/static", "/static/", "/static/a.js",
      "/static/a\nb", "/api", "/api/", "/api/keys", "/apix", "/v1/models", "/v1/models/",
      "/v1/models/m", "/v1/modelsx", "/openai/v1/", "/openai/v1/chat/completions", "/hf/v1",
      "/hf/v1/x", "/hf/v1x", "/v1beta/openai", "/v1beta/openai/chat", "/v1beta/models/m:generateContent",
      "/gemini/v1/models", "/gemini/v1beta/models", "/v1/chat/completions", "/ac", "/abbbc", "/xzy",
      "/x.y", "/v1beta/\r"};
  for (const std::string& pattern : patterns) {
    const PathPattern fast(pattern);
    const std::regex slow(pattern);
    for (const std::string& path : paths) {
      EXPECT_EQ(fast.Match(path), std::regex_match(path, slow)) << pattern << " on " << path;
    }
  }
}

}  // namespace
}  // namespace gempool::gateway
