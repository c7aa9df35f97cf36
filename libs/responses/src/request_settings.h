#pragma once
// Responses sampling, output and reasoning fields → Gemini generationConfig:
// max_output_tokens, temperature, top_p, stop, text.format and
// reasoning.effort / reasoning.summary (with the effort table of
// gempool/openai/thinking_levels.h, the one the chat route uses for
// reasoning_effort). Internal to gempool_responses.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::responses::internal {

struct GenerationSettings {
  nlohmann::json config = nlohmann::json::object();  // generationConfig; empty: send none
  bool reasoning_summary = false;  // reasoning.summary asked for thought text
  std::vector<std::string> warnings;
};

// - reasoning.effort none/minimal/low/medium/high/xhigh →
//   openai::ThinkingConfigForEffort; absent → the "-non-thinking" model's
//   lowest setting, else THINKING_BUDGET_MAP, else nothing.
// - reasoning.summary auto/concise/detailed → includeThoughts (unless
//   thinking is off); generate_summary (deprecated) is read the same way.
// - text.format text → nothing; json_object → responseMimeType
//   application/json; json_schema → + the schema (openai::PrepareResponseSchema).
absl::StatusOr<GenerationSettings> ConvertSettings(const nlohmann::json& body, const openai::ResolvedModel& model,
                                                   const openai::ConversionOptions& options);

}  // namespace gempool::responses::internal
