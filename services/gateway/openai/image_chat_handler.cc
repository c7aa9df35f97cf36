#include "openai/image_chat_handler.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/image_chat.h"
#include "gempool/openai/images.h"
#include "openai/images_handler.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {

using nlohmann::json;

namespace {

constexpr char kOperation[] = "chat.completions";

}  // namespace

ImageChatHandler::ImageChatHandler(const GeminiCaller& caller, const Clock& clock, HostImagesFn host_images)
    : caller_(caller), clock_(clock), host_images_(std::move(host_images)) {}

bool ImageChatHandler::Handles(const json& body, const openai::ConversionOptions& options) const {
  if (!body.is_object()) return false;
  auto model = body.find("model");
  if (model == body.end() || !model->is_string()) return false;
  return openai::IsImageChatModel(model->get<std::string>(), options);
}

ClientAnswer ImageChatHandler::Handle(const ClientCall& call, const json& body) {
  ClientAnswer answer;
  answer.operation = kOperation;
  if (!call.may_block) {
    answer.needs_worker = true;  // The upstream call is waited for.
    return answer;
  }
  const std::shared_ptr<const openai::ConversionOptions>& options = call.settings->conversion;
  const std::string chat_model = openai::ImageChatModel(*options);
  answer.model = chat_model;
  absl::StatusOr<openai::ImageGenerationRequest> request = openai::ConvertImageChatRequest(body, *options);
  if (!request.ok()) {
    answer.reply = OpenAIStatusReply(request.status());
    return answer;
  }
  std::optional<json> parsed = CallImageModel(caller_, *request, call, answer);
  if (!parsed.has_value()) return answer;
  const int64_t created = clock_.NowUnixMs() / 1000;
  // A refused prompt (no image) is the client's 400 with the filter's reason.
  if (absl::Status checked = openai::CheckImageResponse(*parsed, *request); !checked.ok()) {
    answer.reply = OpenAIConversionFailure(checked);
    return answer;
  }
  json images = openai::ImagesAsGeminiAnswer(*std::move(parsed), *request);
  if (host_images_ != nullptr) AddWarningsHeader(host_images_(images, *call.settings), answer.headers);
  const std::string content = openai::ImageChatMarkdown(images);
  const std::string id = ids_.Next("chatcmpl-");

  auto stream = body.find("stream");
  if (stream != body.end() && stream->is_boolean() && stream->get<bool>()) {
    // The images are all in: the stream is sent whole.
    std::string sse;
    for (const json& chunk : openai::ImageChatChunks(content, chat_model, id, created)) {
      absl::StrAppend(&sse, "data: ", DumpJson(chunk), "\n\n");
    }
    sse += "data: [DONE]\n\n";
    answer.reply.status = 200;
    answer.reply.content_type = "text/event-stream";
    answer.reply.body = std::move(sse);
    return answer;
  }
  answer.reply = OpenAIJsonReply(openai::ImageChatCompletion(content, chat_model, id, created));
  return answer;
}

}  // namespace gempool::gateway
