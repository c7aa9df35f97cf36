#include "gempool/config/settings_follower.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/common/notification.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"
#include "gempool/config/ui_settings.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::config {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A settings table the test edits, and what the follower applied.
class SettingsFollowerTest : public ::testing::Test {
 protected:
  SettingsFollowerTest() : env_(Environment::FromMap({{"MAX_FAILURES", "3"}, {"MAX_RETRIES", "2"}})) {}

  std::unique_ptr<SettingsFollower> Make(SettingsFollower::Options options = {}, const Environment* env = nullptr) {
    return std::make_unique<SettingsFollower>(
        env != nullptr ? *env : env_,
        [this]() -> absl::StatusOr<std::map<std::string, std::string>> {
          MutexLock lock(&mu_);
          ++fetches_;
          if (!fetch_error_.ok()) return fetch_error_;
          return table_;
        },
        [this](std::shared_ptr<const Config> config) {
          MutexLock lock(&mu_);
          applied_.push_back(std::move(config));
        },
        std::move(options));
  }

  // Saves `value` for `name` as the admin UI does, seen from `env_`.
  void Save(const std::string& name, const std::string& value, int64_t at_ms = 1) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    table_[name] = value;
    table_[UiMetaName(name)] = MakeUiMeta(env_, name, at_ms);
  }
  size_t applied_count() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return applied_.size();
  }
  int fetches() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return fetches_;
  }
  // Makes every later fetch fail with `error`.
  void FailFetches(absl::Status error) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    fetch_error_ = std::move(error);
  }
  std::shared_ptr<const Config> last_applied() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return applied_.empty() ? nullptr : applied_.back();
  }

  Environment env_;
  // Guards what the follower's fetch and apply callbacks (on its thread,
  // once Start()ed) share with the test.
  Mutex mu_;
  std::map<std::string, std::string> table_ ABSL_GUARDED_BY(mu_);
  absl::Status fetch_error_ ABSL_GUARDED_BY(mu_);
  int fetches_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::shared_ptr<const Config>> applied_ ABSL_GUARDED_BY(mu_);
};

TEST_F(SettingsFollowerTest, FirstPollAppliesTheEnvironmentThenUiValuesOverIt) {
  auto follower = Make();
  EXPECT_EQ(follower->current(), nullptr);
  ASSERT_THAT(follower->PollOnce(), IsOk());
  ASSERT_EQ(applied_count(), 1u);
  EXPECT_EQ(last_applied()->max_failures, 3);
  EXPECT_EQ(follower->current(), last_applied());

  Save("MAX_FAILURES", "7");
  ASSERT_THAT(follower->PollOnce(), IsOk());
  ASSERT_EQ(applied_count(), 2u);
  EXPECT_EQ(last_applied()->max_failures, 7);
  EXPECT_EQ(last_applied()->max_retries, 2) << "the environment's other values stay";
}

TEST_F(SettingsFollowerTest, AnUnchangedTableIsNeitherParsedNorAppliedAgain) {
  Save("MAX_FAILURES", "7");
  auto follower = Make();
  ASSERT_THAT(follower->PollOnce(), IsOk());
  EXPECT_EQ(follower->loads(), 1);
  for (int i = 0; i < 5; ++i) ASSERT_THAT(follower->PollOnce(), IsOk());
  EXPECT_EQ(fetches(), 6) << "every poll reads the table";
  EXPECT_EQ(follower->loads(), 1) << "but parses it only when it changed";
  EXPECT_EQ(applied_count(), 1u);

  // Saved again with the same value: the table changed (the save time), the
  // settings did not, so nothing is applied.
  Save("MAX_FAILURES", "7", /*at_ms=*/2);
  ASSERT_THAT(follower->PollOnce(), IsOk());
  EXPECT_EQ(follower->loads(), 2);
  EXPECT_EQ(applied_count(), 1u);
}

