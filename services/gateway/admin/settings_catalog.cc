#include "admin/settings_catalog.h"

namespace gempool::gateway::admin {

const std::vector<SettingSpec>& SettingCatalog() {
  static const std::vector<SettingSpec>* const kCatalog = new std::vector<SettingSpec>{
      // name, group, default, secret, editable, live, services
      //
      // Editable settings are the ones running services take from the UI
      // (gateways and the key broker poll the settings table); the rest are
      // needed before the database can be reached, or read only at start-up.
      {"API_KEYS", "keys", "", true, false, false, "keybroker"},
      {"VERTEX_API_KEYS", "keys", "", true, false, false, "keybroker"},
      {"MAX_FAILURES", "keys", "3", false, true, true, "keybroker"},
      {"CHECK_INTERVAL_HOURS", "keys", "1", false, true, true, "keybroker"},
      {"TEST_MODEL", "keys", "gemini-2.5-flash-lite", false, true, true, "keybroker"},
      {"PAID_KEY", "keys", "", true, true, true, "keybroker"},
      {"ALLOWED_TOKENS", "clients", "", true, true, true, "gateway"},
      {"AUTH_TOKEN", "clients", "", true, false, false, "gateway,keybroker,gempoolctl"},
      {"BASE_URL", "upstream", "https://generativelanguage.googleapis.com/v1beta", false, true, true,
       "gateway,keybroker"},
      {"TIME_OUT", "upstream", "300", false, true, true, "gateway,keybroker"},
      {"MAX_RETRIES", "upstream", "3", false, true, true, "gateway"},
      {"MAX_KEY_WAIT_MS", "upstream", "3000", false, false, false, "gateway"},
      {"CUSTOM_HEADERS", "upstream", "{}", false, true, true, "gateway,keybroker"},
      {"PROXIES", "upstream", "", true, true, true, "keybroker"},
      {"VERTEX_EXPRESS_BASE_URL", "upstream", "https://aiplatform.googleapis.com/v1beta1/publishers/google", false,
       true, true, "gateway,keybroker"},
      {"FAKE_STREAM_ENABLED", "upstream", "false", false, true, true, "gateway"},
      {"FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS", "upstream", "5", false, true, true, "gateway"},
      {"ANTHROPIC_MODEL_MAP", "models", R"({"claude-*haiku*": "gemini-2.5-flash", "claude-*": "gemini-2.5-pro"})",
       false, true, true, "gateway"},
      {"RESPONSES_STORE_DAYS", "models", "30", false, false, false, "gateway"},
      {"RESPONSES_STORE_MAX_KB", "models", "2048", false, false, false, "gateway"},
      {"FILES_USER_ISOLATION_ENABLED", "files", "true", false, true, true, "gateway"},
      {"FILES_CLEANUP_ENABLED", "files", "true", false, true, true, "persistence"},
      {"FILES_CLEANUP_INTERVAL_HOURS", "files", "1", false, true, true, "persistence"},
      {"LOG_LEVEL", "logs", "INFO", false, true, true, "gateway,keybroker,persistence"},
      {"AUTO_DELETE_REQUEST_LOGS_ENABLED", "logs", "true", false, true, true, "gateway"},
      {"AUTO_DELETE_REQUEST_LOGS_DAYS", "logs", "30", false, true, true, "gateway"},
      {"AUTO_DELETE_ERROR_LOGS_ENABLED", "logs", "true", false, true, true, "gateway"},
      {"AUTO_DELETE_ERROR_LOGS_DAYS", "logs", "7", false, true, true, "gateway"},
      {"ADMIN_SESSION_EXPIRE", "admin", "3600", false, false, false, "gateway"},
      {"TIMEZONE", "admin", "Asia/Shanghai", false, false, false, "gateway,keybroker"},
      {"DATABASE_TYPE", "storage", "sqlite", false, false, false, "persistence"},
      {"DATA_DIR", "storage", "./data", false, false, false, "persistence"},
      {"SQLITE_DATABASE", "storage", "default_db", false, false, false, "persistence"},
      {"MYSQL_HOST", "storage", "127.0.0.1", false, false, false, "persistence"},
      {"MYSQL_PORT", "storage", "3306", false, false, false, "persistence"},
      {"MYSQL_USER", "storage", "", false, false, false, "persistence"},
      {"MYSQL_PASSWORD", "storage", "", true, false, false, "persistence"},
      {"MYSQL_DATABASE", "storage", "", false, false, false, "persistence"},
      {"MYSQL_SOCKET", "storage", "", false, false, false, "persistence"},
      {"MYSQL_ROOT_PASSWORD", "storage", "", true, false, false, "persistence"},
      {"HOST", "network", "0.0.0.0", false, false, false, "gateway"},
      {"PORT", "network", "8000", false, false, false, "gateway"},
      {"KEYBROKER_ADDR", "network", "127.0.0.1:8001", false, false, false, "gateway,keybroker,gempoolctl"},
      {"PERSISTENCE_ADDR", "network", "127.0.0.1:8002", false, false, false, "gateway,keybroker,persistence"},
      {"KEYBROKER_LISTEN", "network", "", false, false, false, "keybroker"},
      {"PERSISTENCE_LISTEN", "network", "", false, false, false, "persistence"},
      {"RPC_TIMEOUT_MS", "network", "2000", false, false, false, "gateway,keybroker,gempoolctl"},
      {"GATEWAY_IO_THREADS", "network", "0", false, false, false, "gateway"},
      {"GATEWAY_THREADS", "network", "1024", false, false, false, "gateway"},
      {"MAX_CONNECTIONS", "network", "20000", false, false, false, "gateway"},
      {"MAX_CONNECTIONS_PER_IP", "network", "256", false, false, false, "gateway"},
      {"REQUEST_HEAD_TIMEOUT", "network", "10", false, false, false, "gateway"},
      {"REQUEST_BODY_TIMEOUT", "network", "120", false, false, false, "gateway"},
      {"KEEP_ALIVE_TIMEOUT", "network", "60", false, false, false, "gateway"},
      {"MAX_REQUEST_BODY_MB", "network", "128", false, false, false, "gateway"},
  };
  return *kCatalog;
}

const SettingSpec* FindSetting(absl::string_view name) {
  for (const SettingSpec& spec : SettingCatalog()) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

}  // namespace gempool::gateway::admin
