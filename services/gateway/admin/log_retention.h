#pragma once
// Deletes request-log and error-log rows older than the retention the
// settings ask for (AUTO_DELETE_*_ENABLED / _DAYS, on by default: 30 days of
// requests, 7 of errors), at most once per `interval_ms`. Every gateway runs
// it; deleting "older than" is idempotent, so they never conflict. Changed
// settings (saved in the admin UI) run it at once.
// Thread-compatible (one caller: the settings watcher's thread).

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "admin/admin_backend.h"
#include "gempool/common/clock.h"
#include "gempool/config/config.h"

namespace gempool::gateway::admin {

class LogRetention {
 public:
  LogRetention(AdminBackend& backend, const Clock& clock, int64_t interval_ms = 60 * 60 * 1000)
      : backend_(backend), clock_(clock), interval_ms_(interval_ms) {}

  // Deletes what `config` says is too old, if the last run is `interval_ms`
  // ago (or never ran).
  absl::Status MaybeRun(const Config& config);

 private:
  AdminBackend& backend_;
  const Clock& clock_;
  const int64_t interval_ms_;
  int64_t last_run_ms_ = -1;  // Monotonic.
  std::string last_settings_;  // The AUTO_DELETE_* values of the last run.
};

}  // namespace gempool::gateway::admin
