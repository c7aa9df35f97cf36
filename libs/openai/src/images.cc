#include "gempool/openai/images.h"

#include <cmath>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/image_directives.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

// Imagen's sampleCount limit.
constexpr int64_t kMaxImagenImages = 4;

struct Ratio {
  const char* name;
  double value;
};
constexpr Ratio kImageRatios[] = {{"1:1", 1.0}, {"3:4", 0.75}, {"4:3", 4.0 / 3.0}, {"9:16", 9.0 / 16.0}, {"16:9", 16.0 / 9.0}};

ImageBackend BackendFor(absl::string_view model) {
  return absl::StartsWith(model, "gemini") ? ImageBackend::kGeminiGenerateContent : ImageBackend::kImagenPredict;
}

bool IsRatio(absl::string_view text) {
  std::vector<absl::string_view> sides = absl::StrSplit(text, ':');
  int a = 0;
  int b = 0;
  return sides.size() == 2 && absl::SimpleAtoi(sides[0], &a) && absl::SimpleAtoi(sides[1], &b) && a > 0 && b > 0;
}

absl::StatusOr<std::optional<std::string>> AspectRatioIn(const json* google, const std::string& path) {
  if (google == nullptr) return std::optional<std::string>();
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> ratio, OptString(*google, "aspect_ratio", path));
  if (ratio.has_value() && !IsRatio(*ratio)) {
    return FieldError(Path(path, "aspect_ratio"), absl::StrCat("'", *ratio, "' is not like \"16:9\""));
  }
  return ratio;
}

// extra_body.google.aspect_ratio or google.aspect_ratio.
absl::StatusOr<std::optional<std::string>> ExplicitAspectRatio(const json& body) {
  const json* extra_body = Find(body, "extra_body");
  const json* nested = extra_body != nullptr ? Find(*extra_body, "google") : nullptr;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> ratio, AspectRatioIn(nested, "extra_body.google"));
  if (ratio.has_value()) return ratio;
  return AspectRatioIn(Find(body, "google"), "google");
}

// `object[key]` when it is a non-empty string (not copied); nullptr otherwise.
const std::string* NonEmptyString(const json& object, absl::string_view key) {
  const json* value = Find(object, key);
  if (value == nullptr || !value->is_string()) return nullptr;
  const std::string& text = value->get_ref<const std::string&>();
  return text.empty() ? nullptr : &text;
}

// The base64 data of a Gemini answer part's inline image; nullptr when the
// part holds no image.
const std::string* InlineImageData(const json& part) {
  const json* inline_data = Find(part, "inlineData");
  if (inline_data == nullptr || !inline_data->is_object()) return nullptr;
  const std::string* data = NonEmptyString(*inline_data, "data");
  if (data == nullptr || !absl::StartsWith(StringOr(*inline_data, "mimeType", "image/png"), "image/")) return nullptr;
  return data;
}

json ImageEntry(const std::string& mime, const std::string& data, bool url_output) {
  if (url_output) return json{{"url", absl::StrCat("data:", mime, ";base64,", data)}};
  return json{{"b64_json", data}};
}

}  // namespace

absl::StatusOr<std::string> AspectRatioForSize(absl::string_view size) {
  std::vector<absl::string_view> sides = absl::StrSplit(size, 'x');
  double width = 0;
  double height = 0;
  if (sides.size() != 2 || !absl::SimpleAtod(sides[0], &width) || !absl::SimpleAtod(sides[1], &height) ||
      width <= 0 || height <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("'", size, "' is not a size like \"1024x1024\" or \"auto\""));
  }
  double wanted = std::log(width / height);
  const Ratio* best = &kImageRatios[0];
  for (const Ratio& ratio : kImageRatios) {
    if (std::fabs(std::log(ratio.value) - wanted) < std::fabs(std::log(best->value) - wanted)) best = &ratio;
  }
  return std::string(best->name);
}

