#pragma once
// Anthropic `system` and `messages` → Gemini `systemInstruction` and
// `contents` (anthropic.md §7.1–7.3): roles, merged turns, mid-conversation
// system messages, content blocks, tool_use/tool_result pairing and thought
// signatures. Internal to gempool_anthropic; used by ConvertMessagesRequest.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/options.h"
#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic::internal {

struct ConvertedConversation {
  nlohmann::json contents = nlohmann::json::array();
  nlohmann::json system_instruction;  // null when there is none
  std::vector<openai::MediaFetch> fetches;
  std::vector<std::string> warnings;
  size_t text_bytes = 0;
};

// `system` is the body's `system` (nullptr when absent), `messages` its
// `messages` (nullptr when absent). `upstream_model` decides Gemini-3-only
// behaviour (the thought signature fill).
absl::StatusOr<ConvertedConversation> ConvertConversation(const nlohmann::json* system,
                                                          const nlohmann::json* messages,
                                                          const std::string& upstream_model,
                                                          const openai::ConversionOptions& options);

}  // namespace gempool::anthropic::internal
