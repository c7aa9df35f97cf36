#include "admin/settings_watcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "admin/log_retention.h"
#include "admin/test/fake_admin_backend.h"
#include "gempool/common/mutex.h"
#include "gempool/config/ui_settings.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "gempool/testing/subprocess.h"

namespace gempool::gateway::admin {
namespace {

using ::gempool::testing::IsOk;

class SettingsWatcherTest : public ::testing::Test {
 protected:
  std::unique_ptr<SettingsWatcher> Make(const Environment& env) {
    return std::make_unique<SettingsWatcher>(
        backend_, env, clock_,
        [this](std::shared_ptr<const Config> config) {
          MutexLock lock(&mu_);
          applied_.push_back(std::move(config));
        },
        SettingsWatcher::Options());
  }
  std::vector<std::shared_ptr<const Config>> applied() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return applied_;
  }

  gempool::testing::FakeClock clock_;
  testing::FakeAdminBackend backend_{clock_};
  Mutex mu_;
  // Appended by the watcher's apply callback (its thread, or PollOnce's).
  std::vector<std::shared_ptr<const Config>> applied_ ABSL_GUARDED_BY(mu_);
};

TEST_F(SettingsWatcherTest, NeverParsesApiKeysAndOnlyParsesAChangedTable) {
  // An API_KEYS that does not even parse: the gateway does not use it, so it
  // is never looked at (a 100,000-key list costs nothing per poll).
  const Environment env = Environment::FromMap({{"API_KEYS", "[\"unterminated"}, {"MAX_RETRIES", "2"}});
  auto watcher = Make(env);
  ASSERT_THAT(watcher->PollOnce(), IsOk());
  ASSERT_EQ(applied().size(), 1u);
  EXPECT_EQ(applied()[0]->max_retries, 2);
  for (int i = 0; i < 3; ++i) ASSERT_THAT(watcher->PollOnce(), IsOk());
  EXPECT_EQ(watcher->loads(), 1) << "an unchanged table is not parsed again";

  ASSERT_THAT(backend_.PutSettings({{"MAX_RETRIES", "5"},
                                    {config::UiMetaName("MAX_RETRIES"), config::MakeUiMeta(env, "MAX_RETRIES", 1)}}),
              IsOk());
  ASSERT_THAT(watcher->PollOnce(), IsOk());
  EXPECT_EQ(watcher->loads(), 2);
  ASSERT_EQ(applied().size(), 2u);
  EXPECT_EQ(applied()[1]->max_retries, 5);
}

TEST_F(SettingsWatcherTest, TheThreadAppliesAndRunsTheLogRetention) {
  auto watcher = Make(Environment::FromMap({}));
  watcher->Start();
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        MutexLock lock(&mu_);
        return !applied_.empty();
      },
      10'000));
  // Both logs are on by default: one delete each, older than 30 and 7 days.
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return backend_.delete_calls() >= 2; }, 10'000));
  watcher->Stop();
}

// AUTO_DELETE_* saved in the admin UI apply at the next poll, not at the
// next hourly run.
TEST(LogRetentionTest, ChangedSettingsRunAtOnceUnchangedOnesHourly) {
  gempool::testing::FakeClock clock;
  testing::FakeAdminBackend backend{clock};
  LogRetention retention(backend, clock);
  Config config;
  ASSERT_THAT(retention.MaybeRun(config), IsOk());
  EXPECT_EQ(backend.delete_calls(), 2);
  ASSERT_THAT(retention.MaybeRun(config), IsOk());
  EXPECT_EQ(backend.delete_calls(), 2) << "unchanged: once an hour";
  config.auto_delete_error_logs_days = 3;
  ASSERT_THAT(retention.MaybeRun(config), IsOk());
  EXPECT_EQ(backend.delete_calls(), 4);
  config.auto_delete_request_logs = false;
  ASSERT_THAT(retention.MaybeRun(config), IsOk());
  EXPECT_EQ(backend.delete_calls(), 5) << "only the error log is still pruned";
}

}  // namespace
}  // namespace gempool::gateway::admin
