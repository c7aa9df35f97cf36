#include "admin/settings_watcher.h"

#include <chrono>

#include "gempool/common/logging.h"
#include "gempool/config/ui_settings.h"

namespace gempool::gateway::admin {

SettingsWatcher::SettingsWatcher(AdminBackend& backend, Environment env, const Clock& clock, ApplyFn apply,
                                 Options options)
    : backend_(backend),
      env_(std::move(env)),
      clock_(clock),
      apply_(std::move(apply)),
      options_(options),
      retention_(backend, clock) {}

SettingsWatcher::~SettingsWatcher() { Stop(); }

void SettingsWatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void SettingsWatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SettingsWatcher::PollSoon() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poll_soon_ = true;
  }
  wake_.notify_all();
}

absl::Status SettingsWatcher::PollOnce() {
  absl::StatusOr<std::map<std::string, std::string>> stored = backend_.GetSettings();
  if (!stored.ok()) return stored.status();
  const Environment merged = config::ApplyUiSettings(env_, *stored);
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : merged.values()) values[name] = value.text;
  absl::StatusOr<Config> loaded = LoadConfig(merged);
  if (!loaded.ok()) {
    return absl::InvalidArgumentError(
        std::string("the saved settings do not load, keeping the ones in force: ") + std::string(loaded.status().message()));
  }
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    changed = !have_applied_ || values != applied_;
    have_applied_ = true;
    applied_ = values;
  }
  auto config = std::make_shared<const Config>(*std::move(loaded));
  if (changed) apply_(config);
  return retention_.MaybeRun(*config);
}

void SettingsWatcher::Run() {
  std::string last_error;
  for (;;) {
    absl::Status polled = PollOnce();
    if (!polled.ok() && std::string(polled.message()) != last_error) {
      GEMPOOL_LOG(WARNING) << "settings: " << polled.message();
    }
    last_error = polled.ok() ? "" : std::string(polled.message());
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [this] { return stopping_ || poll_soon_; });
    if (stopping_) return;
    poll_soon_ = false;
  }
}

}  // namespace gempool::gateway::admin
