// UpstreamClient over HTTPS against a loopback TLS server with a certificate
// made at test start: verification against Options::ca_cert_file, host name
// checks, SNI, keep-alive, and CONNECT / SOCKS5 tunnels carrying TLS.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "call_watcher.h"
#include "gempool/testing/test_proxies.h"
#include "gempool/upstream/upstream_client.h"
#include "test_certificate.h"
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
using testing::TestCertificate;
using testing::TestHttpServer;

constexpr char kTlsAnswer[] = R"({"candidates":[]})";

class UpstreamTlsTest : public ::testing::Test {
 protected:
  UpstreamTlsTest()
      : certificate_("gempool test server", "DNS:localhost,IP:127.0.0.1"),
        server_context_(certificate_.ServerContext()),
        server_(AnswerWith(HttpResponse(200, "application/json", kTlsAnswer)), server_context_.get()) {}

  std::unique_ptr<UpstreamClient> ClientTrusting(const std::string& ca_file) {
    UpstreamClient::Options options;
    options.timeout_seconds = 10;
    options.ca_cert_file = ca_file;
    return std::make_unique<UpstreamClient>(loop_.io(), options);
  }

  UpstreamResult Call(UpstreamClient& client, const std::string& host = "127.0.0.1", const std::string& proxy = "") {
    UpstreamRequest request = MakeRequest(server_.SchemeHostPort(host));
    request.proxy = proxy;
    CallWatcher watcher;
    EXPECT_TRUE(watcher.StartAndWait(client, request));
    body_ = watcher.body();
    return watcher.result();
  }

  testing::LoopThread loop_;
  TestCertificate certificate_;
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> server_context_;
  std::string body_;
  TestHttpServer server_;
};

TEST_F(UpstreamTlsTest, VerifiesTheServerAgainstTheCaFileAndKeepsTheConnection) {
  auto client = ClientTrusting(certificate_.WriteCaFile("tls_ok"));
  for (int i = 0; i < 2; ++i) {
    const UpstreamResult result = Call(*client);
    EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
    EXPECT_EQ(body_, kTlsAnswer);
  }
  EXPECT_EQ(server_.connections(), 1);
  EXPECT_EQ(server_.last_request().sni, "") << "no SNI for an IP address (RFC 6066)";
}

TEST_F(UpstreamTlsTest, SendsTheHostNameAsSni) {
  auto client = ClientTrusting(certificate_.WriteCaFile("tls_sni"));
  const UpstreamResult result = Call(*client, "localhost");
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  EXPECT_EQ(server_.last_request().sni, "localhost");
}

TEST_F(UpstreamTlsTest, ACertificateFromAnotherCaFailsVerification) {
  TestCertificate other("someone else", "DNS:localhost,IP:127.0.0.1");
  auto client = ClientTrusting(other.WriteCaFile("tls_other_ca"));
  const UpstreamResult result = Call(*client);
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(result.failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(result.detail, HasSubstr("certificate verification failed"));
  EXPECT_EQ(server_.requests(), 0);
}

TEST_F(UpstreamTlsTest, ACertificateForAnotherHostFailsVerification) {
  TestCertificate wrong_host("wrong host", "DNS:example.com");
  auto context = wrong_host.ServerContext();
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kTlsAnswer)), context.get());
  auto client = ClientTrusting(wrong_host.WriteCaFile("tls_wrong_host"));
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(*client, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kFailed);
  EXPECT_THAT(watcher.result().detail, HasSubstr("certificate verification failed"));
  EXPECT_THAT(watcher.result().detail, HasSubstr("mismatch"));
}

TEST_F(UpstreamTlsTest, AMissingCaFileFailsHttpsCallsSayingSo) {
  auto client = ClientTrusting(::testing::TempDir() + "no-such-ca.pem");
  const UpstreamResult result = Call(*client);
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kFailed);
  EXPECT_THAT(result.detail, HasSubstr("could not load the CA certificates"));
}

TEST_F(UpstreamTlsTest, HttpsThroughAnHttpProxyUsesConnect) {
  TestHttpProxy proxy(TestProxyOptions{"user", "pw"});
  auto client = ClientTrusting(certificate_.WriteCaFile("tls_connect"));
  const UpstreamResult result = Call(*client, "localhost", proxy.Url());
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  EXPECT_EQ(body_, kTlsAnswer);
  EXPECT_EQ(proxy.tunnels(), 1);
  EXPECT_EQ(proxy.last_target(), absl::StrCat("localhost:", server_.port()));
  EXPECT_EQ(server_.last_request().sni, "localhost");
}

TEST_F(UpstreamTlsTest, AnHttpProxyRefusingTheCredentialsFailsTheCall) {
  TestHttpProxy proxy(TestProxyOptions{"user", "pw"});
  auto client = ClientTrusting(certificate_.WriteCaFile("tls_connect_refused"));
  const UpstreamResult result = Call(*client, "127.0.0.1", proxy.UrlWith("user", "nope"));
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(result.failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(result.detail, HasSubstr("HTTP proxy refused the credentials (407"));
  EXPECT_EQ(proxy.refused(), 1);
}

TEST_F(UpstreamTlsTest, HttpsThroughSocks5) {
  TestSocks5Proxy proxy(TestProxyOptions{"alice", "s3cret"});
  auto client = ClientTrusting(certificate_.WriteCaFile("tls_socks"));
  const UpstreamResult result = Call(*client, "localhost", proxy.Url(/*remote_dns=*/true));
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  EXPECT_EQ(proxy.tunnels(), 1);
  EXPECT_EQ(proxy.last_address_type(), 3);
}

}  // namespace
}  // namespace gempool::upstream
