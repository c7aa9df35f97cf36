// Issue 14 §3: the native Gemini API honours the OpenAI routes' model
// options (derived -search/-image/-non-thinking models listed and resolved,
// FILTERED_MODELS hidden and refused, SAFETY_SETTINGS, THINKING_BUDGET_MAP,
// TOOLS_CODE_EXECUTION_ENABLED), and a body none of them changes still goes
// upstream byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

class NativeOptionsTest : public StackTest {
 protected:
  void StartWithOptions() {
    StackOptions options;
    options.extra_env = {
        {"SEARCH_MODELS", R"(["gemini-2.5-flash"])"},
        {"THINKING_MODELS", R"(["gemini-2.5-pro"])"},
        {"FILTERED_MODELS", R"(["gemini-2.0-flash"])"},
        {"THINKING_BUDGET_MAP", R"({"gemini-2.5-flash-lite": 1024})"},
        {"TOOLS_CODE_EXECUTION_ENABLED", "true"},
    };
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }

  static std::vector<std::string> Names(const json& page) {
    std::vector<std::string> names;
    for (const json& model : page["models"]) names.push_back(model["name"]);
    return names;
  }

  // The body the upstream got for the newest call of `operation`.
  json LastUpstreamBody(const std::string& operation, int64_t since) {
    const std::vector<UpstreamRequest> calls = Upstream(operation, since);
    if (calls.empty()) {
      ADD_FAILURE() << "no upstream " << operation;
      return {};
    }
    return json::parse(calls.back().body, nullptr, false);
  }
};

TEST_F(NativeOptionsTest, DerivedModelsAreListedInGooglesShapeAndFilteredOnesHidden) {
  ASSERT_NO_FATAL_FAILURE(StartWithOptions());
  auto gw = stack().Gateway();
  for (const char* path : {"/v1beta/models", "/v1/models", "/gemini/v1beta/models"}) {
    auto r = gw->Get(path, Auth());
    ASSERT_TRUE(r) << path;
    ASSERT_EQ(r->status, 200) << path << ": " << r->body;
    const json page = json::parse(r->body, nullptr, false);
    const std::vector<std::string> names = Names(page);
    EXPECT_THAT(names, Contains("models/gemini-2.5-flash-search")) << path;
    EXPECT_THAT(names, Contains("models/gemini-2.5-pro-non-thinking")) << path;
    EXPECT_THAT(names, Not(Contains("models/gemini-2.0-flash"))) << path;
    EXPECT_THAT(names, Not(Contains("models/gemini-2.5-pro-search"))) << path << ": not in SEARCH_MODELS";
  }
  // One derived model, as GET models/{id} answers it.
  auto one = gw->Get("/v1beta/models/gemini-2.5-flash-search", Auth());
  ASSERT_TRUE(one);
  ASSERT_EQ(one->status, 200) << one->body;
  const json model = json::parse(one->body);
  EXPECT_EQ(model["name"], "models/gemini-2.5-flash-search");
  EXPECT_EQ(model["inputTokenLimit"], 1048576) << "a copy of the base model";
  const std::vector<UpstreamRequest> got = Upstream("getModel");
  ASSERT_THAT(got, SizeIs(1));
  EXPECT_THAT(got[0].path, HasSubstr("/models/gemini-2.5-flash")) << "the base model is asked";
  EXPECT_THAT(got[0].path, Not(HasSubstr("-search")));
}

