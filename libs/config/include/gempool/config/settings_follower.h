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
// caller of PollOnce), one at a time.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/common/environment.h"
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
  void Start();
  // Stops the thread; a poll in progress finishes first. Idempotent.
  void Stop();
  // Asks the thread to poll now (after a save through this process).
  void PollSoon();

  // One poll: read, and when the table changed, merge, load and apply if the
  // merged values changed. The fetch error, or why the table does not load
  // (also on later polls of the same table). The thread's step.
  absl::Status PollOnce();

  // The settings in force after the last poll that loaded; null before one.
  std::shared_ptr<const Config> current() const;
  // How many polls merged and loaded the table (it had changed): unchanged
  // tables are not parsed again.
  int64_t loads() const { return loads_.load(); }

 private:
  void Run();

  const Environment env_;
  const FetchFn fetch_;
  const ApplyFn apply_;
  const Options options_;
  std::atomic<int64_t> loads_{0};
  std::atomic<uint64_t> next_ticket_{0};

  // Serializes the merge/load/apply part of polls (never held over `fetch`).
  std::mutex poll_mu_;
  uint64_t newest_ticket_ = 0;  // The newest fetch handled (older ones are dropped).
  bool have_table_ = false;
  std::map<std::string, std::string> last_table_;   // As fetched, ignored names dropped.
  absl::Status last_table_status_;                  // Whether it loaded.
  bool have_applied_ = false;
  std::map<std::string, std::string> applied_;      // The merged values last applied.

  mutable std::mutex mu_;
  std::shared_ptr<const Config> current_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool poll_soon_ = false;
  std::thread thread_;
};

}  // namespace gempool::config
