#include "upstream/remote_media.h"

#include "absl/strings/str_cat.h"
#include "gempool/openai/errors.h"

namespace gempool::gateway {

absl::Status CheckRemoteMediaCount(const openai::GeminiRequest& request, absl::string_view field) {
  if (request.fetches.size() <= kMaxRemoteMedia) return absl::OkStatus();
  return openai::FieldError(field, absl::StrCat("has ", request.fetches.size(), " media URLs; at most ",
                                                kMaxRemoteMedia, " are fetched per request (send the data inline)"));
}

absl::Status InlineRemoteMedia(openai::GeminiRequest& request, const MediaFetcher& fetcher, int time_out_seconds) {
  for (size_t i = 0; i < request.fetches.size(); ++i) {
    const openai::MediaFetch& fetch = request.fetches[i];
    absl::StatusOr<MediaFetcher::Media> media = fetcher.Fetch(fetch.url, fetch.field, time_out_seconds);
    if (!media.ok()) return media.status();
    absl::Status inlined = openai::InlineFetchedMedia(request, i, media->content_type, media->bytes);
    if (!inlined.ok()) return inlined;
  }
  return absl::OkStatus();
}

}  // namespace gempool::gateway
