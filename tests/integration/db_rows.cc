#include "integration/db_rows.h"

#include <mysql.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gempool::integration {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

// An open connection to `target` (its database may be empty). Closed by the
// caller with mysql_close.
absl::StatusOr<MYSQL*> Connect(const MysqlTarget& target) {
  MYSQL* db = mysql_init(nullptr);
  if (db == nullptr) return absl::InternalError("mysql_init failed");
  unsigned int timeout = 10;
  mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (mysql_real_connect(db, target.host.c_str(), target.user.c_str(), target.password.c_str(),
                         target.database.empty() ? nullptr : target.database.c_str(),
                         static_cast<unsigned int>(target.port),
                         // Used only with host "localhost" (a socket connection).
                         target.socket.empty() ? nullptr : target.socket.c_str(), 0) == nullptr) {
    std::string error = mysql_error(db);
    mysql_close(db);
    return absl::UnavailableError(
        absl::StrCat("cannot connect to MariaDB at ", target.host, ":", target.port, " as ", target.user, ": ", error));
  }
  return db;
}

absl::StatusOr<std::vector<Row>> RunQuery(MYSQL* db, const std::string& sql) {
  if (mysql_query(db, sql.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("MariaDB query '", sql, "' failed: ", mysql_error(db)));
  }
  std::vector<Row> rows;
  MYSQL_RES* result = mysql_store_result(db);
  if (result == nullptr) return rows;  // a statement without a result set
  const unsigned int n = mysql_num_fields(result);
  MYSQL_FIELD* fields = mysql_fetch_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    Row out;
    for (unsigned int i = 0; i < n; ++i) {
      out[fields[i].name] = row[i] != nullptr ? std::string(row[i], lengths[i]) : "";
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(result);
  return rows;
}

}  // namespace

absl::StatusOr<std::vector<Row>> SqliteQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string error = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return absl::NotFoundError(absl::StrCat("cannot open SQLite database ", path, ": ", error));
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    std::string error = sqlite3_errmsg(db);
    sqlite3_close(db);
    return absl::InternalError(absl::StrCat("SQLite query '", sql, "' on ", path, " failed: ", error));
  }
  std::vector<Row> rows;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row[sqlite3_column_name(stmt, i)] =
          text != nullptr ? std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt, i)) : "";
    }
    rows.push_back(std::move(row));
  }
  std::string error = rc == SQLITE_DONE ? "" : sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  if (!error.empty()) return absl::InternalError(absl::StrCat("SQLite query '", sql, "' failed: ", error));
  return rows;
}

std::optional<MysqlTarget> MysqlTestServer() {
  const std::string host = EnvOr("GEMPOOL_TEST_MYSQL_HOST", "");
  if (host.empty()) return std::nullopt;
  MysqlTarget target;
  target.host = host;
  if (!absl::SimpleAtoi(EnvOr("GEMPOOL_TEST_MYSQL_PORT", "3306"), &target.port)) target.port = 3306;
  target.user = EnvOr("GEMPOOL_TEST_MYSQL_USER", "root");
  target.password = EnvOr("GEMPOOL_TEST_MYSQL_PASSWORD", "");
  target.socket = EnvOr("GEMPOOL_TEST_MYSQL_SOCKET", "");
  return target;
}

bool MysqlRequired() { return EnvOr("GEMPOOL_REQUIRE_MYSQL", "") == "1"; }

absl::StatusOr<std::unique_ptr<MysqlDatabase>> MysqlDatabase::Create(const MysqlTarget& server) {
  static std::atomic<int> counter{0};
  MysqlTarget target = server;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  target.database = absl::StrCat("gempool_it_", getpid(), "_", ++counter, "_",
                                 std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 100000000);
  MysqlTarget admin = server;
  admin.database.clear();
  auto db = Connect(admin);
  if (!db.ok()) return db.status();
  auto created =
      RunQuery(*db, absl::StrCat("CREATE DATABASE `", target.database, "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
  mysql_close(*db);
  if (!created.ok()) return created.status();
  return std::unique_ptr<MysqlDatabase>(new MysqlDatabase(std::move(target)));
}

MysqlDatabase::~MysqlDatabase() {
  MysqlTarget admin = target_;
  admin.database.clear();
  auto db = Connect(admin);
  if (!db.ok()) return;
  (void)RunQuery(*db, absl::StrCat("DROP DATABASE IF EXISTS `", target_.database, "`"));
  mysql_close(*db);
}

absl::StatusOr<std::vector<Row>> MysqlQuery(const MysqlTarget& target, const std::string& sql) {
  auto db = Connect(target);
  if (!db.ok()) return db.status();
  auto rows = RunQuery(*db, sql);
  mysql_close(*db);
  return rows;
}

absl::StatusOr<std::vector<Row>> MysqlDatabase::Query(const std::string& sql) const {
  auto db = Connect(target_);
  if (!db.ok()) return db.status();
  auto rows = RunQuery(*db, sql);
  mysql_close(*db);
  return rows;
}

}  // namespace gempool::integration
