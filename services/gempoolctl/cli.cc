#include "cli.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gempool/clienttokens/token_validation.h"
#include "gempool/common/status_macros.h"
#include "gempool/config/parse.h"

namespace gempool::ctl {
namespace {

constexpr char kTopHelp[] = R"help(gempoolctl: manage a gempool key pool from scripts.

Usage: gempoolctl [flags] <command> [arguments] [flags]

Commands:
  keys list        List keys (masked, never the secret) with their states
  keys add         Add keys from arguments or standard input
  keys remove      Remove keys from the pool and the database
  keys pause       Stop handing keys out until they are resumed
  keys resume      Hand paused keys out again
  keys reset       Clear failures, cooldowns and disablement
  keys verify      Test keys now with a minimal upstream request
  keys usage       Calls per key and model over 1 h, 24 h and 30 days
  keys summary     Count keys per state
  proxies check    Check every PROXIES entry now; dead ones are skipped
  proxies list     The proxies' health as last checked
  logs             Request or error log rows, e.g. one request id's
  usage            Token usage per day and the top keys, models or tokens
  tokens add       Create a managed client token (its secret is shown once)
  tokens list      Managed client tokens with their limits and counters
  tokens disable   Refuse a token on every gateway (enable: accept it again)
  tokens delete    Delete a managed client token
  health           Check that the key broker and persistence answer
  import gemini-balance
                   Bring keys and settings across from a gemini-balance
                   database (SQLite or MySQL)
  help [command]   Show the help of a command (as does --help after it)

Flags (any command):
  --addr HOST:PORT   The key broker's address (for health: the checked
                     service's). Default: KEYBROKER_ADDR (health: also
                     PERSISTENCE_ADDR).
  --token TOKEN      The admin token. Default: AUTH_TOKEN, else the first of
                     ALLOWED_TOKENS.
  --json             Print JSON with stable field names instead of text.
  --timeout-ms N     Deadline of each call in milliseconds (default 10000;
                     keys verify: 600000).
  -h, --help         Show help.

Settings come from the environment and ./.env (or the file $GEMPOOL_ENV_FILE
names), the way the services read them, so next to a running stack no flags
are needed.

Exit codes:
  0  success
  1  the server answered with an error or could not be reached
     (health: a service is not serving; keys verify: a key did not pass;
     proxies check: a proxy is dead;
     import: the source database could not be read)
  2  usage or configuration error, or a request the server rejected as invalid
  3  the admin token is missing or wrong
)help";

constexpr char kProxiesHelp[] = R"help(gempoolctl proxies: the health of the PROXIES entries, as the key broker sees it.

Usage: gempoolctl proxies check [--json] [--timeout-ms N]
       gempoolctl proxies list [--json]

check  sends a small HTTPS request to BASE_URL through every proxy now (no
       key: Google's 403 for the missing key proves the proxy works; at most
       10 s each, all at once). A proxy that gives no HTTP answer is marked
       dead: no call goes through it (keys that use it go through a live
       one) until a later check reaches it. Exit code 1 when one is dead.
list   the results of the last check (the broker checks every 5 minutes and
       whenever PROXIES change).

Proxy credentials are shown masked (http://***@host:port).

JSON output: {"interval_seconds": N, "proxies": [{"proxy", "alive",
"checked_at_ms", "latency_ms", "error"}]}
)help";

constexpr char kLogsHelp[] = R"help(gempoolctl logs: rows of the request log or the error log.

Usage: gempoolctl logs [--errors] [--request-id ID] [--since DURATION]
                       [--limit N] [--offset N] [--json]
       gempoolctl logs --errors --id ROW [--json]

Every client request has an id: the client's own x-request-id header when it
sent a sane one (1 to 128 characters of A-Z a-z 0-9 . _ : / + = -), else one
the gateway made (32 hex characters). The gateway answers it in the
x-request-id response header and stores it in the request log row and in
every error log row of the request; the services' log lines name it too.

