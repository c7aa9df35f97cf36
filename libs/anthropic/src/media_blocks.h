#pragma once
// Anthropic `image` and `document` blocks → Gemini parts (anthropic.md §1.3
// and §7.1): base64 → inlineData, http(s) URLs → a fetch the gateway makes
// (openai::MediaFetch), data: URLs → inlineData, text documents → text;
// `file` sources → 400 (the Files API is not served on this route). Internal
// to gempool_anthropic.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gempool/openai/options.h"
#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic::internal {

// Member that marks a fetch placeholder part with its index in `fetches`
// until the conversation is final (parts are merged and reordered after they
// are built); FinishFetches turns the marks into MediaFetch positions.
inline constexpr char kFetchMark[] = "__gempool_fetch";

struct MediaContext {
  const openai::ConversionOptions& options;
  std::vector<openai::MediaFetch>& fetches;
  // Bytes of text added (document text), for MessagesRequest::text_bytes.
  size_t& text_bytes;
};

// Appends the parts for the `image` block `block` at `path` to `parts`.
absl::Status ConvertImageBlock(const nlohmann::json& block, const std::string& path, MediaContext& context,
                               nlohmann::json& parts);
// The same for a `document` block.
absl::Status ConvertDocumentBlock(const nlohmann::json& block, const std::string& path, MediaContext& context,
                                  nlohmann::json& parts);

// Finds the marked placeholders in `contents`, records their positions in
// `fetches` and removes the marks.
void FinishFetches(nlohmann::json& contents, std::vector<openai::MediaFetch>& fetches);

}  // namespace gempool::anthropic::internal
