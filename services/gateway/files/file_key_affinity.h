#pragma once
// KeyAffinity for the Files API: a Gemini call whose body names uploaded
// files (fileData.fileUri, gemini/file_refs.h) goes out on the key that
// uploaded them, found in the file records kept by persistence. Files
// gempool has no record of (uploaded elsewhere, or expired) leave the call
// free to use any key. Files of two different keys in one call are a 400
// naming them; another client token's file, while
// FILES_USER_ISOLATION_ENABLED, is the same 404 as an unknown file is on
// GET /v1beta/files/{id}.
//
// Records are cached (a record's key and owner never change, so the cache
// only has to forget deleted and expired files): at most kMaxCached, all
// dropped when full. A file deleted through another gateway stays in this
// one's cache until it expires; the call then goes to the right key and
// Google answers that the file is gone.
//
// Thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "gempool/common/mutex.h"
#include "files/file_records_client.h"
#include "gempool/common/clock.h"
#include "live_settings.h"
#include "upstream/key_affinity.h"

namespace gempool::gateway {

class FileKeyAffinity final : public KeyAffinity {
 public:
  static constexpr size_t kMaxCached = 10000;

  // `records` and `clock` must outlive the affinity.
  // FILES_USER_ISOLATION_ENABLED comes from ForwardRequest::settings.
  FileKeyAffinity(FileRecordsClient& records, const Clock& clock) : records_(records), clock_(clock) {}

  // gempool::gateway::KeyAffinity
  bool MayApply(const ForwardRequest& request) const override;
  absl::StatusOr<int64_t> Resolve(const ForwardRequest& request) override;

  // The record of `name` is gone (deleted through this gateway).
  void Forget(const std::string& name);

 private:
  struct Cached {
    int64_t key_id = 0;
    std::string owner;
    int64_t expires_at_ms = 0;
  };

  // The records of `names` that exist: from the cache, the rest from
  // persistence (and cached).
  absl::StatusOr<absl::flat_hash_map<std::string, Cached>> Lookup(const std::vector<std::string>& names);

  FileRecordsClient& records_;
  const Clock& clock_;
  Mutex mu_;
  absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway
