#pragma once
// POST /v1/audio/speech (also under /hf/v1 and /v1beta/openai): Gemini TTS
// (TTS_MODEL unless the client names a Gemini TTS model; the voice, else
// TTS_VOICE_NAME) through :generateContent, answered as a WAV file (or raw
// PCM for response_format "pcm"). Thread-safe.

#include "http/client_call.h"
#include "upstream/gemini_caller.h"
#include "gempool/openai/options.h"
#include "live_settings.h"

namespace gempool::gateway {

class SpeechHandler {
 public:
  // `caller` must outlive the handler; the settings come with each call.
  explicit SpeechHandler(const GeminiCaller& caller);

  ClientAnswer Handle(const ClientCall& call);

 private:
  const GeminiCaller& caller_;
};

}  // namespace gempool::gateway
