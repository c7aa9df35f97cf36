// `gempoolctl import gemini-balance` against a running stack, from a
// gemini-balance-shaped database the test builds (t_settings as
// gemini-balance creates it, with the rows it leaves: JSON lists, tokens,
// plain settings, secrets, and a setting nobody knows), in SQLite and in
// MariaDB: keys reach the pool once however often it runs, settings are
// stored the way the admin page stores them, unmapped rows are named (never
// their values), and the source is never changed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "integration/db_rows.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kAdminInGeminiBalance[] = "sk-gb-admin-77c1";
constexpr char kClientInGeminiBalance[] = "sk-gb-client-3e9d";
constexpr char kUnknownSecret[] = "hush-do-not-print-5b0a";
constexpr char kDbPassword[] = "gb-db-password-0c4f";
// A Vertex AI Express key ("AQ." and 40+ characters).
constexpr char kVertexKeyInGeminiBalance[] = "AQ.Ab8RN6ImportedVertexKey0123456789abcdefghijklmn";

// The rows of gemini-balance's t_settings for this test.
std::vector<std::pair<std::string, std::string>> SourceRows() {
  return {
      {"API_KEYS", absl::StrCat("[\"", StackOptions::TestKey(1), "\", \"", StackOptions::TestKey(7), "\", \"",
                                StackOptions::TestKey(8), "\", \"", StackOptions::TestKey(7), "\"]")},
      {"ALLOWED_TOKENS", absl::StrCat("[\"", kClientInGeminiBalance, "\"]")},
      {"AUTH_TOKEN", kAdminInGeminiBalance},
      {"MAX_FAILURES", "7"},
      {"MAX_RETRIES", "3"},
      {"TIME_OUT", "20"},  // As the test stack has it.
      {"THINKING_BUDGET_MAP", "{\"gemini-2.5-flash\": 4000}"},
      {"PROXIES", "[\"socks4://user:pw@10.0.0.9:1080\"]"},
      {"VERTEX_API_KEYS", absl::StrCat("[\"", kVertexKeyInGeminiBalance, "\"]")},
      {"UPLOAD_PROVIDER", "picgo"},
      {"STREAM_OPTIMIZER_ENABLED", "true"},
      {"MYSQL_PASSWORD", kDbPassword},
      {"MY_OWN_SETTING", kUnknownSecret},
  };
}

constexpr char kCreateTable[] =
    "CREATE TABLE t_settings (id INTEGER NOT NULL PRIMARY KEY %s, `key` VARCHAR(100) NOT NULL UNIQUE, value TEXT, "
    "description VARCHAR(255), created_at DATETIME, updated_at DATETIME)";

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out;
}

std::string InsertSql() {
  std::string sql = "INSERT INTO t_settings (`key`, value, description, created_at, updated_at) VALUES ";
  bool first = true;
  for (const auto& [name, value] : SourceRows()) {
    absl::StrAppend(&sql, first ? "" : ", ", "('", name, "', '", Escape(value), "', '", name,
                    " configuration', '2025-05-01 10:00:00', '2025-05-01 10:00:00')");
    first = false;
  }
  return sql;
}

// gemini-balance's t_file_records (SQLAlchemy's DDL, both backends take
// it) and its rows: two live files of pool keys, one of a key gempool will
// not have, one expired, one whose upload never completed.
constexpr char kCreateFileRecords[] =
    "CREATE TABLE t_file_records (id INTEGER NOT NULL PRIMARY KEY %s, name VARCHAR(255) NOT NULL UNIQUE, "
    "display_name VARCHAR(255), mime_type VARCHAR(100), size_bytes BIGINT, sha256_hash VARCHAR(255), "
    "state VARCHAR(20), create_time DATETIME, update_time DATETIME, expiration_time DATETIME, uri VARCHAR(500), "
    "api_key VARCHAR(100), upload_url TEXT, user_token VARCHAR(100), upload_completed BOOLEAN)";

