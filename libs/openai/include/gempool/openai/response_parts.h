#pragma once
// Rendering of Gemini answer pieces that every client-facing dialect shows
// the same way (the OpenAI chat route and the Anthropic Messages route): parts
// that are neither text nor calls as Markdown, grounding sources, why Gemini
// blocked or stopped an answer, the status of an {"error":...} body, and the
// stable digests gempool derives ids from. Pure functions (GroundingLinks is
// a value type); thread-safe.

#include <cstddef>
#include <functional>
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

// OK when `response` is a GenerateContentResponse object; Google's own status
// for an {"error":...} body (also array-wrapped); Internal otherwise, naming
// `what` ("Gemini's answer", "a Gemini stream event") and what came.
absl::Status CheckGenerateContentResponse(const nlohmann::json& response, absl::string_view what);

// Candidate 0 (index 0, or no index: Gemini omits zeros); nullptr when none.
const nlohmann::json* FirstCandidate(const nlohmann::json& response);

// The functionCall of `part` when it is a call a client can run and send
// back: an object with a non-empty string `name` and `args` absent, null or
// an object. nullptr otherwise: a malformed call is not shown as a call,
// since no request converter could take it back in the next turn (each
// refuses a call without a name or with arguments that are not an object),
// and the conversation would be stuck.
const nlohmann::json* RunnableCall(const nlohmann::json& part);

// One part of a Gemini candidate as the converters read it, in order.
struct GeminiPart {
  enum class Kind {
    kCall,     // functionCall (RunnableCall)
    kThought,  // thought: true (a thought summary)
    kText,     // text, or other content rendered as Markdown; "" for a
               // part that only carries a signature
  };
  Kind kind = Kind::kText;
  const nlohmann::json* call = nullptr;    // kCall: the functionCall object.
  std::string text;                        // kThought, kText.
  const std::string* signature = nullptr;  // thoughtSignature, when set.
};
// Reads `part` (an object); pointers point into it.
GeminiPart ReadGeminiPart(const nlohmann::json& part);

// Calls `visit` on each object in candidate.content.parts, in order.
void ForEachCandidatePart(const nlohmann::json& candidate, const std::function<void(const nlohmann::json&)>& visit);

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
