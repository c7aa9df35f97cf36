// Opening a store: options from the configuration, the SQLite file and its
// directory, and what a user reads when a database cannot be opened.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/mysql/soci-mysql.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "gempool/testing/subprocess.h"
#include "mysql_connect.h"
#include "test_database.h"

namespace gempool::storage {
namespace {

using ::gempool::storage::testing::MysqlAdminExec;
using ::gempool::storage::testing::TestDatabase;
using ::gempool::storage::testing::TestMysqlOptions;
using ::gempool::storage::testing::UniqueName;
using ::gempool::testing::FakeClock;
using ::gempool::testing::IsOk;
using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool_open_XXXXXX").string();
    path_ = mkdtemp(pattern.data()) == nullptr ? "" : pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

StoreOptions SqliteOptions(const std::string& path, const std::string& data_dir) {
  StoreOptions o;
  o.backend = Backend::kSqlite;
  o.sqlite_path = path;
  o.data_dir = data_dir;
  return o;
}

TEST(StoreOptionsTest, FromSqliteConfig) {
  Config config;
  config.data_dir = "/var/lib/gempool";
  config.sqlite_database = "default_db";
  StoreOptions o = StoreOptionsFromConfig(config);
  EXPECT_EQ(o.backend, Backend::kSqlite);
  EXPECT_EQ(o.sqlite_path, "/var/lib/gempool/default_db");
  EXPECT_EQ(o.data_dir, "/var/lib/gempool");
  EXPECT_EQ(BackendName(o.backend), std::string("sqlite"));
}

TEST(StoreOptionsTest, FromMysqlConfigWithRootPassword) {
  Config config;
  config.database_type = "mysql";
  config.mysql.host = "db";
  config.mysql.port = 3306;
  config.mysql.user = "gempool";
  config.mysql.password = "app";
  config.mysql.database = "gempool";
  config.mysql.root_password = "root-pw";
  StoreOptions o = StoreOptionsFromConfig(config);
  EXPECT_EQ(o.backend, Backend::kMysql);
  EXPECT_EQ(o.mysql.host, "db");
  EXPECT_EQ(o.mysql.user, "gempool");
  EXPECT_EQ(o.mysql_admin_user, "root");
  EXPECT_EQ(o.mysql_admin_password, "root-pw");
  config.mysql.root_user = "dbadmin";
  EXPECT_EQ(StoreOptionsFromConfig(config).mysql_admin_user, "dbadmin");
}

TEST(MysqlConnectStringTest, QuotesValuesAndSetsCharsetAndTimeouts) {
  StoreOptions o;
  o.mysql.host = "db";
  o.mysql.port = 3306;
  const std::string s = MysqlConnectString(o, "gempool", "it's a \\ pass", "gem pool");
  EXPECT_THAT(s, HasSubstr("host='db' port=3306"));
  EXPECT_THAT(s, HasSubstr("user='gempool'"));
  EXPECT_THAT(s, HasSubstr("password='it\\'s a \\\\ pass'"));
  EXPECT_THAT(s, HasSubstr("dbname='gem pool'"));
  EXPECT_THAT(s, HasSubstr("charset=utf8mb4"));
  EXPECT_THAT(s, HasSubstr("connect_timeout=10"));
  EXPECT_THAT(s, HasSubstr("read_timeout=60"));
  EXPECT_THAT(MysqlConnectString(o, "u", "p", ""), Not(HasSubstr("dbname")));
  o.mysql.socket = "/run/mysqld/mysqld.sock";
  const std::string via_socket = MysqlConnectString(o, "u", "p", "d");
  EXPECT_THAT(via_socket, HasSubstr("unix_socket='/run/mysqld/mysqld.sock'"));
  EXPECT_THAT(via_socket, Not(HasSubstr("host=")));
  EXPECT_EQ(MysqlWhere(o.mysql), "unix socket /run/mysqld/mysqld.sock");
}

TEST(OpenSqliteTest, CreatesTheDataDirectoryAndTheFile) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/nested/data";
  FakeClock clock;
  auto store = SociStore::Open(SqliteOptions(dir + "/default_db", dir), clock);
  ASSERT_THAT(store, IsOk());
  EXPECT_TRUE(std::filesystem::exists(dir + "/default_db"));
  EXPECT_THAT((*store)->Ping(), IsOk());
}

TEST(OpenSqliteTest, PathWithSpacesWorks) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/my data";
  FakeClock clock;
  auto store = SociStore::Open(SqliteOptions(dir + "/gem pool.db", dir), clock);
  ASSERT_THAT(store, IsOk());
  EXPECT_TRUE(std::filesystem::exists(dir + "/gem pool.db"));
}

