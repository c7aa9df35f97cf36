// FilesCleanup: runs when enabled and due, follows a changed interval at
// once, retries a failed run sooner, and does nothing while disabled.

#include "files_cleanup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "deferred_store.h"
#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::persistence {
namespace {

using ::gempool::testing::FakeClock;
using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;

constexpr int64_t kHour = 60LL * 60 * 1000;

class FilesCleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool_cleanup_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    storage::StoreOptions options;
    options.backend = storage::Backend::kSqlite;
    options.sqlite_path = dir_ + "/gempool.db";
    options.data_dir = dir_;
    auto store = storage::SociStore::Open(options, clock_);
    ASSERT_THAT(store, IsOk());
    deferred_.Install(std::unique_ptr<storage::Store>(*std::move(store)));
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A record that expires in one ms.
  void AddShortLivedRecord(const std::string& id) {
    v1::FileRecord r;
    r.set_name("files/" + id);
    r.set_key_id(1);
    r.set_owner("owner");
    r.set_created_at_ms(clock_.NowUnixMs());
    r.set_expires_at_ms(clock_.NowUnixMs() + 1);
    r.set_metadata_json("{}");
    ASSERT_THAT(deferred_.PutFileRecord(r), IsOk());
  }

  FakeClock clock_;
  std::string dir_;
  DeferredStore deferred_{"not open"};
};

TEST_F(FilesCleanupTest, RunsWhenDueAndFollowsTheSettings) {
  FilesCleanup cleanup(deferred_, clock_);
  Config config;
  config.files_cleanup_enabled = true;
  config.files_cleanup_interval_hours = 2;
  AddShortLivedRecord("a");
  clock_.AdvanceMs(1);
  ASSERT_THAT(cleanup.Tick(config), IsOk());
  EXPECT_EQ(cleanup.removed(), 1) << "the first run is due at once";

  AddShortLivedRecord("b");
  clock_.AdvanceMs(kHour);
  ASSERT_THAT(cleanup.Tick(config), IsOk());
  EXPECT_EQ(cleanup.removed(), 1) << "not due before 2 h";
  config.files_cleanup_interval_hours = 1;
  ASSERT_THAT(cleanup.Tick(config), IsOk());
  EXPECT_EQ(cleanup.removed(), 2) << "a shorter interval applies at once";

  AddShortLivedRecord("c");
  clock_.AdvanceMs(2 * kHour);
  config.files_cleanup_enabled = false;
  ASSERT_THAT(cleanup.Tick(config), IsOk());
  EXPECT_EQ(cleanup.removed(), 2) << "disabled";
  config.files_cleanup_enabled = true;
  ASSERT_THAT(cleanup.Tick(config), IsOk());
  EXPECT_EQ(cleanup.removed(), 3);
}

TEST_F(FilesCleanupTest, RetriesAFailedRunAfterAMinute) {
  DeferredStore closed("the database is not open yet");
  FilesCleanup cleanup(closed, clock_);
  Config config;
  EXPECT_THAT(cleanup.Tick(config), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(cleanup.Tick(config), IsOk()) << "not again at once";
  clock_.AdvanceMs(FilesCleanup::kRetryMs);
  EXPECT_THAT(cleanup.Tick(config), StatusIs(absl::StatusCode::kUnavailable)) << "tried again";
}

}  // namespace
}  // namespace gempool::persistence