Flags:
  --errors          The error log (one row per failed upstream attempt or
                    gateway error) instead of the request log.
  --request-id ID   Only the rows of this request id (exact match).
  --since DURATION  Only rows of the last DURATION: a number and s, m, h or
                    d (90s, 30m, 1h, 7d).
  --limit N         At most N rows, newest first (1..1000; default 50).
  --offset N        Skip the first N matching rows.
  --id ROW          Only the row with this id (the "id" of the JSON output),
                    printed whole: for the error log, its whole message and
                    the whole request body sent upstream (a page of rows
                    carries only the body's first 256 bytes). No other filter
                    applies.

Text output: one line per row (times in TIMEZONE), then "rows A-B of TOTAL";
with --errors --id, the row's fields one per line, then its message and its
request body in full.
JSON output: {"total": N, "offset": N, "entries": [{"id", "time_ms",
"request_id", "key_id", "model", "operation", "status_code", then for the
request log "latency_ms", "attempts", "stream", "client_token_id", for the
error log "error_type", "message", "request_body" (as logged, at most
64 KiB; in a page only its first 256 bytes, whole with --id),
"request_body_bytes" (the whole body's size), "request_body_truncated"}]}.
Times are Unix milliseconds.

Examples: gempoolctl logs --errors --request-id my-trace-1 --json
          gempoolctl logs --errors --id 1234

Exits 0 (also when no row matches), 1 when the call failed (also for an --id
no row has), 2 for bad arguments, 3 for a missing or wrong admin token.
)help";

constexpr char kUsageTopHelp[] = R"help(gempoolctl usage: token usage from Gemini's usageMetadata, per calendar day.

Usage: gempoolctl usage [--by key|model|token] [--since today|7d|YYYY-MM-DD]
                        [--until YYYY-MM-DD] [--limit N] [--json]

Every call's tokens (prompt, completion, thinking, cached, tool-use prompt,
total) as Gemini reported them (streams: the last chunk's running totals;
OpenAI, Anthropic and Responses calls: the same Gemini numbers), summed per
hour, key, model and client token by persistence. These sums are kept when
log retention deletes the request log.

Flags:
  --by key|model|token  Group the top rows by pool key id, model or client
                        token id (default model).
  --since WHEN          today, a number of days (7d: the last 7 days, the
                        last day included; at most 400d), or the first day
                        YYYY-MM-DD. Default 7d.
  --until YYYY-MM-DD    The last day shown (default today).
  --limit N             Top groups shown (1..1000; default 10).

Days are calendar days in TIMEZONE (as the services have it in force).

Text output: one row per day and a total, then the top groups; PROMPT
includes tool-use prompt tokens and CACHED is the cached part of it.
JSON output: {"since_ms", "until_ms", "timezone", "by", "total", "days":
[{"date", "start_ms", ...}], "groups": [{"group", ...}], "other_groups"},
each count with "requests", "failures", "prompt_tokens",
"candidates_tokens", "thoughts_tokens", "cached_tokens",
"tool_use_prompt_tokens", "total_tokens".

Example: gempoolctl usage --by token --since 30d --json

Exits 0 (also with no usage), 1 when the call failed, 2 for bad arguments,
3 for a missing or wrong admin token.
)help";

constexpr char kImportHelp[] = R"help(gempoolctl import gemini-balance: bring keys and settings across from a
gemini-balance database.

Usage: gempoolctl import gemini-balance --sqlite PATH [--dry-run] [--json]
       gempoolctl import gemini-balance --mysql-database DB --mysql-user USER
                 [--mysql-password PW] [--mysql-host HOST] [--mysql-port N]
                 [--mysql-socket PATH] [--dry-run] [--json]
       gempoolctl import gemini-balance --mysql-dsn mysql://USER:PW@HOST:PORT/DB

Reads gemini-balance's t_settings table (it holds API_KEYS, ALLOWED_TOKENS,
AUTH_TOKEN and every setting saved on its configuration page) and never
changes that database. Then:
  API_KEYS        Each key is added to the pool through the key broker; keys
                  already in the pool are left alone, so running the import
                  twice adds nothing the second time.
  VERTEX_API_KEYS The same, into the Vertex AI Express pool.
  t_file_records  Finished, unexpired uploads whose key is in the pool
                  become gempool's file records, so calls naming the file
                  use the key that owns it (rows of other keys are named).
  settings        Values gempool knows (MAX_FAILURES, BASE_URL, PROXIES,
                  ALLOWED_TOKENS, THINKING_BUDGET_MAP, ...) that differ from
                  what gempool uses now are stored in gempool's settings
                  table the way the admin page saves them: they apply until
                  that setting is changed in the environment or .env.
                  Services read most of them at start-up: restart the stack
                  afterwards (docker compose restart).
  AUTH_TOKEN      gempool reads the admin token only from the environment:
                  the import prints the AUTH_TOKEN= line to put in .env when
                  gempool's differs (in full, so it can be pasted).
  everything else is listed by name with the reason it was not imported
  (storage and network settings stay gempool's own; gemini-balance-only
  and unknown settings are skipped). Values are never printed.

Source flags:
  --sqlite PATH          gemini-balance's SQLite file (data/default_db),
                         opened read-only.
  --mysql-host HOST      MySQL/MariaDB server (default 127.0.0.1).
  --mysql-port N         Its port (default 3306).
  --mysql-socket PATH    Connect through a unix socket instead.
  --mysql-user USER      gemini-balance's MYSQL_USER.
  --mysql-password PW    gemini-balance's MYSQL_PASSWORD. Default: the
                         environment variable GEMINI_BALANCE_MYSQL_PASSWORD
                         (keeps it out of the process list).
  --mysql-database DB    gemini-balance's MYSQL_DATABASE.
  --mysql-dsn DSN        All of the above as mysql://USER:PW@HOST:PORT/DB
                         (also mysql+pymysql://; %-escape special characters).

Other flags:
  --dry-run              Read everything and report what would happen;
                         change nothing.
  --addr HOST:PORT       The key broker (default KEYBROKER_ADDR).
  --persistence-addr HOST:PORT
                         Persistence (default PERSISTENCE_ADDR).
  --token TOKEN          The admin token (default AUTH_TOKEN).
  --json                 Print the report as JSON: {"dry_run", "source",
                         "keys": {"found", "added", "added_ids",
                         "already_present", "invalid"}, "settings":
                         {"imported", "unchanged"}, "not_imported": [{"name",
                         "reason"}], "env": {"AUTH_TOKEN": "..."}}.

Run it where the services' settings are (e.g. docker compose exec gateway
gempoolctl import gemini-balance ...): settings are compared with, and
stored against, the environment it runs in.

Exits 0 when the import (or dry run) went through, also when some settings
could not be brought across; 1 when the source database could not be read
or a service failed; 2 for bad arguments; 3 for a missing or wrong admin
token.
)help";

constexpr char kKeysHelp[] = R"help(gempoolctl keys: manage the pool's keys through the key broker's KeyAdmin
service (authenticated with the admin token).

Usage: gempoolctl keys <command> [arguments] [flags]

Commands:
  list [--state S]... [--model M] [--search T] [--limit N] [--offset N]
  add [KEY...]                  (no KEY: read keys from standard input)
  remove (ID... | --all)
  pause (ID... | --all)
  resume (ID... | --all)
  reset (ID... | --all)
  verify (ID... | --all)
  usage [ID...]
  summary

