// Backoff: doubles up to its maximum, takes at most its jitter share off
// each delay (so peers spread out), starts over on Reset, and clamps options
// out of range.
#include "gempool/common/backoff.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <set>
#include <vector>

namespace gempool {
namespace {

using ::testing::ElementsAre;

// The next `count` delays of `backoff`.
std::vector<int64_t> NextBackoffDelays(Backoff& backoff, int count) {
  std::vector<int64_t> delays;
  for (int i = 0; i < count; ++i) delays.push_back(backoff.NextMs());
  return delays;
}

TEST(BackoffTest, WithoutJitterDoublesUpToTheMaximum) {
  Backoff backoff({.initial_ms = 100, .max_ms = 1000, .jitter = 0});
  EXPECT_THAT(NextBackoffDelays(backoff, 7), ElementsAre(100, 200, 400, 800, 1000, 1000, 1000));
}

TEST(BackoffTest, ResetStartsAgainFromTheInitialDelay) {
  Backoff backoff({.initial_ms = 500, .max_ms = 10000, .jitter = 0});
  EXPECT_THAT(NextBackoffDelays(backoff, 3), ElementsAre(500, 1000, 2000));
  backoff.Reset();
  EXPECT_THAT(NextBackoffDelays(backoff, 3), ElementsAre(500, 1000, 2000));
}

TEST(BackoffTest, JitterTakesAtMostItsShareOffEachDelay) {
  // A jitter of 1/4 and delays that are multiples of 4: the bounds are exact.
  constexpr double kJitter = 0.25;
  Backoff jittered({.initial_ms = 1000, .max_ms = 8000, .jitter = kJitter});
  const std::vector<int64_t> exact = {1000, 2000, 4000, 8000, 8000};
  std::set<int64_t> first_delays;
  for (int round = 0; round < 200; ++round) {
    jittered.Reset();
    const std::vector<int64_t> delays = NextBackoffDelays(jittered, static_cast<int>(exact.size()));
    for (size_t i = 0; i < exact.size(); ++i) {
      EXPECT_LE(delays[i], exact[i]) << "round " << round << ", delay " << i;
      EXPECT_GE(static_cast<double>(delays[i]), (1 - kJitter) * static_cast<double>(exact[i]))
          << "round " << round << ", delay " << i;
    }
    first_delays.insert(delays[0]);
  }
  // 200 draws from 251 values: all equal only if the jitter does nothing.
  EXPECT_GT(first_delays.size(), 1u);
}

TEST(BackoffTest, TwoBackoffsDrawDifferentDelays) {
  // Each owns its generator, seeded apart: two gateways do not wait alike.
  Backoff one({.initial_ms = 1000, .max_ms = 1000, .jitter = 0.5});
  Backoff other({.initial_ms = 1000, .max_ms = 1000, .jitter = 0.5});
  EXPECT_NE(NextBackoffDelays(one, 20), NextBackoffDelays(other, 20));
}

TEST(BackoffTest, ADelayTooShortToJitterIsExact) {
  // 20 % of 2 ms rounds down to nothing to take off.
  Backoff backoff({.initial_ms = 2, .max_ms = 2, .jitter = 0.2});
  EXPECT_THAT(NextBackoffDelays(backoff, 3), ElementsAre(2, 2, 2));
}

TEST(BackoffTest, AHugeMaximumDoesNotOverflow) {
  constexpr int64_t kHuge = std::numeric_limits<int64_t>::max();
  Backoff backoff({.initial_ms = kHuge / 2 + 1, .max_ms = kHuge, .jitter = 0});
  EXPECT_THAT(NextBackoffDelays(backoff, 3), ElementsAre(kHuge / 2 + 1, kHuge, kHuge));
}

TEST(BackoffTest, NegativeDelaysCountAsZero) {
  Backoff backoff({.initial_ms = -5, .max_ms = -1, .jitter = 0.2});
  EXPECT_EQ(backoff.options().initial_ms, 0);
  EXPECT_EQ(backoff.options().max_ms, 0);
  EXPECT_THAT(NextBackoffDelays(backoff, 3), ElementsAre(0, 0, 0));
}

TEST(BackoffTest, AMaximumBelowTheInitialDelayIsRaisedToIt) {
  Backoff backoff({.initial_ms = 500, .max_ms = 100, .jitter = 0});
  EXPECT_EQ(backoff.options().max_ms, 500);
  EXPECT_THAT(NextBackoffDelays(backoff, 3), ElementsAre(500, 500, 500));
}

TEST(BackoffTest, JitterIsHeldBetweenZeroAndOne) {
  EXPECT_EQ(Backoff({.initial_ms = 100, .max_ms = 100, .jitter = -0.5}).options().jitter, 0.0);
  EXPECT_EQ(Backoff({.initial_ms = 100, .max_ms = 100, .jitter = std::numeric_limits<double>::quiet_NaN()})
                .options()
                .jitter,
            0.0);
  Backoff whole({.initial_ms = 100, .max_ms = 100, .jitter = 7});
  EXPECT_EQ(whole.options().jitter, 1.0);
  for (int i = 0; i < 100; ++i) {
    const int64_t delay = whole.NextMs();
    EXPECT_GE(delay, 0);
    EXPECT_LE(delay, 100);
  }
  Backoff none({.initial_ms = 100, .max_ms = 800, .jitter = -1});
  EXPECT_THAT(NextBackoffDelays(none, 5), ElementsAre(100, 200, 400, 800, 800));
}

}  // namespace
}  // namespace gempool
