// The wire form of an upstream request.

#include "request_bytes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::upstream {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

gemini::BaseUrl Target(const char* url) {
  auto target = gemini::ParseBaseUrl(url);
  EXPECT_TRUE(target.ok()) << target.status();
  return *target;
}

UpstreamRequest Post(std::string path, std::string body) {
  UpstreamRequest request;
  request.method = "POST";
  request.path_and_query = std::move(path);
  request.headers = {{"x-goog-api-key", "AIzaSyK"}, {"content-length", "999"}, {"Content-Type", "application/json"}};
  request.body = std::move(body);
  return request;
}

TEST(BuildRequestBytesTest, OriginFormWithHostAndLength) {
  auto bytes = BuildRequestBytes(Post("/v1beta/models/m:generateContent?alt=sse", "{}"),
                                 Target("https://generativelanguage.googleapis.com:443"), nullptr);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes,
            "POST /v1beta/models/m:generateContent?alt=sse HTTP/1.1\r\n"
            "Host: generativelanguage.googleapis.com\r\n"
            "x-goog-api-key: AIzaSyK\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\n\r\n{}");
}

TEST(BuildRequestBytesTest, NonDefaultPortAndIpv6InHostAndNoLengthForABodylessGet) {
  UpstreamRequest get;
  get.method = "GET";
  get.path_and_query = "/v1beta/models";
  EXPECT_EQ(*BuildRequestBytes(get, Target("http://[::1]:8080"), nullptr),
            "GET /v1beta/models HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
}

TEST(BuildRequestBytesTest, AbsoluteFormWithProxyCredentials) {
  gemini::ProxyUrl proxy;
  proxy.scheme = "http";
  proxy.username = "user";
  proxy.password = "p@ss";
  UpstreamRequest get;
  get.method = "GET";
  get.path_and_query = "/x?y=%2F";
  EXPECT_EQ(*BuildRequestBytes(get, Target("http://127.0.0.1:9000"), &proxy),
            "GET http://127.0.0.1:9000/x?y=%2F HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n"
            "Proxy-Authorization: Basic dXNlcjpwQHNz\r\n\r\n");
}

TEST(BuildRequestBytesTest, RejectsWhatWouldBreakTheFraming) {
  const gemini::BaseUrl target = Target("http://h:80");
  UpstreamRequest request = Post("/ok", "");
  request.headers.emplace_back("X-A", "1\r\nX-B: 2");
  EXPECT_THAT(BuildRequestBytes(request, target, nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("X-A")));
  EXPECT_THAT(BuildRequestBytes(Post("/a b", ""), target, nullptr), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BuildRequestBytes(Post("no-slash", ""), target, nullptr), StatusIs(absl::StatusCode::kInvalidArgument));
  UpstreamRequest bad_method = Post("/", "");
  bad_method.method = "GE T";
  EXPECT_THAT(BuildRequestBytes(bad_method, target, nullptr), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace gempool::upstream
