#include "admin/request_guard.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gempool/common/secrets.h"

namespace gempool::gateway::admin {
namespace {

std::string HeaderOr(const HeaderMap& headers, const char* name) {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

// "https://host:8000/path" → "host:8000" (lowercase); "" when not a URL.
std::string HostOfOrigin(absl::string_view origin) {
  size_t scheme = origin.find("://");
  if (scheme == absl::string_view::npos) return "";
  absl::string_view rest = origin.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  return absl::AsciiStrToLower(rest);
}

// "host:443" for https and "host:80" for http are the same as "host".
std::string WithoutDefaultPort(std::string host, bool https) {
  const absl::string_view port = https ? ":443" : ":80";
  if (absl::EndsWith(host, port)) host.resize(host.size() - port.size());
  return host;
}

}  // namespace

std::optional<std::string> CookieValue(absl::string_view cookie_header, absl::string_view name) {
  for (absl::string_view part : absl::StrSplit(cookie_header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    const size_t eq = part.find('=');
    if (eq == absl::string_view::npos) continue;
    if (absl::StripAsciiWhitespace(part.substr(0, eq)) == name) {
      return std::string(absl::StripAsciiWhitespace(part.substr(eq + 1)));
    }
  }
  return std::nullopt;
}

bool IsAdminBearer(const HeaderMap& headers, const std::string& admin_token) {
  if (admin_token.empty()) return false;
  const std::string header = HeaderOr(headers, "authorization");
  absl::string_view value = absl::StripAsciiWhitespace(header);
  if (!absl::StartsWithIgnoreCase(value, "bearer ")) return false;
  return SecretEquals(absl::StripAsciiWhitespace(value.substr(7)), admin_token);
}

bool CameOverHttps(const HeaderMap& headers) {
  const std::string proto = absl::AsciiStrToLower(HeaderOr(headers, "x-forwarded-proto"));
  return absl::StartsWith(absl::StripAsciiWhitespace(proto), "https");
}

absl::Status CheckSameOrigin(const HeaderMap& headers) {
  const std::string site = absl::AsciiStrToLower(HeaderOr(headers, "sec-fetch-site"));
  if (!site.empty() && site != "same-origin" && site != "none") {
    return absl::PermissionDeniedError(absl::StrCat(
        "cross-site request refused (Sec-Fetch-Site: ", site, "): use the admin page of this gateway itself"));
  }
  const std::string origin = HeaderOr(headers, "origin");
  if (!origin.empty()) {
    const bool https = absl::StartsWithIgnoreCase(origin, "https://");
    const std::string from = WithoutDefaultPort(HostOfOrigin(origin), https);
    std::string forwarded = HeaderOr(headers, "x-forwarded-host");
    forwarded = std::string(absl::StripAsciiWhitespace(forwarded.substr(0, forwarded.find(','))));
    const std::string host = WithoutDefaultPort(absl::AsciiStrToLower(HeaderOr(headers, "host")), https);
    const std::string fwd = WithoutDefaultPort(absl::AsciiStrToLower(forwarded), https);
    if (from.empty() || (from != host && (fwd.empty() || from != fwd))) {
      return absl::PermissionDeniedError(absl::StrCat("cross-site request refused: Origin ", origin,
                                                      " is not this gateway (", host, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckCsrf(const HeaderMap& headers, const std::string& expected_token) {
  if (absl::Status same = CheckSameOrigin(headers); !same.ok()) return same;
  const std::string token = HeaderOr(headers, kCsrfHeader);
  if (token.empty() || !SecretEquals(token, expected_token)) {
    return absl::PermissionDeniedError(
        "missing or wrong X-CSRF-Token header: reload the admin page (scripts: use Authorization: Bearer "
        "<AUTH_TOKEN> instead of the session cookie)");
  }
  return absl::OkStatus();
}

std::string SessionCookie(const std::string& id, int64_t max_age_seconds, bool secure) {
  return absl::StrCat(kSessionCookie, "=", id, "; Path=/; Max-Age=", max_age_seconds, "; HttpOnly; SameSite=Strict",
                      secure ? "; Secure" : "");
}

}  // namespace gempool::gateway::admin
