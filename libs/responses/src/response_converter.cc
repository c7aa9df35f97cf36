#include "gempool/common/status_macros.h"
#include "gempool/responses/response_converter.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/gemini/token_count.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/response_parts.h"
#include "output_items.h"

namespace gempool::responses {

using internal::ItemStep;
using nlohmann::json;
using openai::Find;

ResponseContext MakeResponseContext(const ResponsesRequest& request, const openai::ConversionOptions& options,
                                    std::string response_id, int64_t created_at) {
  ResponseContext context;
  context.response_id = std::move(response_id);
  context.model = request.gemini.model.requested;
  context.created_at = created_at;
  context.reasoning_summary = request.reasoning_summary;
  context.include_encrypted_reasoning = request.include_encrypted_reasoning;
  context.instructions = request.instructions;
  context.previous_response_id = request.previous_response_id;
  context.store = request.store;
  context.echo = request.echo;
  context.show_search_link = options.show_search_link;
  context.link_language = options.link_language;
  return context;
}

json ConvertUsage(const json& usage_metadata) {
  const int64_t input = gemini::TokenCount(usage_metadata, "promptTokenCount") +
                        gemini::TokenCount(usage_metadata, "toolUsePromptTokenCount");
  const int64_t thoughts = gemini::TokenCount(usage_metadata, "thoughtsTokenCount");
  const int64_t output = gemini::TokenCount(usage_metadata, "candidatesTokenCount") + thoughts;
  json input_details(json::value_t::object);
  input_details["cached_tokens"] = gemini::TokenCount(usage_metadata, "cachedContentTokenCount");
  input_details["cache_write_tokens"] = 0;
  json usage(json::value_t::object);
  usage["input_tokens"] = input;
  usage["input_tokens_details"] = std::move(input_details);
  usage["output_tokens"] = output;
  usage["output_tokens_details"] = json{{"reasoning_tokens", thoughts}};
  usage["total_tokens"] = input + output;
  return usage;
}

absl::StatusOr<ConvertedResponse> ConvertResponsesResponse(const json& gemini_response,
                                                           const ResponseContext& context) {
  GEMPOOL_RETURN_IF_ERROR(openai::CheckGenerateContentResponse(gemini_response, "Gemini's answer"));

  const std::string id = internal::ResponseId(gemini_response, context);
  internal::OutputItems items(context, id);
  std::vector<ItemStep> steps;
  internal::Outcome outcome;
  const json* candidate = openai::FirstCandidate(gemini_response);
  if (candidate != nullptr) {
    items.AddCandidate(*candidate, steps);
    outcome = internal::OutcomeFor(openai::StringOr(*candidate, "finishReason", ""), items.has_calls(), false);
  } else if (const json* feedback = Find(gemini_response, "promptFeedback");
             feedback != nullptr && Find(*feedback, "blockReason") != nullptr) {
    items.AddText(openai::PromptBlockedExplanation(*feedback), steps);
    outcome = internal::OutcomeFor("", false, true);
  } else if (const json* candidates = Find(gemini_response, "candidates");
             candidates == nullptr || !candidates->is_array() || candidates->empty()) {
    return absl::InternalError("Gemini's answer has neither candidates nor a promptFeedback.blockReason");
  }
  items.Close(outcome, candidate, steps);
  json output = json::array();
  internal::ApplySteps(steps, output);

  json presented = json::array();
  for (const json& item : output) presented.push_back(internal::PresentItem(item, context));
  const json* usage_metadata = Find(gemini_response, "usageMetadata");
  json usage = ConvertUsage(usage_metadata != nullptr ? *usage_metadata : json::object());
  ConvertedResponse out;
  out.response = internal::ResponseObject(context, id, outcome, outcome.status, std::move(presented), usage, nullptr);
  out.stored = out.response;
  out.stored["output"] = std::move(output);
  return out;
}

}  // namespace gempool::responses
