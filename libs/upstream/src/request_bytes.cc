#include "request_bytes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proxy_handshake.h"

namespace gempool::upstream {
namespace {

// RFC 9110 tchar.
bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) continue;
    if (absl::string_view("!#$%&'*+-.^_`|~").find(c) == absl::string_view::npos) return false;
  }
  return true;
}

bool HasControlOrSpace(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F) return true;
  }
  return false;
}

bool IsValidFieldValue(absl::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

std::string HostHeader(const gemini::BaseUrl& target) {
  const bool ipv6 = target.host.find(':') != std::string::npos;
  const int default_port = target.scheme == "https" ? 443 : 80;
  std::string out = absl::StrCat(ipv6 ? "[" : "", target.host, ipv6 ? "]" : "");
  if (target.port != default_port) absl::StrAppend(&out, ":", target.port);
  return out;
}

}  // namespace

absl::StatusOr<std::string> BuildRequestBytes(const UpstreamRequest& request, const gemini::BaseUrl& target,
                                              const gemini::ProxyUrl* http_proxy) {
  if (!IsToken(request.method)) {
    return absl::InvalidArgumentError(absl::StrCat("'", absl::CHexEscape(request.method), "' is not an HTTP method"));
  }
  if (!absl::StartsWith(request.path_and_query, "/") || HasControlOrSpace(request.path_and_query)) {
    return absl::InvalidArgumentError(
        absl::StrCat("upstream path '", absl::CHexEscape(request.path_and_query), "' is not a valid request target"));
  }
  std::string out;
  out.reserve(256 + request.path_and_query.size() + request.body.size());
  absl::StrAppend(&out, request.method, " ");
  if (http_proxy != nullptr) absl::StrAppend(&out, target.SchemeHostPort());
  absl::StrAppend(&out, request.path_and_query, " HTTP/1.1\r\nHost: ", HostHeader(target), "\r\n");
  if (http_proxy != nullptr && !http_proxy->username.empty()) {
    absl::StrAppend(&out, "Proxy-Authorization: ",
                    ProxyBasicCredentials(http_proxy->username, http_proxy->password), "\r\n");
  }
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || !IsValidFieldValue(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("header '", absl::CHexEscape(name), "' cannot be sent: bad name or a line break in the value"));
    }
    if (absl::EqualsIgnoreCase(name, "Host") || absl::EqualsIgnoreCase(name, "Content-Length") ||
        absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      continue;
    }
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (request.body_source != nullptr) {
    if (!request.body.empty()) {
      return absl::InvalidArgumentError("an upstream request has both a body and a body source");
    }
    // The body follows the head as the source delivers it.
    absl::StrAppend(&out, "Content-Length: ", request.body_source->size(), "\r\n\r\n");
    return out;
  }
  if (!request.body.empty() || request.method == "POST") {
    absl::StrAppend(&out, "Content-Length: ", request.body.size(), "\r\n");
  }
  absl::StrAppend(&out, "\r\n", request.body);
  return out;
}

}  // namespace gempool::upstream
