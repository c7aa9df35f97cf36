#pragma once
// OpenAI Chat Completions request → Gemini GenerateContentRequest, following
// protocol.md §5. The gateway calls ConvertChatRequest on the client's body,
// fetches any remote images it lists (with its own size cap, timeout and
// address checks), hands each one to InlineFetchedMedia, and then sends
// `body` to `:generateContent` or `:streamGenerateContent?alt=sse` of `model`.
//
// Fields with a Gemini meaning are converted; fields that would change the
// answer and cannot be honoured are refused with InvalidArgument naming the
// field (`audio`, audio `modalities`, the deprecated `functions` /
// `function_call` / role "function", custom tools, content parts Gemini has
// no form for, such as `video_url`, OpenAI `file-...` ids); fields that are
// only hints are dropped with a warning (`logit_bias`,
// `parallel_tool_calls:false`, `verbosity`, `service_tier`, `prediction`,
// `store:true`, unknown fields). Identifiers (`user`, `metadata`,
// `safety_identifier`, `prompt_cache_key`, `prompt_cache_retention`) are
// ignored silently. See libs/openai/README.md for the full table.
//
// Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// A remote (http/https) image (or, on the Anthropic route, PDF document) the
// caller must fetch and inline.
struct MediaFetch {
  std::string url;
  // The request field that named it ("messages[1].content[0].image_url.url"),
  // for error messages.
  std::string field;
  // Where its placeholder part sits: body["contents"][content_index]
  // ["parts"][part_index].
  size_t content_index = 0;
  size_t part_index = 0;
  bool inlined = false;
};

struct GeminiRequest {
  // The model resolved from the client's `model` (derived ids resolved).
  ResolvedModel model;
  bool stream = false;
  // stream_options.include_usage.
  bool include_usage = false;
  // The GenerateContentRequest JSON (camelCase keys).
  nlohmann::json body;
  // Remote media still to be inlined; their parts hold an inlineData
  // placeholder with empty data until then (mimeType "" for an image,
  // "application/pdf" for a PDF document).
  std::vector<MediaFetch> fetches;
  // Files API names ("files/abc") the request refers to, and the cached
  // content it uses: both belong to one upstream project, so the caller pins
  // such requests to the key that created them.
  std::vector<std::string> file_names;
  std::string cached_content;
  // Human-readable notes on what was ignored or adjusted, for a response
  // header (e.g. "x-gempool-warnings") and the logs.
  std::vector<std::string> warnings;

  // Whether every fetch has been inlined.
  bool Ready() const;
};

// Converts the body of POST /v1/chat/completions. InvalidArgument names the
// field ("messages[2].content[0].type 'video_url' is not supported: ...");
// NotFound when the model is in FILTERED_MODELS. Errors carry the field for
// OpenAIErrorFromStatus's `param`.
absl::StatusOr<GeminiRequest> ConvertChatRequest(const nlohmann::json& openai_body,
                                                 const ConversionOptions& options);

// Fills the placeholder of request.fetches[fetch_index] with the fetched
// bytes. `content_type` is the response's Content-Type; when it is not an
// image type (or is generic, like application/octet-stream) the type is
// sniffed from the bytes. A placeholder whose mimeType is "application/pdf"
// (a document, as the Anthropic route asks for) takes a PDF instead: the
// Content-Type says so or the bytes start with "%PDF-". InvalidArgument
// naming the field when the bytes are not an image (a PDF) or empty;
// OutOfRange for a bad index.
// The :countTokens body for a converted request (after its fetches were
// inlined): {"generateContentRequest": {model, contents, systemInstruction?,
// tools?}}. generationConfig, toolConfig and safetySettings are left out:
// countTokens refuses some of them and none changes the count.
nlohmann::json CountTokensBody(const GeminiRequest& request);

absl::Status InlineFetchedMedia(GeminiRequest& request, size_t fetch_index, absl::string_view content_type,
                                absl::string_view bytes);

}  // namespace gempool::openai
