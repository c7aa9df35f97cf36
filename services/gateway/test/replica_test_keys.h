#pragma once
// The key records the replica tests feed (key_pool_replica_test.cc over
// gRPC, replica_feed_test.cc without a server).

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "gempool/v1/keybroker.pb.h"

namespace gempool::gateway {

// A pool key as WatchKeys sends it: `id`, a Google-shaped secret, `state`.
inline v1::KeyRecord ReplicaKey(int64_t id, v1::KeyState state = v1::KEY_STATE_ACTIVE) {
  v1::KeyRecord record;
  record.set_id(id);
  record.set_secret(absl::StrCat("AIzaSyReplica", id, "xxxxxxxxxxxxxxxxxxxxxxxx"));
  record.set_state(state);
  return record;
}

}  // namespace gempool::gateway
