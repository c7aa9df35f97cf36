#include "gemini_balance_import.h"

#include <cstdint>
#include <functional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gempool/common/secrets.h"
#include "gempool/config/config.h"
#include "gempool/config/parse.h"
#include "gempool/config/ui_settings.h"
#include "nlohmann/json.hpp"

namespace gempool::ctl {
namespace {

using ImportJson = nlohmann::json;

// The longest key secret persistence stores (storage::kMaxSecretBytes).
constexpr size_t kMaxSecretBytes = 191;

// A setting's parsed value as comparable text.
using Render = std::function<std::string(const Config&)>;

// Comparable bytes of a value: CBOR, which unlike dump() takes strings that
// are not UTF-8 (dump() throws on them, and a comma-separated list in a
// gemini-balance row may hold any bytes: found by the import fuzzer,
// tests/fuzz/gemini_balance_import/non_utf8_list_entry).
std::string Comparable(const ImportJson& value) {
  const std::vector<std::uint8_t> bytes = ImportJson::to_cbor(value);
  return std::string(bytes.begin(), bytes.end());
}

std::string Text(const std::vector<std::string>& list) { return Comparable(ImportJson(list)); }
std::string Text(const std::map<std::string, std::string>& map) { return Comparable(ImportJson(map)); }
std::string Text(const std::map<std::string, int>& map) { return Comparable(ImportJson(map)); }
std::string Text(bool value) { return value ? "true" : "false"; }

// The settings gempool reads (libs/config) that an import may store, as the
// admin page stores them, with how to compare their values.
const std::map<std::string, Render>& ImportableSettings() {
  static const auto* const kSettings = new std::map<std::string, Render>{
      {"ALLOWED_TOKENS", [](const Config& c) { return Text(c.allowed_tokens); }},
      {"BASE_URL", [](const Config& c) { return c.base_url; }},
      {"MAX_FAILURES", [](const Config& c) { return absl::StrCat(c.max_failures); }},
      {"MAX_RETRIES", [](const Config& c) { return absl::StrCat(c.max_retries); }},
      {"TIME_OUT", [](const Config& c) { return absl::StrCat(c.time_out_seconds); }},
      {"TEST_MODEL", [](const Config& c) { return c.test_model; }},
      {"CHECK_INTERVAL_HOURS", [](const Config& c) { return absl::StrCat(c.check_interval_hours); }},
      {"PROXIES", [](const Config& c) { return Text(c.proxies); }},
      {"CUSTOM_HEADERS", [](const Config& c) { return Text(c.custom_headers); }},
      {"PAID_KEY", [](const Config& c) { return c.paid_key; }},
      {"LOG_LEVEL", [](const Config& c) { return absl::StrCat(static_cast<int>(c.log_level)); }},
      {"TIMEZONE", [](const Config& c) { return c.timezone; }},
      {"AUTO_DELETE_REQUEST_LOGS_ENABLED", [](const Config& c) { return Text(c.auto_delete_request_logs); }},
      {"AUTO_DELETE_REQUEST_LOGS_DAYS", [](const Config& c) { return absl::StrCat(c.auto_delete_request_logs_days); }},
      {"AUTO_DELETE_ERROR_LOGS_ENABLED", [](const Config& c) { return Text(c.auto_delete_error_logs); }},
      {"AUTO_DELETE_ERROR_LOGS_DAYS", [](const Config& c) { return absl::StrCat(c.auto_delete_error_logs_days); }},
      {"ADMIN_SESSION_EXPIRE", [](const Config& c) { return absl::StrCat(c.admin_session_expire_seconds); }},
      {"SEARCH_MODELS", [](const Config& c) { return Text(c.openai.search_models); }},
      {"IMAGE_MODELS", [](const Config& c) { return Text(c.openai.image_models); }},
      {"THINKING_MODELS", [](const Config& c) { return Text(c.openai.thinking_models); }},
      {"THINKING_BUDGET_MAP", [](const Config& c) { return Text(c.openai.thinking_budget_map); }},
      {"SHOW_THINKING_PROCESS", [](const Config& c) { return Text(c.openai.show_thinking_process); }},
      {"SHOW_SEARCH_LINK", [](const Config& c) { return Text(c.openai.show_search_link); }},
      {"SEARCH_LINK_LANGUAGE", [](const Config& c) { return c.openai.search_link_language; }},
      {"SAFETY_SETTINGS",
       [](const Config& c) {
         ImportJson list = ImportJson::array();
         for (const SafetySetting& s : c.openai.safety_settings) {
           list.push_back({{"category", s.category}, {"threshold", s.threshold}});
         }
         return Comparable(list);
       }},
      {"FILTERED_MODELS", [](const Config& c) { return Text(c.openai.filtered_models); }},
      {"CREATE_IMAGE_MODEL", [](const Config& c) { return c.openai.create_image_model; }},
      {"TTS_MODEL", [](const Config& c) { return c.openai.tts_model; }},
      {"TTS_VOICE_NAME", [](const Config& c) { return c.openai.tts_voice_name; }},
      {"TTS_SPEED", [](const Config& c) { return c.openai.tts_speed; }},
      {"PROXIES_USE_CONSISTENCY_HASH_BY_API_KEY",
       [](const Config& c) { return Text(c.proxies_use_consistency_hash_by_api_key); }},
      {"ERROR_LOG_RECORD_REQUEST_BODY", [](const Config& c) { return Text(c.error_log_record_request_body); }},
      {"UPLOAD_PROVIDER", [](const Config& c) { return c.image_host.provider; }},
      {"SMMS_SECRET_TOKEN", [](const Config& c) { return c.image_host.smms_secret_token; }},
      {"SMMS_API_URL", [](const Config& c) { return c.image_host.smms_api_url; }},
      {"PICGO_API_KEY", [](const Config& c) { return c.image_host.picgo_api_key; }},
      {"PICGO_API_URL", [](const Config& c) { return c.image_host.picgo_api_url; }},
      {"CLOUDFLARE_IMGBED_URL", [](const Config& c) { return c.image_host.cloudflare_imgbed_url; }},
      {"CLOUDFLARE_IMGBED_AUTH_CODE", [](const Config& c) { return c.image_host.cloudflare_imgbed_auth_code; }},
      {"CLOUDFLARE_IMGBED_UPLOAD_FOLDER",
       [](const Config& c) { return c.image_host.cloudflare_imgbed_upload_folder; }},
      {"OSS_ENDPOINT", [](const Config& c) { return c.image_host.oss_endpoint; }},
      {"OSS_ENDPOINT_INNER", [](const Config& c) { return c.image_host.oss_endpoint_inner; }},
      {"OSS_ACCESS_KEY", [](const Config& c) { return c.image_host.oss_access_key; }},
      {"OSS_ACCESS_KEY_SECRET", [](const Config& c) { return c.image_host.oss_access_key_secret; }},
      {"OSS_BUCKET_NAME", [](const Config& c) { return c.image_host.oss_bucket_name; }},
      {"OSS_REGION", [](const Config& c) { return c.image_host.oss_region; }},
      {"TOOLS_CODE_EXECUTION_ENABLED", [](const Config& c) { return Text(c.openai.tools_code_execution_enabled); }},
      {"URL_CONTEXT_ENABLED", [](const Config& c) { return Text(c.openai.url_context_enabled); }},
      {"URL_CONTEXT_MODELS", [](const Config& c) { return Text(c.openai.url_context_models); }},
      {"VERTEX_EXPRESS_BASE_URL", [](const Config& c) { return c.vertex_express_base_url; }},
      {"FAKE_STREAM_ENABLED", [](const Config& c) { return Text(c.fake_stream_enabled); }},
      {"FAKE_STREAM_EMPTY_DATA_INTERVAL_SECONDS",
       [](const Config& c) { return absl::StrCat(c.fake_stream_empty_data_interval_seconds); }},
      {"FILES_USER_ISOLATION_ENABLED", [](const Config& c) { return Text(c.files_user_isolation_enabled); }},
      {"FILES_CLEANUP_ENABLED", [](const Config& c) { return Text(c.files_cleanup_enabled); }},
      {"FILES_CLEANUP_INTERVAL_HOURS", [](const Config& c) { return absl::StrCat(c.files_cleanup_interval_hours); }},
  };
  return *kSettings;
}

// gempool settings that only the environment or .env may set: the services
// need them before they can reach the database, or they are deployment
// wiring. (gemini-balance copied its whole .env into t_settings, so they show
// up there.)
const std::set<std::string>& EnvironmentOnly() {
  static const auto* const kNames = new std::set<std::string>{
      "DATABASE_TYPE",        "SQLITE_DATABASE",        "DATA_DIR",             "MYSQL_HOST",
      "MYSQL_PORT",           "MYSQL_USER",             "MYSQL_PASSWORD",       "MYSQL_DATABASE",
      "MYSQL_SOCKET",         "MYSQL_ROOT_PASSWORD",    "MYSQL_ROOT_USER",      "HOST",
      "PORT",                 "KEYBROKER_ADDR",         "PERSISTENCE_ADDR",     "KEYBROKER_LISTEN",
      "PERSISTENCE_LISTEN",   "RPC_TIMEOUT_MS",         "GATEWAY_IO_THREADS",   "GATEWAY_THREADS",
      "MAX_CONNECTIONS",      "MAX_CONNECTIONS_PER_IP", "REQUEST_HEAD_TIMEOUT", "REQUEST_BODY_TIMEOUT",
      "KEEP_ALIVE_TIMEOUT",   "MAX_REQUEST_BODY_MB",    "MEDIA_FETCH_ALLOW_PRIVATE", "RESPONSES_STORE_DAYS",
      "RESPONSES_STORE_MAX_KB",
  };
  return *kNames;
}

// gemini-balance settings gempool has no counterpart for, and why.
const std::map<std::string, std::string>& GeminiBalanceOnly() {
  static const auto* const kNames = [] {
    auto* names = new std::map<std::string, std::string>{
        {"URL_NORMALIZATION_ENABLED", "gempool serves the gemini-balance paths without it"},
        {"GITHUB_REPO_OWNER", "gemini-balance's update check"},
        {"GITHUB_REPO_NAME", "gemini-balance's update check"},
        {"ENABLE_TTS", "read only by dead code in gemini-balance; gempool always serves /v1/audio/speech"},
    };
    const std::string none = "a gemini-balance setting gempool does not have";
    for (const char* name :
         {"STREAM_OPTIMIZER_ENABLED", "STREAM_MIN_DELAY", "STREAM_MAX_DELAY", "STREAM_SHORT_TEXT_THRESHOLD",
          "STREAM_LONG_TEXT_THRESHOLD", "STREAM_CHUNK_SIZE"}) {
      names->emplace(name, none);
    }
    return names;
  }();
  return *kNames;
}

// `name` alone with `value`, loaded the way the services load it.
absl::StatusOr<Config> LoadOne(const std::string& name, const std::string& value) {
  return LoadConfig(Environment::FromMap({{name, value}}));
}

// The value to store for `name`: `value` if gempool parses it, else the same
// with Python-style single quotes (['a', 'b']) turned into JSON's double
// quotes if that parses; the parse error otherwise.
absl::StatusOr<std::pair<std::string, Config>> Convert(const std::string& name, const std::string& value) {
  absl::StatusOr<Config> loaded = LoadOne(name, value);
  if (loaded.ok()) return std::make_pair(value, *std::move(loaded));
  if (value.find('\'') != std::string::npos && value.find('"') == std::string::npos) {
    const std::string json = absl::StrReplaceAll(value, {{"'", "\""}});
    if (absl::StatusOr<Config> again = LoadOne(name, json); again.ok()) {
      return std::make_pair(json, *std::move(again));
    }
  }
  return loaded.status();
}

// Whether persistence accepts `key` as a secret: printable ASCII without
// spaces, at most kMaxSecretBytes.
bool StorableKey(const std::string& key) {
  if (key.empty() || key.size() > kMaxSecretBytes) return false;
  for (char c : key) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// API_KEYS (into plan.keys) or VERTEX_API_KEYS (into plan.vertex_keys).
void PlanKeys(const std::string& name, const std::string& value, ImportPlan& plan) {
  absl::StatusOr<std::vector<std::string>> keys = config::ParseStringList(name, value);
  if (!keys.ok()) {
    plan.not_imported[name] = absl::StrCat("not a list gempool can read: ", keys.status().message());
    return;
  }
  const bool vertex = name == "VERTEX_API_KEYS";
  std::vector<std::string>& good = vertex ? plan.vertex_keys : plan.keys;
  std::vector<std::string>& bad = vertex ? plan.invalid_vertex_keys : plan.invalid_keys;
  std::set<std::string> seen;
  for (const std::string& key : *keys) {
    if (!seen.insert(key).second) continue;
    if (StorableKey(key)) {
      good.push_back(key);
    } else {
      bad.push_back(MaskKey(key));
    }
  }
}

// The admin token a gemini-balance with these settings used: AUTH_TOKEN, else
// the first of ALLOWED_TOKENS (gemini-balance's rule, also gempool's).
std::string SourceAdminToken(const SourceSettings& source) {
  auto text = [&](const char* name) -> std::string {
    auto it = source.find(name);
    return it == source.end() || !it->second.has_value() ? "" : std::string(absl::StripAsciiWhitespace(*it->second));
  };
  if (!text("AUTH_TOKEN").empty()) return text("AUTH_TOKEN");
  absl::StatusOr<std::vector<std::string>> tokens = config::ParseStringList("ALLOWED_TOKENS", text("ALLOWED_TOKENS"));
  if (!tokens.ok() || tokens->empty()) return "";
  return tokens->front();
}

}  // namespace

ImportPlan PlanImport(const SourceSettings& source, const Environment& env,
                      const std::map<std::string, std::string>& stored) {
  ImportPlan plan;
  // What gempool uses now: the environment with earlier admin-page saves
  // (and imports) that still apply laid over it.
  const Environment effective = config::ApplyUiSettings(env, stored);

  for (const auto& [name, raw] : source) {
    const std::string value = raw.has_value() ? std::string(absl::StripAsciiWhitespace(*raw)) : "";
    if (name == "API_KEYS" || name == "VERTEX_API_KEYS") {
      PlanKeys(name, value, plan);
      continue;
    }
    if (name == "AUTH_TOKEN") continue;  // With ALLOWED_TOKENS, after the loop.
    if (EnvironmentOnly().count(name) > 0) {
      plan.not_imported[name] = "set only in gempool's environment or .env (gempool needs it before it can reach "
                                "its database, or it is part of the deployment)";
      continue;
    }
    if (auto only = GeminiBalanceOnly().find(name); only != GeminiBalanceOnly().end()) {
      plan.not_imported[name] = only->second;
      continue;
    }
    auto setting = ImportableSettings().find(name);
    if (setting == ImportableSettings().end()) {
      plan.not_imported[name] = "unknown: neither a gemini-balance nor a gempool setting";
      continue;
    }
    const Render& render = setting->second;
    absl::StatusOr<Config> current = LoadOne(name, effective.GetOr(name, ""));
    if (value.empty()) {
      // gemini-balance writes every setting back, empty ones included. Empty
      // means "the default" in gempool, so it cannot override a value.
      absl::StatusOr<Config> defaults = LoadOne(name, "");
      if (current.ok() && defaults.ok() && render(*current) == render(*defaults)) {
        plan.unchanged.push_back(name);
      } else {
        plan.not_imported[name] = "empty in gemini-balance; gempool keeps the value it has";
      }
      continue;
    }
    absl::StatusOr<std::pair<std::string, Config>> converted = Convert(name, value);
    if (!converted.ok()) {
      plan.not_imported[name] = absl::StrCat("its value is not valid in gempool: ", converted.status().message());
      continue;
    }
    if (current.ok() && render(*current) == render(converted->second)) {
      plan.unchanged.push_back(name);
    } else {
      plan.settings[name] = converted->first;
    }
  }

  const std::string admin = SourceAdminToken(source);
  if (!admin.empty()) {
    absl::StatusOr<Config> current =
        LoadConfig(Environment::FromMap({{"AUTH_TOKEN", effective.GetOr("AUTH_TOKEN", "")},
                                         {"ALLOWED_TOKENS", effective.GetOr("ALLOWED_TOKENS", "")}}));
    if (current.ok() && current->AdminToken() == admin) {
      plan.unchanged.push_back("AUTH_TOKEN");
    } else if (admin.find_first_of(" \t\r\n\"'#\\$") != std::string::npos) {
      plan.not_imported["AUTH_TOKEN"] =
          "it contains spaces, quotes, #, $ or backslashes: copy it into .env by hand, in single quotes";
    } else {
      plan.env_lines.emplace_back("AUTH_TOKEN", admin);
    }
  }
  return plan;
}

std::map<std::string, std::string> SettingsToStore(const ImportPlan& plan, const Environment& env, int64_t now_ms) {
  std::map<std::string, std::string> put;
  for (const auto& [name, value] : plan.settings) {
    put[name] = value;
    put[config::UiMetaName(name)] = config::MakeUiMeta(env, name, now_ms);
  }
  return put;
}

}  // namespace gempool::ctl
