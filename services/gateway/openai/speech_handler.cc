#include "openai/speech_handler.h"

#include <string>
#include <utility>

#include "gempool/openai/errors.h"
#include "gempool/openai/speech.h"
#include "openai/openai_answers.h"
#include "openai/openai_json_call.h"

namespace gempool::gateway {

using nlohmann::json;

SpeechHandler::SpeechHandler(const GeminiCaller& caller) : caller_(caller) {}

ClientAnswer SpeechHandler::Handle(const ClientCall& call) {
  ClientAnswer answer;
  answer.operation = "audio.speech";
  std::optional<openai::SpeechRequest> request = ReadOpenAIRequest<openai::SpeechRequest>(
      call, R"({"model": "tts-1", "input": "Hello", "voice": "Kore"})",
      [&call](const json& body) { return openai::ConvertSpeechRequest(body, *call.settings->conversion); }, answer);
  if (!request.has_value()) return answer;
  answer.model = request->model;
  AddWarningsHeader(request->warnings, answer.headers);
  std::optional<json> parsed =
      CallGeminiForJson(caller_, call, request->model, gemini::Method::kGenerateContent, request->body, answer);
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
