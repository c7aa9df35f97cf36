// The Store contract, run against every backend: SQLite (a temporary file,
// always) and MariaDB/MySQL (a throwaway database, when configured).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "schema.h"
#include "test_database.h"

namespace gempool::storage {
namespace {

using ::gempool::storage::testing::EqualsProto;
using ::gempool::storage::testing::StoreTest;
using ::gempool::storage::testing::TestDatabase;
using ::gempool::testing::IsOk;
using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr int64_t kStart = 1'700'000'000'000;

class StoreContractTest : public StoreTest {
 protected:
  StoreContractTest() : StoreTest(kStart) {}

  // Adds `secrets` and returns their ids.
  std::vector<int64_t> Add(const std::vector<std::string>& secrets) {
    auto added = store_->AddKeys(secrets);
    EXPECT_THAT(added, IsOk());
    std::vector<int64_t> ids;
    if (added.ok()) {
      for (const auto& k : added->keys) ids.push_back(k.id());
    }
    return ids;
  }

  static v1::RequestLogEntry Request(int64_t time_ms, int64_t key_id, const std::string& model, int status,
                                     const std::string& operation) {
    v1::RequestLogEntry e;
    e.set_time_ms(time_ms);
    e.set_client_token_id("a1b2c3d4e5f6");
    e.set_model(model);
    e.set_operation(operation);
    e.set_key_id(key_id);
    e.set_status_code(status);
    e.set_latency_ms(1234);
    e.set_attempts(2);
    e.set_stream(operation == "streamGenerateContent");
    return e;
  }

  static v1::ErrorLogEntry Error(int64_t time_ms, int64_t key_id, const std::string& model, int status,
                                 const std::string& type, const std::string& message) {
    v1::ErrorLogEntry e;
    e.set_time_ms(time_ms);
    e.set_key_id(key_id);
    e.set_model(model);
    e.set_operation("generateContent");
    e.set_status_code(status);
    e.set_error_type(type);
    e.set_message(message);
    return e;
  }

  static v1::LogQuery Query() { return v1::LogQuery(); }

  static std::vector<int64_t> Times(const std::vector<v1::RequestLogEntry>& entries) {
    std::vector<int64_t> times;
    for (const auto& e : entries) times.push_back(e.time_ms());
    return times;
  }

  int64_t CountRequests(const v1::LogQuery& q) {
    auto page = store_->QueryRequestLogs(q);
    EXPECT_THAT(page, IsOk());
    return page.ok() ? page->total : -1;
  }
};

// --- Ping and schema ---

TEST_P(StoreContractTest, PingReportsBackendAndLatestSchema) {
  auto ping = store_->Ping();
  ASSERT_THAT(ping, IsOk());
  EXPECT_EQ(ping->backend, BackendName(GetParam()));
  EXPECT_EQ(ping->schema_version, LatestSchemaVersion());
  EXPECT_GE(ping->schema_version, 1);
}

TEST_P(StoreContractTest, ReopeningAppliesNoMigrationTwiceAndKeepsData) {
  Add({"AIzaKeepMe"});
  ASSERT_THAT(store_->PutSettings({{"MAX_RETRIES", "5"}}), IsOk());
  for (int i = 0; i < 2; ++i) {
    auto reopened = Reopen();
    ASSERT_THAT(reopened, IsOk());
    store_ = std::move(*reopened);
  }
  EXPECT_THAT(store_->Ping(), IsOkAndHolds(::testing::Field(&PingResult::schema_version, LatestSchemaVersion())));
  auto keys = store_->LoadKeys();
  ASSERT_THAT(keys, IsOk());
  ASSERT_THAT(*keys, SizeIs(1));
  EXPECT_EQ((*keys)[0].secret(), "AIzaKeepMe");
  EXPECT_THAT(store_->GetSettings(), IsOkAndHolds(ElementsAre(Pair("MAX_RETRIES", "5"))));

  auto sql = db_->Connect();
  int rows = 0;
  *sql << "SELECT COUNT(*) FROM gempool_schema_migrations", soci::into(rows);
  EXPECT_EQ(rows, static_cast<int>(Migrations().size()));
}

TEST_P(StoreContractTest, TwoStoresOpeningAFreshDatabaseAtOnceBothSucceed) {
  auto fresh = TestDatabase::Create(GetParam());
  ASSERT_THAT(fresh, IsOk());
  absl::Status results[2];
  std::thread first([&] { results[0] = SociStore::Open((*fresh)->options(), clock_).status(); });
  std::thread second([&] { results[1] = SociStore::Open((*fresh)->options(), clock_).status(); });
  first.join();
  second.join();
  EXPECT_THAT(results[0], IsOk());
  EXPECT_THAT(results[1], IsOk());
  auto sql = (*fresh)->Connect();
  int rows = 0;
  *sql << "SELECT COUNT(*) FROM gempool_schema_migrations", soci::into(rows);
  EXPECT_EQ(rows, static_cast<int>(Migrations().size()));
}

TEST_P(StoreContractTest, UpgradesAVersion1DatabaseKeepingItsKeys) {
  auto old = TestDatabase::Create(GetParam());
  ASSERT_THAT(old, IsOk());
  {
    // The schema as the first gempool left it, with a paused key.
    auto sql = (*old)->Connect();
    const Migration& first = Migrations().front();
    ASSERT_EQ(first.version, 1);
    *sql << (GetParam() == Backend::kSqlite
                 ? "CREATE TABLE gempool_schema_migrations (version INTEGER NOT NULL PRIMARY KEY,"
                   " applied_at_ms INTEGER NOT NULL, description TEXT NOT NULL DEFAULT '')"
                 : "CREATE TABLE gempool_schema_migrations (version INT NOT NULL PRIMARY KEY,"
                   " applied_at_ms BIGINT NOT NULL, description VARCHAR(255) NOT NULL DEFAULT '')");
    for (const char* statement : GetParam() == Backend::kSqlite ? first.sqlite : first.mysql) *sql << statement;
    *sql << "INSERT INTO gempool_schema_migrations (version, applied_at_ms, description) VALUES (1, 1, 'v1')";
    *sql << "INSERT INTO gempool_keys (secret, state, failure_count, state_reason, last_error, cooling_until_ms,"
            " model_cooldowns, created_at_ms, updated_at_ms, last_used_at_ms)"
            " VALUES ('AIzaOldKey', 5, 0, '', '', 0, '[]', 1, 2, 3)";
  }
  auto store = SociStore::Open((*old)->options(), clock_);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->Ping(), IsOkAndHolds(::testing::Field(&PingResult::schema_version, LatestSchemaVersion())));
  auto keys = (*store)->LoadKeys();
  ASSERT_THAT(keys, IsOk());
  ASSERT_THAT(*keys, SizeIs(1));
  EXPECT_EQ((*keys)[0].secret(), "AIzaOldKey");
  EXPECT_EQ((*keys)[0].state(), v1::KEY_STATE_PAUSED);
  EXPECT_EQ((*keys)[0].underlying_state(), v1::KEY_STATE_UNSPECIFIED);
  EXPECT_EQ((*keys)[0].last_used_at_ms(), 3);
}

TEST_P(StoreContractTest, AMigrationInterruptedAfterItsDdlIsCompletedOnMysql) {
  // MySQL commits DDL at once, so a crash can leave migration 2's column in
  // place without its version row; SQLite rolls the whole run back instead.
  if (GetParam() != Backend::kMysql) GTEST_SKIP() << "SQLite migrations are transactional";
  {
    auto sql = db_->Connect();
    *sql << "DELETE FROM gempool_schema_migrations WHERE version >= 2";
  }
  auto reopened = Reopen();
  ASSERT_THAT(reopened, IsOk());
  store_ = std::move(*reopened);
  EXPECT_THAT(store_->Ping(), IsOkAndHolds(::testing::Field(&PingResult::schema_version, LatestSchemaVersion())));
}

TEST_P(StoreContractTest, RefusesADatabaseMigratedByANewerGempool) {
  {
    auto sql = db_->Connect();
    *sql << "INSERT INTO gempool_schema_migrations (version, applied_at_ms, description) VALUES (9999, 1, 'future')";
  }
  EXPECT_THAT(Reopen(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                 ::testing::AllOf(HasSubstr("9999"), HasSubstr("newer gempool"))));
}

// --- Keys ---

TEST_P(StoreContractTest, LoadKeysOfEmptyStoreIsEmpty) { EXPECT_THAT(store_->LoadKeys(), IsOkAndHolds(IsEmpty())); }

TEST_P(StoreContractTest, AddKeysInsertsNewKeysActiveInRequestOrder) {
  auto added = store_->AddKeys({"AIzaSecondKey", "AIzaFirstKey"});
  ASSERT_THAT(added, IsOk());
  ASSERT_THAT(added->keys, SizeIs(2));
  EXPECT_THAT(added->inserted, ElementsAre(true, true));
  EXPECT_EQ(added->keys[0].secret(), "AIzaSecondKey");
  EXPECT_EQ(added->keys[1].secret(), "AIzaFirstKey");
  EXPECT_GT(added->keys[0].id(), 0);
  EXPECT_GT(added->keys[1].id(), added->keys[0].id());
  for (const auto& k : added->keys) {
    EXPECT_EQ(k.state(), v1::KEY_STATE_ACTIVE);
    EXPECT_EQ(k.created_at_ms(), kStart);
    EXPECT_EQ(k.updated_at_ms(), kStart);
    EXPECT_EQ(k.last_used_at_ms(), 0);
    EXPECT_EQ(k.failure_count(), 0);
    EXPECT_THAT(k.model_cooldowns(), IsEmpty());
  }
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(2));
  EXPECT_THAT((*loaded)[0], EqualsProto(added->keys[0]));
  EXPECT_THAT((*loaded)[1], EqualsProto(added->keys[1]));
}

