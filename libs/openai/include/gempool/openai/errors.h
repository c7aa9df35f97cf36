#pragma once
// Errors in OpenAI's shape, {"error":{"message","type","param","code"}}, for
// everything the OpenAI-compatible routes answer: gempool's own refusals
// (conversion errors carry the offending field as `param`) and upstream Gemini
// errors (google.rpc.Status JSON, possibly array-wrapped) with their HTTP
// status kept. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gempool/common/http_status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// An InvalidArgument status whose message starts with `field` (e.g.
// "messages[2].content[0].type") and which remembers the field, so
// OpenAIErrorFromStatus can report it as `param`.
absl::Status FieldError(absl::string_view field, absl::string_view detail);
// The same with another code (e.g. kNotFound for an unknown model).
absl::Status FieldError(absl::StatusCode code, absl::string_view field, absl::string_view detail);
// The field a FieldError names, if any.
std::optional<std::string> ErrorParam(const absl::Status& status);

// OpenAI's error `type` for an HTTP status: 400/404/409/413/415/422
// invalid_request_error, 401 authentication_error, 403 permission_error, 429
// rate_limit_error, 5xx server_error (others invalid_request_error).
const char* OpenAIErrorType(int http_status);

// {"error":{"message","type","param","code"}}; empty param/code become null,
// except that 401 defaults code to "invalid_api_key" and 429 to
// "rate_limit_exceeded".
nlohmann::json OpenAIErrorBody(int http_status, absl::string_view message, absl::string_view param = "",
                               absl::string_view code = "");

// The HTTP status for a canonical code: the one mapping every gempool HTTP
// edge shares (gempool/common/http_status.h).
using ::gempool::HttpStatusForCode;

struct OpenAIError {
  int http_status = 500;
  nlohmann::json body;
  // Seconds the client should wait (from Gemini's RetryInfo.retryDelay,
  // rounded up), for a `retry-after` header.
  std::optional<int> retry_after_seconds;
};

// A gempool status as an OpenAI error (message as is; param from FieldError).
OpenAIError OpenAIErrorFromStatus(const absl::Status& status);

// An upstream Gemini error response as an OpenAI error. `body` is the raw
// response text: {"error":{code,message,status,details}}, the same wrapped in
// an array, or anything else (an HTML 502 page: its text becomes the message,
// cut to 1000 bytes). The HTTP status is kept (the body's `code` is used when
// `http_status` is 0 or 200, as for in-stream errors). `code` becomes the
// lower-cased Google status ("resource_exhausted"); `param` the first
// BadRequest field violation. Every string in `secrets`, and anything that
// looks like a Google API key, is redacted from the message.
OpenAIError ConvertGeminiErrorText(int http_status, absl::string_view body,
                                   const std::vector<std::string>& secrets = {});
// The same for an already parsed body (an in-stream {"error":...} event).
OpenAIError ConvertGeminiError(int http_status, const nlohmann::json& body,
                               const std::vector<std::string>& secrets = {});

// The canonical code for a Google status name ("RESOURCE_EXHAUSTED") or, when
// the name is unknown, for an HTTP status.
absl::StatusCode CodeForGoogleStatus(absl::string_view status_name, int http_status);

}  // namespace gempool::openai
