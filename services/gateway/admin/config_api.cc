#include "admin/config_api.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "admin/settings_catalog.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/config/config.h"
#include "gempool/config/custom_headers.h"
#include "gempool/config/parse.h"
#include "gempool/config/ui_settings.h"
#include "gempool/gemini/upstream_url.h"

namespace gempool::gateway::admin {
namespace {

constexpr size_t kMaxValueBytes = 1 << 20;

const char* SourceName(SettingSource source) {
  switch (source) {
    case SettingSource::kDatabase:
      return "ui";
    case SettingSource::kDotEnv:
      return ".env";
    case SettingSource::kEnvironment:
      return "environment";
    case SettingSource::kDefault:
      return "default";
  }
  return "default";
}

absl::Status CheckCustomHeaders(const std::string& text) {
  absl::StatusOr<std::map<std::string, std::string>> headers = config::ParseStringMap("CUSTOM_HEADERS", text);
  if (!headers.ok()) return headers.status();
  return config::CheckCustomHeaders(*headers);
}

// Each entry must be a proxy the gateway and the broker can reach upstream
// through. The entry is not echoed: it may hold a password.
absl::Status CheckProxies(const std::vector<std::string>& proxies) {
  for (size_t i = 0; i < proxies.size(); ++i) {
    if (!gemini::ParseProxyUrl(proxies[i]).ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "PROXIES entry ", i + 1, " of ", proxies.size(),
          " is not a usable proxy (value hidden, it may hold credentials): expected http://, https://, socks5:// or socks5h://[user:pass@]host:port"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckOne(const Environment& base, const std::string& name, const std::string& value) {
  Environment env = base;
  env.Set(name, value, SettingSource::kDatabase);
  absl::StatusOr<Config> loaded = LoadConfig(env);
  if (!loaded.ok()) return loaded.status();
  if (name == "CUSTOM_HEADERS") return CheckCustomHeaders(value);
  if (name == "PROXIES") return CheckProxies(loaded->proxies);
  return absl::OkStatus();
}

}  // namespace

namespace {

// A password or token: at most its last two characters, never enough to guess.
std::string MaskPassword(const std::string& text) {
  return text.size() >= 12 ? absl::StrCat("***", text.substr(text.size() - 2)) : "***";
}

}  // namespace

std::string MaskSettingValue(absl::string_view name, const std::string& text) {
  if (text.empty()) return "";
  const bool is_key = name == "API_KEYS" || name == "PAID_KEY";
  if (name == "API_KEYS" || name == "ALLOWED_TOKENS" || name == "PROXIES") {
    absl::StatusOr<std::vector<std::string>> items = config::ParseStringList(name, text);
    if (!items.ok()) return "***";
    std::vector<std::string> masked;
    for (const std::string& item : *items) {
      const size_t scheme = item.find("://");
      const size_t at = item.rfind('@');
      if (scheme != std::string::npos) {
        // A proxy URL: only its user:password part is secret.
        masked.push_back(at == std::string::npos || at < scheme ? item
                                                                 : absl::StrCat(item.substr(0, scheme + 3), "***",
                                                                                item.substr(at)));
      } else {
        masked.push_back(is_key ? MaskKey(item) : MaskPassword(item));
      }
    }
    return absl::StrJoin(masked, ", ");
  }
  return is_key ? MaskKey(text) : MaskPassword(text);
}

std::string SummarizeApiKeys(const std::string& text, size_t shown) {
  absl::StatusOr<std::vector<std::string>> keys = config::ParseStringList("API_KEYS", text);
  if (!keys.ok()) return "***";
  std::vector<std::string> masked;
  for (size_t i = 0; i < keys->size() && i < shown; ++i) masked.push_back(MaskKey((*keys)[i]));
  std::string out = absl::StrJoin(masked, ", ");
  if (keys->size() > shown) absl::StrAppend(&out, " (+", keys->size() - shown, ")");
  return out;
}

namespace {

// `env` without API_KEYS; what the page shows of it goes to `shown`.
Environment SetApiKeysAside(Environment env, std::optional<ConfigApi::ApiKeysShown>& shown) {
  const std::optional<std::string> keys = env.Get("API_KEYS");
  if (!keys.has_value()) return env;
  if (!keys->empty()) shown = ConfigApi::ApiKeysShown{SummarizeApiKeys(*keys), env.SourceOf("API_KEYS")};
  Environment rest;
  for (const auto& [name, value] : env.values()) {
    if (name != "API_KEYS") rest.Set(name, value.text, value.source);
  }
  return rest;
}

}  // namespace

ConfigApi::ConfigApi(AdminBackend& backend, Environment env, const Clock& clock, std::function<void()> on_saved)
    : backend_(backend),
      env_(SetApiKeysAside(std::move(env), api_keys_)),
      clock_(clock),
      on_saved_(std::move(on_saved)),
      started_at_ms_(clock.NowUnixMs()) {}

ApiResult ConfigApi::Handle(const ApiCall& call) {
  if (call.method == "GET" && call.path == "/config") return List();
  if (call.method == "POST" && call.path == "/config") return Save(call, false);
  if (call.method == "POST" && call.path == "/config/validate") return Save(call, true);
  return ErrorResult(absl::NotFoundError(absl::StrCat(call.method, " /api", call.path, " is not an admin API call")));
}

ApiResult ConfigApi::List() {
  absl::StatusOr<std::map<std::string, std::string>> stored = backend_.GetSettings();
  if (!stored.ok()) return ErrorResult(stored.status());
  std::vector<config::UiSettingState> states;
  const Environment merged = config::ApplyUiSettings(env_, *stored, &states);
  std::map<std::string, const config::UiSettingState*> by_name;
  for (const config::UiSettingState& s : states) by_name[s.name] = &s;

  nlohmann::json settings = nlohmann::json::array();
  for (const SettingSpec& spec : SettingCatalog()) {
    const std::optional<std::string> set = merged.Get(spec.name);
    std::string value = set.has_value() && !set->empty() ? *set : "";
    SettingSource source = value.empty() ? SettingSource::kDefault : merged.SourceOf(spec.name);
    std::string shown = spec.secret ? MaskSettingValue(spec.name, value) : value;
    if (absl::string_view(spec.name) == "API_KEYS" && value.empty() && api_keys_.has_value()) {
      value = shown = api_keys_->text;
      source = api_keys_->source;
    }
    nlohmann::json s = {{"name", spec.name},
                        {"group", spec.group},
                        {"default", spec.default_text},
                        {"secret", spec.secret},
                        {"editable", spec.editable},
                        {"live", spec.live},
                        {"not_live_reason", spec.not_live_reason},
                        {"services", absl::StrSplit(spec.services, ',')},
                        {"value", shown},
                        {"is_set", !value.empty()},
                        {"source", SourceName(source)}};
    auto ui = by_name.find(spec.name);
    if (ui != by_name.end()) {
      const config::UiSettingState& state = *ui->second;
      s["ui"] = {{"saved_at_ms", state.saved_at_ms},
                 {"applied", state.applied},
                 {"env_changed_since", state.env_changed_since},
                 {"value", spec.secret ? MaskSettingValue(spec.name, state.ui_value) : state.ui_value}};
      // Saved after this process started and not applied live: the
      // services that read it at start-up still run with the old value.
      s["restart_pending"] = state.applied && !spec.live && state.saved_at_ms >= started_at_ms_;
    } else {
      s["ui"] = nullptr;
      s["restart_pending"] = false;
    }
    settings.push_back(s);
  }
  ApiResult result;
  result.body = {{"settings", settings}, {"now_ms", clock_.NowUnixMs()}};
  return result;
}

std::map<std::string, std::string> ConfigApi::Validate(const std::map<std::string, std::string>& values,
                                                       const std::map<std::string, std::string>& stored) const {
  std::map<std::string, std::string> errors;
  const Environment merged = config::ApplyUiSettings(env_, stored);
  for (const auto& [name, value] : values) {
    const SettingSpec* spec = FindSetting(name);
    if (spec == nullptr) {
      errors[name] = absl::StrCat(name, " is not a gempool setting");
    } else if (!spec->editable) {
      errors[name] = absl::StrCat(name, " can only be set in the environment or .env (the services need it before "
                                        "they can reach the database, or it is managed elsewhere)");
    } else if (value.size() > kMaxValueBytes) {
      errors[name] = absl::StrCat(name, " is longer than ", kMaxValueBytes, " bytes");
    } else if (absl::Status ok = CheckOne(merged, name, value); !ok.ok()) {
      errors[name] = std::string(ok.message());
    }
  }
  if (errors.empty() && values.size() > 1) {
    Environment all = merged;
    for (const auto& [name, value] : values) all.Set(name, value, SettingSource::kDatabase);
    if (absl::StatusOr<Config> loaded = LoadConfig(all); !loaded.ok()) {
      errors[values.begin()->first] = std::string(loaded.status().message());
    }
  }
  return errors;
}

ApiResult ConfigApi::Save(const ApiCall& call, bool dry_run) {
  if (!call.body.contains("values") || !call.body["values"].is_object() || call.body["values"].empty()) {
    return ErrorResult(absl::InvalidArgumentError("send {\"values\": {\"NAME\": \"value\", ...}}"));
  }
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : call.body["values"].items()) {
    if (value.is_string()) {
      values[name] = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      values[name] = value.dump();
    } else {
      return ErrorResult(absl::InvalidArgumentError(absl::StrCat("the value of ", name, " must be text")));
    }
  }
  absl::StatusOr<std::map<std::string, std::string>> stored = backend_.GetSettings();
  if (!stored.ok()) return ErrorResult(stored.status());
  const std::map<std::string, std::string> errors = Validate(values, *stored);
  ApiResult result;
  if (dry_run || !errors.empty()) {
    result.status = errors.empty() || dry_run ? 200 : 400;
    result.body = {{"errors", errors}};
    if (!errors.empty() && !dry_run) {
      result.body["error"] = {{"code", 400},
                              {"status", "INVALID_ARGUMENT"},
                              {"message", errors.begin()->second}};
    }
    return result;
  }
  std::map<std::string, std::string> put;
  const int64_t now = clock_.NowUnixMs();
  nlohmann::json live = nlohmann::json::array();
  nlohmann::json restart = nlohmann::json::array();
  for (const auto& [name, value] : values) {
    put[name] = value;
    put[config::UiMetaName(name)] = config::MakeUiMeta(env_, name, now);
    const SettingSpec* spec = FindSetting(name);
    if (spec->live) {
      live.push_back(name);
    } else {
      restart.push_back({{"name", name}, {"services", absl::StrSplit(spec->services, ',')}});
    }
  }
  if (absl::Status saved = backend_.PutSettings(put); !saved.ok()) return ErrorResult(saved);
  std::vector<std::string> names;
  for (const auto& [name, value] : values) names.push_back(name);
  GEMPOOL_LOG(INFO) << "admin UI: saved settings " << absl::StrJoin(names, ", ");
  if (on_saved_) on_saved_();
  result.body = {{"saved", values.size()}, {"live", live}, {"restart", restart}, {"errors", nlohmann::json::object()}};
  return result;
}

}  // namespace gempool::gateway::admin
