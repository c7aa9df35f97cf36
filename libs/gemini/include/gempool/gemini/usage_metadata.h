#pragma once
// Gemini's usageMetadata (the token counts of a generateContent answer or a
// streamed chunk) as plain numbers, independent of the wire protos: the
// gateway copies them into v1::TokenUsage for the request log.
//
// Every count is read by gemini::TokenCount (token_count.h: clamped to
// [0, 2^50], 0 when missing or not a number); total is Gemini's
// totalTokenCount, or computed as prompt + candidates + thoughts +
// tool_use_prompt when the upstream leaves it out (prompt already includes
// cached). Plain values; thread-compatible.

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "gempool/gemini/token_count.h"

namespace gempool::gemini {

struct TokenCounts {
  int64_t prompt = 0;           // promptTokenCount (cached part included).
  int64_t candidates = 0;       // candidatesTokenCount: the answer, thinking excluded.
  int64_t thoughts = 0;         // thoughtsTokenCount.
  int64_t cached = 0;           // cachedContentTokenCount.
  int64_t tool_use_prompt = 0;  // toolUsePromptTokenCount.
  int64_t total = 0;            // totalTokenCount, or the sum above.

  // Adds another call's counts (a client request served by several calls),
  // never past INT64_MAX.
  void Add(const TokenCounts& other) {
    prompt = AddTokenCounts(prompt, other.prompt);
    candidates = AddTokenCounts(candidates, other.candidates);
    thoughts = AddTokenCounts(thoughts, other.thoughts);
    cached = AddTokenCounts(cached, other.cached);
    tool_use_prompt = AddTokenCounts(tool_use_prompt, other.tool_use_prompt);
    total = AddTokenCounts(total, other.total);
  }

  bool operator==(const TokenCounts& other) const {
    return prompt == other.prompt && candidates == other.candidates && thoughts == other.thoughts &&
           cached == other.cached && tool_use_prompt == other.tool_use_prompt && total == other.total;
  }
  bool operator!=(const TokenCounts& other) const { return !(*this == other); }
};

// Reads the text of one usageMetadata JSON object ("{...}"). Nullopt when it
// is not a JSON object; counts inside follow the rules above.
std::optional<TokenCounts> ParseUsageMetadata(absl::string_view object_json);

}  // namespace gempool::gemini
