#include "shown_time_zone.h"

#include <gtest/gtest.h>

#include "gempool/config/ui_settings.h"

namespace gempool::ctl {
namespace {

TEST(ShownTimeZoneTest, TheEnvironmentThenAValueSavedOnTheConfigurationPage) {
  const Environment none = Environment::FromMap({});
  EXPECT_EQ(TimezoneInForce(none, {}), "Asia/Shanghai") << "the default";
  const Environment env = Environment::FromMap({{"TIMEZONE", "America/New_York"}});
  EXPECT_EQ(TimezoneInForce(env, {}), "America/New_York");
  // Saved on the page after the environment was set: the saved value is in force.
  const std::map<std::string, std::string> saved = {
      {"TIMEZONE", "Europe/Berlin"}, {config::UiMetaName("TIMEZONE"), config::MakeUiMeta(env, "TIMEZONE", 1000)}};
  EXPECT_EQ(TimezoneInForce(env, saved), "Europe/Berlin");
  // The environment changed after the save: it wins, as in every service.
  const Environment changed = Environment::FromMap({{"TIMEZONE", "UTC"}});
  EXPECT_EQ(TimezoneInForce(changed, saved), "UTC");
}

TEST(ShownTimeZoneTest, FormatsInTheZoneWithItsAbbreviation) {
  ShownTimeZone zone{"America/New_York", absl::UTCTimeZone()};
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &zone.zone));
  EXPECT_EQ(FormatShownTime(1752609600000, zone), "2025-07-15 16:00:00 EDT");
  EXPECT_EQ(FormatShownTime(0, zone), "-");
}

}  // namespace
}  // namespace gempool::ctl
