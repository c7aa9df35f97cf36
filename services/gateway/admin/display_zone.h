#pragma once
// The TIMEZONE in force in this gateway, for the admin API: the statistics
// cut calendar days and months in it, and /api/session tells the pages which
// zone to show times in. Set at start-up and again whenever the settings
// watcher applies a change from the configuration page (so a new TIMEZONE
// applies without a restart). Thread-safe: Set on the watcher's thread, Get
// on the admin API's worker threads.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"

namespace gempool::gateway::admin {

class DisplayZone {
 public:
  struct Zone {
    std::string name;
    absl::TimeZone zone;
  };

  // UTC until Set.
  DisplayZone() : current_{"UTC", absl::UTCTimeZone()} {}

  // Switches to the zone called `name`; an unknown name (LoadConfig already
  // refuses one) keeps the zone in force and is returned.
  absl::Status Set(const std::string& name) ABSL_LOCKS_EXCLUDED(mu_);
  Zone Get() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable Mutex mu_;
  Zone current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway::admin
