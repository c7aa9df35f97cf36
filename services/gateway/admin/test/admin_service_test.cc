// The admin API end to end in plain C++ (no sockets): login, sessions, the
// refusal of every /api/ route without a session, cross-site protection,
// and that the admin token never shows up in an answer, a cookie or a log.

#include "admin/admin_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "admin/test/fake_admin_backend.h"
#include "gempool/common/logging.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::admin {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAdminToken[] = "sk-admin-token-5e2f9a7c";

// Every admin API route (method, path below /api), for the refusal tests.
const std::vector<std::pair<std::string, std::string>>& AllRoutes() {
  static const auto* routes = new std::vector<std::pair<std::string, std::string>>{
      {"GET", "/api/session"},       {"POST", "/api/logout"},       {"GET", "/api/keys"},
      {"GET", "/api/keys/usage"},    {"GET", "/api/keys/detail"},   {"POST", "/api/keys/add"},
      {"POST", "/api/keys/reset"},   {"POST", "/api/keys/pause"},   {"POST", "/api/keys/resume"},
      {"POST", "/api/keys/delete"},  {"POST", "/api/keys/export"},  {"POST", "/api/keys/verify"},
      {"GET", "/api/logs/requests"}, {"GET", "/api/logs/errors"},   {"POST", "/api/logs/delete"},
      {"GET", "/api/stats"},         {"GET", "/api/config"},        {"POST", "/api/config"},
      {"POST", "/api/config/validate"}, {"GET", "/api/keys/ids"},   {"GET", "/api/stats/attention"},
      {"GET", "/api/logs/errors/1"}, {"GET", "/api/no/such/route"}};
  return *routes;
}

