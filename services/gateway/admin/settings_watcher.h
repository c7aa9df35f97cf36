#pragma once
// Keeps a gateway's settings in step with the settings table, so a save on
// the configuration page takes effect in every gateway without a restart:
// polls the persistence service (every `poll_ms`, or at once after a save
// here), lays the UI values over the environment (ui_settings.h), loads the
// result with LoadConfig and, when it differs from the last one applied,
// hands the new Config to `apply`. A table that does not load (it should
// not: saves are validated) is logged and skipped, keeping the last good
// settings. Also runs the log retention (LogRetention) with the settings in
// force. Thread-safe.

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "admin/admin_backend.h"
#include "admin/log_retention.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"
#include "gempool/config/config.h"

namespace gempool::gateway::admin {

class SettingsWatcher {
 public:
  struct Options {
    int poll_ms = 2000;
  };
  using ApplyFn = std::function<void(std::shared_ptr<const Config>)>;

  // `env` is what the process started with; `apply` runs on the watcher's
  // thread (or PollOnce's caller).
  SettingsWatcher(AdminBackend& backend, Environment env, const Clock& clock, ApplyFn apply, Options options);
  SettingsWatcher(const SettingsWatcher&) = delete;
  SettingsWatcher& operator=(const SettingsWatcher&) = delete;
  ~SettingsWatcher();  // Stop()s.

  void Start();
  void Stop();
  // Asks the thread to poll now (after a save through this gateway).
  void PollSoon();

  // One poll: read, merge, load, apply when changed. The thread's step.
  absl::Status PollOnce();

 private:
  void Run();

  AdminBackend& backend_;
  const Environment env_;
  const Clock& clock_;
  const ApplyFn apply_;
  const Options options_;
  LogRetention retention_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poll_soon_ = false;
  bool have_applied_ = false;
  std::map<std::string, std::string> applied_;  // The merged values last applied.
  std::thread thread_;
};

}  // namespace gempool::gateway::admin
