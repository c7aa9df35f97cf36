#pragma once
// Errors gempool itself answers with, in Google's shape, so Gemini SDKs
// surface them like Google's own ({"error":{"code","message","status"}}):
// @google/genai turns the body into ApiError{status, message}.

#include <string>

#include "absl/strings/string_view.h"

namespace gempool::gemini {

// {"error":{"code":<http_status>,"message":<message>,"status":<status>}},
// e.g. status "UNAUTHENTICATED".
std::string MakeErrorBody(int http_status, absl::string_view status, absl::string_view message);

}  // namespace gempool::gemini
