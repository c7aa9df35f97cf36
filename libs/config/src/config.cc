#include "gempool/config/config.h"

#include <algorithm>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/log_format.h"
#include "gempool/common/memory.h"
#include "gempool/common/status_macros.h"
#include "gempool/common/time_zone.h"
#include "gempool/config/parse.h"
#include "gempool/anthropic/model_map.h"
#include "image_host_settings.h"
#include "openai_settings.h"

namespace gempool {
namespace {

using config::ParseBool;
using config::ParseDouble;
using config::ParseInt;
using config::ParseStringList;
using config::ParseStringMap;

// Default bind address for a gRPC service reached at `addr`: stay on loopback
// when clients reach it on loopback, otherwise listen on every interface
// (inside a container the service name resolves to a non-loopback address).
std::string DefaultListen(const std::string& addr) {
  const std::string host = addr.substr(0, addr.rfind(':'));
  const int port = config::PortOf(addr);
  if (host == "127.0.0.1" || host == "localhost" || host == "[::1]") {
    return absl::StrCat("127.0.0.1:", port);
  }
  return absl::StrCat("0.0.0.0:", port);
}

// TEST_MODEL is a model id ("models/" allowed): ASCII letters, digits and
// "-._~@+", as the gateway's routes accept. Key probes put it in a URL path.
absl::Status CheckTestModel(absl::string_view model) {
  absl::string_view id = model;
  if (absl::StartsWith(id, "models/")) id.remove_prefix(7);
  bool valid = !id.empty();
  for (char ch : id) {
    valid = valid && (absl::ascii_isalnum(static_cast<unsigned char>(ch)) ||
                      absl::string_view("-._~@+").find(ch) != absl::string_view::npos);
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "TEST_MODEL='", model, "' is not a model id: key verification needs one such as gemini-2.5-flash-lite"));
}

absl::Status Load(const Environment& env, Config& c) {
  auto text = [&](const char* name) { return env.GetOr(name, ""); };
  auto has = [&](const char* name) { return !text(name).empty(); };

  if (has("API_KEYS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.api_keys, ParseStringList("API_KEYS", text("API_KEYS")));
  }
  if (has("ALLOWED_TOKENS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.allowed_tokens, ParseStringList("ALLOWED_TOKENS", text("ALLOWED_TOKENS")));
  }
  c.auth_token = text("AUTH_TOKEN");
  c.base_url = env.GetOr("BASE_URL", c.base_url);
  while (absl::EndsWith(c.base_url, "/")) c.base_url.pop_back();
  if (!absl::StartsWith(c.base_url, "http://") && !absl::StartsWith(c.base_url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "BASE_URL='", c.base_url,
        "' is not valid: expected an http:// or https:// URL such as "
        "https://generativelanguage.googleapis.com/v1beta"));
  }
  if (has("VERTEX_API_KEYS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.vertex_api_keys, ParseStringList("VERTEX_API_KEYS", text("VERTEX_API_KEYS")));
  }
  c.vertex_express_base_url = env.GetOr("VERTEX_EXPRESS_BASE_URL", c.vertex_express_base_url);
  while (absl::EndsWith(c.vertex_express_base_url, "/")) c.vertex_express_base_url.pop_back();
  if (!absl::StartsWith(c.vertex_express_base_url, "http://") &&
      !absl::StartsWith(c.vertex_express_base_url, "https://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "VERTEX_EXPRESS_BASE_URL='", c.vertex_express_base_url,
        "' is not valid: expected an http:// or https:// URL such as "
        "https://aiplatform.googleapis.com/v1beta1/publishers/google"));
  }
  if (has("MAX_FAILURES")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.max_failures, ParseInt("MAX_FAILURES", text("MAX_FAILURES"), 1, 1000000));
  }
  if (has("MAX_RETRIES")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.max_retries, ParseInt("MAX_RETRIES", text("MAX_RETRIES"), 1, 100));
  }
  if (has("TIME_OUT")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.time_out_seconds, ParseInt("TIME_OUT", text("TIME_OUT"), 1, 86400));
  }
  c.test_model = env.GetOr("TEST_MODEL", c.test_model);
  GEMPOOL_RETURN_IF_ERROR(CheckTestModel(c.test_model));
  if (has("CHECK_INTERVAL_HOURS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.check_interval_hours,
                             ParseDouble("CHECK_INTERVAL_HOURS", text("CHECK_INTERVAL_HOURS"), 0, 8760));
  }
  if (has("MAX_FAILURES_RECHECK_SECONDS")) {
    GEMPOOL_ASSIGN_OR_RETURN(
        c.max_failures_recheck_seconds,
        ParseInt("MAX_FAILURES_RECHECK_SECONDS", text("MAX_FAILURES_RECHECK_SECONDS"), 0, 86400));
  }
  if (has("PROXIES")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.proxies, ParseStringList("PROXIES", text("PROXIES")));
    for (const std::string& p : c.proxies) {
      if (!absl::StartsWith(p, "http://") && !absl::StartsWith(p, "https://") && !absl::StartsWith(p, "socks5://") &&
          !absl::StartsWith(p, "socks5h://")) {
        return absl::InvalidArgumentError(absl::StrCat(
            "a PROXIES entry (", p.size(), " characters, value hidden as it may hold credentials) ",
            "is not valid: expected an http://, https://, socks5:// or socks5h:// proxy URL"));
      }
    }
  }
  if (has("CUSTOM_HEADERS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.custom_headers, ParseStringMap("CUSTOM_HEADERS", text("CUSTOM_HEADERS")));
  }
  c.paid_key = std::string(absl::StripAsciiWhitespace(text("PAID_KEY")));
  if (c.paid_key.find_first_of(" \t\r\n,") != std::string::npos) {
    return absl::InvalidArgumentError(
        "PAID_KEY is not valid: expected one Gemini API key, without spaces or commas");
  }
  if (has("PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.proxies_use_consistency_hash_by_api_key,
                             ParseBool("PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY",
                                       text("PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY")));
  }
  if (has("LOG_LEVEL")) {
    auto level = ParseLogLevel(text("LOG_LEVEL"));
    if (!level.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("LOG_LEVEL: ", level.status().message()));
    }
    c.log_level = *level;
  }
  if (has("LOG_FORMAT")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.log_format, ParseLogFormat(text("LOG_FORMAT")));
  }
  c.timezone = std::string(absl::StripAsciiWhitespace(env.GetOr("TIMEZONE", c.timezone)));
  // Loaded once here so a typo fails at start-up (and on the config page),
  // not later when a page shows a time.
  GEMPOOL_RETURN_IF_ERROR(LoadTimeZoneSetting(c.timezone).status());

  c.database_type = absl::AsciiStrToLower(env.GetOr("DATABASE_TYPE", c.database_type));
  if (c.database_type != "sqlite" && c.database_type != "mysql") {
    return absl::InvalidArgumentError(absl::StrCat("DATABASE_TYPE='", text("DATABASE_TYPE"),
                                                   "' is not valid: expected sqlite or mysql"));
  }
  c.data_dir = env.GetOr("DATA_DIR", c.data_dir);
  c.sqlite_database = env.GetOr("SQLITE_DATABASE", c.sqlite_database);
  c.mysql.host = env.GetOr("MYSQL_HOST", c.mysql.host);
  if (has("MYSQL_PORT")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.mysql.port, ParseInt("MYSQL_PORT", text("MYSQL_PORT"), 1, 65535));
  }
  c.mysql.user = text("MYSQL_USER");
  c.mysql.password = text("MYSQL_PASSWORD");
  c.mysql.database = text("MYSQL_DATABASE");
  c.mysql.socket = text("MYSQL_SOCKET");
  c.mysql.root_password = text("MYSQL_ROOT_PASSWORD");
  c.mysql.root_user = env.GetOr("MYSQL_ROOT_USER", c.mysql.root_user);
  if (c.database_type == "mysql") {
    for (const char* required : {"MYSQL_USER", "MYSQL_DATABASE"}) {
      if (!has(required)) {
        return absl::InvalidArgumentError(
            absl::StrCat(required, " is empty: DATABASE_TYPE=mysql needs MYSQL_HOST, MYSQL_PORT, ",
                         "MYSQL_USER, MYSQL_PASSWORD and MYSQL_DATABASE (or MYSQL_SOCKET)"));
      }
    }
  }

  c.host = env.GetOr("HOST", c.host);
  if (has("PORT")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.port, ParseInt("PORT", text("PORT"), 1, 65535));
  }
  c.keybroker_addr = env.GetOr("KEYBROKER_ADDR", c.keybroker_addr);
  GEMPOOL_RETURN_IF_ERROR(config::ValidateHostPort("KEYBROKER_ADDR", c.keybroker_addr));
  c.persistence_addr = env.GetOr("PERSISTENCE_ADDR", c.persistence_addr);
  GEMPOOL_RETURN_IF_ERROR(config::ValidateHostPort("PERSISTENCE_ADDR", c.persistence_addr));
  c.keybroker_listen = env.GetOr("KEYBROKER_LISTEN", DefaultListen(c.keybroker_addr));
  GEMPOOL_RETURN_IF_ERROR(config::ValidateHostPort("KEYBROKER_LISTEN", c.keybroker_listen));
  c.persistence_listen = env.GetOr("PERSISTENCE_LISTEN", DefaultListen(c.persistence_addr));
  GEMPOOL_RETURN_IF_ERROR(config::ValidateHostPort("PERSISTENCE_LISTEN", c.persistence_listen));
  c.metrics_token = std::string(absl::StripAsciiWhitespace(text("METRICS_TOKEN")));
  if (c.metrics_token.find_first_of(" \t\r\n") != std::string::npos) {
    return absl::InvalidArgumentError("METRICS_TOKEN is not valid: expected one token without spaces");
  }
  for (auto [name, field] : {std::pair<const char*, std::string*>{"GATEWAY_METRICS_LISTEN", &c.gateway_metrics_listen},
                             {"KEYBROKER_METRICS_LISTEN", &c.keybroker_metrics_listen},
                             {"PERSISTENCE_METRICS_LISTEN", &c.persistence_metrics_listen}}) {
    *field = std::string(absl::StripAsciiWhitespace(text(name)));
    if (!field->empty()) GEMPOOL_RETURN_IF_ERROR(config::ValidateHostPort(name, *field));
  }
  if (has("RPC_TIMEOUT_MS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.rpc_timeout_ms, ParseInt("RPC_TIMEOUT_MS", text("RPC_TIMEOUT_MS"), 10, 600000));
  }
  if (has("GATEWAY_IO_THREADS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.gateway_io_threads,
                             ParseInt("GATEWAY_IO_THREADS", text("GATEWAY_IO_THREADS"), 0, 256));
  }
  if (has("GATEWAY_THREADS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.gateway_threads, ParseInt("GATEWAY_THREADS", text("GATEWAY_THREADS"), 1, 10000));
  }
  if (has("MAX_CONNECTIONS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.max_connections, ParseInt("MAX_CONNECTIONS", text("MAX_CONNECTIONS"), 1, 1000000));
  }
  if (has("MAX_CONNECTIONS_PER_IP")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.max_connections_per_ip,
                             ParseInt("MAX_CONNECTIONS_PER_IP", text("MAX_CONNECTIONS_PER_IP"), 0, 1000000));
  }
  if (has("REQUEST_HEAD_TIMEOUT")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.request_head_timeout_seconds,
                             ParseInt("REQUEST_HEAD_TIMEOUT", text("REQUEST_HEAD_TIMEOUT"), 1, 3600));
  }
  if (has("REQUEST_BODY_TIMEOUT")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.request_body_timeout_seconds,
                             ParseInt("REQUEST_BODY_TIMEOUT", text("REQUEST_BODY_TIMEOUT"), 1, 86400));
  }
  if (has("KEEP_ALIVE_TIMEOUT")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.keep_alive_timeout_seconds,
                             ParseInt("KEEP_ALIVE_TIMEOUT", text("KEEP_ALIVE_TIMEOUT"), 1, 3600));
  }
  if (has("MAX_REQUEST_BODY_MB")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.max_request_body_mb,
                             ParseInt("MAX_REQUEST_BODY_MB", text("MAX_REQUEST_BODY_MB"), 1, 4096));
  }
  if (has("SHUTDOWN_GRACE_SECONDS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.shutdown_grace_seconds,
                             ParseInt("SHUTDOWN_GRACE_SECONDS", text("SHUTDOWN_GRACE_SECONDS"), 0, 3600));
  }
  if (has("MAX_KEY_WAIT_MS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.max_key_wait_ms, ParseInt("MAX_KEY_WAIT_MS", text("MAX_KEY_WAIT_MS"), 0, 60000));
  }
  if (has("ADMIN_SESSION_EXPIRE")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.admin_session_expire_seconds,
                             ParseInt("ADMIN_SESSION_EXPIRE", text("ADMIN_SESSION_EXPIRE"), 300, 86400));
  }
  if (has("AUTO_DELETE_REQUEST_LOGS_ENABLED")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.auto_delete_request_logs,
                             ParseBool("AUTO_DELETE_REQUEST_LOGS_ENABLED", text("AUTO_DELETE_REQUEST_LOGS_ENABLED")));
  }
  if (has("AUTO_DELETE_REQUEST_LOGS_DAYS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.auto_delete_request_logs_days,
                             ParseInt("AUTO_DELETE_REQUEST_LOGS_DAYS", text("AUTO_DELETE_REQUEST_LOGS_DAYS"), 1, 3650));
  }
  if (has("AUTO_DELETE_ERROR_LOGS_ENABLED")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.auto_delete_error_logs,
                             ParseBool("AUTO_DELETE_ERROR_LOGS_ENABLED", text("AUTO_DELETE_ERROR_LOGS_ENABLED")));
  }
  if (has("AUTO_DELETE_ERROR_LOGS_DAYS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.auto_delete_error_logs_days,
                             ParseInt("AUTO_DELETE_ERROR_LOGS_DAYS", text("AUTO_DELETE_ERROR_LOGS_DAYS"), 1, 3650));
  }
  if (has("ERROR_LOG_RECORD_REQUEST_BODY")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.error_log_record_request_body,
                             ParseBool("ERROR_LOG_RECORD_REQUEST_BODY", text("ERROR_LOG_RECORD_REQUEST_BODY")));
  }
  GEMPOOL_RETURN_IF_ERROR(config::LoadOpenAISettings(env, c.openai));
  GEMPOOL_RETURN_IF_ERROR(config::LoadImageHostSettings(env, c.image_host));
  if (has("RESPONSES_STORE_DAYS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.responses_store_days,
                             ParseInt("RESPONSES_STORE_DAYS", text("RESPONSES_STORE_DAYS"), 0, 3650));
  }
  if (has("RESPONSES_STORE_MAX_KB")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.responses_store_max_kb,
                             ParseInt("RESPONSES_STORE_MAX_KB", text("RESPONSES_STORE_MAX_KB"), 1, 65536));
  }
  if (has("FAKE_STREAM_ENABLED")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.fake_stream_enabled, ParseBool("FAKE_STREAM_ENABLED", text("FAKE_STREAM_ENABLED")));
  }
  if (has("FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.fake_stream_empty_data_interval_seconds,
                             ParseInt("FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS",
                                      text("FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS"), 1, 300));
  }
  if (has("FILES_USER_ISOLATION_ENABLED")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.files_user_isolation_enabled,
                             ParseBool("FILES_USER_ISOLATION_ENABLED", text("FILES_USER_ISOLATION_ENABLED")));
  }
  if (has("FILES_CLEANUP_ENABLED")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.files_cleanup_enabled, ParseBool("FILES_CLEANUP_ENABLED", text("FILES_CLEANUP_ENABLED")));
  }
  if (has("FILES_CLEANUP_INTERVAL_HOURS")) {
    GEMPOOL_ASSIGN_OR_RETURN(c.files_cleanup_interval_hours,
                             ParseInt("FILES_CLEANUP_INTERVAL_HOURS", text("FILES_CLEANUP_INTERVAL_HOURS"), 1, 168));
  }
  if (has("ANTHROPIC_MODEL_MAP")) {
    c.anthropic_model_map = text("ANTHROPIC_MODEL_MAP");
    GEMPOOL_RETURN_IF_ERROR(anthropic::ModelMap::Parse(c.anthropic_model_map).status());
  }
  return absl::OkStatus();
}

}  // namespace

