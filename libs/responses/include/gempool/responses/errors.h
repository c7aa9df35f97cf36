#pragma once
// Errors of the Responses routes. They have OpenAI's shape, so the chat
// route's functions are used as they are (gempool/openai/errors.h:
// OpenAIErrorFromStatus, ConvertGeminiErrorText, ConvertGeminiError); this
// adds the refusals only the Responses routes make. Pure functions;
// thread-safe.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/errors.h"
#include "nlohmann/json.hpp"

namespace gempool::responses {

// NotFound naming `previous_response_id`: the id is unknown, expired or was
// created with store:false. OpenAIErrorFromStatus makes it a 404
// invalid_request_error with param "previous_response_id".
absl::Status UnknownPreviousResponse(absl::string_view id);

// NotFound for GET / DELETE /v1/responses/{id} of an unknown id.
absl::Status UnknownResponse(absl::string_view id);

// The `error` of a failed Response object ({code, message}) for an upstream
// or gateway error: code "rate_limit_exceeded" for 429, "invalid_prompt" for
// other 4xx, "server_error" otherwise (the codes ResponseError allows).
nlohmann::json ResponseErrorObject(const openai::OpenAIError& error);

}  // namespace gempool::responses
