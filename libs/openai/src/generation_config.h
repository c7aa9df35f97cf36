#pragma once
// OpenAI sampling and output options → Gemini generationConfig (protocol.md §5
// rows: max tokens, temperature, top_p, stop, n, seed, penalties, logprobs,
// response_format, modalities). Thinking is added separately. Internal to
// gempool_openai.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai::internal {

struct GenerationSettings {
  nlohmann::json config = nlohmann::json::object();
  bool json_output = false;  // responseMimeType application/json
  std::vector<std::string> warnings;
};

absl::StatusOr<GenerationSettings> ConvertGenerationConfig(const nlohmann::json& body,
                                                           const ConversionOptions& options);

}  // namespace gempool::openai::internal
