#pragma once
// Gemini GenerateContentResponse → OpenAI Response object (non-streaming):
//   {"id":"resp_…","object":"response","created_at","status","error":null,
//    "incomplete_details","instructions","model","output":[…],"usage",…}
// with the request fields the SDK's Response type requires echoed
// (ResponsesRequest::echo). Output items, in Gemini's part order:
// - `reasoning` {id:"rs_…", summary, encrypted_content?}: consecutive thought
//   parts join one item; the thought text is in summary [{type:
//   "summary_text", text}] only when the client asked for reasoning.summary;
//   each Gemini thought signature rides in a reasoning item's
//   encrypted_content (reasoning_content.h): a call's on the reasoning item
//   right before its function_call (a new one when none is open), a text
//   part's on one right after its message, a thought's on its own item.
//   encrypted_content is sent only when `include` asks for
//   "reasoning.encrypted_content"; ConvertedResponse::stored keeps it always.
// - `message` {id:"msg_…", role:"assistant", status, content:[{type:
//   "output_text", text, annotations}]}: consecutive text parts join; inline
//   images and code as Markdown (as on the chat route); grounding sources
//   (SHOW_SEARCH_LINK) appended as a numbered Markdown list with a
//   url_citation annotation over each link.
// - `function_call` {id:"fc_…", call_id, name, arguments (JSON text),
//   status}: call_id is Gemini's functionCall.id when present, else
//   "call_" + 24 hex digits of (response id, call index).
// status: "completed"; MAX_TOKENS without a call → "incomplete" with
// incomplete_details {reason:"max_output_tokens"}; a refusal finish (SAFETY,
// RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, LANGUAGE, IMAGE_*) or a
// blocked prompt → "incomplete" {reason:"content_filter"}, with a message
// explaining it when nothing else was written. Item ids derive from the
// response id, so the stream and non-stream answers are equal item for item
// (both build items with src/output_items.h). Only candidate 0 is used.
// Pure functions; thread-safe.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "gempool/responses/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::responses {

struct ResponseContext {
  // The response id ("resp_" + random hex, chosen by the gateway so it can
  // store the response under it). When empty: "resp_<Gemini responseId>".
  std::string response_id;
  // The model id the client asked for (echoed as `model`).
  std::string model;
  // Unix seconds for created_at (and completed_at).
  int64_t created_at = 0;
  // ResponsesRequest::reasoning_summary / include_encrypted_reasoning.
  bool reasoning_summary = false;
  bool include_encrypted_reasoning = false;
  // ResponsesRequest::instructions, previous_response_id, store, echo.
  std::string instructions;
  std::string previous_response_id;
  bool store = true;
  nlohmann::json echo = nlohmann::json::object();
  bool show_search_link = true;
  openai::LinkLanguage link_language = openai::LinkLanguage::kEnglish;
};

// The context for answering `request` (response_id and created_at are the
// caller's).
ResponseContext MakeResponseContext(const ResponsesRequest& request, const openai::ConversionOptions& options,
                                    std::string response_id, int64_t created_at);

struct ConvertedResponse {
  // The Response object for the client.
  nlohmann::json response;
  // The same with every reasoning item's encrypted_content, for
  // BuildStoredResponse: previous_response_id replays need the signatures
  // even when the client did not ask to see them.
  nlohmann::json stored;
};

// Converts a non-stream :generateContent answer. Internal when the body is
// not a GenerateContentResponse; an {"error":...} body yields a status with
// Google's code and message (answer it with openai::ConvertGeminiError).
absl::StatusOr<ConvertedResponse> ConvertResponsesResponse(const nlohmann::json& gemini_response,
                                                           const ResponseContext& context);

// usageMetadata → {input_tokens (prompt + tool-use prompt),
// input_tokens_details {cached_tokens, cache_write_tokens: 0},
// output_tokens (candidates + thoughts), output_tokens_details
// {reasoning_tokens: thoughts}, total_tokens}; zeros when missing.
nlohmann::json ConvertUsage(const nlohmann::json& usage_metadata);

}  // namespace gempool::responses