TEST_P(StoreContractTest, AddKeysDedupesAgainstStoredKeysAndWithinTheRequest) {
  const std::vector<int64_t> first = Add({"AIzaOne"});
  ASSERT_THAT(first, SizeIs(1));
  clock_.AdvanceMs(1000);
  auto added = store_->AddKeys({"AIzaTwo", "AIzaOne", "AIzaTwo", "AIzaThree"});
  ASSERT_THAT(added, IsOk());
  EXPECT_THAT(added->inserted, ElementsAre(true, false, false, true));
  ASSERT_THAT(added->keys, SizeIs(4));
  EXPECT_EQ(added->keys[1].id(), first[0]);
  EXPECT_EQ(added->keys[1].created_at_ms(), kStart);  // The stored record, not a new one.
  EXPECT_EQ(added->keys[2].id(), added->keys[0].id());
  EXPECT_EQ(added->keys[2].secret(), "AIzaTwo");
  EXPECT_EQ(added->keys[0].created_at_ms(), kStart + 1000);
  EXPECT_THAT(store_->LoadKeys(), IsOkAndHolds(SizeIs(3)));
}

TEST_P(StoreContractTest, AddKeysReturnsTheStoredStateOfExistingKeys) {
  const std::vector<int64_t> ids = Add({"AIzaDisabled"});
  v1::KeyRecord state;
  state.set_id(ids[0]);
  state.set_state(v1::KEY_STATE_DISABLED);
  state.set_state_reason("API_KEY_INVALID");
  ASSERT_THAT(store_->SaveKeyStates({state}), IsOkAndHolds(1));
  auto again = store_->AddKeys({"AIzaDisabled"});
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT(again->inserted, ElementsAre(false));
  EXPECT_EQ(again->keys[0].state(), v1::KEY_STATE_DISABLED);
  EXPECT_EQ(again->keys[0].state_reason(), "API_KEY_INVALID");
}

TEST_P(StoreContractTest, KeySecretsAreCaseSensitive) {
  auto added = store_->AddKeys({"AIzaSyAbCd", "AIzaSyABCD", "AIzaSyabcd"});
  ASSERT_THAT(added, IsOk());
  EXPECT_THAT(added->inserted, ElementsAre(true, true, true));
  EXPECT_THAT(store_->LoadKeys(), IsOkAndHolds(SizeIs(3)));
}

