// Every request is logged through the persistence service; the rows are read
// straight from the database (SQLite file, MariaDB) to prove they are there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "gempool/common/secrets.h"
#include "integration/db_rows.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kLogWaitMs = 10000;

class RequestLogTest : public StackTest {
 protected:
  // Polls `query` until it returns at least one row.
  static std::vector<Row> WaitForRows(const std::function<absl::StatusOr<std::vector<Row>>()>& query) {
    std::vector<Row> rows;
    std::string last_error;
    gempool::testing::WaitFor(
        [&] {
          auto r = query();
          if (!r.ok()) {
            last_error = std::string(r.status().message());
            return false;
          }
          rows = *r;
          return !rows.empty();
        },
        kLogWaitMs);
    EXPECT_FALSE(rows.empty()) << "no row within " << kLogWaitMs << " ms; last error: " << last_error;
    return rows;
  }

  // Declared in the fixture so it outlives the stack (dropped after TearDown).
  std::unique_ptr<MysqlDatabase> mysql_db_;

  void ExpectGenerateRow(const Row& row, const std::string& attempts) {
    EXPECT_EQ(row.at("model"), kFlash);
    EXPECT_EQ(row.at("status_code"), "200");
    EXPECT_THAT(row.at("operation"), HasSubstr("generateContent"));
    EXPECT_EQ(row.at("client_token_id"), TokenId(stack().token()));
    EXPECT_NE(row.at("key_id"), "0");
    EXPECT_EQ(row.at("attempts"), attempts);
    EXPECT_EQ(row.at("stream"), "0");
    EXPECT_NE(row.at("time_ms"), "0");
  }
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(RequestLogTest, RequestRowInSqlite) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  auto r = Generate();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string db = stack().SqlitePath();
  std::vector<Row> rows = WaitForRows(
      [&] { return SqliteQuery(db, "SELECT * FROM gempool_request_log WHERE operation LIKE '%generateContent%'"); });
  ASSERT_EQ(rows.size(), 1u);
  ExpectGenerateRow(rows[0], "1");

  // Neither the client token nor a pool key in clear text is in the log
  // tables (the pool keys table holds the secrets by design).
  auto errors = SqliteQuery(db, "SELECT * FROM gempool_error_log");
  ASSERT_TRUE(errors.ok()) << errors.status();
  for (const auto& table : {rows, *errors}) {
    for (const Row& row : table) {
      for (const auto& [column, value] : row) {
        EXPECT_THAT(value, Not(HasSubstr(stack().token()))) << column;
      }
    }
  }
  // And the token is nowhere in the database files at all.
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(db).parent_path())) {
    EXPECT_THAT(ReadAll(entry.path().string()), Not(HasSubstr(stack().token()))) << entry.path();
  }
}

TEST_F(RequestLogTest, UpstreamErrorGoesToTheErrorLogRedacted) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"status", 403}, {"reason", "CONSUMER_SUSPENDED"}}}), false).ok());
  auto r = Generate();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string db = stack().SqlitePath();
  std::vector<Row> errors = WaitForRows([&] { return SqliteQuery(db, "SELECT * FROM gempool_error_log"); });
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].at("status_code"), "403");
  EXPECT_EQ(errors[0].at("model"), kFlash);
  EXPECT_NE(errors[0].at("key_id"), "0");
  EXPECT_THAT(errors[0].at("message"), HasSubstr("suspended"));
  for (const std::string& key : stack().options().keys) {
    EXPECT_THAT(errors[0].at("message"), Not(HasSubstr(key))) << "the error log holds a pool key in clear";
  }
  std::vector<Row> requests = WaitForRows(
      [&] { return SqliteQuery(db, "SELECT * FROM gempool_request_log WHERE operation LIKE '%generateContent%'"); });
  ASSERT_EQ(requests.size(), 1u);
  ExpectGenerateRow(requests[0], "2");
}

TEST_F(RequestLogTest, RequestRowInMariaDb) {
  std::optional<MysqlTarget> server = MysqlTestServer();
  if (!server) {
    if (MysqlRequired()) FAIL() << "GEMPOOL_REQUIRE_MYSQL=1 but GEMPOOL_TEST_MYSQL_HOST is unset";
    GTEST_SKIP() << "GEMPOOL_TEST_MYSQL_HOST unset: start MariaDB with "
                    "eval \"$(scripts/mariadb-test-server.sh start)\"";
  }
  auto database = MysqlDatabase::Create(*server);
  ASSERT_TRUE(database.ok()) << database.status();
  mysql_db_ = *std::move(database);
  StackOptions options;
  options.database_type = "mysql";
  options.mysql = mysql_db_->target();
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  auto r = Generate();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::vector<Row> rows = WaitForRows(
      [&] { return mysql_db_->Query("SELECT * FROM gempool_request_log WHERE operation LIKE '%generateContent%'"); });
  ASSERT_EQ(rows.size(), 1u);
  ExpectGenerateRow(rows[0], "1");
}

}  // namespace
}  // namespace gempool::integration
