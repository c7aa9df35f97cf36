#pragma once
// POST /v1/embeddings (also under /hf/v1 and /v1beta/openai): the input split
// into batches of at most 100 texts, each sent to :batchEmbedContents through
// the key broker's attempt loop, the answers joined in input order; floats,
// or base64 little-endian float32 for encoding_format "base64" (the openai
// SDK's default). Thread-safe.

#include "http/client_call.h"
#include "upstream/gemini_caller.h"
#include "gempool/openai/options.h"
#include "live_settings.h"

namespace gempool::gateway {

class EmbeddingsHandler {
 public:
  // `caller` must outlive the handler; the settings come with each call.
  explicit EmbeddingsHandler(const GeminiCaller& caller);

  ClientAnswer Handle(const ClientCall& call);

 private:
  const GeminiCaller& caller_;
};

}  // namespace gempool::gateway
