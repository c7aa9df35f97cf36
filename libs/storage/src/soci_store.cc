#include "gempool/storage/soci_store.h"

#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cooldowns_json.h"
#include "client_tokens.h"
#include "file_records.h"
#include "gempool/common/logging.h"
#include "gempool/common/status_macros.h"
#include "log_stats.h"
#include "usage_hourly.h"
#include "mysql_connect.h"
#include "schema.h"
#include "sql_error.h"
#include "sql_params.h"
#include "stored_responses.h"
#include "text.h"

namespace gempool::storage {
namespace {

// Column limits (bytes), matching the MySQL schema in schema.cc.
constexpr size_t kMaxStateReasonBytes = 255;
constexpr size_t kMaxLastErrorBytes = 16 * 1024;
constexpr size_t kMaxTokenIdBytes = 64;
constexpr size_t kMaxLoggedModelBytes = 128;
constexpr size_t kMaxOperationBytes = 64;
constexpr size_t kMaxRequestIdBytes = 128;
constexpr size_t kMaxErrorTypeBytes = 128;
constexpr size_t kMaxMessageBytes = 64 * 1024;
constexpr size_t kMaxRequestBodyBytes = 64 * 1024;
constexpr size_t kMaxSettingValueBytes = 8 * 1024 * 1024;
constexpr size_t kMaxFilterBytes = 1024;

// A multi-row INSERT is cut after this many rows or this many bytes of text,
// to stay well inside SQLite's variable limit and MySQL's max_allowed_packet.
constexpr size_t kInsertChunkRows = 100;
constexpr size_t kInsertChunkBytes = 1024 * 1024;
// IN lists are cut likewise.
constexpr size_t kInListChunk = 500;

// A write transaction; rolls back unless committed. SQLite takes the write
// lock up front (BEGIN IMMEDIATE), so a transaction that reads first never
// fails to upgrade its lock and the busy timeout applies instead.
class Transaction {
 public:
  Transaction(soci::session& session, Backend backend) : session_(session) {
    session_ << (backend == Backend::kSqlite ? "BEGIN IMMEDIATE" : "START TRANSACTION");
  }
  ~Transaction() {
    if (done_) return;
    try {
      session_ << "ROLLBACK";
    } catch (...) {
      // The connection is gone or the transaction already ended; either way
      // nothing was committed.
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void Commit() {
    session_ << "COMMIT";
    done_ = true;
  }

 private:
  soci::session& session_;
  bool done_ = false;
};

constexpr char kKeyColumns[] =
    "id, secret, state, failure_count, state_reason, last_error, cooling_until_ms, model_cooldowns, "
    "created_at_ms, updated_at_ms, last_used_at_ms, underlying_state, pool";

// One gempool_keys row as read (columns in kKeyColumns order).
struct KeyRow {
  long long id = 0;
  std::string secret;
  int state = 0;
  int failure_count = 0;
  std::string state_reason;
  std::string last_error;
  long long cooling_until_ms = 0;
  std::string model_cooldowns;
  long long created_at_ms = 0;
  long long updated_at_ms = 0;
  long long last_used_at_ms = 0;
  int underlying_state = 0;
  int pool = 0;

  void Into(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(secret));
    st.exchange(soci::into(state));
    st.exchange(soci::into(failure_count));
    st.exchange(soci::into(state_reason));
    st.exchange(soci::into(last_error));
    st.exchange(soci::into(cooling_until_ms));
    st.exchange(soci::into(model_cooldowns));
    st.exchange(soci::into(created_at_ms));
    st.exchange(soci::into(updated_at_ms));
    st.exchange(soci::into(last_used_at_ms));
    st.exchange(soci::into(underlying_state));
    st.exchange(soci::into(pool));
  }

  v1::KeyRecord ToRecord() const {
    v1::KeyRecord r;
    r.set_id(id);
    r.set_secret(secret);
    r.set_state(v1::KeyState_IsValid(state) ? static_cast<v1::KeyState>(state) : v1::KEY_STATE_UNSPECIFIED);
    r.set_failure_count(failure_count);
    r.set_state_reason(state_reason);
    r.set_last_error(last_error);
    r.set_cooling_until_ms(cooling_until_ms);
    if (!DecodeCooldowns(model_cooldowns, r.mutable_model_cooldowns())) {
      GEMPOOL_LOG(WARNING) << "key " << id << " has unreadable model_cooldowns in the database; treating it as "
                           << "having none (the next state save rewrites it)";
    }
    r.set_created_at_ms(created_at_ms);
    r.set_updated_at_ms(updated_at_ms);
    r.set_last_used_at_ms(last_used_at_ms);
    // Only a paused key has a state underneath; 0 (rows from before
    // migration 2) stays UNSPECIFIED.
    if (r.state() == v1::KEY_STATE_PAUSED && underlying_state != v1::KEY_STATE_PAUSED &&
        v1::KeyState_IsValid(underlying_state)) {
      r.set_underlying_state(static_cast<v1::KeyState>(underlying_state));
    }
    // Unknown values (a newer gempool's pools) load as the default pool.
    r.set_pool(v1::Pool_IsValid(pool) ? static_cast<v1::Pool>(pool) : v1::POOL_GEMINI);
    return r;
  }
};

constexpr char kRequestLogColumns[] =
    "id, time_ms, client_token_id, model, operation, key_id, status_code, latency_ms, attempts, stream, "
    "request_id, upstream_ms, prompt_tokens, candidates_tokens, thoughts_tokens, cached_tokens, "
    "tool_use_prompt_tokens, total_tokens";

struct RequestLogRow {
  long long id = 0;
  long long time_ms = 0;
  std::string client_token_id;
  std::string model;
  std::string operation;
  long long key_id = 0;
  int status_code = 0;
  long long latency_ms = 0;
  int attempts = 0;
  int stream = 0;
  std::string request_id;
  long long upstream_ms = 0;
  long long prompt_tokens = 0;
  long long candidates_tokens = 0;
  long long thoughts_tokens = 0;
  long long cached_tokens = 0;
  long long tool_use_prompt_tokens = 0;
  long long total_tokens = 0;

  void Into(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(time_ms));
    st.exchange(soci::into(client_token_id));
    st.exchange(soci::into(model));
    st.exchange(soci::into(operation));
    st.exchange(soci::into(key_id));
    st.exchange(soci::into(status_code));
    st.exchange(soci::into(latency_ms));
    st.exchange(soci::into(attempts));
    st.exchange(soci::into(stream));
    st.exchange(soci::into(request_id));
    st.exchange(soci::into(upstream_ms));
    st.exchange(soci::into(prompt_tokens));
    st.exchange(soci::into(candidates_tokens));
    st.exchange(soci::into(thoughts_tokens));
    st.exchange(soci::into(cached_tokens));
    st.exchange(soci::into(tool_use_prompt_tokens));
    st.exchange(soci::into(total_tokens));
  }

