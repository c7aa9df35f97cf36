// The error log's request body column (schema version 7,
// ERROR_LOG_RECORD_REQUEST_BODY), against every backend: SQLite always,
// MariaDB/MySQL when configured.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

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
using ::testing::SizeIs;

class ErrorLogRequestBodyTest : public StoreTest {
 protected:
  ErrorLogRequestBodyTest() : StoreTest(1'700'000'000'000, /*open_store=*/false) {}

  static v1::ErrorLogEntry Error(const std::string& request_body) {
    v1::ErrorLogEntry e;
    e.set_time_ms(1'700'000'000'000);
    e.set_key_id(1);
    e.set_model("gemini-2.5-flash");
    e.set_operation("generateContent");
    e.set_status_code(500);
    e.set_error_type("INTERNAL");
    e.set_message("boom");
    e.set_request_body(request_body);
    return e;
  }
};

TEST_P(ErrorLogRequestBodyTest, RoundTripsAndCapsAt64KiB) {
  OpenStore();
  const std::string body = R"({"contents":[{"parts":[{"text":"hi"}]}]})";
  ASSERT_THAT(store_->WriteErrorLogs({Error(body), Error(""), Error(std::string(70 * 1024, 'x'))}), IsOkAndHolds(3));
  auto page = store_->QueryErrorLogs(v1::LogQuery());
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->entries, SizeIs(3));
  // Same time: newest id first. A page carries a preview and the stored size.
  EXPECT_EQ(page->entries[0].request_body(), std::string(kErrorLogBodyPreviewBytes, 'x'));
  EXPECT_EQ(page->entries[0].request_body_bytes(), 64 * 1024);
  EXPECT_EQ(page->entries[1].request_body(), "");
  EXPECT_EQ(page->entries[2].request_body(), body);
  // The capped body, whole, by its row's id.
  v1::LogQuery by_id;
  by_id.set_id(page->entries[0].id());
  auto one = store_->QueryErrorLogs(by_id);
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(one->entries, SizeIs(1));
  EXPECT_EQ(one->entries[0].request_body(), std::string(64 * 1024, 'x'));
}

TEST_P(ErrorLogRequestBodyTest, RowsFromBeforeVersion7ReadWithAnEmptyBody) {
  {
    auto sql = db_->Connect();
    *sql << (GetParam() == Backend::kSqlite
                 ? "CREATE TABLE gempool_schema_migrations (version INTEGER NOT NULL PRIMARY KEY,"
                   " applied_at_ms INTEGER NOT NULL, description TEXT NOT NULL DEFAULT '')"
                 : "CREATE TABLE gempool_schema_migrations (version INT NOT NULL PRIMARY KEY,"
                   " applied_at_ms BIGINT NOT NULL, description VARCHAR(255) NOT NULL DEFAULT '')");
    for (const Migration& m : Migrations()) {
      if (m.version > 6) continue;
      for (const char* statement : GetParam() == Backend::kSqlite ? m.sqlite : m.mysql) *sql << statement;
      *sql << "INSERT INTO gempool_schema_migrations (version, applied_at_ms, description) VALUES (:v, 1, 'old')",
          soci::use(m.version);
    }
    *sql << "INSERT INTO gempool_error_log (time_ms, key_id, model, operation, status_code, error_type, message)"
            " VALUES (1, 1, 'm', 'generateContent', 500, 'INTERNAL', 'old row')";
  }
  OpenStore();
  auto page = store_->QueryErrorLogs(v1::LogQuery());
  ASSERT_THAT(page, IsOk());
  ASSERT_THAT(page->entries, SizeIs(1));
  EXPECT_EQ(page->entries[0].message(), "old row");
  EXPECT_EQ(page->entries[0].request_body(), "");
  EXPECT_EQ(page->entries[0].request_body_bytes(), 0);
  v1::LogQuery by_id;
  by_id.set_id(page->entries[0].id());
  auto one = store_->QueryErrorLogs(by_id);
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(one->entries, SizeIs(1));
  EXPECT_EQ(one->entries[0].request_body(), "");
  EXPECT_EQ(one->entries[0].request_body_bytes(), 0);
}

GEMPOOL_INSTANTIATE_STORE_TESTS(ErrorLogRequestBodyTest);

}  // namespace
}  // namespace gempool::storage
