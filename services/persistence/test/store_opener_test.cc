// StoreOpener: retries with a capped backoff, hands each reason to the
// DeferredStore, logs a reason only when it changes (or as a reminder),
// gives up only on a bad setting, and installs the store once it opens.

#include "store_opener.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <string>

#include "gempool/common/notification.h"
#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::persistence {
namespace {

using ::gempool::testing::FakeClock;
using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using Outcome = StoreOpener::Step::Outcome;

class StoreOpenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool_opener_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // An open function answering `script` in order; once it is used up, a
  // real SQLite store opens.
  StoreOpener::OpenFn Scripted() {
    return [this]() -> absl::StatusOr<std::unique_ptr<storage::Store>> {
      ++calls_;
      if (!script_.empty()) {
        absl::Status next = script_.front();
        script_.pop_front();
        return next;
      }
      storage::StoreOptions options;
      options.backend = storage::Backend::kSqlite;
      options.sqlite_path = dir_ + "/gempool.db";
      auto store = storage::SociStore::Open(options, clock_);
      if (!store.ok()) return store.status();
      return std::unique_ptr<storage::Store>(*std::move(store));
    };
  }

  FakeClock clock_;
  std::string dir_;
  std::deque<absl::Status> script_;
  int calls_ = 0;
};

TEST_F(StoreOpenerTest, RetriesWithACappedBackoffAndInstallsTheStoreWhenItOpens) {
  const absl::Status refused = absl::PermissionDeniedError("cannot connect to MySQL at db:3306 as user 'gempool'");
  for (int i = 0; i < 7; ++i) script_.push_back(refused);
  DeferredStore store("first attempt");
  int opened = 0;
  StoreOpener opener("mysql database", Scripted(), store, [&] { ++opened; }, clock_,
                     {.initial_backoff_ms = 500, .max_backoff_ms = 10000, .reminder_ms = 300000, .backoff_jitter = 0});
  std::vector<int> waits;
  for (int i = 0; i < 7; ++i) {
    const StoreOpener::Step step = opener.TryOnce();
    ASSERT_EQ(step.outcome, Outcome::kRetry);
    waits.push_back(step.retry_in_ms);
    EXPECT_THAT(store.Ping(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("as user 'gempool'")));
  }
  EXPECT_EQ(waits, (std::vector<int>{500, 1000, 2000, 4000, 8000, 10000, 10000}));
  EXPECT_EQ(opened, 0);

  EXPECT_EQ(opener.TryOnce().outcome, Outcome::kOpened);
  EXPECT_EQ(opened, 1);
  EXPECT_TRUE(store.IsOpen());
  EXPECT_THAT(store.Ping(), IsOk());
  // Done: further steps change nothing and open nothing.
  EXPECT_EQ(opener.TryOnce().outcome, Outcome::kOpened);
  EXPECT_EQ(calls_, 8);
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(opener.attempts(), 8);
}

TEST_F(StoreOpenerTest, JitterTakesAtMostItsShareOffEachWait) {
  for (int i = 0; i < 5; ++i) script_.push_back(absl::UnavailableError("server unreachable"));
  DeferredStore store("first attempt");
  StoreOpener opener("mysql database", Scripted(), store, nullptr, clock_,
                     {.initial_backoff_ms = 1000, .max_backoff_ms = 8000, .reminder_ms = 300000,
                      .backoff_jitter = 0.25});
  for (int full : {1000, 2000, 4000, 8000, 8000}) {
    const StoreOpener::Step step = opener.TryOnce();
    ASSERT_EQ(step.outcome, Outcome::kRetry);
    EXPECT_LE(step.retry_in_ms, full);
    EXPECT_GE(step.retry_in_ms, full * 3 / 4);
  }
}

TEST_F(StoreOpenerTest, LogsAReasonWhenItChangesAndAsAReminder) {
  script_ = {absl::UnavailableError("server unreachable"), absl::UnavailableError("server unreachable"),
             absl::PermissionDeniedError("access denied"), absl::PermissionDeniedError("access denied"),
             absl::PermissionDeniedError("access denied")};
  DeferredStore store("first attempt");
  StoreOpener opener("mysql database", Scripted(), store, nullptr, clock_,
                     {.initial_backoff_ms = 500, .max_backoff_ms = 10000, .reminder_ms = 60000});
  EXPECT_TRUE(opener.TryOnce().logged);   // new
  EXPECT_FALSE(opener.TryOnce().logged);  // same
  EXPECT_TRUE(opener.TryOnce().logged);   // changed
  EXPECT_THAT(store.Ping(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("access denied")));
  clock_.AdvanceMs(59999);
  EXPECT_FALSE(opener.TryOnce().logged);
  clock_.AdvanceMs(1);
  EXPECT_TRUE(opener.TryOnce().logged);  // reminder
}

TEST_F(StoreOpenerTest, GivesUpOnABadSettingButKeepsExplainingIt) {
  script_ = {absl::InvalidArgumentError("the SQLite database path 'a\"b' contains a double quote")};
  DeferredStore store("first attempt");
  bool opened = false;
  StoreOpener opener("sqlite database", Scripted(), store, [&] { opened = true; }, clock_, StoreOpener::Options());
  EXPECT_EQ(opener.TryOnce().outcome, Outcome::kGaveUp);
  EXPECT_EQ(opener.TryOnce().outcome, Outcome::kGaveUp);
  EXPECT_EQ(calls_, 1);
  EXPECT_FALSE(opened);
  EXPECT_THAT(store.Ping(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("double quote")));
}

TEST_F(StoreOpenerTest, OpensInTheBackgroundAndStopEndsTheRetries) {
  {
    DeferredStore store("first attempt");
    Notification opened;
    StoreOpener opener("sqlite database", Scripted(), store, [&] { opened.Notify(); }, clock_,
                       StoreOpener::Options());
    opener.Start();
    ASSERT_TRUE(opened.WaitForNotificationWithTimeout(absl::Seconds(30)));
    EXPECT_TRUE(store.IsOpen());
    opener.Stop();
  }
  {
    // Always refused, with a wait far longer than the test: Stop ends it.
    DeferredStore store("first attempt");
    Notification tried;
    StoreOpener opener(
        "mysql database",
        [&]() -> absl::StatusOr<std::unique_ptr<storage::Store>> {
          if (!tried.HasBeenNotified()) tried.Notify();
          return absl::PermissionDeniedError("access denied");
        },
        store, nullptr, clock_, {.initial_backoff_ms = 3600000, .max_backoff_ms = 3600000, .reminder_ms = 60000});
    opener.Start();
    ASSERT_TRUE(tried.WaitForNotificationWithTimeout(absl::Seconds(30)));
    opener.Stop();
    EXPECT_EQ(opener.attempts(), 1);
    EXPECT_FALSE(store.IsOpen());
  }
}

}  // namespace
}  // namespace gempool::persistence
