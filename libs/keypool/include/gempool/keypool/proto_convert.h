#pragma once
// Conversions between the key pool's plain types and the gempool.v1 protos:
// records for persistence and for gateways' replicas of the pool, masked
// views for admins, outcomes from gateways.
// Stateless; thread-safe.

#include "absl/status/statusor.h"
#include "gempool/keypool/key_info.h"
#include "gempool/keypool/outcome.h"
#include "gempool/v1/keybroker.pb.h"
#include "gempool/v1/types.pb.h"

namespace gempool::keypool {

v1::KeyState ToProto(keypool::KeyState state);
// "active", "cooling", "failing", "disabled", "paused" (as in JSON and
// tables for admins); "unknown" for UNSPECIFIED or unknown values.
const char* KeyStateName(v1::KeyState state);
// A state an admin asked for; UNSPECIFIED or unknown values are an error.
absl::StatusOr<keypool::KeyState> FromProto(v1::KeyState state);

v1::Pool ToProto(keypool::Pool pool);
// Unknown values are the Gemini pool (the default).
keypool::Pool FromProto(v1::Pool pool);

v1::OutcomeKind ToProto(OutcomeKind kind);
// InvalidArgument for UNSPECIFIED or an unknown value (a newer gateway's).
absl::StatusOr<OutcomeKind> FromProto(v1::OutcomeKind kind);

// The full record, secret included (for persistence only).
v1::KeyRecord ToRecord(const keypool::KeyInfo& key);
// A stored record; UNSPECIFIED (or unknown) states load as ACTIVE, and so
// does an UNSPECIFIED underlying_state of a paused key.
keypool::KeyInfo FromRecord(const v1::KeyRecord& record);
// What admins see: the key masked, never the secret.
v1::KeyView ToView(const keypool::KeyInfo& key);

// A gateway's report; InvalidArgument when the kind is missing or unknown.
absl::StatusOr<keypool::Outcome> FromProto(const v1::ReportOutcomeRequest& request);

}  // namespace gempool::keypool
