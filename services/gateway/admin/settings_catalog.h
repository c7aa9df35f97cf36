#pragma once
// Every gempool setting as the configuration page shows it (names and
// parsing live in libs/config/src/config.cc): its group, default, whether it
// is secret (masked), whether the UI may change it, and where a change takes
// effect — live in every service that reads it within seconds, or at the
// next start of those services. Descriptions are in the page's dictionaries (en,
// zh-CN) under "setting.<NAME>". Read-only data; thread-safe.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gempool::gateway::admin {

struct SettingSpec {
  const char* name;
  // "keys", "clients", "upstream", "models", "images", "files", "logs",
  // "admin", "storage", "network".
  const char* group;
  // The default as text ("" for none or derived).
  const char* default_text;
  bool secret;
  // Whether the UI may change it (storage and network settings are needed
  // before the database can be reached, so they stay in the environment).
  bool editable;
  // Applied by every service that reads it (gateways, the key broker)
  // within seconds of a save, no restart.
  bool live;
  // The services that read it at start-up (comma-separated): those need a
  // restart for a change when it is not live for them.
  const char* services;
  // Why it cannot apply live (set when `live` is false), as the id of the
  // page's explanation "config.why.<id>": "listen" (an address the service
  // listens on), "address" (another service's address), "database" (needed
  // before the database can be reached), "startup" (threads or clients built
  // once at start-up), "shutdown" (read at start-up, used when stopping),
  // "keys" (managed on the keys page), "admin_token",
  // "unsafe" (for tests only, environment only).
  const char* not_live_reason = "";
};

// Every setting, in display order.
const std::vector<SettingSpec>& SettingCatalog();

// The setting called `name`, or nullptr.
const SettingSpec* FindSetting(absl::string_view name);

}  // namespace gempool::gateway::admin
