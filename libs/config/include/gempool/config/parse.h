#pragma once
// Parsers for setting values in gemini-balance's formats. Each error message
// names the variable and says what was expected, so start-up can stop with it.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::config {

// A JSON list of strings (["a","b"]) or comma-separated text (a,b). Entries
// are trimmed; empty entries dropped. Empty text → empty list.
absl::StatusOr<std::vector<std::string>> ParseStringList(absl::string_view name,
                                                         absl::string_view text);

// A whole number within [min, max].
absl::StatusOr<int64_t> ParseInt(absl::string_view name, absl::string_view text, int64_t min,
                                 int64_t max);

// A number (integer or decimal) within [min, max].
absl::StatusOr<double> ParseDouble(absl::string_view name, absl::string_view text, double min,
                                   double max);

// true/false, 1/0, yes/no, on/off (any case).
absl::StatusOr<bool> ParseBool(absl::string_view name, absl::string_view text);

// A JSON object of string (or number) values: {"X-A":"1"}. Empty text → {}.
absl::StatusOr<std::map<std::string, std::string>> ParseStringMap(absl::string_view name,
                                                                  absl::string_view text);

// host:port with a port in 1..65535.
absl::Status ValidateHostPort(absl::string_view name, absl::string_view text);

// The port of "host:port" (already validated).
int PortOf(absl::string_view host_port);

}  // namespace gempool::config
