#include "mysql_connect.h"

#include <soci/mysql/soci-mysql.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gempool/common/logging.h"
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
          ? " Or set MYSQL_ROOT_PASSWORD (the root password the database server was created with) and "
            "gempool-persistence fixes this at its next start."
          : "";
  if (n == kAccessDenied) {
    return absl::PermissionDeniedError(absl::StrCat(
        head,
        "Check MYSQL_USER and MYSQL_PASSWORD (in .env or the environment). If you changed MYSQL_PASSWORD "
        "after the database was first created, the server still has the old password (the MySQL container "
        "applies MYSQL_PASSWORD only when its data volume is created): put the old password back, or set the "
        "new one in the database (ALTER USER ",
        Account(m.user), " IDENTIFIED BY '<new password>').", repair_hint, extra));
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

// Creates the database and user if missing, sets the user's password to
// MYSQL_PASSWORD (after a refused login) and grants it the database, with the
// admin account.
absl::Status RepairAccount(const StoreOptions& o, unsigned int login_error) {
  const MysqlSettings& m = o.mysql;
  try {
    soci::session sql(soci::mysql, MysqlConnectString(o, o.mysql_admin_user, o.mysql_admin_password, ""));
    const std::string db = QuoteIdentifier(m.database);
    sql << "CREATE DATABASE IF NOT EXISTS " + db + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
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
      GEMPOOL_LOG(WARNING) << "created MySQL user " << Account(m.user) << " (MYSQL_USER) with the admin account";
    } else if (login_error == kAccessDenied) {
      for (const std::string& host : hosts) {
        sql << "ALTER USER :u@:h IDENTIFIED BY :p", soci::use(m.user), soci::use(host), soci::use(m.password);
      }
      GEMPOOL_LOG(WARNING) << "MYSQL_PASSWORD did not match MySQL user '" << m.user
                           << "': set the user's password to MYSQL_PASSWORD with the admin account";
    }
    for (const std::string& host : hosts) {
      sql << "GRANT ALL PRIVILEGES ON " + db + ".* TO :u@:h", soci::use(m.user), soci::use(host);
    }
    return absl::OkStatus();
  } catch (const soci::soci_error& e) {
    return absl::PermissionDeniedError(
        absl::StrCat(" gempool-persistence also tried to fix this with the admin account '", o.mysql_admin_user,
                     "' (MYSQL_ROOT_PASSWORD), which failed: ", e.get_error_message(),
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
