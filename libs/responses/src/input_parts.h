#pragma once
// Content parts of Responses input messages and function_call_output
// arrays → Gemini parts: input_text / output_text / refusal → text,
// input_image (data URL → inlineData, http(s) → a fetch the gateway makes),
// input_file (file_data → inlineData, file_url → a PDF fetch); file_id →
// 400 (the Files API is not served on this route yet). Internal to
// gempool_responses.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gempool/openai/options.h"
#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::responses::internal {

// Member that marks a fetch placeholder with its index in `fetches` until
// the contents are final (user turns are reordered after they are built);
// FinishFetches turns the marks into MediaFetch positions.
inline constexpr char kFetchMark[] = "__gempool_fetch";

// Which part types a message of a given role may hold.
enum class PartRole { kUser, kAssistant, kToolOutput };

struct PartContext {
  const openai::ConversionOptions& options;
  std::vector<openai::MediaFetch>& fetches;
};

// Appends the Gemini part(s) for the content part `part` at `path`. Empty
// text adds nothing.
absl::Status ConvertContentPart(const nlohmann::json& part, const std::string& path, PartRole role,
                                PartContext& context, nlohmann::json& parts);

// Finds the marked placeholders in `contents`, records their positions in
// `fetches` and removes the marks.
void FinishFetches(nlohmann::json& contents, std::vector<openai::MediaFetch>& fetches);

}  // namespace gempool::responses::internal
