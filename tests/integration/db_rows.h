#pragma once
// Reads the databases the persistence service writes, directly (sqlite3 and
// the MariaDB client library), to prove rows really reached them. Not
// thread-safe.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "integration/stack.h"

namespace gempool::integration {

// One result row: column name → value as text ("" for NULL).
using Row = std::map<std::string, std::string>;

// Runs `sql` on the SQLite file at `path` (read-only, waiting on locks).
absl::StatusOr<std::vector<Row>> SqliteQuery(const std::string& path, const std::string& sql);

// The MariaDB test server from GEMPOOL_TEST_MYSQL_HOST/PORT/USER/PASSWORD/
// SOCKET (without a database), or nullopt when GEMPOOL_TEST_MYSQL_HOST is unset.
std::optional<MysqlTarget> MysqlTestServer();
// Runs `sql` on `target` (host "localhost" with `socket` set: over that
// socket).
absl::StatusOr<std::vector<Row>> MysqlQuery(const MysqlTarget& target, const std::string& sql);
// Whether MySQL tests must run (GEMPOOL_REQUIRE_MYSQL=1) rather than skip.
bool MysqlRequired();

// A uniquely named database on the test server, dropped when destroyed.
class MysqlDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<MysqlDatabase>> Create(const MysqlTarget& server);
  ~MysqlDatabase();
  MysqlDatabase(const MysqlDatabase&) = delete;
  MysqlDatabase& operator=(const MysqlDatabase&) = delete;

  // The server plus this database's name, for MYSQL_* settings.
  const MysqlTarget& target() const { return target_; }
  absl::StatusOr<std::vector<Row>> Query(const std::string& sql) const;

 private:
  explicit MysqlDatabase(MysqlTarget target) : target_(std::move(target)) {}
  MysqlTarget target_;
};

}  // namespace gempool::integration
