#pragma once
// How the Anthropic Messages routes answer: JSON bodies, and errors in
// Anthropic's shape ({"type":"error","error":{"type","message"}}) with
// Anthropic's statuses, for gempool's own refusals and for upstream
// failures (status mapped, retry-after kept, keys redacted). Pure
// functions; thread-safe.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "http/http_status.h"
#include "nlohmann/json.hpp"
#include "upstream/gemini_caller.h"

namespace gempool::gateway {

// A JSON reply with `status`.
HttpReply AnthropicJsonReply(const nlohmann::json& body, int status = 200);

// gempool's own refusal.
HttpReply AnthropicStatusReply(const absl::Status& status);

// A failure the Forwarder returned (an upstream Gemini error, keys
// redacted, or gempool's own Gemini-shaped error) in Anthropic's shape:
// 503 becomes 529 overloaded_error; Retry-After from the failure or from
// Gemini's RetryInfo, in whole seconds.
HttpReply AnthropicUpstreamFailure(const HttpReply& gemini_failure);

// 502 api_error for an upstream answer gempool cannot use.
HttpReply AnthropicBadUpstream(absl::string_view message);

// The 401 authentication_error for a missing or wrong client token.
HttpReply AnthropicUnauthenticatedReply();

// The HTTP layer's own refusal (413 request_too_large, 408, 400) in
// Anthropic's shape.
HttpReply AnthropicRefusal(int status, absl::string_view message);

// The two above, for GeminiCaller's buffered calls.
ReplyDialect AnthropicReplyDialect();

}  // namespace gempool::gateway