  v1::RequestLogEntry ToEntry() const {
    v1::RequestLogEntry e;
    e.set_id(id);
    e.set_time_ms(time_ms);
    e.set_client_token_id(client_token_id);
    e.set_model(model);
    e.set_operation(operation);
    e.set_key_id(key_id);
    e.set_status_code(status_code);
    e.set_latency_ms(latency_ms);
    e.set_attempts(attempts);
    e.set_stream(stream != 0);
    e.set_request_id(request_id);
    e.set_upstream_ms(upstream_ms);
    // A row with no usage reads back without the message, as it was written.
    if (prompt_tokens == 0 && candidates_tokens == 0 && thoughts_tokens == 0 && cached_tokens == 0 &&
        tool_use_prompt_tokens == 0 && total_tokens == 0) {
      return e;
    }
    v1::TokenUsage& usage = *e.mutable_usage();
    usage.set_prompt_tokens(prompt_tokens);
    usage.set_candidates_tokens(candidates_tokens);
    usage.set_thoughts_tokens(thoughts_tokens);
    usage.set_cached_tokens(cached_tokens);
    usage.set_tool_use_prompt_tokens(tool_use_prompt_tokens);
    usage.set_total_tokens(total_tokens);
    return e;
  }
};

// The error log's columns, in ErrorLogRow order. request_body is NULL on
// MySQL rows from before schema version 7. A page (`whole_body` false) reads
// only the body's first kErrorLogBodyPreviewBytes characters, so the
// database sends at most 4 bytes each (ErrorLogRow cuts them to bytes), and
// the body's size in bytes: SQLite's LENGTH counts the characters of a TEXT
// value (the column is TEXT there), so it measures the value as a BLOB, its
// UTF-8 bytes; MySQL's LENGTH counts bytes. SUBSTR counts characters on both.
std::string ErrorLogColumns(Backend backend, bool whole_body) {
  const char* body_bytes =
      backend == Backend::kSqlite ? "LENGTH(CAST(request_body AS BLOB))" : "LENGTH(request_body)";
  const std::string body =
      whole_body ? std::string("COALESCE(request_body, '')")
                 : absl::StrCat("SUBSTR(COALESCE(request_body, ''), 1, ", kErrorLogBodyPreviewBytes, ")");
  return absl::StrCat("id, time_ms, key_id, model, operation, status_code, error_type, message, ", body,
                      ", COALESCE(", body_bytes, ", 0), request_id");
}

struct ErrorLogRow {
  long long id = 0;
  long long time_ms = 0;
  long long key_id = 0;
  std::string model;
  std::string operation;
  int status_code = 0;
  std::string error_type;
  std::string message;
  std::string request_body;
  long long request_body_bytes = 0;
  std::string request_id;
  // The body is cut to this many bytes (on a character boundary): a page's
  // preview. The whole-row read sets no limit.
  size_t max_body_bytes = kErrorLogBodyPreviewBytes;

  void Into(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(time_ms));
    st.exchange(soci::into(key_id));
    st.exchange(soci::into(model));
    st.exchange(soci::into(operation));
    st.exchange(soci::into(status_code));
    st.exchange(soci::into(error_type));
    st.exchange(soci::into(message));
    st.exchange(soci::into(request_body));
    st.exchange(soci::into(request_body_bytes));
    st.exchange(soci::into(request_id));
  }

  v1::ErrorLogEntry ToEntry() const {
    v1::ErrorLogEntry e;
    e.set_id(id);
    e.set_time_ms(time_ms);
    e.set_key_id(key_id);
    e.set_model(model);
    e.set_operation(operation);
    e.set_status_code(status_code);
    e.set_error_type(error_type);
    e.set_message(message);
    e.set_request_body(request_body.size() > max_body_bytes ? ValidUtf8Prefix(request_body, max_body_bytes)
                                                            : request_body);
    e.set_request_body_bytes(request_body_bytes);
    e.set_request_id(request_id);
    return e;
  }
};

// kInvalidArgument for a negative LogQuery.id (0: not set).
absl::Status CheckLogRowId(int64_t id) {
  if (id >= 0) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("log row id ", id, " is negative"));
}

// Checks a log query and returns the page size to use.
absl::StatusOr<int> CheckLogQuery(const v1::LogQuery& q) {
  if (q.limit() < 0 || q.limit() > kMaxLogLimit) {
    return absl::InvalidArgumentError(absl::StrCat("limit ", q.limit(), " is out of range: use 1 to ", kMaxLogLimit,
                                                   " (0 means ", kDefaultLogLimit, ")"));
  }
  if (q.offset() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("offset ", q.offset(), " is negative"));
  }
  if (q.since_ms() < 0 || q.until_ms() < 0) {
    return absl::InvalidArgumentError("since_ms and until_ms are Unix milliseconds and cannot be negative");
  }
  if (q.since_ms() != 0 && q.until_ms() != 0 && q.since_ms() >= q.until_ms()) {
    return absl::InvalidArgumentError(
        absl::StrCat("since_ms (", q.since_ms(), ") must be before until_ms (", q.until_ms(), ")"));
  }
  if (q.key_id() < 0) return absl::InvalidArgumentError(absl::StrCat("key_id ", q.key_id(), " is negative"));
  return q.limit() == 0 ? kDefaultLogLimit : q.limit();
}

// " WHERE ..." for a log query (empty when nothing filters). `text_column` is
// matched by the case-insensitive substring filter.
std::string LogWhere(const v1::LogQuery& q, const char* text_column, SqlParams& params) {
  std::string where;
  const auto add = [&](const std::string& condition) {
    absl::StrAppend(&where, where.empty() ? " WHERE " : " AND ", condition);
  };
  if (q.since_ms() != 0) add(absl::StrCat("time_ms >= ", params.Add(static_cast<long long>(q.since_ms()))));
  if (q.until_ms() != 0) add(absl::StrCat("time_ms < ", params.Add(static_cast<long long>(q.until_ms()))));
  if (q.key_id() != 0) add(absl::StrCat("key_id = ", params.Add(static_cast<long long>(q.key_id()))));
  if (!q.model().empty()) add(absl::StrCat("model = ", params.Add(ValidUtf8Prefix(q.model(), kMaxFilterBytes))));
  if (q.status_code() != 0) {
    add(absl::StrCat("status_code = ", params.Add(static_cast<long long>(q.status_code()))));
  }
  if (!q.request_id().empty()) {
    add(absl::StrCat("request_id = ", params.Add(ValidUtf8Prefix(q.request_id(), kMaxRequestIdBytes))));
  }
  if (!q.text().empty()) {
    // '!' escapes LIKE's wildcards in the user's text (a backslash would need
    // different quoting on MySQL and SQLite).
    const std::string escaped =
        absl::StrReplaceAll(ValidUtf8Prefix(q.text(), kMaxFilterBytes), {{"!", "!!"}, {"%", "!%"}, {"_", "!_"}});
    add(absl::StrCat("LOWER(", text_column, ") LIKE LOWER(", params.Add(absl::StrCat("%", escaped, "%")),
                     ") ESCAPE '!'"));
  }
  return where;
}

// Runs the count and page queries of a log query over `table`.
template <typename Row, typename Entry>
LogPage<Entry> QueryLog(soci::session& session, const char* table, const std::string& columns,
                        const char* text_column, const v1::LogQuery& q, int limit) {
  SqlParams params;
  const std::string where = LogWhere(q, text_column, params);
  LogPage<Entry> page;
  {
    long long total = 0;
    soci::statement st(session);
    st.exchange(soci::into(total));
    params.Prepare(st, absl::StrCat("SELECT COUNT(*) FROM ", table, where));
    st.execute(true);
    page.total = total;
  }
  if (page.total <= q.offset()) return page;
  Row row;
  soci::statement st(session);
  row.Into(st);
  params.Prepare(st, absl::StrCat("SELECT ", columns, " FROM ", table, where, " ORDER BY time_ms DESC, id DESC LIMIT ",
                                  limit, " OFFSET ", q.offset()));
  st.execute();
  while (st.fetch()) page.entries.push_back(row.ToEntry());
  return page;
}

