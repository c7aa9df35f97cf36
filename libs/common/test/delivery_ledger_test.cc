// The receiver's side of retried batches: an item applied once is skipped
// when its batch comes again, a failed attempt leaves its items to the
// retry, and a retry waits for the attempt still in progress.
#include "gempool/common/delivery_ledger.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "gempool/common/notification.h"
#include "gempool/testing/fake_clock.h"

namespace gempool {
namespace {

// Applies items first..last (as a receiver would), returning how many were new.
int ApplyBatch(DeliveryLedger& ledger, const std::string& sender, uint64_t first, uint64_t last, bool write_ok = true) {
  DeliveryLedger::Turn turn = ledger.Begin(sender, "rows");
  int applied = 0;
  for (uint64_t sequence = first; sequence <= last; ++sequence) {
    if (!turn.IsNew(sequence)) continue;
    if (!write_ok) return applied;  // The write failed: nothing recorded.
    ++applied;
    turn.Applied(sequence);
  }
  return applied;
}

TEST(DeliveryLedgerTest, ARetriedBatchIsAppliedOnceAndItsNewTailIsApplied) {
  DeliveryLedger ledger;
  EXPECT_EQ(ApplyBatch(ledger, "gw-a", 1, 5), 5);
  EXPECT_EQ(ApplyBatch(ledger, "gw-a", 1, 5), 0);  // The answer was lost; the retry.
  EXPECT_EQ(ApplyBatch(ledger, "gw-a", 1, 8), 3);  // A retry that grew while waiting.
  EXPECT_EQ(ApplyBatch(ledger, "gw-a", 12, 13), 2);  // Items dropped in between: a gap is fine.
}

TEST(DeliveryLedgerTest, AFailedWriteLeavesItsItemsToTheRetry) {
  DeliveryLedger ledger;
  EXPECT_EQ(ApplyBatch(ledger, "gw-a", 1, 4, /*write_ok=*/false), 0);
  EXPECT_EQ(ApplyBatch(ledger, "gw-a", 1, 4), 4);
}

TEST(DeliveryLedgerTest, SendersStreamsAndUnnumberedItemsAreIndependent) {
  DeliveryLedger ledger;
  EXPECT_EQ(ApplyBatch(ledger, "gw-a", 1, 3), 3);
  EXPECT_EQ(ApplyBatch(ledger, "gw-b", 1, 3), 3);  // Another gateway.
  {
    DeliveryLedger::Turn other_stream = ledger.Begin("gw-a", "outcomes");
    EXPECT_TRUE(other_stream.IsNew(1));
  }
  DeliveryLedger::Turn turn = ledger.Begin("gw-a", "rows");
  EXPECT_TRUE(turn.IsNew(0));  // An item without a sequence (an older sender).
  DeliveryLedger::Turn anonymous = ledger.Begin("", "rows");
  EXPECT_TRUE(anonymous.IsNew(1));  // A batch without a sender.
  anonymous.Applied(9);
  EXPECT_TRUE(anonymous.IsNew(1));
}

TEST(DeliveryLedgerTest, ARetryTakesItsTurnAfterTheAttemptStillWriting) {
  DeliveryLedger ledger;
  Notification first_holds_turn;
  Notification retry_started;
  std::thread first([&] {
    DeliveryLedger::Turn turn = ledger.Begin("gw-a", "rows");
    first_holds_turn.Notify();
    retry_started.WaitForNotification();
    // The first attempt's write of items 1 and 2 lands while the retry of
    // items 1..3 is waiting for the turn.
    turn.Applied(1);
    turn.Applied(2);
  });
  first_holds_turn.WaitForNotification();
  std::atomic<int> retry_applied{-1};
  std::thread retry([&] {
    retry_started.Notify();
    retry_applied = ApplyBatch(ledger, "gw-a", 1, 3);
  });
  first.join();
  retry.join();
  EXPECT_EQ(retry_applied.load(), 1);
}

TEST(DeliveryLedgerTest, IdleSendersAreForgottenAfterAnHour) {
  gempool::testing::FakeClock clock;
  DeliveryLedger ledger(clock);
  ApplyBatch(ledger, "gw-old", 1, 2);
  clock.AdvanceMs(DeliveryLedger::kForgetAfterMs - 120'000);
  ApplyBatch(ledger, "gw-new", 1, 2);
  EXPECT_EQ(ledger.senders(), 2u);
  clock.AdvanceMs(120'000);
  ApplyBatch(ledger, "gw-new", 3, 3);
  EXPECT_EQ(ledger.senders(), 1u);
  EXPECT_EQ(ApplyBatch(ledger, "gw-new", 1, 3), 0);  // The active sender is kept.
}

TEST(DeliveryLedgerTest, SenderIdsAreDistinctAndNamed) {
  const std::string a = NewDeliverySender("gateway");
  const std::string b = NewDeliverySender("gateway");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("gateway-", 0), 0u);
  EXPECT_EQ(a.size(), std::string("gateway-").size() + 32);
}

}  // namespace
}  // namespace gempool
