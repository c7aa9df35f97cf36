#include "imagehost/hosted_image_urls.h"

#include <future>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/openai/media.h"

namespace gempool::gateway {

using nlohmann::json;

std::vector<std::string> HostImageUrls(json& images_response, ImageUploader& uploader, const ImageHosting& hosting) {
  std::vector<std::string> warnings;
  if (!hosting.Enabled() || !images_response.contains("data") || !images_response["data"].is_array()) {
    return warnings;
  }
  if (std::string missing = ImageUploader::MissingSettingsWarning(hosting.settings); !missing.empty()) {
    warnings.push_back(std::move(missing));
    return warnings;
  }
  for (json& entry : images_response["data"]) {
    if (!entry.is_object() || !entry.contains("url") || !entry["url"].is_string()) continue;
    const std::string& url = entry["url"].get_ref<const std::string&>();
    if (!absl::StartsWithIgnoreCase(url, "data:")) continue;
    absl::StatusOr<openai::DataUrl> parsed = openai::ParseDataUrl(url);
    imagehost::Image image;
    if (!parsed.ok() || !absl::Base64Unescape(parsed->base64_data, &image.bytes)) {
      warnings.push_back(ImageUploader::InlineWarning("the image's data: URL cannot be read"));
      continue;
    }
    image.mime_type = parsed->mime_type.empty() ? "image/png" : parsed->mime_type;
    std::promise<absl::StatusOr<std::string>> uploaded;
    std::future<absl::StatusOr<std::string>> link = uploaded.get_future();
    uploader.Upload(std::move(image), hosting,
                    [&uploaded](absl::StatusOr<std::string> result) { uploaded.set_value(std::move(result)); });
    absl::StatusOr<std::string> result = link.get();
    if (result.ok()) {
      entry["url"] = *result;
    } else {
      warnings.push_back(ImageUploader::InlineWarning(result.status().message()));
    }
  }
  return warnings;
}

bool IsDataUrlNote(const std::string& warning) { return absl::StartsWith(warning, "response_format 'url':"); }

}  // namespace gempool::gateway
