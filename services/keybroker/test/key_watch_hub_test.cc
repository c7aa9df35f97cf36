// WatchKeys and ReportOutcomes over real gRPC: what a gateway's replica of
// the pool is fed, and how fast a change reaches it.
#include "key_watch_hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "broker_harness.h"

namespace gempool::keybroker {
namespace {

using ::gempool::keybroker::testing::BrokerHarness;
using ::gempool::keybroker::testing::TestKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class KeyWatchHubTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> keys, std::string paid_key = "") {
    Config config = harness_.MakeConfig(std::move(keys));
    config.paid_key = std::move(paid_key);
    config.proxies = {"http://proxy-a:3128", "http://proxy-b:3128"};
    config.max_failures = 7;
    harness_.StartBroker(config, BrokerHarness::Options(false));
  }

  // Opens a WatchKeys stream and reads its snapshot into `keys_`.
  v1::KeyPoolUpdate OpenAndReadSnapshot() {
    context_ = BrokerHarness::Context();
    v1::WatchKeysRequest request;
    request.set_watcher("test");
    stream_ = harness_.broker_stub().WatchKeys(context_.get(), request);
    v1::KeyPoolUpdate first;
    v1::KeyPoolUpdate update;
    bool complete = false;
    for (int i = 0; !complete; ++i) {
      if (!stream_->Read(&update)) {
        ADD_FAILURE() << "the stream ended before the snapshot was complete: " << stream_->Finish().error_message();
        return first;
      }
      EXPECT_TRUE(update.snapshot());
      if (i == 0) first = update;
      Apply(update);
      complete = update.snapshot_complete();
    }
    return first;
  }

  // Reads updates until `done` holds for keys_ (or the deadline).
  template <typename Done>
  void ReadUntil(Done done) {
    v1::KeyPoolUpdate update;
    while (!done()) {
      ASSERT_TRUE(stream_->Read(&update)) << "stream ended: " << stream_->Finish().error_message();
      Apply(update);
    }
  }

  void Apply(const v1::KeyPoolUpdate& update) {
    for (const v1::KeyRecord& key : update.keys()) keys_[key.id()] = key;
    for (int64_t id : update.removed_key_ids()) keys_.erase(id);
  }

  v1::ReportOutcomesResponse Report(std::vector<std::pair<int64_t, v1::OutcomeKind>> outcomes,
                                    grpc::Status* status_out = nullptr) {
    v1::ReportOutcomesRequest request;
    for (const auto& [id, kind] : outcomes) {
      v1::ReportOutcomeRequest* report = request.add_reports();
      report->set_key_id(id);
      report->set_model("gemini-2.5-flash");
      report->set_kind(kind);
      report->set_http_status(kind == v1::OUTCOME_KIND_SUCCESS ? 200 : 400);
    }
    v1::ReportOutcomesResponse response;
    grpc::Status status = harness_.broker_stub().ReportOutcomes(BrokerHarness::Context().get(), request, &response);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return response;
  }

  BrokerHarness harness_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::KeyPoolUpdate>> stream_;
  std::map<int64_t, v1::KeyRecord> keys_;
};

TEST_F(KeyWatchHubTest, SnapshotListsEveryKeyWithSecretAndThePoolSettings) {
  Start({TestKey(1), TestKey(2), TestKey(3)}, "AIzaPaidKeyForImagen");
  v1::KeyPoolUpdate first = OpenAndReadSnapshot();
  ASSERT_EQ(keys_.size(), 3u);
  std::vector<std::string> secrets;
  for (const auto& [id, key] : keys_) secrets.push_back(key.secret());
  EXPECT_THAT(secrets, ElementsAre(TestKey(1), TestKey(2), TestKey(3)));
  ASSERT_TRUE(first.has_settings());
  EXPECT_EQ(first.snapshot_size(), 3) << "so the replica makes room at once";
  EXPECT_EQ(first.settings().max_failures(), 7);
  EXPECT_THAT(first.settings().proxies(), ElementsAre("http://proxy-a:3128", "http://proxy-b:3128"));
  EXPECT_EQ(first.settings().paid_key(), "AIzaPaidKeyForImagen");
}

TEST_F(KeyWatchHubTest, AnEmptyPoolIsOneCompletePageWithTheSettings) {
  Start({});
  v1::KeyPoolUpdate first = OpenAndReadSnapshot();
  EXPECT_TRUE(first.snapshot_complete());
  EXPECT_EQ(first.keys_size(), 0);
  EXPECT_EQ(first.settings().max_failures(), 7);
  EXPECT_TRUE(keys_.empty());
}

