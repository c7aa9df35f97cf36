#include "openai/embeddings_handler.h"

#include <string>
#include <vector>

#include "gempool/openai/embeddings.h"
#include "gempool/openai/errors.h"
#include "openai/openai_answers.h"
#include "openai/openai_json_call.h"

namespace gempool::gateway {

using nlohmann::json;

EmbeddingsHandler::EmbeddingsHandler(const GeminiCaller& caller) : caller_(caller) {}

ClientAnswer EmbeddingsHandler::Handle(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "embeddings";
  std::optional<openai::EmbeddingRequest> request = ReadOpenAIRequest<openai::EmbeddingRequest>(
      call, R"({"model": "gemini-embedding-001", "input": ["text"]})",
      [&call](const json& body) { return openai::ConvertEmbeddingRequest(body, *call.settings->conversion); },
      answer);
  if (!request.has_value()) return answer;
  answer.model = request->requested_model;
  AddWarningsHeader(request->warnings, answer.headers);
  // Over 100 inputs are sent as several batches, one call each.
  std::vector<json> responses;
  for (const json& batch : request->batches) {
    std::optional<json> parsed =
        CallGeminiForJson(caller_, call, request->model, gemini::Method::kBatchEmbedContents, batch, answer);
    if (!parsed.has_value()) return answer;
    responses.push_back(*std::move(parsed));
  }
  absl::StatusOr<json> converted = openai::ConvertEmbeddingResponse(responses, *request);
  answer.reply = converted.ok() ? OpenAIJsonReply(*converted) : OpenAIBadUpstream(converted.status().message());
  return answer;
}

}  // namespace gempool::gateway
