#pragma once
// Pieces shared by the non-stream and stream response converters: completion
// and tool-call ids, part rendering (images, code), grounding links,
// logprobs and block explanations. Internal to gempool_openai.

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "gempool/openai/response_converter.h"
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

// Markdown for a part that is neither text nor a function call (inline data,
// executable code, code result); "" for anything else.
std::string RenderOtherPart(const nlohmann::json& part);

// Grounding sources of one candidate, in order, without duplicates.
class GroundingLinks {
 public:
  void Add(const nlohmann::json& grounding_metadata);
  bool empty() const { return links_.empty(); }
  // "\n\n**Sources**\n1. [title](uri)\n..." in `language`.
  std::string Markdown(LinkLanguage language) const;

 private:
  std::vector<std::pair<std::string, std::string>> links_;  // title, uri
  std::set<std::string> seen_;
};

// logprobsResult → {"content":[...], "refusal":null}; null when absent.
nlohmann::json ConvertLogprobs(const nlohmann::json& candidate);

// Why Gemini blocked a prompt (promptFeedback) or stopped an answer.
std::string PromptBlockedExplanation(const nlohmann::json& prompt_feedback);
std::string StoppedExplanation(const nlohmann::json& candidate);

// The status of an {"error":...} body (Google's code and message, key-like
// text redacted).
absl::Status UpstreamErrorStatus(const nlohmann::json& body);

}  // namespace gempool::openai::internal
