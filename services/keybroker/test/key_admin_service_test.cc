#include "key_admin_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "broker_harness.h"
#include "gempool/common/secrets.h"

namespace gempool::keybroker {
namespace {

using ::gempool::keybroker::testing::BrokerHarness;
using ::gempool::keybroker::testing::kAdminToken;
using ::gempool::keybroker::testing::TestKey;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class KeyAdminServiceTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> keys) {
    harness_.StartBroker(harness_.MakeConfig(std::move(keys)), BrokerHarness::Options(false));
  }
  v1::KeyAdmin::Stub& admin() { return harness_.admin_stub(); }

  v1::ListKeysResponse List(const v1::ListKeysRequest& request = {}) {
    v1::ListKeysResponse response;
    grpc::Status status = admin().ListKeys(BrokerHarness::AdminContext().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static v1::KeySelection Ids(std::vector<int64_t> ids) {
    v1::KeySelection selection;
    for (int64_t id : ids) selection.add_ids(id);
    return selection;
  }
  static v1::KeySelection All() {
    v1::KeySelection selection;
    selection.set_all(true);
    return selection;
  }

  BrokerHarness harness_;
};

TEST_F(KeyAdminServiceTest, EveryCallNeedsTheAdminToken) {
  Start({TestKey(1)});
  v1::ListKeysResponse list;
  grpc::Status none = admin().ListKeys(BrokerHarness::AdminContext("").get(), {}, &list);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(none.error_message(), AllOf(HasSubstr("AUTH_TOKEN"), HasSubstr("--token")));
  grpc::Status wrong = admin().ListKeys(BrokerHarness::AdminContext("guess").get(), {}, &list);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::KeyActionResponse action;
  EXPECT_EQ(admin().PauseKeys(BrokerHarness::AdminContext("guess").get(), All(), &action).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(harness_.broker().pool().Summary().paused, 0);
  v1::PoolSummary summary;
  EXPECT_EQ(admin().GetPoolSummary(BrokerHarness::AdminContext("").get(), {}, &summary).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // The scheme is case-insensitive, as in HTTP.
  auto context = BrokerHarness::Context();
  context->AddMetadata("authorization", std::string("bearer ") + kAdminToken);
  EXPECT_TRUE(admin().ListKeys(context.get(), {}, &list).ok());
}

TEST_F(KeyAdminServiceTest, WithoutAnAdminTokenEverythingIsRefused) {
  Config config = harness_.MakeConfig({TestKey(1)});
  config.auth_token.clear();
  harness_.StartBroker(config, BrokerHarness::Options(false));
  v1::ListKeysResponse list;
  grpc::Status status = admin().ListKeys(BrokerHarness::AdminContext().get(), {}, &list);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("has no admin token"));
}

TEST_F(KeyAdminServiceTest, AddKeysStoresThemThenPoolsThem) {
  Start({TestKey(1)});
  v1::AddKeysRequest request;
  for (const std::string& secret : {"  " + TestKey(2) + "\n", TestKey(1), std::string(""), TestKey(3),
                                    TestKey(2), std::string("AQ.Ab8RN6newstylekey")}) {
    request.add_secrets(secret);
  }
  v1::AddKeysResponse response;
  grpc::Status status = admin().AddKeys(BrokerHarness::AdminContext().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.added(), 3);
  EXPECT_EQ(response.added_ids_size(), 3);
  EXPECT_THAT(response.duplicates(), ElementsAre(MaskKey(TestKey(1)), MaskKey(TestKey(2))));
  EXPECT_EQ(harness_.persistence().keys().size(), 4u);
  for (int64_t id : response.added_ids()) {
    EXPECT_TRUE(harness_.persistence().key(id).has_value());
    EXPECT_TRUE(harness_.broker().pool().Get(id).has_value());
  }
  EXPECT_TRUE(harness_.broker().pool().FindBySecret("AQ.Ab8RN6newstylekey").has_value())
      << "no format check rejects new kinds of keys";
  std::set<int64_t> handed_out;
  for (int i = 0; i < 4; ++i) handed_out.insert(harness_.Acquire("gemini-2.5-flash").key_id());
  EXPECT_EQ(handed_out.size(), 4u);
}

TEST_F(KeyAdminServiceTest, AddKeysRejectsEntriesThatAreNotOneKey) {
  Start({});
  v1::AddKeysRequest request;
  request.add_secrets("AIzaSyOne AIzaSyTwo");
  v1::AddKeysResponse response;
  grpc::Status status = admin().AddKeys(BrokerHarness::AdminContext().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("whitespace"));
  EXPECT_TRUE(harness_.persistence().keys().empty());
}

TEST_F(KeyAdminServiceTest, AddKeysFailsCleanlyWhenPersistenceIsDown) {
  Start({TestKey(1)});
  harness_.persistence().set_down(true);
  v1::AddKeysRequest request;
  request.add_secrets(TestKey(2));
  v1::AddKeysResponse response;
  grpc::Status status = admin().AddKeys(BrokerHarness::AdminContext().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(),
              AllOf(HasSubstr("persistence at 127.0.0.1:"), HasSubstr("no key was added")));
  EXPECT_EQ(harness_.broker().pool().size(), 1u);
}

TEST_F(KeyAdminServiceTest, RemoveKeysDeletesFromTheDatabaseAndThePool) {
  Start({TestKey(1), TestKey(2), TestKey(3)});
  v1::KeyActionResponse response;
  grpc::Status unknown = admin().RemoveKeys(BrokerHarness::AdminContext().get(), Ids({1, 42}), &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(unknown.error_message(), HasSubstr("42"));
  EXPECT_EQ(harness_.persistence().keys().size(), 3u) << "nothing removed";

  ASSERT_TRUE(admin().RemoveKeys(BrokerHarness::AdminContext().get(), Ids({1}), &response).ok());
  EXPECT_EQ(response.affected(), 1);
  EXPECT_FALSE(harness_.persistence().key(1).has_value());
  EXPECT_FALSE(harness_.broker().pool().Get(1).has_value());
  for (int i = 0; i < 4; ++i) EXPECT_NE(harness_.Acquire("gemini-2.5-flash").key_id(), 1);

  ASSERT_TRUE(admin().RemoveKeys(BrokerHarness::AdminContext().get(), All(), &response).ok());
  EXPECT_EQ(response.affected(), 2);
  EXPECT_TRUE(harness_.persistence().keys().empty());
  EXPECT_EQ(harness_.broker().pool().size(), 0u);
}

TEST_F(KeyAdminServiceTest, RemoveKeysKeepsThePoolWhenPersistenceIsDown) {
  Start({TestKey(1)});
  harness_.persistence().set_down(true);
  v1::KeyActionResponse response;
  grpc::Status status = admin().RemoveKeys(BrokerHarness::AdminContext().get(), Ids({1}), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("no key was removed"));
  EXPECT_EQ(harness_.broker().pool().size(), 1u);
}

TEST_F(KeyAdminServiceTest, PauseResumeAndResetChangeStates) {
  Start({TestKey(1), TestKey(2), TestKey(3)});
  v1::KeyActionResponse response;
  ASSERT_TRUE(admin().PauseKeys(BrokerHarness::AdminContext().get(), Ids({1, 2}), &response).ok());
  EXPECT_EQ(response.affected(), 2);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(harness_.Acquire("gemini-2.5-flash").key_id(), 3);
  ASSERT_TRUE(admin().ResumeKeys(BrokerHarness::AdminContext().get(), Ids({2}), &response).ok());
  EXPECT_EQ(response.affected(), 1);
  keypool::Outcome invalid;
  invalid.kind = keypool::OutcomeKind::kKeyInvalid;
  ASSERT_TRUE(harness_.broker().pool().Report(3, "", invalid).ok());
  ASSERT_TRUE(admin().ResetKeys(BrokerHarness::AdminContext().get(), All(), &response).ok());
  EXPECT_EQ(response.affected(), 2) << "key 1 (paused) and key 3 (disabled)";
  v1::PoolSummary summary;
  ASSERT_TRUE(admin().GetPoolSummary(BrokerHarness::AdminContext().get(), {}, &summary).ok());
  EXPECT_EQ(summary.total(), 3);
  EXPECT_EQ(summary.active(), 3);

  grpc::Status empty = admin().PauseKeys(BrokerHarness::AdminContext().get(), v1::KeySelection(), &response);
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(empty.error_message(), HasSubstr("no keys selected"));
}

TEST_F(KeyAdminServiceTest, ListKeysFiltersPaginatesAndNeverShowsSecrets) {
  Start({TestKey(1), TestKey(2), TestKey(3), TestKey(4)});
  keypool::Outcome limited;
  limited.kind = keypool::OutcomeKind::kRateLimited;
  limited.retry_delay_ms = 60'000;
  limited.message = "quota exceeded for " + TestKey(2);
  ASSERT_TRUE(harness_.broker().pool().Report(2, "gemini-2.5-pro", limited).ok());
  keypool::Outcome invalid;
  invalid.kind = keypool::OutcomeKind::kKeyInvalid;
  invalid.error_reason = "API_KEY_INVALID";
  ASSERT_TRUE(harness_.broker().pool().Report(4, "", invalid).ok());

  v1::ListKeysResponse all = List();
  ASSERT_EQ(all.keys_size(), 4);
  EXPECT_EQ(all.total(), 4);
  for (const v1::KeyView& view : all.keys()) {
    EXPECT_EQ(view.masked(), MaskKey(TestKey(static_cast<int>(view.id()))));
    EXPECT_THAT(view.DebugString(), Not(HasSubstr(TestKey(static_cast<int>(view.id())))));
  }

  v1::ListKeysRequest cooling;
  cooling.add_states(v1::KEY_STATE_COOLING);
  v1::ListKeysResponse cooling_keys = List(cooling);
  ASSERT_EQ(cooling_keys.keys_size(), 1);
  EXPECT_EQ(cooling_keys.keys(0).id(), 2);
  ASSERT_EQ(cooling_keys.keys(0).model_cooldowns_size(), 1);
  EXPECT_EQ(cooling_keys.keys(0).model_cooldowns(0).model(), "gemini-2.5-pro");

  v1::ListKeysRequest disabled;
  disabled.add_states(v1::KEY_STATE_DISABLED);
  v1::ListKeysResponse disabled_keys = List(disabled);
  ASSERT_EQ(disabled_keys.keys_size(), 1);
  EXPECT_EQ(disabled_keys.keys(0).state_reason(), "API_KEY_INVALID");

  v1::ListKeysRequest by_model;
  by_model.set_model("gemini-2.5-pro");
  EXPECT_EQ(List(by_model).total(), 1);

  v1::ListKeysRequest search;
  search.set_search("Test3");
  ASSERT_EQ(List(search).keys_size(), 1);
  EXPECT_EQ(List(search).keys(0).id(), 3);

  v1::ListKeysRequest page;
  page.set_limit(2);
  page.set_offset(1);
  v1::ListKeysResponse paged = List(page);
  ASSERT_EQ(paged.keys_size(), 2);
  EXPECT_EQ(paged.keys(0).id(), 2);
  EXPECT_EQ(paged.total(), 4);

  v1::ListKeysRequest bad;
  bad.set_limit(20000);
  v1::ListKeysResponse response;
  EXPECT_EQ(admin().ListKeys(BrokerHarness::AdminContext().get(), bad, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListKeysRequest bad_state;
  bad_state.add_states(v1::KEY_STATE_UNSPECIFIED);
  EXPECT_EQ(admin().ListKeys(BrokerHarness::AdminContext().get(), bad_state, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(KeyAdminServiceTest, ExportKeysGivesFullSecretsOfTheSelection) {
  Start({TestKey(1), TestKey(2), TestKey(3)});
  v1::ExportKeysResponse exported;
  ASSERT_TRUE(admin().ExportKeys(BrokerHarness::AdminContext().get(), Ids({3, 1}), &exported).ok());
  EXPECT_THAT(exported.ids(), ElementsAre(1, 3));
  EXPECT_THAT(exported.secrets(), ElementsAre(TestKey(1), TestKey(3)));

  v1::ExportKeysResponse all;
  ASSERT_TRUE(admin().ExportKeys(BrokerHarness::AdminContext().get(), All(), &all).ok());
  EXPECT_EQ(all.secrets_size(), 3);

  v1::ExportKeysResponse refused;
  EXPECT_EQ(admin().ExportKeys(BrokerHarness::AdminContext("guess").get(), All(), &refused).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(refused.secrets_size(), 0);
  EXPECT_EQ(admin().ExportKeys(BrokerHarness::AdminContext().get(), Ids({9}), &refused).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(KeyAdminServiceTest, ListKeysSortsBeforePaginating) {
  Start({TestKey(1), TestKey(2), TestKey(3)});
  v1::KeyActionResponse action;
  ASSERT_TRUE(admin().PauseKeys(BrokerHarness::AdminContext().get(), Ids({1}), &action).ok());
  v1::ListKeysRequest by_state;
  by_state.set_sort(v1::KEY_SORT_STATE);
  by_state.set_descending(true);
  by_state.set_limit(2);
  v1::ListKeysResponse listed = List(by_state);
  ASSERT_EQ(listed.keys_size(), 2);
  EXPECT_EQ(listed.keys(0).id(), 1);
  EXPECT_EQ(listed.keys(1).id(), 2);
  EXPECT_EQ(listed.total(), 3);
}

TEST_F(KeyAdminServiceTest, VerifyKeysProbesTheSelectionAndAppliesTheAnswers) {
  Start({TestKey(1), TestKey(2), TestKey(3), TestKey(4)});
  keypool::Outcome invalid;
  invalid.kind = keypool::OutcomeKind::kKeyInvalid;
  ASSERT_TRUE(harness_.broker().pool().Report(1, "", invalid).ok());
  ASSERT_TRUE(harness_.broker().pool().Report(3, "", invalid).ok());
  testing::FakeProbeTransport& probes = harness_.probes();
  probes.SetResponse(TestKey(1), testing::FakeProbeTransport::Http(200));
  probes.SetResponse(TestKey(2), testing::FakeProbeTransport::KeyInvalid());
  probes.SetResponse(TestKey(3), testing::FakeProbeTransport::RateLimited(30));
  probes.SetResponse(TestKey(4), testing::FakeProbeTransport::Failure(gemini::TransportFailure::kTimeout, "slow"));

  v1::VerifyKeysResponse response;
  grpc::Status status = admin().VerifyKeys(BrokerHarness::AdminContext().get(), All(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_EQ(response.passed(), 2);
  EXPECT_EQ(response.failed(), 2);
  const v1::KeyVerification& one = response.results(0);
  EXPECT_EQ(one.id(), 1);
  EXPECT_EQ(one.masked(), MaskKey(TestKey(1)));
  EXPECT_TRUE(one.passed());
  EXPECT_EQ(one.state(), v1::KEY_STATE_ACTIVE) << "a disabled key that works rejoins";
  EXPECT_EQ(one.http_status(), 200);
  EXPECT_FALSE(response.results(1).passed());
  EXPECT_EQ(response.results(1).state(), v1::KEY_STATE_DISABLED);
  EXPECT_THAT(response.results(1).message(), HasSubstr("API_KEY_INVALID"));
  EXPECT_TRUE(response.results(2).passed());
  EXPECT_EQ(response.results(2).state(), v1::KEY_STATE_ACTIVE);
  EXPECT_FALSE(response.results(3).passed());
  EXPECT_EQ(response.results(3).state(), v1::KEY_STATE_ACTIVE) << "a timeout changes nothing";
  EXPECT_EQ(response.results(3).http_status(), 0);
  for (const v1::KeyVerification& v : response.results()) {
    EXPECT_THAT(v.DebugString(), Not(HasSubstr(TestKey(static_cast<int>(v.id())))));
  }
  // The new states reach the database like any other change.
  ASSERT_TRUE(harness_.broker().writer().Flush().ok());
  EXPECT_EQ(harness_.persistence().key(1)->state(), v1::KEY_STATE_ACTIVE);
  EXPECT_EQ(harness_.persistence().key(2)->state(), v1::KEY_STATE_DISABLED);
  // Key 3 cools for the test model only.
  std::set<int64_t> test_model;
  for (int i = 0; i < 6; ++i) test_model.insert(harness_.Acquire("gemini-2.5-flash-lite").key_id());
  EXPECT_EQ(test_model, (std::set<int64_t>{1, 4}));
}

TEST_F(KeyAdminServiceTest, VerifyKeysChecksTheSelectionAndTheToken) {
  Start({TestKey(1), TestKey(2)});
  v1::VerifyKeysResponse response;
  grpc::Status unknown = admin().VerifyKeys(BrokerHarness::AdminContext().get(), Ids({2, 9}), &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(unknown.error_message(), HasSubstr("9"));
  EXPECT_EQ(admin().VerifyKeys(BrokerHarness::AdminContext().get(), v1::KeySelection(), &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(admin().VerifyKeys(BrokerHarness::AdminContext("guess").get(), All(), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(harness_.probes().requests().empty()) << "nothing probed";

  ASSERT_TRUE(admin().VerifyKeys(BrokerHarness::AdminContext().get(), Ids({2}), &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).id(), 2);
  EXPECT_EQ(harness_.probes().probed_keys(), std::vector<std::string>{TestKey(2)});
}

v1::RequestLogEntry Logged(int64_t time_ms, int64_t key_id, const std::string& model, int status) {
  v1::RequestLogEntry entry;
  entry.set_time_ms(time_ms);
  entry.set_key_id(key_id);
  entry.set_model(model);
  entry.set_status_code(status);
  return entry;
}

TEST_F(KeyAdminServiceTest, QueryUsageIsRelayedToPersistenceWithItsErrors) {
  Start({TestKey(1)});
  v1::UsageReport stored;
  stored.mutable_total()->set_requests(3);
  stored.mutable_total()->mutable_usage()->set_total_tokens(42);
  v1::UsageGroup* group = stored.add_groups();
  group->set_group("gemini-2.5-flash");
  group->mutable_count()->mutable_usage()->set_total_tokens(42);
  harness_.persistence().set_usage_report(stored);

  v1::UsageQuery query;
  query.set_since_ms(1'700'000'000'000);
  query.set_group_by(v1::USAGE_GROUP_BY_TOKEN);
  query.add_day_starts_ms(1'700'000'000'000);
  v1::UsageReport report;
  grpc::Status status = admin().QueryUsage(BrokerHarness::AdminContext().get(), query, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.total().usage().total_tokens(), 42);
  ASSERT_EQ(report.groups_size(), 1);
  EXPECT_EQ(report.groups(0).group(), "gemini-2.5-flash");
  ASSERT_EQ(harness_.persistence().usage_queries().size(), 1u);
  EXPECT_EQ(harness_.persistence().usage_queries()[0].group_by(), v1::USAGE_GROUP_BY_TOKEN);
  EXPECT_EQ(harness_.persistence().usage_queries()[0].day_starts_ms_size(), 1);

  query.set_limit(1001);
  status = admin().QueryUsage(BrokerHarness::AdminContext().get(), query, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("1 to 1000"));
  EXPECT_EQ(admin().QueryUsage(BrokerHarness::AdminContext("guess").get(), query, &report).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// The error log relay passes LogQuery.id on: a page carries body previews,
// one row by id its whole body, and an unknown id comes back NOT_FOUND
// naming it.
TEST_F(KeyAdminServiceTest, QueryErrorLogsRelaysOneRowByIdWithItsWholeBody) {
  Start({TestKey(1)});
  v1::ErrorLogEntry row;
  row.set_id(41);
  row.set_status_code(500);
  row.set_request_body("{\"contents\":[]}");
  harness_.persistence().SeedErrorLog(row);

  v1::QueryErrorLogsResponse page;
  grpc::Status status = admin().QueryErrorLogs(BrokerHarness::AdminContext().get(), v1::LogQuery(), &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).request_body(), "{\"co");
  EXPECT_EQ(page.entries(0).request_body_bytes(), 15);

  v1::LogQuery by_id;
  by_id.set_id(41);
  v1::QueryErrorLogsResponse one;
  status = admin().QueryErrorLogs(BrokerHarness::AdminContext().get(), by_id, &one);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(one.entries_size(), 1);
  EXPECT_EQ(one.entries(0).request_body(), "{\"contents\":[]}");
  ASSERT_EQ(harness_.persistence().error_log_queries().size(), 2u);
  EXPECT_EQ(harness_.persistence().error_log_queries()[1].id(), 41);

  by_id.set_id(42);
  status = admin().QueryErrorLogs(BrokerHarness::AdminContext().get(), by_id, &one);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("error log row 42"));
  EXPECT_EQ(admin().QueryErrorLogs(BrokerHarness::AdminContext("guess").get(), by_id, &one).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(KeyAdminServiceTest, GetKeyUsageCountsCallsPerKeyAndModelOverThreeWindows) {
  Config config = harness_.MakeConfig({TestKey(1), TestKey(2), TestKey(3)});
  config.paid_key = "AIzaSyPaidKeyForUsage0123456789abcdefgh";
  harness_.StartBroker(config, BrokerHarness::Options(false));
  const int64_t now = harness_.clock().NowUnixMs();
  constexpr int64_t kMinute = 60 * 1000;
  constexpr int64_t kHour = 60 * kMinute;
  testing::FakePersistence& db = harness_.persistence();
  db.SeedRequestLog(Logged(now - 10 * kMinute, 1, "gemini-2.5-flash", 200));
  db.SeedRequestLog(Logged(now - 20 * kMinute, 1, "gemini-2.5-flash", 429));
  db.SeedRequestLog(Logged(now - 3 * kHour, 1, "gemini-2.5-flash", 200));
  db.SeedRequestLog(Logged(now - 5 * 24 * kHour, 1, "gemini-2.5-flash", 500));
  db.SeedRequestLog(Logged(now - 40 * 24 * kHour, 1, "gemini-2.5-flash", 200));  // Too old.
  db.SeedRequestLog(Logged(now - 2 * kHour, 1, "gemini-2.5-pro", 200));
  db.SeedRequestLog(Logged(now - 30 * kMinute, 2, "gemini-2.5-flash", 400));
  db.SeedRequestLog(Logged(now - 30 * kMinute, 0, "gemini-2.5-flash", 503));  // No key.
  db.SeedRequestLog(Logged(now - 30 * kMinute, 77, "gemini-2.5-flash", 200));  // Removed key.
  db.SeedRequestLog(Logged(now - 30 * kMinute, kPaidKeyId, "imagen-3.0-generate-002", 200));

  v1::KeyUsageResponse all;
  grpc::Status status = admin().GetKeyUsage(BrokerHarness::AdminContext().get(), {}, &all);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(all.now_ms(), now);
  ASSERT_EQ(all.keys_size(), 3) << all.DebugString();
  EXPECT_EQ(all.keys(0).id(), kPaidKeyId);
  EXPECT_EQ(all.keys(0).masked(), MaskKey(config.paid_key));
  const v1::KeyUsage& one = all.keys(1);
  EXPECT_EQ(one.id(), 1);
  EXPECT_EQ(one.masked(), MaskKey(TestKey(1)));
  ASSERT_EQ(one.models_size(), 2);
  const v1::ModelUsage& flash = one.models(0);
  EXPECT_EQ(flash.model(), "gemini-2.5-flash");
  EXPECT_EQ(flash.calls_1h(), 2);
  EXPECT_EQ(flash.failures_1h(), 1);
  EXPECT_EQ(flash.calls_24h(), 3);
  EXPECT_EQ(flash.failures_24h(), 1);
  EXPECT_EQ(flash.calls_30d(), 4);
  EXPECT_EQ(flash.failures_30d(), 2);
  const v1::ModelUsage& pro = one.models(1);
  EXPECT_EQ(pro.model(), "gemini-2.5-pro");
  EXPECT_EQ(pro.calls_1h(), 0);
  EXPECT_EQ(pro.calls_24h(), 1);
  EXPECT_EQ(pro.calls_30d(), 1);
  EXPECT_EQ(all.keys(2).id(), 2);
  EXPECT_EQ(all.keys(2).models(0).failures_1h(), 1);
  EXPECT_THAT(db.usage_calls(), ElementsAre(now - 30 * 24 * kHour, now - 24 * kHour, now - kHour));

  v1::KeyUsageRequest some;
  some.add_ids(3);
  some.add_ids(2);
  v1::KeyUsageResponse selected;
  ASSERT_TRUE(admin().GetKeyUsage(BrokerHarness::AdminContext().get(), some, &selected).ok());
  ASSERT_EQ(selected.keys_size(), 2);
  EXPECT_EQ(selected.keys(0).id(), 2);
  EXPECT_EQ(selected.keys(1).id(), 3);
  EXPECT_EQ(selected.keys(1).models_size(), 0) << "a requested key without calls is listed empty";

  some.add_ids(99);
  EXPECT_EQ(admin().GetKeyUsage(BrokerHarness::AdminContext().get(), some, &selected).error_code(),
            grpc::StatusCode::NOT_FOUND);
  db.set_down(true);
  grpc::Status down = admin().GetKeyUsage(BrokerHarness::AdminContext().get(), {}, &all);
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(down.error_message(), HasSubstr("persistence at 127.0.0.1:"));
}

}  // namespace
}  // namespace gempool::keybroker
