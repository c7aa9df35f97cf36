#pragma once
// Serves a streamed answer (native streamGenerateContent, OpenAI chat with
// "stream": true, the OpenAI passthrough): starts the stream job with the
// exchange's StreamResponse as its sink, hands the job's forward to the
// stream (so a client that leaves cancels it), and writes the request log
// row when the job is done. Thread-safe.

#include <memory>

#include "gempool/common/clock.h"
#include "http/client_call.h"
#include "http/connection.h"
#include "logs/request_log_row.h"
#include "logs/request_log_writer.h"

namespace gempool::gateway {

// `hold` is kept until the stream ends (the server's in-flight count).
void ServeStream(const std::shared_ptr<Exchange>& exchange, const StreamJob& job, RequestLogRow row,
                 RequestLogWriter& logs, const Clock& clock, std::shared_ptr<void> hold);

}  // namespace gempool::gateway
