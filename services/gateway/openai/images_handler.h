#pragma once
// POST /v1/images/generations (also under /hf/v1 and /v1beta/openai): Imagen
// models through :predict (the key broker hands out PAID_KEY for imagen-*
// models when it is set), Gemini image models through :generateContent;
// images answered as b64_json (or data: URLs). Thread-safe.

#include "http/client_call.h"
#include "upstream/gemini_caller.h"
#include "gempool/common/clock.h"
#include "gempool/openai/options.h"

namespace gempool::gateway {

class ImagesHandler {
 public:
  // Everything must outlive the handler.
  ImagesHandler(const openai::ConversionOptions& options, const GeminiCaller& caller, const Clock& clock);

  ClientAnswer Handle(const ClientCall& call);

 private:
  const openai::ConversionOptions& options_;
  const GeminiCaller& caller_;
  const Clock& clock_;
};

}  // namespace gempool::gateway
