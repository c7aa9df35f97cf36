#include "files_cleanup.h"

#include <algorithm>

#include "gempool/common/logging.h"

namespace gempool::persistence {

absl::Status FilesCleanup::Tick(const Config& config) {
  if (!config.files_cleanup_enabled) return absl::OkStatus();
  const int64_t now = clock_.MonotonicMs();
  const int64_t interval_ms = int64_t{std::max(config.files_cleanup_interval_hours, 1)} * 60 * 60 * 1000;
  // Due an interval after the last run, as the interval is now (a shorter
  // one saved in the admin UI applies at once), or kRetryMs after a failure.
  if (ran_ && now < last_run_ms_ + (failed_ ? kRetryMs : interval_ms)) return absl::OkStatus();
  ran_ = true;
  last_run_ms_ = now;
  absl::StatusOr<int64_t> removed = store_.PurgeExpiredFiles();
  failed_ = !removed.ok();
  if (failed_) return removed.status();
  removed_ += *removed;
  if (*removed > 0) GEMPOOL_LOG(INFO) << "files clean-up: removed " << *removed << " expired Files API row(s)";
  return absl::OkStatus();
}

}  // namespace gempool::persistence
