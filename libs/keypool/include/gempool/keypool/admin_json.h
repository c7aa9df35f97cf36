#pragma once
// KeyAdmin replies as JSON, the one shape the admin API and gempoolctl both
// print, fields in this order. Pure; thread-safe.

#include <nlohmann/json.hpp>

#include "gempool/v1/keybroker.pb.h"
#include "gempool/v1/persistence.pb.h"

namespace gempool::keypool {

// {"requests", "failures", "prompt_tokens", "candidates_tokens",
// "thoughts_tokens", "cached_tokens", "tool_use_prompt_tokens",
// "total_tokens"}.
nlohmann::ordered_json UsageCountJson(const v1::UsageCount& count);

// {"proxy", "alive", "checked_at_ms", "latency_ms", "error"}.
nlohmann::ordered_json ProxyHealthJson(const v1::ProxyHealth& proxy);

}  // namespace gempool::keypool
