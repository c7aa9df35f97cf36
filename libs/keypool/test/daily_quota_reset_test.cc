#include "gempool/keypool/daily_quota_reset.h"

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"

namespace gempool::keypool {
namespace {

int64_t UtcMs(int y, int mo, int d, int h, int mi = 0, int s = 0) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone()));
}

struct Case {
  const char* what;
  int64_t now_ms;
  int64_t expected_ms;
};

std::vector<Case> Cases() {
  return {
      {"summer afternoon (PDT)", UtcMs(2025, 7, 15, 20), UtcMs(2025, 7, 16, 7)},
      {"winter afternoon (PST)", UtcMs(2025, 1, 15, 20), UtcMs(2025, 1, 16, 8)},
      {"one ms before midnight PDT", UtcMs(2025, 7, 16, 7) - 1, UtcMs(2025, 7, 16, 7)},
      {"exactly midnight PDT: the next one", UtcMs(2025, 7, 16, 7), UtcMs(2025, 7, 17, 7)},
      {"evening before spring forward", UtcMs(2025, 3, 9, 5), UtcMs(2025, 3, 9, 8)},
      {"morning of spring forward (now PDT)", UtcMs(2025, 3, 9, 12), UtcMs(2025, 3, 10, 7)},
      {"day before fall back", UtcMs(2025, 11, 1, 20), UtcMs(2025, 11, 2, 7)},
      {"morning of fall back (now PST)", UtcMs(2025, 11, 2, 12), UtcMs(2025, 11, 3, 8)},
      {"UTC new year, still Dec 31 in LA", UtcMs(2026, 1, 1, 3), UtcMs(2026, 1, 1, 8)},
      {"leap day", UtcMs(2028, 2, 29, 12), UtcMs(2028, 3, 1, 8)},
  };
}

TEST(DailyQuotaResetTest, FixedRuleGivesPacificMidnight) {
  const DailyQuotaReset reset = DailyQuotaReset::FixedRule();
  EXPECT_FALSE(reset.uses_tzdata());
  for (const Case& c : Cases()) {
    EXPECT_EQ(reset.NextResetMs(c.now_ms), c.expected_ms) << c.what;
  }
}

TEST(DailyQuotaResetTest, TzdataGivesPacificMidnight) {
  const DailyQuotaReset reset = DailyQuotaReset::Load();
  if (!reset.uses_tzdata()) GTEST_SKIP() << "no tzdata for America/Los_Angeles on this machine";
  for (const Case& c : Cases()) {
    EXPECT_EQ(reset.NextResetMs(c.now_ms), c.expected_ms) << c.what;
  }
}

TEST(DailyQuotaResetTest, FixedRuleAgreesWithTzdataAllYear) {
  const DailyQuotaReset tz = DailyQuotaReset::Load();
  if (!tz.uses_tzdata()) GTEST_SKIP() << "no tzdata for America/Los_Angeles on this machine";
  const DailyQuotaReset fixed = DailyQuotaReset::FixedRule();
  // Every 37 minutes through two years, covering each transition.
  for (int64_t t = UtcMs(2024, 1, 1, 0); t < UtcMs(2026, 1, 1, 0); t += 37 * 60 * 1000) {
    ASSERT_EQ(fixed.NextResetMs(t), tz.NextResetMs(t)) << "at Unix ms " << t;
  }
}

}  // namespace
}  // namespace gempool::keypool
