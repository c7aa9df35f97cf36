#pragma once
// The Gemini native API (/v1beta/..., /v1/..., /v1alpha/... and the same under
// /gemini/): the client's call goes upstream as it came, byte for byte, with
// a pool key in place of the client's token, through the Forwarder's attempt
// loop. Whole answers are buffered (so a response that breaks half-way is
// retried with another key); streamGenerateContent is relayed as it arrives.
// Runs entirely on the event loop: no thread waits for Google. Thread-safe.

#include <memory>

#include "gempool/common/clock.h"
#include "gempool/gemini/client_auth.h"
#include "gempool/gemini/upstream_url.h"
#include "http/connection.h"
#include "live_settings.h"
#include "logs/request_log_writer.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {

class NativeHandler {
 public:
  // `live` (optional): BASE_URL as changed in the admin UI, else `base_url`.
  // Everything must outlive the handler.
  NativeHandler(gemini::BaseUrl base_url, const LiveSettingsHolder* live, Forwarder& forwarder,
                RequestLogWriter& logs, const Clock& clock);

  // Answers `exchange` (event-loop thread; does not block). `hold` is kept
  // until the answer is complete.
  void Serve(const std::shared_ptr<Exchange>& exchange, const gemini::ClientAuth& auth, std::shared_ptr<void> hold);

 private:
  const gemini::BaseUrl base_url_;
  const LiveSettingsHolder* const live_;
  Forwarder& forwarder_;
  RequestLogWriter& logs_;
  const Clock& clock_;
};

}  // namespace gempool::gateway
