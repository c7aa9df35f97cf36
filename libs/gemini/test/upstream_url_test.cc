#include "gempool/gemini/upstream_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::gemini {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

Route MustParse(const char* verb, const char* path) {
  auto route = ParseRoute(verb, path);
  EXPECT_TRUE(route.ok()) << route.status();
  return *route;
}

TEST(ParseBaseUrlTest, GoogleDefault) {
  auto base = ParseBaseUrl("https://generativelanguage.googleapis.com/v1beta");
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(base->scheme, "https");
  EXPECT_EQ(base->host, "generativelanguage.googleapis.com");
  EXPECT_EQ(base->port, 443);
  EXPECT_EQ(base->path, "");
  EXPECT_EQ(base->version, "v1beta");
  EXPECT_EQ(base->SchemeHostPort(), "https://generativelanguage.googleapis.com:443");
}

TEST(ParseBaseUrlTest, LoopbackWithPortPrefixAndNoVersion) {
  auto base = ParseBaseUrl("http://127.0.0.1:9000/proxy/google/");
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(base->port, 9000);
  EXPECT_EQ(base->path, "/proxy/google");
  EXPECT_EQ(base->version, "");
  EXPECT_EQ(base->SchemeHostPort(), "http://127.0.0.1:9000");
  auto v6 = ParseBaseUrl("http://[::1]:8080/v1");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->SchemeHostPort(), "http://[::1]:8080");
  EXPECT_EQ(v6->version, "v1");
}

TEST(ParseBaseUrlTest, RejectsBadUrls) {
  EXPECT_THAT(ParseBaseUrl("ftp://x/v1beta"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("BASE_URL")));
  EXPECT_THAT(ParseBaseUrl("http://x:99999/v1beta"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("99999")));
  EXPECT_THAT(ParseBaseUrl("http:///v1beta"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBaseUrl("http://x/v1beta?key=1"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// Hosts and paths that would reach the Host header or the request line as
// written, and credentials shown in errors (the upstream URL fuzzer,
// tests/fuzz/gemini_upstream_url).
TEST(ParseBaseUrlTest, RefusesWhatIsNotAHostPortOrPath) {
  for (const char* url : {"http://a b/v1beta", "http://[::1]junk/v1beta", "http://[zz]/v1beta", "http://h:+80/v1beta",
                          "http://h: 80/v1beta", "http://a:b:80/v1beta", "http://h\r\nX: y/v1beta",
                          "http://h/a b/v1beta", "http://h/p\x01/v1beta", "http://h:000443/v1beta"}) {
    EXPECT_THAT(ParseBaseUrl(url), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("BASE_URL"))) << url;
  }
  EXPECT_EQ(ParseBaseUrl("http://gempool_fake-gemini.internal:9000/v1beta")->host, "gempool_fake-gemini.internal");
  EXPECT_EQ(ParseBaseUrl("http://[::ffff:127.0.0.1]:80")->host, "::ffff:127.0.0.1");
}

TEST(ParseBaseUrlTest, NoSlashLeftBeforeTheVersion) {
  auto base = ParseBaseUrl("http://127.0.0.1:9000/prefix//v1beta");
  ASSERT_TRUE(base.ok()) << base.status();
  EXPECT_EQ(base->path, "/prefix");
  EXPECT_EQ(base->version, "v1beta");
}

TEST(ParseBaseUrlTest, ErrorsMaskCredentials) {
  EXPECT_THAT(ParseBaseUrl("https://user:secretpw@h/v1beta"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("credentials"), HasSubstr("https://***@h/v1beta"), Not(HasSubstr("secretpw")))));
}

TEST(BuildUpstreamTargetTest, ClientVersionReplacesBaseVersion) {
  auto base = ParseBaseUrl("https://generativelanguage.googleapis.com/v1beta");
  ASSERT_TRUE(base.ok());
  UpstreamTarget t = BuildUpstreamTarget(*base, MustParse("POST", "/v1/models/g:generateContent"), "");
  EXPECT_EQ(t.scheme_host_port, "https://generativelanguage.googleapis.com:443");
  EXPECT_EQ(t.path_and_query, "/v1/models/g:generateContent");
}

TEST(BuildUpstreamTargetTest, PrefixDroppedQueryKeptMinusKey) {
  auto base = ParseBaseUrl("http://127.0.0.1:9000/v1beta");
  ASSERT_TRUE(base.ok());
  UpstreamTarget t = BuildUpstreamTarget(
      *base, MustParse("POST", "/gemini/v1beta/models/g:streamGenerateContent"), "key=sk-1&alt=sse");
  EXPECT_EQ(t.scheme_host_port, "http://127.0.0.1:9000");
  EXPECT_EQ(t.path_and_query, "/v1beta/models/g:streamGenerateContent?alt=sse");
  UpstreamTarget list = BuildUpstreamTarget(*base, MustParse("GET", "/v1beta/models"),
                                            "pageSize=50&pageToken=abc%3D&key=sk");
  EXPECT_EQ(list.path_and_query, "/v1beta/models?pageSize=50&pageToken=abc%3D");
}

TEST(BuildUpstreamTargetTest, BaseWithoutVersionGetsClientVersionAppended) {
  auto base = ParseBaseUrl("https://gw.example.com/acct/google-ai-studio");
  ASSERT_TRUE(base.ok());
  UpstreamTarget t = BuildUpstreamTarget(*base, MustParse("GET", "/v1beta/models/m"), "");
  EXPECT_EQ(t.path_and_query, "/acct/google-ai-studio/v1beta/models/m");
  auto with_version = ParseBaseUrl("https://gw.example.com/acct/google-ai-studio/v1beta");
  ASSERT_TRUE(with_version.ok());
  EXPECT_EQ(BuildUpstreamTarget(*with_version, MustParse("GET", "/v1/models/m"), "").path_and_query,
            "/acct/google-ai-studio/v1/models/m");
}

TEST(ParseProxyUrlTest, HostPortAndCredentials) {
  auto p = ParseProxyUrl("http://user:p%40ss@proxy.local:3128");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->host, "proxy.local");
  EXPECT_EQ(p->port, 3128);
  EXPECT_EQ(p->username, "user");
  EXPECT_EQ(p->password, "p@ss");
  EXPECT_EQ(p->scheme, "http");
  auto bare = ParseProxyUrl("http://10.0.0.1");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->username, "");
}

