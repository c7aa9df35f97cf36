#pragma once
// At-most-once application of batches that their sender retries.
//
// A gateway sends its outcome reports and log rows in batches and sends a
// batch again when it got no answer. An answer can be lost after the batch
// was applied (the link dropped, the deadline passed just before the reply
// came), and the retry then applied everything twice: doubled log rows,
// doubled failure counts on a key (measured in the network-cut tests). So
// each sender numbers its items (a delivery sequence, increasing, stamped
// when the item is queued) and names itself with an id drawn at start
// (NewDeliverySender); the receiver keeps, per sender and stream, the
// highest sequence it applied and skips items at or below it.
//
// Batches of one sender are applied one at a time: Begin() holds that
// sender's turn until the Turn is destroyed, so a retry that arrives while
// the first attempt is still writing waits for its outcome (the first may
// yet fail, and then the retry must apply). A sender sends one batch at a
// time, so the turn is only ever contended by such a retry; other senders
// never wait for it.
//
// The ledger is in memory: a receiver that restarts between an attempt and
// its retry cannot tell them apart (docs/reliability.md says so). Senders
// idle for an hour are forgotten (a restarted gateway draws a new id).
//
// Items without a sequence (0: an older sender, a single-report RPC) and
// batches without a sender are always applied.
//
// Threads: thread-safe; a Turn belongs to the thread that began it.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"

namespace gempool {

// A fresh sender id: "<prefix>-" and 32 random hex digits.
std::string NewDeliverySender(absl::string_view prefix);

class DeliveryLedger {
 public:
  // How long a sender that sends nothing is remembered.
  static constexpr int64_t kForgetAfterMs = 3'600'000;

  class Turn {
   public:
    Turn(Turn&&) = default;
    Turn& operator=(Turn&&) = delete;  // Would drop the turn it holds.
    ~Turn();

    // Whether the item numbered `sequence` was not applied yet (always for
    // 0 and for a batch without a sender).
    bool IsNew(uint64_t sequence) const;
    // Records that the item numbered `sequence` is applied (its write is
    // durable): a later batch skips it and everything before it.
    void Applied(uint64_t sequence);

   private:
    friend class DeliveryLedger;
    struct Sender;
    explicit Turn(std::shared_ptr<Sender> sender);
    std::shared_ptr<Sender> sender_;  // Null: no sender, nothing deduplicated.
  };

  // `clock` (its monotonic time) must outlive the ledger.
  explicit DeliveryLedger(const Clock& clock = SystemClock::Get()) : clock_(clock) {}
  DeliveryLedger(const DeliveryLedger&) = delete;
  DeliveryLedger& operator=(const DeliveryLedger&) = delete;

  // Waits for `sender`'s turn on `stream` (a name for the kind of items:
  // "request_log", "outcomes") and holds it until the Turn is destroyed.
  Turn Begin(absl::string_view sender, absl::string_view stream);

  // Senders remembered now (for tests).
  size_t senders() const;

 private:
  const Clock& clock_;
  mutable Mutex mu_;
  std::map<std::string, std::shared_ptr<Turn::Sender>> senders_ ABSL_GUARDED_BY(mu_);
  int64_t last_sweep_ms_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gempool
