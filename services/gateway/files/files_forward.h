#pragma once
// A ForwardRequest for a Files API call (upload, get, delete): no model, so
// the key's model cooldowns do not apply, logged under `operation`
// ("files.upload", "files.get", "files.delete").
//
// Pure; thread-safe.

#include <string>

#include "absl/strings/string_view.h"
#include "gempool/gemini/upstream_url.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

ForwardRequest FilesForwardRequest(absl::string_view http_method, gemini::UpstreamTarget target,
                                   absl::string_view operation);

// Where the Files API lives upstream: BASE_URL's scheme, host and path
// prefix (without its version), then `path` ("/upload/v1beta/files",
// "/v1beta/files/abc").
gemini::UpstreamTarget FilesTarget(const gemini::BaseUrl& base, absl::string_view path);

}  // namespace gempool::gateway
