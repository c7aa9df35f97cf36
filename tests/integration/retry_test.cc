// Retries onto another key before the first byte reaches the client, and
// what the client sees when every attempt fails.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

struct RetryCase {
  const char* name;
  json response;
  int upstream_status;
};

void PrintTo(const RetryCase& c, std::ostream* os) { *os << c.name; }

class RetryOnAnotherKeyTest : public StackTest, public ::testing::WithParamInterface<RetryCase> {};

TEST_P(RetryOnAnotherKeyTest, ClientGets200AndUpstreamSawTwoKeys) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  // The first request, whichever key it carries, fails; the next succeeds.
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({GetParam().response}), false).ok());
  auto r = Generate();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(json::parse(r->body, nullptr, false).contains("candidates")) << r->body;
  const std::vector<UpstreamRequest> upstream = Upstream("generateContent");
  ASSERT_THAT(upstream, SizeIs(2));
  EXPECT_EQ(upstream[0].status, GetParam().upstream_status);
  EXPECT_EQ(upstream[1].status, 200);
  EXPECT_NE(upstream[0].key, upstream[1].key) << "the retry reused the failed key";
}

INSTANTIATE_TEST_SUITE_P(
    Errors, RetryOnAnotherKeyTest,
    ::testing::Values(RetryCase{"ApiKeyInvalid", {{"status", 400}, {"reason", "API_KEY_INVALID"}}, 400},
                      RetryCase{"RateLimited",
                                {{"status", 429},
                                 {"retryDelay", "30s"},
                                 {"quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}},
                                429},
                      RetryCase{"Unavailable", {{"status", 503}}, 503}, RetryCase{"Internal", {{"status", 500}}, 500},
                      RetryCase{"Leaked", {{"status", 403}, {"leaked", true}}, 403}),
    [](const ::testing::TestParamInfo<RetryCase>& info) { return std::string(info.param.name); });

class RetryTest : public StackTest {};

TEST_F(RetryTest, AllAttemptsFailGivesTheLastUpstreamStatusAndBody) {
  StackOptions options;
  options.keys = {StackOptions::TestKey(1), StackOptions::TestKey(2), StackOptions::TestKey(3),
                  StackOptions::TestKey(4), StackOptions::TestKey(5)};
  options.max_retries = 3;
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  ASSERT_TRUE(
      fake()
          .ScriptKey("", "",
                     json::array({{{"status", 503}}, {{"status", 500}}, {{"status", 429}, {"retryDelay", "30s"}}}),
                     false)
          .ok());
  auto r = Generate();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429) << "a 429 must stay a 429: " << r->body;
  json body = json::parse(r->body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << r->body;
  EXPECT_EQ(body["error"]["status"], "RESOURCE_EXHAUSTED") << r->body;
  EXPECT_EQ(body["error"]["code"], 429);

  const std::vector<UpstreamRequest> upstream = Upstream("generateContent");
  ASSERT_THAT(upstream, SizeIs(3)) << "MAX_RETRIES=3 means three attempts";
  const std::set<std::string> keys = {upstream[0].key, upstream[1].key, upstream[2].key};
  EXPECT_THAT(keys, SizeIs(3)) << "every attempt needs a different key";
}

TEST_F(RetryTest, AllAttempts503Gives503) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"status", 503}}}), true).ok());
  auto r = Generate();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  EXPECT_THAT(r->body, HasSubstr("overloaded"));
  EXPECT_THAT(Upstream("generateContent"), SizeIs(3));
}

TEST_F(RetryTest, ClientErrorIsNotRetried) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"status", 400}, {"reason", "INVALID_ARGUMENT"}}}), false).ok());
  auto r = Generate();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_THAT(r->body, HasSubstr("Invalid JSON payload"));
  EXPECT_THAT(Upstream("generateContent"), SizeIs(1)) << "a malformed request is the client's fault";
}

TEST_F(RetryTest, TimeoutIsRetriedOnAnotherKey) {
  StackOptions options;
  options.extra_env["TIME_OUT"] = "1";
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "hang"}}}), false).ok());
  auto r = Generate();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  const std::vector<UpstreamRequest> upstream = Upstream("generateContent");
  ASSERT_THAT(upstream, SizeIs(2));
  EXPECT_NE(upstream[0].key, upstream[1].key);
}

TEST_F(RetryTest, PoolKeyNeverReachesTheClient) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  // Google's "suspended" message quotes the key.
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"status", 403}, {"reason", "CONSUMER_SUSPENDED"}}}), true).ok());
  auto r = Generate();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_THAT(r->body, HasSubstr("suspended"));
  for (const std::string& key : stack().options().keys) {
    EXPECT_THAT(r->body, Not(HasSubstr(key))) << "the response leaks a pool key";
    for (const auto& [name, value] : r->headers) EXPECT_THAT(value, Not(HasSubstr(key))) << name;
  }
}

TEST_F(RetryTest, NoRetryOnceStreamingHasBegun) {
  for (const bool sse : {true, false}) {
    SCOPED_TRACE(sse ? "SSE" : "JSON array");
    ASSERT_NO_FATAL_FAILURE(StartStack());
    ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "broken_stream"}, {"afterChunks", 2}}}), false).ok());
    StreamedResponse r =
        PostStreaming(stack().gateway_port(), GeneratePath(kFlash, "streamGenerateContent") + (sse ? "?alt=sse" : ""),
                      Auth(), GenerateBody("stream and break"));
    EXPECT_EQ(r.status, 200);
    EXPECT_THAT(r.body, HasSubstr("chunk 1 of 5"));
    EXPECT_THAT(r.body, HasSubstr("chunk 2 of 5"));
    EXPECT_THAT(r.body, Not(HasSubstr("chunk 3 of 5")));
    // The client must learn the stream broke: a cut connection or an error.
    EXPECT_TRUE(!r.completed || absl::StrContains(r.body, "\"error\""))
        << "the stream looked complete after the upstream broke: " << r.body;
    EXPECT_THAT(Upstream("streamGenerateContent"), SizeIs(1)) << "retried after bytes reached the client";
    stack_.reset();
  }
}

}  // namespace
}  // namespace gempool::integration
