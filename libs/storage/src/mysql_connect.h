#pragma once
// Opening MySQL/MariaDB connections: the SOCI connect string, and a first
// connection at open that says exactly what failed and what to do. When the
// application account cannot log in (MYSQL_PASSWORD changed after the server's
// volume was created, user or database missing) and an admin password is
// configured (MYSQL_ROOT_USER / MYSQL_ROOT_PASSWORD), the account is repaired
// with the admin account first: the .env stays the source of truth for
// MYSQL_PASSWORD. The repair never creates an empty MYSQL_DATABASE while
// MYSQL_USER has gempool data in another database (MYSQL_DATABASE renamed in
// .env): that is refused with a message naming the old database; other
// gempool databases on the server only draw a loud warning.

#include <string>

#include "absl/status/statusor.h"
#include "gempool/storage/store_options.h"

namespace gempool::storage {

// The SOCI MySQL connect string for `user`/`password` on the server of
// `options` (unix socket if set, else host and port), `database` if not
// empty, utf8mb4, and the connect and I/O timeouts.
std::string MysqlConnectString(const StoreOptions& options, const std::string& user, const std::string& password,
                               const std::string& database);

// Where the server is, for messages: "db:3306" or "unix socket /run/mysqld.sock".
std::string MysqlWhere(const MysqlSettings& mysql);

// Connects once with the application account (repairing it if needed and
// possible) and returns the connect string that works. Errors:
// kPermissionDenied (login refused), kNotFound (no such database),
// kUnavailable (server unreachable), kFailedPrecondition (the repair refused
// to create an empty database, see above), each with the server's text and
// advice.
absl::StatusOr<std::string> ConnectMysql(const StoreOptions& options);

}  // namespace gempool::storage
