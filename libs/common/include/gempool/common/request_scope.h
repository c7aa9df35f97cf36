#pragma once
// The request id of the work the calling thread is doing now, for code far
// from the request that should still name it: log lines (logging.h adds it
// to every line written while a scope is open) and internal gRPC calls
// (rpc::SetDeadline sends it as `x-request-id` metadata).
//
//   ScopedRequestId scope(request_id);  // Until the end of this block.
//
// Thread-local: a scope covers only what runs on this thread while it is
// open; work handed to another thread opens its own scope. Scopes nest (the
// inner one wins until it closes).

#include <string>

#include "absl/strings/string_view.h"

namespace gempool {

// The innermost open scope's id on this thread; empty when none.
const std::string& CurrentRequestId();

class ScopedRequestId {
 public:
  explicit ScopedRequestId(absl::string_view request_id);
  ~ScopedRequestId();
  ScopedRequestId(const ScopedRequestId&) = delete;
  ScopedRequestId& operator=(const ScopedRequestId&) = delete;

 private:
  std::string previous_;
};

}  // namespace gempool
