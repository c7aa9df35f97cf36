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
    MutexLock lock(&mu_);
    stopping_ = true;
    changed_ = true;
    wake_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

void KeyRevalidator::SetInterval(absl::Duration interval) {
  MutexLock lock(&mu_);
  if (interval == interval_) return;
  interval_ = interval;
  changed_ = true;
  wake_.SignalAll();
}

absl::Duration KeyRevalidator::interval() const {
  MutexLock lock(&mu_);
  return interval_;
}

int64_t KeyRevalidator::MsUntilDue() const {
  MutexLock lock(&mu_);
  return MsUntilDueLocked();
}

int64_t KeyRevalidator::MsUntilDueLocked() const {
  if (interval_ <= absl::ZeroDuration()) return -1;
  const int64_t due_ms = last_pass_ms_ + std::max<int64_t>(absl::ToInt64Milliseconds(interval_), 1);
  return std::max<int64_t>(due_ms - clock_.MonotonicMs(), 0);
}

bool KeyRevalidator::RunIfDue() {
  {
    MutexLock lock(&mu_);
    if (stopping_ || MsUntilDueLocked() != 0) return false;
  }
  verifier_.RevalidateOnce([this] {
    MutexLock lock(&mu_);
    return stopping_;
  });
  MutexLock lock(&mu_);
  last_pass_ms_ = clock_.MonotonicMs();
  return true;
}

void KeyRevalidator::Run() {
  while (true) {
    RunIfDue();
    MutexLock lock(&mu_);
    if (stopping_) return;
    const int64_t wait_ms = MsUntilDueLocked();
    if (wait_ms == 0) continue;
    if (wait_ms < 0) {
      while (!changed_) wake_.Wait(&mu_);
    } else {
      const absl::Time deadline = absl::Now() + absl::Milliseconds(wait_ms);
      while (!changed_) {
        if (wake_.WaitWithDeadline(&mu_, deadline)) break;  // Due: plan again.
      }
    }
    changed_ = false;
    if (stopping_) return;
  }
}

}  // namespace gempool::keybroker
