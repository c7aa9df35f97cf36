#pragma once
// One token count of Gemini's usageMetadata, read the same way wherever an
// answer's usage is read: the request log (usage_metadata.h) and the OpenAI,
// Anthropic and Responses converters. The count comes from the network, so
// it is clamped: never negative, never large enough that adding up a few
// (a request served by several calls, prompt + tool-use prompt) overflows.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"

namespace gempool::gemini {

// The most a token count is taken as: far above any real count (2^50, about
// 10^15), and low enough that summing thousands of them never overflows.
inline constexpr int64_t kMaxTokenCount = int64_t{1} << 50;

// object[key] as a token count: a number clamped to [0, kMaxTokenCount],
// floats truncated; absent, null, NaN, not a number, or `object` not an
// object: 0.
int64_t TokenCount(const nlohmann::json& object, absl::string_view key);

// One JSON number as a token count, by the kind nlohmann read it as (the
// rules TokenCount applies, for readers that see numbers one at a time).
int64_t TokenCountOfUnsigned(uint64_t value);
int64_t TokenCountOfInteger(int64_t value);
int64_t TokenCountOfFloat(double value);

// a + b, both counts, never past INT64_MAX.
inline int64_t AddTokenCounts(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }

}  // namespace gempool::gemini