TEST(OpenSqliteTest, OpenStoreFromConfigUsesDataDir) {
  TempDir tmp;
  Config config;
  config.data_dir = tmp.path() + "/data";
  config.sqlite_database = "default_db";
  auto store = OpenStore(config);
  ASSERT_THAT(store, IsOk());
  EXPECT_TRUE(std::filesystem::exists(tmp.path() + "/data/default_db"));
}

TEST(OpenSqliteTest, UnwritableDataDirIsAClearError) {
  TempDir tmp;
  // A regular file where a directory should be: fails even for root.
  const std::string blocker = tmp.path() + "/not-a-dir";
  std::ofstream(blocker) << "x";
  FakeClock clock;
  EXPECT_THAT(
      SociStore::Open(SqliteOptions(blocker + "/data/default_db", blocker + "/data"), clock),
      StatusIs(absl::StatusCode::kFailedPrecondition, AllOf(HasSubstr("cannot create the data directory"),
                                                            HasSubstr(blocker + "/data"), HasSubstr("DATA_DIR"))));
}

TEST(OpenSqliteTest, FileThatIsNotADatabaseIsAClearError) {
  TempDir tmp;
  const std::string path = tmp.path() + "/default_db";
  std::ofstream(path) << std::string(4096, 'g');
  FakeClock clock;
  EXPECT_THAT(SociStore::Open(SqliteOptions(path, tmp.path()), clock),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("cannot open the SQLite database " + path), HasSubstr("DATA_DIR"))));
}

TEST(OpenSqliteTest, DirectoryInsteadOfFileIsAClearError) {
  TempDir tmp;
  FakeClock clock;
  EXPECT_THAT(SociStore::Open(SqliteOptions(tmp.path(), tmp.path()), clock),
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("cannot open the SQLite database")));
}

TEST(OpenSqliteTest, RejectsBadOptions) {
  FakeClock clock;
  EXPECT_THAT(SociStore::Open(SqliteOptions("", ""), clock),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("SQLITE_DATABASE")));
  StoreOptions o = SqliteOptions("/tmp/x", "/tmp");
  o.pool_size = 0;
  EXPECT_THAT(SociStore::Open(o, clock), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("pool size")));
}

TEST(OpenMysqlTest, UnreachableServerSaysWhereAndWhatToCheck) {
  StoreOptions o;
  o.backend = Backend::kMysql;
  o.mysql.host = "127.0.0.1";
  o.mysql.port = gempool::testing::FreePort();
  o.mysql.user = "gempool";
  o.mysql.password = "secret";
  o.mysql.database = "gempool";
  o.mysql_connect_timeout_seconds = 2;
  FakeClock clock;
  auto store = SociStore::Open(o, clock);
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kUnavailable,
                              AllOf(HasSubstr(absl::StrCat("cannot connect to MySQL at 127.0.0.1:", o.mysql.port,
                                                           " as user 'gempool'")),
                                    HasSubstr("MYSQL_HOST"), Not(HasSubstr("secret")))));
}

// --- Against the test MariaDB ---

TEST(OpenMysqlTest, WrongPasswordNamesUserAndHostAndSaysWhatToDo) {
  GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  auto db = TestDatabase::Create(Backend::kMysql);
  ASSERT_THAT(db, IsOk());
  StoreOptions o = (*db)->options();
  o.mysql.password = "definitely-wrong-password";
  FakeClock clock;
  auto store = SociStore::Open(o, clock);
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kPermissionDenied,
                              AllOf(HasSubstr(absl::StrCat("cannot connect to MySQL at ", o.mysql.host, ":",
                                                           o.mysql.port, " as user '", o.mysql.user, "'")),
                                    HasSubstr(absl::StrCat("Access denied for user '", o.mysql.user, "'@")),
                                    HasSubstr("MYSQL_PASSWORD"), HasSubstr("MYSQL_ROOT_PASSWORD"),
                                    Not(HasSubstr("definitely-wrong-password")))));
}

TEST(OpenMysqlTest, UnknownDatabaseSaysSoAndNamesTheVariable) {
  GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  const std::string name = UniqueName("gempool_missing_");
  FakeClock clock;
  EXPECT_THAT(SociStore::Open(TestMysqlOptions(name), clock),
              StatusIs(absl::StatusCode::kNotFound,
                       AllOf(HasSubstr("'" + name + "'"), HasSubstr("does not exist"), HasSubstr("MYSQL_DATABASE"))));
}

