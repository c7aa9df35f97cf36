#include "openai/images_handler.h"

#include <algorithm>

#include <memory>
#include <string>
#include <utility>

#include "gempool/openai/errors.h"
#include "gempool/openai/images.h"
#include "imagehost/hosted_image_urls.h"
#include "openai/openai_answers.h"
#include "openai/openai_json_call.h"

namespace gempool::gateway {

using nlohmann::json;

std::optional<json> CallImageModel(const GeminiCaller& caller, const openai::ImageGenerationRequest& request,
                                   const ClientCall& call, ClientAnswer& answer) {
  const gemini::Method method = request.backend == openai::ImageBackend::kImagenPredict
                                    ? gemini::Method::kPredict
                                    : gemini::Method::kGenerateContent;
  return CallGeminiForJson(caller, call, request.model, method, request.body, answer);
}

ImagesHandler::ImagesHandler(const GeminiCaller& caller, const Clock& clock, ImageUploader* uploader)
    : caller_(caller), clock_(clock), uploader_(uploader) {}

ClientAnswer ImagesHandler::Handle(const ClientCall& call) {
  const LiveSettings& settings = *call.settings;
  ClientAnswer answer;
  answer.operation = "images.generations";
  std::optional<openai::ImageGenerationRequest> request = ReadOpenAIRequest<openai::ImageGenerationRequest>(
      call, R"({"prompt": "a lighthouse at dawn", "n": 1})",
      [&settings](const json& body) { return openai::ConvertImageRequest(body, *settings.conversion); }, answer);
  if (!request.has_value()) return answer;
  answer.model = request->model;
  // UPLOAD_PROVIDER: response_format "url" gets links on the image host
  // instead of data: URLs (and no note that they are data: URLs).
  const ImageHosting hosting = uploader_ != nullptr ? ImageHosting{settings.image_host, settings.timeout_seconds}
                                                    : ImageHosting::Off();
  const bool host_urls = request->url_output && uploader_ != nullptr && hosting.Enabled();
  if (host_urls) {
    request->warnings.erase(
        std::remove_if(request->warnings.begin(), request->warnings.end(), &IsDataUrlNote), request->warnings.end());
  }
  AddWarningsHeader(request->warnings, answer.headers);
  std::optional<json> parsed = CallImageModel(caller_, *request, call, answer);
  if (!parsed.has_value()) return answer;
  // A refused prompt (no image came back) is the client's 400; a malformed answer is upstream's fault.
  absl::StatusOr<json> converted = openai::ConvertImageResponse(*parsed, *request, clock_.NowUnixMs() / 1000);
  if (converted.ok() && host_urls) {
    AddWarningsHeader(HostImageUrls(*converted, *uploader_, hosting), answer.headers);
  }
  answer.reply = converted.ok() ? OpenAIJsonReply(*converted) : OpenAIConversionFailure(converted.status());
  return answer;
}

}  // namespace gempool::gateway
