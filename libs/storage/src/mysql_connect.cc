#include "mysql_connect.h"

#include <soci/mysql/soci-mysql.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gempool/common/logging.h"
#include "gempool/common/status_macros.h"
#include "sql_error.h"

namespace gempool::storage {
namespace {

constexpr unsigned int kAccessDenied = 1045;     // ER_ACCESS_DENIED_ERROR
constexpr unsigned int kDbAccessDenied = 1044;   // ER_DBACCESS_DENIED_ERROR
constexpr unsigned int kUnknownDatabase = 1049;  // ER_BAD_DB_ERROR

// A value for SOCI's MySQL connect string: quoted, with \ and ' escaped.
std::string Quote(const std::string& value) {
  return absl::StrCat("'", absl::StrReplaceAll(value, {{"\\", "\\\\"}, {"'", "\\'"}}), "'");
}

// A MySQL identifier in backquotes.
std::string QuoteIdentifier(const std::string& name) {
  return absl::StrCat("`", absl::StrReplaceAll(name, {{"`", "``"}}), "`");
}

std::string Account(const std::string& user) { return absl::StrCat("'", user, "'@'%'"); }

bool IsUnreachable(unsigned int n) {
  return n == 2002 || n == 2003 || n == 2005 || n == 2006 || n == 2013 || n == 2055;
}

// The advice for a failed application login, by MySQL error number.
absl::Status Describe(const StoreOptions& o, const soci::soci_error& error, absl::string_view extra) {
  const MysqlSettings& m = o.mysql;
  const unsigned int n = MysqlErrorNumber(error);
  const std::string head = absl::StrCat("cannot connect to MySQL at ", MysqlWhere(m), " as user '", m.user,
                                        "': ", error.get_error_message(), ". ");
  const std::string repair_hint =
      o.mysql_admin_password.empty()
          ? absl::StrCat(" Or set MYSQL_ROOT_PASSWORD to the root password the database server was created with "
                         "(and MYSQL_ROOT_USER if your administrator account is not root) and restart "
                         "(docker compose up -d): gempool-persistence then repairs the account itself at start-up. "
                         "See docs/deploy.md, section 5 (changing the database password).")
          : "";
  if (n == kAccessDenied) {
    return absl::PermissionDeniedError(absl::StrCat(
        head, "The server refused MYSQL_USER '", m.user,
        "' with MYSQL_PASSWORD. If you changed MYSQL_PASSWORD after the database was first created, the "
        "server still has the old password (the MySQL container applies MYSQL_PASSWORD only when its data "
        "volume is created): put the old password back, or set the new one in the database as an "
        "administrator (ALTER USER ",
        Account(m.user), " IDENTIFIED BY '<MYSQL_PASSWORD>'; GRANT ALL PRIVILEGES ON ", QuoteIdentifier(m.database),
        ".* TO ", Account(m.user), ";).", repair_hint, extra));
  }
  if (n == kDbAccessDenied) {
    return absl::PermissionDeniedError(absl::StrCat(head, "The user has no privileges on database '", m.database,
                                                    "' (MYSQL_DATABASE). Check MYSQL_DATABASE, or "
                                                    "grant them (GRANT ALL PRIVILEGES ON ",
                                                    QuoteIdentifier(m.database), ".* TO ", Account(m.user), ").",
                                                    repair_hint, extra));
  }
  if (n == kUnknownDatabase) {
    return absl::NotFoundError(absl::StrCat(head, "Database '", m.database,
                                            "' (MYSQL_DATABASE) does not exist. Check MYSQL_DATABASE, or create it "
                                            "(CREATE DATABASE ",
                                            QuoteIdentifier(m.database), " CHARACTER SET utf8mb4).", repair_hint,
                                            extra));
  }
  if (IsUnreachable(n)) {
    const std::string where_vars = m.socket.empty() ? "MYSQL_HOST and MYSQL_PORT" : "MYSQL_SOCKET";
    return absl::UnavailableError(absl::StrCat(
        head, "Check that the MySQL server is running and reachable at ", where_vars,
        " (with docker compose, MYSQL_HOST is the database service's name, e.g. db; the server may still be "
        "starting).",
        extra));
  }
  return absl::UnavailableError(absl::StrCat(head, "Check the MYSQL_* settings (in .env or the environment).", extra));
}

// Whether `name` matches `pattern` as a mysql.db Db pattern does: SQL LIKE,
// % and _ wildcards, backslash escapes.
bool MatchesDbPattern(absl::string_view pattern, absl::string_view name) {
  if (pattern.empty()) return name.empty();
  const char c = pattern.front();
  if (c == '%') {
    for (size_t skip = 0; skip <= name.size(); ++skip) {
      if (MatchesDbPattern(pattern.substr(1), name.substr(skip))) return true;
    }
    return false;
  }
  if (name.empty()) return false;
  if (c == '_') return MatchesDbPattern(pattern.substr(1), name.substr(1));
  if (c == '\\' && pattern.size() > 1) {
    return pattern[1] == name.front() && MatchesDbPattern(pattern.substr(2), name.substr(1));
  }
  return c == name.front() && MatchesDbPattern(pattern.substr(1), name.substr(1));
}

std::string QuotedList(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const std::string& name : names) quoted.push_back(absl::StrCat("'", name, "'"));
  return absl::StrJoin(quoted, ", ");
}

// The databases on the server that hold gempool's tables (gempool_keys),
// by name.
std::vector<std::string> GempoolDatabases(soci::session& sql) {
  std::vector<std::string> names;
  std::string name;
  soci::statement st = (sql.prepare << "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.TABLES "
                                       "WHERE TABLE_NAME = 'gempool_keys' ORDER BY TABLE_SCHEMA",
                        soci::into(name));
  st.execute();
  while (st.fetch()) names.push_back(name);
  return names;
}

// Of `databases`, those `user` holds database-level privileges on (the Db
// patterns of its mysql.db rows). Empty when mysql.db cannot be read.
std::vector<std::string> GrantedTo(soci::session& sql, const std::string& user,
                                   const std::vector<std::string>& databases) {
  std::vector<std::string> patterns;
  try {
    std::string pattern;
    soci::statement st =
        (sql.prepare << "SELECT Db FROM mysql.db WHERE User = :u", soci::use(user), soci::into(pattern));
    st.execute();
    while (st.fetch()) patterns.push_back(pattern);
  } catch (const soci::soci_error& e) {
    GEMPOOL_LOG(DEBUG) << "cannot read mysql.db to find the databases of user '" << user
                       << "': " << e.get_error_message();
    return {};
  }
  std::vector<std::string> granted;
  for (const std::string& db : databases) {
    for (const std::string& pattern : patterns) {
      if (MatchesDbPattern(pattern, db)) {
        granted.push_back(db);
        break;
      }
    }
  }
  return granted;
}

// Refuses (kFailedPrecondition) to create a missing MYSQL_DATABASE while
// MYSQL_USER keeps gempool's data in another database: MYSQL_DATABASE was
// renamed in .env, and an empty database would make the data seem lost.
// Otherwise only warns about gempool data elsewhere on the server.
absl::Status GuardAgainstAnEmptyDatabase(const StoreOptions& o, soci::session& sql, bool database_exists) {
  const MysqlSettings& m = o.mysql;
  std::vector<std::string> elsewhere = GempoolDatabases(sql);
  const bool here = std::find(elsewhere.begin(), elsewhere.end(), m.database) != elsewhere.end();
  elsewhere.erase(std::remove(elsewhere.begin(), elsewhere.end(), m.database), elsewhere.end());
  if (here || elsewhere.empty()) return absl::OkStatus();
  const std::vector<std::string> of_user = GrantedTo(sql, m.user, elsewhere);
  if (!database_exists && !of_user.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "MYSQL_DATABASE is '", m.database, "', which does not exist on MySQL at ", MysqlWhere(m), ", while user '",
        m.user, "' (MYSQL_USER) has gempool data in database ", QuotedList(of_user),
        ". MYSQL_DATABASE was probably changed in .env (the MySQL container ignores that change). "
        "gempool-persistence did not create an empty '",
        m.database,
        "' database, which would make your keys and logs seem lost. To keep your data, set MYSQL_DATABASE=",
        of_user.front(),
        " again and restart (docker compose up -d). To start with an empty database on purpose, create it as an "
        "administrator first (CREATE DATABASE ",
        QuoteIdentifier(m.database), " CHARACTER SET utf8mb4); gempool-persistence then grants '", m.user,
        "' access to it and carries on."));
  }
  constexpr size_t kMaxNamed = 5;
  std::vector<std::string> named = of_user.empty() ? elsewhere : of_user;
  const size_t more = named.size() > kMaxNamed ? named.size() - kMaxNamed : 0;
  named.resize(std::min(named.size(), kMaxNamed));
  GEMPOOL_LOG(WARNING) << "**** MYSQL_DATABASE '" << m.database << "' " << (database_exists ? "has" : "will have")
                       << " no gempool data, but database " << QuotedList(named)
                       << (more > 0 ? absl::StrCat(" (and ", more, " more)") : "") << " on this server "
                       << (of_user.empty() ? "holds" : absl::StrCat("of user '", m.user, "' holds"))
                       << " gempool tables. If your keys and logs are there, set MYSQL_DATABASE to that name and "
                          "restart; gempool is starting with an empty database now. ****";
  return absl::OkStatus();
}

