#pragma once
// Image hosting for POST /v1/images/generations with response_format
// "url": each data: URL in the answer's data[].url is uploaded to the
// configured host (ImageUploader) and replaced by the host's link. Runs on a
// worker thread (the images handler is a blocking one).

#include <string>
#include <vector>

#include "imagehost/image_uploader.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {

// Replaces the data: URLs of `images_response` ({"data": [{"url": ...}]})
// with links; returns a warning per image left as a data: URL (one for all
// when the host's settings are missing). Blocks; never on a loop thread.
std::vector<std::string> HostImageUrls(nlohmann::json& images_response, ImageUploader& uploader,
                                       const ImageHosting& hosting);

// Whether `warning` is libs/openai's note that response_format "url" gives
// data: URLs (dropped when an image host serves them instead).
bool IsDataUrlNote(const std::string& warning);

}  // namespace gempool::gateway
