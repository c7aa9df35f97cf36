#pragma once
// OpenAI Responses request (POST /v1/responses) → Gemini
// GenerateContentRequest. The gateway looks up `previous_response_id` in its
// store first (404 with UnknownPreviousResponse when missing), calls
// ConvertResponsesRequest with what it found, fetches the remote media
// request.gemini.fetches lists (same size cap, timeout and public-address
// rule as the chat route) and inlines each with openai::InlineFetchedMedia,
// then sends request.gemini.body to `:generateContent` or
// `:streamGenerateContent?alt=sse` (by request.gemini.stream).
//
// Summary (libs/responses/README.md has the full table):
// - `input`: a string (one user message) or items: messages (user /
//   assistant / system / developer) with input_text, input_image (data URL
//   inline, http(s) fetched by the caller), input_file (file_data inline,
//   file_url fetched; file_id → 400, the Files API is not served yet) and
//   output_text / refusal (assistant history); function_call and
//   function_call_output (paired by call_id, names looked up); reasoning
//   items whose encrypted_content gempool made (reasoning_content.h) give
//   back their thought signatures; other reasoning items are dropped.
// - `instructions` and system/developer messages → systemInstruction.
// - tools: function tools (strict dropped) → functionDeclarations;
//   web_search(_preview) → googleSearch; other hosted tools → 400;
//   tool_choice auto/none/required/{type:function,name}/allowed_tools;
//   parallel_tool_calls:false → warning.
// - text.format json_schema / json_object → responseMimeType (+
//   responseJsonSchema); reasoning.effort → the chat route's effort table
//   (openai/thinking_levels.h); reasoning.summary → includeThoughts;
//   max_output_tokens, temperature, top_p, stop → generationConfig.
// - unknown fields → warnings; invalid values → InvalidArgument naming the
//   field (openai::FieldError).
//
// Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/openai/options.h"
#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::responses {

struct ResponsesRequest {
  // The Gemini request (model, stream, body, fetches, warnings), for the
  // same fetch-and-send flow as the chat route.
  openai::GeminiRequest gemini;
  // `store` (default true): whether the gateway keeps the response for
  // previous_response_id and GET /v1/responses/{id}.
  bool store = true;
  // `previous_response_id` as sent ("" when absent).
  std::string previous_response_id;
  // `include` has "reasoning.encrypted_content": reasoning items are sent
  // with the signatures they carry.
  bool include_encrypted_reasoning = false;
  // `reasoning.summary` asked for summaries (auto / concise / detailed):
  // thought text is shown in reasoning items' summary.
  bool reasoning_summary = false;
  // `instructions` ("" when absent); echoed in the response.
  std::string instructions;
  // The whole conversation as input items, previous response's input and
  // output first, then this request's `input` (a string becomes one user
  // message), less trailing function calls dropped for want of outputs
  // (see the warnings): what the gateway stores as the response's input.
  nlohmann::json input_items = nlohmann::json::array();
  // Request fields the Response object echoes (tools, tool_choice,
  // parallel_tool_calls, temperature, top_p, max_output_tokens, reasoning,
  // text, metadata, ...), filled with the API's defaults.
  nlohmann::json echo = nlohmann::json::object();
};

// Converts the body of POST /v1/responses. `previous` is what the gateway
// stored for `previous_response_id` (BuildStoredResponse's JSON), nullptr
// when the body names none; when the body names one and `previous` is
// nullptr the answer is UnknownPreviousResponse's NotFound. InvalidArgument
// naming the field for anything malformed or impossible on Gemini; NotFound
// for a model in FILTERED_MODELS.
absl::StatusOr<ResponsesRequest> ConvertResponsesRequest(const nlohmann::json& body,
                                                         const openai::ConversionOptions& options,
                                                         const nlohmann::json* previous = nullptr);

}  // namespace gempool::responses
