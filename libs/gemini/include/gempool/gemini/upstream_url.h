#pragma once
// Where a client's Gemini call goes upstream. BASE_URL has gemini-balance's
// shape ("https://generativelanguage.googleapis.com/v1beta", or a compatible
// server such as "http://127.0.0.1:9000/v1beta"); the client's own API version
// wins over the one in BASE_URL, so a /v1 call stays a /v1 call upstream.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/route.h"

namespace gempool::gemini {

// A parsed BASE_URL.
struct BaseUrl {
  std::string scheme;  // "http" or "https".
  std::string host;    // Without brackets for IPv6.
  int port = 0;        // Explicit, else 80/443.
  // The path before the trailing version segment, without a trailing '/':
  // "" for Google, "/some/prefix" behind a path-routing proxy.
  std::string path;
  // The trailing version segment of BASE_URL ("v1beta"), "" when it has none.
  std::string version;

  // "https://generativelanguage.googleapis.com:443", as httplib::Client takes.
  std::string SchemeHostPort() const;
};

// Parses an http(s) URL with an optional path; no query, fragment or
// credentials; a host of letters, digits and "-._~" or an IPv6 address in
// brackets; a path of printable ASCII. kInvalidArgument naming BASE_URL
// otherwise (credentials, if any, masked as "***@").
absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url);

struct UpstreamTarget {
  std::string scheme_host_port;  // As in BaseUrl::SchemeHostPort().
  std::string path_and_query;    // "/v1/models/x:streamGenerateContent?alt=sse".
};

// The upstream URL for `route`: BASE_URL's path, then the client's version
// and call (replacing BASE_URL's own version segment when it ends in one), then
// the client's query without any `key` parameter (the pool key goes in the
// x-goog-api-key header instead).
UpstreamTarget BuildUpstreamTarget(const BaseUrl& base, const Route& route,
                                   absl::string_view client_raw_query);

// A proxy from PROXIES: "http://user:pass@host:port" (an HTTP proxy: CONNECT
// for https upstreams, absolute-form requests for http ones), or
// "socks5://..." / "socks5h://..." (RFC 1928, user/password auth RFC 1929).
// An https:// proxy URL is accepted as before and means the same as http://:
// the proxy is reached in plain HTTP (only the default port differs, 443), as
// cpp-httplib always did; TLS to the proxy itself is not supported.
// Default ports: http 80, https 443, socks5/socks5h 1080.
struct ProxyUrl {
  std::string scheme;  // "http" (also for https:// URLs), "socks5" or "socks5h".
  std::string host;    // Without brackets for IPv6.
  int port = 0;
  std::string username;  // Decoded; empty when none (Basic auth, or SOCKS5 RFC 1929).
  std::string password;

  bool IsSocks5() const { return scheme == "socks5" || scheme == "socks5h"; }
};

// The credentials run to the last '@' (a password with an unescaped '/'
// still reads as one). kInvalidArgument for other schemes (the message lists
// the accepted ones), a bad host or a bad port. Messages show the URL with
// its credentials masked ("***@").
absl::StatusOr<ProxyUrl> ParseProxyUrl(absl::string_view url);

}  // namespace gempool::gemini
