#pragma once
// How to open the database: which backend, where, and the connection tuning.
// Built from the process Config by StoreOptionsFromConfig; tests fill it in by
// hand (temporary SQLite files, throwaway MySQL databases).

#include <string>

#include "gempool/config/config.h"

namespace gempool::storage {

enum class Backend { kSqlite, kMysql };

// "sqlite" or "mysql".
const char* BackendName(Backend backend);

struct StoreOptions {
  Backend backend = Backend::kSqlite;

  // --- SQLite ---
  // The database file; its directory is created if missing.
  std::string sqlite_path;
  // DATA_DIR, only to name it in error messages.
  std::string data_dir;
  // How long a writer waits for another connection's write lock.
  int sqlite_busy_timeout_seconds = 10;

  // --- MySQL / MariaDB ---
  // host, port, user, password, database, socket (socket wins over host/port).
  MysqlSettings mysql;
  // The account used to repair the application user at start-up when it cannot
  // log in (password changed in .env after the server was initialised, user or
  // database missing). Empty password: no repair, only a clear error. See
  // src/mysql_connect.h for what the repair refuses to do.
  std::string mysql_admin_user = "root";
  std::string mysql_admin_password;
  int mysql_connect_timeout_seconds = 10;
  // Per read/write on an open connection, so a hung server cannot hold a
  // connection forever.
  int mysql_io_timeout_seconds = 60;
  // A pooled MySQL connection idle for longer is checked (and reconnected)
  // before use; servers drop idle connections after wait_timeout.
  int mysql_idle_check_seconds = 30;

  // Connections kept open; each call leases one. SQLite allows many readers
  // and one writer at a time (WAL); writes take the write lock up front.
  int pool_size = 4;
  // How long a call waits for a free connection before kUnavailable.
  int pool_wait_ms = 30000;
};

// The options for the process configuration: DATABASE_TYPE, DATA_DIR,
// SQLITE_DATABASE and MYSQL_* (MYSQL_ROOT_PASSWORD enables the repair, with
// the account MYSQL_ROOT_USER, default root).
StoreOptions StoreOptionsFromConfig(const Config& config);

}  // namespace gempool::storage
