#include "gempool/gemini/client_auth.h"

#include <gtest/gtest.h>

namespace gempool::gemini {
namespace {

TEST(ExtractClientAuthTest, GoogApiKeyHeader) {
  ClientAuth auth = ExtractClientAuth({"sk-1", std::nullopt, ""});
  EXPECT_EQ(auth.token, "sk-1");
  EXPECT_EQ(auth.form, AuthForm::kGoogApiKeyHeader);
}

TEST(ExtractClientAuthTest, KeyQueryParameterDecoded) {
  ClientAuth auth = ExtractClientAuth({std::nullopt, std::nullopt, "alt=sse&key=sk%2D1"});
  EXPECT_EQ(auth.token, "sk-1");
  EXPECT_EQ(auth.form, AuthForm::kKeyQuery);
}

TEST(ExtractClientAuthTest, BearerCaseInsensitiveScheme) {
  ClientAuth auth = ExtractClientAuth({std::nullopt, "bearer  sk-1 ", ""});
  EXPECT_EQ(auth.token, "sk-1");
  EXPECT_EQ(auth.form, AuthForm::kBearer);
  EXPECT_EQ(ExtractClientAuth({std::nullopt, "Bearer sk-2", ""}).token, "sk-2");
}

TEST(ExtractClientAuthTest, OrderIsHeaderThenQueryThenBearer) {
  EXPECT_EQ(ExtractClientAuth({"h", "Bearer b", "key=q"}).form, AuthForm::kGoogApiKeyHeader);
  EXPECT_EQ(ExtractClientAuth({std::nullopt, "Bearer b", "key=q"}).form, AuthForm::kKeyQuery);
  EXPECT_EQ(ExtractClientAuth({"", "Bearer b", "key="}).form, AuthForm::kBearer);
}

TEST(ExtractClientAuthTest, XApiKeyAfterQueryBeforeBearer) {
  ClientAuth auth = ExtractClientAuth({std::nullopt, std::nullopt, "", " sk-a "});
  EXPECT_EQ(auth.form, AuthForm::kXApiKey);
  EXPECT_EQ(auth.token, "sk-a");
  EXPECT_EQ(auth.alternate_token, "");
  EXPECT_EQ(ExtractClientAuth({"h", std::nullopt, "", "x"}).form, AuthForm::kGoogApiKeyHeader);
  EXPECT_EQ(ExtractClientAuth({std::nullopt, std::nullopt, "key=q", "x"}).form, AuthForm::kKeyQuery);
  EXPECT_EQ(ExtractClientAuth({std::nullopt, "Bearer b", "", ""}).form, AuthForm::kBearer);
}

TEST(ExtractClientAuthTest, XApiKeyWithBearerKeepsBothTokens) {
  ClientAuth both = ExtractClientAuth({std::nullopt, "Bearer b", "", "x"});
  EXPECT_EQ(both.form, AuthForm::kXApiKey);
  EXPECT_EQ(both.token, "x");
  EXPECT_EQ(both.alternate_token, "b");
  EXPECT_EQ(ExtractClientAuth({std::nullopt, "Bearer same", "", "same"}).alternate_token, "");
}

TEST(ExtractClientAuthTest, NothingUsable) {
  EXPECT_EQ(ExtractClientAuth({std::nullopt, std::nullopt, ""}).form, AuthForm::kNone);
  EXPECT_EQ(ExtractClientAuth({" ", "Basic dXNlcjpwYXNz", "monkey=1"}).form, AuthForm::kNone);
  ClientAuth empty_bearer = ExtractClientAuth({std::nullopt, "Bearer ", ""});
  EXPECT_EQ(empty_bearer.form, AuthForm::kNone);
  EXPECT_EQ(empty_bearer.token, "");
}

}  // namespace
}  // namespace gempool::gemini
