#include "http/stream_serving.h"

#include <utility>

#include "absl/status/status.h"
#include "gempool/common/logging.h"

namespace gempool::gateway {

void ServeStream(const std::shared_ptr<Exchange>& exchange, const StreamJob& job, RequestLogRow row,
                 RequestLogWriter& logs, const Clock& clock, std::shared_ptr<void> hold) {
  std::shared_ptr<StreamResponse> stream = exchange->StartStream();
  auto done = [stream, row = std::move(row), &logs, &clock, hold = std::move(hold)](ForwardResult result) mutable {
    stream->Finish(result);
    row.upstream_ms = result.upstream_ms;
    row.SetUsage(result.usage);
    row.Write(logs, clock, result.ClientStatus(), result.attempts, result.key_id, /*stream=*/true);
  };
  std::shared_ptr<ForwardCall> call;
  try {
    call = job(*stream, std::move(done));
  } catch (const std::exception& e) {
    GEMPOOL_LOG(ERROR) << "internal error starting a stream: " << e.what();
    ForwardResult failed;
    failed.failure = ErrorReply(absl::InternalError("internal gempool gateway error; the gateway log has the details"));
    stream->Finish(failed);
    return;
  }
  stream->SetCall(std::move(call));
}

}  // namespace gempool::gateway
