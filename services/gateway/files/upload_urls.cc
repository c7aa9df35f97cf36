#include "files/upload_urls.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gempool::gateway {
namespace {

// The first value of `name` (any case), trimmed, up to its first comma (a
// chain of proxies lists the client-facing one first).
std::string FirstValue(const HeaderList& headers, absl::string_view name) {
  for (const auto& [n, v] : headers) {
    if (!absl::EqualsIgnoreCase(n, name)) continue;
    absl::string_view value = v;
    value = value.substr(0, value.find(','));
    return std::string(absl::StripAsciiWhitespace(value));
  }
  return "";
}

// Host names, IPv4, [IPv6] and a port: nothing that could break out of the
// URL or the header it goes in.
bool IsHostPort(absl::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    if (!(absl::ascii_isalnum(c) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> ClientOrigin(const HeaderList& request_headers) {
  std::string scheme = absl::AsciiStrToLower(FirstValue(request_headers, "X-Forwarded-Proto"));
  if (scheme != "https") scheme = "http";
  std::string host = FirstValue(request_headers, "X-Forwarded-Host");
  if (host.empty()) host = FirstValue(request_headers, "Host");
  if (!IsHostPort(host)) {
    return absl::InvalidArgumentError(
        "the upload start needs a Host header (or X-Forwarded-Host from a reverse proxy) naming this gateway, to "
        "build the upload URL the chunks are sent to");
  }
  return absl::StrCat(scheme, "://", host);
}

std::string GempoolUploadUrl(absl::string_view origin, absl::string_view prefix, absl::string_view version,
                             absl::string_view session_id) {
  return absl::StrCat(origin, prefix, "/upload/", version, "/files?upload_id=", session_id);
}

absl::StatusOr<gemini::UpstreamTarget> UpstreamTargetOf(absl::string_view url) {
  int default_port = 0;
  absl::string_view rest;
  std::string scheme;
  if (absl::StartsWithIgnoreCase(url, "https://")) {
    scheme = "https";
    default_port = 443;
    rest = url.substr(8);
  } else if (absl::StartsWithIgnoreCase(url, "http://")) {
    scheme = "http";
    default_port = 80;
    rest = url.substr(7);
  } else {
    return absl::InvalidArgumentError("the upstream upload URL is not an http(s) URL");
  }
  const size_t slash = rest.find_first_of("/?");
  absl::string_view host_port = rest.substr(0, slash);
  if (!IsHostPort(host_port)) return absl::InvalidArgumentError("the upstream upload URL has no usable host");
  gemini::UpstreamTarget target;
  // An explicit port unless one is given (after the last ':' outside an
  // IPv6 literal's brackets).
  const size_t colon = host_port.rfind(':');
  const size_t bracket = host_port.rfind(']');
  const bool has_port = colon != absl::string_view::npos && (bracket == absl::string_view::npos || colon > bracket);
  target.scheme_host_port =
      has_port ? absl::StrCat(scheme, "://", host_port) : absl::StrCat(scheme, "://", host_port, ":", default_port);
  if (slash == absl::string_view::npos) {
    target.path_and_query = "/";
  } else if (rest[slash] == '?') {
    target.path_and_query = absl::StrCat("/", rest.substr(slash));
  } else {
    target.path_and_query = std::string(rest.substr(slash));
  }
  return target;
}

}  // namespace gempool::gateway
