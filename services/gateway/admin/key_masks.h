#pragma once
// Masked keys for the key ids that log rows and statistics carry: the broker
// exports the secrets of those ids and only their masked form leaves the
// gateway. Ids of keys removed since (or 0 and the paid key's -1) get no
// mask. Thread-safe (the backend is).

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "admin/admin_backend.h"

namespace gempool::gateway::admin {

// id → masked key, for the ids still in the pool. Never fails: a broker that
// cannot answer just leaves the ids unmasked.
std::map<int64_t, std::string> MaskedKeys(AdminBackend& backend, const std::set<int64_t>& ids);

}  // namespace gempool::gateway::admin
