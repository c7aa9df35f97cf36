#pragma once
// The headers of the Files API's resumable upload protocol on both legs:
// what a client's upload call passes upstream (its X-Goog-Upload-* request
// headers beside the usual forwarded ones), and what Google's answer passes
// back (its X-Goog-Upload-* answer headers, X-Goog-Upload-URL replaced by
// gempool's own).
//
// Pure; thread-safe.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "http/client_call.h"

namespace gempool::gateway {

// `call`'s forwarded headers plus its X-Goog-Upload-* headers (Protocol,
// Command, Offset, Header-Content-Length, Header-Content-Type, File-Name).
HeaderList UploadRequestHeaders(const ClientCall& call);

// The value of header `name` (any case) among `headers`.
std::optional<std::string> FindHeader(const HeaderList& headers, absl::string_view name);

// Google's answer headers for the client: `upstream` with X-Goog-Upload-URL
// replaced by `gempool_upload_url` (dropped when that is empty).
HeaderList UploadAnswerHeaders(const HeaderList& upstream, absl::string_view gempool_upload_url);

}  // namespace gempool::gateway
