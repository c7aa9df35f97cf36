#pragma once
// How the OpenAI-compatible routes answer: JSON bodies, OpenAI-shaped errors
// ({"error":{"message","type","param","code"}}) for gempool's own refusals
// and for upstream failures (status kept, retry-after set, keys redacted),
// and the x-gempool-warnings header listing what a conversion ignored or
// adjusted. Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "http/client_call.h"
#include "http/http_message.h"
#include "http/http_status.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {

// `json` serialised for a response body; invalid UTF-8 is replaced, never
// thrown on.
std::string DumpJson(const nlohmann::json& json);

// The request body as JSON; InvalidArgument quoting `example` (a valid
// request) when it is not JSON.
absl::StatusOr<nlohmann::json> ParseRequestJson(absl::string_view body, absl::string_view example);

// A JSON reply with `status`.
HttpReply OpenAIJsonReply(const nlohmann::json& body, int status = 200);

// gempool's own refusal (a conversion error names its field as `param`).
HttpReply OpenAIStatusReply(const absl::Status& status);

// A failure the Forwarder returned (an upstream Gemini error, verbatim but
// with the pool key redacted, or gempool's own Gemini-shaped error) in
// OpenAI's shape, with its HTTP status; Retry-After from the failure or from
// Gemini's RetryInfo.
HttpReply OpenAIUpstreamFailure(const HttpReply& gemini_failure);

// 502 in OpenAI's error format for an upstream answer gempool cannot use (not
// JSON, or not the shape a conversion expects); `message` says what is wrong.
HttpReply OpenAIBadUpstream(absl::string_view message);

// The reply for a Gemini answer that did not convert: InvalidArgument (e.g. a
// refused prompt that produced nothing) is the client's, as OpenAIStatusReply
// says; anything else is the upstream's (OpenAIBadUpstream).
HttpReply OpenAIConversionFailure(const absl::Status& status);

// The 401 for a missing or wrong client token.
HttpReply OpenAIUnauthenticatedReply();

// The HTTP layer's own refusal (413, 408, 400) in OpenAI's shape.
HttpReply OpenAIRefusal(int status, absl::string_view message);

// The x-gempool-warnings value: the warnings joined with "; ", reduced to
// printable ASCII (other bytes become '?') and cut to a header-friendly
// length; "" when there are none.
std::string WarningsHeaderValue(const std::vector<std::string>& warnings);

// Adds `warnings` to the x-gempool-warnings header in `headers` (one header,
// "; "-joined, AppendHeaderValue) when there are any.
void AddWarningsHeader(const std::vector<std::string>& warnings, HeaderList& headers);

}  // namespace gempool::gateway
