#pragma once
// The request log row of one client call: started when the request arrives
// (time, client token id), completed with what the handler learned (model,
// operation) and how it ended. Shared by every route, native and OpenAI.
// Plain data; thread-compatible.

#include <cstdint>
#include <optional>
#include <string>

#include "gempool/common/clock.h"
#include "gempool/gemini/usage_metadata.h"
#include "logs/request_log_writer.h"

namespace gempool::gateway {

struct RequestLogRow {
  int64_t received_unix_ms = 0;
  int64_t received_ms = 0;  // Monotonic.
  std::string token_id;
  std::string model;
  std::string operation;
  // The request id answered in x-request-id (request_id.h); Start() takes
  // the thread's current one (the server opens a ScopedRequestId per request).
  std::string request_id;
  // Tokens the call used, from the upstream's usageMetadata.
  v1::TokenUsage usage;
  // Time spent waiting on the upstream (RequestLogEntry.upstream_ms).
  int64_t upstream_ms = 0;

  static RequestLogRow Start(const Clock& clock, const std::string& token);

  // Sets `usage` from the upstream's counts (zeros when it sent none).
  void SetUsage(const std::optional<gemini::TokenCounts>& counts);

  // Adds the row to `logs` with the latency up to now.
  void Write(RequestLogWriter& logs, const Clock& clock, int status, int attempts, int64_t key_id,
             bool stream) const;
};

}  // namespace gempool::gateway