// The row of `table` with `id` (LogQuery.id), read into `row` as its
// settings say; kNotFound naming the id when there is none. `what` names the
// log in the message ("error log").
template <typename Row, typename Entry>
absl::StatusOr<LogPage<Entry>> QueryLogRow(soci::session& session, const char* table, const std::string& columns,
                                           Row row, int64_t id, const char* what) {
  SqlParams params;
  const std::string sql_text =
      absl::StrCat("SELECT ", columns, " FROM ", table, " WHERE id = ", params.Add(static_cast<long long>(id)));
  soci::statement st(session);
  row.Into(st);
  params.Prepare(st, sql_text);
  st.execute(true);
  if (!st.got_data()) {
    return absl::NotFoundError(
        absl::StrCat(what, " row ", id, " not found: it was deleted, or removed by log retention"));
  }
  LogPage<Entry> page;
  page.entries.push_back(row.ToEntry());
  page.total = 1;
  return page;
}

// Inserts `rows` into `table` with multi-row INSERTs; `add_row` appends one
// row's placeholders (in `columns` order) to params and returns them as
// "(...)" plus the bytes of text it added. Returns the rows written.
template <typename Entry, typename AddRow>
long long InsertRows(soci::session& session, const char* table, const char* columns, const std::vector<Entry>& rows,
                     AddRow add_row) {
  long long written = 0;
  size_t next = 0;
  while (next < rows.size()) {
    SqlParams params;
    std::string sql_text = absl::StrCat("INSERT INTO ", table, " (", columns, ") VALUES ");
    size_t bytes = 0;
    size_t count = 0;
    while (next < rows.size() && count < kInsertChunkRows && bytes < kInsertChunkBytes) {
      auto [values, row_bytes] = add_row(rows[next], params);
      absl::StrAppend(&sql_text, count == 0 ? "" : ", ", values);
      bytes += row_bytes;
      ++count;
      ++next;
    }
    written += ExecuteUpdate(session, sql_text, params);
  }
  return written;
}

absl::Status CheckSqlitePath(const StoreOptions& o) {
  if (o.sqlite_path.empty()) {
    return absl::InvalidArgumentError("the SQLite database path is empty: set SQLITE_DATABASE (default default_db)");
  }
  if (o.sqlite_path.find('"') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("the SQLite database path '", o.sqlite_path,
                                                   "' contains a double quote, which gempool cannot open; "
                                                   "rename it (DATA_DIR and SQLITE_DATABASE)"));
  }
  const std::filesystem::path dir = std::filesystem::path(o.sqlite_path).parent_path();
  if (dir.empty()) return absl::OkStatus();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat("cannot create the data directory '", dir.string(),
                                                      "' for the SQLite database ", o.sqlite_path, ": ", ec.message(),
                                                      ". Set DATA_DIR to a directory this process (uid ", getuid(),
                                                      ") can write (with docker compose, the /data volume)"));
  }
  return absl::OkStatus();
}

std::string SqliteConnectString(const StoreOptions& o) {
  // SOCI's SQLite backend splits its connect string at spaces unless the value
  // is double-quoted.
  const std::string db =
      o.sqlite_path.find(' ') == std::string::npos ? o.sqlite_path : absl::StrCat("\"", o.sqlite_path, "\"");
  // No synchronous= here: SOCI applies it before the busy timeout, so it
  // fails at once while another connection holds a lock (PrepareSqlite).
  return absl::StrCat("db=", db, " timeout=", o.sqlite_busy_timeout_seconds);
}

// Per-connection settings, applied once the busy timeout is in force. With WAL,
// synchronous=NORMAL loses at most the last transactions on power loss, never
// consistency.
void PrepareSqlite(soci::session& session) { session << "PRAGMA synchronous=NORMAL"; }

// Sets journal_mode=WAL and returns the mode in force. SQLite does not wait
// for the busy timeout here (the switch needs the exclusive lock), so another
// process opening the same file at the same moment is waited out by hand.
std::string SwitchToWal(soci::session& session, int timeout_seconds) {
  constexpr int kPauseMs = 20;
  for (int waited_ms = 0;; waited_ms += kPauseMs) {
    try {
      std::string mode;
      session << "PRAGMA journal_mode=WAL", soci::into(mode);
      return mode;
    } catch (const soci::sqlite3_soci_error& e) {
      const int code = e.result() & 0xff;
      const bool busy = code == 5 || code == 6;  // SQLITE_BUSY, SQLITE_LOCKED
      if (!busy || waited_ms >= timeout_seconds * 1000) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kPauseMs));
  }
}

// The message for a failure while opening an already reachable database.
absl::Status OpenError(const StoreOptions& o, const soci::soci_error& e) {
  if (o.backend == Backend::kSqlite) {
    const std::string dir = std::filesystem::path(o.sqlite_path).parent_path().string();
    return absl::UnavailableError(
        absl::StrCat("cannot open the SQLite database ", o.sqlite_path, ": ", e.get_error_message(),
                     ". Check that the file and its directory ", dir.empty() ? "." : dir, " (DATA_DIR",
                     o.data_dir.empty() ? "" : "=", o.data_dir, ") are writable by this process (uid ", getuid(),
                     "), that the disk is not full, and that the file is an SQLite database"));
  }
  const absl::Status mapped = SociErrorToStatus(e, "");
  return absl::Status(
      mapped.code() == absl::StatusCode::kInternal ? absl::StatusCode::kUnavailable : mapped.code(),
      absl::StrCat("cannot prepare MySQL database '", o.mysql.database, "' at ", MysqlWhere(o.mysql), " for user '",
                   o.mysql.user, "': ", e.get_error_message(),
                   ". The user needs SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER and INDEX on the database "
                   "(GRANT ALL PRIVILEGES ON `",
                   o.mysql.database, "`.* TO '", o.mysql.user, "'@'%')"));
}

}  // namespace

const char* BackendName(Backend backend) { return backend == Backend::kSqlite ? "sqlite" : "mysql"; }

SociStore::SociStore(const StoreOptions& options, const Clock& clock, std::unique_ptr<soci::connection_pool> pool)
    : options_(options), clock_(clock), pool_(std::move(pool)), slots_(static_cast<size_t>(options.pool_size)) {
  for (Slot& slot : slots_) slot.last_used_ms = clock_.MonotonicMs();
}

SociStore::~SociStore() = default;

