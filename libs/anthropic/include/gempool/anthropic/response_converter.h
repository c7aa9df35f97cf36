#pragma once
// Gemini GenerateContentResponse → Anthropic Message (anthropic.md §2, §7.3,
// §7.4), non-streaming:
//   {"id":"msg_…","type":"message","role":"assistant","model":<requested>,
//    "content":[…],"stop_reason":…,"stop_sequence":null,"usage":{…}}
// - thought parts → `thinking` blocks (text shown only when
//   context.show_thinking); consecutive thought parts join one block;
// - text parts → `text` blocks (consecutive ones join; grounding sources
//   appended as Markdown when SHOW_SEARCH_LINK), inline images and code as
//   Markdown, like the OpenAI route;
// - functionCall → `tool_use` {id, name, input: args}; the id is Gemini's
//   functionCall.id when it fits Anthropic's [A-Za-z0-9_-]+, else "toolu_"
//   + 24 hex digits derived from (message id, call index): the same in the
//   stream and non-stream answers;
// - thought signatures → thinking blocks tagged per thought_signature.h:
//   a call's signature in a thinking block right before its tool_use
//   (always); a text part's after that text block, a thought or
//   signature-only part's as the block itself (only when context.thinking);
// - stop_reason: SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII,
//   IMAGE_* (not NO_IMAGE), LANGUAGE → refusal (with a text block
//   explaining it when nothing else was written); else any call → tool_use
//   (Gemini says STOP for calls, and a call arrives whole even when the
//   answer then hit MAX_TOKENS); MAX_TOKENS → max_tokens; else end_turn. A
//   blocked prompt (no candidates, promptFeedback.blockReason) → refusal
//   with a text block explaining it;
// - only candidate 0 is used (gempool asks for one);
// - usage (ConvertUsage).
// Pure functions; thread-safe.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/anthropic/request_converter.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic {

struct ResponseContext {
  // The model id the client asked for (echoed as `model`).
  std::string model;
  // The message id when Gemini's response has no responseId (otherwise
  // "msg_<responseId>"). Make it unique: "msg_" + random hex.
  std::string fallback_id;
  // MessagesRequest::thinking / show_thinking.
  bool thinking = false;
  bool show_thinking = false;
  // Input tokens to report in message_start when the first streamed event
  // carries no usageMetadata (an estimate: MessagesRequest::text_bytes / 4).
  int64_t estimated_input_tokens = 0;
  bool show_search_link = true;
  openai::LinkLanguage link_language = openai::LinkLanguage::kEnglish;
};

// The context for answering `request`.
ResponseContext MakeResponseContext(const MessagesRequest& request, const openai::ConversionOptions& options,
                                    std::string fallback_id);

// Converts a non-stream :generateContent answer. Internal when the body is
// not a GenerateContentResponse; an {"error":...} body yields a status with
// Google's code and message.
absl::StatusOr<nlohmann::json> ConvertMessagesResponse(const nlohmann::json& gemini_response,
                                                       const ResponseContext& context);

// Gemini finishReason → stop_reason; `has_tool_use` turns every reason but
// a refusal into "tool_use". Unknown or empty reasons → "end_turn".
const char* AnthropicStopReason(absl::string_view gemini_reason, bool has_tool_use);

// usageMetadata → {"input_tokens": prompt − cached, "output_tokens":
// candidates + thoughts, "cache_creation_input_tokens": 0,
// "cache_read_input_tokens": cached}; zeros when missing.
nlohmann::json ConvertUsage(const nlohmann::json& usage_metadata);

// A :countTokens answer ({"totalTokens": N}) → {"input_tokens": N}.
// Internal when totalTokens is missing.
absl::StatusOr<nlohmann::json> ConvertCountTokensResponse(const nlohmann::json& gemini_response);

}  // namespace gempool::anthropic
