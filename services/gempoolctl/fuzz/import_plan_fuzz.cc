#include "fuzz/import_plan_fuzz.h"

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gemini_balance_import.h"
#include "gempool/common/environment.h"
#include "gempool/config/config.h"

namespace gempool::ctl {
namespace {

void Require(bool holds) {
  if (!holds) abort();
}

constexpr int64_t kNowMs = 1796558400000;  // 2026-12-06 12:00 UTC

bool IsSecret(absl::string_view name) {
  for (absl::string_view marker : {"KEY", "TOKEN", "PASSWORD", "SECRET", "PROXIES", "AUTH_CODE"}) {
    if (absl::StrContains(name, marker)) return true;
  }
  return false;
}

void CheckKeys(const std::vector<std::string>& keys, const std::vector<std::string>& invalid) {
  std::set<std::string> seen;
  for (const std::string& key : keys) {
    Require(seen.insert(key).second);
    Require(!key.empty() && key.size() <= 191);
    for (char c : key) Require(c > ' ' && c <= '~');
  }
  for (const std::string& masked : invalid) Require(absl::StrContains(masked, "..."));
}

void CheckPlan(const SourceSettings& source, const ImportPlan& plan) {
  CheckKeys(plan.keys, plan.invalid_keys);
  CheckKeys(plan.vertex_keys, plan.invalid_vertex_keys);
  std::map<std::string, int> places;
  for (const auto& [name, value] : plan.settings) {
    ++places[name];
    Require(source.count(name) == 1);
    Require(LoadConfig(Environment::FromMap({{name, value}})).ok());
  }
  for (const std::string& name : plan.unchanged) ++places[name];
  for (const auto& [name, value] : plan.env_lines) {
    ++places[name];
    // Written into .env as the import prints it, read back the same.
    const auto read = ParseDotEnv(absl::StrCat(name, "=", value, "\n"), ".env");
    Require(read.ok() && read->size() == 1 && read->at(name) == value);
  }
  for (const auto& [name, reason] : plan.not_imported) {
    ++places[name];
    Require(!reason.empty());
    Require(source.count(name) == 1 || name == "AUTH_TOKEN");
  }
  for (const auto& [name, count] : places) Require(count == 1);
  for (const auto& [name, value] : source) {
    if (name == "API_KEYS" || name == "VERTEX_API_KEYS" || name == "AUTH_TOKEN") continue;
    Require(places.count(name) == 1);
  }
}

// Whether `text` shows `value` as a parser would see it (raw or escaped).
bool Shows(absl::string_view text, absl::string_view value) {
  const absl::string_view seen = absl::StripAsciiWhitespace(value);
  return !seen.empty() && (absl::StrContains(text, seen) || absl::StrContains(text, absl::CEscape(seen)) ||
                           absl::StrContains(text, absl::CHexEscape(seen)));
}

// No reason shows a secret's value. The text may also be a word of some
// message: it is a leak only if the reason follows the value when a byte is
// added to it.
void CheckNoSecretShown(const SourceSettings& source, const Environment& env, const ImportPlan& plan) {
  for (const auto& [name, reason] : plan.not_imported) {
    auto row = source.find(name);
    if (row == source.end() || !IsSecret(name) || !row->second.has_value()) continue;
    if (absl::StripAsciiWhitespace(*row->second).size() < 8 || !Shows(reason, *row->second)) continue;
    SourceSettings marked = source;
    const std::string value = absl::StrCat(absl::StripLeadingAsciiWhitespace(*row->second), "\x01");
    marked[name] = value;
    const ImportPlan again = PlanImport(marked, env, {});
    auto shown = again.not_imported.find(name);
    Require(shown == again.not_imported.end() || !Shows(shown->second, value));
  }
}

}  // namespace

void FuzzImportPlan(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  SourceSettings source;
  std::map<std::string, std::string> env_values;
  bool in_env = false;
  // At most 16 rows: each costs a few LoadConfig calls per import, and two
  // imports run; more rows add cost, not paths.
  int rows = 0;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    if (++rows > 16) break;
    if (line == "----") {
      in_env = true;
      continue;
    }
    const size_t eq = line.find('=');
    const std::string name(line.substr(0, eq));
    if (name.empty()) continue;
    if (in_env) {
      if (eq != absl::string_view::npos) env_values[name] = std::string(line.substr(eq + 1));
    } else {
      source[name] = eq == absl::string_view::npos ? std::nullopt
                                                   : std::optional<std::string>(std::string(line.substr(eq + 1)));
    }
  }
  const Environment env = Environment::FromMap(env_values);
  const ImportPlan first = PlanImport(source, env, {});
  CheckPlan(source, first);
  CheckNoSecretShown(source, env, first);

  // Stored as the admin page stores settings, then imported again: nothing
  // left to store.
  const std::map<std::string, std::string> stored = SettingsToStore(first, env, kNowMs);
  Require(stored.size() == 2 * first.settings.size());
  const ImportPlan second = PlanImport(source, env, stored);
  CheckPlan(source, second);
  Require(second.settings.empty());
  Require(second.keys == first.keys && second.vertex_keys == first.vertex_keys);
}

}  // namespace gempool::ctl
