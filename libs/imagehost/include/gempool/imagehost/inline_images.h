#pragma once
// The inline images of a Gemini GenerateContentResponse (a whole answer or
// one stream event): parts with inlineData of an image/* type, which the
// OpenAI chat route would render as Markdown with a data: URI. Once an image
// is uploaded, its part becomes a text part with the Markdown image link, so
// the converters render the link in the image's place. Pure functions.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/imagehost/upload.h"
#include "nlohmann/json.hpp"

namespace gempool::imagehost {

// Where one inline image is: candidates[candidate].content.parts[part].
struct InlineImageAt {
  size_t candidate = 0;
  size_t part = 0;
};

// Every inline image of `response`, in order (candidates, then parts).
std::vector<InlineImageAt> FindInlineImages(const nlohmann::json& response);

// Cheap pre-check on the raw text of an answer or event: false when it
// cannot hold an inline image (no "inlineData" or "inline_data").
bool MayHoldInlineImage(absl::string_view json_text);

// Whether a Gemini GenerateContentRequest for `model` can be answered with
// images: its generationConfig.responseModalities names IMAGE (any case), or
// the model's id has "image" in it (the image-generation models answer
// images by default). A streamed chat that cannot is not held up by the image
// uploader at all.
bool RequestMayAnswerImages(const nlohmann::json& gemini_request, absl::string_view model);

// The image at `at`, base64-decoded. InvalidArgument when the data is not
// base64.
absl::StatusOr<Image> ImageAt(const nlohmann::json& response, const InlineImageAt& at);

// Replaces the part at `at` with {"text": "\n\n![image](<link>)\n\n"},
// keeping its thoughtSignature.
void ReplaceWithLink(nlohmann::json& response, const InlineImageAt& at, absl::string_view link);

}  // namespace gempool::imagehost
