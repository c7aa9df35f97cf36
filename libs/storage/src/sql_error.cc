#include "sql_error.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "absl/strings/str_cat.h"

namespace gempool::storage {
namespace {

enum class Kind { kConnection, kBusy, kConstraint, kDeadlock, kTooLarge, kOther };

// ER_NET_PACKET_TOO_LARGE: one statement (a large stored response) exceeds
// the server's max_allowed_packet; the server then drops the connection.
constexpr unsigned int kMysqlPacketTooLarge = 1153;

bool IsMysqlConnectionErrno(unsigned int n) {
  switch (n) {
    case 2002:  // CR_CONNECTION_ERROR (socket)
    case 2003:  // CR_CONN_HOST_ERROR
    case 2005:  // CR_UNKNOWN_HOST
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 1927:  // ER_CONNECTION_KILLED
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8)
    case 1053:  // ER_SERVER_SHUTDOWN
      return true;
    default:
      return false;
  }
}

Kind Classify(const soci::soci_error& error) {
  if (const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error)) {
    const unsigned int n = mysql->err_num_;
    if (IsMysqlConnectionErrno(n)) return Kind::kConnection;
    if (n == kMysqlPacketTooLarge) return Kind::kTooLarge;
    if (n == 1062 || n == 1022 || n == 1169 || n == 1586 || n == 1451 || n == 1452) return Kind::kConstraint;
    if (n == 1213) return Kind::kDeadlock;
    if (n == 1205 || n == 1040) return Kind::kBusy;  // Lock wait timeout, too many connections.
  } else if (const auto* sqlite = dynamic_cast<const soci::sqlite3_soci_error*>(&error)) {
    switch (sqlite->result() & 0xff) {
      case 5:  // SQLITE_BUSY
      case 6:  // SQLITE_LOCKED
        return Kind::kBusy;
      case 19:  // SQLITE_CONSTRAINT
        return Kind::kConstraint;
      case 8:   // SQLITE_READONLY
      case 10:  // SQLITE_IOERR
      case 13:  // SQLITE_FULL
      case 14:  // SQLITE_CANTOPEN
        return Kind::kConnection;
      default:
        break;
    }
  }
  switch (error.get_error_category()) {
    case soci::soci_error::connection_error:
      return Kind::kConnection;
    case soci::soci_error::constraint_violation:
      return Kind::kConstraint;
    default:
      return Kind::kOther;
  }
}

}  // namespace

absl::Status SociErrorToStatus(const soci::soci_error& error, absl::string_view what) {
  const std::string text = error.get_error_message();
  switch (Classify(error)) {
    case Kind::kConnection:
      return absl::UnavailableError(absl::StrCat(what, " failed: the database is unavailable: ", text));
    case Kind::kBusy:
      return absl::UnavailableError(absl::StrCat(what, " failed: the database is busy (try again): ", text));
    case Kind::kConstraint:
      return absl::AlreadyExistsError(absl::StrCat(what, " failed: a constraint was violated: ", text));
    case Kind::kDeadlock:
      return absl::AbortedError(absl::StrCat(what, " failed: deadlock in the database (try again): ", text));
    case Kind::kTooLarge:
      return absl::FailedPreconditionError(absl::StrCat(
          what, " failed: the statement is larger than the MySQL server's max_allowed_packet (", text,
          "): raise max_allowed_packet on the server (over twice RESPONSES_STORE_MAX_KB), or lower "
          "RESPONSES_STORE_MAX_KB"));
    case Kind::kOther:
      break;
  }
  return absl::InternalError(absl::StrCat(what, " failed: database error: ", text));
}

bool IsConnectionLost(const soci::soci_error& error) {
  const unsigned int n = MysqlErrorNumber(error);
  if (n == kMysqlPacketTooLarge) return true;  // The server hangs up after it.
  return n != 0 ? IsMysqlConnectionErrno(n) : error.get_error_category() == soci::soci_error::connection_error;
}

bool IsConstraintViolation(const soci::soci_error& error) { return Classify(error) == Kind::kConstraint; }

unsigned int MysqlErrorNumber(const soci::soci_error& error) {
  const auto* mysql = dynamic_cast<const soci::mysql_soci_error*>(&error);
  return mysql == nullptr ? 0 : mysql->err_num_;
}

}  // namespace gempool::storage