absl::StatusOr<ImageGenerationRequest> ConvertImageRequest(const json& body, const ConversionOptions& options) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body must be a JSON object, got ", JsonTypeName(body)));
  }
  ImageGenerationRequest out;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> prompt, OptString(body, "prompt", ""));
  if (!prompt.has_value() || prompt->empty()) return FieldError("prompt", "is required");
  // gemini-balance's {n:N} and {ratio:W:H}: out of the prompt, over n and size.
  absl::StatusOr<ImageDirectives> directives = ExtractImageDirectives(*prompt);
  if (!directives.ok()) return FieldError("prompt", directives.status().message());
  if (directives->prompt.empty()) return FieldError("prompt", "holds only directives ({n:N}, {ratio:W:H}): say what to draw");
  prompt = directives->prompt;

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> model, OptString(body, "model", ""));
  std::string id = StripModelsPrefix(model.value_or(""));
  if (!absl::StartsWith(id, "imagen") && !absl::StartsWith(id, "gemini")) {
    id = StripModelsPrefix(options.create_image_model);
  }
  if (ModelListed(options.filtered_models, id)) {
    return FieldError(absl::StatusCode::kNotFound, "model",
                      absl::StrCat("'", id, "' is not available on this gateway"));
  }
  out.model = id;
  out.backend = BackendFor(id);

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<int64_t> n, OptInt(body, "n", "", 1, 10));
  out.count = directives->count.has_value() ? *directives->count : static_cast<int>(n.value_or(1));
  if (out.backend == ImageBackend::kImagenPredict && out.count > kMaxImagenImages) {
    return FieldError("n", absl::StrCat("is ", out.count, "; Imagen makes at most ", kMaxImagenImages,
                                        " images per request"));
  }
  if (out.backend == ImageBackend::kGeminiGenerateContent && out.count != 1) {
    return FieldError("n", absl::StrCat("is ", out.count, "; ", id, " makes one image per request"));
  }

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> aspect_ratio, ExplicitAspectRatio(body));
  if (directives->aspect_ratio.has_value()) aspect_ratio = directives->aspect_ratio;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> size, OptString(body, "size", ""));
  if (!aspect_ratio.has_value() && size.has_value() && *size != "auto") {
    auto ratio = AspectRatioForSize(*size);
    if (!ratio.ok()) return FieldError("size", ratio.status().message());
    aspect_ratio = *ratio;
  }

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> format, OptString(body, "response_format", ""));
  if (format.has_value() && *format != "b64_json" && *format != "url") {
    return FieldError("response_format", absl::StrCat("'", *format, "' is not b64_json or url"));
  }
  if (format.value_or("") == "url") {
    out.url_output = true;
    out.warnings.push_back("response_format 'url': gempool hosts no images; url holds a data: URL");
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> output_format, OptString(body, "output_format", ""));
  std::optional<std::string> output_mime;
  if (output_format.has_value()) {
    if (*output_format == "png") {
      output_mime = "image/png";
    } else if (*output_format == "jpeg" || *output_format == "jpg") {
      output_mime = "image/jpeg";
    } else {
      return FieldError("output_format", absl::StrCat("'", *output_format, "' is not supported: use png or jpeg"));
    }
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> stream, OptBool(body, "stream", ""));
  if (stream.value_or(false)) return FieldError("stream", "is not supported for image generation");
  for (const auto& [key, value] : body.items()) {
    if (value.is_null() || key == "prompt" || key == "model" || key == "n" || key == "size" ||
        key == "response_format" || key == "output_format" || key == "stream" || key == "user" ||
        key == "extra_body" || key == "google") {
      continue;
    }
    out.warnings.push_back(absl::StrCat(key, " has no Gemini equivalent; ignored"));
  }

  if (out.backend == ImageBackend::kImagenPredict) {
    json parameters = json{{"sampleCount", out.count}};
    if (aspect_ratio.has_value()) parameters["aspectRatio"] = *aspect_ratio;
    if (output_mime.has_value()) parameters["outputOptions"] = json{{"mimeType", *output_mime}};
    out.body = json{{"instances", json::array({json{{"prompt", *prompt}}})}, {"parameters", std::move(parameters)}};
  } else {
    json config = json{{"responseModalities", json::array({"TEXT", "IMAGE"})}};
    if (aspect_ratio.has_value()) config["imageConfig"] = json{{"aspectRatio", *aspect_ratio}};
    if (output_mime.has_value()) {
      out.warnings.push_back("output_format is not selectable on Gemini image models; ignored");
    }
    out.body = json{{"contents", json::array({json{{"role", "user"}, {"parts", json::array({json{{"text", *prompt}}})}}})},
                    {"generationConfig", std::move(config)}};
  }
  return out;
}

