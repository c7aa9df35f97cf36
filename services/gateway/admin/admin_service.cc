#include "admin/admin_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "admin/static_assets.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/openai/json_reader.h"

namespace gempool::gateway::admin {
namespace {

// The pages and the file each one is.
constexpr std::pair<const char*, const char*> kPages[] = {
    {"/", "login.html"}, {"/keys", "keys.html"}, {"/tokens", "tokens.html"}, {"/config", "config.html"},
    {"/logs", "logs.html"}, {"/stats", "stats.html"}};

constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void AddSecurityHeaders(AdminResponse& response) {
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
}

AdminResponse JsonResponse(ApiResult result) {
  AdminResponse response;
  response.status = result.status;
  response.content_type = kJson;
  response.body = result.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.headers = std::move(result.headers);
  response.headers.emplace_back("Cache-Control", "no-store");
  AddSecurityHeaders(response);
  return response;
}

AdminResponse Redirect(const std::string& location) {
  AdminResponse response;
  response.status = 302;
  response.content_type = "text/plain; charset=utf-8";
  response.body = "see " + location;
  response.headers.emplace_back("Location", location);
  response.headers.emplace_back("Cache-Control", "no-store");
  AddSecurityHeaders(response);
  return response;
}

std::string HeaderOr(const HeaderMap& headers, const char* name) {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string SessionIdOf(const AdminRequest& request) {
  return CookieValue(HeaderOr(request.headers, "cookie"), kSessionCookie).value_or("");
}

}  // namespace

AdminService::AdminService(std::string admin_token, AdminBackend& backend, SessionStore& sessions,
                           LoginLimiter& limiter, ConfigApi& config_api, const Clock& clock,
                           const DisplayZone* zone)
    : admin_token_(std::move(admin_token)),
      backend_(backend),
      sessions_(sessions),
      limiter_(limiter),
      clock_(clock),
      zone_(zone != nullptr ? *zone : utc_),
      keys_(backend),
      logs_(backend),
      keys_list_(backend),
      proxies_(backend),
      tokens_(backend, clock, zone_),
      stats_(backend, clock, zone_),
      usage_(backend, clock, zone_),
      config_(config_api) {}

bool AdminService::IsAdminPath(absl::string_view path) {
  for (const auto& [page, asset] : kPages) {
    if (path == page) return true;
  }
  return absl::StartsWith(path, "/static/") || path == "/api" || absl::StartsWith(path, "/api/") ||
         KeysListApi::Matches(path);
}

AdminResponse AdminService::Handle(const AdminRequest& request) {
  if (absl::StartsWith(request.path, "/api")) return Api(request);
  if (KeysListApi::Matches(request.path)) return KeysList(request);
  if (request.method != "GET") {
    AdminResponse response;
    response.status = 405;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "the admin pages only answer GET";
    return response;
  }
  if (absl::StartsWith(request.path, "/static/")) {
    return Static(request, absl::string_view(request.path).substr(8));
  }
  for (const auto& [page, asset] : kPages) {
    if (request.path == page) return Page(request, asset);
  }
  AdminResponse response;
  response.status = 404;
  response.content_type = "text/plain; charset=utf-8";
  response.body = "no such admin page";
  return response;
}

AdminResponse AdminService::Page(const AdminRequest& request, const char* asset) {
  const std::string id = SessionIdOf(request);
  const bool logged_in = !id.empty() && sessions_.Validate(id).ok();
  const bool login_page = request.path == "/";
  if (login_page && logged_in) return Redirect("/keys");
  if (!login_page && !logged_in) return Redirect("/");
  AdminResponse response = Static(request, asset);
  // Pages depend on the session: never cache them.
  for (auto& [name, value] : response.headers) {
    if (name == "Cache-Control") value = "no-store";
  }
  return response;
}

AdminResponse AdminService::Static(const AdminRequest& request, absl::string_view name) {
  const StaticAsset* asset = FindStaticAsset(name);
  AdminResponse response;
  AddSecurityHeaders(response);
  if (asset == nullptr) {
    response.status = 404;
    response.content_type = "text/plain; charset=utf-8";
    response.body = "no such admin file";
    return response;
  }
  // Revalidated on every load (cheap with the ETag), so an upgraded gateway
  // never serves a stale script from the browser's cache.
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("ETag", asset->etag);
  if (HeaderOr(request.headers, "if-none-match") == asset->etag) {
    response.status = 304;
    return response;
  }
  response.content_type = asset->content_type;
  response.body.assign(reinterpret_cast<const char*>(asset->data), asset->size);
  return response;
}

ApiResult AdminService::Login(const AdminRequest& request) {
  if (absl::Status same = CheckSameOrigin(request.headers); !same.ok()) return ErrorResult(same);
  if (admin_token_.empty()) {
    return ErrorResult(absl::FailedPreconditionError(
        "this gempool has no admin token: set AUTH_TOKEN (or ALLOWED_TOKENS) in the environment or .env and "
        "restart the gateway"));
  }
  const int64_t wait_ms = limiter_.RetryAfterMs(request.remote_addr);
  if (wait_ms > 0) {
    const int64_t seconds = (wait_ms + 999) / 1000;
    ApiResult result = ErrorResult(absl::ResourceExhaustedError(
        absl::StrCat("too many failed logins from this address; try again in ", seconds, " s")));
    result.body["error"]["retry_after_seconds"] = seconds;
    result.headers.emplace_back("Retry-After", absl::StrCat(seconds));
    return result;
  }
  std::string token;
  if (!request.body.empty()) {
    absl::StatusOr<nlohmann::json> body = openai::ParseJson(request.body);
    if (!body.ok()) return ErrorResult(absl::InvalidArgumentError("send {\"token\": \"<AUTH_TOKEN>\"} as JSON"));
    if (body->is_object() && body->contains("token") && (*body)["token"].is_string()) token = (*body)["token"];
  }
  if (!SecretEquals(token, admin_token_)) {
    limiter_.RecordFailure(request.remote_addr);
    GEMPOOL_LOG(WARNING) << "admin UI: failed login from " << request.remote_addr;
    return ErrorResult(absl::UnauthenticatedError("wrong admin token (AUTH_TOKEN)"));
  }
  absl::StatusOr<SessionStore::Session> session = sessions_.Create();
  if (!session.ok()) return ErrorResult(session.status());
  limiter_.RecordSuccess(request.remote_addr);
  GEMPOOL_LOG(INFO) << "admin UI: login from " << request.remote_addr;
  ApiResult result;
  result.body = {{"csrf_token", session->csrf_token}, {"expires_at_ms", session->expires_at_ms}};
  result.headers.emplace_back(
      "Set-Cookie", SessionCookie(session->id, sessions_.lifetime_ms() / 1000, CameOverHttps(request.headers)));
  return result;
}

AdminResponse AdminService::KeysList(const AdminRequest& request) {
  // Scripts only: no session cookie, so no CSRF to consider. Wrong tokens
  // count as failed logins (the same brute-force limit).
  const int64_t wait_ms = limiter_.RetryAfterMs(request.remote_addr);
  if (wait_ms > 0) {
    const int64_t seconds = (wait_ms + 999) / 1000;
    ApiResult result = ErrorResult(absl::ResourceExhaustedError(
        absl::StrCat("too many wrong admin tokens from this address; try again in ", seconds, " s")));
    result.headers.emplace_back("Retry-After", absl::StrCat(seconds));
    return JsonResponse(result);
  }
  if (admin_token_.empty() || !IsAdminBearer(request.headers, admin_token_)) {
    if (!admin_token_.empty()) limiter_.RecordFailure(request.remote_addr);
    return JsonResponse(ErrorResult(absl::UnauthenticatedError(
        "send the admin token (AUTH_TOKEN) as Authorization: Bearer <AUTH_TOKEN>")));
  }
  return JsonResponse(keys_list_.Handle(request.query));
}

AdminResponse AdminService::Api(const AdminRequest& request) {
  const std::string path = request.path.substr(4);  // Below /api.
  if (path == "/login") {
    if (request.method != "POST") return JsonResponse(ErrorResult(absl::NotFoundError("log in with POST /api/login")));
    return JsonResponse(Login(request));
  }

  // Authentication: the admin token as a bearer (scripts), else the session.
  const bool bearer = IsAdminBearer(request.headers, admin_token_);
  std::string session_id;
  SessionStore::Session session;
  if (!bearer) {
    session_id = SessionIdOf(request);
    absl::StatusOr<SessionStore::Session> valid =
        session_id.empty() ? absl::UnauthenticatedError("not logged in: log in on the admin page first, or send "
                                                        "Authorization: Bearer <AUTH_TOKEN>")
                           : sessions_.Validate(session_id);
    if (!valid.ok()) return JsonResponse(ErrorResult(valid.status()));
    session = *std::move(valid);
  }
  // PATCH and DELETE change things as POST does (/api/tokens/{id}).
  const bool changes = request.method == "POST" || request.method == "PATCH" || request.method == "DELETE";
  if (changes) {
    if (!bearer) {
      if (absl::Status csrf = CheckCsrf(request.headers, session.csrf_token); !csrf.ok()) {
        GEMPOOL_LOG(WARNING) << "admin UI: refused " << request.method << " " << request.path << " from "
                             << request.remote_addr << ": " << csrf.message();
        return JsonResponse(ErrorResult(csrf));
      }
    }
    const std::string type = absl::AsciiStrToLower(HeaderOr(request.headers, "content-type"));
    if (!request.body.empty() && !absl::StartsWith(type, "application/json")) {
      return JsonResponse(ErrorResult(absl::InvalidArgumentError("send the request body as application/json")));
    }
  } else if (request.method != "GET") {
    return JsonResponse(ErrorResult(absl::NotFoundError("the admin API answers GET, POST, PATCH and DELETE only")));
  }

  if (path == "/session" && request.method == "GET") {
    ApiResult result;
    result.body = {{"auth", bearer ? "bearer" : "session"},
                   {"csrf_token", session.csrf_token},
                   {"expires_at_ms", session.expires_at_ms},
                   {"now_ms", clock_.NowUnixMs()},
                   // TIMEZONE in force: the pages show every time in it.
                   {"timezone", zone_.Get().name}};
    return JsonResponse(result);
  }
  if (path == "/logout" && request.method == "POST") {
    ApiResult result;
    if (!session_id.empty()) {
      if (absl::Status revoked = sessions_.Revoke(session_id); !revoked.ok()) {
        return JsonResponse(ErrorResult(revoked));
      }
    }
    result.body = {{"logged_out", true}};
    result.headers.emplace_back("Set-Cookie", SessionCookie("", 0, CameOverHttps(request.headers)));
    return JsonResponse(result);
  }

  ApiCall call;
  call.method = request.method;
  call.path = path;
  call.query = request.query;
  if (!request.body.empty()) {
    absl::StatusOr<nlohmann::json> body = openai::ParseJson(request.body);
    if (!body.ok()) {
      return JsonResponse(
          ErrorResult(absl::InvalidArgumentError(absl::StrCat("the body is not valid JSON: ", body.status().message()))));
    }
    // Every admin call takes an object: the handlers read fields by name and
    // check each one's type, so nothing below throws on a body of the wrong
    // shape.
    if (!body->is_object()) {
      return JsonResponse(ErrorResult(absl::InvalidArgumentError(
          absl::StrCat("the body must be a JSON object ({...}), not ", body->type_name()))));
    }
    call.body = *std::move(body);
  }
  return JsonResponse(Dispatch(call));
}

ApiResult AdminService::Dispatch(const ApiCall& call) {
  const absl::string_view path = call.path;
  auto under = [&path](absl::string_view prefix) {
    return path == prefix || absl::StartsWith(path, absl::StrCat(prefix, "/"));
  };
  if (under("/keys")) return keys_.Handle(call);
  if (under("/tokens")) return tokens_.Handle(call);
  if (under("/logs")) return logs_.Handle(call);
  if (under("/proxies")) return proxies_.Handle(call);
  if (under("/stats")) return stats_.Handle(call);
  if (under("/usage")) return usage_.Handle(call);
  if (under("/config")) return config_.Handle(call);
  return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
}

}  // namespace gempool::gateway::admin
