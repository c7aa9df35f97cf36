#pragma once
// gempoolctl's command line: parsing arguments into an Invocation, the help
// text of every command, and splitting pasted keys. No I/O, no RPCs, so it is
// tested on its own. Stateless; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::ctl {

// Exit codes scripts can rely on.
inline constexpr int kExitOk = 0;
// The server answered with an error, or could not be reached (keys verify:
// also when a key did not pass).
inline constexpr int kExitError = 1;
// Bad arguments or configuration (also a request the server rejected as
// invalid).
inline constexpr int kExitUsage = 2;
// The admin token is missing or wrong.
inline constexpr int kExitUnauthenticated = 3;

// Default deadline of `keys verify`: each key is a real upstream request
// (a few at a time, each up to TIME_OUT).
inline constexpr int kVerifyTimeoutMs = 10 * 60 * 1000;

enum class Command {
  kHelp,
  kKeysList,
  kKeysAdd,
  kKeysRemove,
  kKeysPause,
  kKeysResume,
  kKeysReset,
  kKeysVerify,
  kKeysUsage,
  kKeysSummary,
  kHealth,
  kImportGeminiBalance,
  kProxiesCheck,
  kProxiesList,
  kLogs,
  kUsage,
  kTokensAdd,
  kTokensList,
  kTokensDisable,
  kTokensEnable,
  kTokensDelete,
};

struct Invocation {
  Command command = Command::kHelp;
  // kHelp: what to print, and whether it was asked for (exit 0) or shown
  // because the command line was incomplete (exit 2).
  std::string help;
  bool help_requested = true;

  // Global flags; unset ones come from the configuration.
  std::optional<std::string> addr;
  std::optional<std::string> token;
  bool json = false;
  // --timeout-ms; keys verify waits longer by default (kVerifyTimeoutMs).
  int timeout_ms = 10000;

  // keys list
  std::vector<std::string> states;  // "active", "cooling", "failing", "disabled", "paused"
  std::string model;
  std::string search;
  int limit = 0;  // 0: the server's default
  int offset = 0;

  // keys add: keys given as arguments (none: read standard input).
  std::vector<std::string> keys;

  // keys remove|pause|resume|reset|verify (ids or all), keys usage (ids, none
  // for every key with calls)
  std::vector<int64_t> ids;
  bool all = false;

  // keys list|add|remove|pause|resume|reset|verify|summary: --pool, "gemini"
  // (the default: API_KEYS) or "vertex" (VERTEX_API_KEYS). Ids select keys of
  // either pool; --all, list, add and summary apply to this pool.
  std::string pool = "gemini";

  // health: "keybroker", "persistence", "gateway", or "" for the two gRPC services.
  std::string service;

  // import gemini-balance: the source database (--sqlite PATH, or the
  // --mysql-* flags / --mysql-dsn), --dry-run, and where persistence is
  // (--persistence-addr; default PERSISTENCE_ADDR).
  std::string import_sqlite;
  std::string import_mysql_host = "127.0.0.1";
  int import_mysql_port = 3306;
  std::string import_mysql_user;
  std::optional<std::string> import_mysql_password;
  std::string import_mysql_database;
  std::string import_mysql_socket;
  std::string import_mysql_dsn;
  bool dry_run = false;
  std::optional<std::string> persistence_addr;

  // logs: the error log instead of the request log (--errors), one request
  // id's rows (--request-id), and rows of the last `since_seconds` (--since
  // 90s|30m|1h|7d; 0: any time). --limit and --offset page (limit 0: 50).
  bool logs_errors = false;
  std::string request_id;
  int64_t since_seconds = 0;
  // logs --id: only the row with this id (0: a page), printed whole (an
  // error row with its whole request body).
  int64_t log_row_id = 0;

  // usage: --by key|model|token ("" = model), --since today|<N>d|YYYY-MM-DD
  // ("" = 7d) and --until YYYY-MM-DD ("" = today), days in TIMEZONE
  // (usage_command.h); --limit groups (0: 10).
  std::string usage_by;
  std::string usage_since;
  std::string usage_until;

  // tokens add NAME [--expires 30d|YYYY-MM-DD|never] [--rpm N]
  // [--tokens-per-day N] [--models a,b*]; tokens disable|enable|delete ID.
  // The expiry is read in TIMEZONE when the command runs.
  std::string token_name;
  std::string token_expires;
  int64_t token_rpm = 0;
  int64_t token_per_day = 0;
  std::vector<std::string> token_models;
  int64_t token_id = 0;
};

// Parses the arguments after the program name. Usage errors are
// InvalidArgument with a message that names the problem and the --help to
// read.
absl::StatusOr<Invocation> ParseArgs(const std::vector<std::string>& args);

// Splits pasted keys on any mix of newlines, commas, semicolons, spaces and
// tabs; quotes and brackets are dropped too, so a JSON list works as well.
std::vector<std::string> SplitKeys(absl::string_view text);

// The help text for a command path such as {"keys", "list"} ({} for the
// top level).
std::string HelpFor(const std::vector<std::string>& path);

}  // namespace gempool::ctl