absl::StatusOr<std::unique_ptr<SociStore>> SociStore::Open(const StoreOptions& options, const Clock& clock) {
  if (options.pool_size < 1 || options.pool_size > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("database pool size ", options.pool_size, " is out of range: use 1 to 256"));
  }
  std::string connect;
  const soci::backend_factory* factory = nullptr;
  if (options.backend == Backend::kSqlite) {
    GEMPOOL_RETURN_IF_ERROR(CheckSqlitePath(options));
    connect = SqliteConnectString(options);
    factory = &soci::sqlite3;
  } else {
    GEMPOOL_ASSIGN_OR_RETURN(connect, ConnectMysql(options));
    factory = &soci::mysql;
  }
  auto pool = std::make_unique<soci::connection_pool>(static_cast<size_t>(options.pool_size));
  int version = 0;
  try {
    soci::session& first = pool->at(0);
    first.open(*factory, connect);
    if (options.backend == Backend::kSqlite) {
      PrepareSqlite(first);
      // WAL lets readers run beside the one writer; the mode is stored in the
      // file, so the other connections pick it up.
      const std::string mode = SwitchToWal(first, options.sqlite_busy_timeout_seconds);
      if (mode != "wal") {
        GEMPOOL_LOG(WARNING) << "SQLite could not switch " << options.sqlite_path << " to WAL (journal mode is " << mode
                             << "); readers will wait for writers";
      }
    }
    GEMPOOL_ASSIGN_OR_RETURN(version, MigrateSchema(first, options.backend, clock));
    for (int i = 1; i < options.pool_size; ++i) {
      soci::session& session = pool->at(static_cast<size_t>(i));
      session.open(*factory, connect);
      if (options.backend == Backend::kSqlite) PrepareSqlite(session);
    }
  } catch (const soci::soci_error& e) {
    return OpenError(options, e);
  }
  GEMPOOL_LOG(INFO) << "opened " << BackendName(options.backend) << " database "
                    << (options.backend == Backend::kSqlite
                            ? options.sqlite_path
                            : absl::StrCat("'", options.mysql.database, "' at ", MysqlWhere(options.mysql)))
                    << ", schema version " << version << ", " << options.pool_size << " connection(s)";
  return std::unique_ptr<SociStore>(new SociStore(options, clock, std::move(pool)));
}

template <typename Fn>
auto SociStore::Run(const char* what, Fn fn) -> decltype(fn(std::declval<soci::session&>())) {
  size_t pos = 0;
  if (!pool_->try_lease(pos, options_.pool_wait_ms)) {
    return absl::UnavailableError(absl::StrCat(what, " failed: all ", options_.pool_size,
                                               " database connections stayed busy for ", options_.pool_wait_ms, " ms"));
  }
  absl::Cleanup give_back = [&] { pool_->give_back(pos); };
  soci::session& session = pool_->at(pos);
  Slot& slot = slots_[pos];
  try {
    if (options_.backend == Backend::kMysql) {
      const int64_t idle_ms = clock_.MonotonicMs() - slot.last_used_ms;
      if (slot.broken || idle_ms > int64_t{options_.mysql_idle_check_seconds} * 1000) {
        if (slot.broken || !session.is_connected()) {
          GEMPOOL_LOG(INFO) << "reconnecting to MySQL at " << MysqlWhere(options_.mysql);
          slot.broken = true;
          session.reconnect();
        }
        slot.broken = false;
      }
    }
    auto result = fn(session);
    slot.last_used_ms = clock_.MonotonicMs();
    return result;
  } catch (const soci::soci_error& e) {
    if (IsConnectionLost(e)) slot.broken = true;
    return SociErrorToStatus(e, what);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(what, " failed: ", e.what()));
  }
}

absl::StatusOr<std::vector<v1::KeyRecord>> SociStore::LoadKeys() {
  return Run("loading keys", [&](soci::session& session) -> absl::StatusOr<std::vector<v1::KeyRecord>> {
    std::vector<v1::KeyRecord> keys;
    KeyRow row;
    soci::statement st(session);
    row.Into(st);
    SqlParams().Prepare(st, absl::StrCat("SELECT ", kKeyColumns, " FROM gempool_keys ORDER BY id"));
    st.execute();
    while (st.fetch()) keys.push_back(row.ToRecord());
    return keys;
  });
}

absl::StatusOr<AddKeysResult> SociStore::AddKeys(const std::vector<std::string>& secrets, v1::Pool pool) {
  if (!v1::Pool_IsValid(pool)) {
    return absl::InvalidArgumentError(absl::StrCat("unknown key pool ", static_cast<int>(pool)));
  }
  for (size_t i = 0; i < secrets.size(); ++i) {
    GEMPOOL_RETURN_IF_ERROR(ValidateSecret(secrets[i], static_cast<int>(i)));
  }
  if (secrets.empty()) return AddKeysResult{};
  return Run("adding keys", [&](soci::session& session) -> absl::StatusOr<AddKeysResult> {
    // Another process may insert the same secret between our look-up and our
    // insert (MySQL); the unique index stops it and a retry finds the row.
    for (int attempt = 1;; ++attempt) {
      try {
        return AddKeysOnce(session, secrets, pool);
      } catch (const soci::soci_error& e) {
        if (attempt >= 3 || !IsConstraintViolation(e)) throw;
      }
    }
  });
}

absl::StatusOr<AddKeysResult> SociStore::AddKeysOnce(soci::session& session, const std::vector<std::string>& secrets,
                                                     v1::Pool pool) {
  Transaction tx(session, options_.backend);
  AddKeysResult result;
  result.keys.reserve(secrets.size());
  result.inserted.reserve(secrets.size());
  std::unordered_map<std::string, size_t> seen;  // secret → index in result.

  std::string secret;
  KeyRow row;
  soci::statement find(session);
  row.Into(find);
  find.exchange(soci::use(secret, "secret"));
  find.alloc();
  find.prepare(absl::StrCat("SELECT ", kKeyColumns, " FROM gempool_keys WHERE secret = :secret"));
  find.define_and_bind();

  const long long now = clock_.NowUnixMs();
  const int active = v1::KEY_STATE_ACTIVE;
  const int pool_value = pool;
  soci::statement insert =
      (session.prepare << "INSERT INTO gempool_keys (secret, state, failure_count, state_reason, last_error, "
                          "cooling_until_ms, model_cooldowns, created_at_ms, updated_at_ms, last_used_at_ms, pool) "
                          "VALUES (:secret, :state, 0, '', '', 0, '[]', :created, :updated, 0, :pool)",
       soci::use(secret, "secret"), soci::use(active, "state"), soci::use(now, "created"), soci::use(now, "updated"),
       soci::use(pool_value, "pool"));

  for (const std::string& s : secrets) {
    if (auto it = seen.find(s); it != seen.end()) {
      result.keys.push_back(result.keys[it->second]);
      result.inserted.push_back(false);
      continue;
    }
    secret = s;
    find.execute(true);
    if (find.got_data()) {
      result.keys.push_back(row.ToRecord());
      result.inserted.push_back(false);
    } else {
      insert.execute(true);
      long long id = 0;
      if (!session.get_last_insert_id("gempool_keys", id) || id <= 0) {
        throw soci::soci_error("the database did not report the id of the inserted key");
      }
      v1::KeyRecord r;
      r.set_id(id);
      r.set_secret(s);
      r.set_state(v1::KEY_STATE_ACTIVE);
      r.set_pool(pool);
      r.set_created_at_ms(now);
      r.set_updated_at_ms(now);
      result.keys.push_back(std::move(r));
      result.inserted.push_back(true);
    }
    seen.emplace(s, result.keys.size() - 1);
  }
  tx.Commit();
  return result;
}

absl::StatusOr<int> SociStore::DeleteKeys(const std::vector<int64_t>& ids) {
  if (ids.empty()) return 0;
  return Run("deleting keys", [&](soci::session& session) -> absl::StatusOr<int> {
    Transaction tx(session, options_.backend);
    long long deleted = 0;
    for (size_t start = 0; start < ids.size(); start += kInListChunk) {
      SqlParams params;
      std::string list;
      for (size_t i = start; i < std::min(ids.size(), start + kInListChunk); ++i) {
        absl::StrAppend(&list, i == start ? "" : ", ", params.Add(static_cast<long long>(ids[i])));
      }
      deleted += ExecuteUpdate(session, absl::StrCat("DELETE FROM gempool_keys WHERE id IN (", list, ")"), params);
    }
    tx.Commit();
    return static_cast<int>(deleted);
  });
}

