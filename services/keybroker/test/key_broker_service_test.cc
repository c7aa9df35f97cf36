#include "key_broker_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "broker_harness.h"
#include "gempool/keypool/proxy_for_key.h"

namespace gempool::keybroker {
namespace {

using ::gempool::keybroker::testing::BrokerHarness;
using ::gempool::keybroker::testing::TestKey;
using ::testing::HasSubstr;

class KeyBrokerServiceTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> keys, std::vector<std::string> proxies = {}) {
    Config config = harness_.MakeConfig(std::move(keys));
    config.proxies = std::move(proxies);
    harness_.StartBroker(config, BrokerHarness::Options(false));
  }

  v1::ReportOutcomeResponse Report(const v1::ReportOutcomeRequest& request,
                                   grpc::Status* status_out = nullptr) {
    v1::ReportOutcomeResponse response;
    grpc::Status status =
        harness_.broker_stub().ReportOutcome(BrokerHarness::Context().get(), request, &response);
    if (status_out != nullptr) {
      *status_out = status;
    } else {
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
    return response;
  }

  static v1::ReportOutcomeRequest Outcome(int64_t key_id, const std::string& model, v1::OutcomeKind kind) {
    v1::ReportOutcomeRequest request;
    request.set_key_id(key_id);
    request.set_model(model);
    request.set_kind(kind);
    return request;
  }

  BrokerHarness harness_;
};

TEST_F(KeyBrokerServiceTest, HandsOutKeysInRotationWithTheirSecrets) {
  Start({TestKey(1), TestKey(2), TestKey(3)});
  std::map<int64_t, std::string> seen;
  for (int i = 0; i < 6; ++i) {
    v1::AcquireKeyResponse response = harness_.Acquire("gemini-2.5-flash");
    ASSERT_TRUE(response.available());
    EXPECT_EQ(response.proxy(), "");
    EXPECT_EQ(response.retry_at_ms(), 0);
    seen[response.key_id()] = response.secret();
  }
  ASSERT_EQ(seen.size(), 3u);
  std::set<std::string> secrets;
  for (const auto& [id, secret] : seen) secrets.insert(secret);
  EXPECT_EQ(secrets, (std::set<std::string>{TestKey(1), TestKey(2), TestKey(3)}));
}

TEST_F(KeyBrokerServiceTest, EachKeyAlwaysGetsTheSameProxy) {
  const std::vector<std::string> proxies = {"http://p1:8080", "http://p2:8080", "http://p3:8080"};
  Start({TestKey(1), TestKey(2), TestKey(3), TestKey(4)}, proxies);
  for (int i = 0; i < 12; ++i) {
    v1::AcquireKeyResponse response = harness_.Acquire("gemini-2.5-flash");
    EXPECT_EQ(response.proxy(), keypool::ProxyForKey(proxies, response.secret()));
  }
}

TEST_F(KeyBrokerServiceTest, RetriesExcludeKeysAlreadyTried) {
  Start({TestKey(1), TestKey(2), TestKey(3)});
  for (int i = 0; i < 6; ++i) {
    v1::AcquireKeyResponse response = harness_.Acquire("gemini-2.5-flash", {1, 3});
    EXPECT_EQ(response.key_id(), 2);
  }
  v1::AcquireKeyResponse none = harness_.Acquire("gemini-2.5-flash", {1, 2, 3});
  EXPECT_FALSE(none.available());
  EXPECT_EQ(none.secret(), "");
  EXPECT_THAT(none.unavailable_reason(), HasSubstr("already tried"));
}

TEST_F(KeyBrokerServiceTest, RateLimitCoolsTheKeyForThatModelAndSaysWhenItFreesUp) {
  Start({TestKey(1)});
  v1::ReportOutcomeRequest limited = Outcome(1, "models/gemini-2.5-pro", v1::OUTCOME_KIND_RATE_LIMITED);
  limited.set_http_status(429);
  limited.set_retry_delay_ms(30'000);
  limited.set_quota_id("GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
  EXPECT_EQ(Report(limited).state(), v1::KEY_STATE_ACTIVE);

  v1::AcquireKeyResponse pro = harness_.Acquire("gemini-2.5-pro");
  EXPECT_FALSE(pro.available());
  EXPECT_EQ(pro.retry_at_ms(), harness_.clock().NowUnixMs() + 30'000);
  EXPECT_EQ(pro.unavailable_reason(),
            "the only key is cooling for gemini-2.5-pro; the first frees up in 30 s");
  EXPECT_TRUE(harness_.Acquire("gemini-2.5-flash").available());
  harness_.clock().AdvanceMs(30'000);
  EXPECT_TRUE(harness_.Acquire("models/gemini-2.5-pro").available());
}

// The broker's log line about a key's state change names the client request
// whose attempt caused it (ReportOutcomeRequest.request_id).
TEST_F(KeyBrokerServiceTest, AStateChangeIsLoggedWithTheRequestThatCausedIt) {
  Start({TestKey(1), TestKey(2)});
  v1::ReportOutcomeRequest invalid = Outcome(1, "gemini-2.5-flash", v1::OUTCOME_KIND_KEY_INVALID);
  invalid.set_http_status(400);
  invalid.set_error_reason("API_KEY_INVALID");
  invalid.set_request_id("client-trace-9");
  ::testing::internal::CaptureStderr();
  const v1::KeyState state = Report(invalid).state();
  Report(Outcome(2, "gemini-2.5-flash", v1::OUTCOME_KIND_SUCCESS));  // No change: no line.
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(state, v1::KEY_STATE_DISABLED);
  EXPECT_THAT(log, HasSubstr("key #1 (gemini) went from active to disabled after OUTCOME_KIND_KEY_INVALID (HTTP 400, "
                             "API_KEY_INVALID) for model gemini-2.5-flash request_id=client-trace-9\n"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("key #2")));
}

TEST_F(KeyBrokerServiceTest, InvalidKeyIsDisabledAtOnce) {
  Start({TestKey(1), TestKey(2)});
  v1::ReportOutcomeRequest invalid = Outcome(1, "gemini-2.5-flash", v1::OUTCOME_KIND_KEY_INVALID);
  invalid.set_http_status(400);
  invalid.set_error_reason("API_KEY_INVALID");
  invalid.set_message("API key not valid. Please pass a valid API key.");
  EXPECT_EQ(Report(invalid).state(), v1::KEY_STATE_DISABLED);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(harness_.Acquire("gemini-2.5-flash").key_id(), 2);
}

TEST_F(KeyBrokerServiceTest, ReportForARemovedKeyIsAccepted) {
  Start({TestKey(1)});
  EXPECT_EQ(Report(Outcome(99, "gemini-2.5-flash", v1::OUTCOME_KIND_SUCCESS)).state(),
            v1::KEY_STATE_UNSPECIFIED);
}

TEST_F(KeyBrokerServiceTest, ReportWithoutKindIsRejected) {
  Start({TestKey(1)});
  grpc::Status status;
  Report(Outcome(1, "gemini-2.5-flash", v1::OUTCOME_KIND_UNSPECIFIED), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("needs a kind"));
}

TEST_F(KeyBrokerServiceTest, EmptyPoolAnswersWithAReasonNotAnError) {
  Start({});
  v1::AcquireKeyResponse response = harness_.Acquire("gemini-2.5-flash");
  EXPECT_FALSE(response.available());
  EXPECT_THAT(response.unavailable_reason(), HasSubstr("the pool has no keys"));
}

TEST(NormalizeModelTest, StripsTheModelsPrefix) {
  EXPECT_EQ(NormalizeModel("models/gemini-2.5-pro"), "gemini-2.5-pro");
  EXPECT_EQ(NormalizeModel("gemini-2.5-pro"), "gemini-2.5-pro");
  EXPECT_EQ(NormalizeModel(""), "");
}

TEST_F(KeyBrokerServiceTest, ImageModelsGetThePaidKeyOutsideTheRotation) {
  const std::string paid = "AIzaSyPaidKeyForImagen0123456789abcdefg";
  Config config = harness_.MakeConfig({TestKey(1), TestKey(2)});
  config.paid_key = paid;
  config.proxies = {"http://proxy-a:3128", "http://proxy-b:3128", "http://proxy-c:3128"};
  harness_.StartBroker(config, BrokerHarness::Options(false));

  for (const char* model : {"imagen-3.0-generate-002", "models/imagen-4.0-generate-001"}) {
    v1::AcquireKeyResponse response = harness_.Acquire(model);
    ASSERT_TRUE(response.available()) << model;
    EXPECT_EQ(response.key_id(), kPaidKeyId);
    EXPECT_EQ(response.secret(), paid);
    EXPECT_EQ(response.proxy(), keypool::ProxyForKey(config.proxies, paid));
  }
  // Other models rotate over the pool as usual; the paid key never shows up.
  std::set<int64_t> pool_ids;
  for (int i = 0; i < 4; ++i) pool_ids.insert(harness_.Acquire("gemini-2.5-flash").key_id());
  EXPECT_EQ(pool_ids, (std::set<int64_t>{1, 2}));
  EXPECT_EQ(harness_.broker().pool().size(), 2u) << "the paid key is not a pool key";

  // A retry that already tried it gets no key, not a pool key.
  v1::AcquireKeyResponse retry = harness_.Acquire("imagen-3.0-generate-002", {kPaidKeyId});
  EXPECT_FALSE(retry.available());
  EXPECT_THAT(retry.unavailable_reason(), HasSubstr("PAID_KEY"));
  EXPECT_TRUE(retry.secret().empty());

  // Reports against it are ignored and change no pool key.
  v1::ReportOutcomeResponse report =
      Report(Outcome(kPaidKeyId, "imagen-3.0-generate-002", v1::OUTCOME_KIND_KEY_INVALID));
  EXPECT_EQ(report.state(), v1::KEY_STATE_UNSPECIFIED);
  EXPECT_EQ(harness_.Acquire("imagen-3.0-generate-002").key_id(), kPaidKeyId);
  EXPECT_EQ(harness_.broker().pool().Summary().active, 2);
}

TEST_F(KeyBrokerServiceTest, WithoutAPaidKeyImageModelsUseThePool) {
  Start({TestKey(1)});
  v1::AcquireKeyResponse response = harness_.Acquire("imagen-3.0-generate-002");
  ASSERT_TRUE(response.available());
  EXPECT_EQ(response.key_id(), 1);
  EXPECT_FALSE(IsPaidKeyModel("gemini-2.5-flash-image"));
  EXPECT_TRUE(IsPaidKeyModel("imagen-3.0-generate-002"));
}

}  // namespace
}  // namespace gempool::keybroker
