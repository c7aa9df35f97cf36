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
  // MYSQL_ROOT_USER: the account MYSQL_ROOT_PASSWORD belongs to (default root;
  // another administrator with CREATE USER and GRANT OPTION works too).
  std::string root_user = "root";
};

// One SAFETY_SETTINGS entry: a Gemini harm category and its block threshold.
struct SafetySetting {
  std::string category;   // e.g. "HARM_CATEGORY_HARASSMENT"
  std::string threshold;  // e.g. "OFF", "BLOCK_NONE", "BLOCK_ONLY_HIGH"
};
bool operator==(const SafetySetting& a, const SafetySetting& b);

// The OpenAI-compatible API (/v1/chat/completions, /v1/models, ...): how
// requests are converted for Gemini. Defaults are gemini-balance's.
struct OpenAISettings {
  // SEARCH_MODELS: "<model>-search" ids that add the Google Search tool.
  std::vector<std::string> search_models = {"gemini-2.5-flash", "gemini-2.5-pro"};
  // IMAGE_MODELS: "<model>-image" ids that ask for text and image output.
  std::vector<std::string> image_models = {"gemini-2.0-flash-exp", "gemini-2.5-flash-image-preview"};
  // THINKING_MODELS: "<model>-non-thinking" ids with thinking turned off.
  std::vector<std::string> thinking_models;
  // THINKING_BUDGET_MAP: model → thinkingBudget when the client sets none (-1..32768).
  std::map<std::string, int> thinking_budget_map;
  bool show_thinking_process = true;  // SHOW_THINKING_PROCESS: thoughts as reasoning_content.
  bool show_search_link = true;       // SHOW_SEARCH_LINK: grounding links appended to answers.
  std::string search_link_language = "en";  // SEARCH_LINK_LANGUAGE: en or zh (the links' heading).
  // SAFETY_SETTINGS: sent when the client sets none; empty sends none.
  std::vector<SafetySetting> safety_settings = {{"HARM_CATEGORY_HARASSMENT", "OFF"},
                                                {"HARM_CATEGORY_HATE_SPEECH", "OFF"},
                                                {"HARM_CATEGORY_SEXUALLY_EXPLICIT", "OFF"},
                                                {"HARM_CATEGORY_DANGEROUS_CONTENT", "OFF"},
                                                {"HARM_CATEGORY_CIVIC_INTEGRITY", "BLOCK_NONE"}};
  // FILTERED_MODELS: hidden from model lists and refused.
  std::vector<std::string> filtered_models = {"gemini-1.0-pro-vision-latest", "gemini-pro-vision",
                                              "chat-bison-001", "text-bison-001", "embedding-gecko-001"};
  std::string create_image_model = "imagen-3.0-generate-002";  // CREATE_IMAGE_MODEL: /v1/images/generations.
  std::string tts_model = "gemini-2.5-flash-preview-tts";      // TTS_MODEL: /v1/audio/speech.
  std::string tts_voice_name = "Zephyr";                       // TTS_VOICE_NAME: fallback voice.
  // TTS_SPEED: how fast the voice speaks ("slow", "normal", "fast", or
  // another word or two of letters): asked of the model in the prompt
  // ("Speak in a <speed> speed voice: ..."), as gemini-balance does;
  // "normal" leaves the prompt as the client sent it.
  std::string tts_speed = "normal";
  bool tools_code_execution_enabled = false;  // TOOLS_CODE_EXECUTION_ENABLED: add the codeExecution tool.
  bool url_context_enabled = false;           // URL_CONTEXT_ENABLED: add the urlContext tool ...
  std::vector<std::string> url_context_models = {"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite",
                                                 "gemini-2.0-flash", "gemini-2.0-flash-live-001"};  // ... for these.
  // MEDIA_FETCH_ALLOW_PRIVATE: let image URLs in chat requests reach private,
  // loopback and link-local addresses. Unsafe (lets clients probe the
  // gateway's network); for tests only.
  bool media_fetch_allow_private = false;
};
// Field by field (a gateway rebuilds its conversion options only when these
// changed): a field added above must be added to it (openai_settings.cc).
bool operator==(const OpenAISettings& a, const OpenAISettings& b);
inline bool operator!=(const OpenAISettings& a, const OpenAISettings& b) { return !(a == b); }

