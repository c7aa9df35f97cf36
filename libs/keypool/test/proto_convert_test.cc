#include "gempool/keypool/proto_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::keypool {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "AIzaSyRecordConvertTestKey0123456789abc";

keypool::KeyInfo SampleKey() {
  keypool::KeyInfo key;
  key.id = 7;
  key.secret = kSecret;
  key.state = keypool::KeyState::kCooling;
  key.failure_count = 2;
  key.state_reason = "RESOURCE_EXHAUSTED";
  key.last_error = std::string("quota exceeded for ") + kSecret;
  key.cooling_until_ms = 1234;
  key.model_cooldowns = {{"gemini-2.5-pro", 5678, "RESOURCE_EXHAUSTED PerDay"}};
  key.created_at_ms = 1;
  key.updated_at_ms = 2;
  key.last_used_at_ms = 3;
  return key;
}

TEST(RecordConvertTest, RecordsRoundTrip) {
  const keypool::KeyInfo key = SampleKey();
  const keypool::KeyInfo back = FromRecord(ToRecord(key));
  EXPECT_EQ(back.id, key.id);
  EXPECT_EQ(back.secret, key.secret);
  EXPECT_EQ(back.state, key.state);
  EXPECT_EQ(back.failure_count, key.failure_count);
  EXPECT_EQ(back.state_reason, key.state_reason);
  EXPECT_EQ(back.last_error, key.last_error);
  EXPECT_EQ(back.cooling_until_ms, key.cooling_until_ms);
  EXPECT_EQ(back.model_cooldowns, key.model_cooldowns);
  EXPECT_EQ(back.created_at_ms, key.created_at_ms);
  EXPECT_EQ(back.updated_at_ms, key.updated_at_ms);
  EXPECT_EQ(back.last_used_at_ms, key.last_used_at_ms);
}

TEST(RecordConvertTest, UnspecifiedStoredStateLoadsAsActive) {
  v1::KeyRecord record;
  record.set_id(1);
  record.set_secret(kSecret);
  EXPECT_EQ(FromRecord(record).state, keypool::KeyState::kActive);
}

TEST(RecordConvertTest, PausedKeysCarryTheStateUnderneath) {
  keypool::KeyInfo key = SampleKey();
  key.state = keypool::KeyState::kPaused;
  key.underlying_state = keypool::KeyState::kDisabled;
  const v1::KeyRecord record = ToRecord(key);
  EXPECT_EQ(record.state(), v1::KEY_STATE_PAUSED);
  EXPECT_EQ(record.underlying_state(), v1::KEY_STATE_DISABLED);
  EXPECT_EQ(FromRecord(record).underlying_state, keypool::KeyState::kDisabled);

  key.state = keypool::KeyState::kDisabled;  // Not paused: nothing underneath.
  EXPECT_EQ(ToRecord(key).underlying_state(), v1::KEY_STATE_UNSPECIFIED);

  v1::KeyRecord old_row;  // Paused before underlying_state existed.
  old_row.set_id(1);
  old_row.set_secret(kSecret);
  old_row.set_state(v1::KEY_STATE_PAUSED);
  EXPECT_EQ(FromRecord(old_row).state, keypool::KeyState::kPaused);
  EXPECT_EQ(FromRecord(old_row).underlying_state, keypool::KeyState::kActive);
}

TEST(RecordConvertTest, ViewsNeverCarryTheSecret) {
  const v1::KeyView view = ToView(SampleKey());
  EXPECT_EQ(view.masked(), MaskKey(kSecret));
  EXPECT_THAT(view.DebugString(), Not(HasSubstr(kSecret)));
  EXPECT_EQ(view.state(), v1::KEY_STATE_COOLING);
  EXPECT_EQ(view.model_cooldowns(0).until_ms(), 5678);
}

TEST(RecordConvertTest, EveryStateMapsBothWays) {
  for (keypool::KeyState state :
       {keypool::KeyState::kActive, keypool::KeyState::kCooling, keypool::KeyState::kFailing,
        keypool::KeyState::kDisabled, keypool::KeyState::kPaused}) {
    absl::StatusOr<keypool::KeyState> back = FromProto(ToProto(state));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, state);
  }
  EXPECT_THAT(FromProto(v1::KEY_STATE_UNSPECIFIED), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecordConvertTest, EveryOutcomeKindMapsBothWaysAndByItsProtoName) {
  for (OutcomeKind kind : {OutcomeKind::kSuccess, OutcomeKind::kRateLimited, OutcomeKind::kKeyInvalid,
                           OutcomeKind::kServerError, OutcomeKind::kTimeout, OutcomeKind::kConnectionError,
                           OutcomeKind::kClientError}) {
    const v1::OutcomeKind proto = ToProto(kind);
    absl::StatusOr<OutcomeKind> back = FromProto(proto);
    ASSERT_TRUE(back.ok()) << OutcomeKindName(kind);
    EXPECT_EQ(*back, kind);
    // The name admins and logs see is the proto's, without its prefix.
    EXPECT_EQ(absl::StrCat("OUTCOME_KIND_", OutcomeKindName(kind)), v1::OutcomeKind_Name(proto));
  }
  EXPECT_THAT(FromProto(v1::OUTCOME_KIND_UNSPECIFIED), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RecordConvertTest, OutcomesConvert) {
  v1::ReportOutcomeRequest request;
  request.set_kind(v1::OUTCOME_KIND_RATE_LIMITED);
  request.set_http_status(429);
  request.set_error_reason("RESOURCE_EXHAUSTED");
  request.set_retry_delay_ms(19000);
  request.set_quota_id("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
  request.set_message("quota");
  absl::StatusOr<keypool::Outcome> outcome = FromProto(request);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, keypool::OutcomeKind::kRateLimited);
  EXPECT_EQ(outcome->http_status, 429);
  EXPECT_EQ(outcome->retry_delay_ms, 19000);
  EXPECT_EQ(outcome->quota_id, "GenerateRequestsPerDayPerProjectPerModel-FreeTier");

  request.set_retry_delay_ms(-5);
  EXPECT_EQ(FromProto(request)->retry_delay_ms, 0) << "a negative delay is no delay";
  request.set_kind(v1::OUTCOME_KIND_UNSPECIFIED);
  EXPECT_THAT(FromProto(request), StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_kind(static_cast<v1::OutcomeKind>(99));
  EXPECT_THAT(FromProto(request), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace gempool::keypool
