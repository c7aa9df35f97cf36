#include "gempool/gemini/upstream_url.h"

#include <algorithm>

#include "absl/strings/ascii.h"
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

// Splits "[userinfo@]host[:port]"; `what` names the setting in errors.
absl::StatusOr<Authority> ParseAuthority(absl::string_view authority, int default_port,
                                         absl::string_view what, absl::string_view url) {
  Authority out;
  const size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    out.userinfo = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  absl::string_view port_text;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, "='", url, "' is not valid: unterminated IPv6 address"));
    }
    out.host = std::string(authority.substr(1, close - 1));
    absl::string_view after = authority.substr(close + 1);
    if (absl::ConsumePrefix(&after, ":")) port_text = after;
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, "='", url, "' is not valid: no host"));
  }
  out.port = default_port;
  if (!port_text.empty() &&
      (!absl::SimpleAtoi(port_text, &out.port) || out.port < 1 || out.port > 65535)) {
    return absl::InvalidArgumentError(absl::StrCat(what, "='", url, "' is not valid: port '",
                                                   port_text, "' is not a number in 1..65535"));
  }
  return out;
}

// `url` with any "user:password@" shown as "***@", for error messages that
// may end up in logs.
std::string WithoutCredentials(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  const size_t start = scheme_end == absl::string_view::npos ? 0 : scheme_end + 3;
  const size_t end = std::min(url.find('/', start), url.size());
  const size_t at = url.substr(0, end).rfind('@');
  if (at == absl::string_view::npos || at < start) return std::string(url);
  return absl::StrCat(url.substr(0, start), "***", url.substr(at));
}

}  // namespace

std::string BaseUrl::SchemeHostPort() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat(scheme, "://", ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port);
}

absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url) {
  BaseUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.scheme = "https";
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    out.scheme = "http";
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "BASE_URL='", url,
        "' is not valid: expected an http:// or https:// URL such as "
        "https://generativelanguage.googleapis.com/v1beta"));
  }
  if (rest.find_first_of("?#") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BASE_URL='", url, "' is not valid: it must not carry a query string or fragment"));
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path = slash == absl::string_view::npos ? "" : rest.substr(slash);
  auto parsed = ParseAuthority(authority, out.scheme == "https" ? 443 : 80, "BASE_URL", url);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->userinfo.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BASE_URL='", url, "' is not valid: credentials in the URL are not supported"));
  }
  out.host = parsed->host;
  out.port = parsed->port;
  while (absl::EndsWith(path, "/")) path.remove_suffix(1);
  const size_t last = path.rfind('/');
  if (last != absl::string_view::npos && IsVersionSegment(path.substr(last + 1))) {
    out.version = std::string(path.substr(last + 1));
    path = path.substr(0, last);
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
  const size_t slash = rest.find('/');
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
