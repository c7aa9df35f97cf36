#pragma once
// The URLs of the Files API's resumable upload, as gempool hands them out
// and relays them. The client gets gempool's own upload URL, carrying only
// gempool's session id (no pool key, no client token, nothing of Google's
// URL): "{scheme}://{host the client used}{/gemini}/upload/{version}/files
// ?upload_id=<id>", the scheme and host taken from X-Forwarded-Proto and
// X-Forwarded-Host when a reverse proxy sent them, else "http" and Host.
// The SDKs replace scheme and host with their own base URL anyway and keep
// the path, so the path keeps the prefix the client called under.
//
// Pure; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/upstream_url.h"
#include "http/http_message.h"

namespace gempool::gateway {

// "scheme://host[:port]" the client reached gempool at; InvalidArgument when
// no usable Host came (HTTP/1.1 requires one) or it has characters no host
// has.
absl::StatusOr<std::string> ClientOrigin(const HeaderList& request_headers);

// gempool's upload URL for session `session_id`; `prefix` is "" or
// "/gemini", `version` the client's API version.
std::string GempoolUploadUrl(absl::string_view origin, absl::string_view prefix, absl::string_view version,
                             absl::string_view session_id);

// Google's upload URL (an X-Goog-Upload-URL) as an upstream target;
// InvalidArgument when it is not an absolute http(s) URL.
absl::StatusOr<gemini::UpstreamTarget> UpstreamTargetOf(absl::string_view url);

}  // namespace gempool::gateway
