#pragma once
// The Gemini native API (/v1beta/..., /v1/..., /v1alpha/... and the same under
// /gemini/): the client's call goes upstream as it came, byte for byte, with
// a pool key in place of the client's token, through the Forwarder's attempt
// loop. Whole answers are buffered (so a response that breaks half-way is
// retried with another key); streamGenerateContent is relayed as it arrives.
// The gateway's model options apply as on the OpenAI routes
// (native_options.h): derived models are listed (GET .../models) and
// resolved, FILTERED_MODELS hidden and refused, generate bodies get
// SAFETY_SETTINGS, thinking and tool defaults; a body they do not change
// goes out byte for byte. With FAKE_STREAM_ENABLED a streamGenerateContent
// is one generateContent with heartbeats meanwhile (native_fake_stream.h).
// Runs entirely on the event loop: no thread waits for Google. Thread-safe.

#include <memory>

#include "gempool/common/clock.h"
#include "gempool/gemini/client_auth.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/openai/options.h"
#include "http/connection.h"
#include "live_settings.h"
#include "logs/request_log_writer.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class NativeHandler {
 public:
  // Everything must outlive the handler.
  NativeHandler(Forwarder& forwarder, RequestLogWriter& logs, const Clock& clock);

  // Answers `exchange` (event-loop thread; does not block) with `settings`,
  // the request's snapshot: BASE_URL, FAKE_STREAM_* and the model options
  // (those of the OpenAI routes). `hold` is kept until the answer is
  // complete.
  void Serve(const std::shared_ptr<Exchange>& exchange, const gemini::ClientAuth& auth,
             std::shared_ptr<const LiveSettings> settings, std::shared_ptr<void> hold);

 private:
  Forwarder& forwarder_;
  RequestLogWriter& logs_;
  const Clock& clock_;
};

}  // namespace gempool::gateway
