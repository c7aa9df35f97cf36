#pragma once
// The one upstream call of an upload chunk (X-Goog-Upload-Command: upload,
// "upload, finalize", finalize or query) of a resumable upload: relayed to
// Google's upload URL of the session, on the session's key (pinned: Google
// ties an upload to the key that started it), through the Forwarder so the
// key's cooldowns, the request log and the error log apply as to any call.
//
// The chunk is streamed: the upload route has ApiRoute::stream_request_body,
// so ClientCall::body_source goes upstream as ForwardRequest::body_source,
// read from the client as it is sent (never held whole; up to
// MAX_REQUEST_BODY_MB), in a single attempt (its bytes cannot be pulled
// twice). Google's answer is small (headers, and the File JSON on
// finalize), so it is buffered.
//
// Thread-safe; Relay blocks (a worker thread).

#include <string>

#include "gempool/v1/persistence.pb.h"
#include "http/client_call.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class UploadChunkRelay {
 public:
  struct Result {
    ForwardResult forward;
    std::string body;  // Google's 2xx body (forward.outcome kSuccess).
  };

  // `forwarder` must outlive the relay.
  explicit UploadChunkRelay(Forwarder& forwarder) : forwarder_(forwarder) {}

  // Sends `call`'s chunk to `session`'s upstream URL with its key.
  Result Relay(const v1::UploadSession& session, const ClientCall& call) const;

 private:
  Forwarder& forwarder_;
};

}  // namespace gempool::gateway
