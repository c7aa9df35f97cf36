#include "files/upload_chunk_relay.h"

#include "files/files_forward.h"
#include "files/upload_headers.h"
#include "files/upload_urls.h"
#include "gempool/common/secrets.h"
#include "upstream/buffered_sink.h"

namespace gempool::gateway {

UploadChunkRelay::Result UploadChunkRelay::Relay(const v1::UploadSession& session, const ClientCall& call) const {
  Result out;
  absl::StatusOr<gemini::UpstreamTarget> target = UpstreamTargetOf(session.upstream_url());
  if (!target.ok()) {
    out.forward.failure = ErrorReply(absl::InternalError(target.status().message()));
    return out;
  }
  ForwardRequest request = FilesForwardRequest(call.method, *std::move(target), "files.upload");
  request.body = call.body;
  // The route streams its body (files_routes.cc): the chunk goes on as it
  // arrives, in one attempt (forwarder.h).
  request.body_source = call.body_source;
  request.headers = UploadRequestHeaders(call);
  request.pinned_key_id = session.key_id();
  request.client_token_id = TokenId(call.auth.token);
  request.settings = call.settings;
  BufferedSink sink;
  out.forward = forwarder_.Forward(request, sink);
  if (out.forward.outcome == ForwardResult::Outcome::kSuccess) out.body = std::move(sink.body());
  return out;
}

}  // namespace gempool::gateway
