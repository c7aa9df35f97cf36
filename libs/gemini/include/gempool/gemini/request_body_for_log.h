#pragma once
// The request body sent upstream, made fit for the error log
// (ERROR_LOG_RECORD_REQUEST_BODY): secrets out, bulky base64 replaced by a
// note of its size, so a row shows what was asked without leaking keys or
// holding megabytes of image data. Pure; thread-compatible.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gempool::gemini {

// Bodies larger than this are not parsed (the error path runs on the event
// loop); the row says how large the body was instead.
inline constexpr size_t kMaxRedactedRequestBody = 8 * 1024 * 1024;

// For a JSON body: every string value of a member whose name says it holds a
// secret (…key, …token, authorization, secret, password, credential; case and
// '_'/'-' ignored) becomes "[redacted]"; "Bearer …"/"Basic …" values anywhere
// keep only the scheme; the `data` of `inlineData`/`inline_data`, `data:` URIs
// and any other base64-looking string of 512 bytes or more become
// "[base64, N bytes]" (N decoded); the result is compact JSON. A body that is
// not JSON is kept as text with the same scheme rule. Either way, each of
// `secrets` and anything shaped like a Google API key is masked last
// (gempool/common/secrets.h). The caller caps the size.
std::string RequestBodyForLog(absl::string_view body, const std::vector<std::string>& secrets);

}  // namespace gempool::gemini
