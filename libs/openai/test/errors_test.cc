// OpenAI error bodies: gempool's refusals and upstream Gemini errors
// (protocol.md §1.8, §3.4, §6.10, §6.11, §6.20).

#include "gempool/openai/errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_json.h"

namespace gempool::openai {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::J;

TEST(ErrorsTest, BodyShapeAndTypes) {
  EXPECT_EQ(OpenAIErrorBody(400, "bad", "messages[0]"),
            J(R"({"error":{"message":"bad","type":"invalid_request_error","param":"messages[0]","code":null}})"));
  EXPECT_EQ(OpenAIErrorBody(401, "who?"),
            J(R"({"error":{"message":"who?","type":"authentication_error","param":null,"code":"invalid_api_key"}})"));
  EXPECT_EQ(OpenAIErrorBody(429, "slow down")["error"]["type"], "rate_limit_error");
  EXPECT_EQ(OpenAIErrorBody(429, "slow down")["error"]["code"], "rate_limit_exceeded");
  EXPECT_EQ(OpenAIErrorBody(403, "no")["error"]["type"], "permission_error");
  EXPECT_EQ(OpenAIErrorBody(404, "no")["error"]["type"], "invalid_request_error");
  EXPECT_EQ(OpenAIErrorBody(500, "x")["error"]["type"], "server_error");
  EXPECT_EQ(OpenAIErrorBody(503, "x", "", "overloaded")["error"]["code"], "overloaded");
}

TEST(ErrorsTest, FieldErrorsCarryTheirParam) {
  absl::Status status = FieldError("messages[2].content[0].type", "'video_url' is not supported");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "messages[2].content[0].type 'video_url' is not supported");
  OpenAIError error = OpenAIErrorFromStatus(status);
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.body["error"]["param"], "messages[2].content[0].type");
  EXPECT_EQ(error.body["error"]["message"], "messages[2].content[0].type 'video_url' is not supported");
  EXPECT_FALSE(ErrorParam(absl::InternalError("x")).has_value());
  EXPECT_EQ(OpenAIErrorFromStatus(absl::InternalError("x")).body["error"]["param"], nullptr);
}

TEST(ErrorsTest, GeminiRateLimitKeepsStatusMessageAndRetryDelay) {
  OpenAIError error = ConvertGeminiErrorText(429, std::string(R"({"error":{"code":429,
      "message":"You exceeded your current quota.\nPlease retry in 19.42s.","status":"RESOURCE_EXHAUSTED",
      "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[]},
                 {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"19.424395716s"}]}})"));
  EXPECT_EQ(error.http_status, 429);
  EXPECT_EQ(error.retry_after_seconds, 20);
  EXPECT_EQ(error.body["error"]["type"], "rate_limit_error");
  EXPECT_EQ(error.body["error"]["code"], "resource_exhausted");
  EXPECT_THAT(error.body["error"]["message"].get<std::string>(), HasSubstr("You exceeded your current quota."));
}

TEST(ErrorsTest, ArrayWrappedErrorsAreUnwrapped) {
  OpenAIError error = ConvertGeminiErrorText(400, std::string(R"([{"error":{"code":400,
      "message":"Invalid JSON payload received. Unknown name \"foo\"","status":"INVALID_ARGUMENT",
      "details":[{"@type":"type.googleapis.com/google.rpc.BadRequest",
                  "fieldViolations":[{"field":"foo","description":"Cannot find field."}]}]}}])"));
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.body, J(R"({"error":{"message":"Invalid JSON payload received. Unknown name \"foo\"",
      "type":"invalid_request_error","param":"foo","code":"invalid_argument"}})"));
}

TEST(ErrorsTest, PoolKeysAreRedacted) {
  const std::string key = "AIzaSyA1234567890abcdefghijklmnopqrstuv";
  OpenAIError error = ConvertGeminiErrorText(
      403, std::string(R"({"error":{"code":403,"message":"Permission denied: Consumer 'api_key:)") + key +
               R"(' has been suspended.","status":"PERMISSION_DENIED"}})",
      {key});
  EXPECT_EQ(error.http_status, 403);
  EXPECT_THAT(error.body.dump(), Not(HasSubstr(key)));
  EXPECT_THAT(error.body["error"]["message"].get<std::string>(), HasSubstr("has been suspended"));
  // Also without being told which key it is.
  OpenAIError unlisted = ConvertGeminiErrorText(
      403, std::string(R"({"error":{"code":403,"message":"key )") + key + R"( leaked","status":"PERMISSION_DENIED"}})");
  EXPECT_THAT(unlisted.body.dump(), Not(HasSubstr(key)));
}

TEST(ErrorsTest, NonJsonBodiesBecomeMessages) {
  OpenAIError error = ConvertGeminiErrorText(502, std::string("<html>Bad Gateway</html>"));
  EXPECT_EQ(error.http_status, 502);
  EXPECT_EQ(error.body["error"]["message"], "<html>Bad Gateway</html>");
  EXPECT_EQ(error.body["error"]["type"], "server_error");
  OpenAIError empty = ConvertGeminiErrorText(500, std::string(""));
  EXPECT_THAT(empty.body["error"]["message"].get<std::string>(), HasSubstr("empty body"));
  OpenAIError long_body = ConvertGeminiErrorText(500, std::string(5000, 'x'));
  EXPECT_LT(long_body.body["error"]["message"].get<std::string>().size(), 1100u);
}

// Found by the answer fuzzer (tests/fuzz/openai_answer/error_html_bad_utf8):
// a non-JSON body's bytes went into the message as they were, so a page in
// Latin-1 made a message that is not UTF-8 (mangled by the JSON writer,
// refused by utf8mb4 log columns).
TEST(ErrorsTest, NonJsonBodiesBecomeUtf8Messages) {
  OpenAIError error = ConvertGeminiErrorText(502, std::string("<p>Caf\xE9 \xC3\xA9</p>"));
  EXPECT_EQ(error.body["error"]["message"], "<p>Caf\xEF\xBF\xBD \xC3\xA9</p>");
  // Cut at 1000 bytes without splitting the replacement character.
  OpenAIError long_body = ConvertGeminiErrorText(500, "x" + std::string(2000, '\xFF'));
  const std::string message = long_body.body["error"]["message"].get<std::string>();
  EXPECT_LT(message.size(), 1100u);
  EXPECT_EQ(nlohmann::json::parse(nlohmann::json(message).dump()), message) << "not valid UTF-8";
}

TEST(ErrorsTest, InStreamErrorsTakeTheirStatusFromTheBody) {
  OpenAIError error = ConvertGeminiError(0, J(R"({"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}})"));
  EXPECT_EQ(error.http_status, 503);
  OpenAIError by_name = ConvertGeminiError(200, J(R"({"error":{"message":"slow","status":"DEADLINE_EXCEEDED"}})"));
  EXPECT_EQ(by_name.http_status, 504);
  OpenAIError unknown = ConvertGeminiError(0, J(R"({"weird":true})"));
  EXPECT_EQ(unknown.http_status, 502);
}

TEST(ErrorsTest, GoogleStatusNames) {
  EXPECT_EQ(CodeForGoogleStatus("RESOURCE_EXHAUSTED", 0), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(CodeForGoogleStatus("", 404), absl::StatusCode::kNotFound);
  EXPECT_EQ(CodeForGoogleStatus("NEW_THING", 502), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace gempool::openai
