#include "gempool/anthropic/response_converter.h"
#include "gempool/common/status_macros.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "content_blocks.h"
#include "gempool/gemini/token_count.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/response_parts.h"

namespace gempool::anthropic {
namespace {

using internal::BlockStep;
using nlohmann::json;
using openai::Find;

bool IsRefusalReason(absl::string_view reason) {
  static constexpr absl::string_view kRefusals[] = {"SAFETY", "RECITATION", "BLOCKLIST",
                                                    "PROHIBITED_CONTENT", "SPII", "LANGUAGE"};
  for (absl::string_view refusal : kRefusals) {
    if (reason == refusal) return true;
  }
  // IMAGE_SAFETY, IMAGE_PROHIBITED_CONTENT, IMAGE_RECITATION, IMAGE_OTHER
  // (NO_IMAGE is not a refusal: the model just drew nothing).
  return absl::StartsWith(reason, "IMAGE_");
}

// Applies the steps to `content` the way an Anthropic SDK accumulates the
// same steps sent as stream events.
void Apply(std::vector<BlockStep>& steps, json& content) {
  for (BlockStep& step : steps) {
    switch (step.kind) {
      case BlockStep::Kind::kStart:
        content.push_back(std::move(step.value));
        break;
      case BlockStep::Kind::kTextDelta:
        content[step.index]["text"].get_ref<std::string&>() += step.value.get_ref<const std::string&>();
        break;
      case BlockStep::Kind::kThinkingDelta:
        content[step.index]["thinking"].get_ref<std::string&>() += step.value.get_ref<const std::string&>();
        break;
      case BlockStep::Kind::kSignature:
        content[step.index]["signature"] = std::move(step.value);
        break;
      case BlockStep::Kind::kInput:
        content[step.index]["input"] = std::move(step.value);
        break;
      case BlockStep::Kind::kStop:
        break;
    }
  }
  steps.clear();
}

}  // namespace

ResponseContext MakeResponseContext(const MessagesRequest& request, const openai::ConversionOptions& options,
                                    std::string fallback_id) {
  ResponseContext context;
  context.model = request.gemini.model.requested;
  context.fallback_id = std::move(fallback_id);
  context.thinking = request.thinking;
  context.show_thinking = request.show_thinking;
  // About four bytes of English or code per token: only a placeholder until
  // Gemini reports the real count, but a zero would show as "0 tokens".
  context.estimated_input_tokens = static_cast<int64_t>(request.text_bytes / 4);
  context.show_search_link = options.show_search_link;
  context.link_language = options.link_language;
  return context;
}

const char* AnthropicStopReason(absl::string_view gemini_reason, bool has_tool_use) {
  if (IsRefusalReason(gemini_reason)) return "refusal";
  // Gemini's calls arrive whole, so a call is runnable even when the answer
  // then hit MAX_TOKENS; the client must see tool_use to run it.
  if (has_tool_use) return "tool_use";
  if (gemini_reason == "MAX_TOKENS") return "max_tokens";
  // STOP (Gemini does not say whether a stop sequence fired), and reasons
  // with no Anthropic equivalent (MALFORMED_FUNCTION_CALL, OTHER, ...).
  return "end_turn";
}

json ConvertUsage(const json& usage_metadata) {
  const int64_t cached = gemini::TokenCount(usage_metadata, "cachedContentTokenCount");
  const int64_t prompt = gemini::TokenCount(usage_metadata, "promptTokenCount") +
                         gemini::TokenCount(usage_metadata, "toolUsePromptTokenCount");
  json usage(json::value_t::object);
  // Gemini's prompt count includes the cached tokens; Anthropic's
  // input_tokens does not (total input = input + cache reads + writes).
  usage.emplace("input_tokens", prompt > cached ? prompt - cached : 0);
  usage.emplace("output_tokens", gemini::TokenCount(usage_metadata, "candidatesTokenCount") +
                                     gemini::TokenCount(usage_metadata, "thoughtsTokenCount"));
  usage.emplace("cache_creation_input_tokens", 0);
  usage.emplace("cache_read_input_tokens", cached);
  return usage;
}

absl::StatusOr<json> ConvertMessagesResponse(const json& gemini_response, const ResponseContext& context) {
  GEMPOOL_RETURN_IF_ERROR(openai::CheckGenerateContentResponse(gemini_response, "Gemini's answer"));

  std::string id = internal::MessageId(gemini_response, context);
  internal::ContentBlocks blocks(context, id);
  std::vector<BlockStep> steps;
  json content = json::array();
  const char* stop_reason = "end_turn";
  const json* candidate = openai::FirstCandidate(gemini_response);
  if (candidate != nullptr) {
    blocks.AddCandidate(*candidate, steps);
    stop_reason = AnthropicStopReason(openai::StringOr(*candidate, "finishReason", ""), blocks.has_tool_use());
  } else if (const json* feedback = Find(gemini_response, "promptFeedback");
             feedback != nullptr && Find(*feedback, "blockReason") != nullptr) {
    blocks.AddText(openai::PromptBlockedExplanation(*feedback), steps);
    stop_reason = "refusal";
  } else if (const json* candidates = Find(gemini_response, "candidates");
             candidates == nullptr || !candidates->is_array() || candidates->empty()) {
    return absl::InternalError("Gemini's answer has neither candidates nor a promptFeedback.blockReason");
  }
  blocks.Close(stop_reason, candidate, steps);
  Apply(steps, content);

  const json* usage = Find(gemini_response, "usageMetadata");
  json message(json::value_t::object);
  message.emplace("id", std::move(id));
  message.emplace("type", "message");
  message.emplace("role", "assistant");
  message.emplace("model", context.model);
  message.emplace("content", std::move(content));
  message.emplace("stop_reason", stop_reason);
  message.emplace("stop_sequence", nullptr);
  message.emplace("usage", ConvertUsage(usage != nullptr ? *usage : json::object()));
  return message;
}

absl::StatusOr<json> ConvertCountTokensResponse(const json& gemini_response) {
  if (Find(gemini_response, "error") != nullptr) return openai::UpstreamErrorStatus(gemini_response);
  const json* total = Find(gemini_response, "totalTokens");
  if (total == nullptr || !total->is_number()) {
    return absl::InternalError("Gemini's countTokens answer has no numeric totalTokens");
  }
  return json{{"input_tokens", gemini::TokenCount(gemini_response, "totalTokens")}};
}

}  // namespace gempool::anthropic
