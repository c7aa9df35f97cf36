#include "openai/embeddings_handler.h"

#include <string>
#include <vector>

#include "gempool/openai/embeddings.h"
#include "gempool/openai/errors.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {

using nlohmann::json;

EmbeddingsHandler::EmbeddingsHandler(const GeminiCaller& caller) : caller_(caller) {}

ClientAnswer EmbeddingsHandler::Handle(const ClientCall& call) {
  const std::shared_ptr<const openai::ConversionOptions>& options = call.settings->conversion;
  ClientAnswer answer;
  answer.operation = "embeddings";
  absl::StatusOr<json> body =
      ParseRequestJson(call.body, R"({"model": "gemini-embedding-001", "input": ["text"]})");
  if (!body.ok()) {
    answer.reply = OpenAIStatusReply(body.status());
    return answer;
  }
  absl::StatusOr<openai::EmbeddingRequest> request = openai::ConvertEmbeddingRequest(*body, *options);
  if (!request.ok()) {
    answer.reply = OpenAIStatusReply(request.status());
    return answer;
  }
  answer.model = request->requested_model;
  AddWarningsHeader(request->warnings, answer.headers);
  absl::StatusOr<gemini::Route> route = caller_.RouteFor(*call.settings, request->model, gemini::Method::kBatchEmbedContents);
  if (!route.ok()) {
    answer.reply = OpenAIStatusReply(route.status());
    return answer;
  }

  std::vector<json> responses;
  for (const json& batch : request->batches) {
    std::optional<json> parsed = caller_.CallForJson(*route, DumpJson(batch), call, answer);
    if (!parsed.has_value()) return answer;
    responses.push_back(*std::move(parsed));
  }
  absl::StatusOr<json> converted = openai::ConvertEmbeddingResponse(responses, *request);
  answer.reply = converted.ok() ? OpenAIJsonReply(*converted) : OpenAIBadUpstream(converted.status().message());
  return answer;
}

}  // namespace gempool::gateway
