#include "gempool/keypool/admin_json.h"

#include <algorithm>
#include <cstdint>

#include "gempool/keypool/key_info.h"
#include "gempool/keypool/proto_convert.h"

namespace gempool::keypool {

nlohmann::ordered_json KeyViewJson(const v1::KeyView& key) {
  nlohmann::ordered_json cooldowns = nlohmann::ordered_json::array();
  for (const v1::ModelCooldown& c : key.model_cooldowns()) {
    cooldowns.push_back({{"model", c.model()}, {"until_ms", c.until_ms()}, {"reason", c.reason()}});
  }
  return {{"id", key.id()},
          {"masked", key.masked()},
          {"state", KeyStateName(key.state())},
          {"failure_count", key.failure_count()},
          {"state_reason", key.state_reason()},
          {"last_error", key.last_error()},
          {"cooling_until_ms", key.cooling_until_ms()},
          {"model_cooldowns", cooldowns},
          {"last_used_at_ms", key.last_used_at_ms()},
          {"created_at_ms", key.created_at_ms()},
          {"pool", PoolName(FromProto(key.pool()))}};
}

nlohmann::ordered_json ModelUsageJson(const v1::ModelUsage& usage) {
  return {{"model", usage.model()},
          {"calls_1h", usage.calls_1h()},
          {"calls_24h", usage.calls_24h()},
          {"calls_30d", usage.calls_30d()},
          {"failures_1h", usage.failures_1h()},
          {"failures_24h", usage.failures_24h()},
          {"failures_30d", usage.failures_30d()}};
}

nlohmann::ordered_json KeyVerificationJson(const v1::KeyVerification& verification) {
  return {{"id", verification.id()},
          {"masked", verification.masked()},
          {"passed", verification.passed()},
          {"state", KeyStateName(verification.state())},
          {"http_status", verification.http_status()},
          {"message", verification.message()}};
}

namespace {

// The fields both logs' rows have.
template <typename Entry>
nlohmann::ordered_json LogEntryJson(const Entry& e) {
  return {{"id", e.id()},
          {"time_ms", e.time_ms()},
          {"request_id", e.request_id()},
          {"key_id", e.key_id()},
          {"model", e.model()},
          {"operation", e.operation()},
          {"status_code", e.status_code()}};
}

}  // namespace

nlohmann::ordered_json RequestLogEntryJson(const v1::RequestLogEntry& entry) {
  nlohmann::ordered_json json = LogEntryJson(entry);
  json["latency_ms"] = entry.latency_ms();
  json["attempts"] = entry.attempts();
  json["stream"] = entry.stream();
  json["client_token_id"] = entry.client_token_id();
  return json;
}

nlohmann::ordered_json ErrorLogEntryJson(const v1::ErrorLogEntry& entry) {
  nlohmann::ordered_json json = LogEntryJson(entry);
  json["error_type"] = entry.error_type();
  json["message"] = entry.message();
  json["request_body"] = entry.request_body();
  // request_body_bytes is 0 from a persistence that predates it, which sent
  // the whole body: the body's own size then.
  const int64_t shown = static_cast<int64_t>(entry.request_body().size());
  const int64_t whole = std::max(entry.request_body_bytes(), shown);
  json["request_body_bytes"] = whole;
  json["request_body_truncated"] = whole > shown;
  return json;
}

nlohmann::ordered_json UsageCountJson(const v1::UsageCount& count) {
  const v1::TokenUsage& u = count.usage();
  return {{"requests", count.requests()},
          {"failures", count.failures()},
          {"prompt_tokens", u.prompt_tokens()},
          {"candidates_tokens", u.candidates_tokens()},
          {"thoughts_tokens", u.thoughts_tokens()},
          {"cached_tokens", u.cached_tokens()},
          {"tool_use_prompt_tokens", u.tool_use_prompt_tokens()},
          {"total_tokens", u.total_tokens()}};
}

nlohmann::ordered_json ProxyHealthJson(const v1::ProxyHealth& proxy) {
  return {{"proxy", proxy.proxy()},
          {"alive", proxy.alive()},
          {"checked_at_ms", proxy.checked_at_ms()},
          {"latency_ms", proxy.latency_ms()},
          {"error", proxy.error()}};
}

}  // namespace gempool::keypool
