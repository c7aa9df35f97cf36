#include "proxy_handshake.h"

#include <arpa/inet.h>

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace gempool::upstream {
namespace {

constexpr char kSocksVersion = 0x05;
constexpr char kPasswordVersion = 0x01;
constexpr unsigned char kMethodNoAuth = 0x00;
constexpr unsigned char kMethodPassword = 0x02;
constexpr unsigned char kMethodNoneAcceptable = 0xFF;
constexpr char kCommandConnect = 0x01;
constexpr unsigned char kAtypIpv4 = 0x01;
constexpr unsigned char kAtypDomain = 0x03;
constexpr unsigned char kAtypIpv6 = 0x04;

unsigned char Byte(absl::string_view s, size_t i) { return static_cast<unsigned char>(s[i]); }

std::string HostPort(absl::string_view host, int port) {
  const bool ipv6 = host.find(':') != absl::string_view::npos;
  return absl::StrCat(ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port);
}

// RFC 1928 section 6.
const char* Socks5ReplyText(unsigned char code) {
  switch (code) {
    case 1: return "general SOCKS server failure";
    case 2: return "connection not allowed by ruleset";
    case 3: return "network unreachable";
    case 4: return "host unreachable";
    case 5: return "connection refused";
    case 6: return "TTL expired";
    case 7: return "command not supported";
    case 8: return "address type not supported";
    default: return "unknown error";
  }
}

void AppendPort(std::string& out, int port) {
  out.push_back(static_cast<char>((port >> 8) & 0xFF));
  out.push_back(static_cast<char>(port & 0xFF));
}

}  // namespace

std::string ProxyBasicCredentials(absl::string_view username, absl::string_view password) {
  return absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(username, ":", password)));
}

std::string HttpConnectRequest(absl::string_view host, int port, absl::string_view username,
                               absl::string_view password) {
  const std::string authority = HostPort(host, port);
  std::string out = absl::StrCat("CONNECT ", authority, " HTTP/1.1\r\nHost: ", authority, "\r\n");
  if (!username.empty()) {
    absl::StrAppend(&out, "Proxy-Authorization: ", ProxyBasicCredentials(username, password), "\r\n");
  }
  absl::StrAppend(&out, "\r\n");
  return out;
}

absl::Status ParseHttpConnectResponse(absl::string_view head, bool sent_credentials) {
  absl::string_view line = head.substr(0, head.find("\r\n"));
  absl::string_view rest = line;
  int status = 0;
  if (!absl::ConsumePrefix(&rest, "HTTP/1.") || rest.size() < 5 || rest[1] != ' ' ||
      !absl::SimpleAtoi(rest.substr(2, 3), &status)) {
    return absl::InternalError(absl::StrCat("the HTTP proxy answered CONNECT with something that is not HTTP: '",
                                            absl::CHexEscape(line.substr(0, 80)), "'"));
  }
  if (status >= 200 && status < 300) return absl::OkStatus();
  const absl::string_view status_text = absl::StripAsciiWhitespace(rest.substr(2));
  if (status == 407) {
    return absl::UnavailableError(absl::StrCat(
        sent_credentials ? "the HTTP proxy refused the credentials ("
                         : "the HTTP proxy requires a username and password (",
        status_text, ")"));
  }
  return absl::UnavailableError(absl::StrCat("the HTTP proxy refused the tunnel (", status_text, ")"));
}

std::string Socks5Greeting(bool offer_password) {
  std::string out;
  out.push_back(kSocksVersion);
  out.push_back(static_cast<char>(offer_password ? 2 : 1));
  out.push_back(static_cast<char>(kMethodNoAuth));
  if (offer_password) out.push_back(static_cast<char>(kMethodPassword));
  return out;
}