class AdminServiceTest : public ::testing::Test {
 protected:
  AdminServiceTest()
      : backend_(clock_),
        sessions_(backend_, clock_, SessionStore::Options()),
        limiter_(clock_, LoginLimiter::Options()),
        config_api_(backend_, Environment::FromMap({{"AUTH_TOKEN", kAdminToken}}), clock_, nullptr),
        service_(kAdminToken, backend_, sessions_, limiter_, config_api_, clock_) {
    backend_.secrets = {{1, "AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, {2, "AIzaSyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"}};
  }

  static AdminRequest Request(const std::string& method, const std::string& path, const std::string& body = "") {
    AdminRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.remote_addr = "203.0.113.7";
    r.headers["host"] = "gempool.example:8000";
    if (!body.empty()) r.headers["content-type"] = "application/json";
    return r;
  }

  // Logs in and remembers the cookie and CSRF token.
  void LogIn() {
    AdminResponse res = service_.Handle(Request("POST", "/api/login", absl::StrCat(R"({"token":")", kAdminToken, R"("})")));
    ASSERT_EQ(res.status, 200) << res.body;
    for (const auto& [name, value] : res.headers) {
      if (name == "Set-Cookie") cookie_ = value.substr(0, value.find(';'));
    }
    csrf_ = nlohmann::json::parse(res.body)["csrf_token"];
  }

  AdminRequest WithSession(AdminRequest r) const {
    r.headers["cookie"] = cookie_;
    r.headers["x-csrf-token"] = csrf_;
    r.headers["origin"] = "http://gempool.example:8000";
    r.headers["sec-fetch-site"] = "same-origin";
    return r;
  }

  static std::string Header(const AdminResponse& res, const std::string& name) {
    for (const auto& [n, v] : res.headers) {
      if (n == name) return v;
    }
    return "";
  }

  gempool::testing::FakeClock clock_;
  testing::FakeAdminBackend backend_;
  SessionStore sessions_;
  LoginLimiter limiter_;
  ConfigApi config_api_;
  AdminService service_;
  std::string cookie_;
  std::string csrf_;
};

TEST_F(AdminServiceTest, LoginSetsAHardenedSessionCookieWithoutTheToken) {
  AdminResponse res = service_.Handle(Request("POST", "/api/login", absl::StrCat(R"({"token":")", kAdminToken, R"("})")));
  ASSERT_EQ(res.status, 200) << res.body;
  const std::string cookie = Header(res, "Set-Cookie");
  EXPECT_THAT(cookie, HasSubstr("gempool_session="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("Path=/"));
  EXPECT_THAT(cookie, HasSubstr("Max-Age=3600"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));
  EXPECT_THAT(cookie, Not(HasSubstr(kAdminToken)));
  EXPECT_THAT(res.body, Not(HasSubstr(kAdminToken)));
  ASSERT_EQ(backend_.sessions.size(), 1u);
  EXPECT_EQ(backend_.sessions.begin()->first.size(), 64u) << "only the hash is stored";
  EXPECT_THAT(cookie, Not(HasSubstr(backend_.sessions.begin()->first)));

  AdminRequest https = Request("POST", "/api/login", absl::StrCat(R"({"token":")", kAdminToken, R"("})"));
  https.headers["x-forwarded-proto"] = "https";
  EXPECT_THAT(Header(service_.Handle(https), "Set-Cookie"), HasSubstr("; Secure"));
}

TEST_F(AdminServiceTest, TheSessionNamesTheTimezoneInForce) {
  LogIn();
  AdminResponse res = service_.Handle(WithSession(Request("GET", "/api/session")));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(nlohmann::json::parse(res.body)["timezone"], "UTC") << "no zone given";
  DisplayZone zone;
  ASSERT_TRUE(zone.Set("America/New_York").ok());
  AdminService zoned(kAdminToken, backend_, sessions_, limiter_, config_api_, clock_, &zone);
  res = zoned.Handle(WithSession(Request("GET", "/api/session")));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(nlohmann::json::parse(res.body)["timezone"], "America/New_York");
  // A new TIMEZONE applies at the next call, no restart.
  ASSERT_TRUE(zone.Set("Asia/Shanghai").ok());
  EXPECT_EQ(nlohmann::json::parse(zoned.Handle(WithSession(Request("GET", "/api/session"))).body)["timezone"],
            "Asia/Shanghai");
  EXPECT_FALSE(zone.Set("Nowhere/Special").ok());
  EXPECT_EQ(zone.Get().name, "Asia/Shanghai") << "an unknown zone keeps the one in force";
}

TEST_F(AdminServiceTest, EveryApiRouteRefusesARequestWithoutASession) {
  for (const auto& [method, path] : AllRoutes()) {
    AdminResponse res = service_.Handle(Request(method, path, method == "POST" ? "{}" : ""));
    EXPECT_EQ(res.status, 401) << method << " " << path << ": " << res.body;
    EXPECT_THAT(res.body, HasSubstr("log in")) << path;
  }
  // A forged or stale cookie is no better.
  for (const auto& [method, path] : AllRoutes()) {
    AdminRequest r = Request(method, path, method == "POST" ? "{}" : "");
    r.headers["cookie"] = "gempool_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    EXPECT_EQ(service_.Handle(r).status, 401) << method << " " << path;
  }
  EXPECT_TRUE(backend_.calls.empty() || backend_.CallCount("ListKeys") == 0) << "nothing reached the backend";
  EXPECT_EQ(backend_.secrets.size(), 2u);
}

TEST_F(AdminServiceTest, PagesRedirectToLoginWithoutASession) {
  for (const char* page : {"/keys", "/config", "/logs", "/stats"}) {
    AdminResponse res = service_.Handle(Request("GET", page));
    EXPECT_EQ(res.status, 302) << page;
    EXPECT_EQ(Header(res, "Location"), "/");
  }
  AdminResponse login = service_.Handle(Request("GET", "/"));
  EXPECT_EQ(login.status, 200);
  EXPECT_THAT(login.body, HasSubstr("<html"));
  EXPECT_THAT(Header(login, "Content-Security-Policy"), HasSubstr("script-src 'self'"));
  LogIn();
  AdminRequest keys = Request("GET", "/keys");
  keys.headers["cookie"] = cookie_;
  EXPECT_EQ(service_.Handle(keys).status, 200);
  AdminRequest root = Request("GET", "/");
  root.headers["cookie"] = cookie_;
  EXPECT_EQ(Header(service_.Handle(root), "Location"), "/keys");
}

TEST_F(AdminServiceTest, SessionWorksAndLogoutRevokesIt) {
  LogIn();
  AdminResponse list = service_.Handle(WithSession(Request("GET", "/api/keys")));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(nlohmann::json::parse(list.body)["total"], 2);

  AdminResponse out = service_.Handle(WithSession(Request("POST", "/api/logout")));
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_THAT(Header(out, "Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_TRUE(backend_.sessions.empty());
  EXPECT_EQ(service_.Handle(WithSession(Request("GET", "/api/keys"))).status, 401);
}

TEST_F(AdminServiceTest, SessionsExpire) {
  LogIn();
  clock_.AdvanceMs(3600 * 1000 + 1);
  EXPECT_EQ(service_.Handle(WithSession(Request("GET", "/api/keys"))).status, 401);
}

TEST_F(AdminServiceTest, ACrossSiteFormPostIsRefused) {
  LogIn();
  // What a malicious page's <form method=post> sends: the cookie (if the
  // browser attached it), a foreign Origin, no CSRF header, a form body.
  AdminRequest form = Request("POST", "/api/keys/delete", "all=true");
  form.headers["cookie"] = cookie_;
  form.headers["content-type"] = "application/x-www-form-urlencoded";
  form.headers["origin"] = "https://evil.example";
  form.headers["sec-fetch-site"] = "cross-site";
  AdminResponse res = service_.Handle(form);
  EXPECT_EQ(res.status, 403) << res.body;
  EXPECT_EQ(backend_.secrets.size(), 2u);

  // Same without Sec-Fetch-Site (older browsers): the Origin still gives it away.
  form.headers.erase("sec-fetch-site");
  EXPECT_EQ(service_.Handle(form).status, 403);
  // Same-origin but without the CSRF token.
  form.headers["origin"] = "http://gempool.example:8000";
  EXPECT_EQ(service_.Handle(form).status, 403);
  // With a wrong token.
  form.headers["x-csrf-token"] = "0000";
  EXPECT_EQ(service_.Handle(form).status, 403);
  // The real page's request, but as a form: refused (JSON only).
  form.headers["x-csrf-token"] = csrf_;
  EXPECT_EQ(service_.Handle(form).status, 400);
  EXPECT_EQ(backend_.secrets.size(), 2u);
  // The real page's request.
  AdminResponse ok = service_.Handle(WithSession(Request("POST", "/api/keys/delete", R"({"ids":[1]})")));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(backend_.secrets.size(), 1u);
}

TEST_F(AdminServiceTest, ScriptsUseTheAdminTokenAsABearer) {
  AdminRequest r = Request("POST", "/api/keys/pause", R"({"ids":[2]})");
  r.headers["authorization"] = absl::StrCat("Bearer ", kAdminToken);
  AdminResponse res = service_.Handle(r);
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(backend_.states[2], v1::KEY_STATE_PAUSED);
  r.headers["authorization"] = "Bearer not-the-token";
  EXPECT_EQ(service_.Handle(r).status, 401);
}

TEST_F(AdminServiceTest, ABodyThatIsNotJsonIsAClearErrorWithItsPlace) {
  AdminRequest r = Request("POST", "/api/keys/pause", "{\"ids\":[2,}");
  r.headers["authorization"] = absl::StrCat("Bearer ", kAdminToken);
  AdminResponse res = service_.Handle(r);
  EXPECT_EQ(res.status, 400) << res.body;
  EXPECT_THAT(res.body, AllOf(HasSubstr("the body is not valid JSON"), HasSubstr("line 1")));
  EXPECT_EQ(backend_.states.count(2), 0u) << "nothing applied";
  AdminResponse login = service_.Handle(Request("POST", "/api/login", "{\"token\":"));
  EXPECT_EQ(login.status, 400) << login.body;
  EXPECT_THAT(login.body, HasSubstr("as JSON"));
}

// Bodies of the wrong shape are refused by the checks that read them (no
// exception is the error path): a 400 that names the field, nothing applied.
TEST_F(AdminServiceTest, ABodyOfTheWrongShapeIsRefusedNamingWhatIsWrong) {
  struct Case {
    const char* method;
    const char* path;
    const char* body;
    const char* says;
  };
  const Case cases[] = {
      {"POST", "/api/keys/pause", "[2]", "the body must be a JSON object ({...}), not array"},
      {"POST", "/api/logs/delete", R"("request")", "not string"},
      {"POST", "/api/logs/delete", R"({"table":5,"ids":[1]})", "table must be"},
      {"POST", "/api/logs/delete", R"({"table":"request","all":"yes"})", "all must be true or false"},
      {"POST", "/api/logs/delete", R"({"table":"request","ids":["1"]})", "is not valid"},
      {"POST", "/api/config", R"({"values":[1]})", "NAME"},
      {"POST", "/api/tokens", R"({"name":"n","limits":{"allowed_models":[1]}})", "must hold text"},
      {"PATCH", "/api/tokens/1", R"({"disabled":"no"})", "disabled must be true or false"},
  };
  for (const Case& c : cases) {
    AdminRequest r = Request(c.method, c.path, c.body);
    r.headers["authorization"] = absl::StrCat("Bearer ", kAdminToken);
    const AdminResponse res = service_.Handle(r);
    EXPECT_EQ(res.status, 400) << c.path << " " << c.body << ": " << res.body;
    EXPECT_THAT(res.body, HasSubstr(c.says)) << c.path << " " << c.body;
  }
  EXPECT_EQ(backend_.delete_calls(), 0u) << "nothing applied";
  EXPECT_EQ(backend_.states.count(2), 0u);
}

TEST_F(AdminServiceTest, FailedLoginsAreRateLimitedPerAddress) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(service_.Handle(Request("POST", "/api/login", R"({"token":"guess"})")).status, 401);
  }
  AdminResponse limited = service_.Handle(Request("POST", "/api/login", absl::StrCat(R"({"token":")", kAdminToken, R"("})")));
  EXPECT_EQ(limited.status, 429) << "even the right token waits";
  EXPECT_EQ(Header(limited, "Retry-After"), "60");
  AdminRequest other = Request("POST", "/api/login", absl::StrCat(R"({"token":")", kAdminToken, R"("})"));
  other.remote_addr = "198.51.100.1";
  EXPECT_EQ(service_.Handle(other).status, 200) << "other addresses are not affected";
  clock_.AdvanceMs(60 * 1000);
  EXPECT_EQ(service_.Handle(Request("POST", "/api/login", absl::StrCat(R"({"token":")", kAdminToken, R"("})"))).status,
            200);
}

TEST_F(AdminServiceTest, LoginFromAnotherSiteIsRefused) {
  AdminRequest r = Request("POST", "/api/login", absl::StrCat(R"({"token":")", kAdminToken, R"("})"));
  r.headers["origin"] = "https://evil.example";
  EXPECT_EQ(service_.Handle(r).status, 403);
}

TEST_F(AdminServiceTest, TheAdminTokenNeverAppearsInAnswersCookiesOrLogs) {
  SetLogLevel(LogLevel::kDebug);
  ::testing::internal::CaptureStderr();
  std::string everything;
  auto collect = [&everything](const AdminResponse& res) {
    everything += res.body;
    for (const auto& [name, value] : res.headers) everything += name + ": " + value + "\n";
  };
  collect(service_.Handle(Request("POST", "/api/login", R"({"token":"wrong"})")));
  collect(service_.Handle(Request("POST", "/api/login", absl::StrCat(R"({"token":")", kAdminToken, R"("})"))));
  LogIn();
  for (const auto& [method, path] : AllRoutes()) {
    if (path == "/api/logout") continue;
    collect(service_.Handle(WithSession(Request(method, path, method == "POST" ? "{}" : ""))));
    AdminRequest bearer = Request(method, path, method == "POST" ? R"({"ids":[1]})" : "");
    bearer.headers["authorization"] = absl::StrCat("Bearer ", kAdminToken);
    collect(service_.Handle(bearer));
  }
  for (const char* page : {"/", "/keys", "/config", "/logs", "/stats", "/static/app.js", "/static/i18n.js"}) {
    collect(service_.Handle(WithSession(Request("GET", page))));
  }
  const std::string logs = ::testing::internal::GetCapturedStderr();
  SetLogLevel(LogLevel::kInfo);
  EXPECT_THAT(everything, Not(HasSubstr(kAdminToken)));
  EXPECT_THAT(logs, Not(HasSubstr(kAdminToken)));
  EXPECT_THAT(logs, HasSubstr("failed login")) << "the log did capture the admin UI's lines";
  // The configuration page shows AUTH_TOKEN, masked.
  AdminResponse config = service_.Handle(WithSession(Request("GET", "/api/config")));
  ASSERT_EQ(config.status, 200);
  EXPECT_THAT(config.body, HasSubstr("AUTH_TOKEN"));
  EXPECT_THAT(config.body, Not(HasSubstr(kAdminToken)));
}

TEST_F(AdminServiceTest, KeysAddFromAnyPastedFormatAndReportDuplicates) {
  LogIn();
  AdminResponse res = service_.Handle(WithSession(Request(
      "POST", "/api/keys/add",
      R"({"text":"AIzaSyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC,\n[\"AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]\nAIzaSyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"})")));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = nlohmann::json::parse(res.body);
  EXPECT_EQ(body["added"], 1);
  EXPECT_EQ(body["submitted"], 3);
  EXPECT_EQ(body["duplicates"].size(), 2u);
  EXPECT_THAT(res.body, Not(HasSubstr("AIzaSyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))) << "duplicates are masked";
}

TEST_F(AdminServiceTest, ExportGivesFullKeysOnPurpose) {
  LogIn();
  AdminResponse res = service_.Handle(WithSession(Request("POST", "/api/keys/export", R"({"ids":[2]})")));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(nlohmann::json::parse(res.body)["secrets"][0], "AIzaSyBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
}

TEST_F(AdminServiceTest, LogsShowMaskedKeysEvenForRemovedOnes) {
  LogIn();
  v1::RequestLogEntry row;
  row.set_id(5);
  row.set_key_id(1);
  row.set_status_code(200);
  backend_.request_logs.push_back(row);
  row.set_id(6);
  row.set_key_id(99);  // Removed since.
  backend_.request_logs.push_back(row);
  AdminResponse res = service_.Handle(WithSession(Request("GET", "/api/logs/requests")));
  ASSERT_EQ(res.status, 200) << res.body;
  const auto body = nlohmann::json::parse(res.body);
  ASSERT_EQ(body["entries"].size(), 2u);
  EXPECT_EQ(body["entries"][0]["key"], "AIzaSy...AAAA");
  EXPECT_EQ(body["entries"][1]["key"], "");

  AdminRequest by_key = WithSession(Request("GET", "/api/logs/requests"));
  by_key.query["key"] = "AAAAAAAA";
  const auto filtered = nlohmann::json::parse(service_.Handle(by_key).body);
  EXPECT_EQ(filtered["total"], 1);
  by_key.query["key"] = "AIzaSy";
  EXPECT_EQ(service_.Handle(by_key).status, 400) << "matches two keys";

  AdminResponse del = service_.Handle(WithSession(Request("POST", "/api/logs/delete", R"({"table":"error","all":true})")));
  ASSERT_EQ(del.status, 200) << del.body;
  ASSERT_EQ(backend_.deletes.size(), 1u);
  EXPECT_EQ(backend_.deletes[0].table(), v1::LOG_TABLE_ERROR);
  EXPECT_TRUE(backend_.deletes[0].all());
}

// A page of error rows carries each request body's first bytes and its
// size; GET /api/logs/errors/{id} answers the row with its whole body, and
// an id no row has is a 404 naming it.
TEST_F(AdminServiceTest, AnErrorRowOpensByIdWithItsWholeRequestBody) {
  LogIn();
  v1::ErrorLogEntry row;
  row.set_id(7);
  row.set_key_id(1);
  row.set_status_code(400);
  row.set_error_type("INVALID_ARGUMENT");
  row.set_request_body(R"({"contents":[{"parts":[{"text":"hello there"}]}]})");
  backend_.error_logs.push_back(row);

  AdminResponse list = service_.Handle(WithSession(Request("GET", "/api/logs/errors")));
  ASSERT_EQ(list.status, 200) << list.body;
  const auto page = nlohmann::json::parse(list.body);
  ASSERT_EQ(page["entries"].size(), 1u);
  EXPECT_EQ(page["entries"][0]["request_body"], R"({"conten)");
  EXPECT_EQ(page["entries"][0]["request_body_bytes"], row.request_body().size());
  EXPECT_EQ(page["entries"][0]["request_body_truncated"], true);

  AdminResponse one = service_.Handle(WithSession(Request("GET", "/api/logs/errors/7")));
  ASSERT_EQ(one.status, 200) << one.body;
  const auto entry = nlohmann::json::parse(one.body);
  EXPECT_EQ(entry["id"], 7);
  EXPECT_EQ(entry["error_type"], "INVALID_ARGUMENT");
  EXPECT_EQ(entry["request_body"], row.request_body());
  EXPECT_EQ(entry["request_body_bytes"], row.request_body().size());
  EXPECT_EQ(entry["request_body_truncated"], false);
  EXPECT_EQ(entry["key"], "AIzaSy...AAAA");
  ASSERT_FALSE(backend_.error_log_queries.empty());
  EXPECT_EQ(backend_.error_log_queries.back().id(), 7);

  AdminResponse unknown = service_.Handle(WithSession(Request("GET", "/api/logs/errors/8")));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  const auto error = nlohmann::json::parse(unknown.body)["error"];
  EXPECT_EQ(error["status"], "NOT_FOUND");
  EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("error log row 8"));
  for (const char* bad : {"/api/logs/errors/abc", "/api/logs/errors/0", "/api/logs/errors/-1", "/api/logs/errors/"}) {
    EXPECT_EQ(service_.Handle(WithSession(Request("GET", bad))).status, 404) << bad;
  }
  EXPECT_EQ(service_.Handle(WithSession(Request("POST", "/api/logs/errors/7", "{}"))).status, 404);
}

TEST_F(AdminServiceTest, StaticFilesCarryAnETagAndRevalidate) {
  AdminResponse js = service_.Handle(Request("GET", "/static/app.js"));
  ASSERT_EQ(js.status, 200);
  EXPECT_THAT(js.content_type, HasSubstr("javascript"));
  const std::string etag = Header(js, "ETag");
  ASSERT_FALSE(etag.empty());
  AdminRequest again = Request("GET", "/static/app.js");
  again.headers["if-none-match"] = etag;
  EXPECT_EQ(service_.Handle(again).status, 304);
  EXPECT_EQ(service_.Handle(Request("GET", "/static/../CMakeLists.txt")).status, 404);
}

}  // namespace
}  // namespace gempool::gateway::admin
