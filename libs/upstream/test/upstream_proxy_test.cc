// UpstreamClient through the test proxies (libs/testing/test_proxies.h) to a
// plain-http upstream: absolute-form through an HTTP proxy, tunnels through
// SOCKS5, credentials, refusals and a proxy that never answers. (CONNECT
// tunnels for https upstreams are in upstream_tls_test.cc.)

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "call_watcher.h"
#include "gempool/testing/loopback_listener.h"
#include "gempool/testing/subprocess.h"
#include "gempool/testing/test_proxies.h"
#include "gempool/upstream/upstream_client.h"
#include "test_http_server.h"

namespace gempool::upstream {
namespace {

using ::gempool::testing::TestHttpProxy;
using ::gempool::testing::TestProxyOptions;
using ::gempool::testing::TestSocks5Proxy;
using ::testing::HasSubstr;
using testing::AnswerWith;
using testing::CallWatcher;
using testing::HttpResponse;
using testing::MakeRequest;
using testing::TestHttpServer;

constexpr char kProxyAnswer[] = R"({"candidates":[]})";

class UpstreamProxyTest : public ::testing::Test {
 protected:
  UpstreamResult Call(const std::string& proxy, const std::string& host = "127.0.0.1", int timeout_seconds = 10) {
    UpstreamRequest request = MakeRequest(server_.SchemeHostPort(host));
    request.proxy = proxy;
    request.timeout_seconds = timeout_seconds;
    CallWatcher watcher;
    EXPECT_TRUE(watcher.StartAndWait(client_, request));
    status_ = watcher.head() ? watcher.head()->status : 0;
    body_ = watcher.body();
    return watcher.result();
  }

