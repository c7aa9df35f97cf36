#pragma once
// OpenAI `messages` → Gemini `contents` + `systemInstruction` (protocol.md §5
// rows for roles and content parts). Internal to gempool_openai; used by
// ConvertChatRequest.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/options.h"
#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::openai::internal {

struct ConvertedMessages {
  nlohmann::json contents = nlohmann::json::array();
  nlohmann::json system_instruction;  // null when there is none
  std::vector<MediaFetch> fetches;
  std::vector<std::string> file_names;
  std::vector<std::string> warnings;
  bool has_media = false;  // any image/audio/file part
};

// `upstream_model` decides Gemini-3-only behaviour (thought signature fill).
absl::StatusOr<ConvertedMessages> ConvertMessages(const nlohmann::json& messages, const std::string& upstream_model,
                                                  const ConversionOptions& options);

}  // namespace gempool::openai::internal
