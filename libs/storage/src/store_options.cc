#include "gempool/storage/store_options.h"

namespace gempool::storage {

StoreOptions StoreOptionsFromConfig(const Config& config) {
  StoreOptions o;
  o.backend = config.database_type == "mysql" ? Backend::kMysql : Backend::kSqlite;
  o.sqlite_path = config.SqlitePath();
  o.data_dir = config.data_dir;
  o.mysql = config.mysql;
  o.mysql_admin_user = config.mysql.root_user;
  o.mysql_admin_password = config.mysql.root_password;
  return o;
}

}  // namespace gempool::storage
