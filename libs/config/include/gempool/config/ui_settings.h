#pragma once
// Settings saved in the admin web UI, and how they combine with the
// environment and .env ("whichever changed last wins"). A UI save stores,
// beside the value, a fingerprint of the environment value the saving
// process saw (GEMPOOL_UI_META__<NAME>). Later, a process applies the UI
// value unless its own environment/.env value now differs from that
// fingerprint: then the environment changed after the UI save and wins, and
// the admin page says so. gemini-balance's "the database wins forever,
// silently" (its issue #334) cannot happen.
//
// Pure functions; thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gempool/common/environment.h"

namespace gempool::config {

// The settings-table name of the bookkeeping entry of UI-saved `name`.
std::string UiMetaName(absl::string_view name);
// Whether `stored_name` is such a bookkeeping entry.
bool IsUiMetaName(absl::string_view stored_name);

// A non-reversible fingerprint of `name`'s value in `env` ("-" when unset
// or empty).
std::string EnvFingerprint(const Environment& env, absl::string_view name);

// The bookkeeping entry for saving `name` now, as seen from `env`.
std::string MakeUiMeta(const Environment& env, absl::string_view name, int64_t now_ms);

// How one UI-saved setting stands against the environment.
struct UiSettingState {
  std::string name;
  std::string ui_value;
  int64_t saved_at_ms = 0;
  // The UI value is in force (the environment did not change since).
  bool applied = false;
  // The environment or .env value changed after the UI save, so it is the
  // one in force.
  bool env_changed_since = false;
};

// `env` with the UI-saved values of `stored` (a settings table) that still
// apply laid over it, marked SettingSource::kDatabase. `states` (optional)
// receives one entry per UI-saved setting, by name. Settings without a
// bookkeeping entry (not saved by the UI) are ignored.
Environment ApplyUiSettings(const Environment& env, const std::map<std::string, std::string>& stored,
                            std::vector<UiSettingState>* states = nullptr);

}  // namespace gempool::config
