// Keys of two pools (Gemini API, Vertex AI Express) in one keys table, run
// against every backend: SQLite always, MariaDB/MySQL when configured.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "schema.h"
#include "test_database.h"

namespace gempool::storage {
namespace {

using ::gempool::storage::testing::StoreTest;
using ::gempool::storage::testing::TestDatabase;
using ::gempool::testing::IsOk;
using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::SizeIs;

class KeyPoolsStoreTest : public StoreTest {
 protected:
  KeyPoolsStoreTest() : StoreTest(1'700'000'000'000, /*open_store=*/false) {}

  std::vector<v1::Pool> PoolsOf(const std::vector<v1::KeyRecord>& keys) {
    std::vector<v1::Pool> pools;
    for (const v1::KeyRecord& key : keys) pools.push_back(key.pool());
    return pools;
  }
};

TEST_P(KeyPoolsStoreTest, AddKeysStoresThePoolAndLoadKeysReturnsIt) {
  OpenStore();
  auto gemini = store_->AddKeys({"AIzaGeminiOne"});
  ASSERT_THAT(gemini, IsOk());
  EXPECT_EQ(gemini->keys[0].pool(), v1::POOL_GEMINI);
  auto vertex = store_->AddKeys({"AQ.VertexOne", "AQ.VertexTwo"}, v1::POOL_VERTEX);
  ASSERT_THAT(vertex, IsOk());
  EXPECT_THAT(PoolsOf(vertex->keys), ElementsAre(v1::POOL_VERTEX, v1::POOL_VERTEX));
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  EXPECT_THAT(PoolsOf(*loaded), ElementsAre(v1::POOL_GEMINI, v1::POOL_VERTEX, v1::POOL_VERTEX));
}

TEST_P(KeyPoolsStoreTest, AStoredSecretKeepsItsPool) {
  OpenStore();
  ASSERT_THAT(store_->AddKeys({"AIzaShared"}), IsOk());
  auto again = store_->AddKeys({"AIzaShared", "AQ.New"}, v1::POOL_VERTEX);
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT(again->inserted, ElementsAre(false, true));
  EXPECT_THAT(PoolsOf(again->keys), ElementsAre(v1::POOL_GEMINI, v1::POOL_VERTEX));
}

TEST_P(KeyPoolsStoreTest, SaveKeyStatesDoesNotMoveAKeyToAnotherPool) {
  OpenStore();
  auto added = store_->AddKeys({"AQ.Stays"}, v1::POOL_VERTEX);
  ASSERT_THAT(added, IsOk());
  v1::KeyRecord record = added->keys[0];
  record.set_state(v1::KEY_STATE_DISABLED);
  record.set_pool(v1::POOL_GEMINI);  // Ignored: the pool is fixed when a key is added.
  ASSERT_THAT(store_->SaveKeyStates({record}), IsOkAndHolds(1));
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(1));
  EXPECT_EQ((*loaded)[0].pool(), v1::POOL_VERTEX);
  EXPECT_EQ((*loaded)[0].state(), v1::KEY_STATE_DISABLED);
}

TEST_P(KeyPoolsStoreTest, RejectsAnUnknownPool) {
  OpenStore();
  EXPECT_THAT(store_->AddKeys({"AIzaX"}, static_cast<v1::Pool>(7)), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(KeyPoolsStoreTest, UpgradesAVersion4DatabaseItsKeysBecomeGeminiKeys) {
  {
    // The schema as migrations 1 to 4 left it, with one key.
    auto sql = db_->Connect();
    *sql << (GetParam() == Backend::kSqlite
                 ? "CREATE TABLE gempool_schema_migrations (version INTEGER NOT NULL PRIMARY KEY,"
                   " applied_at_ms INTEGER NOT NULL, description TEXT NOT NULL DEFAULT '')"
                 : "CREATE TABLE gempool_schema_migrations (version INT NOT NULL PRIMARY KEY,"
                   " applied_at_ms BIGINT NOT NULL, description VARCHAR(255) NOT NULL DEFAULT '')");
    for (const Migration& m : Migrations()) {
      if (m.version > 4) continue;
      for (const char* statement : GetParam() == Backend::kSqlite ? m.sqlite : m.mysql) *sql << statement;
      *sql << "INSERT INTO gempool_schema_migrations (version, applied_at_ms, description) VALUES (:v, 1, 'old')",
          soci::use(m.version);
    }
    *sql << "INSERT INTO gempool_keys (secret, state, failure_count, state_reason, last_error, cooling_until_ms,"
            " model_cooldowns, created_at_ms, updated_at_ms, last_used_at_ms)"
            " VALUES ('AIzaFromVersion4', 1, 0, '', '', 0, '[]', 1, 2, 3)";
  }
  OpenStore();
  auto loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(1));
  EXPECT_EQ((*loaded)[0].secret(), "AIzaFromVersion4");
  EXPECT_EQ((*loaded)[0].pool(), v1::POOL_GEMINI);
  ASSERT_THAT(store_->AddKeys({"AQ.AfterUpgrade"}, v1::POOL_VERTEX), IsOk());
  loaded = store_->LoadKeys();
  ASSERT_THAT(loaded, IsOk());
  EXPECT_THAT(PoolsOf(*loaded), ElementsAre(v1::POOL_GEMINI, v1::POOL_VERTEX));
}

GEMPOOL_INSTANTIATE_STORE_TESTS(KeyPoolsStoreTest);

}  // namespace
}  // namespace gempool::storage
