#pragma once
// Keeps a running process's settings in step with the settings saved in the
// admin UI (the persistence service's settings table), so that a save takes
// effect without a restart. Shared by the gateway (its live settings) and the
// key broker (MAX_FAILURES, PROXIES, PAID_KEY, TEST_MODEL,
// CHECK_INTERVAL_HOURS, ...).
//
// A poll reads the table through `fetch`, lays the UI values over the
// environment the process started with (ApplyUiSettings: whichever changed
// last wins), loads the result with LoadConfig and, when the merged values
// differ from those last applied, hands the new Config to `apply`. The
// thread polls every `poll_ms`, or at once after PollSoon().
//
// Cheap when nothing changed: a poll whose table equals the previous one
// stops at that comparison (no merge, no parse). Settings the process does not
// take from the UI (Options::ignore, e.g. API_KEYS, which can hold 100,000
// keys) are dropped from the environment once, at construction, and from the
// table at each poll, so they are never parsed again; the Configs handed to
// `apply` leave them at their defaults.
//
// A table that does not load (saves are validated, so it should not happen)
// is reported by PollOnce and skipped: the settings in force stay.
//
// Thread-safe. `apply` and `after_poll` run on the polling thread (or the
// caller of PollOnce), one at a time. poll_mu_ guards what polls remember
// (held over the merge, load and `apply`, never over `fetch`); mu_ guards
// the settings in force and the thread's state. Lock order: poll_mu_, then
// mu_.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/common/environment.h"
#include "gempool/common/mutex.h"
#include "gempool/config/config.h"

namespace gempool::config {

class SettingsFollower {
 public:
  // Reads the whole settings table (name → value as text).
  using FetchFn = std::function<absl::StatusOr<std::map<std::string, std::string>>()>;
  // Receives the settings in force whenever they change.
  using ApplyFn = std::function<void(std::shared_ptr<const Config>)>;

  struct Options {
    int poll_ms = 2000;
    // Setting names left out of the environment and of the table.
    std::vector<std::string> ignore;
    // Run by the thread after each poll with the settings in force (once
    // there are some), whether or not they changed; its error is logged.
    std::function<absl::Status(const Config&)> after_poll;
    // Names the process in log lines ("settings: ...").
    std::string log_prefix = "settings";
  };

  // `env` is what the process started with (environment over .env).
  SettingsFollower(const Environment& env, FetchFn fetch, ApplyFn apply, Options options);
  SettingsFollower(const SettingsFollower&) = delete;
  SettingsFollower& operator=(const SettingsFollower&) = delete;
  ~SettingsFollower();  // Stop()s.

  // Starts the polling thread (the first poll at once). Idempotent.
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  // Stops the thread; a poll in progress finishes first. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  // Asks the thread to poll now (after a save through this process).
  void PollSoon() ABSL_LOCKS_EXCLUDED(mu_);

  // One poll: read, and when the table changed, merge, load and apply if the
  // merged values changed. The fetch error, or why the table does not load
  // (also on later polls of the same table). The thread's step.
  absl::Status PollOnce() ABSL_LOCKS_EXCLUDED(poll_mu_, mu_);

  // The settings in force after the last poll that loaded; null before one.
  std::shared_ptr<const Config> current() const ABSL_LOCKS_EXCLUDED(mu_);
  // How many polls merged and loaded the table (it had changed): unchanged
  // tables are not parsed again.
  int64_t loads() const { return loads_.load(); }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(poll_mu_, mu_);

  const Environment env_;
  const FetchFn fetch_;
  const ApplyFn apply_;
  const Options options_;
  std::atomic<int64_t> loads_{0};
  std::atomic<uint64_t> next_ticket_{0};

  // Serializes the merge/load/apply part of polls (never held over `fetch`).
  Mutex poll_mu_;
  // The newest fetch handled (older ones are dropped).
  uint64_t newest_ticket_ ABSL_GUARDED_BY(poll_mu_) = 0;
  bool have_table_ ABSL_GUARDED_BY(poll_mu_) = false;
  // As fetched, ignored names dropped.
  std::map<std::string, std::string> last_table_ ABSL_GUARDED_BY(poll_mu_);
  absl::Status last_table_status_ ABSL_GUARDED_BY(poll_mu_);  // Whether it loaded.
  bool have_applied_ ABSL_GUARDED_BY(poll_mu_) = false;
  // The merged values last applied.
  std::map<std::string, std::string> applied_ ABSL_GUARDED_BY(poll_mu_);

  mutable Mutex mu_;
  std::shared_ptr<const Config> current_ ABSL_GUARDED_BY(mu_);
  CondVar wake_;  // Signalled when stopping_ or poll_soon_ is set.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool poll_soon_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::config
