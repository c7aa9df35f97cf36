#include "files/upload_headers.h"

#include "absl/strings/match.h"

namespace gempool::gateway {
namespace {

constexpr absl::string_view kUploadUrl = "X-Goog-Upload-URL";

}  // namespace

HeaderList UploadRequestHeaders(const ClientCall& call) {
  HeaderList headers = call.upstream_headers;
  if (call.request_headers == nullptr) return headers;
  for (const auto& [name, value] : *call.request_headers) {
    // Never X-Goog-Upload-URL (an answer header) from a client.
    if (absl::StartsWithIgnoreCase(name, "x-goog-upload-") && !absl::EqualsIgnoreCase(name, kUploadUrl)) {
      headers.emplace_back(name, value);
    }
  }
  return headers;
}

std::optional<std::string> FindHeader(const HeaderList& headers, absl::string_view name) {
  for (const auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

HeaderList UploadAnswerHeaders(const HeaderList& upstream, absl::string_view gempool_upload_url) {
  HeaderList out;
  for (const auto& [name, value] : upstream) {
    if (absl::EqualsIgnoreCase(name, kUploadUrl)) continue;
    out.emplace_back(name, value);
  }
  if (!gempool_upload_url.empty()) out.emplace_back(std::string(kUploadUrl), std::string(gempool_upload_url));
  return out;
}

}  // namespace gempool::gateway