TEST_F(SettingsFollowerTest, EnvironmentChangedSinceTheSaveWins) {
  Save("MAX_FAILURES", "7");
  const Environment changed = Environment::FromMap({{"MAX_FAILURES", "9"}});
  auto follower = Make({}, &changed);
  ASSERT_THAT(follower->PollOnce(), IsOk());
  ASSERT_NE(last_applied(), nullptr);
  EXPECT_EQ(last_applied()->max_failures, 9);
}

TEST_F(SettingsFollowerTest, IgnoredSettingsAreNeverParsed) {
  // An API_KEYS that would not even load: ignored, so it is never looked at,
  // from the environment or from the table.
  const Environment env = Environment::FromMap({{"API_KEYS", "[\"unterminated"}, {"MAX_FAILURES", "3"}});
  {
    MutexLock lock(&mu_);
    table_["API_KEYS"] = "[\"also unterminated";
    table_[UiMetaName("API_KEYS")] = MakeUiMeta(env, "API_KEYS", 1);
  }
  SettingsFollower::Options options;
  options.ignore = {"API_KEYS"};
  auto follower = Make(options, &env);
  ASSERT_THAT(follower->PollOnce(), IsOk());
  ASSERT_NE(last_applied(), nullptr);
  EXPECT_THAT(last_applied()->api_keys, IsEmpty());

  auto strict = Make({}, &env);
  EXPECT_THAT(strict->PollOnce(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("API_KEYS")));
}

TEST_F(SettingsFollowerTest, ATableThatDoesNotLoadKeepsTheSettingsInForce) {
  auto follower = Make();
  ASSERT_THAT(follower->PollOnce(), IsOk());
  // Not through the UI's validation (say, written by hand).
  Save("MAX_FAILURES", "many");
  EXPECT_THAT(follower->PollOnce(),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("keeping"), HasSubstr("MAX_FAILURES"))));
  EXPECT_THAT(follower->PollOnce(), StatusIs(absl::StatusCode::kInvalidArgument)) << "still reported";
  EXPECT_EQ(follower->loads(), 2) << "but not parsed again";
  EXPECT_EQ(applied_count(), 1u);
  EXPECT_EQ(follower->current()->max_failures, 3);

  Save("MAX_FAILURES", "4");
  ASSERT_THAT(follower->PollOnce(), IsOk());
  EXPECT_EQ(follower->current()->max_failures, 4);
}

TEST_F(SettingsFollowerTest, AFetchErrorIsReturnedAndChangesNothing) {
  auto follower = Make();
  ASSERT_THAT(follower->PollOnce(), IsOk());
  FailFetches(absl::UnavailableError("persistence at 127.0.0.1:1: GetSettings failed"));
  EXPECT_THAT(follower->PollOnce(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("GetSettings")));
  EXPECT_EQ(applied_count(), 1u);
  EXPECT_NE(follower->current(), nullptr);
}

TEST_F(SettingsFollowerTest, TheThreadPollsAtOnceAndAfterPollSoon) {
  Notification first;
  Notification second;
  SettingsFollower::Options options;
  options.poll_ms = 60 * 60 * 1000;  // Only the first poll and PollSoon() wake it.
  int after = 0;
  options.after_poll = [&](const Config& config) {
    ++after;
    if (config.max_failures == 3 && !first.HasBeenNotified()) first.Notify();
    if (config.max_failures == 8 && !second.HasBeenNotified()) second.Notify();
    return absl::OkStatus();
  };
  auto follower = Make(options);
  follower->Start();
  ASSERT_TRUE(first.WaitForNotificationWithTimeout(absl::Seconds(10)));
  Save("MAX_FAILURES", "8");
  follower->PollSoon();
  ASSERT_TRUE(second.WaitForNotificationWithTimeout(absl::Seconds(10)));
  follower->Stop();
  follower->Stop();  // Idempotent.
  EXPECT_EQ(applied_count(), 2u);
  EXPECT_GE(after, 2);
}

}  // namespace
}  // namespace gempool::config
