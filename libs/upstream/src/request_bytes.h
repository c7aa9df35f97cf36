#pragma once
// Serialises an UpstreamRequest into the bytes of one HTTP/1.1 request, so a
// call writes head and body with one buffer (no Nagle pause between them)
// and the tests can check the exact wire form. Stateless; thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/upstream/upstream_client.h"

namespace gempool::upstream {

// The request line (origin-form, the path exactly as given; absolute-form
// with Proxy-Authorization when `http_proxy` is set: a plain-http upstream
// reached through an HTTP proxy), Host, the caller's headers, Content-Length
// (when there is a body, and always for POST), then the body; with a
// body_source, the head only, with Content-Length = its size(). Host,
// Content-Length and Transfer-Encoding given by the caller are dropped: they
// are this function's to write. kInvalidArgument for a method, path or header
// that would break the framing (CR, LF, spaces where they cannot be).
absl::StatusOr<std::string> BuildRequestBytes(const UpstreamRequest& request, const gemini::BaseUrl& target,
                                              const gemini::ProxyUrl* http_proxy);

}  // namespace gempool::upstream