TEST_F(NativeOptionsTest, DerivedModelsResolveToTheBaseModelWithTheirOptions) {
  ASSERT_NO_FATAL_FAILURE(StartWithOptions());
  auto gw = stack().Gateway();
  int64_t since = LastUpstreamId();
  auto search = gw->Post(GeneratePath("gemini-2.5-flash-search").c_str(), Auth(), GenerateBody("news?"),
                         "application/json");
  ASSERT_TRUE(search);
  ASSERT_EQ(search->status, 200) << search->body;
  std::vector<UpstreamRequest> calls = Upstream("generateContent", since);
  ASSERT_THAT(calls, SizeIs(1));
  EXPECT_THAT(calls[0].path, HasSubstr("/models/gemini-2.5-flash:generateContent"));
  json body = json::parse(calls[0].body);
  EXPECT_EQ(body["tools"], json::parse(R"([{"googleSearch":{}}])")) << "no codeExecution next to search";
  EXPECT_EQ(body["safetySettings"].size(), 5u) << "SAFETY_SETTINGS' defaults when the request has none";
  EXPECT_EQ(body["generationConfig"]["thinkingConfig"], json::parse(R"({"includeThoughts":true})"))
      << "SHOW_THINKING_PROCESS for a thinking model";

  // -non-thinking: thinking at its lowest (2.5 Pro cannot switch it off),
  // on the stream route too.
  since = LastUpstreamId();
  StreamedResponse stream = PostStreaming(
      stack().gateway_port(), GeneratePath("gemini-2.5-pro-non-thinking", "streamGenerateContent") + "?alt=sse",
      Auth(), GenerateBody("quick"));
  ASSERT_EQ(stream.status, 200) << stream.body;
  calls = Upstream("streamGenerateContent", since);
  ASSERT_THAT(calls, SizeIs(1));
  EXPECT_THAT(calls[0].path, HasSubstr("/models/gemini-2.5-pro:streamGenerateContent"));
  body = json::parse(calls[0].body);
  EXPECT_EQ(body["generationConfig"]["thinkingConfig"], json::parse(R"({"thinkingBudget":128})"));
  EXPECT_EQ(body["tools"], json::parse(R"([{"codeExecution":{}}])")) << "TOOLS_CODE_EXECUTION_ENABLED";

  // THINKING_BUDGET_MAP when the client sets no thinking of its own.
  since = LastUpstreamId();
  auto budget = gw->Post(GeneratePath("gemini-2.5-flash-lite").c_str(), Auth(), GenerateBody("think"),
                         "application/json");
  ASSERT_TRUE(budget);
  ASSERT_EQ(budget->status, 200) << budget->body;
  EXPECT_EQ(LastUpstreamBody("generateContent", since)["generationConfig"]["thinkingConfig"],
            json::parse(R"({"thinkingBudget":1024,"includeThoughts":true})"));

  // countTokens names the base model in the body as in the URL.
  since = LastUpstreamId();
  const json count_body = {
      {"generateContentRequest",
       {{"model", "models/gemini-2.5-flash-search"}, {"contents", json::parse(GenerateBody("count"))["contents"]}}}};
  auto count = gw->Post(GeneratePath("gemini-2.5-flash-search", "countTokens").c_str(), Auth(), count_body.dump(),
                        "application/json");
  ASSERT_TRUE(count);
  ASSERT_EQ(count->status, 200) << count->body;
  calls = Upstream("countTokens", since);
  ASSERT_THAT(calls, SizeIs(1));
  EXPECT_THAT(calls[0].path, HasSubstr("/models/gemini-2.5-flash:countTokens"));
  EXPECT_EQ(json::parse(calls[0].body)["generateContentRequest"]["model"], "models/gemini-2.5-flash");
}

TEST_F(NativeOptionsTest, FilteredModelsAreRefusedWithoutAnUpstreamCall) {
  ASSERT_NO_FATAL_FAILURE(StartWithOptions());
  auto gw = stack().Gateway();
  for (const std::string& path :
       {GeneratePath("gemini-2.0-flash"), GeneratePath("gemini-2.0-flash", "streamGenerateContent"),
        std::string("/v1beta/models/gemini-2.0-flash")}) {
    auto r = path.rfind(":") == std::string::npos
                 ? gw->Get(path.c_str(), Auth())
                 : gw->Post(path.c_str(), Auth(), GenerateBody("hi"), "application/json");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path << ": " << r->body;
    const json error = json::parse(r->body, nullptr, false);
    EXPECT_EQ(error["error"]["status"], "NOT_FOUND") << r->body;
    EXPECT_THAT(error["error"]["message"].get<std::string>(), HasSubstr("FILTERED_MODELS"));
  }
  EXPECT_THAT(Upstream(), IsEmpty());
}

TEST_F(NativeOptionsTest, ABodyTheOptionsDoNotChangeGoesUpstreamByteForByte) {
  ASSERT_NO_FATAL_FAILURE(StartWithOptions());
  // Safety settings and a thinking setting of its own: nothing to add (2.5
  // Pro is not listed for URL context; code execution stays out next to
  // function declarations).
  const std::string body =
      "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"h\\u00e9llo\"}]}],\n"
      "  \"tools\": [{\"functionDeclarations\": [{\"name\": \"f\"}]}],\n"
      "  \"safetySettings\": [{\"category\": \"HARM_CATEGORY_HARASSMENT\", \"threshold\": \"BLOCK_NONE\"}],\n"
      "  \"generationConfig\": {\"temperature\": 0.70, \"thinkingConfig\": {\"thinkingBudget\": -1}}   }";
  auto gw = stack().Gateway();
  auto plain = gw->Post(GeneratePath(kPro).c_str(), Auth(), body, "application/json");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200) << plain->body;
  StreamedResponse sse =
      PostStreaming(stack().gateway_port(), GeneratePath(kPro, "streamGenerateContent") + "?alt=sse", Auth(), body);
  EXPECT_EQ(sse.status, 200) << sse.body;
  const std::vector<UpstreamRequest> upstream = Upstream();
  ASSERT_THAT(upstream, SizeIs(2));
  for (const UpstreamRequest& r : upstream) EXPECT_EQ(r.body, body) << "the body changed on the way to " << r.path;
}

}  // namespace
}  // namespace gempool::integration