// Image hosting (UPLOAD_PROVIDER and its providers' settings, gemini-balance's
// names): where images that image models answer on the OpenAI chat path are
// uploaded, so the answer carries a link instead of a multi-megabyte data:
// URI. With no usable host (or when an upload fails) the data: URI stays and
// x-gempool-warnings says why.
struct ImageHostSettings {
  // UPLOAD_PROVIDER: smms, picgo, cloudflare_imgbed, aliyun_oss, or none
  // (keep data: URIs, no warning).
  std::string provider = "smms";
  std::string smms_secret_token;  // SMMS_SECRET_TOKEN: SM.MS API token.
  // SMMS_API_URL: SM.MS's upload endpoint (API v2); users in China use the
  // mirror https://smms.app/api/v2/upload. Not in gemini-balance.
  std::string smms_api_url = "https://sm.ms/api/v2/upload";
  std::string picgo_api_key;      // PICGO_API_KEY: PicGo / Chevereto API key.
  // PICGO_API_URL: the Chevereto-compatible upload endpoint.
  std::string picgo_api_url = "https://www.picgo.net/api/1/upload";
  std::string cloudflare_imgbed_url;            // CLOUDFLARE_IMGBED_URL: the ImgBed upload URL.
  std::string cloudflare_imgbed_auth_code;      // CLOUDFLARE_IMGBED_AUTH_CODE
  std::string cloudflare_imgbed_upload_folder;  // CLOUDFLARE_IMGBED_UPLOAD_FOLDER (optional)
  // Aliyun OSS: OSS_ENDPOINT (e.g. oss-cn-hangzhou.aliyuncs.com, or an
  // http(s):// URL), OSS_ENDPOINT_INNER (the internal endpoint uploads go
  // through when set; links still use OSS_ENDPOINT), OSS_ACCESS_KEY,
  // OSS_ACCESS_KEY_SECRET, OSS_BUCKET_NAME, OSS_REGION (e.g. cn-hangzhou).
  std::string oss_endpoint;
  std::string oss_endpoint_inner;
  std::string oss_access_key;
  std::string oss_access_key_secret;
  std::string oss_bucket_name;
  std::string oss_region;

  // The settings `provider` needs that are empty (e.g. {"SMMS_SECRET_TOKEN"}):
  // empty when uploads can be tried. "none" needs nothing.
  std::vector<std::string> MissingSettings() const;
};

struct Config {
  // --- Pool and clients ---
  std::vector<std::string> api_keys;        // API_KEYS: JSON list or comma-separated.
  // VERTEX_API_KEYS: Vertex AI Express keys, a second pool (same states and
  // cooldowns) served on the /vertex-express/ routes. Same formats as API_KEYS.
  std::vector<std::string> vertex_api_keys;
  // VERTEX_EXPRESS_BASE_URL: where Vertex AI Express calls go.
  std::string vertex_express_base_url = "https://aiplatform.googleapis.com/v1beta1/publishers/google";
  std::vector<std::string> allowed_tokens;  // ALLOWED_TOKENS: client tokens.
  std::string auth_token;                   // AUTH_TOKEN: admin token; defaults to ALLOWED_TOKENS[0].
  std::string base_url = "https://generativelanguage.googleapis.com/v1beta";  // BASE_URL
  int max_failures = 3;                     // MAX_FAILURES: transient failures before a key is disabled.
  int max_retries = 3;                      // MAX_RETRIES: upstream attempts per request (incl. the first).
  int time_out_seconds = 300;               // TIME_OUT: upstream connect/read timeout.
  std::string test_model = "gemini-2.5-flash-lite";  // TEST_MODEL: model used to verify keys.
  double check_interval_hours = 1;          // CHECK_INTERVAL_HOURS: 0 disables re-validation.
  // MAX_FAILURES_RECHECK_SECONDS: from a key disabled by MAX_FAILURES to its
  // first re-check (then doubling, up to ten times this); 0 leaves such keys
  // to CHECK_INTERVAL_HOURS.
  int max_failures_recheck_seconds = 60;
  std::vector<std::string> proxies;         // PROXIES: http(s) proxy URLs for upstream calls.
  std::map<std::string, std::string> custom_headers;  // CUSTOM_HEADERS: added to upstream requests.
  std::string paid_key;                     // PAID_KEY: serves image models (Imagen) outside the rotation.
  // PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY: true sends each key through the
  // same proxy every time (a stable hash of the key); false picks a proxy at
  // random for every upstream call.
  bool proxies_use_consistency_hash_by_api_key = true;
  LogLevel log_level = LogLevel::kInfo;     // LOG_LEVEL
  // LOG_FORMAT: "text" (the default: one human-readable line per entry) or
  // "json" (one JSON object per line, for Loki, ELK and the like).
  LogFormat log_format = LogFormat::kText;
  // TIMEZONE: an IANA zone (checked at load) in which the admin pages and
  // gempoolctl show times and the statistics cut calendar days and months.
  std::string timezone = "Asia/Shanghai";

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
  // --- Metrics (Prometheus text format) ---
  // METRICS_TOKEN: when set, the gateway also answers GET /metrics on its
  // public port to `Authorization: Bearer <METRICS_TOKEN>` (401 without it);
  // when empty, /metrics is not served on the public port (404).
  std::string metrics_token;
  // GATEWAY_METRICS_LISTEN, KEYBROKER_METRICS_LISTEN,
  // PERSISTENCE_METRICS_LISTEN: host:port of a separate listener that
  // serves only GET /metrics, without a token (bind it to a private
  // address); empty (the default) for none.
  std::string gateway_metrics_listen;
  std::string keybroker_metrics_listen;
  std::string persistence_metrics_listen;
  int rpc_timeout_ms = 2000;                // RPC_TIMEOUT_MS: deadline of internal gRPC calls.
  // SHUTDOWN_GRACE_SECONDS: on SIGTERM/SIGINT a service stops taking new
  // work and lets what is in flight finish for at most this long (a gateway's
  // calls and streams, the broker's and persistence's RPCs) before cutting
  // the rest; then it flushes its queues and exits 0. Read at start-up.
  int shutdown_grace_seconds = 30;
  int max_key_wait_ms = 3000;               // MAX_KEY_WAIT_MS: when every key is cooling, how long a
                                            // request may wait for the first to free up before 429.
  // GATEWAY_IO_THREADS: event-loop threads serving every client connection
  // and upstream call (0: one per two cores, at least one).
  int gateway_io_threads = 0;
  // GATEWAY_THREADS: most worker threads running blocking work at once
  // (the OpenAI embeddings, images, speech and model routes, chat requests
  // with image URLs to fetch, the admin UI); connections and streams hold no
  // thread. Started on demand; idle ones exit.
  int gateway_threads = 1024;
  // MAX_CONNECTIONS: open client connections a gateway keeps; past it new
  // connections get a fast 503 and are closed.
  int max_connections = 20000;
  // MAX_CONNECTIONS_PER_IP: simultaneous connections from one client address
  // (0: no limit; set 0 behind a reverse proxy, where every client has the
  // proxy's address).
  int max_connections_per_ip = 256;
  // REQUEST_HEAD_TIMEOUT: the request line and headers must arrive within
  // this (slowloris defence), else 408 and close.
  int request_head_timeout_seconds = 10;
  int request_body_timeout_seconds = 120;   // REQUEST_BODY_TIMEOUT: the whole body must arrive within this.
  int keep_alive_timeout_seconds = 60;      // KEEP_ALIVE_TIMEOUT: an idle keep-alive connection is closed after.
  int max_request_body_mb = 128;            // MAX_REQUEST_BODY_MB: bigger request bodies get 413.

