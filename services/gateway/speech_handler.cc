#include "speech_handler.h"

#include <string>
#include <utility>

#include "gempool/openai/errors.h"
#include "gempool/openai/speech.h"
#include "openai_answers.h"

namespace gempool::gateway {

using nlohmann::json;

SpeechHandler::SpeechHandler(const openai::ConversionOptions& options, const GeminiCaller& caller)
    : options_(options), caller_(caller) {}

ClientAnswer SpeechHandler::Handle(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "audio.speech";
  absl::StatusOr<json> body = ParseRequestJson(call.body, R"({"model": "tts-1", "input": "Hello", "voice": "Kore"})");
  if (!body.ok()) {
    answer.reply = OpenAIStatusReply(body.status());
    return answer;
  }
  absl::StatusOr<openai::SpeechRequest> request = openai::ConvertSpeechRequest(*body, options_);
  if (!request.ok()) {
    answer.reply = OpenAIStatusReply(request.status());
    return answer;
  }
  answer.model = request->model;
  AddWarningsHeader(request->warnings, answer.headers);
  absl::StatusOr<gemini::Route> route = caller_.RouteFor(request->model, gemini::Method::kGenerateContent);
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
  absl::StatusOr<openai::SpeechAudio> audio = openai::ConvertSpeechResponse(parsed, *request);
  if (!audio.ok()) {
    answer.reply = audio.status().code() == absl::StatusCode::kInvalidArgument
                       ? OpenAIStatusReply(audio.status())
                       : OpenAIJsonReply(openai::OpenAIErrorBody(502, audio.status().message(), "",
                                                                 "bad_upstream_response"),
                                         502);
    return answer;
  }
  answer.reply.status = 200;
  answer.reply.content_type = audio->content_type;
  answer.reply.body = std::move(audio->bytes);
  return answer;
}

}  // namespace gempool::gateway
