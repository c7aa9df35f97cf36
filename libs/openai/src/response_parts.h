#pragma once
// Pieces shared by the OpenAI non-stream and stream response converters:
// completion and tool-call ids, logprobs. Internal to gempool_openai; the
// pieces other dialects share are in gempool/openai/response_parts.h.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "gempool/openai/response_converter.h"
#include "gempool/openai/response_parts.h"
#include "nlohmann/json.hpp"

namespace gempool::openai::internal {

// "chatcmpl-<responseId>", else context.fallback_id, else a derived id.
std::string CompletionId(const nlohmann::json& response, const ResponseContext& context);

// Gemini's functionCall.id when present, else "call_" + 24 hex digits derived
// from (completion id, choice index, call index): stable for one response.
std::string ToolCallId(const nlohmann::json& function_call, absl::string_view completion_id, int choice_index,
                       int call_index);

// {index, id, type:"function", function:{name, arguments}, extra_content?}.
nlohmann::json ToolCall(const nlohmann::json& part, absl::string_view completion_id, int choice_index,
                        int call_index);

// logprobsResult → {"content":[...], "refusal":null}; null when absent.
nlohmann::json ConvertLogprobs(const nlohmann::json& candidate);

}  // namespace gempool::openai::internal
