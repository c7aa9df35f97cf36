#include "gempool/config/ui_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::config {
namespace {

TEST(UiSettingsTest, UiValueWinsWhileTheEnvironmentIsAsItWasAtTheSave) {
  const Environment env = Environment::FromMap({{"MAX_RETRIES", "3"}});
  std::map<std::string, std::string> stored = {{"MAX_RETRIES", "7"},
                                               {UiMetaName("MAX_RETRIES"), MakeUiMeta(env, "MAX_RETRIES", 42)}};
  std::vector<UiSettingState> states;
  const Environment merged = ApplyUiSettings(env, stored, &states);
  EXPECT_EQ(merged.GetOr("MAX_RETRIES", ""), "7");
  EXPECT_EQ(merged.SourceOf("MAX_RETRIES"), SettingSource::kDatabase);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_TRUE(states[0].applied);
  EXPECT_FALSE(states[0].env_changed_since);
  EXPECT_EQ(states[0].saved_at_ms, 42);
}

TEST(UiSettingsTest, EnvironmentChangedAfterTheSaveWins) {
  const Environment at_save = Environment::FromMap({{"MAX_RETRIES", "3"}});
  std::map<std::string, std::string> stored = {{"MAX_RETRIES", "7"},
                                               {UiMetaName("MAX_RETRIES"), MakeUiMeta(at_save, "MAX_RETRIES", 1)}};
  const Environment now = Environment::FromMap({{"MAX_RETRIES", "5"}});
  std::vector<UiSettingState> states;
  const Environment merged = ApplyUiSettings(now, stored, &states);
  EXPECT_EQ(merged.GetOr("MAX_RETRIES", ""), "5");
  EXPECT_EQ(merged.SourceOf("MAX_RETRIES"), SettingSource::kEnvironment);
  ASSERT_EQ(states.size(), 1u);
  EXPECT_FALSE(states[0].applied);
  EXPECT_TRUE(states[0].env_changed_since);

  // Set in the environment after a save made while it was unset: also wins.
  const Environment unset = Environment::FromMap({});
  stored[UiMetaName("MAX_RETRIES")] = MakeUiMeta(unset, "MAX_RETRIES", 1);
  EXPECT_EQ(ApplyUiSettings(now, stored).GetOr("MAX_RETRIES", ""), "5");
  EXPECT_EQ(ApplyUiSettings(unset, stored).GetOr("MAX_RETRIES", ""), "7");
}

TEST(UiSettingsTest, IgnoresValuesWithoutBookkeepingAndUnreadableEntries) {
  const Environment env = Environment::FromMap({{"TIME_OUT", "30"}});
  std::map<std::string, std::string> stored = {{"TIME_OUT", "99"},
                                               {"BASE_URL", "http://x"},
                                               {UiMetaName("BASE_URL"), "not json"}};
  const Environment merged = ApplyUiSettings(env, stored);
  EXPECT_EQ(merged.GetOr("TIME_OUT", ""), "30");
  EXPECT_EQ(merged.GetOr("BASE_URL", "default"), "default");
  EXPECT_TRUE(IsUiMetaName(UiMetaName("X")));
  EXPECT_FALSE(IsUiMetaName("X"));
  EXPECT_NE(EnvFingerprint(env, "TIME_OUT"), "30") << "the fingerprint never holds the value";
}

}  // namespace
}  // namespace gempool::config
