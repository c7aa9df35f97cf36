#include "logs/request_log_row.h"

#include <utility>

#include "gempool/common/request_scope.h"
#include "gempool/common/secrets.h"

namespace gempool::gateway {

RequestLogRow RequestLogRow::Start(const Clock& clock, const std::string& token) {
  RequestLogRow row;
  row.received_unix_ms = clock.NowUnixMs();
  row.received_ms = clock.MonotonicMs();
  row.token_id = TokenId(token);
  row.request_id = CurrentRequestId();
  return row;
}

void RequestLogRow::SetUsage(const std::optional<gemini::TokenCounts>& counts) {
  usage.Clear();
  if (!counts.has_value()) return;
  usage.set_prompt_tokens(counts->prompt);
  usage.set_candidates_tokens(counts->candidates);
  usage.set_thoughts_tokens(counts->thoughts);
  usage.set_cached_tokens(counts->cached);
  usage.set_tool_use_prompt_tokens(counts->tool_use_prompt);
  usage.set_total_tokens(counts->total);
}

void RequestLogRow::Write(RequestLogWriter& logs, const Clock& clock, int status, int attempts, int64_t key_id,
                          bool stream) const {
  v1::RequestLogEntry entry;
  entry.set_time_ms(received_unix_ms);
  entry.set_client_token_id(token_id);
  entry.set_model(model);
  entry.set_operation(operation);
  entry.set_key_id(key_id);
  entry.set_status_code(status);
  entry.set_latency_ms(clock.MonotonicMs() - received_ms);
  entry.set_attempts(attempts);
  entry.set_stream(stream);
  entry.set_request_id(request_id);
  *entry.mutable_usage() = usage;
  entry.set_upstream_ms(upstream_ms);
  logs.Add(std::move(entry));
}

}  // namespace gempool::gateway
