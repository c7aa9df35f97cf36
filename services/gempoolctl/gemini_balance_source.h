#pragma once
// Reading a gemini-balance database for `gempoolctl import gemini-balance`:
// its t_settings table (id, key, value, description, created_at,
// updated_at), in SQLite or MySQL/MariaDB, through SOCI. Only SELECTs are
// sent; the SQLite file is opened read-only and never created. Errors say
// which database could not be read and what to check.
//
// Stateless; thread-safe.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gemini_balance_import.h"
#include "gempool/config/config.h"

namespace soci {
class session;
}  // namespace soci

namespace gempool::ctl {

struct GeminiBalanceSource {
  enum class Type { kSqlite, kMysql };
  Type type = Type::kSqlite;
  // kSqlite: the database file (gemini-balance's data/default_db).
  std::string sqlite_path;
  // kMysql: host, port, user, password, database, socket (socket wins).
  MysqlSettings mysql;
};

// "SQLite file /x/default_db" or "MySQL database 'db' at host:3306", for
// messages and reports (never the password).
std::string DescribeSource(const GeminiBalanceSource& source);

// Parses a DSN as gemini-balance and SQLAlchemy write them:
// mysql://USER:PASSWORD@HOST:PORT/DATABASE (also mysql+pymysql://, and
// ?unix_socket=PATH); user and password may be %-escaped. kInvalidArgument
// says what is wrong, without echoing the password.
absl::StatusOr<MysqlSettings> ParseMysqlDsn(absl::string_view dsn);

// Every row of t_settings: key → value. kNotFound when the database or the
// table is missing, kUnavailable when the server cannot be reached or refuses
// the login, kInternal for other database errors.
absl::StatusOr<SourceSettings> ReadGeminiBalanceSettings(const GeminiBalanceSource& source);

// A read-only session on the source (SQLite opened read-only), for readers of
// its other tables (gemini_balance_files.h). Errors as above.
absl::StatusOr<std::unique_ptr<soci::session>> OpenGeminiBalance(const GeminiBalanceSource& source);

}  // namespace gempool::ctl
