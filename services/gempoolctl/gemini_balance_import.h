#pragma once
// What `gempoolctl import gemini-balance` does with the rows of
// gemini-balance's t_settings table, decided without any I/O: which API keys
// to add, which settings to store in gempool's settings table (the way the
// admin page saves them, so "whichever changed last wins" applies), which
// values are already in force, which lines to put in .env (AUTH_TOKEN is an
// environment-only setting in gempool), and what cannot be brought across,
// by name and why (never a value: many are secrets).
//
// Stateless; thread-safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gempool/common/environment.h"

namespace gempool::ctl {

// t_settings as read: setting name → value (nullopt for SQL NULL).
using SourceSettings = std::map<std::string, std::optional<std::string>>;

struct ImportPlan {
  // API_KEYS entries, trimmed, each once, in their order.
  std::vector<std::string> keys;
  // API_KEYS entries that cannot be stored (spaces, control characters, too
  // long), masked.
  std::vector<std::string> invalid_keys;
  // VERTEX_API_KEYS likewise: they go into the Vertex AI Express pool.
  std::vector<std::string> vertex_keys;
  std::vector<std::string> invalid_vertex_keys;

  // Settings to store: name → value in a format gempool parses.
  std::map<std::string, std::string> settings;
  // Settings whose gemini-balance value gempool already uses (from its
  // environment, .env or an earlier import or admin-page save).
  std::vector<std::string> unchanged;
  // Lines to put in gempool's .env: name → value.
  std::vector<std::pair<std::string, std::string>> env_lines;
  // Rows not brought across: name → why.
  std::map<std::string, std::string> not_imported;
};

// Plans the import of `source` into a gempool whose environment (and .env)
// is `env` and whose settings table holds `stored`.
ImportPlan PlanImport(const SourceSettings& source, const Environment& env,
                      const std::map<std::string, std::string>& stored);

// What PutSettings must store for `plan.settings`: each value plus its
// admin-page bookkeeping entry (config::MakeUiMeta) as seen from `env`.
std::map<std::string, std::string> SettingsToStore(const ImportPlan& plan, const Environment& env, int64_t now_ms);

}  // namespace gempool::ctl
