#include "openai/speech_handler.h"

#include <string>
#include <utility>

#include "gempool/openai/errors.h"
#include "gempool/openai/speech.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {

using nlohmann::json;

SpeechHandler::SpeechHandler(const GeminiCaller& caller) : caller_(caller) {}

ClientAnswer SpeechHandler::Handle(const ClientCall& call) {
  const std::shared_ptr<const openai::ConversionOptions>& options = call.settings->conversion;
  ClientAnswer answer;
  answer.operation = "audio.speech";
  absl::StatusOr<json> body = ParseRequestJson(call.body, R"({"model": "tts-1", "input": "Hello", "voice": "Kore"})");
  if (!body.ok()) {
    answer.reply = OpenAIStatusReply(body.status());
    return answer;
  }
  absl::StatusOr<openai::SpeechRequest> request = openai::ConvertSpeechRequest(*body, *options);
  if (!request.ok()) {
    answer.reply = OpenAIStatusReply(request.status());
    return answer;
  }
  answer.model = request->model;
  AddWarningsHeader(request->warnings, answer.headers);
  absl::StatusOr<gemini::Route> route = caller_.RouteFor(*call.settings, request->model, gemini::Method::kGenerateContent);
  if (!route.ok()) {
    answer.reply = OpenAIStatusReply(route.status());
    return answer;
  }
  std::optional<json> parsed = caller_.CallForJson(*route, DumpJson(request->body), call, answer);
  if (!parsed.has_value()) return answer;
  absl::StatusOr<openai::SpeechAudio> audio = openai::ConvertSpeechResponse(*parsed, *request);
  if (!audio.ok()) {
    answer.reply = OpenAIConversionFailure(audio.status());
    return answer;
  }
  answer.reply.status = 200;
  answer.reply.content_type = audio->content_type;
  answer.reply.body = std::move(audio->bytes);
  return answer;
}

}  // namespace gempool::gateway
