#pragma once
// Anthropic `thinking` and `output_config.effort` → Gemini
// generationConfig.thinkingConfig (anthropic.md §1.6, §7.1), with the
// tables of gempool/openai/thinking_levels.h. Internal to gempool_anthropic.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic::internal {

struct ThinkingSettings {
  nlohmann::json config;  // the thinkingConfig to send; null for none
  bool thinking = false;       // enabled or adaptive
  bool show_thinking = false;  // and display is not "omitted"
};

// - enabled{budget_tokens}: Gemini 3 → the nearest thinkingLevel
//   (ThinkingLevelForBudget); others → thinkingBudget, raised to 128 on 2.5
//   Pro and lowered to the model's maximum (24576, 32768 on 2.5 Pro).
// - adaptive: Gemini 3 → the level of output_config.effort (high when
//   absent); others → thinkingBudget -1 (dynamic).
// - disabled: the model's lowest setting.
// - includeThoughts: true for enabled/adaptive, false with display
//   "omitted"; not sent when thinking is disabled or absent.
// - absent: the "-non-thinking" model's lowest setting, else
//   THINKING_BUDGET_MAP for the base model, else nothing.
absl::StatusOr<ThinkingSettings> ResolveThinking(const nlohmann::json& body, const openai::ResolvedModel& model,
                                                 const openai::ConversionOptions& options,
                                                 std::vector<std::string>* warnings);

}  // namespace gempool::anthropic::internal
