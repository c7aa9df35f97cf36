#pragma once
// The admin web UI as the gateway mounts it: the gRPC backend (broker and
// persistence), sessions, the login limiter, the API, the settings watcher,
// and the entry the gateway's HTTP server calls with each admin request.
// Thread-safe.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "admin/admin_service.h"
#include "admin/settings_watcher.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"
#include "gempool/config/config.h"

namespace gempool::gateway::admin {

class AdminUi {
 public:
  struct Options {
    int settings_poll_ms = 2000;
    int session_cache_ms = 5000;
  };

  // `config` is the configuration the gateway started with; `env` what it
  // was loaded from (environment over .env); `apply` receives the settings
  // in force whenever a UI save changes them (on the watcher's thread).
  // `clock` must outlive the UI.
  static std::unique_ptr<AdminUi> Create(const Config& config, Environment env, const Clock& clock,
                                         SettingsWatcher::ApplyFn apply, Options options);
  ~AdminUi();
  AdminUi(const AdminUi&) = delete;
  AdminUi& operator=(const AdminUi&) = delete;

  // Starts and stops the settings watcher.
  void Start();
  void Stop();

  // Whether the gateway should hand `path` to Serve.
  static bool IsAdminPath(absl::string_view path);

  // Answers one admin request (blocking: gRPC to the broker and persistence).
  AdminResponse Serve(const AdminRequest& request);

 private:
  struct Parts;
  explicit AdminUi(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace gempool::gateway::admin