Two pools: --pool gemini (the default: Gemini API keys, API_KEYS) or
--pool vertex (Vertex AI Express keys, VERTEX_API_KEYS) picks the pool that
list, add, summary and --all apply to; key ids select keys of either pool.

Run `gempoolctl keys <command> --help` for details, `gempoolctl --help` for
the flags every command takes (--addr, --token, --json, --timeout-ms).
)help";

constexpr char kListHelp[] = R"help(gempoolctl keys list: list keys with their states.

Usage: gempoolctl keys list [--state S]... [--model M] [--search T]
                            [--limit N] [--offset N] [--pool P] [--json]

Keys are shown masked (AIzaSy...wxyz), sorted by id.

Flags:
  --state S    Only keys in state S: active, cooling, failing, disabled or
               paused. Repeat it (or separate with commas) for several.
               "cooling" also matches keys cooling for some model only.
  --model M    Only keys cooling for model M (e.g. gemini-2.5-pro).
  --search T   Only keys containing the text T.
  --limit N    At most N keys (1..10000; default 100).
  --offset N   Skip the first N matching keys.
  --pool P     gemini (the default: API_KEYS) or vertex (Vertex AI Express
               keys, VERTEX_API_KEYS).

Text output: one line per key, then "keys A-B of TOTAL".
JSON output: {"total": N, "offset": N, "keys": [{"id", "masked", "state",
  "failure_count", "state_reason", "last_error", "cooling_until_ms",
  "model_cooldowns": [{"model", "until_ms", "reason"}], "last_used_at_ms",
  "created_at_ms", "pool"}]}. Times are Unix milliseconds, 0 when unset.

Example: gempoolctl keys list --state cooling --json
)help";

constexpr char kAddHelp[] = R"help(gempoolctl keys add: add keys to the pool (stored in the database first).

Usage: gempoolctl keys add [KEY...] [--pool gemini|vertex]
       gempoolctl keys add < keys.txt

--pool vertex adds Vertex AI Express keys (default: Gemini API keys). A key
already in the other pool is a duplicate, not moved.

Keys may be separated by newlines, commas, semicolons or spaces; a JSON list
works too. With no KEY arguments the keys are read from standard input.
Keys already in the pool, or repeated, are reported as duplicates, not added
twice. Keys are not checked against a format (Google's newer keys start with
"AQ.").

Text output: "added N keys (ids ...)" and the duplicates, masked.
JSON output: {"added": N, "added_ids": [...], "duplicates": ["AIzaSy...wxyz"]}
)help";

constexpr char kSummaryHelp[] = R"help(gempoolctl keys summary: count keys per state.

Usage: gempoolctl keys summary [--pool gemini|vertex] [--json]

JSON output: {"total", "active", "cooling", "failing", "disabled", "paused",
"cooling_some_model"}, where cooling_some_model counts keys that are usable
but cooling for at least one model.
)help";

constexpr char kVerifyHelp[] = R"help(gempoolctl keys verify: test keys now by using them.

Usage: gempoolctl keys verify (ID... | --all) [--json] [--timeout-ms N]

The key broker sends each selected key a minimal request for TEST_MODEL
("hi", at most one token) straight to BASE_URL, through the key's proxy, a
few keys at a time. These requests never reach the request log or the usage
statistics. The answer updates the key as periodic re-validation
(CHECK_INTERVAL_HOURS) does:
  works (2xx)            passed; a disabled or failing key becomes active
  rate-limited (429)     passed (the key is valid); it cools down for a while
  invalid (400 API_KEY_INVALID, 401, 403)
                         failed; the key is disabled with the reason
  5xx, timeout, no connection, or a rejected test request (check TEST_MODEL)
                         failed; the key's state is unchanged
Paused keys are tested too and stay paused.

The call waits for every probe: the default --timeout-ms is 600000 (10 min).

Text output: one line per key (ID, KEY, RESULT, STATE, MESSAGE), then
"N passed, M failed".
JSON output: {"passed": N, "failed": M, "results": [{"id", "masked", "passed",
"state", "http_status", "message"}]}; http_status is 0 when no answer came.

Exits 0 when every selected key passed, 1 when at least one did not (or the
call failed).
)help";

constexpr char kUsageHelp[] = R"help(gempoolctl keys usage: calls per key and model, from the request log.

Usage: gempoolctl keys usage [ID...] [--json]

Counts, for each key and model, the client requests the key served (the key
of the request's last attempt) over the last hour, 24 hours and 30 days, and
how many of them failed (answered with HTTP 400 or above). Key verifications
are not counted. Without IDs: every key with calls in the last 30 days (and
the paid key, id -1, when PAID_KEY is set); with IDs: those keys, also when
they have no calls.

Text output: one line per key and model (ID, KEY, MODEL, CALLS 1H/24H/30D,
FAILED 1H/24H/30D).
JSON output: {"now_ms": N, "keys": [{"id", "masked", "models": [{"model",
"calls_1h", "calls_24h", "calls_30d", "failures_1h", "failures_24h",
"failures_30d"}]}]}
)help";

constexpr char kHealthHelp[] = R"help(gempoolctl health: check that gempool's gRPC services answer.

Usage: gempoolctl health [--service keybroker|persistence|gateway] [--addr HOST:PORT]

Asks each gRPC service's standard health check (grpc.health.v1), and the
gateway's GET /health. Without --service both the key broker (KEYBROKER_ADDR)
and persistence (PERSISTENCE_ADDR) are checked. With --service and --addr no
configuration is read at all, which suits a container health check:

  gempoolctl health --service keybroker --addr 127.0.0.1:8001
  gempoolctl health --service gateway --addr 127.0.0.1:8000

