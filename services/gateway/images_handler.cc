#include "images_handler.h"

#include <string>

#include "gempool/openai/errors.h"
#include "gempool/openai/images.h"
#include "openai_answers.h"

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
  const std::string upstream_body = DumpJson(request->body);
  GeminiCaller::Buffered result =
      caller_.Call(caller_.MakeRequest(*route, "", answer.operation, upstream_body, call.upstream_headers));
  answer.attempts = result.result.attempts;
  answer.key_id = result.result.key_id;
  if (!result.ok()) {
    answer.reply = OpenAIUpstreamFailure(result.result.failure);
    return answer;
  }
  const json parsed = json::parse(result.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    answer.reply = OpenAIJsonReply(openai::OpenAIErrorBody(502, "the Gemini API answered with a body that is not JSON",
                                                           "", "bad_upstream_response"),
                                   502);
    return answer;
  }
  absl::StatusOr<json> converted = openai::ConvertImageResponse(parsed, *request, clock_.NowUnixMs() / 1000);
  if (!converted.ok()) {
    // A refused prompt (no image came back) is the client's 400; a malformed answer is upstream's fault.
    answer.reply = converted.status().code() == absl::StatusCode::kInvalidArgument
                       ? OpenAIStatusReply(converted.status())
                       : OpenAIJsonReply(openai::OpenAIErrorBody(502, converted.status().message(), "",
                                                                 "bad_upstream_response"),
                                         502);
    return answer;
  }
  answer.reply = OpenAIJsonReply(*converted);
  return answer;
}

}  // namespace gempool::gateway
