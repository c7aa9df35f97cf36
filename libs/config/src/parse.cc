#include "gempool/config/parse.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gempool::config {
namespace {

// Settings whose values are secrets (or hold them, like proxy URLs with
// credentials): an error names the variable but never echoes the value.
bool IsSecretSetting(absl::string_view name) {
  for (absl::string_view marker : {"KEY", "TOKEN", "PASSWORD", "SECRET", "PROXIES"}) {
    if (absl::StrContains(name, marker)) return true;
  }
  return false;
}

absl::Status Invalid(absl::string_view name, absl::string_view text, absl::string_view expected) {
  if (IsSecretSetting(name)) {
    return absl::InvalidArgumentError(absl::StrCat(name, " (value hidden, ", text.size(),
                                                   " characters) is not valid: expected ", expected));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, "='", text, "' is not valid: expected ", expected));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseStringList(absl::string_view name,
                                                         absl::string_view text) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  std::vector<std::string> out;
  if (t.empty()) return out;
  if (t.front() == '[') {
    nlohmann::json parsed = nlohmann::json::parse(t, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || !parsed.is_array()) {
      return Invalid(name, text,
                     "a JSON list of strings such as [\"a\",\"b\"] (check the brackets, quotes and commas), "
                     "or comma-separated values such as a,b");
    }
    for (const auto& item : parsed) {
      if (!item.is_string()) {
        return Invalid(name, text, "every entry of the JSON list to be a quoted string");
      }
      std::string v(absl::StripAsciiWhitespace(item.get<std::string>()));
      if (!v.empty()) out.push_back(std::move(v));
    }
    return out;
  }
  for (absl::string_view part : absl::StrSplit(t, ',')) {
    absl::string_view v = absl::StripAsciiWhitespace(part);
    // Tolerate quotes around comma-separated entries: "a","b".
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
      // Trimmed again: " a " in quotes is the entry a, as everywhere else.
      v = absl::StripAsciiWhitespace(v.substr(1, v.size() - 2));
    }
    if (!v.empty()) out.emplace_back(v);
  }
  return out;
}

absl::StatusOr<int64_t> ParseInt(absl::string_view name, absl::string_view text, int64_t min,
                                 int64_t max) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &value)) {
    return Invalid(name, text, absl::StrCat("a whole number from ", min, " to ", max));
  }
  if (value < min || value > max) {
    return Invalid(name, text, absl::StrCat("a whole number from ", min, " to ", max));
  }
  return value;
}

absl::StatusOr<double> ParseDouble(absl::string_view name, absl::string_view text, double min,
                                   double max) {
  double value = 0;
  // Written so that NaN ("nan" parses) fails the range test too.
  if (!absl::SimpleAtod(absl::StripAsciiWhitespace(text), &value) || !(value >= min && value <= max)) {
    return Invalid(name, text, absl::StrCat("a number from ", min, " to ", max));
  }
  return value;
}

absl::StatusOr<bool> ParseBool(absl::string_view name, absl::string_view text) {
  std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return Invalid(name, text, "true or false");
}

absl::StatusOr<std::map<std::string, std::string>> ParseStringMap(absl::string_view name,
                                                                  absl::string_view text) {
  std::map<std::string, std::string> out;
  absl::string_view t = absl::StripAsciiWhitespace(text);
  if (t.empty()) return out;
  nlohmann::json parsed = nlohmann::json::parse(t, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Invalid(name, text, "a JSON object such as {\"X-Name\": \"value\"}");
  }
  for (const auto& [k, v] : parsed.items()) {
    if (v.is_string()) {
      out[k] = v.get<std::string>();
    } else if (v.is_number() || v.is_boolean()) {
      out[k] = v.dump();
    } else {
      return Invalid(name, text, absl::StrCat("a string or number for \"", k, "\""));
    }
  }
  return out;
}

absl::Status ValidateHostPort(absl::string_view name, absl::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return Invalid(name, text, "host:port, e.g. 127.0.0.1:8001");
  }
  auto port = ParseInt(name, text.substr(colon + 1), 1, 65535);
  if (!port.ok()) return Invalid(name, text, "host:port with a port from 1 to 65535");
  return absl::OkStatus();
}

int PortOf(absl::string_view host_port) {
  int port = 0;
  size_t colon = host_port.rfind(':');
  if (colon != absl::string_view::npos) (void)absl::SimpleAtoi(host_port.substr(colon + 1), &port);
  return port;
}

}  // namespace gempool::config
