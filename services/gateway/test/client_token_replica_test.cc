// The gateway's replica of the managed client tokens: recognising secrets,
// refusing disabled/expired/deleted tokens, and limits from the broker's
// counters plus this gateway's use not yet counted there. Fed by hand
// (ApplyUpdate) with a fake clock; no broker.

#include "tokens/client_token_replica.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "gempool/rpc/channel.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/fake_clock.h"
#include "tokens/token_usage_reporter.h"

namespace gempool::gateway {
namespace {

using Kind = ClientTokenReplica::Admission::Kind;
using ::testing::HasSubstr;

constexpr int64_t kStart = 1'800'000'010'000;  // 2027-01-15 08:00:10 UTC.
constexpr char kSecret[] = "gp-0123456789abcdefghijABCDEFGHIJ0123456789";

v1::ClientToken Token(int64_t id, const std::string& secret, int rpm = 0, int64_t per_day = 0) {
  v1::ClientToken token;
  token.set_id(id);
  token.set_name("laptop");
  token.set_secret_sha256(Sha256Hex(secret));
  token.set_token_id(token.secret_sha256().substr(0, 12));
  token.mutable_limits()->set_requests_per_minute(rpm);
  token.mutable_limits()->set_tokens_per_day(per_day);
  return token;
}

class ClientTokenReplicaTest : public ::testing::Test {
 protected:
  void Snapshot(const std::vector<v1::ClientToken>& tokens, const std::vector<v1::TokenCounter>& counters = {}) {
    v1::ClientTokenUpdate update;
    update.set_snapshot(true);
    update.set_snapshot_complete(true);
    for (const v1::ClientToken& token : tokens) *update.add_tokens() = token;
    for (const v1::TokenCounter& counter : counters) *update.add_counters() = counter;
    replica_.ApplyUpdate(update);
  }
  static v1::TokenCounter Counter(const std::string& token_id, int64_t requests, int64_t tokens = 0) {
    v1::TokenCounter counter;
    counter.set_token_id(token_id);
    counter.set_minute_start_ms(kStart - 10'000);
    counter.set_requests(requests);
    counter.set_day_start_ms(kStart - 10'000 - 8 * 3'600'000LL);
    counter.set_tokens(tokens);
    return counter;
  }

  gempool::testing::FakeClock clock_{kStart};
  // No stub: fed by hand.
  ClientTokenReplica replica_{std::unique_ptr<v1::KeyBroker::StubInterface>(), "broker", clock_,
                              absl::UTCTimeZone(), ClientTokenReplica::Options()};
};

TEST_F(ClientTokenReplicaTest, NothingKnownBeforeTheFirstSnapshot) {
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kNotLoaded);
  Snapshot({});
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kUnknown);
}

TEST_F(ClientTokenReplicaTest, KnownSecretIsAdmittedAndCounted) {
  const v1::ClientToken token = Token(1, kSecret);
  Snapshot({token});
  const ClientTokenReplica::Admission admission = replica_.Admit(kSecret);
  EXPECT_EQ(admission.kind, Kind::kAdmitted);
  EXPECT_EQ(admission.token_id, token.token_id());
  EXPECT_EQ(replica_.RequestsThisMinute(token.token_id()), 1);
  EXPECT_EQ(replica_.Admit("gp-someoneelse").kind, Kind::kUnknown);
}

TEST_F(ClientTokenReplicaTest, DisabledExpiredAndDeletedAreRefused) {
  v1::ClientToken token = Token(1, kSecret);
  Snapshot({token});
  token.set_disabled(true);
  v1::ClientTokenUpdate change;
  *change.add_tokens() = token;
  replica_.ApplyUpdate(change);
  ClientTokenReplica::Admission refused = replica_.Admit(kSecret);
  EXPECT_EQ(refused.kind, Kind::kRefused);
  EXPECT_EQ(refused.message, "client token 'laptop' is disabled");

  token.set_disabled(false);
  token.set_expires_at_ms(kStart + 1000);
  change = v1::ClientTokenUpdate();
  *change.add_tokens() = token;
  replica_.ApplyUpdate(change);
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kAdmitted);
  clock_.AdvanceMs(1000);
  refused = replica_.Admit(kSecret);
  EXPECT_EQ(refused.kind, Kind::kRefused);
  EXPECT_THAT(refused.message, HasSubstr("expired"));

  change = v1::ClientTokenUpdate();
  change.add_removed_ids(1);
  replica_.ApplyUpdate(change);
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kUnknown);
}

TEST_F(ClientTokenReplicaTest, RequestsPerMinuteCountsBrokerAndLocalUse) {
  const v1::ClientToken token = Token(1, kSecret, /*rpm=*/3);
  Snapshot({token}, {Counter(token.token_id(), 2)});  // Two from other gateways.
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kAdmitted);
  const ClientTokenReplica::Admission limited = replica_.Admit(kSecret);
  ASSERT_EQ(limited.kind, Kind::kLimited);
  EXPECT_EQ(limited.decision.http_status(), 429);
  EXPECT_EQ(limited.decision.retry_after_s, 50);
  EXPECT_EQ(limited.message, "client token 'laptop' is over its requests_per_minute limit (3)");
  clock_.AdvanceMs(50'000);  // The next minute.
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kAdmitted);
}

