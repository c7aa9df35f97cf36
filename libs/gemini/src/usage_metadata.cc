#include "gempool/gemini/usage_metadata.h"

#include <string>

#include <nlohmann/json.hpp>

namespace gempool::gemini {
namespace {

using json = nlohmann::json;

// A count: a non-negative integer that fits int64, else 0.
int64_t Count(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return 0;
  if (it->is_number_unsigned()) {
    const uint64_t value = it->get<uint64_t>();
    return value > static_cast<uint64_t>(INT64_MAX) ? 0 : static_cast<int64_t>(value);
  }
  if (it->is_number_integer()) {
    const int64_t value = it->get<int64_t>();
    return value < 0 ? 0 : value;
  }
  return 0;
}

// a + b without wrapping (counts come from the network).
int64_t AddCapped(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

}  // namespace

std::optional<TokenCounts> ParseUsageMetadata(absl::string_view object_json) {
  const json parsed = json::parse(object_json.begin(), object_json.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  TokenCounts counts;
  counts.prompt = Count(parsed, "promptTokenCount");
  counts.candidates = Count(parsed, "candidatesTokenCount");
  counts.thoughts = Count(parsed, "thoughtsTokenCount");
  counts.cached = Count(parsed, "cachedContentTokenCount");
  counts.tool_use_prompt = Count(parsed, "toolUsePromptTokenCount");
  if (parsed.contains("totalTokenCount")) {
    counts.total = Count(parsed, "totalTokenCount");
  } else {
    counts.total =
        AddCapped(AddCapped(AddCapped(counts.prompt, counts.candidates), counts.thoughts), counts.tool_use_prompt);
  }
  return counts;
}

}  // namespace gempool::gemini
