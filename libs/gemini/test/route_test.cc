#include "gempool/gemini/route.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"

namespace gempool::gemini {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseRouteTest, GenerateContentUnderV1beta) {
  auto route = ParseRoute("POST", "/v1beta/models/gemini-2.5-flash:generateContent");
  ASSERT_TRUE(route.ok()) << route.status();
  EXPECT_EQ(route->api_version, "v1beta");
  EXPECT_EQ(route->prefix, "");
  EXPECT_EQ(route->collection, "models");
  EXPECT_EQ(route->model, "gemini-2.5-flash");
  EXPECT_EQ(route->method, Method::kGenerateContent);
  EXPECT_FALSE(route->IsStream());
  EXPECT_EQ(route->ResourceName(), "models/gemini-2.5-flash");
  EXPECT_EQ(route->QuotaModel(), "gemini-2.5-flash");
  EXPECT_EQ(route->UpstreamPath(), "/v1beta/models/gemini-2.5-flash:generateContent");
}

TEST(ParseRouteTest, EveryPostMethodUnderEveryVersionAndPrefix) {
  const std::pair<const char*, Method> methods[] = {
      {"generateContent", Method::kGenerateContent},
      {"streamGenerateContent", Method::kStreamGenerateContent},
      {"countTokens", Method::kCountTokens},
      {"embedContent", Method::kEmbedContent},
      {"batchEmbedContents", Method::kBatchEmbedContents},
      {"predict", Method::kPredict}};
  for (const char* prefix : {"", "/gemini"}) {
    for (const char* version : {"v1beta", "v1", "v1alpha"}) {
      for (const auto& [name, method] : methods) {
        const std::string path = std::string(prefix) + "/" + version + "/models/m-1:" + name;
        auto route = ParseRoute("POST", path);
        ASSERT_TRUE(route.ok()) << path << ": " << route.status();
        EXPECT_EQ(route->prefix, prefix);
        EXPECT_EQ(route->api_version, version);
        EXPECT_EQ(route->method, method);
        EXPECT_STREQ(MethodName(route->method), name);
        EXPECT_EQ(route->UpstreamPath(), std::string("/") + version + "/models/m-1:" + name);
      }
    }
  }
}

TEST(ParseRouteTest, StreamIsStream) {
  auto route = ParseRoute("POST", "/gemini/v1beta/models/x:streamGenerateContent");
  ASSERT_TRUE(route.ok());
  EXPECT_TRUE(route->IsStream());
}

TEST(ParseRouteTest, EncodedColonAndSlash) {
  auto route = ParseRoute("POST", "/v1beta/models/gemini-2.5-flash%3AstreamGenerateContent");
  ASSERT_TRUE(route.ok()) << route.status();
  EXPECT_EQ(route->model, "gemini-2.5-flash");
  EXPECT_EQ(route->method, Method::kStreamGenerateContent);
  auto lower = ParseRoute("POST", "/v1beta/models%2fgemini-pro%3acountTokens");
  ASSERT_TRUE(lower.ok()) << lower.status();
  EXPECT_EQ(lower->method, Method::kCountTokens);
}

TEST(ParseRouteTest, TunedModels) {
  auto route = ParseRoute("POST", "/v1beta/tunedModels/my-tune-42:generateContent");
  ASSERT_TRUE(route.ok()) << route.status();
  EXPECT_EQ(route->collection, "tunedModels");
  EXPECT_EQ(route->model, "my-tune-42");
  EXPECT_EQ(route->ResourceName(), "tunedModels/my-tune-42");
  EXPECT_EQ(route->QuotaModel(), "tunedModels/my-tune-42");
  EXPECT_EQ(route->UpstreamPath(), "/v1beta/tunedModels/my-tune-42:generateContent");
}

TEST(ParseRouteTest, ListAndGetModels) {
  for (const char* path : {"/v1beta/models", "/v1beta/models/", "/gemini/v1/models"}) {
    auto route = ParseRoute("GET", path);
    ASSERT_TRUE(route.ok()) << path << ": " << route.status();
    EXPECT_EQ(route->method, Method::kListModels);
    EXPECT_EQ(route->model, "");
    EXPECT_EQ(route->QuotaModel(), "");
  }
  EXPECT_EQ(ParseRoute("GET", "/gemini/v1/models")->UpstreamPath(), "/v1/models");
  auto get = ParseRoute("GET", "/v1beta/models/gemini-2.5-pro");
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->method, Method::kGetModel);
  EXPECT_EQ(get->model, "gemini-2.5-pro");
  EXPECT_EQ(get->QuotaModel(), "");
  EXPECT_EQ(get->UpstreamPath(), "/v1beta/models/gemini-2.5-pro");
}

TEST(ParseRouteTest, RejectsWhatIsNotAServedCall) {
  for (const auto& [verb, path] : std::vector<std::pair<const char*, const char*>>{
           {"POST", "/v2/models/x:generateContent"},
           {"POST", "/v1beta/models/x:predictLongRunning"},
           {"POST", "/v1beta/models/:generateContent"},
           {"POST", "/v1beta/files"},
           {"POST", "/v1beta/models/a/b:generateContent"},
           {"GET", "/v1beta/models/x:generateContent"},
           {"POST", "/v1beta/models"},
           {"POST", "/v1beta/models/x"},
           {"GET", "/gemini"},
           {"GET", "models"},
           {"GET", "//v1beta/models"},
       }) {
    EXPECT_THAT(ParseRoute(verb, path), StatusIs(absl::StatusCode::kNotFound, HasSubstr(path)))
        << verb << " " << path;
  }
  EXPECT_THAT(ParseRoute("POST", "/v1beta/models/x:predictLongRunning"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("predictLongRunning")));
}

TEST(ParseRouteTest, RejectsOddModelIds) {
  EXPECT_THAT(ParseRoute("POST", "/v1beta/models/g%FF:generateContent"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model id")));
  EXPECT_THAT(ParseRoute("GET", "/v1beta/models/a%20b"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

// "." and ".." passed as model ids, so GET /v1beta/models/.. went upstream as
// a dot segment that normalises to /v1beta/, another resource than the client
// named (the route fuzzer's invariant; tests/fuzz/gemini_route/dot_model).
TEST(ParseRouteTest, RejectsDotSegmentModelIds) {
  for (const char* path : {"/v1beta/models/..", "/v1beta/models/.", "/v1beta/models/%2E%2E",
                           "/gemini/v1/tunedModels/.."}) {
    EXPECT_THAT(ParseRoute("GET", path), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model id")))
        << path;
  }
  EXPECT_THAT(ParseRoute("POST", "/v1beta/models/..:generateContent"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(ParseRoute("GET", "/v1beta/models/...").ok());
}

}  // namespace
}  // namespace gempool::gemini
