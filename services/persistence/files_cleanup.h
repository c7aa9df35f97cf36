#pragma once
// The periodic clean-up of the Files API's expired rows (upload sessions and
// file records, which Google's own files outlive by nothing: Google deletes
// a file 48 hours after upload). Every FILES_CLEANUP_INTERVAL_HOURS while
// FILES_CLEANUP_ENABLED, both as saved in the admin UI: it runs from the
// settings follower's thread after each poll (SettingsFollower::Options::
// after_poll), so a changed setting applies at the next poll, with no
// thread of its own. Writes also purge a few expired rows each
// (SociStore::PutUploadSession), so this only bounds what is left behind
// when uploads stop.
//
// Google's files themselves are not deleted here (persistence holds no keys
// and makes no upstream calls; Google removes them when they expire).
//
// Thread-compatible: Tick runs on one thread (the follower's).

#include <cstdint>

#include "absl/status/status.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"
#include "gempool/storage/store.h"

namespace gempool::persistence {

class FilesCleanup {
 public:
  // After a failed run (the database not open yet, or down), the next try
  // comes this much later rather than a whole interval.
  static constexpr int64_t kRetryMs = 60 * 1000;

  // `store` and `clock` must outlive the clean-up.
  FilesCleanup(storage::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Runs the clean-up when `config` enables it and it is due (the first run
  // is due at once); the store's error otherwise OK.
  absl::Status Tick(const Config& config);

  // Rows removed by every run so far.
  int64_t removed() const { return removed_; }

 private:
  storage::Store& store_;
  const Clock& clock_;
  bool ran_ = false;          // Whether a run was tried.
  bool failed_ = false;       // Whether the last run failed.
  int64_t last_run_ms_ = 0;   // Clock::MonotonicMs of the last run.
  int64_t removed_ = 0;
};

}  // namespace gempool::persistence