std::string FileRecordsInsertSql() {
  struct FileRow {
    const char* name;
    std::string key;
    const char* expires;
    int completed;
  };
  const std::vector<FileRow> rows = {
      {"files/gbalive1", StackOptions::TestKey(1), "2099-01-01 00:00:00", 1},
      {"files/gbalive7", StackOptions::TestKey(7), "2099-01-01 00:00:00.123456", 1},
      {"files/gbunknown", StackOptions::TestKey(9), "2099-01-01 00:00:00", 1},
      {"files/gbexpired", StackOptions::TestKey(1), "2020-01-01 00:00:00", 1},
      {"files/gbpartial", StackOptions::TestKey(1), "2099-01-01 00:00:00", 0},
  };
  std::string sql =
      "INSERT INTO t_file_records (name, display_name, mime_type, size_bytes, state, create_time, update_time, "
      "expiration_time, uri, api_key, upload_url, user_token, upload_completed) VALUES ";
  bool first = true;
  for (const FileRow& r : rows) {
    absl::StrAppend(&sql, first ? "" : ", ", "('", r.name, "', 'doc.pdf', 'application/pdf', 1234, 'ACTIVE', ",
                    "'2025-05-01 10:00:00', '2025-05-01 10:00:00', '", r.expires,
                    "', 'https://generativelanguage.googleapis.com/v1beta/", r.name, "', '", r.key,
                    "', 'https://upload.example/x', '", kClientInGeminiBalance, "', ", r.completed, ")");
    first = false;
  }
  return sql;
}

enum class SourceType { kSqlite, kMysql };

class ImportTest : public StackTest, public ::testing::WithParamInterface<SourceType> {
 protected:
  void SetUp() override {
    if (GetParam() == SourceType::kMysql) {
      std::optional<MysqlTarget> server = MysqlTestServer();
      if (!server.has_value()) {
        if (MysqlRequired()) FAIL() << "GEMPOOL_REQUIRE_MYSQL=1 but GEMPOOL_TEST_MYSQL_HOST is not set";
        GTEST_SKIP() << "no test MariaDB (eval \"$(scripts/mariadb-test-server.sh start)\")";
      }
      auto db = MysqlDatabase::Create(*server);
      ASSERT_TRUE(db.ok()) << db.status();
      source_db_ = *std::move(db);
      char create[512];
      snprintf(create, sizeof(create), kCreateTable, "AUTO_INCREMENT");
      char create_files[1024];
      snprintf(create_files, sizeof(create_files), kCreateFileRecords, "AUTO_INCREMENT");
      for (const std::string& sql :
           {std::string(create), InsertSql(), std::string(create_files), FileRecordsInsertSql()}) {
        auto done = source_db_->Query(sql);
        ASSERT_TRUE(done.ok()) << done.status();
      }
      const MysqlTarget& t = source_db_->target();
      source_args_ = {"--mysql-host",     t.host,     "--mysql-port",     absl::StrCat(t.port),
                      "--mysql-user",     t.user,     "--mysql-password", t.password,
                      "--mysql-database", t.database};
    } else {
      std::string pattern = (std::filesystem::temp_directory_path() / "gempool-gb-XXXXXX").string();
      ASSERT_NE(mkdtemp(pattern.data()), nullptr);
      sqlite_dir_ = pattern;
      const std::string path = sqlite_dir_ + "/default_db";
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
      char create[512];
      snprintf(create, sizeof(create), kCreateTable, "");
      char create_files[1024];
      snprintf(create_files, sizeof(create_files), kCreateFileRecords, "");
      for (const std::string& sql :
           {std::string(create), InsertSql(), std::string(create_files), FileRecordsInsertSql()}) {
        char* error = nullptr;
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
        sqlite3_free(error);
      }
      sqlite3_close(db);
      source_args_ = {"--sqlite", path};
    }
  }

  void TearDown() override {
    StackTest::TearDown();
    source_db_.reset();
    if (!sqlite_dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(sqlite_dir_, ec);
    }
  }

