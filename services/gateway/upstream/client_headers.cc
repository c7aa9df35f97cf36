#include "upstream/client_headers.h"

#include "absl/strings/match.h"

namespace gempool::gateway {
namespace {

// Content-Type first and User-Agent third: UpstreamHeaders relies on it.
constexpr const char* kForwardedHeaders[] = {"Content-Type", "Accept", "User-Agent", "X-Goog-Api-Client",
                                             "X-Server-Timeout"};

}  // namespace

HeaderList UpstreamHeaders(const HttpRequest& request) {
  HeaderList headers;
  bool has_content_type = false;
  bool has_user_agent = false;
  // One pass over the client's headers, one case-folding compare per name.
  for (const auto& [name, value] : request.headers) {
    for (const char* forwarded : kForwardedHeaders) {
      if (!absl::EqualsIgnoreCase(name, forwarded)) continue;
      headers.emplace_back(forwarded, value);
      has_content_type = has_content_type || forwarded == kForwardedHeaders[0];
      has_user_agent = has_user_agent || forwarded == kForwardedHeaders[2];
      break;
    }
  }
  if (request.method == "POST" && !has_content_type) headers.emplace_back("Content-Type", "application/json");
  if (!has_user_agent) headers.emplace_back("User-Agent", "gempool-gateway");
  headers.emplace_back("Accept-Encoding", "identity");
  return headers;
}

}  // namespace gempool::gateway
