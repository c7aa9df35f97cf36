#include "gempool/keypool/key_pools.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gempool::keypool {

KeyPools::KeyPools(KeyPoolOptions options, const Clock& clock, DailyQuotaReset daily_reset) {
  for (Pool pool : kAllPools) {
    KeyPoolOptions own = options;
    own.pool = pool;
    pools_[Index(pool)] = std::make_unique<KeyPool>(own, clock, daily_reset);
  }
}

KeyPool* KeyPools::Find(int64_t key_id) {
  for (auto& pool : pools_) {
    if (pool->Contains(key_id)) return pool.get();
  }
  return nullptr;
}

absl::StatusOr<std::array<std::vector<int64_t>, 2>> KeyPools::SplitByPool(const std::vector<int64_t>& ids) const {
  std::array<std::vector<int64_t>, 2> split;
  std::vector<int64_t> unknown;
  for (int64_t id : ids) {
    bool found = false;
    for (size_t i = 0; i < pools_.size() && !found; ++i) {
      if (pools_[i]->Contains(id)) {
        split[i].push_back(id);
        found = true;
      }
    }
    if (!found) unknown.push_back(id);
  }
  if (!unknown.empty()) {
    std::sort(unknown.begin(), unknown.end());
    unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
    return absl::NotFoundError(absl::StrCat(unknown.size() == 1 ? "no key with id " : "no keys with ids ",
                                            absl::StrJoin(unknown, ", "),
                                            " in the pool: see the ids with `gempoolctl keys list`"));
  }
  return split;
}

size_t KeyPools::size() const {
  size_t total = 0;
  for (const auto& pool : pools_) total += pool->size();
  return total;
}

void KeyPools::SetMaxFailures(int max_failures) {
  for (auto& pool : pools_) pool->SetMaxFailures(max_failures);
}

}  // namespace gempool::keypool
