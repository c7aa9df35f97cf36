#pragma once
// Small URL helpers for request targets as clients send them: percent-decoding
// and query-string surgery that leaves every other parameter byte for byte
// (the gateway forwards the client's query minus its credential).

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::gemini {

// Decodes %XX escapes (invalid escapes are kept as written). With
// `plus_as_space`, '+' becomes ' ' (query strings); paths keep '+'.
std::string PercentDecode(absl::string_view text, bool plus_as_space);

// Decodes %XX escapes where a bad one is an error: InvalidArgument when a '%'
// is not followed by two hex digits (the message says to write % as %25).
// '+' stays '+'. For text a user wrote (a database URL's user or password).
absl::StatusOr<std::string> PercentDecodeStrict(absl::string_view text);

// Splits a request target "path?query" at the first '?'; the query excludes
// the '?' and is empty when there is none.
std::pair<absl::string_view, absl::string_view> SplitTarget(absl::string_view target);

// The decoded value of the first parameter named `name` (names are compared
// after decoding) in a raw query "a=1&key=x". A bare "name" yields "".
std::optional<std::string> QueryParam(absl::string_view raw_query, absl::string_view name);

// `raw_query` without any parameter named `name` (compared after decoding);
// the other parameters keep their bytes and order. Empty pieces ("a=1&&b")
// are dropped.
std::string RemoveQueryParam(absl::string_view raw_query, absl::string_view name);

}  // namespace gempool::gemini