TEST_F(ClientTokenReplicaTest, ReportedUseCountsUntilTheCounterHasIt) {
  const v1::ClientToken token = Token(1, kSecret, /*rpm=*/2);
  Snapshot({token});
  ASSERT_EQ(replica_.Admit(kSecret).kind, Kind::kAdmitted);
  std::vector<v1::ReportTokenUsageRequest> sent;
  TokenUsageReporter reporter(
      replica_,
      [&sent](const v1::ReportTokenUsageRequest& request) {
        sent.push_back(request);
        return absl::OkStatus();
      },
      TokenUsageReporter::Options());
  ASSERT_TRUE(reporter.ReportOnce());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].deltas(0).requests(), 1);
  // Reported, not yet in a counter: still counted.
  EXPECT_EQ(replica_.RequestsThisMinute(token.token_id()), 1);
  // The counter comes back with it (and one from elsewhere): not twice.
  v1::ClientTokenUpdate counters;
  *counters.add_counters() = Counter(token.token_id(), 2);
  replica_.ApplyUpdate(counters);
  EXPECT_EQ(replica_.RequestsThisMinute(token.token_id()), 2);
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kLimited);
}

TEST_F(ClientTokenReplicaTest, UseTheBrokerDidNotAnswerForIsSentAgainUnchangedWithItsNumber) {
  const v1::ClientToken token = Token(1, kSecret, /*rpm=*/5);
  Snapshot({token});
  ASSERT_EQ(replica_.Admit(kSecret).kind, Kind::kAdmitted);
  ASSERT_EQ(replica_.Admit(kSecret).kind, Kind::kAdmitted);
  std::vector<v1::ReportTokenUsageRequest> sent;
  TokenUsageReporter reporter(
      replica_,
      [&sent](const v1::ReportTokenUsageRequest& request) {
        sent.push_back(request);
        // The first answer is lost (the broker may have applied the batch).
        return sent.size() == 1 ? absl::UnavailableError("broker down") : absl::OkStatus();
      },
      TokenUsageReporter::Options());
  EXPECT_FALSE(reporter.ReportOnce());
  // Broker down: enforcement goes on from local counts.
  EXPECT_EQ(replica_.RequestsThisMinute(token.token_id()), 2);
  ASSERT_EQ(replica_.Admit(kSecret).kind, Kind::kAdmitted);  // Newer use.
  EXPECT_EQ(replica_.RequestsThisMinute(token.token_id()), 3);
  EXPECT_TRUE(reporter.ReportOnce());
  EXPECT_TRUE(reporter.ReportOnce());
  ASSERT_EQ(sent.size(), 3u);
  // The retry is the same batch with the same number, so a broker that
  // applied the first counts it once; the newer use is a batch of its own.
  EXPECT_FALSE(sent[0].sender().empty());
  EXPECT_EQ(sent[1].SerializeAsString(), sent[0].SerializeAsString());
  EXPECT_EQ(sent[0].deltas(0).requests(), 2);
  EXPECT_EQ(sent[2].sender(), sent[0].sender());
  EXPECT_EQ(sent[2].delivery_sequence(), sent[0].delivery_sequence() + 1);
  EXPECT_EQ(sent[2].deltas(0).requests(), 1);
  EXPECT_EQ(replica_.RequestsThisMinute(token.token_id()), 3) << "counted once locally until a counter has it";
}

TEST_F(ClientTokenReplicaTest, TokensPerDayFromFinishedRequests) {
  const v1::ClientToken token = Token(1, kSecret, 0, /*per_day=*/1000);
  Snapshot({token}, {Counter(token.token_id(), 0, 600)});
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kAdmitted);
  replica_.RecordTokens(token.token_id(), kStart, 400);
  const ClientTokenReplica::Admission limited = replica_.Admit(kSecret);
  ASSERT_EQ(limited.kind, Kind::kLimited);
  EXPECT_THAT(limited.message, HasSubstr("tokens_per_day limit (1000)"));
  EXPECT_EQ(limited.decision.retry_after_s, 16 * 3600 - 10);
  EXPECT_EQ(replica_.TokensToday(token.token_id()), 1000);
}

TEST_F(ClientTokenReplicaTest, ModelCheckByTokenId) {
  v1::ClientToken token = Token(1, kSecret);
  token.mutable_limits()->add_allowed_models("gemini-2.5-*");
  Snapshot({token});
  EXPECT_FALSE(replica_.CheckModel(token.token_id(), "gemini-2.5-flash").has_value());
  const std::optional<clienttokens::LimitDecision> refused = replica_.CheckModel(token.token_id(), "gemini-2.0-flash");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->http_status(), 403);
  EXPECT_FALSE(replica_.CheckModel("not-managed", "gemini-2.0-flash").has_value());
}

TEST_F(ClientTokenReplicaTest, SnapshotReplacesTokens) {
  Snapshot({Token(1, kSecret)});
  Snapshot({});
  EXPECT_EQ(replica_.Admit(kSecret).kind, Kind::kUnknown);
}

// A broker from before managed tokens answers WatchClientTokens with
// UNIMPLEMENTED: the replica knows it has no tokens, so a gp- secret is
// unknown (401), not "not loaded yet" (503) forever.
TEST(ClientTokenReplicaOlderBrokerTest, UnimplementedStreamMeansNoManagedTokens) {
  v1::KeyBroker::Service older_broker;  // Every RPC answers UNIMPLEMENTED.
  auto server = rpc::StartServer("older broker", "127.0.0.1:0", {&older_broker});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = absl::StrCat("127.0.0.1:", server->port);
  gempool::testing::FakeClock clock{kStart};
  ClientTokenReplica::Options options;
  options.reconnect_initial_ms = 20;
  options.reconnect_max_ms = 50;
  ClientTokenReplica replica(rpc::MakeChannel(address), address, clock, absl::UTCTimeZone(), options);
  EXPECT_EQ(replica.Admit(kSecret).kind, Kind::kNotLoaded);
  replica.Start();
  ASSERT_TRUE(replica.WaitUntilSynced(10'000));
  EXPECT_EQ(replica.Admit(kSecret).kind, Kind::kUnknown);
  replica.Stop();
  server->server->Shutdown();
}

}  // namespace
}  // namespace gempool::gateway