TEST_P(StoreContractTest, AddKeysRejectsMalformedSecretsAndStoresNothing) {
  EXPECT_THAT(store_->AddKeys({"AIzaGood", ""}), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key #2")));
  EXPECT_THAT(store_->AddKeys({"AIza with space"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->AddKeys({"AIza\xe4\xbd\xa0"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->AddKeys({std::string(kMaxSecretBytes + 1, 'k')}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most")));
  EXPECT_THAT(store_->AddKeys({std::string(kMaxSecretBytes, 'k')}), IsOk());
  EXPECT_THAT(store_->LoadKeys(), IsOkAndHolds(SizeIs(1)));
  EXPECT_THAT(store_->AddKeys({}), IsOkAndHolds(::testing::Field(&AddKeysResult::keys, IsEmpty())));
}

TEST_P(StoreContractTest, DeleteKeysRemovesGivenIdsIgnoresUnknownAndNeverReusesIds) {
  const std::vector<int64_t> ids = Add({"AIzaA", "AIzaB", "AIzaC"});
  ASSERT_THAT(ids, SizeIs(3));
  EXPECT_THAT(store_->DeleteKeys({ids[0], ids[2], 987654321}), IsOkAndHolds(2));
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(1));
  EXPECT_EQ((*loaded)[0].id(), ids[1]);
  EXPECT_THAT(store_->DeleteKeys({}), IsOkAndHolds(0));
  const std::vector<int64_t> next = Add({"AIzaC"});
  ASSERT_THAT(next, SizeIs(1));
  EXPECT_GT(next[0], ids[2]);
}

TEST_P(StoreContractTest, DeleteKeysHandlesLongIdLists) {
  std::vector<std::string> secrets;
  for (int i = 0; i < 1200; ++i) secrets.push_back("AIzaBulk" + std::to_string(i));
  const std::vector<int64_t> ids = Add(secrets);
  ASSERT_THAT(ids, SizeIs(1200));
  EXPECT_THAT(store_->DeleteKeys(std::vector<int64_t>(ids.begin(), ids.begin() + 1100)), IsOkAndHolds(1100));
  EXPECT_THAT(store_->LoadKeys(), IsOkAndHolds(SizeIs(100)));
}

TEST_P(StoreContractTest, SaveKeyStatesRoundTripsEveryStateFieldIncludingModelCooldowns) {
  const std::vector<int64_t> ids = Add({"AIzaStateful", "AIzaUntouched"});
  ASSERT_THAT(ids, SizeIs(2));
  auto before = store_->LoadKeys();
  ASSERT_THAT(before, IsOk());

  v1::KeyRecord k;
  k.set_id(ids[0]);
  k.set_secret("AIzaIgnoredSecret");  // Not written.
  k.set_created_at_ms(42);            // Not written.
  k.set_state(v1::KEY_STATE_COOLING);
  k.set_failure_count(2);
  k.set_state_reason("RESOURCE_EXHAUSTED");
  k.set_last_error("Quota exceeded for quota metric 'Generate requests' \xe9\x85\x8d\xe9\xa2\x9d \xf0\x9f\x94\xa5");
  k.set_cooling_until_ms(kStart + 60'000);
  auto* c1 = k.add_model_cooldowns();
  c1->set_model("gemini-2.5-pro");
  c1->set_until_ms(kStart + 86'400'000);
  c1->set_reason("RESOURCE_EXHAUSTED GenerateRequestsPerDayPerProjectPerModel-FreeTier");
  auto* c2 = k.add_model_cooldowns();
  c2->set_model("gemini-2.5-flash");
  c2->set_until_ms(kStart + 30'000);
  c2->set_reason("\"quoted\" \\ and \xe4\xb8\xad\xe6\x96\x87");
  k.set_updated_at_ms(kStart + 5);
  k.set_last_used_at_ms(kStart + 4);
  ASSERT_THAT(store_->SaveKeyStates({k}), IsOkAndHolds(1));

  v1::KeyRecord expected = k;
  expected.set_secret("AIzaStateful");
  expected.set_created_at_ms(kStart);
  auto after = store_->LoadKeys();
  ASSERT_THAT(after, IsOk());
  ASSERT_THAT(*after, SizeIs(2));
  EXPECT_THAT((*after)[0], EqualsProto(expected));
  EXPECT_THAT((*after)[1], EqualsProto((*before)[1]));

  // Clearing the cooldowns clears them.
  k.clear_model_cooldowns();
  k.set_state(v1::KEY_STATE_ACTIVE);
  ASSERT_THAT(store_->SaveKeyStates({k}), IsOkAndHolds(1));
  after = store_->LoadKeys();
  ASSERT_THAT(after, IsOk());
  EXPECT_THAT((*after)[0].model_cooldowns(), IsEmpty());
  EXPECT_EQ((*after)[0].state(), v1::KEY_STATE_ACTIVE);
}

TEST_P(StoreContractTest, SaveKeyStatesLastRecordPerIdWinsAndUnknownIdsAreSkipped) {
  const std::vector<int64_t> ids = Add({"AIzaA", "AIzaB"});
  std::vector<v1::KeyRecord> batch(4);
  batch[0].set_id(ids[0]);
  batch[0].set_state(v1::KEY_STATE_COOLING);
  batch[1].set_id(ids[1]);
  batch[1].set_state(v1::KEY_STATE_PAUSED);
  batch[2].set_id(987654321);
  batch[2].set_state(v1::KEY_STATE_ACTIVE);
  batch[3].set_id(ids[0]);
  batch[3].set_state(v1::KEY_STATE_DISABLED);
  batch[3].set_state_reason("MAX_FAILURES");
  EXPECT_THAT(store_->SaveKeyStates(batch), IsOkAndHolds(2));
  // Saving unchanged values still counts the rows.
  EXPECT_THAT(store_->SaveKeyStates(batch), IsOkAndHolds(2));
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(2));
  EXPECT_EQ((*loaded)[0].state(), v1::KEY_STATE_DISABLED);
  EXPECT_EQ((*loaded)[0].state_reason(), "MAX_FAILURES");
  EXPECT_EQ((*loaded)[1].state(), v1::KEY_STATE_PAUSED);
  EXPECT_THAT(store_->SaveKeyStates({}), IsOkAndHolds(0));
}

TEST_P(StoreContractTest, SaveKeyStatesRejectsRecordsWithoutIdOrStateAndWritesNothing) {
  const std::vector<int64_t> ids = Add({"AIzaA"});
  v1::KeyRecord good;
  good.set_id(ids[0]);
  good.set_state(v1::KEY_STATE_PAUSED);
  v1::KeyRecord no_id;
  no_id.set_state(v1::KEY_STATE_ACTIVE);
  EXPECT_THAT(store_->SaveKeyStates({good, no_id}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key record #2")));
  v1::KeyRecord no_state;
  no_state.set_id(ids[0]);
  EXPECT_THAT(store_->SaveKeyStates({no_state}), StatusIs(absl::StatusCode::kInvalidArgument));
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)[0].state(), v1::KEY_STATE_ACTIVE);
}

TEST_P(StoreContractTest, SaveKeyStatesTruncatesOverlongTextInsteadOfFailing) {
  const std::vector<int64_t> ids = Add({"AIzaA"});
  v1::KeyRecord k;
  k.set_id(ids[0]);
  k.set_state(v1::KEY_STATE_FAILING);
  k.set_state_reason(std::string(1000, 'r'));
  k.set_last_error(std::string(100'000, 'e') + "\xff");
  ASSERT_THAT(store_->SaveKeyStates({k}), IsOkAndHolds(1));
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)[0].state_reason(), std::string(255, 'r'));
  EXPECT_EQ((*loaded)[0].last_error(), std::string(16 * 1024, 'e'));
}

TEST_P(StoreContractTest, PausedKeysKeepTheStateUnderneathThePause) {
  const std::vector<int64_t> ids = Add({"AIzaPausedDisabled", "AIzaActive"});
  v1::KeyRecord paused;
  paused.set_id(ids[0]);
  paused.set_state(v1::KEY_STATE_PAUSED);
  paused.set_underlying_state(v1::KEY_STATE_DISABLED);
  paused.set_state_reason("API_KEY_INVALID");
  v1::KeyRecord active;
  active.set_id(ids[1]);
  active.set_state(v1::KEY_STATE_ACTIVE);
  active.set_underlying_state(v1::KEY_STATE_DISABLED);  // Meaningless unless paused: not stored.
  ASSERT_THAT(store_->SaveKeyStates({paused, active}), IsOkAndHolds(2));
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(2));
  EXPECT_EQ((*loaded)[0].state(), v1::KEY_STATE_PAUSED);
  EXPECT_EQ((*loaded)[0].underlying_state(), v1::KEY_STATE_DISABLED);
  EXPECT_EQ((*loaded)[1].underlying_state(), v1::KEY_STATE_UNSPECIFIED);
  auto again = store_->AddKeys({"AIzaPausedDisabled"});
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->keys[0].underlying_state(), v1::KEY_STATE_DISABLED);

  // Resumed: the state underneath is cleared.
  paused.set_state(v1::KEY_STATE_DISABLED);
  ASSERT_THAT(store_->SaveKeyStates({paused}), IsOkAndHolds(1));
  loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)[0].state(), v1::KEY_STATE_DISABLED);
  EXPECT_EQ((*loaded)[0].underlying_state(), v1::KEY_STATE_UNSPECIFIED);

  v1::KeyRecord bad = paused;
  bad.set_state(v1::KEY_STATE_PAUSED);
  bad.set_underlying_state(v1::KEY_STATE_PAUSED);
  EXPECT_THAT(store_->SaveKeyStates({bad}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("underlying_state")));
}

TEST_P(StoreContractTest, PausedRowsFromBeforeTheUnderlyingStateLoadWithoutOne) {
  const std::vector<int64_t> ids = Add({"AIzaOldPaused"});
  {
    // A row as gempool wrote it before migration 2: PAUSED, column default.
    auto sql = db_->Connect();
    *sql << "UPDATE gempool_keys SET state = 5, underlying_state = 0";
  }
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(1));
  EXPECT_EQ((*loaded)[0].id(), ids[0]);
  EXPECT_EQ((*loaded)[0].state(), v1::KEY_STATE_PAUSED);
  EXPECT_EQ((*loaded)[0].underlying_state(), v1::KEY_STATE_UNSPECIFIED);
}

// --- Request and error logs ---

TEST_P(StoreContractTest, RequestLogsRoundTripNewestFirst) {
  std::vector<v1::RequestLogEntry> entries = {Request(kStart, 1, "gemini-2.5-flash", 200, "generateContent"),
                                              Request(kStart + 2, 2, "gemini-2.5-pro", 429, "streamGenerateContent"),
                                              Request(kStart + 1, 0, "", 401, "listModels")};
  ASSERT_THAT(store_->WriteRequestLogs(entries), IsOkAndHolds(3));
  auto page = store_->QueryRequestLogs(Query());
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->total, 3);
  ASSERT_THAT(page->entries, SizeIs(3));
  const std::vector<int> order = {1, 2, 0};
  for (size_t i = 0; i < order.size(); ++i) {
    v1::RequestLogEntry expected = entries[order[i]];
    EXPECT_GT(page->entries[i].id(), 0);
    expected.set_id(page->entries[i].id());
    EXPECT_THAT(page->entries[i], EqualsProto(expected));
  }
  EXPECT_THAT(store_->WriteRequestLogs({}), IsOkAndHolds(0));
}

TEST_P(StoreContractTest, RequestIdsUsageAndUpstreamTimeRoundTripAndRequestIdFilters) {
  v1::RequestLogEntry used = Request(kStart, 1, "gemini-2.5-flash", 200, "generateContent");
  used.set_request_id("req-7f3a");
  used.set_upstream_ms(812);
  v1::TokenUsage& usage = *used.mutable_usage();
  usage.set_prompt_tokens(120);
  usage.set_candidates_tokens(30);
  usage.set_thoughts_tokens(45);
  usage.set_cached_tokens(100);
  usage.set_tool_use_prompt_tokens(5);
  usage.set_total_tokens(200);
  v1::RequestLogEntry other = Request(kStart + 1, 1, "gemini-2.5-flash", 200, "generateContent");
  other.set_request_id("req-other");
  ASSERT_THAT(store_->WriteRequestLogs({used, other}), IsOkAndHolds(2));
  v1::ErrorLogEntry failed = Error(kStart, 1, "gemini-2.5-flash", 500, "INTERNAL", "boom");
  failed.set_request_id("req-7f3a");
  ASSERT_THAT(store_->WriteErrorLogs({failed, Error(kStart + 1, 2, "m", 503, "UNAVAILABLE", "later")}),
              IsOkAndHolds(2));

  v1::LogQuery by_id = Query();
  by_id.set_request_id("req-7f3a");
  auto requests = store_->QueryRequestLogs(by_id);
  ASSERT_THAT(requests, IsOk());
  ASSERT_THAT(requests->entries, SizeIs(1));
  used.set_id(requests->entries[0].id());
  EXPECT_THAT(requests->entries[0], EqualsProto(used));
  auto errors = store_->QueryErrorLogs(by_id);
  ASSERT_THAT(errors, IsOk());
  ASSERT_THAT(errors->entries, SizeIs(1));
  EXPECT_EQ(errors->entries[0].request_id(), "req-7f3a");
  EXPECT_EQ(errors->entries[0].message(), "boom");

  // Exact match only: a prefix finds nothing.
  by_id.set_request_id("req-7");
  auto none = store_->QueryRequestLogs(by_id);
  ASSERT_THAT(none, IsOk());
  EXPECT_EQ(none->total, 0);
}

TEST_P(StoreContractTest, LogRowsWithTimeZeroAreStampedNow) {
  clock_.SetUnixMs(kStart + 777);
  ASSERT_THAT(store_->WriteRequestLogs({Request(0, 1, "m", 200, "generateContent")}), IsOkAndHolds(1));
  ASSERT_THAT(store_->WriteErrorLogs({Error(0, 1, "m", 500, "INTERNAL", "boom")}), IsOkAndHolds(1));
  auto requests = store_->QueryRequestLogs(Query());
  ASSERT_THAT(requests, IsOk());
  ASSERT_THAT(requests->entries, SizeIs(1));
  EXPECT_EQ(requests->entries[0].time_ms(), kStart + 777);
  auto errors = store_->QueryErrorLogs(Query());
  ASSERT_THAT(errors, IsOk());
  ASSERT_THAT(errors->entries, SizeIs(1));
  EXPECT_EQ(errors->entries[0].time_ms(), kStart + 777);
}

TEST_P(StoreContractTest, RequestLogFiltersCombine) {
  std::vector<v1::RequestLogEntry> entries;
  for (int i = 0; i < 20; ++i) {
    entries.push_back(Request(kStart + i, 1 + i % 2, i % 4 < 2 ? "gemini-2.5-flash" : "gemini-2.5-pro",
                              i % 5 == 0 ? 429 : 200, i % 3 == 0 ? "streamGenerateContent" : "generateContent"));
  }
  ASSERT_THAT(store_->WriteRequestLogs(entries), IsOkAndHolds(20));
  const auto count_if = [&](auto pred) {
    return static_cast<int64_t>(std::count_if(entries.begin(), entries.end(), pred));
  };
  v1::LogQuery q;
  q.set_since_ms(kStart + 5);
  q.set_until_ms(kStart + 15);
  EXPECT_EQ(CountRequests(q), 10);
  q = Query();
  q.set_since_ms(kStart + 18);
  EXPECT_EQ(CountRequests(q), 2);
  q = Query();
  q.set_until_ms(kStart + 3);
  EXPECT_EQ(CountRequests(q), 3);
  q = Query();
  q.set_key_id(2);
  EXPECT_EQ(CountRequests(q), count_if([](const auto& e) { return e.key_id() == 2; }));
  q = Query();
  q.set_model("gemini-2.5-pro");
  EXPECT_EQ(CountRequests(q), count_if([](const auto& e) { return e.model() == "gemini-2.5-pro"; }));
  q.set_model("GEMINI-2.5-PRO");  // Model filters are exact.
  EXPECT_EQ(CountRequests(q), 0);
  q = Query();
  q.set_status_code(429);
  EXPECT_EQ(CountRequests(q), 4);
  q = Query();
  q.set_text("STREAM");  // Case-insensitive substring of the operation.
  EXPECT_EQ(CountRequests(q), count_if([](const auto& e) { return e.operation() == "streamGenerateContent"; }));
  q = Query();
  q.set_key_id(1);
  q.set_model("gemini-2.5-flash");
  q.set_status_code(200);
  q.set_since_ms(kStart + 1);
  const int64_t expected = count_if([](const auto& e) {
    return e.key_id() == 1 && e.model() == "gemini-2.5-flash" && e.status_code() == 200 && e.time_ms() >= kStart + 1;
  });
  auto page = store_->QueryRequestLogs(q);
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->total, expected);
  ASSERT_THAT(page->entries, SizeIs(expected));
  for (const auto& e : page->entries) {
    EXPECT_EQ(e.key_id(), 1);
    EXPECT_EQ(e.model(), "gemini-2.5-flash");
    EXPECT_EQ(e.status_code(), 200);
  }
}

