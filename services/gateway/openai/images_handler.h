#pragma once
// POST /v1/images/generations (also under /hf/v1 and /v1beta/openai): Imagen
// models through :predict (the key broker hands out PAID_KEY for imagen-*
// models when it is set), Gemini image models through :generateContent;
// images answered as b64_json, or with response_format "url" as links on the
// image host in force (UPLOAD_PROVIDER; data: URLs without one). Thread-safe.

#include "http/client_call.h"
#include "upstream/gemini_caller.h"
#include "gempool/common/clock.h"
#include "gempool/openai/options.h"
#include "gempool/openai/images.h"
#include "imagehost/image_uploader.h"
#include "live_settings.h"

namespace gempool::gateway {

// Sends a converted image request to its model (Imagen :predict, Gemini
// :generateContent) through `caller`, waiting for the answer (worker
// thread): the parsed answer, or nullopt with `answer.reply` set in
// OpenAI's error shape. Shared by the images route and the image chat model.
std::optional<nlohmann::json> CallImageModel(const GeminiCaller& caller, const openai::ImageGenerationRequest& request,
                                             const ClientCall& call, ClientAnswer& answer);

class ImagesHandler {
 public:
  // Everything must outlive the handler. `uploader` (optional) hosts the
  // images of response_format "url".
  ImagesHandler(const GeminiCaller& caller, const Clock& clock, ImageUploader* uploader = nullptr);

  ClientAnswer Handle(const ClientCall& call);

 private:
  const GeminiCaller& caller_;
  const Clock& clock_;
  ImageUploader* const uploader_;
};

}  // namespace gempool::gateway
