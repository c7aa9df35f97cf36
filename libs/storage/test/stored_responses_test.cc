// The Store's stored Responses API responses, against every backend: SQLite
// (a temporary file, always) and MariaDB/MySQL (a throwaway database, when
// configured; see test_database.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "schema.h"
#include "stored_responses.h"
#include "test_database.h"

namespace gempool::storage {
namespace {

using ::gempool::storage::testing::EqualsProto;
using ::gempool::storage::testing::StoreTest;
using ::gempool::storage::testing::TestDatabase;
using ::gempool::testing::IsOk;
using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kResponsesStart = 1'700'000'000'000;
constexpr int64_t kDay = 24LL * 60 * 60 * 1000;

class StoredResponsesTest : public StoreTest {
 protected:
  StoredResponsesTest() : StoreTest(kResponsesStart) {}

  static v1::StoredResponse Response(const std::string& id, const std::string& owner, int64_t created_at_ms,
                                     int64_t lifetime_ms = kDay) {
    v1::StoredResponse r;
    r.set_id(id);
    r.set_owner(owner);
    r.set_created_at_ms(created_at_ms);
    r.set_expires_at_ms(created_at_ms + lifetime_ms);
    r.set_model("gemini-2.5-flash");
    r.set_body(R"({"input":[{"role":"user","content":"hi"}],"output":[{"type":"message"}]})");
    return r;
  }

