#pragma once
// Gemini GenerateContentResponse → OpenAI chat.completion (protocol.md §5,
// response side):
// - thought parts (thought:true) → message.reasoning_content, never content;
// - functionCall parts → tool_calls with ids (Gemini's id, else a stable
//   "call_<hex>" derived from the completion id, choice and call index),
//   type "function", arguments as a JSON string, and
//   extra_content.google.thought_signature when the part has one; a text
//   part's signature → message.extra_content.google.thought_signature;
// - finish_reason: "tool_calls" whenever there is a call (Gemini says STOP),
//   MAX_TOKENS → length, safety-type reasons → content_filter, others → stop;
//   a content_filter finish without text explains itself in message.refusal,
//   and so does a blocked prompt (no candidates, promptFeedback.blockReason);
// - usage from usageMetadata (completion = candidates + thoughts; tool-use
//   prompt tokens folded into prompt_tokens so prompt + completion = total);
// - grounding sources appended to content as a numbered Markdown list under a
//   heading in the configured language (SHOW_SEARCH_LINK);
// - inline images (image models) → Markdown images with data: URLs in
//   content; executableCode / codeExecutionResult → fenced code blocks;
// - logprobsResult → choices[].logprobs.content.
// Pure functions; thread-safe.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

struct ResponseContext {
  // The model id the client asked for (echoed as `model`).
  std::string model;
  // Unix seconds for `created`.
  int64_t created = 0;
  // The completion id used when Gemini's response has no responseId
  // (otherwise the id is "chatcmpl-<responseId>"). Make it unique, e.g.
  // "chatcmpl-" + random hex.
  std::string fallback_id;
  bool show_search_link = true;
  LinkLanguage link_language = LinkLanguage::kEnglish;
};

// The context for answering `request`.
ResponseContext MakeResponseContext(const GeminiRequest& request, const ConversionOptions& options,
                                    int64_t created_unix, std::string fallback_id);

// Converts a non-stream :generateContent answer. Internal when the body is not
// a GenerateContentResponse (not an object, or neither candidates nor a block
// reason); an {"error":...} body yields a status with Google's code and
// message.
absl::StatusOr<nlohmann::json> ConvertChatResponse(const nlohmann::json& gemini_response,
                                                   const ResponseContext& context);

// Gemini finishReason → OpenAI finish_reason; `has_tool_calls` turns a normal
// stop into "tool_calls". Unknown or empty reasons → "stop".
const char* OpenAIFinishReason(absl::string_view gemini_reason, bool has_tool_calls);

// usageMetadata → OpenAI usage (all counts present, zeros when missing).
nlohmann::json ConvertUsage(const nlohmann::json& usage_metadata);

}  // namespace gempool::openai
