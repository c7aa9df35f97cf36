#pragma once
// The durable picture of one pool key: what the key pool restores from the
// database at start-up, hands to the persistence writer after a change, and
// shows to admins. A plain value type (the gRPC layer converts it to and from
// gempool.v1.KeyRecord), so the pool policy stays free of gRPC.
// Thread-compatible values.

#include <cstdint>
#include <string>
#include <vector>

namespace gempool::keypool {

// Where a key stands. Mirrors gempool.v1.KeyState.
enum class KeyState {
  // Handed out.
  kActive,
  // Rate-limited for every model until `cooling_until_ms`.
  kCooling,
  // Recent transient failures, still handed out.
  kFailing,
  // Not handed out: the key is dead or reached max_failures.
  kDisabled,
  // Not handed out: an admin paused it.
  kPaused,
};

// "active", "cooling", "failing", "disabled", "paused".
const char* KeyStateName(KeyState state);

// Which upstream API a key belongs to. Mirrors gempool.v1.Pool. Each pool is
// a KeyPool of its own (rotation, states and cooldowns apart); key ids are
// unique across pools (persistence assigns them).
enum class Pool {
  // Gemini API (AI Studio) keys: API_KEYS, BASE_URL.
  kGemini,
  // Vertex AI Express keys: VERTEX_API_KEYS, VERTEX_EXPRESS_BASE_URL.
  kVertex,
};
inline constexpr Pool kAllPools[] = {Pool::kGemini, Pool::kVertex};

// "gemini", "vertex".
const char* PoolName(Pool pool);

// A key rate-limited for one model until a time.
struct ModelCooldown {
  std::string model;
  int64_t until_ms = 0;
  std::string reason;

  bool operator==(const ModelCooldown& other) const {
    return model == other.model && until_ms == other.until_ms && reason == other.reason;
  }
};

// A snapshot of one key. Field meanings follow gempool.v1.KeyRecord.
struct KeyInfo {
  int64_t id = 0;
  std::string secret;
  KeyState state = KeyState::kActive;
  // Transient failures counted in the sliding window (for a disabled key: the
  // count it was disabled with).
  int failure_count = 0;
  std::string state_reason;
  // Last upstream error message, keys redacted.
  std::string last_error;
  // For kCooling: Unix ms at which the key is usable again for every model.
  int64_t cooling_until_ms = 0;
  // Per-model cooldowns in force, sorted by model.
  std::vector<ModelCooldown> model_cooldowns;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  int64_t last_used_at_ms = 0;
  // For kPaused: the state underneath the pause, which Resume restores. Only
  // kDisabled is kept as such when a key is restored; the other states are
  // worked out again from the cooldowns and failures, as is kActive, which
  // also stands for "not known" (keys stored before this was).
  KeyState underlying_state = KeyState::kActive;
  // The pool the key belongs to (a KeyPool fills it in from its options).
  Pool pool = Pool::kGemini;
};

}  // namespace gempool::keypool
