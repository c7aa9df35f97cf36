#pragma once
// Which of a client's request headers go upstream with its call. Everything
// else stays at the gateway: credentials (x-goog-api-key, Authorization: the
// pool key replaces them), hop-by-hop headers, Host, Content-Length
// (recomputed), Accept-Encoding (bodies are relayed byte for byte, so the
// gateway asks for identity). Pure; thread-compatible.

#include "http/http_message.h"

namespace gempool::gateway {

// The forwarded headers of `request`, plus Content-Type for a POST without
// one, a User-Agent when the client sent none, and Accept-Encoding: identity.
HeaderList UpstreamHeaders(const HttpRequest& request);

}  // namespace gempool::gateway
