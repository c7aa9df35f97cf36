#include "gempool/config/ui_settings.h"

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"

namespace gempool::config {
namespace {

constexpr char kMetaPrefix[] = "GEMPOOL_UI_META__";

}  // namespace

std::string UiMetaName(absl::string_view name) { return absl::StrCat(kMetaPrefix, name); }

bool IsUiMetaName(absl::string_view stored_name) { return absl::StartsWith(stored_name, kMetaPrefix); }

std::string EnvFingerprint(const Environment& env, absl::string_view name) {
  const std::string value = env.GetOr(name, "");
  return value.empty() ? "-" : TokenId(value);
}

std::string MakeUiMeta(const Environment& env, absl::string_view name, int64_t now_ms) {
  nlohmann::json meta = {{"env", EnvFingerprint(env, name)}, {"saved_at_ms", now_ms}};
  return meta.dump();
}

Environment ApplyUiSettings(const Environment& env, const std::map<std::string, std::string>& stored,
                            std::vector<UiSettingState>* states) {
  Environment merged = env;
  for (const auto& [stored_name, meta_text] : stored) {
    if (!IsUiMetaName(stored_name)) continue;
    const std::string name = stored_name.substr(sizeof(kMetaPrefix) - 1);
    auto value = stored.find(name);
    if (name.empty() || value == stored.end()) continue;
    UiSettingState state;
    state.name = name;
    state.ui_value = value->second;
    std::string fingerprint;
    const nlohmann::json meta = nlohmann::json::parse(meta_text, nullptr, /*allow_exceptions=*/false);
    if (meta.is_object()) {
      if (meta.contains("env") && meta["env"].is_string()) fingerprint = meta["env"].get<std::string>();
      if (meta.contains("saved_at_ms") && meta["saved_at_ms"].is_number_integer()) {
        state.saved_at_ms = meta["saved_at_ms"].get<int64_t>();
      }
    }
    // An unreadable entry counts as "the environment changed": the
    // environment is what an operator can always fix.
    state.applied = !fingerprint.empty() && fingerprint == EnvFingerprint(env, name);
    state.env_changed_since = !state.applied;
    if (state.applied) merged.Set(name, state.ui_value, SettingSource::kDatabase);
    if (states != nullptr) states->push_back(std::move(state));
  }
  return merged;
}

}  // namespace gempool::config