The gateway counts as SERVING only when its /health answers 200, which it
does only while the key broker and persistence answer too.

Exits 0 when every checked service is SERVING, 1 otherwise. The key broker
reports NOT_SERVING until it has loaded its keys from persistence.
JSON output: {"healthy": bool, "services": [{"service", "addr", "status",
"error"}]}
)help";

constexpr char kTokensHelp[] = R"help(gempoolctl tokens: managed client tokens (beside ALLOWED_TOKENS).

Usage: gempoolctl tokens add NAME [--expires 30d|12h|YYYY-MM-DD|never]
                             [--rpm N] [--tokens-per-day N] [--models a,b*]
       gempoolctl tokens list [--json]
       gempoolctl tokens disable ID
       gempoolctl tokens enable ID
       gempoolctl tokens delete ID

Clients send a managed token like any API key (x-goog-api-key,
Authorization: Bearer, ?key=). Only its SHA-256 is stored: `tokens add`
prints the secret once, and it cannot be shown again.

  NAME               1 to 64 characters, unique.
  --expires          A duration from now (30d, 12h, 90m), or a date: the
                     token works through that day in TIMEZONE. Default: never.
  --rpm N            Requests per minute (UTC calendar minute), shared by
                     every gateway; over it: 429 with Retry-After.
  --tokens-per-day N Tokens (Gemini's totalTokenCount) per calendar day in
                     TIMEZONE, shared by every gateway; over it: 429.
  --models a,b*      The only models the token may call: ids, or prefixes
                     ending in * (gemini-2.5-*); others: 403.
  0 or no flag means no limit.

A disabled, expired or deleted token is refused (401) by every gateway within
seconds. IDs are the ids `gempoolctl tokens list` shows.

Text output of add: the token's id, name and secret. JSON output of add:
{"token": {...}, "secret": "gp-..."}; of list: {"tokens": [{"id", "name",
"token_id", "secret_prefix", "created_at_ms", "expires_at_ms", "disabled",
"expired", "limits": {"requests_per_minute", "tokens_per_day",
"allowed_models"}, "requests_this_minute", "tokens_today"}]}; of disable,
enable: {"token": {...}}; of delete: {"deleted": true}.
Exits 1 for an unknown id or a name in use, 2 for bad arguments.
)help";

struct FlagSpec {
  bool takes_value;
};

const std::map<std::string, FlagSpec>& Flags() {
  static const auto* flags = new std::map<std::string, FlagSpec>{
      {"addr", {true}},  {"token", {true}},  {"json", {false}}, {"timeout-ms", {true}},
      {"help", {false}}, {"state", {true}},  {"model", {true}}, {"search", {true}},
      {"limit", {true}}, {"offset", {true}}, {"all", {false}},  {"service", {true}},
      {"sqlite", {true}}, {"mysql-host", {true}}, {"mysql-port", {true}}, {"mysql-user", {true}},
      {"mysql-password", {true}}, {"mysql-database", {true}}, {"mysql-socket", {true}}, {"mysql-dsn", {true}},
      {"dry-run", {false}}, {"persistence-addr", {true}}, {"pool", {true}},
      {"errors", {false}}, {"request-id", {true}}, {"since", {true}}, {"id", {true}},
      {"by", {true}}, {"until", {true}},
      {"expires", {true}}, {"rpm", {true}}, {"tokens-per-day", {true}}, {"models", {true}},
  };
  return *flags;
}

const std::set<std::string>& GlobalFlags() {
  static const auto* flags = new std::set<std::string>{"addr", "token", "json", "timeout-ms", "help"};
  return *flags;
}

std::string SelectionHelp(const std::string& verb, const std::string& what, const std::string& done) {
  return absl::StrCat("gempoolctl keys ", verb, ": ", what, "\n\nUsage: gempoolctl keys ", verb,
                      " (ID... | --all [--pool gemini|vertex])\n\nIDs are the ids `gempoolctl keys list` shows "
                      "(several may be given, also\ncomma-separated; keys of either pool). --all applies to every "
                      "key of the\npool --pool names (default gemini). An unknown id changes "
                      "nothing\nand exits with 1.\n\nText output: \"",
                      done, " N keys\". JSON output: {\"affected\": N}\n");
}

struct Parsed {
  std::vector<std::string> positional;
  // Flag name → values in order.
  std::map<std::string, std::vector<std::string>> flags;
};

absl::StatusOr<Parsed> Tokenize(const std::vector<std::string>& args) {
  Parsed parsed;
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional) {
      parsed.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "-h") {
      parsed.flags["help"].push_back("");
      continue;
    }
    if (!absl::StartsWith(arg, "-") || arg == "-") {
      parsed.positional.push_back(arg);
      continue;
    }
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", arg, ": flags are spelled --name (see gempoolctl --help)"));
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto spec = Flags().find(name);
    if (spec == Flags().end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, " (see gempoolctl --help)"));
    }
    if (spec->second.takes_value && !value.has_value()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value (see gempoolctl --help)"));
      }
      value = args[++i];
    }
    if (!spec->second.takes_value && value.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " takes no value"));
    }
    parsed.flags[name].push_back(value.value_or(""));
  }
  return parsed;
}

absl::StatusOr<int64_t> ParseNumber(const std::string& flag, const std::string& text, int64_t min,
                                    int64_t max) {
  int64_t value;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", text, "' is not valid: expected a whole number from ", min, " to ", max));
  }
  return value;
}

