#include "gempool/common/status_macros.h"
#include "gempool/openai/response_converter.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/gemini/token_count.h"
#include "gempool/openai/json_fields.h"
#include "response_parts.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

bool IsContentFilterReason(absl::string_view reason) {
  static constexpr absl::string_view kFiltered[] = {
      "SAFETY",      "RECITATION",     "BLOCKLIST",          "PROHIBITED_CONTENT",
      "SPII",        "IMAGE_SAFETY",   "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
      "LANGUAGE",
  };
  for (absl::string_view filtered : kFiltered) {
    if (reason == filtered) return true;
  }
  return false;
}

json ConvertCandidate(const json& candidate, const std::string& completion_id, const ResponseContext& context) {
  int index = 0;
  if (const json* found = Find(candidate, "index"); found != nullptr && found->is_number_integer()) {
    index = found->get<int>();
  }
  std::string content;
  std::string reasoning;
  std::string text_signature;
  json tool_calls = json::array();
  const json* parts = nullptr;
  if (const json* body = Find(candidate, "content"); body != nullptr) parts = Find(*body, "parts");
  if (parts != nullptr && parts->is_array()) {
    for (const json& part : *parts) {
      if (!part.is_object()) continue;
      const json* text = Find(part, "text");
      if (RunnableCall(part) != nullptr) {
        tool_calls.push_back(internal::ToolCall(part, completion_id, index, static_cast<int>(tool_calls.size())));
        continue;
      }
      if (text != nullptr && text->is_string()) {
        if (BoolOr(part, "thought", false)) {
          reasoning += text->get_ref<const std::string&>();
          continue;
        }
        content += text->get_ref<const std::string&>();
      } else {
        content += RenderOtherPart(part);
      }
      if (const json* signature = Find(part, "thoughtSignature"); signature != nullptr && signature->is_string()) {
        text_signature = signature->get_ref<const std::string&>();
      }
    }
  }
  if (context.show_search_link) {
    GroundingLinks links;
    if (const json* grounding = Find(candidate, "groundingMetadata"); grounding != nullptr) links.Add(*grounding);
    content += links.Markdown(context.link_language);
  }

  const char* finish = OpenAIFinishReason(StringOr(candidate, "finishReason", ""), !tool_calls.empty());
  // Objects are built member by member (emplace into fresh objects), not from
  // initializer lists: those build and copy a [key, value] array per member.
  json message(json::value_t::object);
  message.emplace("role", "assistant");
  if (content.empty() && tool_calls.empty() && absl::string_view(finish) == "content_filter") {
    message.emplace("content", nullptr);
    message.emplace("refusal", StoppedExplanation(candidate));
  } else {
    if (content.empty() && !tool_calls.empty()) {
      message.emplace("content", nullptr);
    } else {
      message.emplace("content", std::move(content));
    }
    message.emplace("refusal", nullptr);
  }
  if (!reasoning.empty()) message.emplace("reasoning_content", std::move(reasoning));
  if (!tool_calls.empty()) message.emplace("tool_calls", std::move(tool_calls));
  if (!text_signature.empty()) message["extra_content"] = json{{"google", {{"thought_signature", text_signature}}}};
  json choice(json::value_t::object);
  choice.emplace("index", index);
  choice.emplace("message", std::move(message));
  choice.emplace("finish_reason", finish);
  choice.emplace("logprobs", internal::ConvertLogprobs(candidate));
  return choice;
}

}  // namespace

ResponseContext MakeResponseContext(const GeminiRequest& request, const ConversionOptions& options,
                                    int64_t created_unix, std::string fallback_id) {
  ResponseContext context;
  context.model = request.model.requested;
  context.created = created_unix;
  context.fallback_id = std::move(fallback_id);
  context.show_search_link = options.show_search_link;
  context.link_language = options.link_language;
  return context;
}

const char* OpenAIFinishReason(absl::string_view gemini_reason, bool has_tool_calls) {
  if (gemini_reason == "MAX_TOKENS") return "length";
  if (IsContentFilterReason(gemini_reason)) return "content_filter";
  // STOP, and reasons with no OpenAI equivalent (MALFORMED_FUNCTION_CALL,
  // OTHER, NO_IMAGE...): a normal stop, or tool_calls when there is a call.
  return has_tool_calls ? "tool_calls" : "stop";
}

json ConvertUsage(const json& usage_metadata) {
  int64_t prompt = gemini::TokenCount(usage_metadata, "promptTokenCount") +
                   gemini::TokenCount(usage_metadata, "toolUsePromptTokenCount");
  int64_t thoughts = gemini::TokenCount(usage_metadata, "thoughtsTokenCount");
  int64_t completion = gemini::TokenCount(usage_metadata, "candidatesTokenCount") + thoughts;
  int64_t total = gemini::TokenCount(usage_metadata, "totalTokenCount");
  if (total == 0) total = prompt + completion;
  json prompt_details(json::value_t::object);
  prompt_details.emplace("cached_tokens", gemini::TokenCount(usage_metadata, "cachedContentTokenCount"));
  json completion_details(json::value_t::object);
  completion_details.emplace("reasoning_tokens", thoughts);
  json usage(json::value_t::object);
  usage.emplace("prompt_tokens", prompt);
  usage.emplace("completion_tokens", completion);
  usage.emplace("total_tokens", total);
  usage.emplace("prompt_tokens_details", std::move(prompt_details));
  usage.emplace("completion_tokens_details", std::move(completion_details));
  return usage;
}

absl::StatusOr<json> ConvertChatResponse(const json& response, const ResponseContext& context) {
  GEMPOOL_RETURN_IF_ERROR(CheckGenerateContentResponse(response, "Gemini's answer"));

  std::string id = internal::CompletionId(response, context);
  json choices = json::array();
  const json* candidates = Find(response, "candidates");
  if (candidates != nullptr && candidates->is_array() && !candidates->empty()) {
    for (const json& candidate : *candidates) {
      if (candidate.is_object()) choices.push_back(ConvertCandidate(candidate, id, context));
    }
    if (choices.size() > 1) {
      std::stable_sort(choices.begin(), choices.end(),
                       [](const json& a, const json& b) { return a["index"].get<int>() < b["index"].get<int>(); });
    }
  } else {
    const json* feedback = Find(response, "promptFeedback");
    if (feedback == nullptr || Find(*feedback, "blockReason") == nullptr) {
      return absl::InternalError("Gemini's answer has neither candidates nor a promptFeedback.blockReason");
    }
    choices.push_back(json{{"index", 0},
                           {"message",
                            {{"role", "assistant"},
                             {"content", nullptr},
                             {"refusal", PromptBlockedExplanation(*feedback)}}},
                           {"finish_reason", "content_filter"},
                           {"logprobs", nullptr}});
  }
  const json* usage = Find(response, "usageMetadata");
  json completion(json::value_t::object);
  completion.emplace("id", std::move(id));
  completion.emplace("object", "chat.completion");
  completion.emplace("created", context.created);
  completion.emplace("model", context.model);
  completion.emplace("choices", std::move(choices));
  completion.emplace("usage", usage != nullptr ? ConvertUsage(*usage) : ConvertUsage(json::object()));
  return completion;
}

}  // namespace gempool::openai
