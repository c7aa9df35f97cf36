#pragma once
// Stop sequences, as every converted API sends them (OpenAI's `stop`, a
// string or a list; Anthropic's `stop_sequences`, a list), into Gemini's
// generationConfig.stopSequences. Pure functions; thread-safe.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// Gemini's documented limit.
inline constexpr size_t kMaxStopSequences = 5;

// body[`field`] (absent or null: nothing; a list of strings, or also one
// string when `allow_string`) → config["stopSequences"], empty strings
// dropped. InvalidArgument naming the field for another type, or for more
// than kMaxStopSequences.
absl::Status ConvertStopSequences(const nlohmann::json& body, absl::string_view field, bool allow_string,
                                  nlohmann::json& config);

}  // namespace gempool::openai
