#pragma once
// gempool's database schema as numbered migrations, applied at open. Every
// table carries the gempool_ prefix so gempool can share a database with
// gemini-balance's t_* tables while users move across; that includes the
// bookkeeping table, gempool_schema_migrations (version INT PRIMARY KEY,
// applied_at_ms, description), named so it cannot collide with another tool's
// schema_migrations.
//
// Migrations are applied under a lock, re-reading the version once it is held,
// so two processes starting at once apply each migration exactly once:
// SQLite runs them inside one BEGIN IMMEDIATE transaction (its DDL is
// transactional); MySQL commits DDL implicitly, so it serialises on a named
// lock (GET_LOCK) and its statements are written to be re-runnable
// (CREATE TABLE IF NOT EXISTS with the indexes inline; an ALTER TABLE ADD
// COLUMN or ADD INDEX whose column or index already exists, left by a run
// interrupted before it recorded its version, counts as applied).

#include <soci/soci.h>

#include <vector>

#include "absl/status/statusor.h"
#include "gempool/common/clock.h"
#include "gempool/storage/store_options.h"

namespace gempool::storage {

struct Migration {
  int version = 0;
  const char* description = "";
  // Statements, one per entry (neither backend runs several per call).
  std::vector<const char*> sqlite;
  std::vector<const char*> mysql;
};

// All migrations, by ascending version.
const std::vector<Migration>& Migrations();

// The newest schema version this build knows.
int LatestSchemaVersion();

// Brings the database on `session` up to LatestSchemaVersion() and returns it.
// kFailedPrecondition if the database was migrated by a newer gempool. SOCI
// errors propagate as exceptions.
absl::StatusOr<int> MigrateSchema(soci::session& session, Backend backend, const Clock& clock);

// The highest applied version (0 for an empty database).
int CurrentSchemaVersion(soci::session& session);

}  // namespace gempool::storage