std::string Config::SqlitePath() const {
  if (absl::StartsWith(sqlite_database, "/")) return sqlite_database;
  return absl::StrCat(data_dir, "/", sqlite_database);
}

const std::string& Config::AdminToken() const {
  static const std::string kNone;
  if (!auth_token.empty()) return auth_token;
  return allowed_tokens.empty() ? kNone : allowed_tokens.front();
}

bool Config::IsAllowedToken(const std::string& token) const {
  if (token.empty()) return false;
  if (token == AdminToken()) return true;
  for (const std::string& t : allowed_tokens) {
    if (t == token) return true;
  }
  return false;
}

absl::StatusOr<Config> LoadConfig(const Environment& env) {
  Config c;
  GEMPOOL_RETURN_IF_ERROR(Load(env, c));
  return c;
}

std::string DotEnvPath() {
  const char* path = std::getenv("GEMPOOL_ENV_FILE");
  return path != nullptr && *path != '\0' ? path : ".env";
}

absl::StatusOr<Config> LoadProcessConfig() { return LoadProcessConfig(std::vector<std::string>{}); }

absl::StatusOr<Config> LoadProcessConfig(const std::vector<std::string>& unused) {
  GEMPOOL_ASSIGN_OR_RETURN(Config c, [&]() -> absl::StatusOr<Config> {
    GEMPOOL_ASSIGN_OR_RETURN(Environment env, Environment::Load(DotEnvPath()));
    Environment used;
    for (const auto& [name, value] : env.values()) {
      if (std::find(unused.begin(), unused.end(), name) == unused.end()) used.Set(name, value.text, value.source);
    }
    return LoadConfig(used);
  }());
  // The environment's copies and the parse's temporaries are freed by now;
  // give their pages back rather than keep them resident.
  ReleaseFreeMemory();
  // LOG_FORMAT takes effect here, before the service writes its first line
  // about its settings, the level's change included (lines written before
  // it, e.g. a config error, are text).
  SetLogFormat(c.log_format);
  SetLogLevel(c.log_level);
  return c;
}

}  // namespace gempool
