#include "gempool/keypool/proto_convert.h"

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"

namespace gempool::keypool {
namespace {

using keypool::KeyState;

void CopyCooldowns(const keypool::KeyInfo& key, google::protobuf::RepeatedPtrField<v1::ModelCooldown>* out) {
  for (const keypool::ModelCooldown& cooldown : key.model_cooldowns) {
    v1::ModelCooldown* c = out->Add();
    c->set_model(cooldown.model);
    c->set_until_ms(cooldown.until_ms);
    c->set_reason(cooldown.reason);
  }
}

}  // namespace

v1::KeyState ToProto(KeyState state) {
  switch (state) {
    case KeyState::kActive:
      return v1::KEY_STATE_ACTIVE;
    case KeyState::kCooling:
      return v1::KEY_STATE_COOLING;
    case KeyState::kFailing:
      return v1::KEY_STATE_FAILING;
    case KeyState::kDisabled:
      return v1::KEY_STATE_DISABLED;
    case KeyState::kPaused:
      return v1::KEY_STATE_PAUSED;
  }
  return v1::KEY_STATE_UNSPECIFIED;
}

absl::StatusOr<KeyState> FromProto(v1::KeyState state) {
  switch (state) {
    case v1::KEY_STATE_ACTIVE:
      return KeyState::kActive;
    case v1::KEY_STATE_COOLING:
      return KeyState::kCooling;
    case v1::KEY_STATE_FAILING:
      return KeyState::kFailing;
    case v1::KEY_STATE_DISABLED:
      return KeyState::kDisabled;
    case v1::KEY_STATE_PAUSED:
      return KeyState::kPaused;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown key state ", static_cast<int>(state),
                       ": expected ACTIVE, COOLING, FAILING, DISABLED or PAUSED"));
  }
}

v1::Pool ToProto(Pool pool) { return pool == Pool::kVertex ? v1::POOL_VERTEX : v1::POOL_GEMINI; }

Pool FromProto(v1::Pool pool) { return pool == v1::POOL_VERTEX ? Pool::kVertex : Pool::kGemini; }

v1::KeyRecord ToRecord(const keypool::KeyInfo& key) {
  v1::KeyRecord record;
  record.set_id(key.id);
  record.set_secret(key.secret);
  record.set_state(ToProto(key.state));
  record.set_failure_count(key.failure_count);
  record.set_state_reason(key.state_reason);
  record.set_last_error(key.last_error);
  record.set_cooling_until_ms(key.cooling_until_ms);
  CopyCooldowns(key, record.mutable_model_cooldowns());
  record.set_created_at_ms(key.created_at_ms);
  record.set_updated_at_ms(key.updated_at_ms);
  record.set_last_used_at_ms(key.last_used_at_ms);
  if (key.state == KeyState::kPaused) record.set_underlying_state(ToProto(key.underlying_state));
  record.set_pool(ToProto(key.pool));
  return record;
}

keypool::KeyInfo FromRecord(const v1::KeyRecord& record) {
  keypool::KeyInfo key;
  key.id = record.id();
  key.secret = record.secret();
  key.state = FromProto(record.state()).value_or(KeyState::kActive);
  key.failure_count = record.failure_count();
  key.state_reason = record.state_reason();
  key.last_error = record.last_error();
  key.cooling_until_ms = record.cooling_until_ms();
  for (const v1::ModelCooldown& cooldown : record.model_cooldowns()) {
    key.model_cooldowns.push_back({cooldown.model(), cooldown.until_ms(), cooldown.reason()});
  }
  key.created_at_ms = record.created_at_ms();
  key.updated_at_ms = record.updated_at_ms();
  key.last_used_at_ms = record.last_used_at_ms();
  // UNSPECIFIED (not paused, or paused before it was stored) loads as ACTIVE:
  // the key pool then works the state out from cooldowns and failures.
  absl::StatusOr<KeyState> underlying = FromProto(record.underlying_state());
  key.underlying_state =
      underlying.ok() && *underlying != KeyState::kPaused ? *underlying : KeyState::kActive;
  key.pool = FromProto(record.pool());
  return key;
}

v1::KeyView ToView(const keypool::KeyInfo& key) {
  v1::KeyView view;
  view.set_id(key.id);
  view.set_masked(MaskKey(key.secret));
  view.set_state(ToProto(key.state));
  view.set_failure_count(key.failure_count);
  view.set_state_reason(key.state_reason);
  view.set_last_error(RedactSecrets(key.last_error, {key.secret}));
  view.set_cooling_until_ms(key.cooling_until_ms);
  CopyCooldowns(key, view.mutable_model_cooldowns());
  view.set_last_used_at_ms(key.last_used_at_ms);
  view.set_created_at_ms(key.created_at_ms);
  view.set_pool(ToProto(key.pool));
  return view;
}

v1::OutcomeKind ToProto(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kSuccess:
      return v1::OUTCOME_KIND_SUCCESS;
    case OutcomeKind::kRateLimited:
      return v1::OUTCOME_KIND_RATE_LIMITED;
    case OutcomeKind::kKeyInvalid:
      return v1::OUTCOME_KIND_KEY_INVALID;
    case OutcomeKind::kServerError:
      return v1::OUTCOME_KIND_SERVER_ERROR;
    case OutcomeKind::kTimeout:
      return v1::OUTCOME_KIND_TIMEOUT;
    case OutcomeKind::kConnectionError:
      return v1::OUTCOME_KIND_CONNECTION_ERROR;
    case OutcomeKind::kClientError:
      return v1::OUTCOME_KIND_CLIENT_ERROR;
  }
  return v1::OUTCOME_KIND_UNSPECIFIED;
}

absl::StatusOr<OutcomeKind> FromProto(v1::OutcomeKind kind) {
  switch (kind) {
    case v1::OUTCOME_KIND_SUCCESS:
      return OutcomeKind::kSuccess;
    case v1::OUTCOME_KIND_RATE_LIMITED:
      return OutcomeKind::kRateLimited;
    case v1::OUTCOME_KIND_KEY_INVALID:
      return OutcomeKind::kKeyInvalid;
    case v1::OUTCOME_KIND_SERVER_ERROR:
      return OutcomeKind::kServerError;
    case v1::OUTCOME_KIND_TIMEOUT:
      return OutcomeKind::kTimeout;
    case v1::OUTCOME_KIND_CONNECTION_ERROR:
      return OutcomeKind::kConnectionError;
    case v1::OUTCOME_KIND_CLIENT_ERROR:
      return OutcomeKind::kClientError;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "ReportOutcome needs a kind (SUCCESS, RATE_LIMITED, KEY_INVALID, SERVER_ERROR, TIMEOUT, "
          "CONNECTION_ERROR or CLIENT_ERROR); got ",
          static_cast<int>(kind)));
  }
}

absl::StatusOr<keypool::Outcome> FromProto(const v1::ReportOutcomeRequest& request) {
  absl::StatusOr<OutcomeKind> kind = FromProto(request.kind());
  if (!kind.ok()) return kind.status();
  keypool::Outcome outcome;
  outcome.kind = *kind;
  outcome.http_status = request.http_status();
  outcome.error_reason = request.error_reason();
  outcome.retry_delay_ms = request.retry_delay_ms() > 0 ? request.retry_delay_ms() : 0;
  outcome.quota_id = request.quota_id();
  outcome.message = request.message();
  return outcome;
}

const char* KeyStateName(v1::KeyState state) {
  absl::StatusOr<KeyState> known = FromProto(state);
  return known.ok() ? KeyStateName(*known) : "unknown";
}

}  // namespace gempool::keypool
