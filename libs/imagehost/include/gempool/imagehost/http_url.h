#pragma once
// The parts of an http(s) URL that an upload request needs. Pure functions.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::imagehost {

struct HttpUrl {
  std::string scheme;     // "http" or "https".
  std::string authority;  // "sm.ms", "127.0.0.1:9000", "[::1]:8080".
  std::string host;       // "sm.ms", "127.0.0.1", "::1" (no brackets).
  std::string path;       // "/api/v2/upload"; "/" when the URL has none.
  std::string query;      // Without '?'; "" when none.

  // "https://sm.ms".
  std::string Origin() const { return scheme + "://" + authority; }
  // "/path?query".
  std::string PathAndQuery() const { return query.empty() ? path : path + "?" + query; }
};

// InvalidArgument naming `setting` when `url` is not an http(s) URL with a
// host (no fragment, no user info, no white space).
absl::StatusOr<HttpUrl> ParseHttpUrl(absl::string_view url, absl::string_view setting);

// Whether `host` is an IPv4/IPv6 address or "localhost" (no DNS name a
// bucket could be put in front of).
bool IsAddressHost(absl::string_view host);

// RFC 3986 percent-encoding of a query value (unreserved characters kept).
std::string QueryEscape(absl::string_view value);
// The same for an object path: '/' is kept.
std::string PathEscape(absl::string_view value);

}  // namespace gempool::imagehost
