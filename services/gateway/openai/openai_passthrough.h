#pragma once
// /openai/v1/* (gemini-balance's passthrough): forwarded verbatim to Google's
// own OpenAI-compatible endpoint, {BASE_URL}/openai/* (BASE_URL's version
// kept: https://generativelanguage.googleapis.com/v1beta/openai/...), with
// the pool key as "Authorization: Bearer" in place of the client's token.
// Bodies go both ways byte for byte, never re-serialised; streams
// ("stream": true) are relayed chunk by chunk. Key rotation and retries are
// the native API's. Errors come back in OpenAI's shape with their status
// (Google's compat layer wraps them in an array, which OpenAI clients cannot
// read). Thread-safe.

#include "http/client_call.h"
#include "upstream/gemini_caller.h"

namespace gempool::gateway {

class OpenAIPassthrough {
 public:
  // `caller` must outlive the handler.
  explicit OpenAIPassthrough(const GeminiCaller& caller);

  // call.path_params[0] is the part after /openai/v1/.
  ClientAnswer Handle(const ClientCall& call);

 private:
  const GeminiCaller& caller_;
};

}  // namespace gempool::gateway