absl::StatusOr<Socks5Method> ParseSocks5MethodChoice(absl::string_view reply, bool offered_password) {
  if (reply.size() != 2 || reply[0] != kSocksVersion) {
    return absl::InternalError(absl::StrCat("the proxy does not speak SOCKS5 (greeting answered with '",
                                            absl::BytesToHexString(reply), "')"));
  }
  const unsigned char method = Byte(reply, 1);
  if (method == kMethodNoAuth) return Socks5Method::kNoAuth;
  if (method == kMethodPassword && offered_password) return Socks5Method::kPassword;
  if (method == kMethodNoneAcceptable) {
    return absl::UnavailableError(offered_password
                                      ? "the SOCKS5 proxy accepts none of the offered authentication methods "
                                        "(none, username/password)"
                                      : "the SOCKS5 proxy requires authentication: put a username and password "
                                        "in the proxy URL");
  }
  return absl::InternalError(
      absl::StrFormat("the SOCKS5 proxy chose authentication method 0x%02x, which was not offered", method));
}

absl::StatusOr<std::string> Socks5PasswordRequest(absl::string_view username, absl::string_view password) {
  if (username.empty() || username.size() > 255 || password.size() > 255) {
    return absl::InvalidArgumentError("SOCKS5 usernames and passwords must be 1 to 255 bytes (RFC 1929)");
  }
  std::string out;
  out.push_back(kPasswordVersion);
  out.push_back(static_cast<char>(username.size()));
  out.append(username.data(), username.size());
  out.push_back(static_cast<char>(password.size()));
  out.append(password.data(), password.size());
  return out;
}

absl::Status ParseSocks5PasswordReply(absl::string_view reply) {
  if (reply.size() != 2) {
    return absl::InternalError("the SOCKS5 proxy sent a malformed authentication reply");
  }
  // RFC 1929 says VER is 0x01; some proxies echo 0x05. Only STATUS matters.
  if (reply[1] != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("the SOCKS5 proxy refused the credentials (status ", static_cast<int>(Byte(reply, 1)), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Socks5ConnectRequest(absl::string_view host, int port) {
  if (port < 1 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port ", port, " is not in 1..65535"));
  }
  std::string out;
  out.push_back(kSocksVersion);
  out.push_back(kCommandConnect);
  out.push_back(0x00);  // Reserved.
  const std::string host_text(host);
  unsigned char ip[16];
  if (inet_pton(AF_INET, host_text.c_str(), ip) == 1) {
    out.push_back(static_cast<char>(kAtypIpv4));
    out.append(reinterpret_cast<const char*>(ip), 4);
  } else if (inet_pton(AF_INET6, host_text.c_str(), ip) == 1) {
    out.push_back(static_cast<char>(kAtypIpv6));
    out.append(reinterpret_cast<const char*>(ip), 16);
  } else {
    if (host.empty() || host.size() > 255) {
      return absl::InvalidArgumentError(
          absl::StrCat("host name '", host, "' cannot go to a SOCKS5 proxy (1 to 255 bytes)"));
    }
    out.push_back(static_cast<char>(kAtypDomain));
    out.push_back(static_cast<char>(host.size()));
    out.append(host.data(), host.size());
  }
  AppendPort(out, port);
  return out;
}

absl::StatusOr<size_t> Socks5ConnectReplySize(absl::string_view prefix) {
  if (prefix.size() < kSocks5ReplyPrefixSize || prefix[0] != kSocksVersion) {
    return absl::InternalError("the SOCKS5 proxy sent a malformed CONNECT reply");
  }
  // VER REP RSV ATYP, the address, then 2 port bytes.
  switch (Byte(prefix, 3)) {
    case kAtypIpv4: return 4 + 4 + 2;
    case kAtypIpv6: return 4 + 16 + 2;
    case kAtypDomain: return 4 + 1 + Byte(prefix, 4) + 2;
    default:
      // A refusal may carry a garbage address type; the code is what matters.
      if (prefix[1] != 0) return kSocks5ReplyPrefixSize;
      return absl::InternalError(
          absl::StrFormat("the SOCKS5 proxy answered with unknown address type 0x%02x", Byte(prefix, 3)));
  }
}

absl::Status ParseSocks5ConnectReply(absl::string_view reply) {
  if (reply.size() < kSocks5ReplyPrefixSize || reply[0] != kSocksVersion) {
    return absl::InternalError("the SOCKS5 proxy sent a malformed CONNECT reply");
  }
  const unsigned char code = Byte(reply, 1);
  if (code == 0) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrCat("SOCKS5 proxy refused the connection: ", Socks5ReplyText(code), " (reply ", static_cast<int>(code), ")"));
}

}  // namespace gempool::upstream
