#include "fuzz/request_fuzz.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "gempool/openai/embeddings.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/image_chat.h"
#include "gempool/openai/images.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/request_converter.h"
#include "gempool/openai/schema.h"
#include "gempool/openai/speech.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {
namespace {

using nlohmann::json;
using fuzz::Require;
using fuzz::RequireAbout;
using fuzz::RequireGeminiRequest;
using fuzz::RequireWritesBackEqual;

// The gateway's options with every list non-empty, so derived models,
// thinking tables and filters are all reachable; the head byte's high bits
// switch the rest.
ConversionOptions OptionsFor(uint8_t head) {
  ConversionOptions options;
  options.search_models = {"gemini-2.5-flash", "gemini-3-pro-preview"};
  options.image_models = {"gemini-2.0-flash-exp", "gemini-2.5-flash-image"};
  options.thinking_models = {"gemini-2.5-flash", "gemini-2.5-pro"};
  options.thinking_budget_map = {{"gemini-2.5-pro", 128}, {"gemini-2.5-flash", -1}};
  options.safety_settings = json::array({{{"category", "HARM_CATEGORY_HARASSMENT"}, {"threshold", "BLOCK_NONE"}}});
  options.filtered_models = {"gemini-1.0-pro"};
  options.url_context_models = {"gemini-2.5-flash"};
  options.schema_dialect = (head & 0x08) != 0 ? SchemaDialect::kOpenApiSubset : SchemaDialect::kJsonSchema;
  options.allow_remote_media = (head & 0x10) == 0;
  options.fill_missing_thought_signatures = (head & 0x20) == 0;
  options.code_execution = (head & 0x40) != 0;
  options.url_context = (head & 0x80) != 0;
  return options;
}

// A refusal is InvalidArgument (or NotFound for the model) with a message,
// and its OpenAI error body is valid JSON.
void CheckRefusal(const absl::Status& status, absl::string_view what) {
  const std::optional<std::string> param = ErrorParam(status);
  Require(status.code() == absl::StatusCode::kInvalidArgument ||
              (status.code() == absl::StatusCode::kNotFound && param == "model"),
          absl::StrCat(what, ": refused with neither InvalidArgument nor NotFound for the model"), status.ToString());
  Require(!status.message().empty(), absl::StrCat(what, ": refused without a message"));
  const OpenAIError error = OpenAIErrorFromStatus(status);
  Require(error.http_status == 400 || error.http_status == 404, absl::StrCat(what, ": a refusal is not a 400/404"),
          status.ToString());
  RequireWritesBackEqual(error.body, absl::StrCat(what, ": the error body"));
}

void FuzzChat(const json& body, const ConversionOptions& options) {
  absl::StatusOr<GeminiRequest> request = ConvertChatRequest(body, options);
  if (!request.ok()) {
    CheckRefusal(request.status(), "ConvertChatRequest");
    return;
  }
  RequireGeminiRequest(request->body);
  Require(options.allow_remote_media || request->fetches.empty(), "remote media listed although not allowed");
  // Inline a PNG for every remote image (a PDF where a document is wanted).
  bool all_inlined = true;
  for (size_t i = 0; i < request->fetches.size(); ++i) {
    const absl::Status inlined = InlineFetchedMedia(*request, i, "image/png", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    if (!inlined.ok()) {
      CheckRefusal(inlined, "InlineFetchedMedia");
      all_inlined = false;
    }
  }
  Require(request->Ready() == all_inlined, "Ready() disagrees with the fetches inlined");
  RequireGeminiRequest(request->body);
  RequireWritesBackEqual(CountTokensBody(*request), "the countTokens body");
}

void FuzzEmbeddings(const json& body, const ConversionOptions& options) {
  absl::StatusOr<EmbeddingRequest> request = ConvertEmbeddingRequest(body, options);
  if (!request.ok()) {
    CheckRefusal(request.status(), "ConvertEmbeddingRequest");
    return;
  }
  Require(!request->batches.empty() && request->input_count > 0, "an embedding request with no input");
  size_t texts = 0;
  for (const json& batch : request->batches) {
    RequireWritesBackEqual(batch, "an embedding batch");
    const auto requests = batch.find("requests");
    RequireAbout(requests != batch.end() && requests->is_array() && !requests->empty() &&
                requests->size() <= kMaxEmbeddingBatch,
            "an embedding batch without 1..100 requests", batch);
    texts += requests->size();
  }
  Require(texts == request->input_count, "the embedding batches do not hold every input");
}

void FuzzImages(const json& body, const ConversionOptions& options, bool chat) {
  absl::StatusOr<ImageGenerationRequest> request =
      chat ? ConvertImageChatRequest(body, options) : ConvertImageRequest(body, options);
  if (!request.ok()) {
    CheckRefusal(request.status(), chat ? "ConvertImageChatRequest" : "ConvertImageRequest");
    return;
  }
  Require(request->count >= 1 && request->count <= 10, "an image count outside 1..10");
  Require(!request->model.empty(), "an image request without a model");
  RequireWritesBackEqual(request->body, "the image request body");
}

void FuzzSpeech(const json& body, const ConversionOptions& options) {
  absl::StatusOr<SpeechRequest> request = ConvertSpeechRequest(body, options);
  if (!request.ok()) {
    CheckRefusal(request.status(), "ConvertSpeechRequest");
    return;
  }
  Require(!request->model.empty() && !request->voice.empty(), "a speech request without a model or voice");
  RequireGeminiRequest(request->body);
}

void FuzzSchema(const json& schema, SchemaDialect dialect, bool tool) {
  absl::StatusOr<PreparedSchema> prepared =
      tool ? PrepareToolParameters(schema, dialect, "tools[0].function.parameters")
           : PrepareResponseSchema(schema, dialect, "response_format.json_schema");
  if (!prepared.ok()) {
    CheckRefusal(prepared.status(), tool ? "PrepareToolParameters" : "PrepareResponseSchema");
    return;
  }
  Require(!prepared->field.empty(), "a prepared schema without its field");
  if (prepared->schema.has_value()) RequireWritesBackEqual(*prepared->schema, "a prepared schema");
  if (dialect == SchemaDialect::kOpenApiSubset) {
    std::vector<std::string> dropped;
    absl::StatusOr<json> subset = ToOpenApiSchema(schema, "schema", &dropped);
    if (subset.ok()) RequireWritesBackEqual(*subset, "an OpenAPI-subset schema");
  }
}

}  // namespace

void FuzzRequest(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint8_t head = data[0];
  absl::StatusOr<json> body = ParseJson(absl::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  if (!body.ok()) return;
  const ConversionOptions options = OptionsFor(head);
  switch (head & 0x07) {
    case 0:
    case 1:
      FuzzChat(*body, options);
      break;
    case 2:
      FuzzEmbeddings(*body, options);
      break;
    case 3:
      FuzzImages(*body, options, /*chat=*/false);
      break;
    case 4:
      FuzzSpeech(*body, options);
      break;
    case 5:
      FuzzImages(*body, options, /*chat=*/true);
      break;
    case 6:
      FuzzSchema(*body, options.schema_dialect, /*tool=*/true);
      break;
    default:
      FuzzSchema(*body, options.schema_dialect, /*tool=*/false);
      break;
  }
}

}  // namespace gempool::openai
