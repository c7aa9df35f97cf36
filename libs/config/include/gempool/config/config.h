#pragma once
// gempool's settings, with gemini-balance's names and formats so its users can
// copy their .env across. Loaded once at start-up from an Environment, then
// passed down by const reference; nothing reads the environment afterwards.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/common/environment.h"
#include "gempool/common/logging.h"

namespace gempool {

struct MysqlSettings {
  std::string host = "127.0.0.1";  // MYSQL_HOST
  int port = 3306;                 // MYSQL_PORT
  std::string user;                // MYSQL_USER
  std::string password;            // MYSQL_PASSWORD
  std::string database;            // MYSQL_DATABASE
  std::string socket;              // MYSQL_SOCKET: connect through this unix socket if set.
  // MYSQL_ROOT_PASSWORD: the compose MySQL's root password. When set, persistence
  // uses it at start-up to bring the MYSQL_USER account (password, database,
  // grants) in step with the settings if that account cannot log in.
  std::string root_password;
};

struct Config {
  // --- Pool and clients ---
  std::vector<std::string> api_keys;        // API_KEYS: JSON list or comma-separated.
  std::vector<std::string> allowed_tokens;  // ALLOWED_TOKENS: client tokens.
  std::string auth_token;                   // AUTH_TOKEN: admin token; defaults to ALLOWED_TOKENS[0].
  std::string base_url = "https://generativelanguage.googleapis.com/v1beta";  // BASE_URL
  int max_failures = 3;                     // MAX_FAILURES: transient failures before a key is disabled.
  int max_retries = 3;                      // MAX_RETRIES: upstream attempts per request (incl. the first).
  int time_out_seconds = 300;               // TIME_OUT: upstream connect/read timeout.
  std::string test_model = "gemini-2.5-flash-lite";  // TEST_MODEL: model used to verify keys.
  double check_interval_hours = 1;          // CHECK_INTERVAL_HOURS: 0 disables re-validation.
  std::vector<std::string> proxies;         // PROXIES: http(s) proxy URLs for upstream calls.
  std::map<std::string, std::string> custom_headers;  // CUSTOM_HEADERS: added to upstream requests.
  LogLevel log_level = LogLevel::kInfo;     // LOG_LEVEL
  std::string timezone = "Asia/Shanghai";   // TIMEZONE

  // --- Storage ---
  std::string database_type = "sqlite";     // DATABASE_TYPE: sqlite or mysql.
  std::string data_dir = "./data";          // DATA_DIR
  std::string sqlite_database = "default_db";  // SQLITE_DATABASE: file under DATA_DIR (or absolute).
  MysqlSettings mysql;

  // --- Topology (gempool's own) ---
  std::string host = "0.0.0.0";             // HOST: gateway bind address.
  int port = 8000;                          // PORT: gateway HTTP port.
  std::string keybroker_addr = "127.0.0.1:8001";    // KEYBROKER_ADDR: where clients reach the broker.
  std::string persistence_addr = "127.0.0.1:8002";  // PERSISTENCE_ADDR: where clients reach persistence.
  std::string keybroker_listen;             // KEYBROKER_LISTEN: bind address; derived from KEYBROKER_ADDR.
  std::string persistence_listen;           // PERSISTENCE_LISTEN: bind address; derived from PERSISTENCE_ADDR.
  int rpc_timeout_ms = 2000;                // RPC_TIMEOUT_MS: deadline of internal gRPC calls.
  int gateway_threads = 256;                // GATEWAY_THREADS: gateway HTTP worker threads (each open
                                            // stream or keep-alive connection holds one).

  // The SQLite file path: SQLITE_DATABASE under DATA_DIR unless absolute.
  std::string SqlitePath() const;
  // The admin token in force (AUTH_TOKEN, else the first allowed token).
  const std::string& AdminToken() const;
  // Whether `token` may call the client APIs (an allowed token or the admin token).
  bool IsAllowedToken(const std::string& token) const;
};

// Reads and validates every setting. The first bad value stops loading with a
// message naming the variable, what it holds and what is expected.
absl::StatusOr<Config> LoadConfig(const Environment& env);

// The `.env` path a process reads: $GEMPOOL_ENV_FILE if set, else ./.env.
std::string DotEnvPath();

// Environment::Load(DotEnvPath()) then LoadConfig, and sets the log level.
// What each main() calls first.
absl::StatusOr<Config> LoadProcessConfig();

}  // namespace gempool
