#pragma once
// The http(s) images and documents a converted request names
// (openai::GeminiRequest::fetches, from the OpenAI and Anthropic routes),
// downloaded with the MediaFetcher's rules and inlined into the request.
// Blocking: run on a worker thread. Thread-safe.

#include <cstddef>

#include "absl/status/status.h"
#include "gempool/openai/request_converter.h"
#include "upstream/media_fetcher.h"

namespace gempool::gateway {

// URLs fetched per request; more are refused.
inline constexpr size_t kMaxRemoteMedia = 16;

// InvalidArgument naming `field` (the request's messages field) when the
// request lists more than kMaxRemoteMedia URLs.
absl::Status CheckRemoteMediaCount(const openai::GeminiRequest& request, absl::string_view field);

// Fetches and inlines every URL of `request`, each download within
// `time_out_seconds` (the request's TIME_OUT, capped by the fetcher); the
// first failure, naming its field, as InvalidArgument.
absl::Status InlineRemoteMedia(openai::GeminiRequest& request, const MediaFetcher& fetcher, int time_out_seconds);

}  // namespace gempool::gateway