// Creates the database and user if missing, sets the user's password to
// MYSQL_PASSWORD (after a refused login) and grants it the database, with the
// admin account. kFailedPrecondition (GuardAgainstAnEmptyDatabase) is a
// refusal to be reported as it is; other errors are the admin login's.
absl::Status RepairAccount(const StoreOptions& o, unsigned int login_error) {
  const MysqlSettings& m = o.mysql;
  try {
    soci::session sql(soci::mysql, MysqlConnectString(o, o.mysql_admin_user, o.mysql_admin_password, ""));
    const std::string db = QuoteIdentifier(m.database);
    long long schemas = 0;
    sql << "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :db", soci::use(m.database),
        soci::into(schemas);
    GEMPOOL_RETURN_IF_ERROR(GuardAgainstAnEmptyDatabase(o, sql, schemas > 0));
    if (schemas == 0) {
      sql << "CREATE DATABASE IF NOT EXISTS " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
      GEMPOOL_LOG(WARNING) << "created the MySQL database " << db << " (MYSQL_DATABASE) with the admin account '"
                           << o.mysql_admin_user << "'";
    }
    std::vector<std::string> hosts;
    {
      std::string host;
      soci::statement st =
          (sql.prepare << "SELECT Host FROM mysql.user WHERE User = :u", soci::use(m.user), soci::into(host));
      st.execute();
      while (st.fetch()) hosts.push_back(host);
    }
    if (hosts.empty()) {
      sql << "CREATE USER :u@'%' IDENTIFIED BY :p", soci::use(m.user), soci::use(m.password);
      hosts.push_back("%");
      GEMPOOL_LOG(WARNING) << "created MySQL user " << Account(m.user) << " (MYSQL_USER) with the admin account '"
                           << o.mysql_admin_user << "'";
    } else if (login_error == kAccessDenied) {
      for (const std::string& host : hosts) {
        sql << "ALTER USER :u@:h IDENTIFIED BY :p", soci::use(m.user), soci::use(host), soci::use(m.password);
      }
      GEMPOOL_LOG(WARNING) << "MYSQL_PASSWORD did not match MySQL user '" << m.user
                           << "': set the user's password to MYSQL_PASSWORD with the admin account '"
                           << o.mysql_admin_user << "'";
    }
    for (const std::string& host : hosts) {
      sql << "GRANT ALL PRIVILEGES ON " + db + ".* TO :u@:h", soci::use(m.user), soci::use(host);
    }
    return absl::OkStatus();
  } catch (const soci::soci_error& e) {
    return absl::PermissionDeniedError(
        absl::StrCat(" gempool-persistence also tried to fix this with the admin account '", o.mysql_admin_user,
                     "' (MYSQL_ROOT_USER, MYSQL_ROOT_PASSWORD), which failed: ", e.get_error_message(),
                     ". MYSQL_ROOT_PASSWORD, too, is applied only when the server's volume is created; "
                     "use the root password it was created with."));
  }
}

}  // namespace

