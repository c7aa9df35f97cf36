#pragma once
// Responses `instructions` and input items → Gemini `systemInstruction` and
// `contents`: messages by role, function_call / function_call_output pairs,
// and reasoning items carrying thought signatures back
// (gempool/responses/reasoning_content.h). Internal to gempool_responses;
// used by ConvertResponsesRequest.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/options.h"
#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::responses::internal {

struct ConvertedInput {
  nlohmann::json contents = nlohmann::json::array();
  nlohmann::json system_instruction;  // null when there is none
  std::vector<openai::MediaFetch> fetches;
  std::vector<std::string> warnings;
  // Indices into `items` of the trailing function calls dropped for want of
  // outputs, in ascending order.
  std::vector<size_t> dropped_items;
};

// `items` is the whole conversation as an array of input items (the previous
// response's items first); `paths` names each item in errors ("input[2]",
// "previous_response_id (item 3)"); the first `stored_items` come from the
// stored conversation, whose unanswered calls are refused rather than
// dropped. `upstream_model` decides Gemini-3-only behaviour (the thought
// signature fill).
absl::StatusOr<ConvertedInput> ConvertInput(const std::string& instructions, const nlohmann::json& items,
                                            const std::vector<std::string>& paths, size_t stored_items,
                                            const std::string& upstream_model,
                                            const openai::ConversionOptions& options);

}  // namespace gempool::responses::internal
