#pragma once
// POST /v1/chat/completions (also under /hf/v1 and /v1beta/openai): the
// OpenAI request converted for Gemini (openai::ConvertChatRequest), remote
// images fetched and inlined, sent through the key broker's attempt loop to
// :generateContent, or :streamGenerateContent?alt=sse with the events turned
// into OpenAI chunks as they arrive (ChatStreamSink). Thread-safe.

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "http/client_call.h"
#include "upstream/gemini_caller.h"
#include "gempool/common/clock.h"
#include "gempool/openai/options.h"
#include "upstream/media_fetcher.h"

namespace gempool::gateway {

class ChatHandler {
 public:
  // Remote images per request; more are refused.
  static constexpr size_t kMaxRemoteImages = 16;

  // Everything must outlive the handler.
  ChatHandler(const openai::ConversionOptions& options, const GeminiCaller& caller, const MediaFetcher& fetcher,
              const Clock& clock);

  ClientAnswer Handle(const ClientCall& call);

 private:
  // "chatcmpl-" + 24 random hex digits, for answers without a responseId.
  std::string NewCompletionId();

  const openai::ConversionOptions& options_;
  const GeminiCaller& caller_;
  const MediaFetcher& fetcher_;
  const Clock& clock_;
  std::mutex random_mu_;
  std::mt19937_64 random_;
};

}  // namespace gempool::gateway
