#pragma once
// The pool's keys as the admin API reads them: every key a filter matches
// (ListAllKeys), and masked keys for the key ids that log rows and
// statistics carry: the broker exports the secrets of those ids and only
// their masked form leaves the gateway. Ids of keys removed since (or 0 and
// the paid key's -1) get no mask. Thread-safe (the backend is).

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "admin/admin_backend.h"

namespace gempool::gateway::admin {

// id → masked key, for the ids still in the pool. Never fails: a broker that
// cannot answer just leaves the ids unmasked.
std::map<int64_t, std::string> MaskedKeys(AdminBackend& backend, const std::set<int64_t>& ids);

// Every key `filter` (its pool, states, search, model) matches, in the
// broker's order: ListKeys pages of the broker's largest page size (limit
// and offset of `filter` are ignored). The broker's error as is.
absl::StatusOr<std::vector<v1::KeyView>> ListAllKeys(AdminBackend& backend, v1::ListKeysRequest filter);

}  // namespace gempool::gateway::admin
