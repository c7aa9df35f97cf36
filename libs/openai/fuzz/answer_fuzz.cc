#include "fuzz/answer_fuzz.h"

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "gempool/gemini/sse_splitter.h"
#include "gempool/openai/embeddings.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/image_chat.h"
#include "gempool/openai/images.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/models.h"
#include "gempool/openai/response_converter.h"
#include "gempool/openai/speech.h"
#include "gempool/openai/stream_converter.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {
namespace {

using nlohmann::json;
using fuzz::Member;
using fuzz::Require;
using fuzz::RequireAbout;
using fuzz::RequireWritesBackEqual;

// A key the upstream might echo in an error message; it must be redacted.
constexpr char kSecret[] = "AIzaSyFuzzSecret-0123456789abcdefghijk";

ResponseContext ContextFor(uint8_t head) {
  ResponseContext context;
  context.model = "gemini-2.5-flash";
  context.created = 1767225600;
  context.fallback_id = "chatcmpl-fuzz";
  context.show_search_link = (head & 0x10) == 0;
  context.link_language = (head & 0x20) != 0 ? LinkLanguage::kChinese : LinkLanguage::kEnglish;
  return context;
}

void FuzzChatResponse(const json& answer, const ResponseContext& context) {
  absl::StatusOr<json> completion = ConvertChatResponse(answer, context);
  if (!completion.ok()) {
    Require(!completion.status().message().empty(), "ConvertChatResponse refused without a message");
    RequireWritesBackEqual(OpenAIErrorFromStatus(completion.status()).body, "the error body of a refused answer");
    return;
  }
  RequireWritesBackEqual(*completion, "the chat.completion");
  Require(Member(*completion, "object") == "chat.completion", "the answer's object is not chat.completion");
  const json& choices = Member(*completion, "choices");
  RequireAbout(choices.is_array() && !choices.empty(), "a chat.completion without choices", *completion);
}

// The events of an SSE body read in pieces whose sizes come from the body.
std::vector<std::string> Events(absl::string_view body) {
  gemini::SseSplitter splitter(1u << 20);
  std::vector<std::string> events;
  for (size_t at = 0, turn = 0; at < body.size(); ++turn) {
    const size_t piece = 1 + static_cast<unsigned char>(body[turn % body.size()]) % 24;
    absl::StatusOr<std::vector<std::string>> some = splitter.Feed(body.substr(at, piece));
    if (!some.ok()) return events;
    events.insert(events.end(), some->begin(), some->end());
    at += piece;
  }
  absl::StatusOr<std::vector<std::string>> rest = splitter.Finish();
  if (rest.ok()) events.insert(events.end(), rest->begin(), rest->end());
  return events;
}

// What the client has seen of each choice.
struct ChoiceSeen {
  bool finished = false;
  int next_tool_call = 0;
};

void CheckChunks(const std::vector<json>& chunks, bool include_usage, std::string& id,
                 std::map<int64_t, ChoiceSeen>& choices) {
  for (const json& chunk : chunks) {
    RequireWritesBackEqual(chunk, "a chat.completion.chunk");
    RequireAbout(chunk.is_object() && Member(chunk, "object") == "chat.completion.chunk",
                 "a chunk is not a chat.completion.chunk", chunk);
    RequireAbout(Member(chunk, "id").is_string() && !Member(chunk, "id").get<std::string>().empty(),
                 "a chunk without an id", chunk);
    if (id.empty()) id = Member(chunk, "id").get<std::string>();
    RequireAbout(Member(chunk, "id") == id, "chunks of one stream with different ids", chunk);
    RequireAbout(Member(chunk, "choices").is_array(), "a chunk without a choices array", chunk);
    if (include_usage && !Member(chunk, "choices").empty()) {
      RequireAbout(Member(chunk, "usage").is_null(), "a choice chunk with usage", chunk);
    }
    for (const json& choice : Member(chunk, "choices")) {
      RequireAbout(Member(choice, "index").is_number_integer(), "a choice without an integer index", chunk);
      ChoiceSeen& seen = choices[Member(choice, "index").get<int64_t>()];
      RequireAbout(!seen.finished, "a chunk for a choice after its finish chunk", chunk);
      if (!Member(choice, "finish_reason").is_null()) seen.finished = true;
      if (const json& calls = Member(Member(choice, "delta"), "tool_calls"); calls.is_array()) {
        for (const json& call : calls) {
          RequireAbout(Member(call, "index") == seen.next_tool_call, "tool call indexes are not 0, 1, 2 ...",
                       chunk);
          ++seen.next_tool_call;
        }
      }
    }
  }
}

void FuzzChatStream(absl::string_view body, uint8_t head) {
  const bool include_usage = (head & 0x08) != 0;
  ChatStreamConverter converter(ContextFor(head), include_usage);
  std::string id;
  std::map<int64_t, ChoiceSeen> choices;
  for (const std::string& text : Events(body)) {
    absl::StatusOr<json> event = ParseJson(text);
    if (!event.ok()) continue;
    absl::StatusOr<std::vector<json>> chunks = converter.OnEvent(*event);
    if (!chunks.ok()) {
      // The gateway then sends the error as the stream's last event.
      Require(chunks.status().code() != absl::StatusCode::kFailedPrecondition, "OnEvent refused before Finish");
      const OpenAIError error = ConvertGeminiError(0, *event);
      RequireWritesBackEqual(error.body, "an in-stream error");
      Require(error.http_status >= 400 && error.http_status <= 599, "an in-stream error is not 4xx/5xx");
      continue;
    }
    CheckChunks(*chunks, include_usage, id, choices);
    // The same event as a whole answer.
    FuzzChatResponse(*event, ContextFor(head));
  }
  const std::vector<json> closing = converter.Finish();
  CheckChunks(closing, include_usage, id, choices);
  Require(!choices.empty(), "a stream that ends without any choice");
  for (const auto& [index, seen] : choices) Require(seen.finished, "Finish left a choice without its finish chunk");
  if (include_usage) {
    Require(!closing.empty() && Member(closing.back(), "choices").empty() &&
                Member(closing.back(), "usage").is_object(),
            "include_usage without a closing usage chunk");
  }
  Require(converter.id() == id, "id() is not the chunks' id");
  Require(converter.Finish().empty(), "a second Finish() returned chunks");
  Require(converter.OnEvent(json::object()).status().code() == absl::StatusCode::kFailedPrecondition,
          "OnEvent after Finish() did not refuse");
}

void CheckError(const OpenAIError& error, int given_status) {
  RequireWritesBackEqual(error.body, "an upstream error as OpenAI's error");
  RequireAbout(error.http_status >= 400 && error.http_status <= 599, "an upstream error that is not 4xx/5xx",
               error.body);
  if (given_status != 0 && given_status != 200) Require(error.http_status == given_status, "the HTTP status changed");
  const json& message = Member(Member(error.body, "error"), "message");
  RequireAbout(message.is_string() && !message.get<std::string>().empty(), "an error without a message", error.body);
  Require(!absl::StrContains(error.body.dump(-1, ' ', false, json::error_handler_t::replace), kSecret),
          "the key was not redacted", error.body.dump(-1, ' ', false, json::error_handler_t::replace));
  if (error.retry_after_seconds.has_value()) Require(*error.retry_after_seconds >= 0, "a negative retry-after");
}

void FuzzError(absl::string_view body, uint8_t head) {
  static constexpr int kStatuses[] = {0, 200, 400, 403, 429, 500, 503, 504};
  const int status = kStatuses[(head >> 3) & 7];
  CheckError(ConvertGeminiErrorText(status, body, {kSecret}), status);
  if (absl::StatusOr<json> parsed = ParseJson(body); parsed.ok()) {
    CheckError(ConvertGeminiError(status, *parsed, {kSecret}), status);
  }
}

void FuzzModels(const json& list, const ConversionOptions& options) {
  absl::StatusOr<json> converted = ConvertModelList(list, options, 1767225600);
  if (converted.ok()) {
    RequireWritesBackEqual(*converted, "the model list");
    Require(Member(*converted, "data").is_array(), "a model list without data");
    for (const json& model : Member(*converted, "data")) {
      RequireAbout(Member(model, "id").is_string(), "a listed model without an id", model);
      Require(FindModel(*converted, Member(model, "id").get<std::string>()).ok(), "a listed model cannot be found");
    }
  }
  absl::StatusOr<json> native = WithDerivedGeminiModels(list, options);
  if (native.ok()) {
    RequireWritesBackEqual(*native, "the native model list");
    // Google omits an empty list, and so may the page gempool serves.
    const json& models = Member(*native, "models");
    RequireAbout(models.is_array() || (models.is_null() && !native->contains("models")),
                 "a native model list whose models is not an array", *native);
  }
}

void FuzzEmbeddings(const json& answer, uint8_t head) {
  const ConversionOptions options;
  absl::StatusOr<EmbeddingRequest> request = ConvertEmbeddingRequest(
      json{{"model", "gemini-embedding-001"},
           {"input", json::array({"alpha", "beta"})},
           {"encoding_format", (head & 0x08) != 0 ? "base64" : "float"}},
      options);
  Require(request.ok(), "the fixed embedding request does not convert");
  absl::StatusOr<json> converted = ConvertEmbeddingResponse({answer}, *request);
  if (!converted.ok()) return;
  RequireWritesBackEqual(*converted, "the embeddings answer");
  RequireAbout(Member(*converted, "data").is_array() && Member(*converted, "data").size() == 2,
               "an embedding per input", *converted);
}

void FuzzImages(const json& answer, uint8_t head) {
  ConversionOptions options;
  const bool gemini = (head & 0x08) != 0;
  absl::StatusOr<ImageGenerationRequest> request = ConvertImageRequest(
      json{{"prompt", "a cat"},
           {"model", gemini ? "gemini-2.5-flash-image" : "imagen-3.0-generate-002"},
           {"n", gemini ? 1 : 2},
           {"response_format", (head & 0x10) != 0 ? "url" : "b64_json"}},
      options);
  Require(request.ok(), "the fixed image request does not convert", request.status().ToString());
  const absl::Status checked = CheckImageResponse(answer, *request);
  absl::StatusOr<json> converted = ConvertImageResponse(answer, *request, 1767225600);
  Require(checked.ok() == converted.ok(), "CheckImageResponse and ConvertImageResponse disagree");
  if (converted.ok()) {
    RequireWritesBackEqual(*converted, "the images answer");
    RequireAbout(Member(*converted, "data").is_array() && !Member(*converted, "data").empty(),
                 "an images answer without data", *converted);
  } else {
    RequireWritesBackEqual(OpenAIErrorFromStatus(converted.status()).body, "the error of an images answer");
  }
  // The image chat model's route.
  const json gemini_answer = ImagesAsGeminiAnswer(json(answer), *request);
  RequireWritesBackEqual(gemini_answer, "images as a Gemini answer");
  const std::string markdown = ImageChatMarkdown(gemini_answer);
  RequireWritesBackEqual(ImageChatCompletion(markdown, "imagen", "chatcmpl-fuzz", 1767225600),
                         "the image chat completion");
  for (const json& chunk : ImageChatChunks(markdown, "imagen", "chatcmpl-fuzz", 1767225600)) {
    RequireWritesBackEqual(chunk, "an image chat chunk");
  }
}

void FuzzSpeech(const json& answer, uint8_t head) {
  ConversionOptions options;
  absl::StatusOr<SpeechRequest> request = ConvertSpeechRequest(
      json{{"model", "tts-1"},
           {"voice", "Kore"},
           {"input", "Hello there"},
           {"response_format", (head & 0x08) != 0 ? "pcm" : "wav"}},
      options);
  Require(request.ok(), "the fixed speech request does not convert", request.status().ToString());
  absl::StatusOr<SpeechAudio> audio = ConvertSpeechResponse(answer, *request);
  if (!audio.ok()) {
    RequireWritesBackEqual(OpenAIErrorFromStatus(audio.status()).body, "the error of a speech answer");
    return;
  }
  if (audio->content_type == "audio/wav") {
    Require(absl::StartsWith(audio->bytes, "RIFF") && audio->bytes.size() >= 44, "a WAV answer without its header");
  } else {
    Require(audio->content_type == "audio/pcm", "speech in neither WAV nor PCM", audio->content_type);
  }
}

}  // namespace

void FuzzAnswer(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint8_t head = data[0];
  const absl::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const int kind = head & 0x07;
  if (kind == 1) return FuzzChatStream(body, head);
  if (kind == 2) return FuzzError(body, head);
  absl::StatusOr<json> answer = ParseJson(body);
  if (!answer.ok()) return;
  switch (kind) {
    case 0:
      FuzzChatResponse(*answer, ContextFor(head));
      break;
    case 3: {
      ConversionOptions options;
      options.search_models = {"gemini-2.5-flash"};
      options.image_models = {"gemini-2.0-flash-exp"};
      options.thinking_models = {"gemini-2.5-flash"};
      options.filtered_models = {"gemini-1.0-pro"};
      FuzzModels(*answer, options);
      break;
    }
    case 4:
      FuzzEmbeddings(*answer, head);
      break;
    case 5:
      FuzzImages(*answer, head);
      break;
    case 6:
      FuzzSpeech(*answer, head);
      break;
    default:
      FuzzChatStream(body, head);  // A second stream slot: streams are the richest.
      break;
  }
}

}  // namespace gempool::openai