absl::StatusOr<std::vector<int64_t>> ParseIds(const std::vector<std::string>& args,
                                              const std::string& usage) {
  std::vector<int64_t> ids;
  for (const std::string& arg : args) {
    for (absl::string_view part : absl::StrSplit(arg, ',', absl::SkipWhitespace())) {
      int64_t id;
      if (!absl::SimpleAtoi(part, &id) || id <= 0) {
        return absl::InvalidArgumentError(absl::StrCat("'", part, "' is not a key id: ids are the positive ",
                                                       "numbers `gempoolctl keys list` shows (see ", usage,
                                                       ")"));
      }
      ids.push_back(id);
    }
  }
  return ids;
}

// "90s", "30m", "1h", "7d": seconds (at most 400 days).
absl::StatusOr<int64_t> ParseSince(const std::string& text) {
  static const auto* kUnits = new std::map<char, int64_t>{{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  int64_t n = 0;
  const auto unit = text.empty() ? kUnits->end() : kUnits->find(static_cast<char>(absl::ascii_tolower(text.back())));
  if (unit == kUnits->end() || !absl::SimpleAtoi(absl::string_view(text).substr(0, text.size() - 1), &n) || n <= 0 ||
      n > 400 * 86400 / unit->second) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--since '", text, "' is not a duration: expected a number and s, m, h or d (e.g. 30m, 1h, 7d; at most 400d)"));
  }
  return n * unit->second;
}

// The command named by the first positional words, and how many words it
// took. Unknown words are an error; a partial path gives its help.
struct CommandPath {
  Command command;
  std::vector<std::string> path;
};

std::optional<Command> KeysCommand(const std::string& word) {
  static const auto* commands = new std::map<std::string, Command>{
      {"list", Command::kKeysList},      {"add", Command::kKeysAdd},       {"remove", Command::kKeysRemove},
      {"pause", Command::kKeysPause},    {"resume", Command::kKeysResume}, {"reset", Command::kKeysReset},
      {"verify", Command::kKeysVerify},  {"usage", Command::kKeysUsage},   {"summary", Command::kKeysSummary}};
  auto it = commands->find(word);
  if (it == commands->end()) return std::nullopt;
  return it->second;
}

std::string Display(const std::vector<std::string>& path) {
  return path.empty() ? "gempoolctl" : absl::StrCat("gempoolctl ", absl::StrJoin(path, " "));
}

absl::Status CheckFlagsApply(const Parsed& parsed, const std::set<std::string>& allowed,
                             const std::vector<std::string>& path) {
  for (const auto& [name, values] : parsed.flags) {
    if (GlobalFlags().count(name) || allowed.count(name)) continue;
    return absl::InvalidArgumentError(absl::StrCat("--", name, " does not apply to `", Display(path),
                                                   "` (see ", Display(path), " --help)"));
  }
  return absl::OkStatus();
}

const std::string* Last(const Parsed& parsed, const std::string& name) {
  auto it = parsed.flags.find(name);
  return it == parsed.flags.end() ? nullptr : &it->second.back();
}

// The import flags: exactly one source, SQLite or MySQL (flags or a DSN).
absl::Status ParseImport(const Parsed& parsed, const std::vector<std::string>& path, const std::string& usage,
                         Invocation& inv) {
  GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed,
                                          {"sqlite", "mysql-host", "mysql-port", "mysql-user", "mysql-password",
                                           "mysql-database", "mysql-socket", "mysql-dsn", "dry-run",
                                           "persistence-addr"},
                                          path));
  inv.dry_run = parsed.flags.count("dry-run") > 0;
  if (const std::string* addr = Last(parsed, "persistence-addr")) {
    GEMPOOL_RETURN_IF_ERROR(config::ValidateHostPort("--persistence-addr", *addr));
    inv.persistence_addr = *addr;
  }
  bool mysql_flags = false;
  auto text = [&](const char* flag, std::string& field) -> absl::Status {
    const std::string* value = Last(parsed, flag);
    if (value == nullptr) return absl::OkStatus();
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat("--", flag, " is empty"));
    field = *value;
    mysql_flags = mysql_flags || absl::StartsWith(flag, "mysql-");
    return absl::OkStatus();
  };
  GEMPOOL_RETURN_IF_ERROR(text("sqlite", inv.import_sqlite));
  GEMPOOL_RETURN_IF_ERROR(text("mysql-host", inv.import_mysql_host));
  GEMPOOL_RETURN_IF_ERROR(text("mysql-user", inv.import_mysql_user));
  GEMPOOL_RETURN_IF_ERROR(text("mysql-database", inv.import_mysql_database));
  GEMPOOL_RETURN_IF_ERROR(text("mysql-socket", inv.import_mysql_socket));
  if (const std::string* password = Last(parsed, "mysql-password")) {
    inv.import_mysql_password = *password;
    mysql_flags = true;
  }
  if (const std::string* port = Last(parsed, "mysql-port")) {
    GEMPOOL_ASSIGN_OR_RETURN(int64_t n, ParseNumber("--mysql-port", *port, 1, 65535));
    inv.import_mysql_port = static_cast<int>(n);
    mysql_flags = true;
  }
  const bool dsn = Last(parsed, "mysql-dsn") != nullptr;
  if (dsn) {
    inv.import_mysql_dsn = *Last(parsed, "mysql-dsn");
    if (inv.import_mysql_dsn.empty()) return absl::InvalidArgumentError("--mysql-dsn is empty");
  }
  if (!inv.import_sqlite.empty() && (mysql_flags || dsn)) {
    return absl::InvalidArgumentError(
        absl::StrCat("give --sqlite or the MySQL flags, not both: which database is gemini-balance's? (see ", usage,
                     ")"));
  }
  if (dsn && mysql_flags) {
    return absl::InvalidArgumentError(
        absl::StrCat("--mysql-dsn already says everything: drop the other --mysql-* flags (see ", usage, ")"));
  }
  if (inv.import_sqlite.empty() && !dsn) {
    if (!mysql_flags) {
      return absl::InvalidArgumentError(absl::StrCat(
          "which gemini-balance database? give --sqlite PATH, or --mysql-database and --mysql-user (or "
          "--mysql-dsn) (see ",
          usage, ")"));
    }
    if (inv.import_mysql_database.empty() || inv.import_mysql_user.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "reading gemini-balance's MySQL needs --mysql-database and --mysql-user (gemini-balance's "
          "MYSQL_DATABASE and MYSQL_USER) (see ",
          usage, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string HelpFor(const std::vector<std::string>& path) {
  if (path.empty()) return kTopHelp;
  if (path[0] == "health" && path.size() == 1) return kHealthHelp;
  if (path[0] == "import" && path.size() <= 2 && (path.size() == 1 || path[1] == "gemini-balance")) {
    return kImportHelp;
  }
  if (path[0] == "proxies" && path.size() <= 2) return kProxiesHelp;
  if (path[0] == "logs" && path.size() == 1) return kLogsHelp;
  if (path[0] == "usage" && path.size() == 1) return kUsageTopHelp;
  if (path[0] == "tokens" && path.size() <= 2) return kTokensHelp;
  if (path[0] != "keys") return "";
  if (path.size() == 1) return kKeysHelp;
  if (path.size() > 2) return "";
  const std::string& sub = path[1];
  if (sub == "list") return kListHelp;
  if (sub == "add") return kAddHelp;
  if (sub == "summary") return kSummaryHelp;
  if (sub == "verify") return kVerifyHelp;
  if (sub == "usage") return kUsageHelp;
  if (sub == "remove") {
    return SelectionHelp("remove", "remove keys from the pool and from the database.", "removed");
  }
  if (sub == "pause") {
    return SelectionHelp("pause", "stop handing keys out until they are resumed (they are kept).", "paused");
  }
  if (sub == "resume") {
    return SelectionHelp(
        "resume", "hand paused keys out again (failures and cooldowns still in force are kept).", "resumed");
  }
  if (sub == "reset") {
    return SelectionHelp(
        "reset", "clear failures, cooldowns, disablement and pause: the keys become\nactive.", "reset");
  }
  return "";
}

absl::StatusOr<Invocation> ParseArgs(const std::vector<std::string>& args) {
  GEMPOOL_ASSIGN_OR_RETURN(Parsed parsed, Tokenize(args));
  Invocation inv;
  const std::vector<std::string>& words = parsed.positional;
  const bool help = parsed.flags.count("help") > 0;

  // Which command, and its help.
  std::vector<std::string> path;
  if (!words.empty() && words[0] == "help") {
    std::vector<std::string> topic(words.begin() + 1, words.end());
    inv.help = HelpFor(topic);
    if (inv.help.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no help for '", absl::StrJoin(topic, " "), "': see gempoolctl --help"));
    }
    return inv;
  }
  if (words.empty()) {
    inv.help = kTopHelp;
    inv.help_requested = help;
    return inv;
  }
  if (words[0] == "keys") {
    path.push_back("keys");
    if (words.size() == 1) {
      inv.help = kKeysHelp;
      inv.help_requested = help;
      return inv;
    }
    std::optional<Command> command = KeysCommand(words[1]);
    if (!command.has_value()) {
      if (help) {
        inv.help = kKeysHelp;
        return inv;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unknown command 'keys ", words[1], "' (see gempoolctl keys --help)"));
    }
    inv.command = *command;
    path.push_back(words[1]);
  } else if (words[0] == "proxies") {
    path.push_back("proxies");
    if (words.size() == 1 || (words[1] != "check" && words[1] != "list")) {
      if (help || words.size() == 1) {
        inv.help = kProxiesHelp;
        inv.help_requested = help;
        return inv;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unknown command 'proxies ", words[1], "' (see gempoolctl proxies --help)"));
    }
    inv.command = words[1] == "check" ? Command::kProxiesCheck : Command::kProxiesList;
    path.push_back(words[1]);
  } else if (words[0] == "logs") {
    inv.command = Command::kLogs;
    path.push_back("logs");
  } else if (words[0] == "tokens") {
    path.push_back("tokens");
    static const auto* kTokenCommands = new std::map<std::string, Command>{
        {"add", Command::kTokensAdd},         {"list", Command::kTokensList},
        {"disable", Command::kTokensDisable}, {"enable", Command::kTokensEnable},
        {"delete", Command::kTokensDelete}};
    auto found = words.size() > 1 ? kTokenCommands->find(words[1]) : kTokenCommands->end();
    if (found == kTokenCommands->end()) {
      if (help || words.size() == 1) {
        inv.help = kTokensHelp;
        inv.help_requested = help;
        return inv;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unknown command 'tokens ", words[1], "' (see gempoolctl tokens --help)"));
    }
    inv.command = found->second;
    path.push_back(words[1]);
  } else if (words[0] == "usage") {
    inv.command = Command::kUsage;
    path.push_back("usage");
  } else if (words[0] == "health") {
    inv.command = Command::kHealth;
    path.push_back("health");
  } else if (words[0] == "import") {
    path.push_back("import");
    if (words.size() == 1) {
      inv.help = kImportHelp;
      inv.help_requested = help;
      return inv;
    }
    if (words[1] != "gemini-balance") {
      if (help) {
        inv.help = kImportHelp;
        return inv;
      }
      return absl::InvalidArgumentError(absl::StrCat("cannot import from '", words[1],
                                                     "': gempoolctl imports from gemini-balance (see gempoolctl "
                                                     "import gemini-balance --help)"));
    }
    inv.command = Command::kImportGeminiBalance;
    path.push_back("gemini-balance");
  } else {
    if (help) {
      inv.help = kTopHelp;
      return inv;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command '", words[0], "' (see gempoolctl --help)"));
  }
  if (help) {
    inv.command = Command::kHelp;
    inv.help = HelpFor(path);
    return inv;
  }
  const std::vector<std::string> rest(words.begin() + static_cast<long>(path.size()), words.end());
  const std::string usage = absl::StrCat(Display(path), " --help");

  // Global flags.
  if (const std::string* addr = Last(parsed, "addr")) {
    GEMPOOL_RETURN_IF_ERROR(config::ValidateHostPort("--addr", *addr));
    inv.addr = *addr;
  }
  if (const std::string* token = Last(parsed, "token")) {
    if (token->empty()) return absl::InvalidArgumentError("--token is empty");
    inv.token = *token;
  }
  inv.json = parsed.flags.count("json") > 0;
  if (inv.command == Command::kKeysVerify) inv.timeout_ms = kVerifyTimeoutMs;
  if (const std::string* timeout = Last(parsed, "timeout-ms")) {
    GEMPOOL_ASSIGN_OR_RETURN(int64_t ms, ParseNumber("--timeout-ms", *timeout, 1, 3'600'000));
    inv.timeout_ms = static_cast<int>(ms);
  }

  auto no_arguments = [&]() -> absl::Status {
    if (rest.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("`", Display(path), "` takes no arguments, got '", rest[0], "' (see ", usage, ")"));
  };

  if (const std::string* pool = Last(parsed, "pool")) {
    const std::string name = absl::AsciiStrToLower(*pool);
    if (name != "gemini" && name != "vertex") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--pool '", *pool, "' is not a key pool: expected gemini (API_KEYS) or vertex (VERTEX_API_KEYS)"));
    }
    inv.pool = name;
  }

  switch (inv.command) {
    case Command::kKeysList: {
      GEMPOOL_RETURN_IF_ERROR(
          CheckFlagsApply(parsed, {"state", "model", "search", "limit", "offset", "pool"}, path));
      GEMPOOL_RETURN_IF_ERROR(no_arguments());
      static const auto* kStates =
          new std::set<std::string>{"active", "cooling", "failing", "disabled", "paused"};
      if (auto it = parsed.flags.find("state"); it != parsed.flags.end()) {
        for (const std::string& value : it->second) {
          for (absl::string_view part : absl::StrSplit(value, ',', absl::SkipWhitespace())) {
            std::string state = absl::AsciiStrToLower(absl::StripAsciiWhitespace(part));
            if (!kStates->count(state)) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "--state '", part,
                  "' is not a key state: expected active, cooling, failing, disabled or paused"));
            }
            inv.states.push_back(std::move(state));
          }
        }
      }
      if (const std::string* model = Last(parsed, "model")) inv.model = *model;
      if (const std::string* search = Last(parsed, "search")) inv.search = *search;
      if (const std::string* limit = Last(parsed, "limit")) {
        GEMPOOL_ASSIGN_OR_RETURN(int64_t n, ParseNumber("--limit", *limit, 1, 10000));
        inv.limit = static_cast<int>(n);
      }
      if (const std::string* offset = Last(parsed, "offset")) {
        GEMPOOL_ASSIGN_OR_RETURN(int64_t n, ParseNumber("--offset", *offset, 0, 2'000'000'000));
        inv.offset = static_cast<int>(n);
      }
      break;
    }
    case Command::kKeysAdd:
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {"pool"}, path));
      for (const std::string& arg : rest) {
        for (std::string& key : SplitKeys(arg)) inv.keys.push_back(std::move(key));
      }
      if (!rest.empty() && inv.keys.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("no keys in the arguments (see ", usage, ")"));
      }
      break;
    case Command::kKeysRemove:
    case Command::kKeysPause:
    case Command::kKeysResume:
    case Command::kKeysReset:
    case Command::kKeysVerify: {
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {"all", "pool"}, path));
      inv.all = parsed.flags.count("all") > 0;
      GEMPOOL_ASSIGN_OR_RETURN(inv.ids, ParseIds(rest, usage));
      if (inv.all && !inv.ids.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("give key ids or --all, not both (see ", usage, ")"));
      }
      if (!inv.all && inv.ids.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "which keys? give key ids (from `gempoolctl keys list`) or --all (see ", usage, ")"));
      }
      break;
    }
    case Command::kKeysUsage: {
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {}, path));
      GEMPOOL_ASSIGN_OR_RETURN(inv.ids, ParseIds(rest, usage));
      break;
    }
    case Command::kKeysSummary:
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {"pool"}, path));
      GEMPOOL_RETURN_IF_ERROR(no_arguments());
      break;
    case Command::kHealth:
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {"service"}, path));
      GEMPOOL_RETURN_IF_ERROR(no_arguments());
      if (const std::string* service = Last(parsed, "service")) {
        if (*service != "keybroker" && *service != "persistence" && *service != "gateway") {
          return absl::InvalidArgumentError(absl::StrCat(
              "--service '", *service, "' is not valid: expected keybroker, persistence or gateway"));
        }
        inv.service = *service;
      }
      if (inv.addr.has_value() && inv.service.empty()) {
        return absl::InvalidArgumentError(
            "health with --addr checks one service: say which with --service keybroker|persistence|gateway");
      }
      break;
    case Command::kProxiesCheck:
    case Command::kProxiesList:
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {}, path));
      GEMPOOL_RETURN_IF_ERROR(no_arguments());
      break;
    case Command::kLogs:
      GEMPOOL_RETURN_IF_ERROR(
          CheckFlagsApply(parsed, {"errors", "request-id", "since", "limit", "offset", "id"}, path));
      GEMPOOL_RETURN_IF_ERROR(no_arguments());
      inv.logs_errors = parsed.flags.count("errors") > 0;
      if (const std::string* id = Last(parsed, "id")) {
        GEMPOOL_ASSIGN_OR_RETURN(inv.log_row_id, ParseNumber("--id", *id, 1, INT64_MAX));
        // The server reads one row by its id alone: a filter beside it would
        // be silently ignored, so say so instead.
        for (const char* filter : {"request-id", "since", "limit", "offset"}) {
          if (parsed.flags.count(filter) > 0) {
            return absl::InvalidArgumentError(absl::StrCat("--id names one row: drop --", filter, " (see ", usage,
                                                           ")"));
          }
        }
      }
      if (const std::string* id = Last(parsed, "request-id")) {
        if (id->empty() || id->size() > 128) {
          return absl::InvalidArgumentError("--request-id needs an id of 1 to 128 characters");
        }
        inv.request_id = *id;
      }
      if (const std::string* since = Last(parsed, "since")) {
        GEMPOOL_ASSIGN_OR_RETURN(inv.since_seconds, ParseSince(*since));
      }
      if (const std::string* limit = Last(parsed, "limit")) {
        GEMPOOL_ASSIGN_OR_RETURN(int64_t n, ParseNumber("--limit", *limit, 1, 1000));
        inv.limit = static_cast<int>(n);
      }
      if (const std::string* offset = Last(parsed, "offset")) {
        GEMPOOL_ASSIGN_OR_RETURN(int64_t n, ParseNumber("--offset", *offset, 0, 1 << 30));
        inv.offset = static_cast<int>(n);
      }
      break;
    case Command::kUsage: {
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {"by", "since", "until", "limit"}, path));
      GEMPOOL_RETURN_IF_ERROR(no_arguments());
      if (const std::string* by = Last(parsed, "by")) {
        if (*by != "key" && *by != "model" && *by != "token") {
          return absl::InvalidArgumentError(
              absl::StrCat("--by '", *by, "' is not a grouping: use key, model or token (see ", usage, ")"));
        }
        inv.usage_by = *by;
      }
      if (const std::string* since = Last(parsed, "since")) inv.usage_since = *since;
      if (const std::string* until = Last(parsed, "until")) inv.usage_until = *until;
      if (const std::string* limit = Last(parsed, "limit")) {
        GEMPOOL_ASSIGN_OR_RETURN(int64_t n, ParseNumber("--limit", *limit, 1, 1000));
        inv.limit = static_cast<int>(n);
      }
      break;
    }
    case Command::kTokensAdd: {
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {"expires", "rpm", "tokens-per-day", "models"}, path));
      if (rest.size() != 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            rest.empty() ? "give the token a name" : "give one name (quote a name with spaces)", " (see ", usage,
            ")"));
      }
      inv.token_name = rest[0];
      if (const std::string* expires = Last(parsed, "expires")) inv.token_expires = *expires;
      if (const std::string* rpm = Last(parsed, "rpm")) {
        GEMPOOL_ASSIGN_OR_RETURN(inv.token_rpm, ParseNumber("--rpm", *rpm, 0, clienttokens::kMaxRequestsPerMinute));
      }
      if (const std::string* per_day = Last(parsed, "tokens-per-day")) {
        GEMPOOL_ASSIGN_OR_RETURN(inv.token_per_day,
                                 ParseNumber("--tokens-per-day", *per_day, 0, clienttokens::kMaxTokensPerDay));
      }
      if (const std::string* models = Last(parsed, "models")) {
        for (absl::string_view model : absl::StrSplit(*models, ',', absl::SkipWhitespace())) {
          inv.token_models.emplace_back(absl::StripAsciiWhitespace(model));
        }
      }
      break;
    }
    case Command::kTokensList:
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {}, path));
      GEMPOOL_RETURN_IF_ERROR(no_arguments());
      break;
    case Command::kTokensDisable:
    case Command::kTokensEnable:
    case Command::kTokensDelete: {
      GEMPOOL_RETURN_IF_ERROR(CheckFlagsApply(parsed, {}, path));
      if (rest.size() != 1) {
        return absl::InvalidArgumentError(
            absl::StrCat("give one token id (from `gempoolctl tokens list`) (see ", usage, ")"));
      }
      GEMPOOL_ASSIGN_OR_RETURN(inv.token_id, ParseNumber("token id", rest[0], 1, 1'000'000'000'000));
      break;
    }
    case Command::kImportGeminiBalance:
      GEMPOOL_RETURN_IF_ERROR(ParseImport(parsed, path, usage, inv));
      GEMPOOL_RETURN_IF_ERROR(no_arguments());
      break;
    case Command::kHelp:
      break;
  }
  return inv;
}

std::vector<std::string> SplitKeys(absl::string_view text) {
  std::vector<std::string> keys;
  for (absl::string_view part : absl::StrSplit(text, absl::ByAnyChar(",; \t\r\n\"'[]"), absl::SkipEmpty())) {
    keys.emplace_back(part);
  }
  return keys;
}

}  // namespace gempool::ctl
