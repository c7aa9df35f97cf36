#pragma once
// Rendering of Gemini answer pieces that every client-facing dialect shows
// the same way (the OpenAI chat route and the Anthropic Messages route): parts
// that are neither text nor calls as Markdown, grounding sources, why Gemini
// blocked or stopped an answer, the status of an {"error":...} body, and the
// stable digests gempool derives ids from. Pure functions (GroundingLinks is
// a value type); thread-safe.

#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// Markdown for a part that is neither text nor a function call (inline data,
// executable code, code result); "" for anything else.
std::string RenderOtherPart(const nlohmann::json& part);

// Grounding sources of one candidate, in order, without duplicates.
class GroundingLinks {
 public:
  void Add(const nlohmann::json& grounding_metadata);
  bool empty() const { return links_.empty(); }
  // "\n\n**Sources**\n1. [title](uri)\n..." in `language`.
  std::string Markdown(LinkLanguage language) const;

 private:
  std::vector<std::pair<std::string, std::string>> links_;  // title, uri
  std::set<std::string> seen_;
};

// Why Gemini blocked a prompt (promptFeedback) or stopped an answer.
std::string PromptBlockedExplanation(const nlohmann::json& prompt_feedback);
std::string StoppedExplanation(const nlohmann::json& candidate);

// The status of an {"error":...} body (Google's code and message, key-like
// text redacted).
absl::Status UpstreamErrorStatus(const nlohmann::json& body);

// `digits` (≤ 32) lowercase hex digits that depend only on `text`: for ids
// that must come out the same every time one answer is converted (stream and
// non-stream alike). Not a cryptographic hash.
std::string StableHexDigest(absl::string_view text, size_t digits);

}  // namespace gempool::openai
