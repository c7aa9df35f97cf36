#include "gempool/gemini/request_body_for_log.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gempool::gemini {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RequestBodyForLogTest, KeepsAnOrdinaryBodyAsCompactJson) {
  EXPECT_EQ(RequestBodyForLog(R"({ "contents": [ {"parts": [{"text": "hi"}]} ],
                                   "generationConfig": {"maxOutputTokens": 10} })",
                              {}),
            R"({"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":10}})");
}

TEST(RequestBodyForLogTest, RedactsSecretMembersAtAnyDepth) {
  const std::string out = RequestBodyForLog(
      R"({"tools":[{"functionDeclarations":[{"name":"f"}]}],
          "x":{"api_key":"abc123","accessToken":"tok-1","Authorization":"xyz","client_secret":"s",
               "password":"p","nested":[{"x-goog-api-key":"k2"}],"key":"k3"}})",
      {});
  for (const char* secret : {"abc123", "tok-1", "xyz", "\"s\"", "\"p\"", "k2", "k3"}) {
    EXPECT_THAT(out, Not(HasSubstr(secret))) << out;
  }
  EXPECT_THAT(out, HasSubstr(R"("api_key":"[redacted]")"));
  EXPECT_THAT(out, HasSubstr(R"("name":"f")"));
}

TEST(RequestBodyForLogTest, RedactsBearerValuesAnywhere) {
  const std::string out =
      RequestBodyForLog(R"({"headers":[{"name":"Authorization","value":"Bearer sk-secret-1"}]})", {});
  EXPECT_THAT(out, Not(HasSubstr("sk-secret-1")));
  EXPECT_THAT(out, HasSubstr("Bearer [redacted]"));
}

TEST(RequestBodyForLogTest, MasksGoogleKeysAndListedSecretsInText) {
  const std::string key = "AIzaSyA1234567890abcdefghijklmnopqrstuv";
  const std::string out =
      RequestBodyForLog(R"({"contents":[{"parts":[{"text":"my key is )" + key + R"( and pw hunter22"}]}]})",
                        {"hunter22"});
  EXPECT_THAT(out, Not(HasSubstr(key)));
  EXPECT_THAT(out, Not(HasSubstr("hunter22")));
  EXPECT_THAT(out, HasSubstr("AIzaSy...stuv"));
}

TEST(RequestBodyForLogTest, ReplacesInlineDataWithItsSize) {
  const std::string out = RequestBodyForLog(
      R"({"contents":[{"parts":[{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
                                {"inline_data":{"mime_type":"image/png","data":"AAAA"}}]}]})",
      {});
  EXPECT_THAT(out, Not(HasSubstr("iVBORw0KGgo")));
  // Members come out sorted by name (nlohmann::json).
  EXPECT_THAT(out, HasSubstr(R"({"data":"[base64, 9 bytes]","mimeType":"image/png"})")) << out;
  EXPECT_THAT(out, HasSubstr(R"("data":"[base64, 3 bytes]")")) << out;
}

TEST(RequestBodyForLogTest, ReplacesDataUrisAndLongBase64Strings) {
  const std::string blob(1000, 'A');
  const std::string out = RequestBodyForLog(
      R"({"a":"data:image/png;base64,)" + blob + R"(","instances":[{"image":{"bytesBase64Encoded":")" + blob +
          R"("}}],"short":"AAAA"})",
      {});
  EXPECT_THAT(out, Not(HasSubstr(blob)));
  EXPECT_THAT(out, HasSubstr(R"("a":"data:image/png;base64,[base64, 750 bytes]")")) << out;
  EXPECT_THAT(out, HasSubstr(R"("bytesBase64Encoded":"[base64, 750 bytes]")")) << out;
  EXPECT_THAT(out, HasSubstr(R"("short":"AAAA")"));
}

TEST(RequestBodyForLogTest, NonJsonBodyKeepsTextWithSecretsRedacted) {
  const std::string out = RequestBodyForLog("token=1&auth=Bearer abc.def&k=AIzaSyA1234567890abcdefghijklmnopqrstuv", {});
  EXPECT_THAT(out, Not(HasSubstr("abc.def")));
  EXPECT_THAT(out, Not(HasSubstr("AIzaSyA1234567890abcdefghijklmnopqrstuv")));
  EXPECT_THAT(out, HasSubstr("Bearer [redacted]&k="));
}

TEST(RequestBodyForLogTest, InvalidUtf8InJsonStringsStaysValidJson) {
  const std::string out = RequestBodyForLog("{\"text\":\"caf\xC3\"}", {});
  // nlohmann rejects the invalid byte, so it is kept as text; what the log
  // stores is made valid UTF-8 by the caller's cap (LogSafeText).
  EXPECT_FALSE(out.empty());
}

TEST(RequestBodyForLogTest, HugeBodyIsReplacedByANote) {
  const std::string body(kMaxRedactedRequestBody + 1, ' ');
  EXPECT_THAT(RequestBodyForLog(body, {}), HasSubstr("not recorded: larger than 8 MiB"));
}

}  // namespace
}  // namespace gempool::gemini
