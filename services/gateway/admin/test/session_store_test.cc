#include "admin/session_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "admin/test/fake_admin_backend.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::gateway::admin {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::StatusIs;

class SessionStoreTest : public ::testing::Test {
 protected:
  gempool::testing::FakeClock clock_;
  testing::FakeAdminBackend backend_{clock_};
  SessionStore store_{backend_, clock_, {60000, 5000, 100}};
};

TEST_F(SessionStoreTest, CreatesRandomIdsAndStoresOnlyTheirHash) {
  auto a = store_.Create();
  auto b = store_.Create();
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(a->id.size(), 43u);
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(a->csrf_token, b->csrf_token);
  EXPECT_EQ(a->expires_at_ms, clock_.NowUnixMs() + 60000);
  EXPECT_EQ(backend_.sessions.count(SessionStore::HashId(a->id)), 1u);
  EXPECT_EQ(backend_.sessions.count(a->id), 0u);
}

TEST_F(SessionStoreTest, ValidatesThroughTheBackendAndCachesBriefly) {
  auto s = store_.Create();
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(store_.Validate(s->id), IsOk());
  EXPECT_EQ(backend_.CallCount("GetSession"), 0) << "fresh from Create";
  clock_.AdvanceMs(5000);
  EXPECT_THAT(store_.Validate(s->id), IsOk());
  EXPECT_EQ(backend_.CallCount("GetSession"), 1);
  // Revoked on another gateway: seen once the cache entry is stale.
  backend_.sessions.clear();
  EXPECT_THAT(store_.Validate(s->id), IsOk());
  clock_.AdvanceMs(5000);
  EXPECT_THAT(store_.Validate(s->id), StatusIs(absl::StatusCode::kUnauthenticated));
}

// ADMIN_SESSION_EXPIRE saved in the admin UI: new logins get the new
// lifetime, sessions already open keep theirs.
TEST_F(SessionStoreTest, ANewLifetimeAppliesToNewSessions) {
  auto before = store_.Create();
  ASSERT_THAT(before, IsOk());
  store_.set_lifetime_ms(120000);
  EXPECT_EQ(store_.lifetime_ms(), 120000);
  auto after = store_.Create();
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->expires_at_ms - before->expires_at_ms, 60000);
  clock_.AdvanceMs(90000);
  EXPECT_THAT(store_.Validate(before->id), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(store_.Validate(after->id), IsOk());
}

TEST_F(SessionStoreTest, ExpiresAndRevokes) {
  auto s = store_.Create();
  ASSERT_THAT(s, IsOk());
  clock_.AdvanceMs(60000);
  EXPECT_THAT(store_.Validate(s->id), StatusIs(absl::StatusCode::kUnauthenticated));
  auto t = store_.Create();
  ASSERT_THAT(t, IsOk());
  EXPECT_THAT(store_.Revoke(t->id), IsOk());
  EXPECT_THAT(store_.Validate(t->id), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(backend_.sessions.count(SessionStore::HashId(t->id)), 0u);
}

TEST_F(SessionStoreTest, RejectsMalformedIdsAndReportsABackendOutage) {
  EXPECT_THAT(store_.Validate("short"), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(store_.Validate(std::string(43, '*')), StatusIs(absl::StatusCode::kUnauthenticated));
  backend_.session_backend_down = true;
  EXPECT_THAT(store_.Create(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(store_.Validate(std::string(43, 'A')), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace gempool::gateway::admin
