// Reading gemini-balance's t_settings from SQLite (a file built here) and
// from MariaDB (when the test server is configured), and parsing DSNs.

#include "gemini_balance_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::ctl {
namespace {

using ::gempool::testing::IsOk;
using ::testing::AllOf;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr char kCreateSqlite[] =
    "CREATE TABLE t_settings (id INTEGER NOT NULL PRIMARY KEY, \"key\" VARCHAR(100) NOT NULL UNIQUE, value TEXT, "
    "description VARCHAR(255), created_at DATETIME, updated_at DATETIME)";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SqliteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool_gb_src_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  GeminiBalanceSource Source(const std::string& path) const {
    GeminiBalanceSource source;
    source.type = GeminiBalanceSource::Type::kSqlite;
    source.sqlite_path = path;
    return source;
  }
  std::string dir_;
};

TEST_F(SqliteSourceTest, ReadsEveryRowWithoutChangingTheFile) {
  const std::string path = dir_ + "/default db";  // A space, as users' paths may have.
  {
    soci::session sql(soci::sqlite3, "db=\"" + path + "\"");
    sql << kCreateSqlite;
    sql << "INSERT INTO t_settings (\"key\", value, description, created_at) VALUES "
           "('API_KEYS', '[\"AIzaSyA\", \"AIzaSyB\"]', 'API_KEYS configuration', '2025-05-01 10:00:00'), "
           "('MAX_FAILURES', '10', NULL, NULL), ('PAID_KEY', NULL, NULL, NULL)";
  }
  const std::string before = ReadAll(path);
  absl::StatusOr<SourceSettings> rows = ReadGeminiBalanceSettings(Source(path));
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*rows, UnorderedElementsAre(Pair("API_KEYS", Optional(std::string(R"(["AIzaSyA", "AIzaSyB"])"))),
                                          Pair("MAX_FAILURES", Optional(std::string("10"))),
                                          Pair("PAID_KEY", std::nullopt)));
  EXPECT_EQ(ReadAll(path), before);
}

TEST_F(SqliteSourceTest, AMissingFileIsNotCreated) {
  const std::string path = dir_ + "/nothing.db";
  EXPECT_THAT(ReadGeminiBalanceSettings(Source(path)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no SQLite file at " + path)));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(SqliteSourceTest, ADatabaseWithoutTSettingsIsNotGeminiBalances) {
  const std::string path = dir_ + "/other.db";
  {
    soci::session sql(soci::sqlite3, "db=" + path);
    sql << "CREATE TABLE something (id INTEGER)";
  }
  EXPECT_THAT(ReadGeminiBalanceSettings(Source(path)),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("not a gemini-balance database")));
  std::ofstream(dir_ + "/text.db") << "this is not SQLite at all, just some text that is long enough";
  EXPECT_THAT(ReadGeminiBalanceSettings(Source(dir_ + "/text.db")), Not(IsOk()));
}

TEST(MysqlDsnTest, ParsesGeminiBalanceStyleDsns) {
  absl::StatusOr<MysqlSettings> m = ParseMysqlDsn("mysql+pymysql://gemini:p%40ss%3Aword@db.example:3307/default_db");
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->user, "gemini");
  EXPECT_EQ(m->password, "p@ss:word");
  EXPECT_EQ(m->host, "db.example");
  EXPECT_EQ(m->port, 3307);
  EXPECT_EQ(m->database, "default_db");

  m = ParseMysqlDsn("mysql://root@/gb?unix_socket=/run/mysqld/mysqld.sock");
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(m->port, 3306);
  EXPECT_EQ(m->password, "");
}

TEST(MysqlDsnTest, RejectsWhatItCannotUseWithoutEchoingThePassword) {
  EXPECT_THAT(ParseMysqlDsn("postgres://u:secretpw@h/db"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                                    AllOf(HasSubstr("postgres"),
                                                                          Not(HasSubstr("secretpw")))));
  EXPECT_THAT(ParseMysqlDsn("mysql://u:secretpw@h:99999/db"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("port"), Not(HasSubstr("secretpw")))));
  EXPECT_THAT(ParseMysqlDsn("mysql://u:secretpw@h:3306"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no database")));
  EXPECT_THAT(ParseMysqlDsn("mysql://u:bad%zzpw@h/db"),
              StatusIs(absl::StatusCode::kInvalidArgument, AllOf(HasSubstr("%25"), Not(HasSubstr("bad")))));
  EXPECT_THAT(ParseMysqlDsn("db:3306"), StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Against the test MariaDB (scripts/mariadb-test-server.sh) ---

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

TEST(MysqlSourceTest, ReadsTSettingsFromMariaDb) {
  if (EnvOr("GEMPOOL_TEST_MYSQL_HOST", "").empty()) {
    if (EnvOr("GEMPOOL_REQUIRE_MYSQL", "") == "1") {
      FAIL() << "GEMPOOL_REQUIRE_MYSQL=1 but GEMPOOL_TEST_MYSQL_HOST is unset";
    }
    GTEST_SKIP() << "no test MySQL server (eval \"$(scripts/mariadb-test-server.sh start)\")";
  }
  MysqlSettings server;
  server.host = EnvOr("GEMPOOL_TEST_MYSQL_HOST", "127.0.0.1");
  server.port = std::atoi(EnvOr("GEMPOOL_TEST_MYSQL_PORT", "3306").c_str());
  server.user = EnvOr("GEMPOOL_TEST_MYSQL_USER", "root");
  server.password = EnvOr("GEMPOOL_TEST_MYSQL_PASSWORD", "");
  server.database = absl::StrCat("gb_src_", getpid(), "_", std::rand() % 100000);
  const std::string admin = absl::StrCat("host=", server.host, " port=", server.port, " user=", server.user,
                                         " password='", server.password, "'");
  {
    soci::session sql(soci::mysql, admin);
    sql << "CREATE DATABASE `" + server.database + "` CHARACTER SET utf8mb4";
  }
  {
    soci::session sql(soci::mysql, admin + " dbname=" + server.database);
    sql << "CREATE TABLE t_settings (id INT AUTO_INCREMENT PRIMARY KEY, `key` VARCHAR(100) NOT NULL UNIQUE, "
           "value TEXT, description VARCHAR(255), created_at DATETIME, updated_at DATETIME)";
    sql << "INSERT INTO t_settings (`key`, value) VALUES ('AUTH_TOKEN', 'sk-admin'), ('TIMEZONE', NULL)";
  }
  GeminiBalanceSource source;
  source.type = GeminiBalanceSource::Type::kMysql;
  source.mysql = server;
  absl::StatusOr<SourceSettings> rows = ReadGeminiBalanceSettings(source);
  EXPECT_THAT(rows, IsOk());
  if (rows.ok()) {
    EXPECT_THAT(*rows, UnorderedElementsAre(Pair("AUTH_TOKEN", Optional(std::string("sk-admin"))),
                                            Pair("TIMEZONE", std::nullopt)));
  }
  source.mysql.password = "wrong-password";
  EXPECT_THAT(ReadGeminiBalanceSettings(source),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("--mysql-password"), Not(HasSubstr("wrong-password")))));
  source.mysql = server;
  source.mysql.database = server.database + "_missing";
  EXPECT_THAT(ReadGeminiBalanceSettings(source), StatusIs(absl::StatusCode::kNotFound, HasSubstr("does not exist")));
  soci::session sql(soci::mysql, admin);
  sql << "DROP DATABASE `" + server.database + "`";
}

}  // namespace
}  // namespace gempool::ctl
