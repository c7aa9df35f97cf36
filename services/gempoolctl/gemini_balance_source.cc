#include "gemini_balance_source.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gempool/gemini/url.h"

namespace gempool::ctl {
namespace {

constexpr int kConnectTimeoutSeconds = 10;

// A value for SOCI's MySQL connect string: quoted, with \ and ' escaped.
std::string Quote(const std::string& value) {
  return absl::StrCat("'", absl::StrReplaceAll(value, {{"\\", "\\\\"}, {"'", "\\'"}}), "'");
}

std::string MysqlConnectString(const MysqlSettings& m) {
  std::string s = m.socket.empty() ? absl::StrCat("host=", Quote(m.host), " port=", m.port)
                                   : absl::StrCat("unix_socket=", Quote(m.socket));
  absl::StrAppend(&s, " user=", Quote(m.user), " password=", Quote(m.password), " dbname=", Quote(m.database),
                  " charset=utf8mb4 connect_timeout=", kConnectTimeoutSeconds,
                  " read_timeout=60 write_timeout=60");
  return s;
}

// %XX-decoding, as in URLs ('+' stays '+': SQLAlchemy URLs escape it).
absl::StatusOr<std::string> PercentDecode(absl::string_view what, absl::string_view text) {
  absl::StatusOr<std::string> decoded = gemini::PercentDecodeStrict(text);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("the DSN's ", what, ": ", decoded.status().message()));
  }
  return decoded;
}

absl::Status NotGeminiBalance(const GeminiBalanceSource& source) {
  return absl::NotFoundError(absl::StrCat(
      DescribeSource(source),
      " has no t_settings table: it is not a gemini-balance database (gemini-balance creates t_settings at its "
      "first start; check the file or MYSQL_DATABASE you pointed at)"));
}

absl::StatusOr<SourceSettings> ReadRows(soci::session& sql) {
  SourceSettings rows;
  std::string key;
  std::string value;
  soci::indicator value_indicator = soci::i_ok;
  soci::statement st = (sql.prepare << "SELECT `key`, `value` FROM t_settings ORDER BY `key`", soci::into(key),
                        soci::into(value, value_indicator));
  st.execute();
  while (st.fetch()) {
    rows[key] = value_indicator == soci::i_null ? std::nullopt : std::optional<std::string>(value);
  }
  return rows;
}

absl::StatusOr<SourceSettings> ReadSqlite(const GeminiBalanceSource& source) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(source.sqlite_path, ec)) {
    return absl::NotFoundError(absl::StrCat(
        "no SQLite file at ", source.sqlite_path,
        " (gemini-balance keeps it in its data folder, named by SQLITE_DATABASE, default data/default_db)"));
  }
  if (source.sqlite_path.find('"') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("the path ", source.sqlite_path, " contains a double quote; copy the file to a simpler name"));
  }
  const std::string db = source.sqlite_path.find(' ') == std::string::npos
                             ? source.sqlite_path
                             : absl::StrCat("\"", source.sqlite_path, "\"");
  try {
    soci::session sql(soci::sqlite3, absl::StrCat("db=", db, " timeout=10 readonly=true"));
    int tables = 0;
    sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 't_settings'", soci::into(tables);
    if (tables == 0) return NotGeminiBalance(source);
    return ReadRows(sql);
  } catch (const soci::soci_error& e) {
    return absl::UnavailableError(absl::StrCat("cannot read ", DescribeSource(source), ": ", e.get_error_message(),
                                               " (is it an SQLite file, and readable by this user?)"));
  }
}

absl::StatusOr<SourceSettings> ReadMysql(const GeminiBalanceSource& source) {
  std::unique_ptr<soci::session> sql;
  try {
    sql = std::make_unique<soci::session>(soci::mysql, MysqlConnectString(source.mysql));
  } catch (const soci::mysql_soci_error& e) {
    const unsigned int n = e.err_num_;
    if (n == 1049) {
      return absl::NotFoundError(absl::StrCat(DescribeSource(source),
                                              " does not exist: check --mysql-database (gemini-balance's "
                                              "MYSQL_DATABASE)"));
    }
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to ", DescribeSource(source), " as user '", source.mysql.user, "': ", e.get_error_message(),
        n == 1045 || n == 1044
            ? " (check --mysql-user and --mysql-password: gemini-balance's MYSQL_USER and MYSQL_PASSWORD)"
            : " (check --mysql-host and --mysql-port, and that this machine or container can reach the server)"));
  } catch (const soci::soci_error& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot connect to ", DescribeSource(source), ": ", e.get_error_message()));
  }
  try {
    int tables = 0;
    *sql << "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
            "TABLE_NAME = 't_settings'",
        soci::into(tables);
    if (tables == 0) return NotGeminiBalance(source);
    return ReadRows(*sql);
  } catch (const soci::soci_error& e) {
    return absl::InternalError(
        absl::StrCat("cannot read t_settings from ", DescribeSource(source), ": ", e.get_error_message()));
  }
}

}  // namespace

