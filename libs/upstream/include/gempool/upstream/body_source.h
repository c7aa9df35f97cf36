#pragma once
// A request body that is sent upstream while it still arrives: a Files API
// upload chunk read from the client's connection as the upstream call writes
// it, so a gateway never holds a whole upload (up to 2 GB at Google) in
// memory. The HTTP layer produces one for routes that ask for it
// (ApiRoute::stream_request_body); UpstreamRequest::body_source consumes it.
// Back-pressure is the pull itself: the next piece is read from the client's
// socket only when the upstream side asks for it.
//
// Threads: Read and Cancel may be called from any thread; `on_data` runs on
// the producer's executor (never inside Read). One Read at a time.

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::upstream {

class BodySource {
 public:
  virtual ~BodySource() = default;

  // The body's length in bytes (the client's Content-Length); the upstream
  // request is sent with this Content-Length.
  virtual uint64_t size() const = 0;

  // Asks for the next piece. `on_data` runs once, with:
  //  - the next bytes (non-empty; valid until the next Read or Cancel),
  //  - an empty view once all size() bytes were delivered,
  //  - or an error: the client went away or was too slow (REQUEST_BODY_TIMEOUT).
  using OnData = std::function<void(absl::StatusOr<absl::string_view>)>;
  virtual void Read(OnData on_data) = 0;

  // The consumer gives up (the upstream call failed or ended early): the
  // producer stops reading and deals with the rest of the body (the client
  // connection is closed after the answer, as it cannot be reused).
  virtual void Cancel() = 0;
};

}  // namespace gempool::upstream
