// The real probe transport against a loopback HTTP server: what it sends,
// what it returns, and how it fails. (Everything above the transport is
// tested with FakeProbeTransport, without sockets.)

#include "httplib_probe_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gempool/common/notification.h"
#include "gempool/testing/httplib_server.h"
#include "gempool/testing/subprocess.h"
#include "gempool/testing/test_proxies.h"

namespace gempool::keybroker {
namespace {

using ::testing::HasSubstr;

constexpr char kGeneratePath[] = "/v1beta/models/m:generateContent";

class HttplibProbeTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Post(kGeneratePath, [this](const httplib::Request& req, httplib::Response& res) {
      key_ = req.get_header_value("x-goog-api-key");
      team_ = req.get_header_value("X-Team");
      body_ = req.body;
      res.status = 429;
      res.set_header("Retry-After", "17");
      res.set_content(R"({"error":{"code":429}})", "application/json");
    });
    server_.Post("/hang", [this](const httplib::Request&, httplib::Response& res) {
      hanging_.Notify();
      release_.WaitForNotificationWithTimeout(absl::Seconds(30));
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    ASSERT_TRUE(gempool::testing::StartListening(server_, &thread_));
  }
  void TearDown() override {
    if (!release_.HasBeenNotified()) release_.Notify();
    server_.stop();
    thread_.join();
  }

  ProbeHttpRequest Request(const std::string& path, int timeout_seconds = 10) const {
    ProbeHttpRequest request;
    request.scheme_host_port = absl::StrCat("http://127.0.0.1:", port_);
    request.path = path;
    request.headers = {{"x-goog-api-key", "AIzaSyTransportTest"}, {"X-Team", "blue"},
                       {"Content-Type", "application/json"}};
    request.body = R"({"contents":[]})";
    request.timeout_seconds = timeout_seconds;
    return request;
  }
  // Request(path, timeout_seconds) through `proxy` ("" for none).
  ProbeHttpRequest RequestVia(const std::string& proxy, const std::string& path = kGeneratePath,
                              int timeout_seconds = 10) const {
    ProbeHttpRequest request = Request(path, timeout_seconds);
    request.proxy = proxy;
    return request;
  }

  // The response is the server's answer to a generateContent probe, which
  // arrived as sent.
  void ExpectTheServersAnswer(const ProbeHttpResponse& response) {
    ASSERT_TRUE(response.responded) << response.detail;
    EXPECT_EQ(response.status, 429);
    EXPECT_EQ(response.body, R"({"error":{"code":429}})");
    EXPECT_EQ(response.retry_after, "17");
    EXPECT_EQ(key_, "AIzaSyTransportTest");
    EXPECT_EQ(team_, "blue");
    EXPECT_EQ(body_, R"({"contents":[]})");
  }

  // A probe (through `proxy`, if any) hangs at the server until CancelAll()
  // ends it; after that the transport refuses probes without sending them.
  void ExpectCancelAllEndsTheProbeAndRefusesNewOnes(const std::string& proxy) {
    HttplibProbeTransport transport;
    ProbeHttpResponse response;
    std::thread probe([&] { response = transport.Post(RequestVia(proxy, "/hang", /*timeout_seconds=*/30)); });
    ASSERT_TRUE(hanging_.WaitForNotificationWithTimeout(absl::Seconds(10)));
    transport.CancelAll();
    probe.join();
    EXPECT_FALSE(response.responded);
    EXPECT_THAT(response.detail, HasSubstr("stopping"));
    EXPECT_FALSE(transport.Post(RequestVia(proxy)).responded);
    EXPECT_TRUE(key_.empty()) << "nothing was sent after CancelAll";
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::string key_, team_, body_;
  Notification hanging_;
  Notification release_;
};

TEST_F(HttplibProbeTransportTest, PostsTheRequestAndReturnsTheAnswer) {
  HttplibProbeTransport transport;
  ExpectTheServersAnswer(transport.Post(Request(kGeneratePath)));
}

TEST_F(HttplibProbeTransportTest, NothingListeningIsAConnectionFailure) {
  HttplibProbeTransport transport;
  ProbeHttpRequest request = Request("/x");
  request.scheme_host_port = absl::StrCat("http://127.0.0.1:", gempool::testing::FreePort());
  ProbeHttpResponse response = transport.Post(request);
  EXPECT_FALSE(response.responded);
  EXPECT_EQ(response.failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(response.detail, HasSubstr("could not connect"));
}

TEST_F(HttplibProbeTransportTest, NoAnswerWithinTimeOutIsATimeout) {
  HttplibProbeTransport transport;
  ProbeHttpResponse response = transport.Post(Request("/hang", /*timeout_seconds=*/1));
  EXPECT_FALSE(response.responded);
  EXPECT_EQ(response.failure, gemini::TransportFailure::kTimeout);
  EXPECT_THAT(response.detail, HasSubstr("TIME_OUT"));
}

TEST_F(HttplibProbeTransportTest, CancelAllEndsProbesInFlightAndRefusesNewOnes) {
  ExpectCancelAllEndsTheProbeAndRefusesNewOnes(/*proxy=*/"");
}

TEST_F(HttplibProbeTransportTest, AnUnusableProxyFailsWithTheReason) {
  HttplibProbeTransport transport;
  ProbeHttpResponse response = transport.Post(RequestVia("socks4://127.0.0.1:1080"));
  EXPECT_FALSE(response.responded);
  EXPECT_THAT(response.detail, HasSubstr("socks5h://"));
}

TEST_F(HttplibProbeTransportTest, ProbesThroughAnHttpProxy) {
  gempool::testing::TestHttpProxy proxy({"user", "pw"});
  HttplibProbeTransport transport;
  ExpectTheServersAnswer(transport.Post(RequestVia(proxy.Url())));
  EXPECT_EQ(proxy.forwarded(), 1);
}

TEST_F(HttplibProbeTransportTest, ProbesThroughASocks5Proxy) {
  gempool::testing::TestSocks5Proxy proxy({"alice", "s3cret"});
  HttplibProbeTransport transport;
  ExpectTheServersAnswer(transport.Post(RequestVia(proxy.Url(/*remote_dns=*/true))));
  EXPECT_EQ(proxy.tunnels(), 1);
}

TEST_F(HttplibProbeTransportTest, ASocks5ProxyRefusingTheCredentialsIsAConnectionFailure) {
  gempool::testing::TestSocks5Proxy proxy({"alice", "s3cret"});
  HttplibProbeTransport transport;
  ProbeHttpResponse response = transport.Post(RequestVia(proxy.UrlWith("alice", "wrong")));
  EXPECT_FALSE(response.responded);
  EXPECT_EQ(response.failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(response.detail, HasSubstr("refused the credentials"));
  EXPECT_TRUE(key_.empty());
}

TEST_F(HttplibProbeTransportTest, CancelAllEndsSocks5ProbesInFlightAndRefusesNewOnes) {
  gempool::testing::TestSocks5Proxy proxy;
  ExpectCancelAllEndsTheProbeAndRefusesNewOnes(proxy.Url());
}

}  // namespace
}  // namespace gempool::keybroker
