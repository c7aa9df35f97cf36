#pragma once
// The pieces of the Prometheus text exposition format (version 0.0.4) that
// need care: escaping of HELP text and label values, sample values, and the
// name rules. Pure functions; thread-safe.

#include <string>

#include "absl/strings/string_view.h"

namespace gempool::metrics {

// The Content-Type of a scrape answer.
inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// A label value between its quotes: backslash, double quote and newline
// escaped; bytes that are not valid UTF-8 become U+FFFD (Prometheus refuses
// a scrape with invalid UTF-8, and clients choose some label values, e.g.
// model names).
std::string EscapeLabelValue(absl::string_view value);

// HELP text: backslash and newline escaped (quotes stay as they are).
std::string EscapeHelp(absl::string_view help);

// A sample value: integers without a fraction or exponent, other numbers in
// the shortest form that reads back the same, and +Inf, -Inf, NaN.
std::string FormatValue(double value);

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(absl::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool IsValidLabelName(absl::string_view name);

}  // namespace gempool::metrics
