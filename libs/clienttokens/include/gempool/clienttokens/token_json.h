#pragma once
// A managed client token as JSON, the one shape the admin API and gempoolctl
// print: never a secret (tokens carry only its hash, left out here too).
// Pure; thread-safe.

#include <cstdint>

#include <nlohmann/json.hpp>

#include "gempool/v1/types.pb.h"

namespace gempool::clienttokens {

// {"id", "name", "token_id", "secret_prefix", "created_at_ms",
// "updated_at_ms", "expires_at_ms", "expired" (at `now_ms`), "disabled",
// "limits": {"requests_per_minute", "tokens_per_day", "allowed_models"}}.
nlohmann::json ClientTokenJson(const v1::ClientToken& token, int64_t now_ms);

}  // namespace gempool::clienttokens
