#pragma once
// POST /v1/messages and POST /v1/messages/count_tokens (also under
// /anthropic/v1): the Anthropic request converted for Gemini
// (anthropic::ConvertMessagesRequest, Claude model names through
// ANTHROPIC_MODEL_MAP as it is now), remote images and documents fetched and
// inlined, sent through the key broker's attempt loop to :generateContent,
// :streamGenerateContent?alt=sse (events converted as they arrive, pings
// while the upstream is quiet: MessagesStreamSink) or :countTokens.
// Anthropic clients decide streaming by the body's `stream` (Claude Code
// sends Accept: application/json on streaming calls too). Thread-safe.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "gempool/anthropic/model_map.h"
#include "gempool/common/clock.h"
#include "gempool/openai/options.h"
#include "live_settings.h"
#include "http/client_call.h"
#include "upstream/gemini_caller.h"
#include "upstream/media_fetcher.h"
#include "upstream/random_ids.h"

namespace gempool::gateway {

class MessagesHandler {
 public:
  // How long a stream may stay quiet before a ping goes out.
  static constexpr std::chrono::milliseconds kPingInterval{10000};

  // ANTHROPIC_MODEL_MAP and the conversion options come from the call's
  // settings snapshot. Everything must outlive the handler.
  MessagesHandler(const GeminiCaller& caller, const MediaFetcher& fetcher);

  ClientAnswer Messages(const ClientCall& call);
  ClientAnswer CountTokens(const ClientCall& call);

 private:
  const GeminiCaller& caller_;
  const MediaFetcher& fetcher_;
  RandomIds ids_;
};

}  // namespace gempool::gateway
