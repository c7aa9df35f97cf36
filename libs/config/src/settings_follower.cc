#include "gempool/config/settings_follower.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/logging.h"
#include "gempool/config/ui_settings.h"

namespace gempool::config {
namespace {

// Whether `name` (a setting or its UI bookkeeping entry) is one of `ignore`.
bool Ignored(const std::vector<std::string>& ignore, const std::string& name) {
  return std::any_of(ignore.begin(), ignore.end(),
                     [&](const std::string& i) { return name == i || name == UiMetaName(i); });
}

Environment WithoutIgnored(const Environment& env, const std::vector<std::string>& ignore) {
  Environment kept;
  for (const auto& [name, value] : env.values()) {
    if (!Ignored(ignore, name)) kept.Set(name, value.text, value.source);
  }
  return kept;
}

}  // namespace

SettingsFollower::SettingsFollower(const Environment& env, FetchFn fetch, ApplyFn apply, Options options)
    : env_(WithoutIgnored(env, options.ignore)),
      fetch_(std::move(fetch)),
      apply_(std::move(apply)),
      options_(std::move(options)) {}

SettingsFollower::~SettingsFollower() { Stop(); }

void SettingsFollower::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void SettingsFollower::Stop() {
  std::thread thread;
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  wake_.SignalAll();
  if (thread.joinable()) thread.join();
}

void SettingsFollower::PollSoon() {
  {
    MutexLock lock(&mu_);
    poll_soon_ = true;
  }
  wake_.SignalAll();
}

std::shared_ptr<const Config> SettingsFollower::current() const {
  MutexLock lock(&mu_);
  return current_;
}

absl::Status SettingsFollower::PollOnce() {
  const uint64_t ticket = ++next_ticket_;
  absl::StatusOr<std::map<std::string, std::string>> fetched = fetch_();
  if (!fetched.ok()) return fetched.status();
  std::map<std::string, std::string> table;
  for (auto& [name, value] : *fetched) {
    if (!Ignored(options_.ignore, name)) table.emplace(name, std::move(value));
  }

  MutexLock poll_lock(&poll_mu_);
  // A slower poll that read the table before the one already handled: its
  // view is older, drop it.
  if (ticket < newest_ticket_) return last_table_status_;
  newest_ticket_ = ticket;
  if (have_table_ && table == last_table_) return last_table_status_;

  ++loads_;
  have_table_ = true;
  last_table_ = std::move(table);
  const Environment merged = ApplyUiSettings(env_, last_table_);
  absl::StatusOr<Config> loaded = LoadConfig(merged);
  if (!loaded.ok()) {
    last_table_status_ = absl::InvalidArgumentError(absl::StrCat(
        "the saved settings do not load, keeping the ones in force: ", loaded.status().message()));
    return last_table_status_;
  }
  last_table_status_ = absl::OkStatus();
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : merged.values()) values.emplace(name, value.text);
  if (have_applied_ && values == applied_) return absl::OkStatus();
  have_applied_ = true;
  applied_ = std::move(values);
  auto config = std::make_shared<const Config>(*std::move(loaded));
  {
    MutexLock lock(&mu_);
    current_ = config;
  }
  apply_(std::move(config));
  return absl::OkStatus();
}

void SettingsFollower::Run() {
  std::string last_error;
  for (;;) {
    absl::Status polled = PollOnce();
    const std::shared_ptr<const Config> in_force = current();
    if (polled.ok() && in_force != nullptr && options_.after_poll) {
      polled = options_.after_poll(*in_force);
    }
    if (!polled.ok() && std::string(polled.message()) != last_error) {
      GEMPOOL_LOG(WARNING) << options_.log_prefix << ": " << polled.message();
    }
    last_error = polled.ok() ? "" : std::string(polled.message());
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Milliseconds(options_.poll_ms);
    while (!stopping_ && !poll_soon_) {
      if (wake_.WaitWithDeadline(&mu_, deadline)) break;
    }
    if (stopping_) return;
    poll_soon_ = false;
  }
}

}  // namespace gempool::config
