#include "key_revalidator.h"

#include <algorithm>
#include <vector>

#include "gempool/common/logging.h"

namespace gempool::keybroker {
namespace {

// A schedule for MAX_FAILURES_RECHECK_SECONDS = `recheck`; null when off.
std::unique_ptr<keypool::RecoverySchedule> RecoveryFor(absl::Duration recheck) {
  if (recheck <= absl::ZeroDuration()) return nullptr;
  keypool::RecoveryScheduleOptions options;
  options.first_delay_ms = std::max<int64_t>(absl::ToInt64Milliseconds(recheck), 1);
  options.max_delay_ms = KeyRevalidator::kRecheckMaxFactor * options.first_delay_ms;
  return std::make_unique<keypool::RecoverySchedule>(options);
}

// Whether a probe told something about its key, rather than about the
// upstream or the network (5xx, timeouts, resets) or the probe itself.
bool IsVerdictOnTheKey(keypool::OutcomeKind outcome) {
  return outcome == keypool::OutcomeKind::kSuccess || outcome == keypool::OutcomeKind::kRateLimited ||
         outcome == keypool::OutcomeKind::kKeyInvalid;
}

}  // namespace

KeyRevalidator::KeyRevalidator(KeyVerifier& verifier, const Clock& clock, absl::Duration interval,
                               absl::Duration recheck)
    : verifier_(verifier),
      clock_(clock),
      interval_(interval),
      last_pass_ms_(clock.MonotonicMs()),
      recheck_(std::max(recheck, absl::ZeroDuration())),
      recovery_(RecoveryFor(recheck)) {}

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

bool KeyRevalidator::stopping() const {
  MutexLock lock(&mu_);
  return stopping_;
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

void KeyRevalidator::SetRecheck(absl::Duration recheck) {
  recheck = std::max(recheck, absl::ZeroDuration());
  MutexLock lock(&mu_);
  if (recheck == recheck_) return;
  recheck_ = recheck;
  recovery_ = RecoveryFor(recheck);
  scanned_ = false;
  changed_ = true;
  wake_.SignalAll();
}

absl::Duration KeyRevalidator::recheck() const {
  MutexLock lock(&mu_);
  return recheck_;
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
  verifier_.RevalidateOnce([this] { return stopping(); });
  MutexLock lock(&mu_);
  last_pass_ms_ = clock_.MonotonicMs();
  return true;
}

int64_t KeyRevalidator::MsUntilRecovery() const {
  MutexLock lock(&mu_);
  return MsUntilRecoveryLocked();
}

int64_t KeyRevalidator::MsUntilRecoveryLocked() const {
  if (recovery_ == nullptr) return -1;
  const int64_t now = clock_.MonotonicMs();
  int64_t wait = scanned_ ? last_scan_ms_ + kRecoveryScanMs - now : 0;
  if (const std::optional<int64_t> due = recovery_->NextDueMs(); due.has_value()) {
    wait = std::min(wait, *due - now);
  }
  return std::max<int64_t>(wait, 0);
}

int KeyRevalidator::RecoverDue() {
  bool scan = false;
  {
    MutexLock lock(&mu_);
    if (stopping_ || recovery_ == nullptr) return 0;
    scan = !scanned_ || clock_.MonotonicMs() - last_scan_ms_ >= kRecoveryScanMs;
  }
  // The scan takes the pools' locks: not under mu_.
  const std::vector<int64_t> disabled = scan ? verifier_.DisabledForFailures() : std::vector<int64_t>();
  std::vector<int64_t> due;
  {
    MutexLock lock(&mu_);
    if (stopping_ || recovery_ == nullptr) return 0;
    const int64_t now = clock_.MonotonicMs();
    if (scan) {
      recovery_->Track(disabled, now);
      scanned_ = true;
      last_scan_ms_ = now;
    }
    due = recovery_->Due(now);
  }
  if (due.empty()) return 0;

  GEMPOOL_LOG(INFO) << "re-checking " << due.size() << (due.size() == 1 ? " key" : " keys")
                    << " disabled by MAX_FAILURES with " << verifier_.prober()->model();
  const size_t batch_size = static_cast<size_t>(verifier_.concurrency());
  int probed = 0;
  int rejoined = 0;
  for (size_t begin = 0; begin < due.size(); begin += batch_size) {
    const std::vector<int64_t> batch(due.begin() + begin, due.begin() + std::min(due.size(), begin + batch_size));
    const std::vector<Verification> results = verifier_.Verify(batch, [this] { return stopping(); });
    if (stopping()) break;  // Keys not probed stay due.
    probed += static_cast<int>(results.size());
    bool verdict = false;
    std::vector<int64_t> still_out(batch);  // Removed keys too: the next scan forgets them.
    std::vector<int64_t> back;
    for (const Verification& v : results) {
      verdict = verdict || IsVerdictOnTheKey(v.outcome);
      if (v.state != keypool::KeyState::kDisabled) {
        still_out.erase(std::find(still_out.begin(), still_out.end(), v.id));
        back.push_back(v.id);
        if (v.state != keypool::KeyState::kPaused) ++rejoined;
        GEMPOOL_LOG(INFO) << "re-check: key " << v.id << " (" << v.masked << ") is back, "
                          << keypool::KeyStateName(v.state);
      }
    }
    const bool upstream_down = !results.empty() && !verdict;
    MutexLock lock(&mu_);
    if (recovery_ == nullptr) break;  // Turned off meanwhile.
    const int64_t now = clock_.MonotonicMs();
    for (int64_t id : still_out) recovery_->Retry(id, now);
    for (int64_t id : back) recovery_->Forget(id);
    if (upstream_down) {
      const auto rest = due.begin() + std::min(due.size(), begin + batch_size);
      for (auto it = rest; it != due.end(); ++it) recovery_->Retry(*it, now);
      GEMPOOL_LOG(WARNING) << "re-check: no verdict on any of " << results.size()
                           << (results.size() == 1 ? " key" : " keys") << " (" << results.front().message
                           << "): the upstream looks down; " << (due.end() - rest)
                           << " more keys wait for their next re-check";
      break;
    }
  }
  GEMPOOL_LOG(INFO) << "re-check done: " << rejoined << " of " << probed << " keys disabled by MAX_FAILURES are back";
  return probed;
}

void KeyRevalidator::Run() {
  while (true) {
    RunIfDue();
    RecoverDue();
    MutexLock lock(&mu_);
    if (stopping_) return;
    const int64_t pass_ms = MsUntilDueLocked();
    const int64_t recovery_ms = MsUntilRecoveryLocked();
    const int64_t wait_ms = pass_ms < 0 ? recovery_ms : recovery_ms < 0 ? pass_ms : std::min(pass_ms, recovery_ms);
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
