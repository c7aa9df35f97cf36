#pragma once
// The checks in front of every admin API call that are pure functions of the
// request: reading the session cookie, recognising the admin token as a
// bearer (for scripts), and refusing cross-site requests.
//
// Cross-site protection of state-changing calls from a browser session:
//   - the per-session CSRF token must come back in the X-CSRF-Token header
//     (a cross-site form cannot set headers, and a cross-site fetch that
//     sets one needs a CORS preflight gempool never grants);
//   - Sec-Fetch-Site, when the browser sends it, must be same-origin (or
//     none: typed into the address bar);
//   - Origin, when present, must name the host the request was sent to.
// Stateless; thread-safe.

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gempool::gateway::admin {

inline constexpr char kSessionCookie[] = "gempool_session";
inline constexpr char kCsrfHeader[] = "x-csrf-token";

// Request headers by lowercase name.
using HeaderMap = std::map<std::string, std::string>;

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string> CookieValue(absl::string_view cookie_header, absl::string_view name);

// Whether the Authorization header is "Bearer <admin_token>" (constant-time
// comparison). False when the admin token is empty.
bool IsAdminBearer(const HeaderMap& headers, const std::string& admin_token);

// Whether the request came over HTTPS as far as the gateway can tell
// (X-Forwarded-Proto: https from a TLS-terminating proxy).
bool CameOverHttps(const HeaderMap& headers);

// kPermissionDenied when Sec-Fetch-Site or Origin show a cross-site request.
absl::Status CheckSameOrigin(const HeaderMap& headers);

// CheckSameOrigin, then the CSRF token header must equal `expected_token`.
absl::Status CheckCsrf(const HeaderMap& headers, const std::string& expected_token);

// The Set-Cookie value of a session cookie (or, with an empty id and
// max_age 0, of its deletion).
std::string SessionCookie(const std::string& id, int64_t max_age_seconds, bool secure);

}  // namespace gempool::gateway::admin
