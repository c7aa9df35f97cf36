#pragma once
// The key pools of one process, one KeyPool per Pool (Gemini API keys,
// Vertex AI Express keys), each with its own rotation, states and cooldowns.
// Key ids are unique across pools (persistence assigns them), so what is
// done to a key by id (outcome reports, admin actions, probes) finds it in
// whichever pool holds it.
//
// Thread-safe: the pools are; the set of pools is fixed at construction.

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/common/clock.h"
#include "gempool/keypool/key_pool.h"

namespace gempool::keypool {

class KeyPools {
 public:
  // Every pool gets `options` with its own KeyPoolOptions::pool.
  KeyPools(KeyPoolOptions options, const Clock& clock, DailyQuotaReset daily_reset = DailyQuotaReset::Load());
  KeyPools(const KeyPools&) = delete;
  KeyPools& operator=(const KeyPools&) = delete;

  KeyPool& Get(Pool pool) { return *pools_[Index(pool)]; }
  const KeyPool& Get(Pool pool) const { return *pools_[Index(pool)]; }

  // The pool holding key `key_id`; null when none does.
  KeyPool* Find(int64_t key_id);

  // Splits `ids` by the pool holding each; NotFound naming every id no pool
  // holds (as KeyPool::Resolve words it). The result is indexed by Pool.
  absl::StatusOr<std::array<std::vector<int64_t>, 2>> SplitByPool(const std::vector<int64_t>& ids) const;

  // Keys in all pools.
  size_t size() const;
  // MAX_FAILURES for every pool.
  void SetMaxFailures(int max_failures);

 private:
  static size_t Index(Pool pool) { return pool == Pool::kVertex ? 1 : 0; }

  std::array<std::unique_ptr<KeyPool>, 2> pools_;
};

}  // namespace gempool::keypool
