#include "gempool/gemini/usage_metadata.h"

#include <string>

#include <nlohmann/json.hpp>

#include "gempool/gemini/token_count.h"

namespace gempool::gemini {
namespace {

using json = nlohmann::json;

}  // namespace

std::optional<TokenCounts> ParseUsageMetadata(absl::string_view object_json) {
  const json parsed = json::parse(object_json.begin(), object_json.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  TokenCounts counts;
  counts.prompt = TokenCount(parsed, "promptTokenCount");
  counts.candidates = TokenCount(parsed, "candidatesTokenCount");
  counts.thoughts = TokenCount(parsed, "thoughtsTokenCount");
  counts.cached = TokenCount(parsed, "cachedContentTokenCount");
  counts.tool_use_prompt = TokenCount(parsed, "toolUsePromptTokenCount");
  if (parsed.contains("totalTokenCount")) {
    counts.total = TokenCount(parsed, "totalTokenCount");
  } else {
    counts.total = counts.prompt + counts.candidates + counts.thoughts + counts.tool_use_prompt;
  }
  return counts;
}

}  // namespace gempool::gemini
