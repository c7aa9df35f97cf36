#pragma once
// Shared pieces of the JSON answer readers. Internal to gempool_imagehost.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gempool::imagehost::internal {

// The parsed JSON `body`, or nullopt when it is not JSON.
std::optional<nlohmann::json> ParseAnswer(absl::string_view body);

// A string member, "" when absent or not a string.
std::string StringField(const nlohmann::json& object, const char* name);

// `body` shortened to one line of at most 200 characters, for messages.
std::string Excerpt(absl::string_view body);

// The error for a refused upload: Unauthenticated for 401/403,
// Unavailable for 5xx and 429, FailedPrecondition otherwise; the message
// is "<label> refused the upload (HTTP <status>): <detail>".
absl::Status UploadRefused(absl::string_view label, int http_status, absl::string_view detail);

// Whether `link` is an absolute http(s) URL.
bool IsHttpLink(absl::string_view link);

}  // namespace gempool::imagehost::internal
