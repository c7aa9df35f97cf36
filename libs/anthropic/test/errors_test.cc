#include "gempool/anthropic/errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace gempool::anthropic {
namespace {

using nlohmann::json;

std::string Type(const AnthropicError& error) { return error.body["error"]["type"].get<std::string>(); }
std::string Message(const AnthropicError& error) { return error.body["error"]["message"].get<std::string>(); }

TEST(ErrorsTest, ErrorTypeForEveryStatus) {
  const std::pair<int, const char*> rows[] = {
      {400, "invalid_request_error"}, {401, "authentication_error"}, {402, "invalid_request_error"},
      {403, "permission_error"},      {404, "not_found_error"},      {409, "invalid_request_error"},
      {413, "request_too_large"},     {422, "invalid_request_error"}, {429, "rate_limit_error"},
      {499, "invalid_request_error"}, {500, "api_error"},            {501, "api_error"},
      {502, "api_error"},             {503, "overloaded_error"},     {504, "timeout_error"},
      {529, "overloaded_error"},      {599, "api_error"},
  };
  for (const auto& [status, type] : rows) EXPECT_STREQ(AnthropicErrorType(status), type) << status;
}

TEST(ErrorsTest, BodyShape) {
  EXPECT_EQ(AnthropicErrorBody("not_found_error", "no such model"),
            json::parse(R"({"type":"error","error":{"type":"not_found_error","message":"no such model"}})"));
}

TEST(ErrorsTest, FromStatusUsesTheSharedHttpMapping) {
  const struct {
    absl::StatusCode code;
    int http;
    const char* type;
  } rows[] = {
      {absl::StatusCode::kInvalidArgument, 400, "invalid_request_error"},
      {absl::StatusCode::kUnauthenticated, 401, "authentication_error"},
      {absl::StatusCode::kPermissionDenied, 403, "permission_error"},
      {absl::StatusCode::kNotFound, 404, "not_found_error"},
      {absl::StatusCode::kResourceExhausted, 429, "rate_limit_error"},
      {absl::StatusCode::kInternal, 500, "api_error"},
      {absl::StatusCode::kUnavailable, 503, "overloaded_error"},
      {absl::StatusCode::kDeadlineExceeded, 504, "timeout_error"},
  };
  for (const auto& row : rows) {
    AnthropicError error = AnthropicErrorFromStatus(absl::Status(row.code, "why"));
    EXPECT_EQ(error.http_status, row.http) << row.code;
    EXPECT_EQ(Type(error), row.type) << row.code;
    EXPECT_EQ(Message(error), "why");
    EXPECT_FALSE(error.retry_after_seconds.has_value());
  }
}

TEST(ErrorsTest, GeminiErrorsKeepTheirStatusExcept503) {
  const struct {
    int http;
    const char* google_status;
    int want_http;
    const char* want_type;
  } rows[] = {
      {400, "INVALID_ARGUMENT", 400, "invalid_request_error"},
      {401, "UNAUTHENTICATED", 401, "authentication_error"},
      {403, "PERMISSION_DENIED", 403, "permission_error"},
      {404, "NOT_FOUND", 404, "not_found_error"},
      {413, "", 413, "request_too_large"},
      {429, "RESOURCE_EXHAUSTED", 429, "rate_limit_error"},
      {409, "ABORTED", 409, "invalid_request_error"},
      {500, "INTERNAL", 500, "api_error"},
      {502, "", 502, "api_error"},
      {503, "UNAVAILABLE", 529, "overloaded_error"},
      {504, "DEADLINE_EXCEEDED", 504, "timeout_error"},
  };
  for (const auto& row : rows) {
    json body = {{"error", {{"code", row.http}, {"message", "upstream says no"}, {"status", row.google_status}}}};
    AnthropicError error = ConvertGeminiError(row.http, body);
    EXPECT_EQ(error.http_status, row.want_http) << row.http;
    EXPECT_EQ(Type(error), row.want_type) << row.http;
    EXPECT_EQ(Message(error), "upstream says no");
    EXPECT_EQ(error.body["type"], "error");
  }
}

TEST(ErrorsTest, InStreamErrorsTakeTheirStatusFromTheBody) {
  AnthropicError error = ConvertGeminiError(
      0, json::parse(R"([{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}])"));
  EXPECT_EQ(error.http_status, 529);
  EXPECT_EQ(Type(error), "overloaded_error");
  EXPECT_EQ(Message(error), "The model is overloaded.");
}

TEST(ErrorsTest, RetryAfterAndRedaction) {
  const std::string body = R"({"error":{"code":429,"status":"RESOURCE_EXHAUSTED",
      "message":"Quota exceeded for key AIzaSyA1234567890abcdefghijklmnopqrstuv and secret-token",
      "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"17.2s"}]}})";
  AnthropicError error = ConvertGeminiErrorText(429, body, {"secret-token"});
  EXPECT_EQ(error.http_status, 429);
  EXPECT_EQ(error.retry_after_seconds, 18);
  EXPECT_THAT(Message(error), ::testing::Not(::testing::HasSubstr("AIzaSyA1234567890")));
  EXPECT_THAT(Message(error), ::testing::Not(::testing::HasSubstr("secret-token")));
}

TEST(ErrorsTest, NonJsonBodiesBecomeTheMessage) {
  AnthropicError error = ConvertGeminiErrorText(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(error.http_status, 502);
  EXPECT_EQ(Type(error), "api_error");
  EXPECT_THAT(Message(error), ::testing::HasSubstr("Bad Gateway"));
  AnthropicError empty = ConvertGeminiErrorText(503, "");
  EXPECT_EQ(empty.http_status, 529);
  EXPECT_FALSE(Message(empty).empty());
}

TEST(ErrorsTest, ContextOverflowIsWordedForClaudeCode) {
  AnthropicError error = ConvertGeminiError(
      400, json::parse(R"({"error":{"code":400,"status":"INVALID_ARGUMENT","message":
          "The input token count (1200345) exceeds the maximum number of tokens allowed (1048576)."}})"));
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(Type(error), "invalid_request_error");
  EXPECT_THAT(Message(error), ::testing::StartsWith("prompt is too long: 1200345 tokens > 1048576 maximum"));
  EXPECT_THAT(Message(error), ::testing::HasSubstr("The input token count"));
  // Other 400s pass through untouched.
  AnthropicError other = ConvertGeminiError(
      400, json::parse(R"({"error":{"code":400,"status":"INVALID_ARGUMENT","message":"Invalid value at 'x'"}})"));
  EXPECT_EQ(Message(other), "Invalid value at 'x'");
}

}  // namespace
}  // namespace gempool::anthropic
