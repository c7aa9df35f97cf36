#include "gempool/keypool/recovery_schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <set>

namespace gempool::keypool {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr int64_t kRecoveryMinute = 60 * 1000;

RecoveryScheduleOptions ExactRecoveryOptions() {
  RecoveryScheduleOptions options;
  options.first_delay_ms = 1 * kRecoveryMinute;
  options.max_delay_ms = 10 * kRecoveryMinute;
  options.jitter = 0;
  return options;
}

TEST(RecoveryScheduleTest, AKeyIsFirstDueOneFirstDelayAfterItWasSeenDisabled) {
  RecoverySchedule schedule(ExactRecoveryOptions());
  EXPECT_EQ(schedule.NextDueMs(), std::nullopt);
  schedule.Track({7}, 1000);
  EXPECT_THAT(schedule.NextDueMs(), Optional(1000 + kRecoveryMinute));
  EXPECT_THAT(schedule.Due(1000 + kRecoveryMinute - 1), IsEmpty());
  EXPECT_THAT(schedule.Due(1000 + kRecoveryMinute), ElementsAre(7));
  // Seen again while tracked: its time does not move.
  schedule.Track({7}, 1000 + 30 * 1000);
  EXPECT_THAT(schedule.NextDueMs(), Optional(1000 + kRecoveryMinute));
}

TEST(RecoveryScheduleTest, EachFailedProbeDoublesTheDelayUpToTheMaximum) {
  RecoverySchedule schedule(ExactRecoveryOptions());
  schedule.Track({1}, 0);
  int64_t now = kRecoveryMinute;
  const int64_t expected[] = {2, 4, 8, 10, 10, 10};
  for (int64_t minutes : expected) {
    ASSERT_THAT(schedule.Due(now), ElementsAre(1));
    schedule.Retry(1, now);
    EXPECT_THAT(schedule.NextDueMs(), Optional(now + minutes * kRecoveryMinute)) << minutes;
    EXPECT_THAT(schedule.Due(now + minutes * kRecoveryMinute - 1), IsEmpty());
    now += minutes * kRecoveryMinute;
  }
}

TEST(RecoveryScheduleTest, KeysNoLongerDisabledAreForgottenAndStartOverWhenDisabledAgain) {
  RecoverySchedule schedule(ExactRecoveryOptions());
  schedule.Track({1, 2, 3}, 0);
  schedule.Retry(2, kRecoveryMinute);  // Now due at 3 min, next delay 4 min.
  schedule.Track({3}, kRecoveryMinute);  // 1 rejoined, 2 reset by an admin.
  EXPECT_EQ(schedule.size(), 1u);
  EXPECT_THAT(schedule.Due(kRecoveryMinute), ElementsAre(3));

  schedule.Track({2, 3}, 5 * kRecoveryMinute);  // 2 disabled again.
  EXPECT_THAT(schedule.Due(5 * kRecoveryMinute), ElementsAre(3));
  EXPECT_THAT(schedule.Due(6 * kRecoveryMinute), ElementsAre(3, 2)) << "2 starts over from the first delay";
  schedule.Track({}, 6 * kRecoveryMinute);
  EXPECT_EQ(schedule.size(), 0u);
  EXPECT_EQ(schedule.NextDueMs(), std::nullopt);
}

TEST(RecoveryScheduleTest, DueKeysComeLongestOverdueFirstThenById) {
  RecoverySchedule schedule(ExactRecoveryOptions());
  schedule.Track({9, 4}, 0);
  schedule.Track({9, 4, 2}, 1000);
  schedule.Retry(4, 0);  // Due at 2 min.
  EXPECT_THAT(schedule.Due(10 * kRecoveryMinute), ElementsAre(9, 2, 4));
  schedule.Retry(42, 0);  // Untracked: ignored.
  EXPECT_EQ(schedule.size(), 3u);
  schedule.Forget(9);  // Its probe brought it back.
  EXPECT_THAT(schedule.Due(10 * kRecoveryMinute), ElementsAre(2, 4));
}

TEST(RecoveryScheduleTest, JitterTakesUpToItsFractionOffAndSpreadsKeysOut) {
  RecoveryScheduleOptions options = ExactRecoveryOptions();
  options.jitter = 0.25;
  RecoverySchedule schedule(options);
  std::vector<int64_t> ids;
  for (int64_t id = 1; id <= 200; ++id) ids.push_back(id);
  schedule.Track(ids, 0);
  std::set<int64_t> distinct;
  int64_t earliest = std::numeric_limits<int64_t>::max();
  // Each key is due somewhere in [0.75 min, 1 min].
  for (int64_t t = 0; t <= kRecoveryMinute; t += 1000) {
    const std::vector<int64_t> due = schedule.Due(t);
    if (!due.empty()) earliest = std::min(earliest, t);
    distinct.insert(static_cast<int64_t>(due.size()));
  }
  EXPECT_GE(earliest, kRecoveryMinute * 3 / 4);
  EXPECT_EQ(schedule.Due(kRecoveryMinute).size(), 200u) << "none later than the delay itself";
  EXPECT_GT(distinct.size(), 5u) << "keys come due at different times";
}

TEST(RecoveryScheduleTest, OptionsOutOfRangeAreMadeUsable) {
  RecoveryScheduleOptions options;
  options.first_delay_ms = 0;
  options.max_delay_ms = -5;
  options.jitter = 3;
  RecoverySchedule schedule(options);
  schedule.Track({1}, 100);
  EXPECT_THAT(schedule.NextDueMs(), Optional(101)) << "1 ms at least, and no jitter";
  schedule.Retry(1, 200);
  EXPECT_THAT(schedule.NextDueMs(), Optional(201)) << "the maximum is at least the first delay";
}

}  // namespace
}  // namespace gempool::keypool
