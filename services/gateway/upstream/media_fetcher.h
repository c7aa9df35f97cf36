#pragma once
// Fetches the http(s) image URLs that OpenAI clients put in chat messages,
// so they can be sent to Gemini inline. Client-supplied URLs must not turn
// the gateway into a proxy into its own network: the host is resolved and
// every address it resolves to must be public (address_policy.h), the
// connection goes to an address that was checked (no second lookup a DNS
// rebind could change), redirects are followed by hand and checked the same
// way, and the download is capped in size and time. Refusals and failures are
// InvalidArgument errors naming the request field, for a 400. Thread-safe.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::gateway {

class MediaFetcher {
 public:
  struct Options {
    size_t max_bytes = 20u << 20;  // Per URL.
    // The longest a whole download (redirects included) may take, whatever
    // the request's TIME_OUT.
    int timeout_seconds = 30;
    int max_redirects = 3;
    // MEDIA_FETCH_ALLOW_PRIVATE: also fetch from loopback, private and
    // link-local addresses. Unsafe outside tests.
    bool allow_private = false;
    std::string ca_cert_file = "/etc/ssl/certs/ca-certificates.crt";
  };

  struct Media {
    std::string content_type;  // The response's Content-Type ("" if none).
    std::string bytes;
  };

  explicit MediaFetcher(Options options) : options_(std::move(options)) {}

  // Downloads `url`; `field` names it in error messages
  // ("messages[0].content[1].image_url.url"). The whole download may take
  // `time_out_seconds` (the request's TIME_OUT), at most
  // Options::timeout_seconds.
  absl::StatusOr<Media> Fetch(absl::string_view url, absl::string_view field, int time_out_seconds) const;

  const Options& options() const { return options_; }

 private:
  const Options options_;
};

}  // namespace gempool::gateway
