#pragma once
// Keeps a gateway's settings in step with the settings table, so a save on
// the configuration page takes effect without a restart: a
// config::SettingsFollower (shared with the key broker) polls the
// persistence service every `poll_ms`, or at once after a save here, and
// hands the settings in force to `apply` when a save changed them. API_KEYS
// is not followed (the gateway does not use it), so a 100,000-key
// environment is never parsed again. Also runs the log retention
// (LogRetention) with the settings in force after each poll. Thread-safe.

#include <memory>

#include "absl/status/status.h"
#include "admin/admin_backend.h"
#include "admin/log_retention.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"
#include "gempool/config/config.h"
#include "gempool/config/settings_follower.h"

namespace gempool::gateway::admin {

class SettingsWatcher {
 public:
  struct Options {
    int poll_ms = 2000;
  };
  using ApplyFn = config::SettingsFollower::ApplyFn;

  // `env` is what the process started with; `apply` runs on the watcher's
  // thread (or PollOnce's caller). `backend` and `clock` must outlive this.
  SettingsWatcher(AdminBackend& backend, const Environment& env, const Clock& clock, ApplyFn apply,
                  Options options);
  SettingsWatcher(const SettingsWatcher&) = delete;
  SettingsWatcher& operator=(const SettingsWatcher&) = delete;
  ~SettingsWatcher();  // Stop()s.

  void Start();
  void Stop();
  // Asks the thread to poll now (after a save through this gateway).
  void PollSoon();

  // One poll: read, and when the table changed, merge, load and apply when
  // the settings changed (see SettingsFollower::PollOnce).
  absl::Status PollOnce();
  // How many polls parsed the table (it had changed).
  int64_t loads() const { return follower_->loads(); }

 private:
  LogRetention retention_;
  std::unique_ptr<config::SettingsFollower> follower_;
};

}  // namespace gempool::gateway::admin
