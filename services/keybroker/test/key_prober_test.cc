#include "key_prober.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_probe_transport.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/keypool/proxy_for_key.h"

namespace gempool::keybroker {
namespace {

using ::gempool::keybroker::testing::FakeProbeTransport;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr char kKey[] = "AIzaSyProberTestKey0123456789abcdefghij";

ProbeSettings Settings() {
  ProbeSettings settings;
  settings.base_url = "https://generativelanguage.googleapis.com/v1beta";
  settings.test_model = "gemini-2.5-flash-lite";
  settings.timeout_seconds = 42;
  return settings;
}

class KeyProberTest : public ::testing::Test {
 protected:
  ProbeResult ProbeWith(const ProbeHttpResponse& response, ProbeSettings settings = Settings()) {
    transport_.SetResponse(kKey, response);
    KeyProber prober(std::move(settings), transport_, clock_);
    EXPECT_TRUE(prober.status().ok()) << prober.status();
    return prober.Probe(kKey);
  }

  FakeProbeTransport transport_;
  gempool::testing::FakeClock clock_;
};

TEST_F(KeyProberTest, SendsAMinimalTestModelRequestTheWayTheGatewayWould) {
  ProbeSettings settings = Settings();
  settings.test_model = "models/gemini-2.5-flash-lite";
  settings.custom_headers = {{"X-Team", "blue"}, {"content-type", "text/plain"}};
  KeyProber prober(settings, transport_, clock_);
  ASSERT_TRUE(prober.status().ok()) << prober.status();
  EXPECT_EQ(prober.model(), "gemini-2.5-flash-lite");
  prober.Probe(kKey, keypool::Pool::kGemini, "http://user:pw@proxy-b:3128");

  const std::vector<ProbeHttpRequest> requests = transport_.requests();
  ASSERT_THAT(requests, SizeIs(1));
  const ProbeHttpRequest& r = requests[0];
  EXPECT_EQ(r.scheme_host_port, "https://generativelanguage.googleapis.com:443");
  EXPECT_EQ(r.path, "/v1beta/models/gemini-2.5-flash-lite:generateContent");
  EXPECT_EQ(r.body,
            R"({"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":1}})");
  EXPECT_EQ(r.proxy, "http://user:pw@proxy-b:3128") << "the proxy the caller chose (the broker's chooser)";
  EXPECT_EQ(r.timeout_seconds, 42);
  EXPECT_THAT(r.headers, Contains(Pair("x-goog-api-key", kKey)));
  EXPECT_THAT(r.headers, Contains(Pair("X-Team", "blue")));
  EXPECT_THAT(r.headers, Contains(Pair("Content-Type", "application/json")));
  EXPECT_THAT(r.headers, Not(Contains(Pair("content-type", "text/plain"))));
}

TEST_F(KeyProberTest, KeepsTheBaseUrlsPathAndVersion) {
  ProbeSettings settings = Settings();
  settings.base_url = "http://127.0.0.1:9000/relay/v1";
  ProbeWith(FakeProbeTransport::Http(200), settings);
  ASSERT_THAT(transport_.requests(), SizeIs(1));
  EXPECT_EQ(transport_.requests()[0].scheme_host_port, "http://127.0.0.1:9000");
  EXPECT_EQ(transport_.requests()[0].path, "/relay/v1/models/gemini-2.5-flash-lite:generateContent");

  settings.base_url = "http://127.0.0.1:9000";  // No version: v1beta.
  KeyProber prober(settings, transport_, clock_);
  prober.Probe(kKey);
  EXPECT_EQ(transport_.requests().back().path, "/v1beta/models/gemini-2.5-flash-lite:generateContent");
}

TEST_F(KeyProberTest, SuccessPasses) {
  ProbeResult r = ProbeWith(FakeProbeTransport::Http(200, R"({"candidates":[]})"));
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.outcome.kind, keypool::OutcomeKind::kSuccess);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_THAT(r.message, HasSubstr("works"));
}

TEST_F(KeyProberTest, RateLimitedPassesWithTheRetryDelayAndQuota) {
  ProbeResult r = ProbeWith(FakeProbeTransport::RateLimited(30));
  EXPECT_TRUE(r.passed) << "a rate-limited key is a working key";
  EXPECT_EQ(r.outcome.kind, keypool::OutcomeKind::kRateLimited);
  EXPECT_EQ(r.outcome.retry_delay_ms, 30000);
  EXPECT_EQ(r.outcome.quota_id, "GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
  EXPECT_THAT(r.message, AllOf(HasSubstr("rate-limited"), HasSubstr("RESOURCE_EXHAUSTED")));
}

TEST_F(KeyProberTest, InvalidKeysFailWithTheReasonAndNoSecret) {
  ProbeResult invalid = ProbeWith(FakeProbeTransport::KeyInvalid());
  EXPECT_FALSE(invalid.passed);
  EXPECT_EQ(invalid.outcome.kind, keypool::OutcomeKind::kKeyInvalid);
  EXPECT_EQ(invalid.outcome.error_reason, "API_KEY_INVALID");
  EXPECT_EQ(invalid.http_status, 400);
  EXPECT_THAT(invalid.message, AllOf(HasSubstr("invalid"), HasSubstr("API_KEY_INVALID")));

  ProbeResult leaked = ProbeWith(FakeProbeTransport::Http(
      403, std::string(R"({"error":{"code":403,"message":"Your API key )") + kKey +
               R"( was reported as leaked.","status":"PERMISSION_DENIED"}})"));
  EXPECT_EQ(leaked.outcome.kind, keypool::OutcomeKind::kKeyInvalid);
  EXPECT_EQ(leaked.outcome.error_reason, "PERMISSION_DENIED");
  EXPECT_THAT(leaked.message, AllOf(HasSubstr("reported as leaked"), Not(HasSubstr(kKey))));
  EXPECT_THAT(leaked.outcome.message, Not(HasSubstr(kKey)));
}

TEST_F(KeyProberTest, ServerErrorsAndTransportFailuresFailWithoutBlamingTheKey) {
  ProbeResult unavailable = ProbeWith(FakeProbeTransport::Http(
      503, R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})"));
  EXPECT_FALSE(unavailable.passed);
  EXPECT_EQ(unavailable.outcome.kind, keypool::OutcomeKind::kServerError);
  EXPECT_THAT(unavailable.message, AllOf(HasSubstr("overloaded"), HasSubstr("unchanged")));

  ProbeResult timeout =
      ProbeWith(FakeProbeTransport::Failure(gemini::TransportFailure::kTimeout, "no answer within 42 s (TIME_OUT)"));
  EXPECT_FALSE(timeout.passed);
  EXPECT_EQ(timeout.outcome.kind, keypool::OutcomeKind::kTimeout);
  EXPECT_EQ(timeout.http_status, 0);
  EXPECT_THAT(timeout.message, AllOf(HasSubstr("TIME_OUT"), HasSubstr("unchanged")));

  ProbeResult refused = ProbeWith(FakeProbeTransport::Failure(gemini::TransportFailure::kConnection, "refused"));
  EXPECT_EQ(refused.outcome.kind, keypool::OutcomeKind::kConnectionError);
}

TEST_F(KeyProberTest, AnUnknownTestModelIsAClientErrorThatPointsAtTestModel) {
  ProbeResult r = ProbeWith(FakeProbeTransport::Http(
      404, R"({"error":{"code":404,"message":"models/gemini-9 is not found","status":"NOT_FOUND"}})"));
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.outcome.kind, keypool::OutcomeKind::kClientError);
  EXPECT_THAT(r.message, AllOf(HasSubstr("not found"), HasSubstr("TEST_MODEL")));
}

TEST_F(KeyProberTest, UnusableSettingsAreReportedAndNothingIsSent) {
  ProbeSettings bad_url = Settings();
  bad_url.base_url = "https://host:99999/v1beta";
  KeyProber url_prober(bad_url, transport_, clock_);
  EXPECT_THAT(url_prober.status().message(), HasSubstr("BASE_URL"));
  ProbeResult r = url_prober.Probe(kKey);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.outcome.kind, keypool::OutcomeKind::kClientError) << "says nothing about the key";
  EXPECT_THAT(r.message, HasSubstr("BASE_URL"));

  ProbeSettings bad_header = Settings();
  bad_header.custom_headers = {{"X-Goog-Api-Key", "other"}};
  EXPECT_THAT(KeyProber(bad_header, transport_, clock_).status().message(), HasSubstr("CUSTOM_HEADERS"));

  ProbeSettings bad_model = Settings();
  bad_model.test_model = "gemini 2.5";
  EXPECT_THAT(KeyProber(bad_model, transport_, clock_).status().message(), HasSubstr("TEST_MODEL"));
  EXPECT_TRUE(transport_.requests().empty());
}

}  // namespace
}  // namespace gempool::keybroker