  int Rows() {
    auto sql = db_->Connect();
    int rows = 0;
    *sql << "SELECT COUNT(*) FROM gempool_stored_responses", soci::into(rows);
    return rows;
  }
};

TEST_P(StoredResponsesTest, PutThenGetReturnsTheSameRecord) {
  const v1::StoredResponse stored = Response("resp_0123abcDEF", "a1b2c3d4e5f6", kResponsesStart);
  ASSERT_THAT(store_->PutStoredResponse(stored), IsOk());
  auto found = store_->GetStoredResponse("resp_0123abcDEF", "a1b2c3d4e5f6");
  ASSERT_THAT(found, IsOk());
  EXPECT_THAT(*found, EqualsProto(stored));
}

TEST_P(StoredResponsesTest, BodyComesBackByteForByte) {
  // Opaque bytes: NULs, invalid UTF-8, quotes and backslashes the MySQL
  // text protocol has to escape, and a body larger than one packet buffer.
  const char kAwkward[] = "\0\xff\xfe'\"\\\n\r\x1a%_";
  std::string body(kAwkward, sizeof(kAwkward) - 1);
  body += "\xe4\xbd\xa0\xe5\xa5\xbd";  // UTF-8 as well.
  for (uint32_t i = 0; body.size() < 3 * 1024 * 1024; ++i) body.push_back(static_cast<char>(i * 7919u % 256));
  v1::StoredResponse stored = Response("resp_binary", "owner", kResponsesStart);
  stored.set_body(body);
  ASSERT_THAT(store_->PutStoredResponse(stored), IsOk());
  auto found = store_->GetStoredResponse("resp_binary", "owner");
  ASSERT_THAT(found, IsOk());
  ASSERT_EQ(found->body().size(), body.size());
  EXPECT_TRUE(found->body() == body);

  stored.set_id("resp_empty");
  stored.clear_body();
  ASSERT_THAT(store_->PutStoredResponse(stored), IsOk());
  EXPECT_THAT(store_->GetStoredResponse("resp_empty", "owner"), IsOkAndHolds(EqualsProto(stored)));
}

TEST_P(StoredResponsesTest, PutReplacesTheOwnersResponse) {
  v1::StoredResponse stored = Response("resp_1", "owner", kResponsesStart);
  ASSERT_THAT(store_->PutStoredResponse(stored), IsOk());
  ASSERT_THAT(store_->PutStoredResponse(stored), IsOk()) << "the same record again";
  stored.set_body(R"({"output":"replaced"})");
  stored.set_model("gemini-2.5-pro");
  stored.set_expires_at_ms(kResponsesStart + 2 * kDay);
  ASSERT_THAT(store_->PutStoredResponse(stored), IsOk());
  EXPECT_THAT(store_->GetStoredResponse("resp_1", "owner"), IsOkAndHolds(EqualsProto(stored)));
  EXPECT_EQ(Rows(), 1);
}

TEST_P(StoredResponsesTest, OneOwnerNeverSeesReplacesOrDeletesAnothersResponse) {
  const v1::StoredResponse mine = Response("resp_1", "owner-a", kResponsesStart);
  ASSERT_THAT(store_->PutStoredResponse(mine), IsOk());
  EXPECT_THAT(store_->GetStoredResponse("resp_1", "owner-b"), StatusIs(absl::StatusCode::kNotFound));
  v1::StoredResponse theirs = Response("resp_1", "owner-b", kResponsesStart);
  theirs.set_body("overwritten?");
  EXPECT_THAT(store_->PutStoredResponse(theirs), StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("resp_1")));
  EXPECT_THAT(store_->DeleteStoredResponse("resp_1", "owner-b"), IsOkAndHolds(false));
  EXPECT_THAT(store_->GetStoredResponse("resp_1", "owner-a"), IsOkAndHolds(EqualsProto(mine)));
}

TEST_P(StoredResponsesTest, DeleteRemovesOnce) {
  ASSERT_THAT(store_->PutStoredResponse(Response("resp_1", "owner", kResponsesStart)), IsOk());
  EXPECT_THAT(store_->DeleteStoredResponse("resp_1", "owner"), IsOkAndHolds(true));
  EXPECT_THAT(store_->DeleteStoredResponse("resp_1", "owner"), IsOkAndHolds(false));
  EXPECT_THAT(store_->GetStoredResponse("resp_1", "owner"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("resp_1")));
  EXPECT_THAT(store_->DeleteStoredResponse("resp_never", "owner"), IsOkAndHolds(false));
}

TEST_P(StoredResponsesTest, ExpiredResponsesAreGoneByTheStoresClock) {
  ASSERT_THAT(store_->PutStoredResponse(Response("resp_1", "owner", kResponsesStart, 1000)), IsOk());
  clock_.AdvanceMs(999);
  EXPECT_THAT(store_->GetStoredResponse("resp_1", "owner"), IsOk());
  clock_.AdvanceMs(1);
  EXPECT_THAT(store_->GetStoredResponse("resp_1", "owner"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->DeleteStoredResponse("resp_1", "owner"), IsOkAndHolds(false)) << "as Get sees it";
  // The same id stored again lives again.
  ASSERT_THAT(store_->PutStoredResponse(Response("resp_1", "owner", kResponsesStart + 1000, 1000)), IsOk());
  EXPECT_THAT(store_->GetStoredResponse("resp_1", "owner"), IsOk());
}

TEST_P(StoredResponsesTest, EachPutPurgesABoundedNumberOfExpiredResponses) {
  const int expired = kStoredResponsePurgeBatch * 2 + 3;
  for (int i = 0; i < expired; ++i) {
    ASSERT_THAT(store_->PutStoredResponse(Response("resp_old" + std::to_string(i), "owner", kResponsesStart, 1000)), IsOk());
  }
  ASSERT_EQ(Rows(), expired) << "nothing had expired yet";
  clock_.AdvanceMs(1000);
  ASSERT_THAT(store_->PutStoredResponse(Response("resp_new1", "owner", kResponsesStart + 1000)), IsOk());
  EXPECT_EQ(Rows(), expired - kStoredResponsePurgeBatch + 1);
  ASSERT_THAT(store_->PutStoredResponse(Response("resp_new2", "owner", kResponsesStart + 1000)), IsOk());
  ASSERT_THAT(store_->PutStoredResponse(Response("resp_new3", "owner", kResponsesStart + 1000)), IsOk());
  EXPECT_EQ(Rows(), 3) << "only the live responses are left";
  EXPECT_THAT(store_->GetStoredResponse("resp_new1", "owner"), IsOk());
}

TEST_P(StoredResponsesTest, RejectsMalformedInput) {
  const auto invalid = StatusIs(absl::StatusCode::kInvalidArgument);
  for (const std::string& id : {std::string(""), std::string("resp_"), std::string("msg_123"),
                                std::string("RESP_123"), std::string("resp_a b"), std::string("resp_\xc3\xa9"),
                                "resp_" + std::string(124, 'a')}) {
    EXPECT_THAT(store_->PutStoredResponse(Response(id, "owner", kResponsesStart)), invalid) << id;
    EXPECT_THAT(store_->GetStoredResponse(id, "owner"), invalid) << id;
    EXPECT_THAT(store_->DeleteStoredResponse(id, "owner"), invalid) << id;
  }
  EXPECT_THAT(store_->PutStoredResponse(Response("resp_" + std::string(123, 'a'), "owner", kResponsesStart)), IsOk())
      << "128 characters is the limit";
  for (const std::string& owner : {std::string(""), std::string("has space"), std::string(65, 'o')}) {
    EXPECT_THAT(store_->PutStoredResponse(Response("resp_1", owner, kResponsesStart)), invalid) << owner;
    EXPECT_THAT(store_->GetStoredResponse("resp_1", owner), invalid) << owner;
  }
  EXPECT_THAT(store_->PutStoredResponse(Response("resp_1", "owner", 0)), invalid) << "no creation time";
  EXPECT_THAT(store_->PutStoredResponse(Response("resp_1", "owner", kResponsesStart, 0)), invalid) << "expires at creation";
  v1::StoredResponse huge = Response("resp_1", "owner", kResponsesStart);
  huge.set_body(std::string(kMaxStoredResponseBodyBytes + 1, 'x'));
  EXPECT_THAT(store_->PutStoredResponse(huge),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("RESPONSES_STORE_MAX_KB")));
  EXPECT_EQ(Rows(), 1);
}

TEST_P(StoredResponsesTest, OverlongModelIsCutNotRefused) {
  v1::StoredResponse stored = Response("resp_1", "owner", kResponsesStart);
  stored.set_model(std::string(300, 'm'));
  ASSERT_THAT(store_->PutStoredResponse(stored), IsOk());
  auto found = store_->GetStoredResponse("resp_1", "owner");
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->model(), std::string(128, 'm'));
  EXPECT_EQ(found->body(), stored.body());
}

