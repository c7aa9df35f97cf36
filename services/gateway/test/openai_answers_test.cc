#include "openai/openai_answers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "gempool/openai/errors.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(OpenAIAnswersTest, WarningsHeaderIsOneLineOfPrintableAscii) {
  EXPECT_EQ(WarningsHeaderValue({}), "");
  EXPECT_EQ(WarningsHeaderValue({"logit_bias is ignored", "n capped\r\nat 8"}),
            "logit_bias is ignored; n capped  at 8");
  EXPECT_EQ(WarningsHeaderValue({"caf\xc3\xa9"}), "caf??");
  const std::string long_value = WarningsHeaderValue(std::vector<std::string>(500, std::string(20, 'w')));
  EXPECT_LE(long_value.size(), 4096u);
  EXPECT_THAT(long_value, ::testing::EndsWith("..."));
  HeaderList headers;
  AddWarningsHeader({}, headers);
  EXPECT_TRUE(headers.empty());
  AddWarningsHeader({"x"}, headers);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].first, "x-gempool-warnings");
  AddWarningsHeader({"y"}, headers);  // Still one header.
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].second, "x; y");
}

TEST(OpenAIAnswersTest, UpstreamFailuresKeepTheirStatusAndGetRetryAfter) {
  HttpReply quota;
  quota.status = 429;
  quota.body = R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[)"
               R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3.2s"}]}})";
  HttpReply reply = OpenAIUpstreamFailure(quota);
  EXPECT_EQ(reply.status, 429);
  EXPECT_EQ(reply.retry_after, "4");
  json body = json::parse(reply.body);
  EXPECT_EQ(body["error"]["message"], "quota");
  EXPECT_EQ(body["error"]["type"], "rate_limit_error");
  for (const char* field : {"message", "type", "param", "code"}) EXPECT_TRUE(body["error"].contains(field)) << field;

  quota.retry_after = "11";  // The Forwarder's (Retry-After header or the broker's estimate) wins.
  EXPECT_EQ(OpenAIUpstreamFailure(quota).retry_after, "11");

  HttpReply html;
  html.status = 502;
  html.content_type = "text/html";
  html.body = "<html>Bad Gateway</html>";
  HttpReply bad_gateway = OpenAIUpstreamFailure(html);
  EXPECT_EQ(bad_gateway.status, 502);
  EXPECT_EQ(json::parse(bad_gateway.body)["error"]["type"], "server_error");
}

TEST(OpenAIAnswersTest, KeysInUpstreamMessagesAreRedacted) {
  HttpReply suspended;
  suspended.status = 403;
  suspended.body = R"({"error":{"code":403,"message":"Consumer 'api_key:AIzaSyAbcdefghijklmnopqrstuvwxyz0123456' )"
                   R"(has been suspended.","status":"PERMISSION_DENIED"}})";
  HttpReply reply = OpenAIUpstreamFailure(suspended);
  EXPECT_EQ(reply.status, 403);
  EXPECT_THAT(reply.body, Not(HasSubstr("AIzaSyAbcdefghijklmnopqrstuvwxyz0123456")));
  EXPECT_THAT(reply.body, HasSubstr("suspended"));
}

TEST(OpenAIAnswersTest, OwnRefusalsNameTheirField) {
  HttpReply reply = OpenAIStatusReply(openai::FieldError("messages[0].role", "must be a string"));
  EXPECT_EQ(reply.status, 400);
  json body = json::parse(reply.body);
  EXPECT_EQ(body["error"]["param"], "messages[0].role");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
  EXPECT_EQ(OpenAIUnauthenticatedReply().status, 401);
  EXPECT_FALSE(ParseRequestJson("{", "{}").ok());
  EXPECT_TRUE(ParseRequestJson("{\"a\":1}", "{}").ok());
}

TEST(OpenAIAnswersTest, DumpJsonReplacesInvalidUtf8InsteadOfThrowing) {
  json value = std::string("ok \xff\xfe");
  EXPECT_NO_THROW(DumpJson(value));
  EXPECT_THAT(DumpJson(value), HasSubstr("ok"));
}

}  // namespace
}  // namespace gempool::gateway
