#include "gempool/responses/errors.h"

#include <gtest/gtest.h>

#include "gempool/openai/errors.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

TEST(ErrorsTest, UnknownPreviousResponseIsA404NamingTheField) {
  openai::OpenAIError error = openai::OpenAIErrorFromStatus(UnknownPreviousResponse("resp_x"));
  EXPECT_EQ(error.http_status, 404);
  EXPECT_EQ(error.body["error"]["param"], "previous_response_id");
  EXPECT_EQ(error.body["error"]["type"], "invalid_request_error");
  EXPECT_NE(error.body["error"]["message"].get<std::string>().find("resp_x"), std::string::npos);
}

TEST(ErrorsTest, UnknownResponseIsA404) {
  EXPECT_EQ(openai::OpenAIErrorFromStatus(UnknownResponse("resp_y")).http_status, 404);
}

TEST(ErrorsTest, ResponseErrorObjectUsesResponseErrorCodes) {
  openai::OpenAIError limited = openai::ConvertGeminiErrorText(
      429, R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}})");
  EXPECT_EQ(ResponseErrorObject(limited), (nlohmann::json{{"code", "rate_limit_exceeded"}, {"message", "quota"}}));
  openai::OpenAIError server = openai::ConvertGeminiErrorText(500, "<html>oops</html>");
  EXPECT_EQ(ResponseErrorObject(server)["code"], "server_error");
  openai::OpenAIError bad = openai::ConvertGeminiErrorText(400, R"({"error":{"code":400,"message":"bad"}})");
  EXPECT_EQ(ResponseErrorObject(bad)["code"], "invalid_prompt");
}

}  // namespace
}  // namespace gempool::responses
