#pragma once
// POST /v1/images/generations ⇄ Gemini. Imagen models ("imagen-...") are
// called through :predict ({"instances":[{prompt}],"parameters":{sampleCount,
// aspectRatio,outputOptions}}); Gemini image models ("gemini-...-image...")
// through :generateContent with image output. A model that is neither (the
// OpenAI names dall-e-3, gpt-image-1, or none) means CREATE_IMAGE_MODEL.
// `size` "WxH" maps to the nearest aspect ratio Imagen offers (1:1, 3:4, 4:3,
// 9:16, 16:9); extra_body.google.aspect_ratio (or google.aspect_ratio) sets
// one directly. Images come back as b64_json; response_format "url" is
// answered with data: URLs in `url` (gempool hosts no images). Pure functions;
// thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

enum class ImageBackend {
  kImagenPredict,          // models/<model>:predict
  kGeminiGenerateContent,  // models/<model>:generateContent
};

struct ImageGenerationRequest {
  std::string model;  // upstream model id, without "models/"
  ImageBackend backend = ImageBackend::kImagenPredict;
  nlohmann::json body;
  int count = 1;
  bool url_output = false;  // answer with data: URLs in `url`
  std::vector<std::string> warnings;
};

// InvalidArgument naming the field; NotFound for a FILTERED_MODELS model.
absl::StatusOr<ImageGenerationRequest> ConvertImageRequest(const nlohmann::json& openai_body,
                                                           const ConversionOptions& options);

// OK when the upstream answer holds at least one image. InvalidArgument
// (explaining the filter reason) when no image came back — what OpenAI
// answers for a refused prompt; Internal when malformed. Copies no image.
absl::Status CheckImageResponse(const nlohmann::json& upstream_response, const ImageGenerationRequest& request);

// The upstream answer → {"created","data":[{"b64_json"|"url","revised_prompt"?}]};
// CheckImageResponse's error when it has no image.
absl::StatusOr<nlohmann::json> ConvertImageResponse(const nlohmann::json& upstream_response,
                                                    const ImageGenerationRequest& request, int64_t created_unix);

// "1792x1024" → "16:9" (nearest of 1:1, 3:4, 4:3, 9:16, 16:9); InvalidArgument
// (no field prefix) when not "WxH" with positive numbers.
absl::StatusOr<std::string> AspectRatioForSize(absl::string_view size);

}  // namespace gempool::openai
