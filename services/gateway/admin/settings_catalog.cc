#include "admin/settings_catalog.h"

namespace gempool::gateway::admin {

const std::vector<SettingSpec>& SettingCatalog() {
  static const std::vector<SettingSpec>* const kCatalog = new std::vector<SettingSpec>{
      // name, group, default, secret, editable, live, services[, not_live_reason]
      //
      // Editable settings are the ones running services take from the UI
      // (gateways, the key broker and persistence poll the settings table)
      // and apply live; the few others say why they cannot (see
      // SettingSpec::not_live_reason).
      {"API_KEYS", "keys", "", true, false, false, "keybroker", "keys"},
      {"VERTEX_API_KEYS", "keys", "", true, false, false, "keybroker", "keys"},
      {"MAX_FAILURES", "keys", "3", false, true, true, "keybroker"},
      {"CHECK_INTERVAL_HOURS", "keys", "1", false, true, true, "keybroker"},
      {"TEST_MODEL", "keys", "gemini-2.5-flash-lite", false, true, true, "keybroker"},
      {"PAID_KEY", "keys", "", true, true, true, "keybroker"},
      {"ALLOWED_TOKENS", "clients", "", true, true, true, "gateway"},
      {"AUTH_TOKEN", "clients", "", true, false, false, "gateway,keybroker,gempoolctl", "admin_token"},
      {"BASE_URL", "upstream", "https://generativelanguage.googleapis.com/v1beta", false, true, true,
       "gateway,keybroker"},
      {"TIME_OUT", "upstream", "300", false, true, true, "gateway,keybroker"},
      {"MAX_RETRIES", "upstream", "3", false, true, true, "gateway"},
      {"MAX_KEY_WAIT_MS", "upstream", "3000", false, true, true, "gateway"},
      {"CUSTOM_HEADERS", "upstream", "{}", false, true, true, "gateway,keybroker"},
      {"PROXIES", "upstream", "", true, true, true, "keybroker"},
      {"PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY", "upstream", "true", false, true, true, "keybroker"},
      {"VERTEX_EXPRESS_BASE_URL", "upstream", "https://aiplatform.googleapis.com/v1beta1/publishers/google", false,
       true, true, "gateway,keybroker"},
      {"FAKE_STREAM_ENABLED", "upstream", "false", false, true, true, "gateway"},
      {"FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS", "upstream", "5", false, true, true, "gateway"},
      {"ANTHROPIC_MODEL_MAP", "models", R"({"claude-*haiku*": "gemini-2.5-flash", "claude-*": "gemini-2.5-pro"})",
       false, true, true, "gateway"},
      {"SEARCH_MODELS", "models", R"(["gemini-2.5-flash","gemini-2.5-pro"])", false, true, true, "gateway"},
      {"IMAGE_MODELS", "models", R"(["gemini-2.0-flash-exp","gemini-2.5-flash-image-preview"])", false, true, true,
       "gateway"},
      {"THINKING_MODELS", "models", "[]", false, true, true, "gateway"},
      {"THINKING_BUDGET_MAP", "models", "{}", false, true, true, "gateway"},
      {"SHOW_THINKING_PROCESS", "models", "true", false, true, true, "gateway"},
      {"SHOW_SEARCH_LINK", "models", "true", false, true, true, "gateway"},
      {"SEARCH_LINK_LANGUAGE", "models", "en", false, true, true, "gateway"},
      {"SAFETY_SETTINGS", "models",
       R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"},{"category":"HARM_CATEGORY_HATE_SPEECH","threshold":"OFF"},{"category":"HARM_CATEGORY_SEXUALLY_EXPLICIT","threshold":"OFF"},{"category":"HARM_CATEGORY_DANGEROUS_CONTENT","threshold":"OFF"},{"category":"HARM_CATEGORY_CIVIC_INTEGRITY","threshold":"BLOCK_NONE"}])",
       false, true, true, "gateway"},
      {"FILTERED_MODELS", "models",
       R"(["gemini-1.0-pro-vision-latest","gemini-pro-vision","chat-bison-001","text-bison-001","embedding-gecko-001"])",
       false, true, true, "gateway"},
      {"TOOLS_CODE_EXECUTION_ENABLED", "models", "false", false, true, true, "gateway"},
      {"URL_CONTEXT_ENABLED", "models", "false", false, true, true, "gateway"},
      {"URL_CONTEXT_MODELS", "models",
       R"(["gemini-2.5-pro","gemini-2.5-flash","gemini-2.5-flash-lite","gemini-2.0-flash","gemini-2.0-flash-live-001"])",
       false, true, true, "gateway"},
      {"TTS_MODEL", "models", "gemini-2.5-flash-preview-tts", false, true, true, "gateway"},
      {"TTS_VOICE_NAME", "models", "Zephyr", false, true, true, "gateway"},
      {"TTS_SPEED", "models", "normal", false, true, true, "gateway"},
      {"MEDIA_FETCH_ALLOW_PRIVATE", "models", "false", false, false, false, "gateway", "unsafe"},
      {"RESPONSES_STORE_DAYS", "models", "30", false, true, true, "gateway"},
      {"RESPONSES_STORE_MAX_KB", "models", "2048", false, true, true, "gateway"},
      {"CREATE_IMAGE_MODEL", "images", "imagen-3.0-generate-002", false, true, true, "gateway"},
      {"UPLOAD_PROVIDER", "images", "smms", false, true, true, "gateway"},
      {"SMMS_SECRET_TOKEN", "images", "", true, true, true, "gateway"},
      {"SMMS_API_URL", "images", "https://sm.ms/api/v2/upload", false, true, true, "gateway"},
      {"PICGO_API_KEY", "images", "", true, true, true, "gateway"},
      {"PICGO_API_URL", "images", "https://www.picgo.net/api/1/upload", false, true, true, "gateway"},
      {"CLOUDFLARE_IMGBED_URL", "images", "", false, true, true, "gateway"},
      {"CLOUDFLARE_IMGBED_AUTH_CODE", "images", "", true, true, true, "gateway"},
      {"CLOUDFLARE_IMGBED_UPLOAD_FOLDER", "images", "", false, true, true, "gateway"},
      {"OSS_ENDPOINT", "images", "", false, true, true, "gateway"},
      {"OSS_ENDPOINT_INNER", "images", "", false, true, true, "gateway"},
      {"OSS_ACCESS_KEY", "images", "", false, true, true, "gateway"},
      {"OSS_ACCESS_KEY_SECRET", "images", "", true, true, true, "gateway"},
      {"OSS_BUCKET_NAME", "images", "", false, true, true, "gateway"},
      {"OSS_REGION", "images", "", false, true, true, "gateway"},
      {"FILES_USER_ISOLATION_ENABLED", "files", "true", false, true, true, "gateway"},
      {"FILES_CLEANUP_ENABLED", "files", "true", false, true, true, "persistence"},
      {"FILES_CLEANUP_INTERVAL_HOURS", "files", "1", false, true, true, "persistence"},
      {"LOG_LEVEL", "logs", "INFO", false, true, true, "gateway,keybroker,persistence"},
      {"AUTO_DELETE_REQUEST_LOGS_ENABLED", "logs", "true", false, true, true, "gateway"},
      {"AUTO_DELETE_REQUEST_LOGS_DAYS", "logs", "30", false, true, true, "gateway"},
      {"AUTO_DELETE_ERROR_LOGS_ENABLED", "logs", "true", false, true, true, "gateway"},
      {"AUTO_DELETE_ERROR_LOGS_DAYS", "logs", "7", false, true, true, "gateway"},
      {"ERROR_LOG_RECORD_REQUEST_BODY", "logs", "false", false, true, true, "gateway"},
      {"ADMIN_SESSION_EXPIRE", "admin", "3600", false, true, true, "gateway"},
      {"TIMEZONE", "admin", "Asia/Shanghai", false, true, true, "gateway"},
      {"DATABASE_TYPE", "storage", "sqlite", false, false, false, "persistence", "database"},
      {"DATA_DIR", "storage", "./data", false, false, false, "persistence", "database"},
      {"SQLITE_DATABASE", "storage", "default_db", false, false, false, "persistence", "database"},
      {"MYSQL_HOST", "storage", "127.0.0.1", false, false, false, "persistence", "database"},
      {"MYSQL_PORT", "storage", "3306", false, false, false, "persistence", "database"},
      {"MYSQL_USER", "storage", "", false, false, false, "persistence", "database"},
      {"MYSQL_PASSWORD", "storage", "", true, false, false, "persistence", "database"},
      {"MYSQL_DATABASE", "storage", "", false, false, false, "persistence", "database"},
      {"MYSQL_SOCKET", "storage", "", false, false, false, "persistence", "database"},
      {"MYSQL_ROOT_PASSWORD", "storage", "", true, false, false, "persistence", "database"},
      {"MYSQL_ROOT_USER", "storage", "root", false, false, false, "persistence", "database"},
      {"HOST", "network", "0.0.0.0", false, false, false, "gateway", "listen"},
      {"PORT", "network", "8000", false, false, false, "gateway", "listen"},
      {"KEYBROKER_ADDR", "network", "127.0.0.1:8001", false, false, false, "gateway,keybroker,gempoolctl", "address"},
      {"PERSISTENCE_ADDR", "network", "127.0.0.1:8002", false, false, false, "gateway,keybroker,persistence", "address"},
      {"KEYBROKER_LISTEN", "network", "", false, false, false, "keybroker", "listen"},
      {"PERSISTENCE_LISTEN", "network", "", false, false, false, "persistence", "listen"},
      {"RPC_TIMEOUT_MS", "network", "2000", false, false, false, "gateway,keybroker,gempoolctl", "startup"},
      {"GATEWAY_IO_THREADS", "network", "0", false, false, false, "gateway", "startup"},
      {"GATEWAY_THREADS", "network", "1024", false, true, true, "gateway"},
      {"MAX_CONNECTIONS", "network", "20000", false, true, true, "gateway"},
      {"MAX_CONNECTIONS_PER_IP", "network", "256", false, true, true, "gateway"},
      {"REQUEST_HEAD_TIMEOUT", "network", "10", false, true, true, "gateway"},
      {"REQUEST_BODY_TIMEOUT", "network", "120", false, true, true, "gateway"},
      {"KEEP_ALIVE_TIMEOUT", "network", "60", false, true, true, "gateway"},
      {"MAX_REQUEST_BODY_MB", "network", "128", false, true, true, "gateway"},
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
