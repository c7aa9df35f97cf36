#pragma once
// Errors in Anthropic's shape (anthropic.md §4, §7.5):
//   {"type":"error","error":{"type":<error_type>,"message":…}}
// for gempool's own refusals and for upstream Gemini errors, with
// Anthropic's statuses: 400 invalid_request_error, 401
// authentication_error, 403 permission_error, 404 not_found_error, 413
// request_too_large, 429 rate_limit_error, 500 api_error, 504
// timeout_error, and 529 overloaded_error for Gemini's 503 UNAVAILABLE.
// Other 4xx are invalid_request_error with their status kept, other 5xx
// api_error. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic {

// Anthropic's error type for an HTTP status (529 → overloaded_error).
const char* AnthropicErrorType(int http_status);

// {"type":"error","error":{"type","message"}}.
nlohmann::json AnthropicErrorBody(absl::string_view error_type, absl::string_view message);

struct AnthropicError {
  int http_status = 500;
  nlohmann::json body;
  // Seconds the client should wait (Gemini's RetryInfo.retryDelay rounded
  // up), for a `retry-after` header.
  std::optional<int> retry_after_seconds;
};

// A gempool status as an Anthropic error (status from the canonical code,
// message as is).
AnthropicError AnthropicErrorFromStatus(const absl::Status& status);

// An upstream Gemini error response ({"error":{code,message,status,
// details}}, array-wrapped, or any text such as an HTML 502 page) as an
// Anthropic error. The HTTP status is kept (503 becomes 529; the body's code
// is used when `http_status` is 0 or 200, as for in-stream errors); the
// message is Google's, with every string of `secrets` and anything that
// looks like a Google API key redacted.
AnthropicError ConvertGeminiErrorText(int http_status, absl::string_view body,
                                      const std::vector<std::string>& secrets = {});
AnthropicError ConvertGeminiError(int http_status, const nlohmann::json& body,
                                  const std::vector<std::string>& secrets = {});

}  // namespace gempool::anthropic
