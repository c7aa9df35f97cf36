#pragma once
// OpenAI `tools`, `tool_choice` and `web_search_options`, plus the built-in
// tools implied by derived model ids and settings, → Gemini `tools` and
// `toolConfig` (protocol.md §5 rows for tools). Internal to gempool_openai.

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

// `has_media` and `json_output` gate the automatic codeExecution/urlContext
// tools (they fail with media parts or a JSON response type on Gemini 2.x).
absl::StatusOr<ConvertedTools> ConvertTools(const nlohmann::json& body, const ResolvedModel& model, bool has_media,
                                            bool json_output, const ConversionOptions& options);

}  // namespace gempool::openai::internal
