#pragma once
// Responses `tools`, `tool_choice` and `parallel_tool_calls` → Gemini
// `tools` and `toolConfig`: function tools become function declarations,
// web_search tools Google Search, other hosted tools a 400. Internal to
// gempool_responses.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::responses::internal {

struct ConvertedTools {
  nlohmann::json tools = nlohmann::json::array();  // empty: send no `tools`
  nlohmann::json tool_config;                      // null: send no `toolConfig`
  std::vector<std::string> warnings;
};

absl::StatusOr<ConvertedTools> ConvertTools(const nlohmann::json& body, const openai::ResolvedModel& model,
                                            const openai::ConversionOptions& options);

}  // namespace gempool::responses::internal
