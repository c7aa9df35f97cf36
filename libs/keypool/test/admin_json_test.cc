// The JSON shapes the admin API and gempoolctl both print (admin_json.h):
// field names and their order are the contract scripts read.

#include "gempool/keypool/admin_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gempool::keypool {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> FieldsOf(const nlohmann::ordered_json& object) {
  std::vector<std::string> fields;
  for (auto it = object.begin(); it != object.end(); ++it) fields.push_back(it.key());
  return fields;
}

TEST(AdminJsonTest, AKeyIsItsMaskAndStateNeverItsSecret) {
  v1::KeyView key;
  key.set_id(7);
  key.set_masked("AIzaSy...wxyz");
  key.set_state(v1::KEY_STATE_COOLING);
  key.set_failure_count(2);
  key.set_cooling_until_ms(1234);
  v1::ModelCooldown* cooldown = key.add_model_cooldowns();
  cooldown->set_model("gemini-2.5-pro");
  cooldown->set_until_ms(5678);
  cooldown->set_reason("RESOURCE_EXHAUSTED PerDay");
  key.set_pool(v1::POOL_VERTEX);

  const nlohmann::ordered_json json = KeyViewJson(key);
  EXPECT_THAT(FieldsOf(json), ElementsAre("id", "masked", "state", "failure_count", "state_reason", "last_error",
                                          "cooling_until_ms", "model_cooldowns", "last_used_at_ms",
                                          "created_at_ms", "pool"));
  EXPECT_EQ(json["id"], 7);
  EXPECT_EQ(json["masked"], "AIzaSy...wxyz");
  EXPECT_EQ(json["state"], "cooling");
  EXPECT_EQ(json["failure_count"], 2);
  EXPECT_EQ(json["model_cooldowns"][0]["model"], "gemini-2.5-pro");
  EXPECT_EQ(json["model_cooldowns"][0]["until_ms"], 5678);
  EXPECT_EQ(json["model_cooldowns"][0]["reason"], "RESOURCE_EXHAUSTED PerDay");
  EXPECT_EQ(json["pool"], "vertex");
  EXPECT_EQ(KeyViewJson(v1::KeyView())["pool"], "gemini") << "unset is the Gemini pool";
}

TEST(AdminJsonTest, AVerificationSaysWhatTheUpstreamAnswered) {
  v1::KeyVerification verification;
  verification.set_id(3);
  verification.set_masked("AIzaSy...dead");
  verification.set_passed(false);
  verification.set_state(v1::KEY_STATE_DISABLED);
  verification.set_http_status(400);
  verification.set_message("API_KEY_INVALID");
  const nlohmann::ordered_json json = KeyVerificationJson(verification);
  EXPECT_THAT(FieldsOf(json), ElementsAre("id", "masked", "passed", "state", "http_status", "message"));
  EXPECT_EQ(json["passed"], false);
  EXPECT_EQ(json["state"], "disabled");
  EXPECT_EQ(json["http_status"], 400);
  EXPECT_EQ(json["message"], "API_KEY_INVALID");
}

TEST(AdminJsonTest, ModelUsageCountsCallsAndFailuresPerWindow) {
  v1::ModelUsage usage;
  usage.set_model("gemini-2.5-flash");
  usage.set_calls_1h(1);
  usage.set_calls_24h(2);
  usage.set_calls_30d(3);
  usage.set_failures_1h(4);
  usage.set_failures_24h(5);
  usage.set_failures_30d(6);
  const nlohmann::ordered_json json = ModelUsageJson(usage);
  EXPECT_EQ(json.dump(),
            R"({"model":"gemini-2.5-flash","calls_1h":1,"calls_24h":2,"calls_30d":3,"failures_1h":4,)"
            R"("failures_24h":5,"failures_30d":6})");
}

TEST(AdminJsonTest, BothLogsShareTheirFirstFieldsThenAddTheirOwn) {
  v1::RequestLogEntry request;
  request.set_id(1);
  request.set_request_id("trace-1");
  request.set_latency_ms(250);
  request.set_stream(true);
  EXPECT_THAT(FieldsOf(RequestLogEntryJson(request)),
              ElementsAre("id", "time_ms", "request_id", "key_id", "model", "operation", "status_code", "latency_ms",
                          "attempts", "stream", "client_token_id"));
  EXPECT_EQ(RequestLogEntryJson(request)["latency_ms"], 250);
  EXPECT_EQ(RequestLogEntryJson(request)["stream"], true);

  v1::ErrorLogEntry error;
  error.set_request_id("trace-1");
  error.set_error_type("RESOURCE_EXHAUSTED");
  error.set_request_body("{}");
  EXPECT_THAT(FieldsOf(ErrorLogEntryJson(error)),
              ElementsAre("id", "time_ms", "request_id", "key_id", "model", "operation", "status_code", "error_type",
                          "message", "request_body", "request_body_bytes", "request_body_truncated"));
  EXPECT_EQ(ErrorLogEntryJson(error)["request_body"], "{}");
  // Without request_body_bytes (an older persistence sent whole bodies): the
  // body's own size, complete.
  EXPECT_EQ(ErrorLogEntryJson(error)["request_body_bytes"], 2);
  EXPECT_EQ(ErrorLogEntryJson(error)["request_body_truncated"], false);
  error.set_request_body_bytes(2);
  EXPECT_EQ(ErrorLogEntryJson(error)["request_body_truncated"], false);
  // A page's preview of a larger body.
  error.set_request_body_bytes(70000);
  EXPECT_EQ(ErrorLogEntryJson(error)["request_body_bytes"], 70000);
  EXPECT_EQ(ErrorLogEntryJson(error)["request_body_truncated"], true);
}

}  // namespace
}  // namespace gempool::keypool