TEST(OpenMysqlTest, ConnectsThroughTheUnixSocket) {
  GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  const char* socket = std::getenv("GEMPOOL_TEST_MYSQL_SOCKET");
  if (socket == nullptr || *socket == '\0') GTEST_SKIP() << "GEMPOOL_TEST_MYSQL_SOCKET is not set";
  auto db = TestDatabase::Create(Backend::kMysql);
  ASSERT_THAT(db, IsOk());
  StoreOptions o = (*db)->options();
  o.mysql.host = "ignored.invalid";
  o.mysql.socket = socket;
  FakeClock clock;
  auto store = SociStore::Open(o, clock);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->Ping(), IsOkAndHolds(::testing::Field(&PingResult::backend, "mysql")));
}

// A MySQL user created for one test and dropped after it.
class TestMysqlUser {
 public:
  TestMysqlUser(const std::string& password) : name_(UniqueName("gp_u_")) {
    MysqlAdminExec(absl::StrCat("CREATE USER '", name_, "'@'%' IDENTIFIED BY '", password, "'"));
  }
  ~TestMysqlUser() {
    try {
      MysqlAdminExec(absl::StrCat("DROP USER IF EXISTS '", name_, "'@'%'"));
    } catch (const soci::soci_error&) {
    }
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

TEST(OpenMysqlTest, AdminAccountBringsAChangedPasswordAndMissingDatabaseInStep) {
  GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  TestMysqlUser user("old-password");
  const std::string database = UniqueName("gempool_repair_");
  StoreOptions o = TestMysqlOptions(database);
  const std::string admin_user = o.mysql.user;
  const std::string admin_password = o.mysql.password;
  o.mysql.user = user.name();
  o.mysql.password = "new-password";  // As if changed in .env after the volume was created.
  FakeClock clock;

  // Without the admin password: a clear refusal.
  EXPECT_THAT(SociStore::Open(o, clock), StatusIs(absl::StatusCode::kPermissionDenied));

  o.mysql_admin_user = admin_user;
  o.mysql_admin_password = admin_password;
  auto store = SociStore::Open(o, clock);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->AddKeys({"AIzaAfterRepair"}), IsOk());
  store->reset();

  // The user now logs in with the new password by itself.
  o.mysql_admin_password = "";
  auto again = SociStore::Open(o, clock);
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT((*again)->LoadKeys(), IsOkAndHolds(SizeIs(1)));
  again->reset();
  MysqlAdminExec(absl::StrCat("DROP DATABASE IF EXISTS `", database, "`"));
}

// Whether the test server has a database called `name`.
bool DatabaseExists(const std::string& name) {
  const StoreOptions admin = TestMysqlOptions("");
  soci::session sql(soci::mysql, MysqlConnectString(admin, admin.mysql.user, admin.mysql.password, ""));
  long long count = 0;
  sql << "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :db", soci::use(name),
      soci::into(count);
  return count > 0;
}

TEST(OpenMysqlTest, RepairRefusesToCreateAnEmptyDatabaseWhenTheUserHasDataInAnother) {
  GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  TestMysqlUser user("app-password");
  const std::string old_database = UniqueName("gempool_old_");
  const std::string new_database = UniqueName("gempool_new_");
  MysqlAdminExec(absl::StrCat("CREATE DATABASE `", old_database, "` CHARACTER SET utf8mb4"));
  MysqlAdminExec(absl::StrCat("GRANT ALL PRIVILEGES ON `", old_database, "`.* TO '", user.name(), "'@'%'"));
  StoreOptions o = TestMysqlOptions(old_database);
  const std::string admin_user = o.mysql.user;
  const std::string admin_password = o.mysql.password;
  o.mysql.user = user.name();
  o.mysql.password = "app-password";
  FakeClock clock;
  {
    auto store = SociStore::Open(o, clock);  // gempool's tables, with a key, in the old database.
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->AddKeys({"AIzaKeptInTheOldDatabase"}), IsOk());
  }

