#pragma once
// KeyAdmin replies as JSON, the one shape the admin API and gempoolctl both
// print, fields in this order. Pure; thread-safe.

#include <nlohmann/json.hpp>

#include "gempool/v1/keybroker.pb.h"
#include "gempool/v1/persistence.pb.h"

namespace gempool::keypool {

// A key is "masked" where the object is the key itself (these), and
// "key_id" + "key" where a row about something else names its key (log rows,
// usage groups).
//
// A key as the admin API and gempoolctl list it: {"id", "masked" (AIzaSy...wxyz, never the
// secret), "state", "failure_count", "state_reason", "last_error",
// "cooling_until_ms", "model_cooldowns": [{"model", "until_ms", "reason"}],
// "last_used_at_ms", "created_at_ms", "pool" ("gemini" or "vertex")}.
nlohmann::ordered_json KeyViewJson(const v1::KeyView& key);

// One key's calls and failures with one model: {"model", "calls_1h",
// "calls_24h", "calls_30d", "failures_1h", "failures_24h", "failures_30d"}.
nlohmann::ordered_json ModelUsageJson(const v1::ModelUsage& usage);

// One key's verification: {"id", "masked", "passed", "state", "http_status",
// "message"}.
nlohmann::ordered_json KeyVerificationJson(const v1::KeyVerification& verification);

// A request log row: {"id", "time_ms", "request_id", "key_id", "model",
// "operation", "status_code", "latency_ms", "attempts", "stream",
// "client_token_id"}. (The masked "key" is the caller's to add: it takes
// another call to look up.)
nlohmann::ordered_json RequestLogEntryJson(const v1::RequestLogEntry& entry);

// An error log row: the request log's first seven fields, then
// "error_type", "message", "request_body", "request_body_bytes" (the whole
// body's size in bytes) and "request_body_truncated" (true when
// "request_body" is only the body's first bytes, as in a page of rows; the
// row asked for by its id carries the whole body).
nlohmann::ordered_json ErrorLogEntryJson(const v1::ErrorLogEntry& entry);

// {"requests", "failures", "prompt_tokens", "candidates_tokens",
// "thoughts_tokens", "cached_tokens", "tool_use_prompt_tokens",
// "total_tokens"}.
nlohmann::ordered_json UsageCountJson(const v1::UsageCount& count);

// {"proxy", "alive", "checked_at_ms", "latency_ms", "error"}.
nlohmann::ordered_json ProxyHealthJson(const v1::ProxyHealth& proxy);

}  // namespace gempool::keypool