TEST_P(StoreContractTest, LogQueriesPaginateWithTotalBeforePagination) {
  std::vector<v1::RequestLogEntry> entries;
  for (int i = 0; i < 250; ++i) entries.push_back(Request(kStart + i, 1, "m", 200, "generateContent"));
  ASSERT_THAT(store_->WriteRequestLogs(entries), IsOkAndHolds(250));

  auto first = store_->QueryRequestLogs(Query());  // Default page size.
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->total, 250);
  ASSERT_THAT(first->entries, SizeIs(kDefaultLogLimit));
  EXPECT_EQ(first->entries.front().time_ms(), kStart + 249);
  EXPECT_EQ(first->entries.back().time_ms(), kStart + 150);

  v1::LogQuery q;
  q.set_limit(30);
  q.set_offset(230);
  auto last = store_->QueryRequestLogs(q);
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(last->total, 250);
  EXPECT_EQ(Times(last->entries), (std::vector<int64_t>{kStart + 19, kStart + 18, kStart + 17, kStart + 16, kStart + 15,
                                                        kStart + 14, kStart + 13, kStart + 12, kStart + 11, kStart + 10,
                                                        kStart + 9,  kStart + 8,  kStart + 7,  kStart + 6,  kStart + 5,
                                                        kStart + 4,  kStart + 3,  kStart + 2,  kStart + 1,  kStart}));
  q.set_offset(250);
  auto past = store_->QueryRequestLogs(q);
  ASSERT_THAT(past, IsOk());
  EXPECT_THAT(past->entries, IsEmpty());
  EXPECT_EQ(past->total, 250);

  q = Query();
  q.set_limit(kMaxLogLimit);
  EXPECT_THAT(store_->QueryRequestLogs(q),
              IsOkAndHolds(::testing::Field(&LogPage<v1::RequestLogEntry>::entries, SizeIs(250))));
}

TEST_P(StoreContractTest, RowsWithEqualTimesAreOrderedByIdNewestFirst) {
  ASSERT_THAT(store_->WriteRequestLogs({Request(kStart, 1, "a", 200, "first"), Request(kStart, 1, "b", 200, "second")}),
              IsOkAndHolds(2));
  auto page = store_->QueryRequestLogs(Query());
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->entries, SizeIs(2));
  EXPECT_EQ(page->entries[0].operation(), "second");
  EXPECT_GT(page->entries[0].id(), page->entries[1].id());
}

