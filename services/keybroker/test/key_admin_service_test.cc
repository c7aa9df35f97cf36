#include "key_admin_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gempool::keybroker
