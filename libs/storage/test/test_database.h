#pragma once
// Throwaway databases for storage tests: a temporary SQLite file, or a
// uniquely named database on the MariaDB/MySQL server named by
// GEMPOOL_TEST_MYSQL_{HOST,PORT,USER,PASSWORD,SOCKET} (see
// scripts/mariadb-test-server.sh), dropped when the object dies. MySQL tests
// skip when the server is not configured, unless GEMPOOL_REQUIRE_MYSQL=1.
// StoreTest: the fixture of the tests run against every backend.
// Not thread-safe; one per test.

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "gempool/config/config.h"
#include "gempool/storage/soci_store.h"
#include "gempool/storage/store_options.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::storage::testing {

// The test MySQL server from the environment, if configured (no database set).
std::optional<MysqlSettings> TestMysqlServer();

// Whether MySQL tests must run (GEMPOOL_REQUIRE_MYSQL=1).
bool MysqlRequired();

// A name no other test run uses: prefix + pid + counter + random.
std::string UniqueName(const std::string& prefix);

// Options for the test server's admin account with `database` (may be empty).
StoreOptions TestMysqlOptions(const std::string& database);

// Runs one statement on the test server as its (all-privileged) test user.
void MysqlAdminExec(const std::string& sql_text);

class TestDatabase {
 public:
  // A fresh empty database for `backend`.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create(Backend backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // Options that open this database.
  const StoreOptions& options() const { return options_; }
  // A direct connection, for checks behind the store's back.
  std::unique_ptr<soci::session> Connect() const;

 private:
  TestDatabase() = default;
  StoreOptions options_;
  std::string temp_dir_;        // SQLite.
  std::string mysql_database_;  // MySQL.
};

// A test of the store against one backend (the parameter): SQLite (a
// temporary file, always) and MariaDB/MySQL (a throwaway database, skipped
// when no test server is configured). SetUp makes db_ and, unless told
// otherwise, opens store_ on it.
class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  // `now_ms`: the clock's start. `open_store` false: the test calls
  // OpenStore() itself (after changing the database behind its back).
  explicit StoreTest(int64_t now_ms, bool open_store = true) : clock_(now_ms), open_store_(open_store) {}

  void SetUp() override;
  // Opens store_ on db_ (the schema migrated).
  void OpenStore();
  // Closes store_ and opens db_ again; the result is the caller's.
  absl::StatusOr<std::unique_ptr<SociStore>> Reopen();

  gempool::testing::FakeClock clock_;
  std::unique_ptr<TestDatabase> db_;  // Outlives store_.
  std::unique_ptr<SociStore> store_;

 private:
  const bool open_store_;
};

// "Sqlite" or "Mysql", for test names.
std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info);

// Protobuf equality with a readable diff.
MATCHER_P(EqualsProto, expected, "equals " + expected.ShortDebugString()) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(expected, arg)) return true;
  *result_listener << "differs: " << diff;
  return false;
}

}  // namespace gempool::storage::testing

// Skips the current test when no test MySQL server is configured, or fails it
// when GEMPOOL_REQUIRE_MYSQL=1.
#define GEMPOOL_SKIP_UNLESS_TEST_MYSQL()                                                                \
  do {                                                                                                  \
    if (!::gempool::storage::testing::TestMysqlServer().has_value()) {                                  \
      if (::gempool::storage::testing::MysqlRequired()) {                                               \
        FAIL() << "GEMPOOL_REQUIRE_MYSQL=1 but GEMPOOL_TEST_MYSQL_HOST is not set: start MariaDB with " \
                  "eval \"$(scripts/mariadb-test-server.sh start)\"";                                   \
      }                                                                                                 \
      GTEST_SKIP() << "no test MySQL server (set GEMPOOL_TEST_MYSQL_HOST, e.g. with "                   \
                      "eval \"$(scripts/mariadb-test-server.sh start)\")";                              \
    }                                                                                                   \
  } while (0)

// Runs the TEST_Ps of `fixture` (a StoreTest) against every backend.
#define GEMPOOL_INSTANTIATE_STORE_TESTS(fixture)                                                           \
  INSTANTIATE_TEST_SUITE_P(Backends, fixture,                                                               \
                           ::testing::Values(::gempool::storage::Backend::kSqlite,                          \
                                             ::gempool::storage::Backend::kMysql),                          \
                           ::gempool::storage::testing::BackendTestName)
