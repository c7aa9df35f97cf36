#pragma once
// Which pool key a call must go out on because it refers to something only
// that key can see: Google binds an uploaded file (files/<id>) to the
// project of the key that uploaded it, so a generateContent naming the file
// fails with 403 on any other key. The Forwarder asks the affinity before a
// call's first attempt and pins the call to the key it names (the
// Files API's FileKeyAffinity, services/gateway/files/, implements it from
// the file records in persistence).
//
// Thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"

namespace gempool::gateway {

struct ForwardRequest;

class KeyAffinity {
 public:
  virtual ~KeyAffinity() = default;

  // Cheap, on an event-loop thread: whether `request` may refer to something
  // bound to one key (false: no lookup, the call goes out as any other).
  virtual bool MayApply(const ForwardRequest& request) const = 0;

  // The key `request` must use (may block: runs on a worker thread): 0 when
  // any key will do, else that pool key's id. An error is the client's
  // answer, mapped to HTTP at the edge (e.g. INVALID_ARGUMENT for files of
  // two different keys in one request, NOT_FOUND for another client token's
  // file when FILES_USER_ISOLATION_ENABLED, UNAVAILABLE when the records
  // cannot be read).
  virtual absl::StatusOr<int64_t> Resolve(const ForwardRequest& request) = 0;
};

}  // namespace gempool::gateway