  // The source's t_settings rows, to prove the import never changed them.
  std::vector<Row> SourceTable() {
    const std::string sql = "SELECT `key`, value, updated_at FROM t_settings ORDER BY `key`";
    auto rows = source_db_ ? source_db_->Query(sql) : SqliteQuery(sqlite_dir_ + "/default_db", sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<Row>{};
  }

  Stack::CtlResult Import(std::vector<std::string> extra) {
    std::vector<std::string> args = {"import", "gemini-balance"};
    args.insert(args.end(), source_args_.begin(), source_args_.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return stack().RunCtl(args);
  }

  json ImportJson(std::vector<std::string> extra) {
    extra.push_back("--json");
    Stack::CtlResult r = Import(extra);
    EXPECT_EQ(r.exit_code, 0) << r.output << r.error;
    for (const char* secret : {kUnknownSecret, kDbPassword, "user:pw"}) {
      EXPECT_THAT(r.output + r.error, Not(HasSubstr(secret)));
    }
    json out = json::parse(r.output, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << r.output;
    return out.is_discarded() ? json::object() : out;
  }

  int64_t PoolSize(const std::string& pool = "gemini") {
    Stack::CtlResult r = stack().RunCtl({"keys", "list", "--pool", pool, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.output << r.error;
    json out = json::parse(r.output, nullptr, false);
    return out.is_discarded() ? -1 : out.value("total", -1);
  }

  std::map<std::string, std::string> StoredSettings() {
    auto rows = SqliteQuery(stack().SqlitePath(), "SELECT name, value FROM gempool_settings");
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::map<std::string, std::string> out;
    if (rows.ok()) {
      for (const Row& row : *rows) out[row.at("name")] = row.at("value");
    }
    return out;
  }

  std::vector<Row> FileRecordRows() {
    auto rows = SqliteQuery(stack().SqlitePath(),
                            "SELECT name, key_id, owner, expires_at_ms FROM gempool_file_records ORDER BY name");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<Row>{};
  }

  std::unique_ptr<MysqlDatabase> source_db_;
  std::string sqlite_dir_;
  std::vector<std::string> source_args_;
};

std::vector<std::string> Names(const json& list) {
  std::vector<std::string> names;
  for (const json& item : list) names.push_back(item.is_object() ? item.value("name", "") : item.get<std::string>());
  return names;
}

TEST_P(ImportTest, BringsKeysAndSettingsAcrossOnceAndNamesWhatItCannotMap) {
  StackOptions options;
  options.keys = {StackOptions::TestKey(1)};  // Already in gempool.
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  const std::vector<Row> source_before = SourceTable();
  ASSERT_EQ(source_before.size(), SourceRows().size());

  // A dry run reports and changes nothing.
  json dry = ImportJson({"--dry-run"});
  EXPECT_TRUE(dry.value("dry_run", false));
  EXPECT_EQ(dry["keys"].value("found", -1), 3);
  EXPECT_EQ(dry["keys"].value("added", -1), 2);
  EXPECT_EQ(dry["keys"].value("already_present", -1), 1);
  EXPECT_EQ(dry["files"].value("found", -1), 5);
  EXPECT_EQ(dry["files"].value("imported", -1), 2);
  EXPECT_EQ(PoolSize(), 1);
  EXPECT_THAT(FileRecordRows(), IsEmpty());
  EXPECT_THAT(StoredSettings(), IsEmpty());

  // The import.
  json first = ImportJson({});
  EXPECT_FALSE(first.value("dry_run", true));
  EXPECT_EQ(first["keys"].value("added", -1), 2);
  EXPECT_EQ(first["keys"]["added_ids"].size(), 2u);
  EXPECT_EQ(first["keys"].value("already_present", -1), 1);
  EXPECT_THAT(Names(first["settings"]["imported"]),
              UnorderedElementsAre("ALLOWED_TOKENS", "MAX_FAILURES", "THINKING_BUDGET_MAP", "UPLOAD_PROVIDER"));
  EXPECT_THAT(Names(first["settings"]["unchanged"]), Contains("MAX_RETRIES"));
  EXPECT_THAT(Names(first["settings"]["unchanged"]), Contains("TIME_OUT"));
  EXPECT_THAT(Names(first["not_imported"]),
              UnorderedElementsAre("PROXIES", "STREAM_OPTIMIZER_ENABLED", "MYSQL_PASSWORD", "MY_OWN_SETTING"));
  // VERTEX_API_KEYS: into the Vertex AI Express pool, not the Gemini one.
  EXPECT_EQ(first["vertex_keys"].value("added", -1), 1);
  EXPECT_EQ(PoolSize("vertex"), 1);
  EXPECT_EQ(first["env"].value("AUTH_TOKEN", ""), kAdminInGeminiBalance);
  EXPECT_EQ(PoolSize(), 3);
  const std::map<std::string, std::string> stored = StoredSettings();
  EXPECT_EQ(stored.count("MAX_FAILURES") ? stored.at("MAX_FAILURES") : "", "7");
  EXPECT_EQ(stored.count("GEMPOOL_UI_META__MAX_FAILURES"), 1u);  // Saved as the admin page saves.
  EXPECT_EQ(stored.count("PROXIES"), 0u);
  EXPECT_EQ(stored.count("MY_OWN_SETTING"), 0u);

  // t_file_records: the live files of pool keys, bound to those keys and to
  // the gemini-balance client token (by its id); the others reported.
  EXPECT_EQ(first["files"].value("imported", -1), 2);
  EXPECT_THAT(first["files"]["skipped_unknown_key"], ::testing::ElementsAre("files/gbunknown"));
  EXPECT_EQ(first["files"].value("skipped_expired_or_incomplete", -1), 2);
  std::map<std::string, std::string> key_ids;
  auto keys = SqliteQuery(stack().SqlitePath(), "SELECT id, secret FROM gempool_keys");
  ASSERT_TRUE(keys.ok()) << keys.status();
  for (const Row& row : *keys) key_ids[row.at("secret")] = row.at("id");
  const std::vector<Row> files = FileRecordRows();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].at("name"), "files/gbalive1");
  EXPECT_EQ(files[0].at("key_id"), key_ids[StackOptions::TestKey(1)]);
  EXPECT_EQ(files[1].at("name"), "files/gbalive7");
  EXPECT_EQ(files[1].at("key_id"), key_ids[StackOptions::TestKey(7)]);
  for (const Row& file : files) EXPECT_EQ(file.at("owner"), TokenId(kClientInGeminiBalance));
  EXPECT_EQ(files[0].at("expires_at_ms"), "4070908800000");

  // Again: nothing is duplicated or rewritten.
  json second = ImportJson({});
  EXPECT_EQ(second["keys"].value("added", -1), 0);
  EXPECT_EQ(second["keys"].value("already_present", -1), 3);
  EXPECT_THAT(second["settings"]["imported"], IsEmpty());
  EXPECT_THAT(Names(second["settings"]["unchanged"]), Contains("MAX_FAILURES"));
  EXPECT_EQ(PoolSize(), 3);
  EXPECT_EQ(StoredSettings(), stored);

  // The text report lists the unmapped rows by name, never their values.
  Stack::CtlResult text = Import({"--dry-run"});
  EXPECT_EQ(text.exit_code, 0) << text.output << text.error;
  EXPECT_THAT(text.output, HasSubstr("Not imported (4)"));
  EXPECT_THAT(text.output, HasSubstr("MY_OWN_SETTING"));
  EXPECT_THAT(text.output, HasSubstr("AUTH_TOKEN=" + std::string(kAdminInGeminiBalance)));
  EXPECT_THAT(text.output, Not(HasSubstr(kUnknownSecret)));
  EXPECT_THAT(text.output, Not(HasSubstr(StackOptions::TestKey(7))));
  EXPECT_THAT(text.output, Not(HasSubstr(kVertexKeyInGeminiBalance)));

  // Requests still work with the pool's keys (sent with the admin token,
  // which ALLOWED_TOKENS from the import does not affect), and the source
  // is intact.
  auto r = stack().Gateway()->Post(GeneratePath(kFlash).c_str(), {{"x-goog-api-key", stack().options().admin_token}},
                                   GenerateBody("hello"), "application/json");
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
  EXPECT_EQ(SourceTable(), source_before);
}

TEST_P(ImportTest, AMissingSourceIsAFailureAndChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  Stack::CtlResult r;
  if (GetParam() == SourceType::kSqlite) {
    r = stack().RunCtl({"import", "gemini-balance", "--sqlite", sqlite_dir_ + "/nothing_db"});
    EXPECT_THAT(r.error, HasSubstr("no SQLite file at"));
    EXPECT_FALSE(std::filesystem::exists(sqlite_dir_ + "/nothing_db"));
  } else {
    const MysqlTarget& t = source_db_->target();
    r = stack().RunCtl({"import", "gemini-balance", "--mysql-host", t.host, "--mysql-port", absl::StrCat(t.port),
                        "--mysql-user", t.user, "--mysql-password", "not-the-password", "--mysql-database",
                        t.database});
    EXPECT_THAT(r.error, HasSubstr("cannot connect to MySQL database"));
    EXPECT_THAT(r.error, Not(HasSubstr("not-the-password")));
  }
  EXPECT_EQ(r.exit_code, 1) << r.output << r.error;
  EXPECT_EQ(PoolSize(), 3);
}

INSTANTIATE_TEST_SUITE_P(Sources, ImportTest, ::testing::Values(SourceType::kSqlite, SourceType::kMysql),
                         [](const ::testing::TestParamInfo<SourceType>& info) {
                           return info.param == SourceType::kSqlite ? std::string("Sqlite") : std::string("Mysql");
                         });

}  // namespace
}  // namespace gempool::integration