TEST(ParseProxyUrlTest, HttpsProxyIsAPlainHttpProxyOnPort443) {
  auto p = ParseProxyUrl("https://proxy.local");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->scheme, "http");
  EXPECT_EQ(p->port, 443);
  EXPECT_FALSE(p->IsSocks5());
}

TEST(ParseProxyUrlTest, Socks5AndSocks5hWithDefaultPortAndCredentials) {
  auto socks = ParseProxyUrl("socks5://127.0.0.1");
  ASSERT_TRUE(socks.ok()) << socks.status();
  EXPECT_EQ(socks->scheme, "socks5");
  EXPECT_EQ(socks->host, "127.0.0.1");
  EXPECT_EQ(socks->port, 1080);
  EXPECT_TRUE(socks->IsSocks5());
  auto remote_dns = ParseProxyUrl("socks5h://us%3Aer:pw@[::1]:9050");
  ASSERT_TRUE(remote_dns.ok()) << remote_dns.status();
  EXPECT_EQ(remote_dns->scheme, "socks5h");
  EXPECT_EQ(remote_dns->host, "::1");
  EXPECT_EQ(remote_dns->port, 9050);
  EXPECT_EQ(remote_dns->username, "us:er");
  EXPECT_EQ(remote_dns->password, "pw");
  EXPECT_EQ(ParseProxyUrl("http://h:8080")->scheme, "http");
}

TEST(ParseProxyUrlTest, RejectsOtherSchemesListingTheAcceptedOnesAndBadPorts) {
  EXPECT_THAT(ParseProxyUrl("socks4://127.0.0.1:1080"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("http://"), HasSubstr("https://"), HasSubstr("socks5://"),
                             HasSubstr("socks5h://"))));
  EXPECT_THAT(ParseProxyUrl("127.0.0.1:3128"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseProxyUrl("http://h:x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseProxyUrl("socks5://h:70000"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ParseProxyUrlTest, APasswordWithAnUnescapedSlashIsReadAndNeverShown) {
  auto proxy = ParseProxyUrl("http://user:pa/ss@proxy:3128");
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  EXPECT_EQ(proxy->host, "proxy");
  EXPECT_EQ(proxy->password, "pa/ss");
  EXPECT_THAT(ParseProxyUrl("http://user:secret/pw@proxy:99999"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("99999"), Not(HasSubstr("secret")))));
  EXPECT_THAT(ParseProxyUrl("ftp://user:secret/pw@proxy"),
              StatusIs(absl::StatusCode::kInvalidArgument, Not(HasSubstr("secret"))));
}

TEST(ParseProxyUrlTest, ErrorsMaskTheCredentials) {
  EXPECT_THAT(ParseProxyUrl("socks4://user:secretpw@h:1080"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("socks4://***@h:1080"), Not(HasSubstr("secretpw")))));
  EXPECT_THAT(ParseProxyUrl("http://user:secretpw@h:99999"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("99999"), Not(HasSubstr("secretpw")))));
}

}  // namespace
}  // namespace gempool::gemini