TEST_F(KeyWatchHubTest, LargePoolsArriveInPagesUnderTheMessageLimit) {
  std::vector<std::string> many;
  for (int i = 1; i <= 2500; ++i) many.push_back(TestKey(i));
  Start(many);
  int pages = 0;
  context_ = BrokerHarness::Context();
  stream_ = harness_.broker_stub().WatchKeys(context_.get(), v1::WatchKeysRequest());
  v1::KeyPoolUpdate update;
  do {
    ASSERT_TRUE(stream_->Read(&update));
    ++pages;
    EXPECT_TRUE(update.snapshot());
    EXPECT_LE(update.keys_size(), KeyWatchHub::kSnapshotPageSize);
    EXPECT_EQ(update.snapshot_size(), pages == 1 ? 2500 : 0) << "the size, on the first page only";
    EXPECT_EQ(update.has_settings(), pages == 1);
    Apply(update);
  } while (!update.snapshot_complete());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(keys_.size(), 2500u);
}

TEST_F(KeyWatchHubTest, AReportedDeadKeyReachesTheWatcherDisabled) {
  Start({TestKey(1), TestKey(2)});
  OpenAndReadSnapshot();
  const int64_t dead = keys_.begin()->first;
  v1::ReportOutcomesResponse response =
      Report({{dead, v1::OUTCOME_KIND_KEY_INVALID}, {keys_.rbegin()->first, v1::OUTCOME_KIND_SUCCESS}});
  EXPECT_EQ(response.applied(), 2);
  ReadUntil([&] { return keys_[dead].state() == v1::KEY_STATE_DISABLED; });
  EXPECT_EQ(harness_.broker().pool().Get(dead)->state, keypool::KeyState::kDisabled);
}

TEST_F(KeyWatchHubTest, AdminActionsReachTheWatcher) {
  Start({TestKey(1), TestKey(2), TestKey(3)});
  OpenAndReadSnapshot();
  const int64_t first = keys_.begin()->first;
  const int64_t last = keys_.rbegin()->first;
  v1::KeySelection pause;
  pause.add_ids(first);
  v1::KeyActionResponse paused;
  ASSERT_TRUE(harness_.admin_stub().PauseKeys(BrokerHarness::AdminContext().get(), pause, &paused).ok());
  v1::KeySelection remove;
  remove.add_ids(last);
  v1::KeyActionResponse removed;
  ASSERT_TRUE(harness_.admin_stub().RemoveKeys(BrokerHarness::AdminContext().get(), remove, &removed).ok());
  ReadUntil([&] { return keys_[first].state() == v1::KEY_STATE_PAUSED && !keys_.count(last); });
  EXPECT_EQ(keys_.size(), 2u);
}

TEST_F(KeyWatchHubTest, ChangedSettingsSendAFreshSnapshot) {
  Start({TestKey(1)});
  OpenAndReadSnapshot();
  BrokerSettings changed = *harness_.broker().settings().Get();
  changed.paid_key = "AIzaNewPaidKey";
  harness_.broker().settings().Set(changed);
  v1::KeyPoolUpdate update;
  do {
    ASSERT_TRUE(stream_->Read(&update));
  } while (!update.snapshot());
  EXPECT_EQ(update.settings().paid_key(), "AIzaNewPaidKey");
}

TEST_F(KeyWatchHubTest, ProxyHealthAloneSendsTheSettingsNotASnapshot) {
  Start({TestKey(1)});
  OpenAndReadSnapshot();
  const uint64_t generation = harness_.broker().settings().generation();
  BrokerSettings changed = *harness_.broker().settings().Get();
  changed.dead_proxies = {"http://proxy-b:3128"};
  changed.proxies_consistent_hash = false;
  changed.RebuildProxyChooser();
  harness_.broker().settings().Set(changed);
  EXPECT_EQ(harness_.broker().settings().generation(), generation) << "only the proxy health generation moves";
  v1::KeyPoolUpdate update;
  do {
    ASSERT_TRUE(stream_->Read(&update));
    ASSERT_FALSE(update.snapshot()) << "a proxy verdict must not resync the replicas";
  } while (!update.has_settings());
  EXPECT_THAT(update.settings().dead_proxies(), ElementsAre("http://proxy-b:3128"));
  EXPECT_THAT(update.settings().proxies(), ElementsAre("http://proxy-a:3128", "http://proxy-b:3128"));
  EXPECT_TRUE(update.settings().proxies_random());
  EXPECT_EQ(update.keys_size(), 0);
}

TEST_F(KeyWatchHubTest, ABadReportIsNamedAndTheOnesBeforeItAreKept) {
  Start({TestKey(1), TestKey(2)});
  OpenAndReadSnapshot();
  const int64_t id = keys_.begin()->first;
  grpc::Status status;
  Report({{id, v1::OUTCOME_KIND_KEY_INVALID}, {id, v1::OUTCOME_KIND_UNSPECIFIED}}, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("report 1 of 2"));
  EXPECT_EQ(harness_.broker().pool().Get(id)->state, keypool::KeyState::kDisabled);
}

