#include "schema.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "sql_error.h"

namespace gempool::storage {
namespace {

// Column sizes shared by both backends (MySQL enforces them; SQLite does not,
// so the store truncates before writing). VARCHAR(191) keeps a utf8mb4 unique
// index under 767 bytes for old row formats.
//   secret 191, state_reason 255, settings name 128,
//   client_token_id 64, model 128, operation 64, error_type 128,
//   stored response id 128, owner 64.

const char kSqliteMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS gempool_schema_migrations ("
    " version INTEGER NOT NULL PRIMARY KEY,"
    " applied_at_ms INTEGER NOT NULL,"
    " description TEXT NOT NULL DEFAULT '')";

// utf8mb4_bin: keys and settings names are case-sensitive, and model filters
// compare exactly, as on SQLite.
const char kMysqlMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS gempool_schema_migrations ("
    " version INT NOT NULL PRIMARY KEY,"
    " applied_at_ms BIGINT NOT NULL,"
    " description VARCHAR(255) NOT NULL DEFAULT ''"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

std::vector<Migration> BuildMigrations() {
  std::vector<Migration> all;
  all.push_back(Migration{
      1,
      "keys, settings, request log, error log",
      {
          "CREATE TABLE IF NOT EXISTS gempool_keys ("
          " id INTEGER PRIMARY KEY AUTOINCREMENT,"
          " secret TEXT NOT NULL UNIQUE,"
          " state INTEGER NOT NULL,"
          " failure_count INTEGER NOT NULL DEFAULT 0,"
          " state_reason TEXT NOT NULL DEFAULT '',"
          " last_error TEXT NOT NULL DEFAULT '',"
          " cooling_until_ms INTEGER NOT NULL DEFAULT 0,"
          " model_cooldowns TEXT NOT NULL DEFAULT '[]',"
          " created_at_ms INTEGER NOT NULL,"
          " updated_at_ms INTEGER NOT NULL,"
          " last_used_at_ms INTEGER NOT NULL DEFAULT 0)",
          "CREATE TABLE IF NOT EXISTS gempool_settings ("
          " name TEXT NOT NULL PRIMARY KEY,"
          " value TEXT NOT NULL,"
          " updated_at_ms INTEGER NOT NULL)",
          "CREATE TABLE IF NOT EXISTS gempool_request_log ("
          " id INTEGER PRIMARY KEY AUTOINCREMENT,"
          " time_ms INTEGER NOT NULL,"
          " client_token_id TEXT NOT NULL DEFAULT '',"
          " model TEXT NOT NULL DEFAULT '',"
          " operation TEXT NOT NULL DEFAULT '',"
          " key_id INTEGER NOT NULL DEFAULT 0,"
          " status_code INTEGER NOT NULL DEFAULT 0,"
          " latency_ms INTEGER NOT NULL DEFAULT 0,"
          " attempts INTEGER NOT NULL DEFAULT 0,"
          " stream INTEGER NOT NULL DEFAULT 0)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_request_log_time ON gempool_request_log (time_ms)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_request_log_key_time ON gempool_request_log (key_id, time_ms)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_request_log_model_time ON gempool_request_log (model, time_ms)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_request_log_status ON gempool_request_log (status_code)",
          "CREATE TABLE IF NOT EXISTS gempool_error_log ("
          " id INTEGER PRIMARY KEY AUTOINCREMENT,"
          " time_ms INTEGER NOT NULL,"
          " key_id INTEGER NOT NULL DEFAULT 0,"
          " model TEXT NOT NULL DEFAULT '',"
          " operation TEXT NOT NULL DEFAULT '',"
          " status_code INTEGER NOT NULL DEFAULT 0,"
          " error_type TEXT NOT NULL DEFAULT '',"
          " message TEXT NOT NULL DEFAULT '')",
          "CREATE INDEX IF NOT EXISTS idx_gempool_error_log_time ON gempool_error_log (time_ms)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_error_log_key_time ON gempool_error_log (key_id, time_ms)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_error_log_model_time ON gempool_error_log (model, time_ms)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_error_log_status ON gempool_error_log (status_code)",
      },
      {
          // TEXT columns get no DEFAULT (MySQL before 8.0.13 rejects one); the
          // store always writes them.
          "CREATE TABLE IF NOT EXISTS gempool_keys ("
          " id BIGINT NOT NULL AUTO_INCREMENT,"
          " secret VARCHAR(191) NOT NULL,"
          " state INT NOT NULL,"
          " failure_count INT NOT NULL DEFAULT 0,"
          " state_reason VARCHAR(255) NOT NULL DEFAULT '',"
          " last_error TEXT NOT NULL,"
          " cooling_until_ms BIGINT NOT NULL DEFAULT 0,"
          " model_cooldowns MEDIUMTEXT NOT NULL,"
          " created_at_ms BIGINT NOT NULL,"
          " updated_at_ms BIGINT NOT NULL,"
          " last_used_at_ms BIGINT NOT NULL DEFAULT 0,"
          " PRIMARY KEY (id),"
          " UNIQUE KEY uq_gempool_keys_secret (secret)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
          "CREATE TABLE IF NOT EXISTS gempool_settings ("
          " name VARCHAR(128) NOT NULL,"
          " value MEDIUMTEXT NOT NULL,"
          " updated_at_ms BIGINT NOT NULL,"
          " PRIMARY KEY (name)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
          "CREATE TABLE IF NOT EXISTS gempool_request_log ("
          " id BIGINT NOT NULL AUTO_INCREMENT,"
          " time_ms BIGINT NOT NULL,"
          " client_token_id VARCHAR(64) NOT NULL DEFAULT '',"
          " model VARCHAR(128) NOT NULL DEFAULT '',"
          " operation VARCHAR(64) NOT NULL DEFAULT '',"
          " key_id BIGINT NOT NULL DEFAULT 0,"
          " status_code INT NOT NULL DEFAULT 0,"
          " latency_ms BIGINT NOT NULL DEFAULT 0,"
          " attempts INT NOT NULL DEFAULT 0,"
          " stream TINYINT NOT NULL DEFAULT 0,"
          " PRIMARY KEY (id),"
          " KEY idx_gempool_request_log_time (time_ms),"
          " KEY idx_gempool_request_log_key_time (key_id, time_ms),"
          " KEY idx_gempool_request_log_model_time (model, time_ms),"
          " KEY idx_gempool_request_log_status (status_code)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
          "CREATE TABLE IF NOT EXISTS gempool_error_log ("
          " id BIGINT NOT NULL AUTO_INCREMENT,"
          " time_ms BIGINT NOT NULL,"
          " key_id BIGINT NOT NULL DEFAULT 0,"
          " model VARCHAR(128) NOT NULL DEFAULT '',"
          " operation VARCHAR(64) NOT NULL DEFAULT '',"
          " status_code INT NOT NULL DEFAULT 0,"
          " error_type VARCHAR(128) NOT NULL DEFAULT '',"
          " message MEDIUMTEXT NOT NULL,"
          " PRIMARY KEY (id),"
          " KEY idx_gempool_error_log_time (time_ms),"
          " KEY idx_gempool_error_log_key_time (key_id, time_ms),"
          " KEY idx_gempool_error_log_model_time (model, time_ms),"
          " KEY idx_gempool_error_log_status (status_code)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      }});
  all.push_back(Migration{
      2,
      "keys: the state underneath an admin's pause",
      {
          "ALTER TABLE gempool_keys ADD COLUMN underlying_state INTEGER NOT NULL DEFAULT 0",
      },
      {
          "ALTER TABLE gempool_keys ADD COLUMN underlying_state INT NOT NULL DEFAULT 0",
      }});
  all.push_back(Migration{
      3,
      "admin web UI sessions",
      {
          "CREATE TABLE IF NOT EXISTS gempool_admin_sessions ("
          " id_hash TEXT NOT NULL PRIMARY KEY,"
          " created_at_ms INTEGER NOT NULL,"
          " expires_at_ms INTEGER NOT NULL)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_admin_sessions_expires ON gempool_admin_sessions (expires_at_ms)",
      },
      {
          "CREATE TABLE IF NOT EXISTS gempool_admin_sessions ("
          " id_hash CHAR(64) NOT NULL,"
          " created_at_ms BIGINT NOT NULL,"
          " expires_at_ms BIGINT NOT NULL,"
          " PRIMARY KEY (id_hash),"
          " KEY idx_gempool_admin_sessions_expires (expires_at_ms)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      }});
  all.push_back(Migration{
      4,
      "stored Responses API responses",
      {
          // body is the gateway's JSON document, opaque here: BLOB keeps it
          // byte for byte.
          "CREATE TABLE IF NOT EXISTS gempool_stored_responses ("
          " id TEXT NOT NULL PRIMARY KEY,"
          " owner TEXT NOT NULL,"
          " created_at_ms INTEGER NOT NULL,"
          " expires_at_ms INTEGER NOT NULL,"
          " model TEXT NOT NULL DEFAULT '',"
          " body BLOB NOT NULL)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_stored_responses_expires"
          " ON gempool_stored_responses (expires_at_ms)",
      },
      {
          // LONGBLOB: bodies go up to 64 MiB (MEDIUMBLOB stops at 16), and a
          // binary column takes any bytes where utf8mb4 text would refuse
          // invalid UTF-8.
          "CREATE TABLE IF NOT EXISTS gempool_stored_responses ("
          " id VARCHAR(128) NOT NULL,"
          " owner VARCHAR(64) NOT NULL,"
          " created_at_ms BIGINT NOT NULL,"
          " expires_at_ms BIGINT NOT NULL,"
          " model VARCHAR(128) NOT NULL DEFAULT '',"
          " body LONGBLOB NOT NULL,"
          " PRIMARY KEY (id),"
          " KEY idx_gempool_stored_responses_expires (expires_at_ms)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      }});
  all.push_back(Migration{
      5,
      "keys: the pool a key belongs to (0 Gemini API, 1 Vertex AI Express)",
      {
          // Rows from before are Gemini API keys (the default, 0).
          "ALTER TABLE gempool_keys ADD COLUMN pool INTEGER NOT NULL DEFAULT 0",
      },
      {
          "ALTER TABLE gempool_keys ADD COLUMN pool INT NOT NULL DEFAULT 0",
      }});
  all.push_back(Migration{
      6,
      "Files API: upload sessions and file records (file -> key, owner)",
      {
          "CREATE TABLE IF NOT EXISTS gempool_upload_sessions ("
          " id TEXT NOT NULL PRIMARY KEY,"
          " owner TEXT NOT NULL,"
          " key_id INTEGER NOT NULL,"
          " upstream_url TEXT NOT NULL,"
          " created_at_ms INTEGER NOT NULL,"
          " expires_at_ms INTEGER NOT NULL)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_upload_sessions_expires ON gempool_upload_sessions (expires_at_ms)",
          "CREATE TABLE IF NOT EXISTS gempool_file_records ("
          " name TEXT NOT NULL PRIMARY KEY,"
          " key_id INTEGER NOT NULL,"
          " owner TEXT NOT NULL,"
          " created_at_ms INTEGER NOT NULL,"
          " expires_at_ms INTEGER NOT NULL,"
          " metadata TEXT NOT NULL)",
          // The listing: one owner's (or everyone's) newest first.
          "CREATE INDEX IF NOT EXISTS idx_gempool_file_records_owner_created"
          " ON gempool_file_records (owner, created_at_ms)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_file_records_created ON gempool_file_records (created_at_ms)",
          "CREATE INDEX IF NOT EXISTS idx_gempool_file_records_expires ON gempool_file_records (expires_at_ms)",
      },
      {
          // upstream_url TEXT: Google's upload URLs are long (upload_id is
          // ~100 characters) and need no index.
          "CREATE TABLE IF NOT EXISTS gempool_upload_sessions ("
          " id VARCHAR(128) NOT NULL,"
          " owner VARCHAR(64) NOT NULL,"
          " key_id BIGINT NOT NULL,"
          " upstream_url TEXT NOT NULL,"
          " created_at_ms BIGINT NOT NULL,"
          " expires_at_ms BIGINT NOT NULL,"
          " PRIMARY KEY (id),"
          " KEY idx_gempool_upload_sessions_expires (expires_at_ms)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
          "CREATE TABLE IF NOT EXISTS gempool_file_records ("
          " name VARCHAR(191) NOT NULL,"
          " key_id BIGINT NOT NULL,"
          " owner VARCHAR(64) NOT NULL,"
          " created_at_ms BIGINT NOT NULL,"
          " expires_at_ms BIGINT NOT NULL,"
          " metadata MEDIUMTEXT NOT NULL,"
          " PRIMARY KEY (name),"
          " KEY idx_gempool_file_records_owner_created (owner, created_at_ms),"
          " KEY idx_gempool_file_records_created (created_at_ms),"
          " KEY idx_gempool_file_records_expires (expires_at_ms)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      }});
  all.push_back(Migration{
      7,
      "error log: the request body sent upstream (ERROR_LOG_RECORD_REQUEST_BODY)",
      {
          "ALTER TABLE gempool_error_log ADD COLUMN request_body TEXT NOT NULL DEFAULT ''",
      },
      {
          // NULL for the rows from before: a MEDIUMTEXT takes no literal
          // default on MySQL before 8.0.13; reads COALESCE it.
          "ALTER TABLE gempool_error_log ADD COLUMN request_body MEDIUMTEXT NULL",
      }});
  all.push_back(Migration{
      8,
      "request ids, token usage and upstream time in the logs; hourly token usage kept past log retention",
      {
          "ALTER TABLE gempool_request_log ADD COLUMN request_id TEXT NOT NULL DEFAULT ''",
          "ALTER TABLE gempool_request_log ADD COLUMN upstream_ms INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN prompt_tokens INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN candidates_tokens INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN thoughts_tokens INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN cached_tokens INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN tool_use_prompt_tokens INTEGER NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN total_tokens INTEGER NOT NULL DEFAULT 0",
          "CREATE INDEX IF NOT EXISTS idx_gempool_request_log_request_id ON gempool_request_log (request_id)",
          "ALTER TABLE gempool_error_log ADD COLUMN request_id TEXT NOT NULL DEFAULT ''",
          "CREATE INDEX IF NOT EXISTS idx_gempool_error_log_request_id ON gempool_error_log (request_id)",
          // One row per UTC hour, key, model and client token, added to as
          // request log rows are written (same transaction). Log retention
          // never deletes these: usage history outlives the raw rows. Hours,
          // not days, so any whole-hour TIMEZONE sums exact calendar days.
          "CREATE TABLE IF NOT EXISTS gempool_usage_hourly ("
          " hour_ms INTEGER NOT NULL,"
          " key_id INTEGER NOT NULL,"
          " model TEXT NOT NULL,"
          " client_token_id TEXT NOT NULL,"
          " requests INTEGER NOT NULL DEFAULT 0,"
          " failures INTEGER NOT NULL DEFAULT 0,"
          " prompt_tokens INTEGER NOT NULL DEFAULT 0,"
          " candidates_tokens INTEGER NOT NULL DEFAULT 0,"
          " thoughts_tokens INTEGER NOT NULL DEFAULT 0,"
          " cached_tokens INTEGER NOT NULL DEFAULT 0,"
          " tool_use_prompt_tokens INTEGER NOT NULL DEFAULT 0,"
          " total_tokens INTEGER NOT NULL DEFAULT 0,"
          " PRIMARY KEY (hour_ms, key_id, model, client_token_id))",
      },
      {
          "ALTER TABLE gempool_request_log ADD COLUMN request_id VARCHAR(128) NOT NULL DEFAULT ''",
          "ALTER TABLE gempool_request_log ADD COLUMN upstream_ms BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN prompt_tokens BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN candidates_tokens BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN thoughts_tokens BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN cached_tokens BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN tool_use_prompt_tokens BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD COLUMN total_tokens BIGINT NOT NULL DEFAULT 0",
          "ALTER TABLE gempool_request_log ADD INDEX idx_gempool_request_log_request_id (request_id)",
          "ALTER TABLE gempool_error_log ADD COLUMN request_id VARCHAR(128) NOT NULL DEFAULT ''",
          "ALTER TABLE gempool_error_log ADD INDEX idx_gempool_error_log_request_id (request_id)",
          "CREATE TABLE IF NOT EXISTS gempool_usage_hourly ("
          " hour_ms BIGINT NOT NULL,"
          " key_id BIGINT NOT NULL,"
          " model VARCHAR(128) NOT NULL,"
          " client_token_id VARCHAR(64) NOT NULL,"
          " requests BIGINT NOT NULL DEFAULT 0,"
          " failures BIGINT NOT NULL DEFAULT 0,"
          " prompt_tokens BIGINT NOT NULL DEFAULT 0,"
          " candidates_tokens BIGINT NOT NULL DEFAULT 0,"
          " thoughts_tokens BIGINT NOT NULL DEFAULT 0,"
          " cached_tokens BIGINT NOT NULL DEFAULT 0,"
          " tool_use_prompt_tokens BIGINT NOT NULL DEFAULT 0,"
          " total_tokens BIGINT NOT NULL DEFAULT 0,"
          " PRIMARY KEY (hour_ms, key_id, model, client_token_id)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      }});
  all.push_back(Migration{
      9,
      "managed client tokens (name, secret hash, expiry, disabled, limits)",
      {
          // Only the secret's SHA-256 and its first characters: the secret
          // is shown once, at creation, and never stored.
          "CREATE TABLE IF NOT EXISTS gempool_client_tokens ("
          " id INTEGER PRIMARY KEY AUTOINCREMENT,"
          " name TEXT NOT NULL UNIQUE,"
          " token_id TEXT NOT NULL,"
          " secret_sha256 TEXT NOT NULL UNIQUE,"
          " secret_prefix TEXT NOT NULL DEFAULT '',"
          " created_at_ms INTEGER NOT NULL,"
          " updated_at_ms INTEGER NOT NULL,"
          " expires_at_ms INTEGER NOT NULL DEFAULT 0,"
          " disabled INTEGER NOT NULL DEFAULT 0,"
          " requests_per_minute INTEGER NOT NULL DEFAULT 0,"
          " tokens_per_day INTEGER NOT NULL DEFAULT 0,"
          // One model id or prefix ("gemini-2.5-*") per line.
          " allowed_models TEXT NOT NULL DEFAULT '')",
      },
      {
          "CREATE TABLE IF NOT EXISTS gempool_client_tokens ("
          " id BIGINT NOT NULL AUTO_INCREMENT,"
          " name VARCHAR(64) NOT NULL,"
          " token_id VARCHAR(64) NOT NULL,"
          " secret_sha256 CHAR(64) NOT NULL,"
          " secret_prefix VARCHAR(16) NOT NULL DEFAULT '',"
          " created_at_ms BIGINT NOT NULL,"
          " updated_at_ms BIGINT NOT NULL,"
          " expires_at_ms BIGINT NOT NULL DEFAULT 0,"
          " disabled INT NOT NULL DEFAULT 0,"
          " requests_per_minute BIGINT NOT NULL DEFAULT 0,"
          " tokens_per_day BIGINT NOT NULL DEFAULT 0,"
          " allowed_models TEXT NOT NULL,"
          " PRIMARY KEY (id),"
          " UNIQUE KEY uq_gempool_client_tokens_name (name),"
          " UNIQUE KEY uq_gempool_client_tokens_secret (secret_sha256)"
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      }});
  return all;
}

// MySQL errors meaning a statement of an interrupted earlier run already took
// effect (DDL commits at once): ER_DUP_FIELDNAME, ER_DUP_KEYNAME.
bool AlreadyApplied(const soci::soci_error& e) {
  const unsigned int n = MysqlErrorNumber(e);
  return n == 1060 || n == 1061;
}

// Applies the pending migrations; the caller holds the migration lock.
absl::StatusOr<int> ApplyPending(soci::session& session, Backend backend, const Clock& clock) {
  session << (backend == Backend::kSqlite ? kSqliteMigrationsTable : kMysqlMigrationsTable);
  const int current = CurrentSchemaVersion(session);
  const int latest = LatestSchemaVersion();
  if (current > latest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database schema is at version ", current, " but this gempool-persistence knows versions up to ", latest,
        ": the database was upgraded by a newer gempool. Run that version (or newer) of gempool, or "
        "restore a backup taken before the upgrade"));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= current) continue;
    for (const char* statement : backend == Backend::kSqlite ? m.sqlite : m.mysql) {
      try {
        session << statement;
      } catch (const soci::soci_error& e) {
        if (backend == Backend::kSqlite || !AlreadyApplied(e)) throw;
      }
    }
    const long long now = clock.NowUnixMs();
    const std::string description = m.description;
    session << "INSERT INTO gempool_schema_migrations (version, applied_at_ms, description) VALUES (:v, :t, :d)",
        soci::use(m.version), soci::use(now), soci::use(description);
  }
  return latest;
}

}  // namespace

const std::vector<Migration>& Migrations() {
  // Sorted by version: entries are added in separate blocks above, and
  // LatestSchemaVersion and ApplyPending rely on ascending order.
  static const std::vector<Migration>* const kMigrations = [] {
    auto* all = new std::vector<Migration>(BuildMigrations());
    std::sort(all->begin(), all->end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
    return all;
  }();
  return *kMigrations;
}

int LatestSchemaVersion() { return Migrations().back().version; }

int CurrentSchemaVersion(soci::session& session) {
  int version = 0;
  soci::indicator ind = soci::i_null;
  session << "SELECT MAX(version) FROM gempool_schema_migrations", soci::into(version, ind);
  return ind == soci::i_ok ? version : 0;
}

absl::StatusOr<int> MigrateSchema(soci::session& session, Backend backend, const Clock& clock) {
  if (backend == Backend::kSqlite) {
    // Takes the write lock now (waiting up to the busy timeout), so a second
    // process blocks here and then finds the work done.
    session << "BEGIN IMMEDIATE";
    absl::StatusOr<int> result;
    try {
      result = ApplyPending(session, backend, clock);
    } catch (...) {
      session << "ROLLBACK";
      throw;
    }
    session << (result.ok() ? "COMMIT" : "ROLLBACK");
    return result;
  }

  // The lock name is per database: MD5 keeps it under MySQL's 64 characters.
  const std::string lock = "CONCAT('gempool_migrate_', MD5(DATABASE()))";
  int locked = 0;
  soci::indicator ind = soci::i_null;
  session << "SELECT GET_LOCK(" + lock + ", 120)", soci::into(locked, ind);
  if (ind != soci::i_ok || locked != 1) {
    return absl::UnavailableError(
        "timed out after 120 s waiting for the schema migration lock: another gempool-persistence is "
        "migrating this database (or hangs while doing so); start again once it is done");
  }
  absl::StatusOr<int> result;
  try {
    result = ApplyPending(session, backend, clock);
  } catch (...) {
    int released = 0;
    try {
      session << "SELECT RELEASE_LOCK(" + lock + ")", soci::into(released, ind);
    } catch (...) {
      // The lock dies with the connection anyway.
    }
    throw;
  }
  int released = 0;
  session << "SELECT RELEASE_LOCK(" + lock + ")", soci::into(released, ind);
  return result;
}

}  // namespace gempool::storage
