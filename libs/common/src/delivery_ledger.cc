#include "gempool/common/delivery_ledger.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gempool {

std::string NewDeliverySender(absl::string_view prefix) {
  std::random_device device;
  std::uniform_int_distribution<uint64_t> any;
  return absl::StrCat(prefix, "-", absl::StrFormat("%016x%016x", any(device), any(device)));
}

// One sender's stream. `turn` is held from Begin() to ~Turn(); `applied` is
// only touched by the thread holding it; `last_used` is guarded by the
// ledger's mutex.
struct DeliveryLedger::Turn::Sender {
  Mutex turn;
  uint64_t applied = 0;
  int64_t last_used_ms = 0;
};

DeliveryLedger::Turn::Turn(std::shared_ptr<Sender> sender) : sender_(std::move(sender)) {}

// The sender's turn was taken in Begin() and handed to this Turn: a lock
// that outlives the function taking it, which clang's analysis cannot follow.
DeliveryLedger::Turn::~Turn() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (sender_ != nullptr) sender_->turn.Unlock();
}

bool DeliveryLedger::Turn::IsNew(uint64_t sequence) const {
  return sender_ == nullptr || sequence == 0 || sequence > sender_->applied;
}

void DeliveryLedger::Turn::Applied(uint64_t sequence) {
  if (sender_ != nullptr && sequence > sender_->applied) sender_->applied = sequence;
}

// Returns holding the sender's turn, which the Turn releases (see ~Turn).
DeliveryLedger::Turn DeliveryLedger::Begin(absl::string_view sender, absl::string_view stream)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (sender.empty()) return Turn(nullptr);
  std::shared_ptr<Turn::Sender> entry;
  {
    MutexLock lock(&mu_);
    const int64_t now = clock_.MonotonicMs();
    // Forget idle senders, at most once a minute (a scan of a few entries
    // per gateway restart within the hour).
    if (now - last_sweep_ms_ >= 60'000) {
      last_sweep_ms_ = now;
      for (auto it = senders_.begin(); it != senders_.end();) {
        const bool idle = now - it->second->last_used_ms >= kForgetAfterMs && it->second.use_count() == 1;
        it = idle ? senders_.erase(it) : std::next(it);
      }
    }
    std::shared_ptr<Turn::Sender>& slot = senders_[absl::StrCat(sender, "/", stream)];
    if (slot == nullptr) slot = std::make_shared<Turn::Sender>();
    slot->last_used_ms = now;
    entry = slot;
  }
  // Outside the ledger's lock: waiting here only ever waits for this
  // sender's own earlier attempt.
  entry->turn.Lock();
  return Turn(std::move(entry));
}

size_t DeliveryLedger::senders() const {
  MutexLock lock(&mu_);
  return senders_.size();
}

}  // namespace gempool