  // --- Admin web UI ---
  int admin_session_expire_seconds = 3600;  // ADMIN_SESSION_EXPIRE: admin login lifetime (300-86400 s).
  bool auto_delete_request_logs = true;     // AUTO_DELETE_REQUEST_LOGS_ENABLED
  int auto_delete_request_logs_days = 30;   // AUTO_DELETE_REQUEST_LOGS_DAYS: kept this many days.
  bool auto_delete_error_logs = true;       // AUTO_DELETE_ERROR_LOGS_ENABLED
  int auto_delete_error_logs_days = 7;      // AUTO_DELETE_ERROR_LOGS_DAYS: kept this many days.
  // ERROR_LOG_RECORD_REQUEST_BODY: error-log rows keep the request body sent
  // upstream (credentials and data: payloads redacted, capped in size).
  bool error_log_record_request_body = false;

  // --- OpenAI-compatible API ---
  OpenAISettings openai;
  ImageHostSettings image_host;

  // --- OpenAI Responses API ---
  // RESPONSES_STORE_DAYS: how long a stored response (`store: true`, the
  // default) can be continued from (previous_response_id) or read back;
  // 0 stores nothing even when the client asks (0-3650).
  int responses_store_days = 30;
  // RESPONSES_STORE_MAX_KB: a response whose stored document (input and
  // output items) is larger is not stored, and the gateway says so in a
  // warning (1-65536; persistence refuses more than 64 MiB).
  int responses_store_max_kb = 2048;

  // --- Fake streaming ---
  // FAKE_STREAM_ENABLED: a streamed chat call (OpenAI chat completions and
  // native streamGenerateContent) is served by one non-streamed upstream
  // call, the client getting a heartbeat every interval until the answer
  // arrives whole: keeps long answers alive behind proxies that cut idle
  // connections.
  bool fake_stream_enabled = false;
  // FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS: the heartbeat interval (1-300).
  int fake_stream_empty_data_interval_seconds = 5;

  // --- Files API ---
  // FILES_USER_ISOLATION_ENABLED: a client token lists, reads and deletes
  // only the files it uploaded.
  bool files_user_isolation_enabled = true;
  // FILES_CLEANUP_ENABLED: expired file records and upload sessions are
  // removed every FILES_CLEANUP_INTERVAL_HOURS (1-168) by persistence.
  bool files_cleanup_enabled = true;
  int files_cleanup_interval_hours = 1;

  // --- Anthropic Messages API ---
  // ANTHROPIC_MODEL_MAP: JSON object of glob pattern → Gemini model, for the
  // Claude model names Anthropic clients send (gempool/anthropic/model_map.h
  // says how patterns match). Kept as text, checked by that parser.
  std::string anthropic_model_map = R"({"claude-*haiku*": "gemini-2.5-flash", "claude-*": "gemini-2.5-pro"})";

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
// The same, for a process that never uses the settings named in `unused`:
// they are neither parsed nor validated, and stay unset in the Config (the
// gateway and persistence skip API_KEYS, which can hold 100,000 keys that
// only the key broker reads).
absl::StatusOr<Config> LoadProcessConfig(const std::vector<std::string>& unused);

}  // namespace gempool
