#include "admin/settings_watcher.h"

#include <utility>

namespace gempool::gateway::admin {

SettingsWatcher::SettingsWatcher(AdminBackend& backend, const Environment& env, const Clock& clock, ApplyFn apply,
                                 Options options)
    : retention_(backend, clock) {
  config::SettingsFollower::Options follower_options;
  follower_options.poll_ms = options.poll_ms;
  // The gateway never uses API_KEYS (the broker owns the pool).
  follower_options.ignore = {"API_KEYS"};
  // Only the follower's thread calls it, as LogRetention requires.
  follower_options.after_poll = [this](const Config& config) { return retention_.MaybeRun(config); };
  follower_ = std::make_unique<config::SettingsFollower>(
      env, [&backend] { return backend.GetSettings(); }, std::move(apply), std::move(follower_options));
}

SettingsWatcher::~SettingsWatcher() { Stop(); }

void SettingsWatcher::Start() { follower_->Start(); }

void SettingsWatcher::Stop() { follower_->Stop(); }

void SettingsWatcher::PollSoon() { follower_->PollSoon(); }

absl::Status SettingsWatcher::PollOnce() { return follower_->PollOnce(); }

}  // namespace gempool::gateway::admin
