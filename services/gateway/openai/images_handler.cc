#include "openai/images_handler.h"

#include <string>

#include "gempool/openai/errors.h"
#include "gempool/openai/images.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {

using nlohmann::json;

ImagesHandler::ImagesHandler(const openai::ConversionOptions& options, const GeminiCaller& caller,
                             const Clock& clock)
    : options_(options), caller_(caller), clock_(clock) {}

ClientAnswer ImagesHandler::Handle(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "images.generations";
  absl::StatusOr<json> body = ParseRequestJson(call.body, R"({"prompt": "a lighthouse at dawn", "n": 1})");
  if (!body.ok()) {
    answer.reply = OpenAIStatusReply(body.status());
    return answer;
  }
  absl::StatusOr<openai::ImageGenerationRequest> request = openai::ConvertImageRequest(*body, options_);
  if (!request.ok()) {
    answer.reply = OpenAIStatusReply(request.status());
    return answer;
  }
  answer.model = request->model;
  AddWarningsHeader(request->warnings, answer.headers);
  absl::StatusOr<gemini::Route> route = caller_.RouteFor(
      request->model, request->backend == openai::ImageBackend::kImagenPredict ? gemini::Method::kPredict
                                                                               : gemini::Method::kGenerateContent);
  if (!route.ok()) {
    answer.reply = OpenAIStatusReply(route.status());
    return answer;
  }
  std::optional<json> parsed = caller_.CallForJson(*route, DumpJson(request->body), call, answer);
  if (!parsed.has_value()) return answer;
  // A refused prompt (no image came back) is the client's 400; a malformed answer is upstream's fault.
  absl::StatusOr<json> converted = openai::ConvertImageResponse(*parsed, *request, clock_.NowUnixMs() / 1000);
  answer.reply = converted.ok() ? OpenAIJsonReply(*converted) : OpenAIConversionFailure(converted.status());
  return answer;
}

}  // namespace gempool::gateway
