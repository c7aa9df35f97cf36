#include "gempool/gemini/upstream_url.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gempool/gemini/url.h"

namespace gempool::gemini {
namespace {

// "v1", "v1beta", "v1alpha", "v1beta3", "v2": Google's version segments.
bool IsVersionSegment(absl::string_view s) {
  if (!absl::ConsumePrefix(&s, "v")) return false;
  size_t digits = 0;
  while (digits < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[digits]))) {
    ++digits;
  }
  if (digits == 0) return false;
  s.remove_prefix(digits);
  if (s.empty()) return true;
  if (!absl::ConsumePrefix(&s, "alpha") && !absl::ConsumePrefix(&s, "beta")) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

struct Authority {
  std::string userinfo;
  std::string host;
  int port = 0;
};

// A host name or IPv4 address as URLs carry it: letters, digits and "-._~".
bool IsHostName(absl::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~';
  });
}

// The inside of "[...]": hex digits, ':' and '.' (an IPv4 tail), with a ':'.
bool IsIpv6Address(absl::string_view host) {
  return host.find(':') != absl::string_view::npos && std::all_of(host.begin(), host.end(), [](char c) {
    return absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
  });
}

// Splits "[userinfo@]host[:port]" (userinfo up to the last '@'); `what`
// names the setting in errors, `url` is the URL as errors may show it.
absl::StatusOr<Authority> ParseAuthority(absl::string_view authority, int default_port,
                                         absl::string_view what, absl::string_view url) {
  Authority out;
  const size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    out.userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  const auto invalid = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(what, "='", url, "' is not valid: ", why));
  };
  absl::string_view port_text;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return invalid("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    if (!IsIpv6Address(out.host)) return invalid("what is between [ and ] is not an IPv6 address");
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) {
      return invalid("only :port may follow an IPv6 address in brackets");
    }
    port_text = after;
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) port_text = authority.substr(colon + 1);
    if (out.host.empty()) return invalid("no host");
    // Anything else (spaces, control characters, ':', '%') would reach the
    // Host header and the resolver as written.
    if (!IsHostName(out.host)) {
      return invalid("the host may hold only letters, digits and - . _ ~ (an IPv6 address goes in [ ])");
    }
  }
  out.port = default_port;
  if (!port_text.empty()) {
    const bool digits = port_text.size() <= 5 && std::all_of(port_text.begin(), port_text.end(), [](char c) {
                          return absl::ascii_isdigit(static_cast<unsigned char>(c));
                        });
    if (!digits || !absl::SimpleAtoi(port_text, &out.port) || out.port < 1 || out.port > 65535) {
      return invalid(absl::StrCat("port '", port_text, "' is not a number in 1..65535"));
    }
  }
  return out;
}

// `url` with everything between "://" and the last '@' shown as "***", for
// error messages that may end up in logs. The last '@' of the whole URL, not
// of the authority: a password with an unescaped '/' must not show either.
std::string WithoutCredentials(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  const size_t start = scheme_end == absl::string_view::npos ? 0 : scheme_end + 3;
  const size_t at = url.rfind('@');
  if (at == absl::string_view::npos || at < start) return std::string(url);
  return absl::StrCat(url.substr(0, start), "***", url.substr(at));
}

}  // namespace

std::string BaseUrl::SchemeHostPort() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat(scheme, "://", ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port);
}

absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url) {
  const std::string shown = WithoutCredentials(url);
  BaseUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.scheme = "https";
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    out.scheme = "http";
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "BASE_URL='", shown,
        "' is not valid: expected an http:// or https:// URL such as "
        "https://generativelanguage.googleapis.com/v1beta"));
  }
  if (rest.find_first_of("?#") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BASE_URL='", shown, "' is not valid: it must not carry a query string or fragment"));
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path = slash == absl::string_view::npos ? "" : rest.substr(slash);
  auto parsed = ParseAuthority(authority, out.scheme == "https" ? 443 : 80, "BASE_URL", shown);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->userinfo.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BASE_URL='", shown, "' is not valid: credentials in the URL are not supported"));
  }
  out.host = parsed->host;
  out.port = parsed->port;
  // The path goes into every request line as written.
  if (!std::all_of(path.begin(), path.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BASE_URL='", absl::CHexEscape(shown),
        "' is not valid: its path holds spaces, control characters or non-ASCII bytes (%-escape them)"));
  }
  while (absl::EndsWith(path, "/")) path.remove_suffix(1);
  const size_t last = path.rfind('/');
  if (last != absl::string_view::npos && IsVersionSegment(path.substr(last + 1))) {
    out.version = std::string(path.substr(last + 1));
    path = path.substr(0, last);
    // "/prefix//v1beta": no '/' left before the client's version either.
    while (absl::EndsWith(path, "/")) path.remove_suffix(1);
  }
  out.path = std::string(path);
  return out;
}

UpstreamTarget BuildUpstreamTarget(const BaseUrl& base, const Route& route,
                                   absl::string_view client_raw_query) {
  UpstreamTarget target;
  target.scheme_host_port = base.SchemeHostPort();
  target.path_and_query = absl::StrCat(base.path, route.UpstreamPath());
  const std::string query = RemoveQueryParam(client_raw_query, "key");
  if (!query.empty()) absl::StrAppend(&target.path_and_query, "?", query);
  return target;
}

absl::StatusOr<ProxyUrl> ParseProxyUrl(absl::string_view url) {
  const std::string shown = WithoutCredentials(url);
  absl::string_view rest = url;
  ProxyUrl out;
  int default_port = 0;
  if (absl::ConsumePrefix(&rest, "http://")) {
    out.scheme = "http";
    default_port = 80;
  } else if (absl::ConsumePrefix(&rest, "https://")) {
    out.scheme = "http";  // Reached in plain HTTP, as with cpp-httplib; see the header.
    default_port = 443;
  } else if (absl::ConsumePrefix(&rest, "socks5://")) {
    out.scheme = "socks5";
    default_port = 1080;
  } else if (absl::ConsumePrefix(&rest, "socks5h://")) {
    out.scheme = "socks5h";
    default_port = 1080;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "proxy '", shown,
        "' is not supported: expected http://, https://, socks5:// or socks5h:// "
        "([user:pass@]host:port)"));
  }
  // The authority runs to the first '/' after the last '@': proxy URLs have
  // no path, and a password with an unescaped '/' still reads as one.
  const size_t at = rest.rfind('@');
  const size_t slash = rest.find('/', at == absl::string_view::npos ? 0 : at);
  auto authority = ParseAuthority(rest.substr(0, slash), default_port, "proxy", shown);
  if (!authority.ok()) return authority.status();
  out.host = authority->host;
  out.port = authority->port;
  if (!authority->userinfo.empty()) {
    const absl::string_view userinfo = authority->userinfo;
    const size_t colon = userinfo.find(':');
    out.username = PercentDecode(userinfo.substr(0, colon), /*plus_as_space=*/false);
    if (colon != absl::string_view::npos) {
      out.password = PercentDecode(userinfo.substr(colon + 1), /*plus_as_space=*/false);
    }
  }
  return out;
}

}  // namespace gempool::gemini
