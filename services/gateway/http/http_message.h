#pragma once
// One client request as the gateway's handlers see it, and the complete
// answer they give back: plain data, no HTTP library types. The wire format
// of answers (status line, headers, chunk frames) is built here too, so the
// connection only moves bytes. Thread-compatible.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "gempool/upstream/body_source.h"
#include "http/http_status.h"
#include "upstream/upstream_client.h"

namespace gempool::gateway {

struct HttpRequest {
  std::string method;     // As sent: "GET", "POST", "HEAD", ...
  std::string target;     // Request target as sent (path and query).
  std::string path;       // Percent-decoded, without the query.
  std::string raw_path;   // As sent (percent-escapes kept).
  std::string raw_query;  // As sent, without '?'.
  HeaderList headers;     // Names as sent, in order.
  std::string body;       // Empty when body_source is set.
  // For a route that streams its request body (ApiRoute::
  // stream_request_body): the body as it arrives, pulled by the handler
  // (connection.h says how); null otherwise.
  std::shared_ptr<upstream::BodySource> body_source;
  std::string remote_addr;
  int version = 11;       // 10 or 11.
  // The request's id (gempool/common/request_id.h): the client's
  // x-request-id when sane, else a new one. The connection answers it in
  // x-request-id on every response to this request.
  std::string request_id;

  // The first header named `name` (any case).
  std::optional<std::string> Header(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // Content-Type among them; never Content-Length or Connection.
  std::string body;
};

// The complete answer for `reply` (Content-Type, Retry-After).
HttpResponse ToResponse(const HttpReply& reply);

// The status line and headers of an answer. `content_length` nullopt: the
// body follows in chunks (HTTP/1.1) or until the connection closes (HTTP/1.0).
std::string ResponseHead(int status, const HeaderList& headers, std::optional<size_t> content_length,
                         bool keep_alive, int version);

// A whole answer the HTTP layer gives on its own (a refused request or
// connection): Google's error body for `status`, then the connection closes.
std::string RefusalBytes(int status, absl::string_view message, const HeaderList& extra_headers = {},
                         int version = 11);
// The same with a body of the caller's (the refused request's API dialect).
std::string RefusalBytes(const HttpReply& reply, int version, const HeaderList& extra_headers = {});

// Adds `value` to the header `name` (any case): "; "-joined to the first one
// in `headers`, or as a new header. For the list-valued headers gempool
// writes itself (x-gempool-warnings), which must stay one header.
void AppendHeaderValue(HeaderList& headers, absl::string_view name, absl::string_view value);

// Notes on what gempool changed or ignored in a request ("; "-joined,
// printable ASCII).
inline constexpr char kWarningsHeader[] = "x-gempool-warnings";

// One chunk of a chunked body (empty `data` is not allowed: that is the end).
std::string ChunkFrame(absl::string_view data);
// The last chunk of a chunked body.
inline constexpr absl::string_view kLastChunk = "0\r\n\r\n";

}  // namespace gempool::gateway
