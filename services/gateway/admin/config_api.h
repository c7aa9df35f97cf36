#pragma once
// /api/config...: every setting with its value in force, default, source
// (environment, .env, the UI, default) and where a change applies; saving
// validates with the same parsers start-up uses (LoadConfig) and stores the
// values with the bookkeeping of gempool/config/ui_settings.h, so that
// whichever changed last — the UI or the environment — wins. Secrets are
// masked; they can be replaced, never read back. Thread-safe.
//
//   GET  /config                      every setting
//   POST /config/validate {"values": {NAME: text}}   → {"errors": {NAME: message}}
//   POST /config          {"values": {NAME: text}}   save (all or nothing)

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "admin/admin_backend.h"
#include "admin/api_call.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"

namespace gempool::gateway::admin {

class ConfigApi {
 public:
  // API_KEYS as the page shows it: a few masked keys and how many more. The
  // raw list (4.2 MB for 100,000 keys) is not kept: the gateway never uses
  // it, and masking every key made a reply of megabytes; the Keys page lists
  // them all.
  struct ApiKeysShown {
    std::string text;
    SettingSource source = SettingSource::kDefault;
  };

  // `env` is what this process started with (environment over .env).
  // `on_saved` runs after a successful save (to apply live settings in this
  // gateway at once; others pick them up when they next poll).
  ConfigApi(AdminBackend& backend, Environment env, const Clock& clock, std::function<void()> on_saved);

  ApiResult Handle(const ApiCall& call);

  // Problems with `values` (name → message); empty when they can be saved.
  // `stored` is the current settings table.
  std::map<std::string, std::string> Validate(const std::map<std::string, std::string>& values,
                                              const std::map<std::string, std::string>& stored) const;

 private:
  ApiResult List();
  ApiResult Save(const ApiCall& call, bool dry_run);

  AdminBackend& backend_;
  std::optional<ApiKeysShown> api_keys_;  // Set before env_, which drops the list.
  const Environment env_;
  const Clock& clock_;
  const std::function<void()> on_saved_;
  const int64_t started_at_ms_;
};

// `text` for display when the setting is secret: each list entry masked.
std::string MaskSettingValue(absl::string_view name, const std::string& text);

// API_KEYS for display: the first `shown` keys masked, then "(+N)" for the
// rest; "***" when it does not parse.
std::string SummarizeApiKeys(const std::string& text, size_t shown = 10);

}  // namespace gempool::gateway::admin
