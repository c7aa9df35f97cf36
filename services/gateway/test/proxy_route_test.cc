// Upstream calls through the key's proxy (PROXIES): an HTTP proxy and a SOCKS5
// proxy of the tests' own (libs/testing test_proxies.h) on loopback, for whole
// and streamed answers, and a proxy that refuses the credentials as an
// attempt that failed on that key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>

#include "gateway_fixture.h"
#include "gempool/testing/test_proxies.h"

namespace gempool::gateway {
namespace {

using ::testing::HasSubstr;
using testing::FakeUpstream;
using testing::PoolKey;

constexpr char kProxyClientToken[] = "sk-proxy-test";
constexpr char kGeneratePath[] = "/v1beta/models/gemini-2.5-flash:generateContent";
constexpr char kOkBody[] = R"({"candidates":[{"content":{"parts":[{"text":"via proxy"}]}}]})";

class ProxyRouteTest : public testing::GatewayFixture {
 protected:
  ProxyRouteTest() : GatewayFixture(kProxyClientToken) {}

  // Starts the gateway with every key going through `proxy`, has the upstream
  // answer `answer` (when given) and POSTs "{}" to `path` with the client
  // token. No response when the gateway did not start.
  httplib::Result PostThrough(const std::string& proxy, std::optional<FakeUpstream::Scripted> answer,
                              const std::string& path = kGeneratePath) {
    broker_.SetKeys({{1, PoolKey('a'), proxy}, {2, PoolKey('b'), proxy}});
    auto client = StartGateway();
    if (client == nullptr) return httplib::Result(nullptr, httplib::Error::Unknown);
    if (answer.has_value()) upstream_.Script(*std::move(answer));
    return client->Post(path, httplib::Headers{{"x-goog-api-key", kProxyClientToken}}, "{}", "application/json");
  }
};

TEST_F(ProxyRouteTest, WholeAnswerThroughSocks5) {
  gempool::testing::TestSocks5Proxy proxy;
  auto res = PostThrough(proxy.Url(), Reply(200, kOkBody));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body, kOkBody);
  EXPECT_EQ(proxy.tunnels(), 1);
  EXPECT_THAT(proxy.last_target(), HasSubstr(std::to_string(upstream_.port())));
}

TEST_F(ProxyRouteTest, StreamThroughSocks5WithCredentials) {
  gempool::testing::TestProxyOptions options;
  options.username = "gem";
  options.password = "p@ss";
  gempool::testing::TestSocks5Proxy proxy(options);
  FakeUpstream::Scripted sse;
  sse.content_type = "text/event-stream";
  sse.chunks = {"data: {\"n\":1}\r\n\r\n", "data: {\"n\":2}\r\n\r\n"};
  auto res = PostThrough(proxy.UrlWith("gem", "p%40ss", /*remote_dns=*/true), sse,
                         "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body, "data: {\"n\":1}\r\n\r\ndata: {\"n\":2}\r\n\r\n");
  EXPECT_EQ(proxy.tunnels(), 1);
  EXPECT_EQ(proxy.refused_auth(), 0);
}

TEST_F(ProxyRouteTest, WholeAnswerThroughAnHttpProxy) {
  gempool::testing::TestHttpProxy proxy;
  auto res = PostThrough(proxy.Url(), Reply(200, kOkBody));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->body, kOkBody);
  // A plain-http upstream goes through the proxy in absolute form.
  EXPECT_EQ(proxy.forwarded(), 1);
}

TEST_F(ProxyRouteTest, RefusedSocksCredentialsFailTheAttemptAndNameTheProxy) {
  gempool::testing::TestProxyOptions options;
  options.username = "gem";
  options.password = "right";
  gempool::testing::TestSocks5Proxy proxy(options);
  auto res = PostThrough(proxy.UrlWith("gem", "wrong"), std::nullopt);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_THAT(res->body, HasSubstr("proxy"));
  EXPECT_GE(proxy.refused_auth(), 1);
  EXPECT_TRUE(upstream_.received().empty());
}

}  // namespace
}  // namespace gempool::gateway