absl::StatusOr<int> SociStore::SaveKeyStates(const std::vector<v1::KeyRecord>& keys) {
  // The last record per id wins; remember where each id last appears.
  std::unordered_map<int64_t, size_t> last;
  std::vector<size_t> order;
  for (size_t i = 0; i < keys.size(); ++i) {
    const v1::KeyRecord& k = keys[i];
    if (k.id() <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("key record #", i + 1, " has id ", k.id(),
                                                     ": saving a state needs the id persistence assigned"));
    }
    if (k.state() == v1::KEY_STATE_UNSPECIFIED || !v1::KeyState_IsValid(k.state())) {
      return absl::InvalidArgumentError(
          absl::StrCat("key record #", i + 1, " (id ", k.id(), ") has no valid state (", k.state(), ")"));
    }
    if (!v1::KeyState_IsValid(k.underlying_state()) || k.underlying_state() == v1::KEY_STATE_PAUSED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "key record #", i + 1, " (id ", k.id(), ") has an invalid underlying_state (", k.underlying_state(),
          "): expected ACTIVE, COOLING, FAILING or DISABLED, or UNSPECIFIED"));
    }
    auto [it, fresh] = last.emplace(k.id(), i);
    if (fresh) {
      order.push_back(k.id());
    } else {
      it->second = i;
    }
  }
  if (keys.empty()) return 0;
  return Run("saving key states", [&](soci::session& session) -> absl::StatusOr<int> {
    Transaction tx(session, options_.backend);
    long long id = 0, cooling_until_ms = 0, updated_at_ms = 0, last_used_at_ms = 0;
    int state = 0, failure_count = 0, underlying_state = 0;
    std::string state_reason, last_error, cooldowns;
    soci::statement update =
        (session.prepare << "UPDATE gempool_keys SET state = :state, failure_count = :failures, "
                            "state_reason = :reason, last_error = :error, cooling_until_ms = :cooling, "
                            "model_cooldowns = :cooldowns, updated_at_ms = :updated, last_used_at_ms = :used, "
                            "underlying_state = :underlying WHERE id = :id",
         soci::use(state, "state"), soci::use(failure_count, "failures"), soci::use(state_reason, "reason"),
         soci::use(last_error, "error"), soci::use(cooling_until_ms, "cooling"), soci::use(cooldowns, "cooldowns"),
         soci::use(updated_at_ms, "updated"), soci::use(last_used_at_ms, "used"),
         soci::use(underlying_state, "underlying"), soci::use(id, "id"));
    long long updated = 0;
    for (int64_t key_id : order) {
      const v1::KeyRecord& k = keys[last[key_id]];
      id = k.id();
      state = k.state();
      failure_count = k.failure_count();
      state_reason = ValidUtf8Prefix(k.state_reason(), kMaxStateReasonBytes);
      last_error = ValidUtf8Prefix(k.last_error(), kMaxLastErrorBytes);
      cooling_until_ms = k.cooling_until_ms();
      cooldowns = EncodeCooldowns(k.model_cooldowns());
      updated_at_ms = k.updated_at_ms();
      last_used_at_ms = k.last_used_at_ms();
      underlying_state = k.state() == v1::KEY_STATE_PAUSED ? k.underlying_state() : 0;
      update.execute(true);
      updated += update.get_affected_rows();
    }
    tx.Commit();
    return static_cast<int>(updated);
  });
}

absl::StatusOr<int> SociStore::WriteRequestLogs(const std::vector<v1::RequestLogEntry>& entries) {
  if (entries.empty()) return 0;
  const long long now = clock_.NowUnixMs();
  return Run("writing request logs", [&](soci::session& session) -> absl::StatusOr<int> {
    Transaction tx(session, options_.backend);
    // The hourly usage rows name a call as its log row does: each row's
    // model and token id sanitised once, for both.
    std::vector<UsageNames> names;
    names.reserve(entries.size());
    for (const v1::RequestLogEntry& e : entries) {
      names.push_back({ValidUtf8Prefix(e.model(), kMaxLoggedModelBytes), ValidUtf8Prefix(e.client_token_id(), kMaxTokenIdBytes)});
    }
    const long long written = InsertRows(
        session, "gempool_request_log",
        "time_ms, client_token_id, model, operation, key_id, status_code, latency_ms, attempts, stream, "
        "request_id, upstream_ms, prompt_tokens, candidates_tokens, thoughts_tokens, cached_tokens, "
        "tool_use_prompt_tokens, total_tokens",
        entries, [&](const v1::RequestLogEntry& e, SqlParams& p) {
          // InsertRows passes entries[i] itself: its index picks its names.
          const UsageNames& sanitized = names[static_cast<size_t>(&e - entries.data())];
          std::string token = sanitized.client_token_id;
          std::string model = sanitized.model;
          std::string operation = ValidUtf8Prefix(e.operation(), kMaxOperationBytes);
          std::string request_id = ValidUtf8Prefix(e.request_id(), kMaxRequestIdBytes);
          const size_t bytes = token.size() + model.size() + operation.size() + request_id.size();
          const v1::TokenUsage& u = e.usage();
          const auto count = [&p](int64_t n) { return p.Add(static_cast<long long>(std::max<int64_t>(n, 0))); };
          std::string values = absl::StrCat(
              "(", p.Add(e.time_ms() != 0 ? static_cast<long long>(e.time_ms()) : now), ", ", p.Add(std::move(token)),
              ", ", p.Add(std::move(model)), ", ", p.Add(std::move(operation)), ", ",
              p.Add(static_cast<long long>(e.key_id())), ", ", p.Add(static_cast<long long>(e.status_code())), ", ",
              p.Add(static_cast<long long>(e.latency_ms())), ", ", p.Add(static_cast<long long>(e.attempts())), ", ",
              p.Add(e.stream() ? 1LL : 0LL), ", ", p.Add(std::move(request_id)), ", ", count(e.upstream_ms()), ", ",
              count(u.prompt_tokens()), ", ", count(u.candidates_tokens()), ", ", count(u.thoughts_tokens()), ", ",
              count(u.cached_tokens()), ", ", count(u.tool_use_prompt_tokens()), ", ", count(u.total_tokens()), ")");
          return std::make_pair(std::move(values), bytes);
        });
    AddHourlyUsage(session, options_.backend, entries, now, names);
    tx.Commit();
    return static_cast<int>(written);
  });
}

absl::StatusOr<int> SociStore::WriteErrorLogs(const std::vector<v1::ErrorLogEntry>& entries) {
  if (entries.empty()) return 0;
  const long long now = clock_.NowUnixMs();
  return Run("writing error logs", [&](soci::session& session) -> absl::StatusOr<int> {
    Transaction tx(session, options_.backend);
    const long long written =
        InsertRows(session, "gempool_error_log",
                   "time_ms, key_id, model, operation, status_code, error_type, message, request_body, request_id",
                   entries, [&](const v1::ErrorLogEntry& e, SqlParams& p) {
                     std::string model = ValidUtf8Prefix(e.model(), kMaxLoggedModelBytes);
                     std::string operation = ValidUtf8Prefix(e.operation(), kMaxOperationBytes);
                     std::string error_type = ValidUtf8Prefix(e.error_type(), kMaxErrorTypeBytes);
                     std::string message = ValidUtf8Prefix(e.message(), kMaxMessageBytes);
                     std::string request_body = ValidUtf8Prefix(e.request_body(), kMaxRequestBodyBytes);
                     std::string request_id = ValidUtf8Prefix(e.request_id(), kMaxRequestIdBytes);
                     const size_t bytes = model.size() + operation.size() + error_type.size() + message.size() +
                                          request_body.size() + request_id.size();
                     std::string values =
                         absl::StrCat("(", p.Add(e.time_ms() != 0 ? static_cast<long long>(e.time_ms()) : now), ", ",
                                      p.Add(static_cast<long long>(e.key_id())), ", ", p.Add(std::move(model)), ", ",
                                      p.Add(std::move(operation)), ", ", p.Add(static_cast<long long>(e.status_code())),
                                      ", ", p.Add(std::move(error_type)), ", ", p.Add(std::move(message)), ", ",
                                      p.Add(std::move(request_body)), ", ", p.Add(std::move(request_id)), ")");
                     return std::make_pair(std::move(values), bytes);
                   });
    tx.Commit();
    return static_cast<int>(written);
  });
}