TEST_P(StoredResponsesTest, UpgradesAVersion3DatabaseKeepingItsData) {
  auto old = TestDatabase::Create(GetParam());
  ASSERT_THAT(old, IsOk());
  {
    // The schema as gempool left it before stored responses, with a key and
    // an admin session.
    auto sql = (*old)->Connect();
    *sql << (GetParam() == Backend::kSqlite
                 ? "CREATE TABLE gempool_schema_migrations (version INTEGER NOT NULL PRIMARY KEY,"
                   " applied_at_ms INTEGER NOT NULL, description TEXT NOT NULL DEFAULT '')"
                 : "CREATE TABLE gempool_schema_migrations (version INT NOT NULL PRIMARY KEY,"
                   " applied_at_ms BIGINT NOT NULL, description VARCHAR(255) NOT NULL DEFAULT '')");
    for (const Migration& m : Migrations()) {
      if (m.version > 3) break;
      for (const char* statement : GetParam() == Backend::kSqlite ? m.sqlite : m.mysql) *sql << statement;
      *sql << "INSERT INTO gempool_schema_migrations (version, applied_at_ms, description) VALUES (:v, 1, 'old')",
          soci::use(m.version);
    }
    *sql << "INSERT INTO gempool_keys (secret, state, failure_count, state_reason, last_error, cooling_until_ms,"
            " model_cooldowns, created_at_ms, updated_at_ms, last_used_at_ms, underlying_state)"
            " VALUES ('AIzaOldKey', 1, 0, '', '', 0, '[]', 1, 2, 3, 0)";
    *sql << "INSERT INTO gempool_admin_sessions (id_hash, created_at_ms, expires_at_ms) VALUES ('" +
                std::string(64, 'a') + "', 1, " + std::to_string(kResponsesStart + kDay) + ")";
  }
  auto store = SociStore::Open((*old)->options(), clock_);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->Ping(), IsOkAndHolds(::testing::Field(&PingResult::schema_version, LatestSchemaVersion())));
  EXPECT_GE(LatestSchemaVersion(), 4);
  auto keys = (*store)->LoadKeys();
  ASSERT_THAT(keys, IsOk());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].secret(), "AIzaOldKey");
  EXPECT_THAT((*store)->GetAdminSession(std::string(64, 'a')), IsOk());
  const v1::StoredResponse stored = Response("resp_after_upgrade", "owner", kResponsesStart);
  ASSERT_THAT((*store)->PutStoredResponse(stored), IsOk());
  EXPECT_THAT((*store)->GetStoredResponse("resp_after_upgrade", "owner"), IsOkAndHolds(EqualsProto(stored)));
}

TEST_P(StoredResponsesTest, SurvivesReopening) {
  const v1::StoredResponse stored = Response("resp_1", "owner", kResponsesStart);
  ASSERT_THAT(store_->PutStoredResponse(stored), IsOk());
  auto reopened = Reopen();
  ASSERT_THAT(reopened, IsOk());
  EXPECT_THAT((*reopened)->GetStoredResponse("resp_1", "owner"), IsOkAndHolds(EqualsProto(stored)));
}

TEST_P(StoredResponsesTest, ABodyOverMysqlsPacketLimitSaysWhatToRaiseAndTheNextPutWorks) {
  if (GetParam() != Backend::kMysql) GTEST_SKIP() << "only MySQL limits one statement's size";
  long long packet_limit = 0;
  {
    auto sql = db_->Connect();
    *sql << "SELECT @@max_allowed_packet", soci::into(packet_limit);
  }
  if (packet_limit >= kMaxStoredResponseBodyBytes) GTEST_SKIP() << "max_allowed_packet takes any body";
  v1::StoredResponse big = Response("resp_big", "owner", kResponsesStart);
  big.set_body(std::string(static_cast<size_t>(packet_limit) + 1024, 'x'));
  EXPECT_THAT(store_->PutStoredResponse(big),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("raise max_allowed_packet")));
  // The server dropped that connection; the store reconnects instead of
  // failing the next call with "server has gone away".
  for (int i = 0; i < 4; ++i) {
    EXPECT_THAT(store_->PutStoredResponse(Response("resp_small" + std::to_string(i), "owner", kResponsesStart)), IsOk());
  }
}

GEMPOOL_INSTANTIATE_STORE_TESTS(StoredResponsesTest);

}  // namespace
}  // namespace gempool::storage