// A gateway sends a batch again when its answer was lost: the reports it
// numbered count once (a key is not pushed toward MAX_FAILURES by one failure
// reported twice), a grown retry applies only its new reports, and a batch
// without a sender is applied as it comes.
TEST_F(KeyWatchHubTest, ABatchSentAgainAfterALostAnswerCountsEachOutcomeOnce) {
  Start({TestKey(1), TestKey(2)});
  OpenAndReadSnapshot();
  const int64_t id = keys_.begin()->first;
  const auto batch = [id](const std::string& sender, uint64_t first, uint64_t last) {
    v1::ReportOutcomesRequest request;
    request.set_sender(sender);
    for (uint64_t sequence = first; sequence <= last; ++sequence) {
      v1::ReportOutcomeRequest* report = request.add_reports();
      report->set_key_id(id);
      report->set_model("gemini-2.5-flash");
      report->set_kind(v1::OUTCOME_KIND_SERVER_ERROR);
      report->set_http_status(500);
      report->set_delivery_sequence(sequence);
    }
    return request;
  };
  const auto send = [&](const v1::ReportOutcomesRequest& request) {
    v1::ReportOutcomesResponse response;
    const grpc::Status status =
        harness_.broker_stub().ReportOutcomes(BrokerHarness::Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.applied();
  };
  const auto failures = [&] { return harness_.broker().pool().Get(id)->failure_count; };
  EXPECT_EQ(send(batch("gateway-a", 1, 2)), 2);
  EXPECT_EQ(failures(), 2);
  EXPECT_EQ(send(batch("gateway-a", 1, 2)), 0);
  EXPECT_EQ(failures(), 2);
  EXPECT_EQ(send(batch("gateway-a", 1, 3)), 1);
  EXPECT_EQ(send(batch("gateway-b", 1, 1)), 1);
  EXPECT_EQ(send(batch("", 1, 1)), 1);
  EXPECT_EQ(failures(), 5);
}

// Managed client tokens' usage, numbered per batch the same way: a batch the
// gateway sends again after a lost answer is counted once.
TEST_F(KeyWatchHubTest, ATokenUsageBatchSentAgainAfterALostAnswerCountsOnce) {
  harness_.persistence().set_stores_client_tokens(true);
  Start({TestKey(1)});
  v1::CreateClientTokenRequest create;
  create.set_name("laptop");
  v1::CreateClientTokenResponse created;
  const grpc::Status made =
      harness_.admin_stub().CreateClientToken(BrokerHarness::AdminContext().get(), create, &created);
  ASSERT_TRUE(made.ok()) << made.error_message();
  const int64_t now = harness_.clock().NowUnixMs();
  const auto batch = [&](const std::string& sender, uint64_t sequence, int64_t requests) {
    v1::ReportTokenUsageRequest request;
    request.set_sender(sender);
    request.set_delivery_sequence(sequence);
    v1::TokenUsageDelta* delta = request.add_deltas();
    delta->set_token_id(created.token().token_id());
    delta->set_minute_start_ms(now - now % 60'000);
    delta->set_requests(requests);
    delta->set_finished_at_ms(now);
    return request;
  };
  const auto send = [&](const v1::ReportTokenUsageRequest& request) {
    v1::ReportTokenUsageResponse response;
    const grpc::Status status =
        harness_.broker_stub().ReportTokenUsage(BrokerHarness::Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
  };
  const auto requests = [&] {
    v1::ListClientTokensResponse listed;
    EXPECT_TRUE(harness_.admin_stub()
                    .ListClientTokens(BrokerHarness::AdminContext().get(), v1::ListClientTokensRequest(), &listed)
                    .ok());
    return listed.counters_size() == 1 ? listed.counters(0).requests() : -1;
  };
  send(batch("gateway-a", 1, 2));
  EXPECT_EQ(requests(), 2);
  send(batch("gateway-a", 1, 2));  // The same batch again: its answer was lost.
  EXPECT_EQ(requests(), 2);
  send(batch("gateway-a", 2, 1));
  send(batch("gateway-b", 1, 1));
  send(batch("", 0, 1));  // An older gateway: no numbers, always counted.
  EXPECT_EQ(requests(), 5);
}

TEST_F(KeyWatchHubTest, ReportsAgainstThePaidKeyAndRemovedKeysAreAcceptedAndChangeNothing) {
  Start({TestKey(1)}, "AIzaPaidKeyForImagen");
  v1::ReportOutcomesResponse response =
      Report({{kPaidKeyId, v1::OUTCOME_KIND_KEY_INVALID}, {999, v1::OUTCOME_KIND_KEY_INVALID}});
  EXPECT_EQ(response.applied(), 0);
}

TEST_F(KeyWatchHubTest, StoppingTheBrokerEndsTheStream) {
  Start({TestKey(1)});
  OpenAndReadSnapshot();
  harness_.StopBroker();
  v1::KeyPoolUpdate update;
  EXPECT_FALSE(stream_->Read(&update));
  EXPECT_EQ(stream_->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace gempool::keybroker
