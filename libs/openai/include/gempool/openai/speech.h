#pragma once
// POST /v1/audio/speech ⇄ Gemini TTS (:generateContent with
// responseModalities ["AUDIO"] and a prebuilt voice). The model is the
// request's when it names a Gemini TTS model, else TTS_MODEL; the voice is the
// request's when it is one of Gemini's 30 prebuilt voices (any case), else
// TTS_VOICE_NAME (OpenAI voices such as "alloy" fall back, with a warning).
// `instructions` becomes the spoken style prompt ("<instructions>: <input>"),
// as Gemini TTS takes style in natural language; TTS_SPEED other than
// "normal" is asked for in front of it ("Speak in a slow speed voice: ...",
// gemini-balance's words). The answer is a WAV file
// built from Gemini's 24 kHz 16-bit PCM, or the raw PCM for
// response_format "pcm" (OpenAI's pcm is the same format). Other formats
// (mp3, opus, aac, flac) are answered as WAV with a warning; `speed` is not
// supported (warning). Pure functions; thread-safe.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

struct SpeechRequest {
  std::string model;  // upstream model id, without "models/"
  std::string voice;  // the Gemini voice used
  nlohmann::json body;
  bool pcm_output = false;
  std::vector<std::string> warnings;
};

struct SpeechAudio {
  std::string bytes;
  std::string content_type;  // "audio/wav" or "audio/pcm"
};

// Whether `voice` is a Gemini prebuilt voice; `canonical` gets its spelling.
bool IsGeminiVoice(absl::string_view voice, std::string* canonical);

// InvalidArgument naming the field; NotFound for a FILTERED_MODELS model.
absl::StatusOr<SpeechRequest> ConvertSpeechRequest(const nlohmann::json& openai_body,
                                                   const ConversionOptions& options);

// InvalidArgument when Gemini returned no audio (blocked prompt: the reason is
// in the message); Internal when the audio is malformed.
absl::StatusOr<SpeechAudio> ConvertSpeechResponse(const nlohmann::json& gemini_response,
                                                  const SpeechRequest& request);

}  // namespace gempool::openai