absl::Status CheckImageResponse(const json& response, const ImageGenerationRequest& request) {
  if (!response.is_object()) {
    return absl::InternalError(absl::StrCat("the image answer is not a JSON object (got ",
                                            JsonTypeName(response), ")"));
  }
  std::vector<std::string> reasons;
  if (request.backend == ImageBackend::kImagenPredict) {
    if (const json* predictions = Find(response, "predictions"); predictions != nullptr && predictions->is_array()) {
      for (const json& prediction : *predictions) {
        if (NonEmptyString(prediction, "bytesBase64Encoded") != nullptr) return absl::OkStatus();
        if (const json* reason = Find(prediction, "raiFilteredReason"); reason != nullptr) {
          reasons.push_back(reason->is_string() ? reason->get<std::string>() : reason->dump());
        }
      }
    }
  } else {
    if (const json* candidates = Find(response, "candidates"); candidates != nullptr && candidates->is_array()) {
      for (const json& candidate : *candidates) {
        const json* content = Find(candidate, "content");
        const json* parts = content != nullptr ? Find(*content, "parts") : nullptr;
        if (parts != nullptr && parts->is_array()) {
          for (const json& part : *parts) {
            if (InlineImageData(part) != nullptr) return absl::OkStatus();
          }
        }
        std::string reason = candidate.is_object() ? StringOr(candidate, "finishReason", "") : "";
        if (!reason.empty() && reason != "STOP") reasons.push_back(reason);
      }
    }
    if (const json* feedback = Find(response, "promptFeedback"); feedback != nullptr) {
      if (const json* block = Find(*feedback, "blockReason"); block != nullptr && block->is_string()) {
        reasons.push_back(block->get<std::string>());
      }
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      request.model, " returned no image",
      reasons.empty() ? std::string(" (the prompt may have been filtered)")
                      : absl::StrCat(" (", absl::StrJoin(reasons, "; "), ")")));
}

absl::StatusOr<json> ConvertImageResponse(const json& response, const ImageGenerationRequest& request,
                                          int64_t created_unix) {
  GEMPOOL_RETURN_IF_ERROR(CheckImageResponse(response, request));
  json data = json::array();
  if (request.backend == ImageBackend::kImagenPredict) {
    for (const json& prediction : *Find(response, "predictions")) {  // Checked: an array with an image.
      const std::string* bytes = NonEmptyString(prediction, "bytesBase64Encoded");
      if (bytes == nullptr) continue;
      json entry = ImageEntry(StringOr(prediction, "mimeType", "image/png"), *bytes, request.url_output);
      if (const json* revised = Find(prediction, "prompt"); revised != nullptr && revised->is_string()) {
        entry["revised_prompt"] = *revised;
      }
      data.push_back(std::move(entry));
    }
  } else {
    for (const json& candidate : *Find(response, "candidates")) {  // Checked: an array with an image.
      const json* content = Find(candidate, "content");
      const json* parts = content != nullptr ? Find(*content, "parts") : nullptr;
      if (parts == nullptr || !parts->is_array()) continue;
      for (const json& part : *parts) {
        if (const std::string* bytes = InlineImageData(part); bytes != nullptr) {
          const std::string mime = StringOr(*Find(part, "inlineData"), "mimeType", "image/png");
          data.push_back(ImageEntry(mime, *bytes, request.url_output));
        }
      }
    }
  }
  return json{{"created", created_unix}, {"data", std::move(data)}};
}

}  // namespace gempool::openai
