// The proxy handshake bytes, both ways, without sockets.

#include "proxy_handshake.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gempool/testing/status_matchers.h"

namespace gempool::upstream {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(HttpConnectTest, RequestNamesTheTargetAndCarriesBasicCredentials) {
  EXPECT_EQ(HttpConnectRequest("generativelanguage.googleapis.com", 443, "", ""),
            "CONNECT generativelanguage.googleapis.com:443 HTTP/1.1\r\n"
            "Host: generativelanguage.googleapis.com:443\r\n\r\n");
  EXPECT_EQ(HttpConnectRequest("::1", 8443, "user", "p@ss"),
            "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n"
            "Proxy-Authorization: Basic dXNlcjpwQHNz\r\n\r\n");
}

TEST(HttpConnectTest, ResponseStatusDecides) {
  EXPECT_THAT(ParseHttpConnectResponse("HTTP/1.1 200 Connection established\r\n\r\n", false), IsOk());
  EXPECT_THAT(ParseHttpConnectResponse("HTTP/1.0 200 OK\r\nVia: x\r\n\r\n", false), IsOk());
  EXPECT_THAT(ParseHttpConnectResponse("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", true),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("refused the credentials")));
  EXPECT_THAT(ParseHttpConnectResponse("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", false),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("requires a username and password")));
  EXPECT_THAT(ParseHttpConnectResponse("HTTP/1.1 403 Forbidden\r\n\r\n", false),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("403 Forbidden")));
  EXPECT_THAT(ParseHttpConnectResponse("\x05\x00garbage\r\n\r\n", false),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("not HTTP")));
}

TEST(Socks5Test, GreetingOffersPasswordOnlyWithCredentials) {
  EXPECT_EQ(Socks5Greeting(false), Bytes({5, 1, 0}));
  EXPECT_EQ(Socks5Greeting(true), Bytes({5, 2, 0, 2}));
}

TEST(Socks5Test, MethodChoice) {
  EXPECT_EQ(*ParseSocks5MethodChoice(Bytes({5, 0}), false), Socks5Method::kNoAuth);
  EXPECT_EQ(*ParseSocks5MethodChoice(Bytes({5, 2}), true), Socks5Method::kPassword);
  EXPECT_THAT(ParseSocks5MethodChoice(Bytes({5, 0xFF}), false),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("requires authentication")));
  EXPECT_THAT(ParseSocks5MethodChoice(Bytes({5, 0xFF}), true),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("none of the offered")));
  EXPECT_THAT(ParseSocks5MethodChoice(Bytes({5, 2}), false),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("not offered")));
  EXPECT_THAT(ParseSocks5MethodChoice("HT", false), StatusIs(absl::StatusCode::kInternal, HasSubstr("SOCKS5")));
}

TEST(Socks5Test, PasswordRequestAndReply) {
  EXPECT_EQ(*Socks5PasswordRequest("bob", "pw"), Bytes({1, 3, 'b', 'o', 'b', 2, 'p', 'w'}));
  EXPECT_THAT(Socks5PasswordRequest(std::string(256, 'u'), "pw"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Socks5PasswordRequest("", "pw"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSocks5PasswordReply(Bytes({1, 0})), IsOk());
  EXPECT_THAT(ParseSocks5PasswordReply(Bytes({1, 1})),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("refused the credentials")));
  EXPECT_THAT(ParseSocks5PasswordReply(Bytes({1})), StatusIs(absl::StatusCode::kInternal));
}

TEST(Socks5Test, ConnectRequestAddressForms) {
  EXPECT_EQ(*Socks5ConnectRequest("127.0.0.1", 443), Bytes({5, 1, 0, 1, 127, 0, 0, 1, 0x01, 0xBB}));
  EXPECT_EQ(*Socks5ConnectRequest("::1", 80),
            Bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80}));
  // Names go to the proxy to resolve (ATYP 3), for socks5:// and socks5h:// alike.
  EXPECT_EQ(*Socks5ConnectRequest("example.com", 8080),
            Bytes({5, 1, 0, 3, 11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm', 0x1F, 0x90}));
  EXPECT_THAT(Socks5ConnectRequest(std::string(256, 'h'), 443), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Socks5ConnectRequest("h", 0), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Socks5Test, ConnectReplySizeByAddressType) {
  EXPECT_EQ(*Socks5ConnectReplySize(Bytes({5, 0, 0, 1, 127})), 10u);
  EXPECT_EQ(*Socks5ConnectReplySize(Bytes({5, 0, 0, 4, 0})), 22u);
  EXPECT_EQ(*Socks5ConnectReplySize(Bytes({5, 0, 0, 3, 9})), 16u);
  EXPECT_EQ(*Socks5ConnectReplySize(Bytes({5, 5, 0, 0, 0})), kSocks5ReplyPrefixSize) << "a refusal is final";
  EXPECT_THAT(Socks5ConnectReplySize(Bytes({5, 0, 0, 9, 0})), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(Socks5ConnectReplySize(Bytes({4, 0, 0, 1, 0})), StatusIs(absl::StatusCode::kInternal));
}

TEST(Socks5Test, ConnectReplyNamesTheRefusal) {
  EXPECT_THAT(ParseSocks5ConnectReply(Bytes({5, 0, 0, 1, 0, 0, 0, 0, 0, 0})), IsOk());
  EXPECT_THAT(ParseSocks5ConnectReply(Bytes({5, 5, 0, 1, 0, 0, 0, 0, 0, 0})),
              StatusIs(absl::StatusCode::kUnavailable,
                       HasSubstr("SOCKS5 proxy refused the connection: connection refused (reply 5)")));
  EXPECT_THAT(ParseSocks5ConnectReply(Bytes({5, 2, 0, 1, 0, 0, 0, 0, 0, 0})),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("not allowed by ruleset (reply 2)")));
  EXPECT_THAT(ParseSocks5ConnectReply(Bytes({5, 42, 0, 1, 0})),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("(reply 42)")));
}

}  // namespace
}  // namespace gempool::upstream
