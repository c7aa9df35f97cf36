#pragma once
// Anthropic `tools` and `tool_choice` → Gemini `tools` and `toolConfig`
// (anthropic.md §1.4–1.5, §7.1, §7.6): client tools become function
// declarations, web_search server tools Google Search, other server tools a
// 400. Internal to gempool_anthropic.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic::internal {

struct ConvertedTools {
  nlohmann::json tools = nlohmann::json::array();  // empty: send no `tools`
  nlohmann::json tool_config;                      // null: send no `toolConfig`
  std::vector<std::string> warnings;
  size_t text_bytes = 0;  // names, descriptions and schemas
};

absl::StatusOr<ConvertedTools> ConvertTools(const nlohmann::json& body, const openai::ResolvedModel& model,
                                            const openai::ConversionOptions& options);

// Whether `name` is a valid Anthropic tool name: ^[a-zA-Z0-9_-]{1,64}$.
bool IsValidToolName(const std::string& name);

}  // namespace gempool::anthropic::internal