absl::StatusOr<LogPage<v1::RequestLogEntry>> SociStore::QueryRequestLogs(const v1::LogQuery& query) {
  GEMPOOL_RETURN_IF_ERROR(CheckLogRowId(query.id()));
  if (query.id() != 0) {
    return Run("reading a request log row",
               [&](soci::session& session) -> absl::StatusOr<LogPage<v1::RequestLogEntry>> {
                 return QueryLogRow<RequestLogRow, v1::RequestLogEntry>(
                     session, "gempool_request_log", kRequestLogColumns, RequestLogRow(), query.id(), "request log");
               });
  }
  GEMPOOL_ASSIGN_OR_RETURN(const int limit, CheckLogQuery(query));
  return Run("querying the request log", [&](soci::session& session) -> absl::StatusOr<LogPage<v1::RequestLogEntry>> {
    return QueryLog<RequestLogRow, v1::RequestLogEntry>(session, "gempool_request_log", kRequestLogColumns, "operation",
                                                        query, limit);
  });
}

absl::StatusOr<LogPage<v1::ErrorLogEntry>> SociStore::QueryErrorLogs(const v1::LogQuery& query) {
  GEMPOOL_RETURN_IF_ERROR(CheckLogRowId(query.id()));
  if (query.id() != 0) {
    return Run("reading an error log row", [&](soci::session& session) -> absl::StatusOr<LogPage<v1::ErrorLogEntry>> {
      ErrorLogRow whole;
      whole.max_body_bytes = std::numeric_limits<size_t>::max();
      return QueryLogRow<ErrorLogRow, v1::ErrorLogEntry>(session, "gempool_error_log",
                                                         ErrorLogColumns(options_.backend, /*whole_body=*/true),
                                                         std::move(whole), query.id(), "error log");
    });
  }
  GEMPOOL_ASSIGN_OR_RETURN(const int limit, CheckLogQuery(query));
  return Run("querying the error log", [&](soci::session& session) -> absl::StatusOr<LogPage<v1::ErrorLogEntry>> {
    return QueryLog<ErrorLogRow, v1::ErrorLogEntry>(session, "gempool_error_log",
                                                    ErrorLogColumns(options_.backend, /*whole_body=*/false), "message",
                                                    query, limit);
  });
}

absl::StatusOr<std::vector<v1::KeyUsageRow>> SociStore::GetKeyUsage(const std::vector<int64_t>& key_ids,
                                                                      int64_t since_ms) {
  if (since_ms < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("since_ms ", since_ms, " is negative: it is Unix milliseconds (0 for all rows)"));
  }
  std::vector<int64_t> ids = key_ids;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return Run("counting key usage", [&](soci::session& session) -> absl::StatusOr<std::vector<v1::KeyUsageRow>> {
    std::vector<v1::KeyUsageRow> rows;
    // One query for every key, else one per chunk of ids (the chunks hold
    // disjoint, ascending ids, so the rows stay in order).
    size_t start = 0;
    do {
      SqlParams params;
      std::string where = absl::StrCat(" WHERE time_ms >= ", params.Add(static_cast<long long>(since_ms)));
      if (!ids.empty()) {
        std::string list;
        for (size_t i = start; i < std::min(ids.size(), start + kInListChunk); ++i) {
          absl::StrAppend(&list, i == start ? "" : ", ", params.Add(static_cast<long long>(ids[i])));
        }
        absl::StrAppend(&where, " AND key_id IN (", list, ")");
      }
      long long key_id = 0, calls = 0, failures = 0;
      std::string model;
      soci::statement st(session);
      st.exchange(soci::into(key_id));
      st.exchange(soci::into(model));
      st.exchange(soci::into(calls));
      st.exchange(soci::into(failures));
      // The (key_id, time_ms) index serves a key filter, the time_ms index
      // the others. COUNT over a CASE is a BIGINT on both backends (SUM is a
      // DECIMAL on MySQL).
      params.Prepare(st, absl::StrCat("SELECT key_id, model, COUNT(*), COUNT(CASE WHEN status_code >= 400 THEN 1 END)"
                                      " FROM gempool_request_log",
                                      where, " GROUP BY key_id, model ORDER BY key_id, model"));
      st.execute();
      while (st.fetch()) {
        v1::KeyUsageRow& row = rows.emplace_back();
        row.set_key_id(key_id);
        row.set_model(model);
        row.set_calls(calls);
        row.set_failures(failures);
      }
      start += kInListChunk;
    } while (start < ids.size());
    return rows;
  });
}

absl::StatusOr<std::map<std::string, std::string>> SociStore::GetSettings() {
  return Run("reading settings", [&](soci::session& session) -> absl::StatusOr<std::map<std::string, std::string>> {
    std::map<std::string, std::string> values;
    std::string name, value;
    soci::statement st =
        (session.prepare << "SELECT name, value FROM gempool_settings", soci::into(name), soci::into(value));
    st.execute();
    while (st.fetch()) values[name] = value;
    return values;
  });
}