TEST_P(StoreContractTest, LogQueriesRejectBadLimitsOffsetsAndRanges) {
  v1::LogQuery q;
  q.set_limit(kMaxLogLimit + 1);
  EXPECT_THAT(store_->QueryRequestLogs(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  EXPECT_THAT(store_->QueryErrorLogs(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  q = Query();
  q.set_limit(-1);
  EXPECT_THAT(store_->QueryRequestLogs(q), StatusIs(absl::StatusCode::kInvalidArgument));
  q = Query();
  q.set_offset(-5);
  EXPECT_THAT(store_->QueryErrorLogs(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("offset")));
  q = Query();
  q.set_since_ms(kStart + 10);
  q.set_until_ms(kStart);
  EXPECT_THAT(store_->QueryRequestLogs(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("since_ms")));
}

TEST_P(StoreContractTest, LargeRequestLogBatchIsWrittenWhole) {
  std::vector<v1::RequestLogEntry> entries;
  for (int i = 0; i < 1234; ++i) {
    entries.push_back(Request(kStart + i, i % 7, "gemini-2.5-flash", 200, "generateContent"));
  }
  ASSERT_THAT(store_->WriteRequestLogs(entries), IsOkAndHolds(1234));
  EXPECT_EQ(CountRequests(Query()), 1234);
}

TEST_P(StoreContractTest, OddLogTextIsCleanedSoTheBatchIsKept) {
  std::vector<v1::RequestLogEntry> entries = {
      Request(kStart, 1, std::string(500, 'm'), 200, "generateContent"),
      Request(kStart + 1, 1, "bad\xff\xfeutf8", 200, "generateContent"),
      Request(kStart + 2, 1, "gemini-\xe4\xb8\xad", 200, std::string(100, 'o'))};
  ASSERT_THAT(store_->WriteRequestLogs(entries), IsOkAndHolds(3));
  auto page = store_->QueryRequestLogs(Query());
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->entries, SizeIs(3));
  EXPECT_EQ(page->entries[0].model(), "gemini-\xe4\xb8\xad");
  EXPECT_EQ(page->entries[0].operation(), std::string(64, 'o'));
  EXPECT_EQ(page->entries[1].model(), "bad??utf8");
  EXPECT_EQ(page->entries[2].model(), std::string(128, 'm'));
}

TEST_P(StoreContractTest, ErrorLogsRoundTripAndFilter) {
  const std::string long_message = std::string(16 * 1024 - 8, 'x') + "\xe9\x85\x8d\xe9\xa2\x9d";
  std::vector<v1::ErrorLogEntry> entries = {
      Error(kStart, 1, "gemini-2.5-flash", 429, "RESOURCE_EXHAUSTED", "Quota exceeded for GenerateRequestsPerMinute"),
      Error(kStart + 1, 2, "gemini-2.5-pro", 400, "API_KEY_INVALID", "API key not valid. Please pass a valid API key."),
      Error(kStart + 2, 2, "gemini-2.5-flash", 0, "TIMEOUT", "100% broken_thing"),
      Error(kStart + 3, 3, "gemini-2.5-flash", 500, "INTERNAL", long_message)};
  ASSERT_THAT(store_->WriteErrorLogs(entries), IsOkAndHolds(4));

  auto all = store_->QueryErrorLogs(Query());
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->total, 4);
  ASSERT_THAT(all->entries, SizeIs(4));
  for (size_t i = 0; i < 4; ++i) {
    v1::ErrorLogEntry expected = entries[3 - i];
    expected.set_id(all->entries[i].id());
    EXPECT_THAT(all->entries[i], EqualsProto(expected));
  }

  const auto count = [&](v1::LogQuery q) {
    auto page = store_->QueryErrorLogs(q);
    EXPECT_THAT(page, IsOk());
    return page.ok() ? page->total : -1;
  };
  v1::LogQuery q;
  q.set_text("QUOTA");  // Case-insensitive substring of the message.
  EXPECT_EQ(count(q), 1);
  q.set_text("%");  // LIKE wildcards in the text are literal.
  EXPECT_EQ(count(q), 1);
  q.set_text("_");
  EXPECT_EQ(count(q), 1);
  q.set_text("nothing matches this");
  EXPECT_EQ(count(q), 0);
  q = Query();
  q.set_key_id(2);
  EXPECT_EQ(count(q), 2);
  q = Query();
  q.set_status_code(429);
  EXPECT_EQ(count(q), 1);
  q = Query();
  q.set_model("gemini-2.5-flash");
  q.set_until_ms(kStart + 3);
  EXPECT_EQ(count(q), 2);
}

// A page of error rows carries each request body's first
// kErrorLogBodyPreviewBytes bytes, cut on a character boundary, and its whole
// size; the row asked for by id carries the whole body.
TEST_P(StoreContractTest, ErrorLogPagesCarryABodyPreviewAndOneRowByIdItsWholeBody) {
  ASSERT_EQ(kErrorLogBodyPreviewBytes, 256u) << "the bodies below are cut around byte 256";
  const std::string chinese = "\xe4\xb8\xad";      // U+4E2D, 3 bytes.
  const std::string emoji = "\xf0\x9f\x98\x80";   // U+1F600, 4 bytes.
  // 64 KiB, the most a row keeps, ending in a tail only the whole body has.
  const std::string largest = std::string(64 * 1024 - 4, 'b') + "tail";
  // Byte 256 falls inside a character: the preview stops before it.
  const std::string cut_in_a_character = std::string(255, 'a') + chinese + "after";
  const std::string cut_in_an_emoji = std::string(254, 'e') + emoji + "after";
  // 100 characters of 3 bytes: 300 bytes (a count of characters says 100).
  std::string all_chinese;
  for (int i = 0; i < 100; ++i) all_chinese += chinese;
  const std::string small = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
  const std::vector<std::string> bodies = {largest, cut_in_a_character, cut_in_an_emoji, all_chinese, small, ""};
  std::vector<v1::ErrorLogEntry> entries;
  for (size_t i = 0; i < bodies.size(); ++i) {
    entries.push_back(Error(kStart + static_cast<int64_t>(i), 1, "gemini-2.5-flash", 500, "INTERNAL", "boom"));
    entries.back().set_request_body(bodies[i]);
    entries.back().set_request_id("req-" + std::to_string(i));
  }
  ASSERT_THAT(store_->WriteErrorLogs(entries), IsOkAndHolds(static_cast<int>(bodies.size())));

  auto page = store_->QueryErrorLogs(Query());
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->entries, SizeIs(bodies.size()));
  // Newest first: the empty body's row leads.
  std::vector<v1::ErrorLogEntry> listed(page->entries.rbegin(), page->entries.rend());
  EXPECT_EQ(listed[0].request_body(), std::string(256, 'b'));
  EXPECT_EQ(listed[0].request_body_bytes(), 64 * 1024);
  EXPECT_EQ(listed[1].request_body(), std::string(255, 'a'));
  EXPECT_EQ(listed[1].request_body_bytes(), 255 + 3 + 5);
  EXPECT_EQ(listed[2].request_body(), std::string(254, 'e'));
  EXPECT_EQ(listed[2].request_body_bytes(), 254 + 4 + 5);
  EXPECT_EQ(listed[3].request_body(), all_chinese.substr(0, 85 * 3));
  EXPECT_EQ(listed[3].request_body_bytes(), 300);
  EXPECT_EQ(listed[4].request_body(), small);
  EXPECT_EQ(listed[4].request_body_bytes(), static_cast<int64_t>(small.size()));
  EXPECT_EQ(listed[5].request_body(), "");
  EXPECT_EQ(listed[5].request_body_bytes(), 0);

  for (size_t i = 0; i < bodies.size(); ++i) {
    v1::LogQuery by_id;
    by_id.set_id(listed[i].id());
    auto one = store_->QueryErrorLogs(by_id);
    ASSERT_THAT(one, IsOk());
    EXPECT_EQ(one->total, 1);
    ASSERT_THAT(one->entries, SizeIs(1));
    v1::ErrorLogEntry expected = entries[i];
    expected.set_id(listed[i].id());
    expected.set_request_body_bytes(static_cast<int64_t>(bodies[i].size()));
    EXPECT_THAT(one->entries[0], EqualsProto(expected)) << "row " << i;
  }

  // The id alone decides: the other filters and the page do not apply.
  v1::LogQuery by_id_and_more;
  by_id_and_more.set_id(listed[1].id());
  by_id_and_more.set_model("another-model");
  by_id_and_more.set_offset(10);
  auto one = store_->QueryErrorLogs(by_id_and_more);
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(one->entries, SizeIs(1));
  EXPECT_EQ(one->entries[0].request_body(), cut_in_a_character);
}

TEST_P(StoreContractTest, ALogRowAskedForByAnUnknownIdIsNotFoundByItsId) {
  ASSERT_THAT(store_->WriteErrorLogs({Error(kStart, 1, "m", 500, "INTERNAL", "boom")}), IsOkAndHolds(1));
  ASSERT_THAT(store_->WriteRequestLogs({Request(kStart, 1, "m", 200, "generateContent")}), IsOkAndHolds(1));
  auto errors = store_->QueryErrorLogs(Query());
  ASSERT_THAT(errors, IsOk());
  ASSERT_THAT(errors->entries, SizeIs(1));
  const int64_t unknown = errors->entries[0].id() + 1000;
  v1::LogQuery q;
  q.set_id(unknown);
  EXPECT_THAT(store_->QueryErrorLogs(q),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("error log row " + std::to_string(unknown))));
  EXPECT_THAT(store_->QueryRequestLogs(q),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("request log row " + std::to_string(unknown))));
  q.set_id(-3);
  EXPECT_THAT(store_->QueryErrorLogs(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-3")));
  EXPECT_THAT(store_->QueryRequestLogs(q), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("-3")));

  // A request log row by its id, too.
  auto requests = store_->QueryRequestLogs(Query());
  ASSERT_THAT(requests, IsOk());
  ASSERT_THAT(requests->entries, SizeIs(1));
  q.set_id(requests->entries[0].id());
  auto request = store_->QueryRequestLogs(q);
  ASSERT_THAT(request, IsOk());
  ASSERT_THAT(request->entries, SizeIs(1));
  EXPECT_THAT(request->entries[0], EqualsProto(requests->entries[0]));
}

