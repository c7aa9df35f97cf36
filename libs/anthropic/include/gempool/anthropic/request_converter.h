#pragma once
// Anthropic Messages request (POST /v1/messages, and /v1/messages/
// count_tokens) → Gemini GenerateContentRequest, following
// /work/shared/reference/anthropic.md §7.1–7.3 and §7.6. The gateway calls
// ConvertMessagesRequest on the client's body, fetches the remote images and
// documents it lists (request.gemini.fetches: same size cap, timeout and
// public-address rule as the OpenAI route) and inlines each with
// openai::InlineFetchedMedia, then sends request.gemini.body to
// `:generateContent` / `:streamGenerateContent?alt=sse` (or
// CountTokensBody(request) to `:countTokens`).
//
// Summary of the table (libs/anthropic/README.md has it in full):
// - `system` (string or text blocks) → systemInstruction; Claude Code's
//   attribution block ("x-anthropic-billing-header: ...") is dropped;
//   mid-conversation `role:"system"` messages become user text wrapped in
//   <system-reminder> tags, placed after the user turn they follow.
// - roles user/assistant → user/model, consecutive same-role turns merged;
//   blocks: text (empty skipped), image (base64 → inlineData, url → fetch),
//   document (base64 PDF → inlineData, url PDF → fetch, text and content
//   sources → text parts), tool_use → functionCall (args = input),
//   tool_result → functionResponse named after its tool_use (found by id;
//   an unknown id is a 400), {"output": ...} or {"error": ...} when
//   is_error, images in it as extra inlineData parts; thinking blocks whose
//   signature gempool made go back as thought signatures
//   (thought_signature.h), others and redacted_thinking are dropped;
//   `file` sources → 400 (the Files API is not served yet).
// - Ids: a tool_use id that does not start with "toolu_" is Gemini's own
//   functionCall.id and is sent back on the call and its response.
// - tools: client tools → functionDeclarations (input_schema through
//   openai::PrepareToolParameters); `web_search_*` server tools →
//   googleSearch (dropped with a warning next to function tools before
//   Gemini 3); other server tools → 400 naming them; tool_choice
//   auto/any/tool/none → AUTO/ANY/ANY+allowedFunctionNames/NONE;
//   disable_parallel_tool_use → warning.
// - max_tokens → maxOutputTokens (clamped to 65536, or 8192 on 1.x/2.0
//   models, with a warning; 0 → 400); temperature, top_p, top_k;
//   stop_sequences (≤ 5) → stopSequences; output_config.format json_schema
//   → responseMimeType + responseJsonSchema.
// - thinking: enabled{budget_tokens} → thinkingBudget (2.5) or the nearest
//   thinkingLevel (3.x); adaptive → -1 (2.5) or the level of
//   output_config.effort (3.x, default high); disabled → the model's lowest
//   setting; includeThoughts unless display is "omitted" or thinking is
//   off; absent → THINKING_BUDGET_MAP, includeThoughts never added.
// - metadata.user_id kept for the log; cache_control, service_tier,
//   context_management, container, mcp_servers and unknown fields ignored
//   (warnings for the ones that change behaviour on Anthropic).
// - model: ModelMap first, then gemini-balance's derived ids and
//   FILTERED_MODELS as on the OpenAI route (openai::ResolveModel).
//
// Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/anthropic/model_map.h"
#include "gempool/openai/options.h"
#include "gempool/openai/request_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::anthropic {

// Which route the body came from: count_tokens bodies have no max_tokens,
// stream or sampling fields.
enum class RequestKind { kMessages, kCountTokens };

struct MessagesRequest {
  // The Gemini request. gemini.model.requested is the client's model id
  // (echoed in answers), gemini.model.upstream the Gemini model;
  // gemini.stream is `stream`; gemini.warnings lists what was ignored or
  // adjusted, for x-gempool-warnings.
  openai::GeminiRequest gemini;
  // Whether the client asked for thinking (`thinking` enabled or adaptive):
  // thought summaries and the signatures of text and thought parts come
  // back as thinking blocks only then (call signatures always do).
  bool thinking = false;
  // Whether thought text is shown (thinking on and display not "omitted").
  bool show_thinking = false;
  // metadata.user_id, for the request log ("" when absent).
  std::string user_id;
  // The text of the request, roughly, for an input-token estimate when
  // Gemini reports none before the first streamed event: the number of
  // bytes of text in system, messages and tools.
  size_t text_bytes = 0;
};

// Converts a Messages (or count_tokens) body. InvalidArgument naming the
// field ("messages[2].content[0].type 'container_upload' is not supported:
// ...") for anything malformed or impossible on Gemini (an empty `messages`,
// a missing max_tokens, a tool_result whose tool_use id is unknown, ...);
// NotFound for a model in FILTERED_MODELS. Errors carry the field as
// openai::FieldError does.
absl::StatusOr<MessagesRequest> ConvertMessagesRequest(const nlohmann::json& body, RequestKind kind,
                                                       const openai::ConversionOptions& options,
                                                       const ModelMap& models);

// The :countTokens body for a converted count_tokens request (after its
// fetches were inlined): {"generateContentRequest": {model, contents,
// systemInstruction?, tools?}}.
nlohmann::json CountTokensBody(const MessagesRequest& request);

}  // namespace gempool::anthropic
