#pragma once
// The SQL behind the Store's managed client tokens (gempool_client_tokens):
// input checks, load, insert or replace by id (names and secret hashes are
// unique), delete. Only the secret's SHA-256 and its first characters are
// stored, never the secret. SociStore leases the session, runs these and
// turns SOCI exceptions into statuses; everything here throws them.

#include <soci/soci.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/v1/types.pb.h"

namespace gempool::storage {

// The checks of Store::PutClientToken (kInvalidArgument naming the field).
absl::Status CheckClientToken(const v1::ClientToken& token);

std::vector<v1::ClientToken> LoadClientTokenRows(soci::session& session);

// Inserts (id 0; times 0 become `now_ms`) or replaces by id; returns the
// token as stored. kAlreadyExists naming the clash (name or secret),
// kNotFound for an unknown id.
absl::StatusOr<v1::ClientToken> PutClientTokenRow(soci::session& session, v1::ClientToken token, int64_t now_ms);

bool DeleteClientTokenRow(soci::session& session, int64_t id);

}  // namespace gempool::storage