TEST_P(StoreContractTest, ConcurrentLogWritersAllLand) {
  std::vector<std::thread> threads;
  std::vector<absl::Status> failures(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < 10; ++b) {
        std::vector<v1::RequestLogEntry> batch;
        for (int i = 0; i < 20; ++i) batch.push_back(Request(kStart + t * 1000 + b * 20 + i, t, "m", 200, "op"));
        auto written = store_->WriteRequestLogs(batch);
        if (!written.ok()) failures[t] = written.status();
      }
      auto page = store_->QueryRequestLogs(Query());
      if (!page.ok()) failures[t] = page.status();
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) EXPECT_THAT(failure, IsOk());
  EXPECT_EQ(CountRequests(Query()), 4 * 10 * 20);
}

// --- Key usage ---

TEST_P(StoreContractTest, KeyUsageCountsCallsAndFailuresPerKeyAndModelSinceATime) {
  std::vector<v1::RequestLogEntry> entries = {
      Request(kStart - 10, 1, "gemini-2.5-flash", 200, "generateContent"),  // Before since.
      Request(kStart, 1, "gemini-2.5-flash", 200, "generateContent"),
      Request(kStart + 1, 1, "gemini-2.5-flash", 429, "generateContent"),
      Request(kStart + 2, 1, "gemini-2.5-flash", 399, "generateContent"),
      Request(kStart + 3, 1, "gemini-2.5-pro", 500, "streamGenerateContent"),
      Request(kStart + 4, 2, "gemini-2.5-flash", 400, "generateContent"),
      Request(kStart + 5, 2, "gemini-2.5-flash", 200, "generateContent"),
      Request(kStart + 6, 0, "", 401, "listModels"),
      Request(kStart + 7, 3, "", 200, "listModels"),
  };
  ASSERT_THAT(store_->WriteRequestLogs(entries), IsOkAndHolds(9));
  const auto row = [](int64_t key_id, const std::string& model, int64_t calls, int64_t failures) {
    v1::KeyUsageRow r;
    r.set_key_id(key_id);
    r.set_model(model);
    r.set_calls(calls);
    r.set_failures(failures);
    return r;
  };
  auto all = store_->GetKeyUsage({}, kStart);
  ASSERT_THAT(all, IsOk());
  EXPECT_THAT(*all, ElementsAre(EqualsProto(row(0, "", 1, 1)), EqualsProto(row(1, "gemini-2.5-flash", 3, 1)),
                                EqualsProto(row(1, "gemini-2.5-pro", 1, 1)),
                                EqualsProto(row(2, "gemini-2.5-flash", 2, 1)), EqualsProto(row(3, "", 1, 0))));

  auto some = store_->GetKeyUsage({2, 1, 2, 99}, 0);
  ASSERT_THAT(some, IsOk());
  EXPECT_THAT(*some, ElementsAre(EqualsProto(row(1, "gemini-2.5-flash", 4, 1)),
                                 EqualsProto(row(1, "gemini-2.5-pro", 1, 1)),
                                 EqualsProto(row(2, "gemini-2.5-flash", 2, 1))));
  EXPECT_THAT(store_->GetKeyUsage({1}, kStart + 100), IsOkAndHolds(IsEmpty()));
  EXPECT_THAT(store_->GetKeyUsage({}, -1), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("since_ms")));
}

TEST_P(StoreContractTest, KeyUsageHandlesLongIdLists) {
  std::vector<v1::RequestLogEntry> entries;
  std::vector<int64_t> ids;
  for (int i = 1; i <= 1200; ++i) {
    entries.push_back(Request(kStart, i, "m", i % 2 == 0 ? 200 : 503, "generateContent"));
    ids.push_back(i);
  }
  ASSERT_THAT(store_->WriteRequestLogs(entries), IsOkAndHolds(1200));
  ids.push_back(5000);
  auto rows = store_->GetKeyUsage(ids, 0);
  ASSERT_THAT(rows, IsOk());
  ASSERT_THAT(*rows, SizeIs(1200));
  for (size_t i = 0; i < rows->size(); ++i) {
    EXPECT_EQ((*rows)[i].key_id(), static_cast<int64_t>(i) + 1);
    EXPECT_EQ((*rows)[i].calls(), 1);
    EXPECT_EQ((*rows)[i].failures(), (i + 1) % 2 == 0 ? 0 : 1);
  }
}

// --- Settings ---

TEST_P(StoreContractTest, SettingsAreUpsertedAndOthersKept) {
  EXPECT_THAT(store_->GetSettings(), IsOkAndHolds(IsEmpty()));
  ASSERT_THAT(store_->PutSettings({{"MAX_RETRIES", "3"}, {"API_KEYS", "[\"AIzaA\",\"AIzaB\"]"}}), IsOk());
  ASSERT_THAT(
      store_->PutSettings({{"MAX_RETRIES", "5"}, {"TIMEZONE", "Asia/\xe4\xb8\x8a\xe6\xb5\xb7"}, {"PROXIES", ""}}),
      IsOk());
  EXPECT_THAT(store_->GetSettings(), IsOkAndHolds(UnorderedElementsAre(
                                         Pair("MAX_RETRIES", "5"), Pair("API_KEYS", "[\"AIzaA\",\"AIzaB\"]"),
                                         Pair("TIMEZONE", "Asia/\xe4\xb8\x8a\xe6\xb5\xb7"), Pair("PROXIES", ""))));
  EXPECT_THAT(store_->PutSettings({}), IsOk());
}

