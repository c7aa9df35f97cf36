#include "test_database.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "mysql_connect.h"

namespace gempool::storage::testing {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

std::optional<MysqlSettings> TestMysqlServer() {
  if (Env("GEMPOOL_TEST_MYSQL_HOST").empty()) return std::nullopt;
  MysqlSettings m;
  m.host = Env("GEMPOOL_TEST_MYSQL_HOST");
  int port = 3306;
  if (!Env("GEMPOOL_TEST_MYSQL_PORT").empty() && !absl::SimpleAtoi(Env("GEMPOOL_TEST_MYSQL_PORT"), &port)) {
    port = 3306;
  }
  m.port = port;
  m.user = Env("GEMPOOL_TEST_MYSQL_USER");
  m.password = Env("GEMPOOL_TEST_MYSQL_PASSWORD");
  m.socket = "";  // TCP unless a test asks for the socket.
  return m;
}

bool MysqlRequired() { return Env("GEMPOOL_REQUIRE_MYSQL") == "1"; }

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::random_device random;
  return absl::StrCat(prefix, getpid(), "_", counter++, "_", random() % 1000000);
}

StoreOptions TestMysqlOptions(const std::string& database) {
  StoreOptions o;
  o.backend = Backend::kMysql;
  o.mysql = TestMysqlServer().value_or(MysqlSettings{});
  o.mysql.database = database;
  o.mysql_admin_password = "";  // Tests opt in to the repair explicitly.
  o.pool_size = 3;
  return o;
}

void MysqlAdminExec(const std::string& sql_text) {
  const StoreOptions o = TestMysqlOptions("");
  soci::session sql(soci::mysql, MysqlConnectString(o, o.mysql.user, o.mysql.password, ""));
  sql << sql_text;
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(Backend backend) {
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  if (backend == Backend::kSqlite) {
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool_storage_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
    db->temp_dir_ = pattern;
    db->options_.backend = Backend::kSqlite;
    db->options_.data_dir = pattern;
    db->options_.sqlite_path = pattern + "/gempool.db";
    db->options_.pool_size = 3;
    return db;
  }
  if (!TestMysqlServer()) return absl::FailedPreconditionError("no test MySQL server configured");
  db->mysql_database_ = UniqueName("gempool_test_");
  try {
    MysqlAdminExec(absl::StrCat("CREATE DATABASE `", db->mysql_database_, "` CHARACTER SET utf8mb4"));
  } catch (const soci::soci_error& e) {
    return absl::UnavailableError(absl::StrCat("creating the test database failed: ", e.what()));
  }
  db->options_ = TestMysqlOptions(db->mysql_database_);
  return db;
}

TestDatabase::~TestDatabase() {
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
  if (!mysql_database_.empty()) {
    try {
      MysqlAdminExec(absl::StrCat("DROP DATABASE IF EXISTS `", mysql_database_, "`"));
    } catch (const soci::soci_error& e) {
      GEMPOOL_LOG(WARNING) << "could not drop test database " << mysql_database_ << ": " << e.what();
    }
  }
}

std::unique_ptr<soci::session> TestDatabase::Connect() const {
  if (options_.backend == Backend::kSqlite) {
    return std::make_unique<soci::session>(soci::sqlite3, "db=" + options_.sqlite_path + " timeout=10");
  }
  return std::make_unique<soci::session>(
      soci::mysql, MysqlConnectString(options_, options_.mysql.user, options_.mysql.password, options_.mysql.database));
}

void StoreTest::SetUp() {
  if (GetParam() == Backend::kMysql) GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  absl::StatusOr<std::unique_ptr<TestDatabase>> db = TestDatabase::Create(GetParam());
  ASSERT_TRUE(db.ok()) << db.status();
  db_ = std::move(*db);
  if (open_store_) OpenStore();
}

void StoreTest::OpenStore() {
  absl::StatusOr<std::unique_ptr<SociStore>> store = SociStore::Open(db_->options(), clock_);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
}

absl::StatusOr<std::unique_ptr<SociStore>> StoreTest::Reopen() {
  store_.reset();
  return SociStore::Open(db_->options(), clock_);
}

std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Mysql";
}

}  // namespace gempool::storage::testing
