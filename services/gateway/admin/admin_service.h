#pragma once
// The admin web UI behind the gateway, in plain C++ (admin_http.cc binds it
// to cpp-httplib): the pages (/ is the login page; /keys, /config, /logs,
// /stats), their static files (/static/...), and the JSON API under /api/.
//
// Authentication: POST /api/login with the admin token (AUTH_TOKEN) opens a
// server-side session (see SessionStore) held in an HttpOnly, SameSite=Strict
// cookie (Secure behind HTTPS); failed logins are rate-limited per client
// address; POST /api/logout revokes the session. Every other /api/ call needs
// the session cookie, or the admin token as "Authorization: Bearer" (for
// scripts). State-changing calls (POST) with a session must also pass the
// CSRF checks of request_guard.h and send JSON. The admin token is compared,
// never echoed, stored in a cookie, or logged.
//
// Thread-safe.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "admin/admin_backend.h"
#include "admin/api_call.h"
#include "admin/config_api.h"
#include "admin/display_zone.h"
#include "admin/keys_api.h"
#include "admin/keys_list_api.h"
#include "admin/login_limiter.h"
#include "admin/logs_api.h"
#include "admin/proxies_api.h"
#include "admin/request_guard.h"
#include "admin/session_store.h"
#include "admin/stats_api.h"
#include "admin/tokens_api.h"
#include "admin/usage_api.h"
#include "gempool/common/clock.h"

namespace gempool::gateway::admin {

struct AdminRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::string body;
  HeaderMap headers;  // Lowercase names.
  std::string remote_addr;
};

struct AdminResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class AdminService {
 public:
  // All references must outlive the service. `admin_token` is the token in
  // force (Config::AdminToken()). `zone` is the TIMEZONE in force (null:
  // UTC); /api/session names it and the statistics use it.
  AdminService(std::string admin_token, AdminBackend& backend, SessionStore& sessions, LoginLimiter& limiter,
               ConfigApi& config_api, const Clock& clock, const DisplayZone* zone = nullptr);

  // Whether `path` belongs to the admin UI (pages, static files, /api/).
  static bool IsAdminPath(absl::string_view path);

  AdminResponse Handle(const AdminRequest& request);

 private:
  AdminResponse Page(const AdminRequest& request, const char* asset);
  AdminResponse Static(const AdminRequest& request, absl::string_view name);
  AdminResponse Api(const AdminRequest& request);
  // GET /v1/keys/list, /hf/v1/keys/list (KeysListApi): AUTH_TOKEN bearer only.
  AdminResponse KeysList(const AdminRequest& request);
  ApiResult Login(const AdminRequest& request);
  ApiResult Dispatch(const ApiCall& call);

  const std::string admin_token_;
  AdminBackend& backend_;
  SessionStore& sessions_;
  LoginLimiter& limiter_;
  const Clock& clock_;
  const DisplayZone utc_;  // When no zone is given.
  const DisplayZone& zone_;
  KeysApi keys_;
  LogsApi logs_;
  KeysListApi keys_list_;
  ProxiesApi proxies_;
  TokensApi tokens_;
  StatsApi stats_;
  UsageApi usage_;
  ConfigApi& config_;
};

}  // namespace gempool::gateway::admin