std::string DescribeSource(const GeminiBalanceSource& source) {
  if (source.type == GeminiBalanceSource::Type::kSqlite) return absl::StrCat("SQLite file ", source.sqlite_path);
  const MysqlSettings& m = source.mysql;
  return absl::StrCat("MySQL database '", m.database, "' at ",
                      m.socket.empty() ? absl::StrCat(m.host, ":", m.port) : absl::StrCat("unix socket ", m.socket));
}

absl::StatusOr<MysqlSettings> ParseMysqlDsn(absl::string_view dsn) {
  const std::string usage =
      "expected mysql://USER:PASSWORD@HOST:PORT/DATABASE (gemini-balance's MYSQL_* values; %-escape special "
      "characters in the password)";
  absl::string_view rest = absl::StripAsciiWhitespace(dsn);
  const size_t scheme_end = rest.find("://");
  if (scheme_end == absl::string_view::npos) return absl::InvalidArgumentError(absl::StrCat("--mysql-dsn: ", usage));
  const absl::string_view scheme = rest.substr(0, scheme_end);
  if (scheme != "mysql" && !absl::StartsWith(scheme, "mysql+") && scheme != "mariadb" &&
      !absl::StartsWith(scheme, "mariadb+")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--mysql-dsn: the scheme '", scheme, "' is not mysql or mariadb; ", usage));
  }
  rest.remove_prefix(scheme_end + 3);
  MysqlSettings m;
  m.port = 3306;
  const size_t query = rest.find('?');
  absl::string_view params;
  if (query != absl::string_view::npos) {
    params = rest.substr(query + 1);
    rest = rest.substr(0, query);
  }
  const size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) {
    const absl::string_view credentials = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    const size_t colon = credentials.find(':');
    auto user = PercentDecode("user", credentials.substr(0, colon));
    if (!user.ok()) return user.status();
    m.user = *user;
    if (colon != absl::string_view::npos) {
      auto password = PercentDecode("password", credentials.substr(colon + 1));
      if (!password.ok()) return password.status();
      m.password = *password;
    }
  }
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos || slash + 1 >= rest.size()) {
    return absl::InvalidArgumentError(absl::StrCat("--mysql-dsn names no database; ", usage));
  }
  auto database = PercentDecode("database", rest.substr(slash + 1));
  if (!database.ok()) return database.status();
  m.database = *database;
  const absl::string_view host_port = rest.substr(0, slash);
  const size_t port_colon = host_port.rfind(':');
  m.host = std::string(host_port.substr(0, port_colon));
  if (port_colon != absl::string_view::npos) {
    int port = 0;
    if (!absl::SimpleAtoi(host_port.substr(port_colon + 1), &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("--mysql-dsn: the port '", host_port.substr(port_colon + 1),
                                                     "' is not a number from 1 to 65535"));
    }
    m.port = port;
  }
  for (absl::string_view param : absl::StrSplit(params, '&', absl::SkipEmpty())) {
    const std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(param, absl::MaxSplits('=', 1));
    if (kv.first == "unix_socket") {
      auto socket = PercentDecode("unix_socket", kv.second);
      if (!socket.ok()) return socket.status();
      m.socket = *socket;
    }
  }
  if (m.host.empty() && m.socket.empty()) m.host = "127.0.0.1";
  if (m.user.empty()) return absl::InvalidArgumentError(absl::StrCat("--mysql-dsn names no user; ", usage));
  return m;
}

absl::StatusOr<SourceSettings> ReadGeminiBalanceSettings(const GeminiBalanceSource& source) {
  return source.type == GeminiBalanceSource::Type::kSqlite ? ReadSqlite(source) : ReadMysql(source);
}

absl::StatusOr<std::unique_ptr<soci::session>> OpenGeminiBalance(const GeminiBalanceSource& source) {
  try {
    if (source.type == GeminiBalanceSource::Type::kMysql) {
      return std::make_unique<soci::session>(soci::mysql, MysqlConnectString(source.mysql));
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(source.sqlite_path, ec) || source.sqlite_path.find('"') != std::string::npos) {
      return absl::NotFoundError(absl::StrCat("no readable SQLite file at ", source.sqlite_path));
    }
    const std::string db = source.sqlite_path.find(' ') == std::string::npos
                               ? source.sqlite_path
                               : absl::StrCat("\"", source.sqlite_path, "\"");
    return std::make_unique<soci::session>(soci::sqlite3, absl::StrCat("db=", db, " timeout=10 readonly=true"));
  } catch (const soci::soci_error& e) {
    return absl::UnavailableError(absl::StrCat("cannot open ", DescribeSource(source), ": ", e.get_error_message()));
  }
}

}  // namespace gempool::ctl
