#pragma once
// The one place the gateway turns an absl::Status into an HTTP answer:
// the status code, and a Google-shaped error body so Gemini SDKs report
// gempool's own errors (bad token, broker down, no key) like Google's.

#include <string>

#include "absl/status/status.h"
#include "gempool/common/http_status.h"

namespace gempool::gateway {

// A complete HTTP answer the gateway builds or relays. Plain data.
struct HttpReply {
  int status = 200;
  std::string content_type;
  std::string body;
  // Retry-After header value in seconds; empty when none.
  std::string retry_after;
};


// A Gemini-shaped JSON reply for a non-OK `status`:
// {"error":{"code":<http>,"message":<status.message()>,"status":"UNAVAILABLE"}}.
HttpReply ErrorReply(const absl::Status& status);

}  // namespace gempool::gateway
