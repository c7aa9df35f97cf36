#pragma once
// The settings a process starts with: the `.env` file (if any) overlaid by the
// process environment, so a real environment variable always wins over `.env`
// (as in gemini-balance and docker compose). Each value remembers where it came
// from, so the admin UI and error messages can say so.

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool {

enum class SettingSource { kDefault, kDotEnv, kEnvironment, kDatabase };
const char* SettingSourceName(SettingSource source);

// An immutable name → value map. Thread-compatible (read-only after load).
class Environment {
 public:
  struct Value {
    std::string text;
    SettingSource source = SettingSource::kDefault;
  };

  Environment() = default;

  // Reads `dotenv_path` (missing file is fine; a malformed line is an error
  // naming the file and line) and then the process environment.
  static absl::StatusOr<Environment> Load(const std::string& dotenv_path);
  // For tests and tools: exactly these values, marked as coming from the
  // environment.
  static Environment FromMap(const std::map<std::string, std::string>& values);

  // The value of `name`, if set (an empty string counts as set).
  std::optional<std::string> Get(absl::string_view name) const;
  // The value of `name`, or `fallback` when unset or empty.
  std::string GetOr(absl::string_view name, absl::string_view fallback) const;
  // Where `name` came from (kDefault when unset).
  SettingSource SourceOf(absl::string_view name) const;
  // Sets or replaces a value (used when layering).
  void Set(const std::string& name, std::string value, SettingSource source);

  const std::map<std::string, Value, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, Value, std::less<>> values_;
};

// Parses the text of a `.env` file: `NAME=value` lines, optional `export `,
// `#` comments, single- or double-quoted values on one line (double quotes
// understand \n, \t, \", \\), and unquoted values with trailing ` # comment`.
// JSON values such as API_KEYS=["a","b"] are taken as written. Errors name
// `origin` (the file), the line and the variable, never a value (.env holds
// secrets, and start-up errors reach logs).
absl::StatusOr<std::map<std::string, std::string>> ParseDotEnv(absl::string_view text,
                                                               absl::string_view origin);

}  // namespace gempool
