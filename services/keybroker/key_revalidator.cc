#include "key_revalidator.h"

#include <algorithm>

namespace gempool::keybroker {

KeyRevalidator::KeyRevalidator(KeyVerifier& verifier, const Clock& clock, absl::Duration interval)
    : verifier_(verifier), clock_(clock), interval_(interval), last_pass_ms_(clock.MonotonicMs()) {}

KeyRevalidator::~KeyRevalidator() { Stop(); }

void KeyRevalidator::Start() {
  thread_ = std::thread([this] { Run(); });
}

void KeyRevalidator::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    changed_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void KeyRevalidator::SetInterval(absl::Duration interval) {
  absl::MutexLock lock(&mu_);
  if (interval == interval_) return;
  interval_ = interval;
  changed_ = true;
}

absl::Duration KeyRevalidator::interval() const {
  absl::MutexLock lock(&mu_);
  return interval_;
}

int64_t KeyRevalidator::MsUntilDue() const {
  absl::MutexLock lock(&mu_);
  return MsUntilDueLocked();
}

int64_t KeyRevalidator::MsUntilDueLocked() const {
  if (interval_ <= absl::ZeroDuration()) return -1;
  const int64_t due_ms = last_pass_ms_ + std::max<int64_t>(absl::ToInt64Milliseconds(interval_), 1);
  return std::max<int64_t>(due_ms - clock_.MonotonicMs(), 0);
}

bool KeyRevalidator::RunIfDue() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || MsUntilDueLocked() != 0) return false;
  }
  verifier_.RevalidateOnce([this] {
    absl::MutexLock lock(&mu_);
    return stopping_;
  });
  absl::MutexLock lock(&mu_);
  last_pass_ms_ = clock_.MonotonicMs();
  return true;
}

void KeyRevalidator::Run() {
  while (true) {
    RunIfDue();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    const int64_t wait_ms = MsUntilDueLocked();
    if (wait_ms == 0) continue;
    if (wait_ms < 0) {
      mu_.Await(absl::Condition(&changed_));
    } else {
      mu_.AwaitWithTimeout(absl::Condition(&changed_), absl::Milliseconds(wait_ms));
    }
    changed_ = false;
    if (stopping_) return;
  }
}

}  // namespace gempool::keybroker
