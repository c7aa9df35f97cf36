#pragma once
// Screens a raw HTTP/1.1 request head before Beast's parser reads it, for
// what that parser lets through but a server on the open internet must refuse:
// more than `max_headers` header fields (431; a client gets nothing from
// hundreds of headers but our memory and CPU), obs-fold continuation lines,
// a Content-Length sent twice, Content-Length together with
// Transfer-Encoding, a Transfer-Encoding other than a single "chunked", and
// whitespace before a field's colon. The last four are the request-smuggling
// vectors (RFC 9112 §6.3, §5.1, §5.2): a proxy in front of the gateway and
// the gateway must never disagree on where a request ends. Pure functions;
// thread-compatible.

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace gempool::gateway {

// Where the head ends in `data`: the offset just past the empty line (CRLF
// CRLF), or npos while it is incomplete. Empty lines before the request line
// (RFC 9112 §2.2 lets a server skip them) are counted as part of the head.
size_t FindRequestHeadEnd(absl::string_view data);

// How many bytes of `data` are empty lines (CRLF) before a request line.
size_t LeadingEmptyLines(absl::string_view data);

struct HeadRefusal {
  int status = 400;     // 400, 431 or 501.
  std::string message;  // For the client: what was wrong and what to send.
};

// `head` is a complete head as FindRequestHeadEnd delimited it (leading empty
// lines already skipped). nullopt when it may go to the parser.
std::optional<HeadRefusal> CheckRequestHead(absl::string_view head, size_t max_headers);

}  // namespace gempool::gateway