  testing::LoopThread loop_;
  UpstreamClient client_{loop_.io(), UpstreamClient::Options{}};
  int status_ = 0;  // Of the last Call().
  std::string body_;
  TestHttpServer server_{AnswerWith(HttpResponse(200, "application/json", kProxyAnswer))};
};

TEST_F(UpstreamProxyTest, HttpProxyGetsPlainHttpRequestsInAbsoluteForm) {
  TestHttpProxy proxy(TestProxyOptions{"user", "p@ss"});
  const UpstreamResult result = Call(proxy.UrlWith("user", "p%40ss"));
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  EXPECT_EQ(status_, 200);
  EXPECT_EQ(body_, kProxyAnswer);
  EXPECT_EQ(proxy.forwarded(), 1);
  EXPECT_EQ(proxy.tunnels(), 0);
  EXPECT_EQ(proxy.last_target(), absl::StrCat("127.0.0.1:", server_.port()));
  EXPECT_EQ(server_.last_request().target, "/v1beta/models/m:generateContent");
  EXPECT_EQ(server_.last_request().Header("Proxy-Authorization"), "") << "the proxy's credential stays with the proxy";
}

TEST_F(UpstreamProxyTest, HttpProxyRefusingCredentialsAnswers407) {
  // In absolute-form the proxy answers the request itself: a response, not a
  // transport failure.
  TestHttpProxy proxy(TestProxyOptions{"user", "right"});
  const UpstreamResult result = Call(proxy.UrlWith("user", "wrong"));
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  EXPECT_EQ(status_, 407);
  EXPECT_EQ(proxy.refused(), 1);
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(UpstreamProxyTest, Socks5TunnelsToAnIpLiteral) {
  TestSocks5Proxy proxy;
  const UpstreamResult result = Call(proxy.Url());
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  EXPECT_EQ(body_, kProxyAnswer);
  EXPECT_EQ(proxy.tunnels(), 1);
  EXPECT_EQ(proxy.last_address_type(), 1);
  EXPECT_EQ(proxy.last_target(), absl::StrCat("127.0.0.1:", server_.port()));
}

TEST_F(UpstreamProxyTest, Socks5hAndSocks5LeaveHostNamesToTheProxy) {
  TestSocks5Proxy proxy;
  for (bool remote_dns : {true, false}) {
    const UpstreamResult result = Call(proxy.Url(remote_dns), "localhost");
    EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
    EXPECT_EQ(proxy.last_address_type(), 3);
    EXPECT_EQ(proxy.last_target(), absl::StrCat("localhost:", server_.port()));
    EXPECT_EQ(server_.last_request().Header("Host"), absl::StrCat("localhost:", server_.port()));
  }
  EXPECT_EQ(proxy.tunnels(), 2) << "different proxy URLs: different pooled connections";
}

TEST_F(UpstreamProxyTest, Socks5WithCredentials) {
  TestSocks5Proxy proxy(TestProxyOptions{"alice", "s3cret"});
  const UpstreamResult result = Call(proxy.Url());
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  EXPECT_EQ(proxy.tunnels(), 1);
  EXPECT_EQ(proxy.refused_auth(), 0);
}

TEST_F(UpstreamProxyTest, Socks5RefusingTheCredentialsFailsSayingSo) {
  TestSocks5Proxy proxy(TestProxyOptions{"alice", "s3cret"});
  const UpstreamResult result = Call(proxy.UrlWith("alice", "guess"));
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(result.failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(result.detail, HasSubstr("SOCKS5 proxy refused the credentials"));
  EXPECT_THAT(result.detail, HasSubstr("via proxy]"));
  EXPECT_THAT(result.detail, ::testing::Not(HasSubstr("guess")));
  EXPECT_EQ(proxy.refused_auth(), 1);
  EXPECT_EQ(server_.requests(), 0);

  const UpstreamResult anonymous = Call(proxy.UrlWith("", ""));
  EXPECT_THAT(anonymous.detail, HasSubstr("requires authentication"));
}

TEST_F(UpstreamProxyTest, Socks5ThatCannotReachTheTargetNamesTheReply) {
  TestSocks5Proxy proxy;
  UpstreamRequest request = MakeRequest(absl::StrCat("http://127.0.0.1:", gempool::testing::FreePort()));
  request.proxy = proxy.Url();
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, request));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(watcher.result().failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(watcher.result().detail, HasSubstr("SOCKS5 proxy refused the connection: connection refused (reply 5)"));
}

TEST_F(UpstreamProxyTest, ATunnelIsKeptAliveLikeADirectConnection) {
  TestSocks5Proxy proxy;
  for (int i = 0; i < 3; ++i) {
    const UpstreamResult result = Call(proxy.Url());
    EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  }
  EXPECT_EQ(proxy.tunnels(), 1);
  EXPECT_EQ(server_.connections(), 1);
  EXPECT_EQ(server_.requests(), 3);
}

TEST_F(UpstreamProxyTest, AProxyThatNeverAnswersTheHandshakeIsAConnectTimeout) {
  // Reads the greeting and never answers.
  std::atomic<bool> quit{false};
  gempool::testing::LoopbackListener silent([&quit](int fd) {
    char buffer[256];
    while (gempool::testing::ReadSome(fd, buffer, sizeof(buffer), quit) > 0) {
    }
  });
  const auto start = std::chrono::steady_clock::now();
  const UpstreamResult result = Call(absl::StrCat("socks5://127.0.0.1:", silent.port()), "127.0.0.1", 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(result.failure, gemini::TransportFailure::kTimeout);
  EXPECT_THAT(result.detail, HasSubstr("connect timed out after 1 s"));
  quit = true;
}

TEST_F(UpstreamProxyTest, AProxyNotListeningIsAConnectionFailure) {
  const UpstreamResult result = Call(absl::StrCat("socks5://127.0.0.1:", gempool::testing::FreePort()));
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(result.failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(result.detail, HasSubstr("could not connect to the proxy"));
}

TEST_F(UpstreamProxyTest, AnUnsupportedProxyUrlFailsTheCall) {
  const UpstreamResult result = Call("socks4://127.0.0.1:1080");
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kFailed);
  EXPECT_THAT(result.detail, HasSubstr("socks5h://"));
}

}  // namespace
}  // namespace gempool::upstream