absl::Status SociStore::PutSettings(const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) {
    GEMPOOL_RETURN_IF_ERROR(ValidateSettingName(name));
    if (!IsValidUtf8(value)) {
      return absl::InvalidArgumentError(absl::StrCat("the value of setting ", name, " is not valid UTF-8 text"));
    }
    if (value.size() > kMaxSettingValueBytes) {
      return absl::InvalidArgumentError(absl::StrCat("the value of setting ", name, " is ", value.size(),
                                                     " bytes long; at most ", kMaxSettingValueBytes, " are allowed"));
    }
  }
  if (values.empty()) return absl::OkStatus();
  return Run("saving settings", [&](soci::session& session) -> absl::Status {
    Transaction tx(session, options_.backend);
    std::string name, value;
    const long long now = clock_.NowUnixMs();
    const char* upsert =
        options_.backend == Backend::kSqlite
            ? "INSERT INTO gempool_settings (name, value, updated_at_ms) VALUES (:name, :value, :now) "
              "ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms"
            : "INSERT INTO gempool_settings (name, value, updated_at_ms) VALUES (:name, :value, :now) "
              "ON DUPLICATE KEY UPDATE value = VALUES(value), updated_at_ms = VALUES(updated_at_ms)";
    soci::statement st =
        (session.prepare << upsert, soci::use(name, "name"), soci::use(value, "value"), soci::use(now, "now"));
    for (const auto& [n, v] : values) {
      name = n;
      value = v;
      st.execute(true);
    }
    tx.Commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<PingResult> SociStore::Ping() {
  return Run("pinging the database", [&](soci::session& session) -> absl::StatusOr<PingResult> {
    PingResult result;
    result.backend = BackendName(options_.backend);
    result.schema_version = CurrentSchemaVersion(session);
    return result;
  });
}

// --- Admin web UI ---

namespace {

absl::Status CheckSessionIdHash(const std::string& id_hash) {
  const bool hex = id_hash.size() == 64 && std::all_of(id_hash.begin(), id_hash.end(), [](char c) {
                     return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                   });
  if (!hex) {
    return absl::InvalidArgumentError(
        "an admin session id hash must be 64 lowercase hex digits (the SHA-256 of the session id)");
  }
  return absl::OkStatus();
}

const char* LogTableName(v1::LogTable table) {
  switch (table) {
    case v1::LOG_TABLE_REQUEST:
      return "gempool_request_log";
    case v1::LOG_TABLE_ERROR:
      return "gempool_error_log";
    default:
      return nullptr;
  }
}

}  // namespace

absl::Status SociStore::CreateAdminSession(const v1::AdminSession& session_record) {
  GEMPOOL_RETURN_IF_ERROR(CheckSessionIdHash(session_record.id_hash()));
  if (session_record.created_at_ms() <= 0 || session_record.expires_at_ms() <= session_record.created_at_ms()) {
    return absl::InvalidArgumentError(absl::StrCat("an admin session must expire after it is created (created ",
                                                   session_record.created_at_ms(), ", expires ",
                                                   session_record.expires_at_ms(), ")"));
  }
  return Run("creating an admin session", [&](soci::session& session) -> absl::Status {
    Transaction tx(session, options_.backend);
    const long long now = clock_.NowUnixMs();
    session << "DELETE FROM gempool_admin_sessions WHERE expires_at_ms <= :now", soci::use(now, "now");
    const std::string id_hash = session_record.id_hash();
    const long long created = session_record.created_at_ms();
    const long long expires = session_record.expires_at_ms();
    session << "INSERT INTO gempool_admin_sessions (id_hash, created_at_ms, expires_at_ms) "
               "VALUES (:id, :created, :expires)",
        soci::use(id_hash, "id"), soci::use(created, "created"), soci::use(expires, "expires");
    tx.Commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::AdminSession> SociStore::GetAdminSession(const std::string& id_hash) {
  GEMPOOL_RETURN_IF_ERROR(CheckSessionIdHash(id_hash));
  return Run("reading an admin session", [&](soci::session& session) -> absl::StatusOr<v1::AdminSession> {
    const long long now = clock_.NowUnixMs();
    long long created = 0, expires = 0;
    soci::statement st = (session.prepare << "SELECT created_at_ms, expires_at_ms FROM gempool_admin_sessions "
                                             "WHERE id_hash = :id AND expires_at_ms > :now",
                          soci::into(created), soci::into(expires), soci::use(id_hash, "id"), soci::use(now, "now"));
    st.execute(true);
    if (!st.got_data()) {
      return absl::NotFoundError("no such admin session: it expired, was logged out, or never existed");
    }
    v1::AdminSession found;
    found.set_id_hash(id_hash);
    found.set_created_at_ms(created);
    found.set_expires_at_ms(expires);
    return found;
  });
}

absl::StatusOr<bool> SociStore::DeleteAdminSession(const std::string& id_hash) {
  GEMPOOL_RETURN_IF_ERROR(CheckSessionIdHash(id_hash));
  return Run("deleting an admin session", [&](soci::session& session) -> absl::StatusOr<bool> {
    SqlParams params;
    const std::string sql_text =
        absl::StrCat("DELETE FROM gempool_admin_sessions WHERE id_hash = ", params.Add(std::string(id_hash)));
    return ExecuteUpdate(session, sql_text, params) > 0;
  });
}

absl::Status SociStore::PutStoredResponse(const v1::StoredResponse& response) {
  GEMPOOL_RETURN_IF_ERROR(CheckStoredResponse(response));
  GEMPOOL_RETURN_IF_ERROR(Run("storing a response", [&](soci::session& session) -> absl::Status {
    if (UpsertStoredResponse(session, options_.backend, response)) return absl::OkStatus();
    return absl::AlreadyExistsError(absl::StrCat("response id ", response.id(),
                                                 " is already stored for another client token; "
                                                 "the gateway must make a new id"));
  }));
  // Expired responses are purged here, a few at a time, rather than by a
  // timer or in one sweep: the table only grows through Puts, and each Put
  // removes up to kStoredResponsePurgeBatch expired rows for the one it adds,
  // so the backlog shrinks whenever responses are stored. Bounding the batch
  // keeps every Put cheap (rows can be megabytes each, and SQLite has one
  // writer); a separate statement keeps a failed purge from failing the Put.
  const absl::Status purged = Run("purging expired stored responses", [&](soci::session& session) -> absl::Status {
    PurgeExpiredStoredResponses(session, options_.backend, clock_.NowUnixMs());
    return absl::OkStatus();
  });
  if (!purged.ok()) {
    GEMPOOL_LOG(WARNING) << purged << " (the response itself was stored)";
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::StoredResponse> SociStore::GetStoredResponse(const std::string& id, const std::string& owner) {
  GEMPOOL_RETURN_IF_ERROR(CheckStoredResponseId(id));
  GEMPOOL_RETURN_IF_ERROR(CheckStoredResponseOwner(owner));
  return Run("reading a stored response", [&](soci::session& session) -> absl::StatusOr<v1::StoredResponse> {
    std::optional<v1::StoredResponse> found = FindStoredResponse(session, id, owner, clock_.NowUnixMs());
    if (!found.has_value()) {
      return absl::NotFoundError(absl::StrCat("no stored response ", id,
                                              " for this client token: it expired, was deleted, was stored with "
                                              "another token, or never existed"));
    }
    return *std::move(found);
  });
}

absl::StatusOr<bool> SociStore::DeleteStoredResponse(const std::string& id, const std::string& owner) {
  GEMPOOL_RETURN_IF_ERROR(CheckStoredResponseId(id));
  GEMPOOL_RETURN_IF_ERROR(CheckStoredResponseOwner(owner));
  return Run("deleting a stored response", [&](soci::session& session) -> absl::StatusOr<bool> {
    return DeleteStoredResponseRow(session, id, owner, clock_.NowUnixMs());
  });
}

// --- Files API (the SQL is in file_records.cc) ---

void SociStore::PurgeSomeExpiredFiles() {
  // As for stored responses: each write removes a few expired rows (bounded,
  // so a write stays cheap), in its own statement, so a failed purge never
  // fails the write. The periodic clean-up (FILES_CLEANUP_*) takes the rest.
  const absl::Status purged = Run("purging expired file records", [&](soci::session& session) -> absl::Status {
    PurgeExpiredFileRows(session, options_.backend, clock_.NowUnixMs(), kFilePurgeBatch);
    return absl::OkStatus();
  });
  if (!purged.ok()) GEMPOOL_LOG(WARNING) << purged << " (the record itself was stored)";
}

absl::Status SociStore::PutUploadSession(const v1::UploadSession& upload) {
  GEMPOOL_RETURN_IF_ERROR(CheckUploadSession(upload));
  GEMPOOL_RETURN_IF_ERROR(Run("storing an upload session", [&](soci::session& session) -> absl::Status {
    ReplaceUploadSession(session, upload);
    return absl::OkStatus();
  }));
  PurgeSomeExpiredFiles();
  return absl::OkStatus();
}

absl::StatusOr<v1::UploadSession> SociStore::GetUploadSession(const std::string& id) {
  GEMPOOL_RETURN_IF_ERROR(CheckUploadSessionId(id));
  return Run("reading an upload session", [&](soci::session& session) -> absl::StatusOr<v1::UploadSession> {
    std::optional<v1::UploadSession> found = FindUploadSession(session, id, clock_.NowUnixMs());
    if (!found.has_value()) {
      return absl::NotFoundError(absl::StrCat("no upload session ", id, ": it expired, or never existed"));
    }
    return *std::move(found);
  });
}

absl::Status SociStore::PutFileRecord(const v1::FileRecord& record) {
  GEMPOOL_RETURN_IF_ERROR(CheckFileRecord(record));
  GEMPOOL_RETURN_IF_ERROR(Run("storing a file record", [&](soci::session& session) -> absl::Status {
    ReplaceFileRecord(session, record);
    return absl::OkStatus();
  }));
  PurgeSomeExpiredFiles();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::FileRecord>> SociStore::GetFileRecords(const std::vector<std::string>& names) {
  if (names.size() > static_cast<size_t>(kMaxFileRecordNamesPerCall)) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxFileRecordNamesPerCall,
                                                   " file names per call, not ", names.size()));
  }
  for (const std::string& name : names) GEMPOOL_RETURN_IF_ERROR(CheckFileName(name));
  return Run("reading file records", [&](soci::session& session) -> absl::StatusOr<std::vector<v1::FileRecord>> {
    return FindFileRecords(session, names, clock_.NowUnixMs());
  });
}

absl::StatusOr<v1::ListFileRecordsResponse> SociStore::ListFileRecords(const v1::ListFileRecordsRequest& request) {
  absl::StatusOr<int> page_size = CheckListFileRecords(request);
  if (!page_size.ok()) return page_size.status();
  return Run("listing file records", [&](soci::session& session) -> absl::StatusOr<v1::ListFileRecordsResponse> {
    return ListFileRecordRows(session, request, *page_size, clock_.NowUnixMs());
  });
}

absl::StatusOr<bool> SociStore::DeleteFileRecord(const std::string& name) {
  GEMPOOL_RETURN_IF_ERROR(CheckFileName(name));
  return Run("deleting a file record",
             [&](soci::session& session) -> absl::StatusOr<bool> { return DeleteFileRecordRow(session, name); });
}

absl::StatusOr<int64_t> SociStore::PurgeExpiredFiles() {
  int64_t total = 0;
  // Bounded statements, each its own short write (SQLite has one writer):
  // a large backlog never holds the database for long.
  for (;;) {
    absl::StatusOr<int64_t> removed =
        Run("removing expired file records", [&](soci::session& session) -> absl::StatusOr<int64_t> {
          return PurgeExpiredFileRows(session, options_.backend, clock_.NowUnixMs(), kFileCleanupBatch);
        });
    if (!removed.ok()) return removed.status();
    total += *removed;
    if (*removed < kFileCleanupBatch) return total;
  }
}

absl::StatusOr<int64_t> SociStore::DeleteLogs(const v1::DeleteLogsRequest& request) {
  const char* table = LogTableName(request.table());
  if (table == nullptr) {
    return absl::InvalidArgumentError("name the log table to delete from: LOG_TABLE_REQUEST or LOG_TABLE_ERROR");
  }
  const int selectors = (request.ids_size() > 0 ? 1 : 0) + (request.all() ? 1 : 0) + (request.before_ms() != 0 ? 1 : 0);
  if (selectors != 1) {
    return absl::InvalidArgumentError(
        "say which log rows to delete with exactly one of: ids, all, or before_ms (older than a time)");
  }
  if (request.before_ms() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("before_ms ", request.before_ms(), " is negative"));
  }
  for (int64_t id : request.ids()) {
    if (id <= 0) return absl::InvalidArgumentError(absl::StrCat("log row id ", id, " is not a valid id"));
  }
  return Run("deleting log rows", [&](soci::session& session) -> absl::StatusOr<int64_t> {
    Transaction tx(session, options_.backend);
    long long deleted = 0;
    if (request.all()) {
      deleted = ExecuteUpdate(session, absl::StrCat("DELETE FROM ", table), SqlParams());
    } else if (request.before_ms() != 0) {
      SqlParams params;
      const std::string sql_text = absl::StrCat("DELETE FROM ", table, " WHERE time_ms < ",
                                                params.Add(static_cast<long long>(request.before_ms())));
      deleted = ExecuteUpdate(session, sql_text, params);
    } else {
      const auto& ids = request.ids();
      for (int start = 0; start < ids.size(); start += static_cast<int>(kInListChunk)) {
        SqlParams params;
        std::string list;
        for (int i = start; i < std::min(ids.size(), start + static_cast<int>(kInListChunk)); ++i) {
          absl::StrAppend(&list, i == start ? "" : ", ", params.Add(static_cast<long long>(ids[i])));
        }
        deleted += ExecuteUpdate(session, absl::StrCat("DELETE FROM ", table, " WHERE id IN (", list, ")"), params);
      }
    }
    tx.Commit();
    return static_cast<int64_t>(deleted);
  });
}

absl::StatusOr<v1::AggregateRequestLogsResponse> SociStore::AggregateRequestLogs(
    const v1::AggregateRequestLogsRequest& request) {
  GEMPOOL_RETURN_IF_ERROR(CheckAggregateRequest(request));
  return Run("aggregating the request log",
             [&](soci::session& session) -> absl::StatusOr<v1::AggregateRequestLogsResponse> {
               return QueryAggregate(session, options_.backend, request);
             });
}

absl::StatusOr<v1::UsageReport> SociStore::QueryUsage(const v1::UsageQuery& query) {
  const int64_t now = clock_.NowUnixMs();
  GEMPOOL_RETURN_IF_ERROR(CheckUsageQuery(query, now));
  return Run("summing token usage", [&](soci::session& session) -> absl::StatusOr<v1::UsageReport> {
    return QueryUsageReport(session, query, now);
  });
}

absl::StatusOr<v1::TopErrorKeysResponse> SociStore::TopErrorKeys(const v1::TopErrorKeysRequest& request) {
  GEMPOOL_RETURN_IF_ERROR(CheckTopErrorKeysRequest(request));
  return Run("counting errors per key", [&](soci::session& session) -> absl::StatusOr<v1::TopErrorKeysResponse> {
    return QueryTopErrorKeys(session, request);
  });
}

// --- Managed client tokens (the SQL is in client_tokens.cc) ---

absl::StatusOr<std::vector<v1::ClientToken>> SociStore::LoadClientTokens() {
  return Run("loading client tokens", [&](soci::session& session) -> absl::StatusOr<std::vector<v1::ClientToken>> {
    return LoadClientTokenRows(session);
  });
}

absl::StatusOr<v1::ClientToken> SociStore::PutClientToken(const v1::ClientToken& token) {
  GEMPOOL_RETURN_IF_ERROR(CheckClientToken(token));
  return Run("storing a client token", [&](soci::session& session) -> absl::StatusOr<v1::ClientToken> {
    return PutClientTokenRow(session, token, clock_.NowUnixMs());
  });
}

absl::StatusOr<bool> SociStore::DeleteClientToken(int64_t id) {
  return Run("deleting a client token",
             [&](soci::session& session) -> absl::StatusOr<bool> { return DeleteClientTokenRow(session, id); });
}

absl::StatusOr<std::unique_ptr<SociStore>> OpenStore(const Config& config) {
  return SociStore::Open(StoreOptionsFromConfig(config), SystemClock::Get());
}

}  // namespace gempool::storage
