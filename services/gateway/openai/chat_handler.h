#pragma once
// POST /v1/chat/completions (also under /hf/v1 and /v1beta/openai): the
// OpenAI request converted for Gemini (openai::ConvertChatRequest), remote
// images fetched and inlined, sent through the key broker's attempt loop to
// :generateContent, or :streamGenerateContent?alt=sse with the events turned
// into OpenAI chunks as they arrive (ChatStreamSink); with FAKE_STREAM_ENABLED
// a streamed call is one :generateContent with heartbeats meanwhile
// (chat_fake_stream.h). Thread-safe.

#include <string>

#include "http/client_call.h"
#include "upstream/gemini_caller.h"
#include "gempool/common/clock.h"
#include "gempool/openai/options.h"
#include "imagehost/image_uploader.h"
#include "live_settings.h"
#include "openai/image_chat_handler.h"
#include "upstream/media_fetcher.h"
#include "upstream/random_ids.h"

namespace gempool::gateway {

class ChatHandler {
 public:
  // Everything must outlive the handler. The conversion options,
  // FAKE_STREAM_ENABLED and its interval come from the call's settings
  // snapshot. `uploader` (optional) puts links on the image host of the
  // snapshot (UPLOAD_PROVIDER) in place of the answer's inline images.
  ChatHandler(const GeminiCaller& caller, const MediaFetcher& fetcher, const Clock& clock,
              ImageUploader* uploader = nullptr);

  ClientAnswer Handle(const ClientCall& call);

 private:
  const GeminiCaller& caller_;
  const MediaFetcher& fetcher_;
  const Clock& clock_;
  ImageUploader* const uploader_;
  // "chatcmpl-" ids for answers without a responseId.
  RandomIds ids_;
  // "<CREATE_IMAGE_MODEL>-chat" (image_chat_handler.h).
  ImageChatHandler image_chat_;
};

}  // namespace gempool::gateway
