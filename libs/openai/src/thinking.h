#pragma once
// generationConfig.thinkingConfig from the client's reasoning_effort or
// (extra_body.)google.thinking_config (protocol.md §2 table, §6.13), with
// includeThoughts when `show_thinking_process` (SHOW_THINKING_PROCESS) and
// the client's config does not set it or turn thinking off. The defaults
// when the client sets neither (the derived "-non-thinking" id,
// THINKING_BUDGET_MAP, includeThoughts for thinking models) are
// ApplyModelOptions' part (model_options.h). Internal to gempool_openai.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai::internal {

// `google_thinking_config` is the client's thinking_config object (nullptr
// when absent) and `config_path` the field it came from. Returns the
// thinkingConfig to send, or null for none.
absl::StatusOr<nlohmann::json> ResolveThinking(const nlohmann::json& body, const nlohmann::json* google_thinking_config,
                                               const std::string& config_path, const ResolvedModel& model,
                                               bool show_thinking_process, std::vector<std::string>* warnings);

}  // namespace gempool::openai::internal
