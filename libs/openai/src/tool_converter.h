#pragma once
// OpenAI `tools`, `tool_choice` and `web_search_options` → Gemini `tools` and
// `toolConfig` (protocol.md §5 rows for tools). The built-in tools implied by
// derived model ids and settings are added afterwards by ApplyModelOptions
// (model_options.h). Internal to gempool_openai.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai::internal {

struct ConvertedTools {
  nlohmann::json tools = nlohmann::json::array();  // empty: send no `tools`
  nlohmann::json tool_config;                      // null: send no `toolConfig`
  std::vector<std::string> warnings;
};

absl::StatusOr<ConvertedTools> ConvertTools(const nlohmann::json& body, const ResolvedModel& model,
                                            const ConversionOptions& options);

}  // namespace gempool::openai::internal