TEST_P(StoreContractTest, SettingNamesAreCaseSensitive) {
  ASSERT_THAT(store_->PutSettings({{"LOG_LEVEL", "INFO"}, {"log_level", "debug"}}), IsOk());
  EXPECT_THAT(store_->GetSettings(), IsOkAndHolds(SizeIs(2)));
}

TEST_P(StoreContractTest, PutSettingsRejectsBadNamesAndValuesAndWritesNothing) {
  for (const std::string& name :
       std::vector<std::string>{"", "1ABC", "MAX-RETRIES", "MAX RETRIES", std::string(200, 'A')}) {
    EXPECT_THAT(store_->PutSettings({{"GOOD", "1"}, {name, "1"}}),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("setting name")))
        << name;
  }
  EXPECT_THAT(store_->PutSettings({{"GOOD", "\xff"}}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(store_->GetSettings(), IsOkAndHolds(IsEmpty()));
}

// --- Admin web UI ---

TEST_P(StoreContractTest, AdminSessionsAreCreatedFoundRevokedAndExpire) {
  const std::string a(64, 'a');
  const std::string b(64, 'b');
  v1::AdminSession session;
  session.set_id_hash(a);
  session.set_created_at_ms(kStart);
  session.set_expires_at_ms(kStart + 1000);
  ASSERT_THAT(store_->CreateAdminSession(session), IsOk());
  EXPECT_THAT(store_->CreateAdminSession(session), StatusIs(absl::StatusCode::kAlreadyExists));
  auto found = store_->GetAdminSession(a);
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ(found->expires_at_ms(), kStart + 1000);
  EXPECT_EQ(found->created_at_ms(), kStart);
  EXPECT_THAT(store_->GetAdminSession(b), StatusIs(absl::StatusCode::kNotFound));

  session.set_id_hash(b);
  ASSERT_THAT(store_->CreateAdminSession(session), IsOk());
  EXPECT_THAT(store_->DeleteAdminSession(b), IsOkAndHolds(true));
  EXPECT_THAT(store_->DeleteAdminSession(b), IsOkAndHolds(false));
  EXPECT_THAT(store_->GetAdminSession(b), StatusIs(absl::StatusCode::kNotFound));

  clock_.AdvanceMs(1000);
  EXPECT_THAT(store_->GetAdminSession(a), StatusIs(absl::StatusCode::kNotFound)) << "expired";
  // Creating another session sweeps the expired one away.
  session.set_id_hash(std::string(64, 'c'));
  session.set_created_at_ms(kStart + 1000);
  session.set_expires_at_ms(kStart + 5000);
  ASSERT_THAT(store_->CreateAdminSession(session), IsOk());
  auto sql = db_->Connect();
  int rows = 0;
  *sql << "SELECT COUNT(*) FROM gempool_admin_sessions", soci::into(rows);
  EXPECT_EQ(rows, 1);
}

TEST_P(StoreContractTest, AdminSessionsRejectBadInput) {
  v1::AdminSession session;
  session.set_id_hash("not-hex");
  session.set_created_at_ms(kStart);
  session.set_expires_at_ms(kStart + 1);
  EXPECT_THAT(store_->CreateAdminSession(session), StatusIs(absl::StatusCode::kInvalidArgument));
  session.set_id_hash(std::string(64, 'A'));
  EXPECT_THAT(store_->CreateAdminSession(session), StatusIs(absl::StatusCode::kInvalidArgument)) << "lowercase only";
  session.set_id_hash(std::string(64, 'a'));
  session.set_expires_at_ms(kStart);
  EXPECT_THAT(store_->CreateAdminSession(session), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(store_->GetAdminSession("x"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(StoreContractTest, DeleteLogsByIdsAllOrAge) {
  ASSERT_THAT(store_->WriteRequestLogs({Request(kStart, 1, "m", 200, "generateContent"),
                                        Request(kStart + 10, 1, "m", 200, "generateContent"),
                                        Request(kStart + 20, 1, "m", 500, "generateContent")}),
              IsOkAndHolds(3));
  ASSERT_THAT(store_->WriteErrorLogs({Error(kStart, 1, "m", 500, "INTERNAL", "x")}), IsOkAndHolds(1));
  auto page = store_->QueryRequestLogs(Query());
  ASSERT_THAT(page, IsOk());
  ASSERT_EQ(page->entries.size(), 3u);

  v1::DeleteLogsRequest by_id;
  by_id.set_table(v1::LOG_TABLE_REQUEST);
  by_id.add_ids(page->entries[0].id());
  by_id.add_ids(987654);
  EXPECT_THAT(store_->DeleteLogs(by_id), IsOkAndHolds(1));

  v1::DeleteLogsRequest old;
  old.set_table(v1::LOG_TABLE_REQUEST);
  old.set_before_ms(kStart + 10);
  EXPECT_THAT(store_->DeleteLogs(old), IsOkAndHolds(1));
  auto left = store_->QueryRequestLogs(Query());
  ASSERT_THAT(left, IsOk());
  EXPECT_EQ(left->total, 1);
  EXPECT_EQ(left->entries[0].time_ms(), kStart + 10);

  v1::DeleteLogsRequest all;
  all.set_table(v1::LOG_TABLE_ERROR);
  all.set_all(true);
  EXPECT_THAT(store_->DeleteLogs(all), IsOkAndHolds(1));
  EXPECT_THAT(store_->QueryRequestLogs(Query()), IsOk());
  EXPECT_EQ(store_->QueryRequestLogs(Query())->total, 1) << "the other table is untouched";

  v1::DeleteLogsRequest bad;
  EXPECT_THAT(store_->DeleteLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << "no table";
  bad.set_table(v1::LOG_TABLE_ERROR);
  EXPECT_THAT(store_->DeleteLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << "no selector";
  bad.set_all(true);
  bad.set_before_ms(5);
  EXPECT_THAT(store_->DeleteLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << "two selectors";
}

TEST_P(StoreContractTest, AggregateRequestLogsBucketsGroupsAndLatency) {
  const int64_t minute = 60000;
  std::vector<v1::RequestLogEntry> rows;
  auto add = [&](int64_t t, int64_t key, const std::string& model, int status, int64_t latency) {
    v1::RequestLogEntry e = Request(t, key, model, status, "generateContent");
    e.set_latency_ms(latency);
    rows.push_back(e);
  };
  add(kStart - 1, 1, "flash", 200, 10);  // Before the window.
  add(kStart, 1, "flash", 200, 40);
  add(kStart + 30000, 2, "flash", 429, 120);
  add(kStart + minute, 1, "pro", 200, 250);
  add(kStart + 2 * minute + 5, 2, "flash", 200, 99999999);
  add(kStart + 3 * minute, 1, "flash", 200, 10);  // After the window.
  ASSERT_THAT(store_->WriteRequestLogs(rows), IsOk());

  v1::AggregateRequestLogsRequest request;
  request.set_since_ms(kStart);
  request.set_until_ms(kStart + 3 * minute);
  request.set_bucket_ms(minute);
  auto agg = store_->AggregateRequestLogs(request);
  ASSERT_THAT(agg, IsOk());
  EXPECT_EQ(agg->calls(), 4);
  EXPECT_EQ(agg->successes(), 3);
  EXPECT_EQ(agg->failures(), 1);
  ASSERT_EQ(agg->buckets_size(), 3);
  EXPECT_EQ(agg->buckets(0).start_ms(), kStart);
  EXPECT_EQ(agg->buckets(0).calls(), 2);
  EXPECT_EQ(agg->buckets(0).failures(), 1);
  EXPECT_EQ(agg->buckets(0).latency_ms_sum(), 160);
  EXPECT_EQ(agg->buckets(1).start_ms(), kStart + minute);
  EXPECT_EQ(agg->buckets(2).start_ms(), kStart + 2 * minute);
  ASSERT_EQ(agg->by_model_size(), 2);
  EXPECT_EQ(agg->by_model(0).model(), "flash");
  EXPECT_EQ(agg->by_model(0).calls(), 3);
  EXPECT_EQ(agg->by_model(0).failures(), 1);
  EXPECT_EQ(agg->by_model(1).model(), "pro");
  ASSERT_EQ(agg->by_key_size(), 2);
  EXPECT_EQ(agg->by_key(0).calls(), 2);
  int64_t binned = 0;
  for (const auto& bin : agg->latency()) binned += bin.count();
  EXPECT_EQ(binned, 4);
  // 40 ms lies in [30, 50).
  for (const auto& bin : agg->latency()) {
    if (bin.upper_ms() == 50) EXPECT_EQ(bin.count(), 1);
  }
  EXPECT_EQ(agg->latency_min_ms(), 40);
  EXPECT_EQ(agg->latency_max_ms(), 99999999);
  EXPECT_EQ(agg->latency(agg->latency_size() - 1).upper_ms(), 0);
  EXPECT_EQ(agg->latency(agg->latency_size() - 1).count(), 1);

  request.set_top(1);
  auto top = store_->AggregateRequestLogs(request);
  ASSERT_THAT(top, IsOk());
  EXPECT_EQ(top->by_model_size(), 1);
  request.set_totals_only(true);
  auto totals = store_->AggregateRequestLogs(request);
  ASSERT_THAT(totals, IsOk());
  EXPECT_EQ(totals->calls(), 4);
  EXPECT_EQ(totals->by_model_size(), 0);
  EXPECT_EQ(totals->latency_size(), 0);

  v1::AggregateRequestLogsRequest bad = request;
  bad.set_bucket_ms(1);
  EXPECT_THAT(store_->AggregateRequestLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << "too many buckets";
  bad = request;
  bad.set_until_ms(bad.since_ms());
  EXPECT_THAT(store_->AggregateRequestLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  bad = request;
  bad.set_top(101);
  EXPECT_THAT(store_->AggregateRequestLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(StoreContractTest, AggregateRequestLogsInBucketsOfUnequalWidth) {
  // Three "days" of 23, 25 and 24 hours, as a DST zone has them.
  const int64_t hour = 3600 * 1000;
  const std::vector<int64_t> starts = {kStart, kStart + 23 * hour, kStart + 48 * hour};
  const int64_t until = kStart + 72 * hour;
  std::vector<v1::RequestLogEntry> rows;
  for (int64_t t : {kStart - 1, kStart, kStart + 23 * hour - 1, kStart + 23 * hour, kStart + 48 * hour - 1,
                    kStart + 71 * hour, until}) {
    rows.push_back(Request(t, 1, "flash", 200, "generateContent"));
  }
  ASSERT_THAT(store_->WriteRequestLogs(rows), IsOk());
  v1::AggregateRequestLogsRequest request;
  request.set_since_ms(kStart);
  request.set_until_ms(until);
  for (int64_t s : starts) request.add_bucket_starts(s);
  auto agg = store_->AggregateRequestLogs(request);
  ASSERT_THAT(agg, IsOk());
  ASSERT_EQ(agg->buckets_size(), 3);
  EXPECT_EQ(agg->buckets(0).start_ms(), starts[0]);
  EXPECT_EQ(agg->buckets(0).calls(), 2);
  EXPECT_EQ(agg->buckets(1).start_ms(), starts[1]);
  EXPECT_EQ(agg->buckets(1).calls(), 2);
  EXPECT_EQ(agg->buckets(2).start_ms(), starts[2]);
  EXPECT_EQ(agg->buckets(2).calls(), 1);
  EXPECT_EQ(agg->calls(), 5);

  v1::AggregateRequestLogsRequest bad = request;
  bad.set_bucket_starts(0, kStart + 1);
  EXPECT_THAT(store_->AggregateRequestLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << "not at since_ms";
  bad = request;
  bad.set_bucket_starts(2, starts[1]);
  EXPECT_THAT(store_->AggregateRequestLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << "not ascending";
  bad = request;
  bad.add_bucket_starts(until);
  EXPECT_THAT(store_->AggregateRequestLogs(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << "at until_ms";
}

TEST_P(StoreContractTest, LatencyOfFastCallsIsBinnedFinely) {
  // Loopback calls of 1 ms: the first bins must be narrow enough that a
  // percentile estimate is not far above them (it was 25 ms in a 0-50 bin).
  std::vector<v1::RequestLogEntry> rows;
  for (int i = 0; i < 10; ++i) {
    v1::RequestLogEntry e = Request(kStart + i, 1, "flash", 200, "generateContent");
    e.set_latency_ms(1);
    rows.push_back(e);
  }
  ASSERT_THAT(store_->WriteRequestLogs(rows), IsOk());
  v1::AggregateRequestLogsRequest request;
  request.set_since_ms(kStart);
  request.set_until_ms(kStart + 60000);
  request.set_bucket_ms(60000);
  auto agg = store_->AggregateRequestLogs(request);
  ASSERT_THAT(agg, IsOk());
  EXPECT_EQ(agg->latency_ms_sum(), 10);
  EXPECT_EQ(agg->latency_min_ms(), 1);
  EXPECT_EQ(agg->latency_max_ms(), 1);
  ASSERT_GE(agg->latency_size(), 2);
  EXPECT_EQ(agg->latency(1).upper_ms(), 2);
  EXPECT_EQ(agg->latency(1).count(), 10) << "1 ms lies in [1, 2)";
}

TEST_P(StoreContractTest, TopErrorKeysCountsOneStatusPerKey) {
  std::vector<v1::ErrorLogEntry> rows;
  for (int i = 0; i < 3; ++i) rows.push_back(Error(kStart + i, 7, "flash", 429, "RESOURCE_EXHAUSTED", "quota"));
  for (int i = 0; i < 2; ++i) rows.push_back(Error(kStart + i, 4, "flash", 429, "RESOURCE_EXHAUSTED", "quota"));
  rows.push_back(Error(kStart, 4, "flash", 403, "PERMISSION_DENIED", "denied"));
  rows.push_back(Error(kStart, 9, "flash", 429, "RESOURCE_EXHAUSTED", "quota"));
  rows.push_back(Error(kStart, 0, "flash", 429, "RESOURCE_EXHAUSTED", "no key"));    // No key: not counted.
  rows.push_back(Error(kStart - 1, 9, "flash", 429, "RESOURCE_EXHAUSTED", "old"));   // Before the window.
  rows.push_back(Error(kStart + 1000, 9, "flash", 429, "RESOURCE_EXHAUSTED", "late"));  // At until.
  ASSERT_THAT(store_->WriteErrorLogs(rows), IsOk());
  v1::TopErrorKeysRequest request;
  request.set_since_ms(kStart);
  request.set_until_ms(kStart + 1000);
  request.set_status_code(429);
  auto top = store_->TopErrorKeys(request);
  ASSERT_THAT(top, IsOk());
  ASSERT_EQ(top->keys_size(), 3);
  EXPECT_EQ(top->keys(0).key_id(), 7);
  EXPECT_EQ(top->keys(0).count(), 3);
  EXPECT_EQ(top->keys(1).key_id(), 4);
  EXPECT_EQ(top->keys(1).count(), 2);
  EXPECT_EQ(top->keys(2).key_id(), 9);
  EXPECT_EQ(top->keys(2).count(), 1);
  request.set_top(1);
  ASSERT_EQ(store_->TopErrorKeys(request)->keys_size(), 1);
  request.set_status_code(403);
  top = store_->TopErrorKeys(request);
  ASSERT_THAT(top, IsOk());
  ASSERT_EQ(top->keys_size(), 1);
  EXPECT_EQ(top->keys(0).key_id(), 4);
  request.set_status_code(0);
  EXPECT_THAT(store_->TopErrorKeys(request), StatusIs(absl::StatusCode::kInvalidArgument));
}

GEMPOOL_INSTANTIATE_STORE_TESTS(StoreContractTest);

}  // namespace
}  // namespace gempool::storage