  // MYSQL_DATABASE renamed in .env, the root password set: no empty database.
  o.mysql.database = new_database;
  o.mysql_admin_user = admin_user;
  o.mysql_admin_password = admin_password;
  EXPECT_THAT(SociStore::Open(o, clock),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("MYSQL_DATABASE is '" + new_database + "'"),
                             HasSubstr("gempool data in database '" + old_database + "'"),
                             HasSubstr("MYSQL_DATABASE=" + old_database), HasSubstr("CREATE DATABASE"),
                             Not(HasSubstr(admin_password)), Not(HasSubstr("app-password")))));
  EXPECT_FALSE(DatabaseExists(new_database));

  // Created on purpose by an administrator: the repair grants it and opens.
  MysqlAdminExec(absl::StrCat("CREATE DATABASE `", new_database, "` CHARACTER SET utf8mb4"));
  {
    auto store = SociStore::Open(o, clock);
    ASSERT_THAT(store, IsOk());
    EXPECT_THAT((*store)->LoadKeys(), IsOkAndHolds(SizeIs(0)));
  }
  MysqlAdminExec(absl::StrCat("DROP DATABASE IF EXISTS `", old_database, "`"));
  MysqlAdminExec(absl::StrCat("DROP DATABASE IF EXISTS `", new_database, "`"));
}

TEST(OpenMysqlTest, RepairUsesTheConfiguredAdminAccount) {
  GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  auto db = TestDatabase::Create(Backend::kMysql);
  ASSERT_THAT(db, IsOk());
  StoreOptions o = (*db)->options();
  TestMysqlUser user("the-old-password");
  MysqlAdminExec(absl::StrCat("GRANT ALL PRIVILEGES ON `", o.mysql.database, "`.* TO '", user.name(), "'@'%'"));
  o.mysql_admin_user = o.mysql.user;  // The test server's administrator is not called root.
  o.mysql_admin_password = o.mysql.password;
  o.mysql.user = user.name();
  o.mysql.password = "the-new-password";
  FakeClock clock;
  ASSERT_THAT(SociStore::Open(o, clock), IsOk());
  o.mysql_admin_password = "";
  EXPECT_THAT(SociStore::Open(o, clock), IsOk());
}

TEST(OpenMysqlTest, FailedRepairExplainsBothFailures) {
  GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  auto db = TestDatabase::Create(Backend::kMysql);
  ASSERT_THAT(db, IsOk());
  StoreOptions o = (*db)->options();
  o.mysql.password = "wrong";
  o.mysql_admin_user = "root";
  o.mysql_admin_password = "also-wrong";
  FakeClock clock;
  EXPECT_THAT(
      SociStore::Open(o, clock),
      StatusIs(absl::StatusCode::kPermissionDenied,
               AllOf(HasSubstr("Access denied for user '" + o.mysql.user + "'"), HasSubstr("admin account 'root'"),
                     HasSubstr("MYSQL_ROOT_PASSWORD"), Not(HasSubstr("also-wrong")))));
}

// Kills every server connection of `database`.
void KillConnections(const std::string& database) {
  const StoreOptions admin = TestMysqlOptions("");
  soci::session sql(soci::mysql, MysqlConnectString(admin, admin.mysql.user, admin.mysql.password, ""));
  std::vector<long long> ids;
  long long id = 0;
  soci::statement st = (sql.prepare << "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = :db",
                        soci::use(database), soci::into(id));
  st.execute();
  while (st.fetch()) ids.push_back(id);
  for (long long victim : ids) {
    try {
      sql << "KILL " + std::to_string(victim);
    } catch (const soci::soci_error&) {
    }
  }
}

TEST(OpenMysqlTest, ReconnectsAfterTheServerDropsIdleConnections) {
  GEMPOOL_SKIP_UNLESS_TEST_MYSQL();
  auto db = TestDatabase::Create(Backend::kMysql);
  ASSERT_THAT(db, IsOk());
  StoreOptions o = (*db)->options();
  o.pool_size = 1;
  FakeClock clock;
  auto store = SociStore::Open(o, clock);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->AddKeys({"AIzaSurvivor"}), IsOk());

  // Idle past the check interval: the connection is tested and replaced.
  KillConnections((*db)->options().mysql.database);
  clock.AdvanceMs(int64_t{o.mysql_idle_check_seconds} * 1000 + 1);
  EXPECT_THAT((*store)->LoadKeys(), IsOkAndHolds(SizeIs(1)));

  // Dropped while busy: that call fails as unavailable, the next reconnects.
  KillConnections((*db)->options().mysql.database);
  EXPECT_THAT((*store)->LoadKeys(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("loading keys")));
  EXPECT_THAT((*store)->LoadKeys(), IsOkAndHolds(SizeIs(1)));
}

}  // namespace
}  // namespace gempool::storage