std::string MysqlConnectString(const StoreOptions& o, const std::string& user, const std::string& password,
                               const std::string& database) {
  std::string s;
  if (!o.mysql.socket.empty()) {
    absl::StrAppend(&s, "unix_socket=", Quote(o.mysql.socket));
  } else {
    absl::StrAppend(&s, "host=", Quote(o.mysql.host), " port=", o.mysql.port);
  }
  absl::StrAppend(&s, " user=", Quote(user), " password=", Quote(password));
  if (!database.empty()) absl::StrAppend(&s, " dbname=", Quote(database));
  absl::StrAppend(&s, " charset=utf8mb4 connect_timeout=", o.mysql_connect_timeout_seconds,
                  " read_timeout=", o.mysql_io_timeout_seconds, " write_timeout=", o.mysql_io_timeout_seconds);
  return s;
}

std::string MysqlWhere(const MysqlSettings& m) {
  return m.socket.empty() ? absl::StrCat(m.host, ":", m.port) : absl::StrCat("unix socket ", m.socket);
}

absl::StatusOr<std::string> ConnectMysql(const StoreOptions& o) {
  const std::string app = MysqlConnectString(o, o.mysql.user, o.mysql.password, o.mysql.database);
  try {
    soci::session probe(soci::mysql, app);
    return app;
  } catch (const soci::soci_error& e) {
    const unsigned int n = MysqlErrorNumber(e);
    const bool repairable = n == kAccessDenied || n == kDbAccessDenied || n == kUnknownDatabase;
    if (!repairable || o.mysql_admin_password.empty()) return Describe(o, e, "");
    const absl::Status repaired = RepairAccount(o, n);
    if (absl::IsFailedPrecondition(repaired)) return repaired;
    if (!repaired.ok()) return Describe(o, e, repaired.message());
  }
  try {
    soci::session probe(soci::mysql, app);
    return app;
  } catch (const soci::soci_error& e) {
    return Describe(o, e,
                    absl::StrCat(" (This is after gempool-persistence updated the user and database with the "
                                 "admin account '",
                                 o.mysql_admin_user, "'.)"));
  }
}

}  // namespace gempool::storage
