#pragma once
// Loading of Config::image_host (UPLOAD_PROVIDER and each image host's
// settings) from the environment; called by LoadConfig. Internal to
// gempool_config.

#include "absl/status/status.h"
#include "gempool/common/environment.h"
#include "gempool/config/config.h"

namespace gempool::config {

// Reads UPLOAD_PROVIDER, SMMS_SECRET_TOKEN, SMMS_API_URL, PICGO_API_KEY, PICGO_API_URL,
// CLOUDFLARE_IMGBED_URL, CLOUDFLARE_IMGBED_AUTH_CODE,
// CLOUDFLARE_IMGBED_UPLOAD_FOLDER and the OSS_* settings into `out`; unset
// variables keep the defaults. A provider's missing credentials are not an
// error (the data: URI fallback says so per answer); malformed values are,
// as an InvalidArgument naming the variable.
absl::Status LoadImageHostSettings(const Environment& env, ImageHostSettings& out);

}  // namespace gempool::config
