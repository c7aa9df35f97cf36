// Image hosting (UPLOAD_PROVIDER) through the whole stack: an image model's
// answer on the OpenAI chat route (and /v1/images/generations with
// response_format=url) carries a link on the configured image host instead
// of a data: URI, and the host holds exactly the image's bytes. Each
// provider's upload goes to its fake (tests/fake_image_host), which checks
// the real request format (OSS: the signature, recomputed). A failing host,
// or none configured, leaves the data: URI, with x-gempool-warnings saying
// why (a stream: an SSE comment); UPLOAD_PROVIDER=none leaves it silently.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "integration/fake_image_host_process.h"
#include "integration/http_calls.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
const FakeImageHostCredentials kCredentials;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kImageModel[] = "gemini-2.5-flash-image-preview";
// Not a real PNG; the bytes only have to come back unchanged.
const std::string kImageBytes("\x89PNG\r\n\x1a\n\0\0\0\rIHDR gempool test image \xff\xfe", 37);

class ImageHostingTest : public StackTest {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / "gempool-imagehost-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    auto host = FakeImageHost::Start(testing::BinDir(), dir_, dir_ + "/fake-image-host.log");
    ASSERT_TRUE(host.ok()) << host.status();
    host_ = *std::move(host);
  }
  void TearDown() override {
    if (HasFailure() && host_ != nullptr) std::cerr << "fake-image-host:\n" << host_->process().Output() << "\n";
    StackTest::TearDown();
    host_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts the stack with `env` and the fake Gemini answering every call
  // with text and the image (as one JSON answer, or as an SSE stream of a
  // text event, the image event and a closing text event).
  void StartWith(std::map<std::string, std::string> env) {
    StackOptions options;
    options.extra_env = std::move(env);
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
    const json image_part = {{"inlineData", {{"mimeType", "image/png"}, {"data", absl::Base64Escape(kImageBytes)}}}};
    const json answer = {
        {"candidates",
         {{{"content", {{"role", "model"}, {"parts", {{{"text", "Here is the fox."}}, image_part}}}},
           {"finishReason", "STOP"},
           {"index", 0}}}},
        {"usageMetadata", {{"promptTokenCount", 5}, {"candidatesTokenCount", 7}, {"totalTokenCount", 12}}},
        {"modelVersion", kImageModel}};
    auto event = [](const json& parts, bool last) {
      json e = {{"candidates", {{{"content", {{"role", "model"}, {"parts", parts}}}, {"index", 0}}}},
                {"modelVersion", kImageModel}};
      if (last) e["candidates"][0]["finishReason"] = "STOP";
      return absl::StrCat("data: ", e.dump(), "\r\n\r\n");
    };
    const std::string stream = absl::StrCat(event(json::array({{{"text", "Here is "}}}), false),
                                            event(json::array({image_part}), false),
                                            event(json::array({{{"text", "the fox."}}}), true));
    answer_ = answer.dump();
    streamed_ = stream;
  }

  httplib::Headers Bearer() const { return {{"Authorization", "Bearer " + stack_->token()}}; }

  // POST /v1/chat/completions (not streamed) for the image model.
  httplib::Result Chat() {
    EXPECT_TRUE(fake()
                    .Script({{"model", kImageModel},
                             {"responses", json::array({{{"status", 200}, {"body", answer_}}})}})
                    .ok());
    const json body = {{"model", kImageModel}, {"messages", {{{"role", "user"}, {"content", "draw a fox"}}}}};
    return stack().Gateway()->Post("/v1/chat/completions", Bearer(), body.dump(), "application/json");
  }

  // The same, streamed: the fake answers with the SSE body.
  StreamedResponse ChatStreamed() {
    EXPECT_TRUE(fake()
                    .Script({{"model", kImageModel},
                             {"responses", json::array({{{"status", 200},
                                                         {"body", streamed_},
                                                         {"contentType", "text/event-stream"}}})}})
                    .ok());
    const json body = {{"model", kImageModel},
                       {"stream", true},
                       {"messages", {{{"role", "user"}, {"content", "draw a fox"}}}}};
    return PostStreaming(stack().gateway_port(), "/v1/chat/completions", Bearer(), body.dump());
  }

  // The message content of a chat.completion.
  static std::string Content(const std::string& body) {
    const json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("choices")) return "<not a completion: " + body + ">";
    return parsed["choices"][0]["message"]["content"].get<std::string>();
  }

  // The delta contents of a streamed chat, joined.
  static std::string StreamedContent(const std::string& body) {
    std::string out;
    for (const std::string& event : SseEvents(body)) {
      if (event == "[DONE]") continue;
      const json chunk = json::parse(event, nullptr, false);
      if (chunk.is_discarded() || !chunk.contains("choices") || chunk["choices"].empty()) continue;
      const json& delta = chunk["choices"][0]["delta"];
      if (delta.contains("content") && delta["content"].is_string()) out += delta["content"].get<std::string>();
    }
    return out;
  }

  // The link of the one Markdown image in `content`.
  static std::string ImageLink(const std::string& content) {
    const size_t start = content.find("![image](");
    if (start == std::string::npos) return "";
    const size_t end = content.find(')', start);
    return content.substr(start + 9, end - start - 9);
  }

  // Checks that `content` shows the image as a link on the fake host that
  // serves exactly the image's bytes; returns the link.
  std::string ExpectHostedImage(const std::string& content, const std::string& path_prefix) {
    EXPECT_THAT(content, Not(HasSubstr("data:image")));
    const std::string link = ImageLink(content);
    EXPECT_THAT(link, StartsWith(host_->Origin() + path_prefix)) << content;
    absl::StatusOr<std::string> served = host_->Fetch(link);
    EXPECT_TRUE(served.ok()) << served.status();
    if (served.ok()) {
      EXPECT_EQ(*served, kImageBytes);
    }
    return link;
  }

  static std::string DataUri() { return absl::StrCat("data:image/png;base64,", absl::Base64Escape(kImageBytes)); }

  std::string dir_;
  std::unique_ptr<FakeImageHost> host_;
  std::string answer_;    // The fake Gemini's whole answer.
  std::string streamed_;  // The same as an SSE stream.
};

TEST_F(ImageHostingTest, SmmsLinkInTheChatAnswer) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "smms"},
                                     {"SMMS_SECRET_TOKEN", kCredentials.smms_token},
                                     {"SMMS_API_URL", host_->Origin() + "/smms/api/v2/upload"}}));
  auto res = Chat();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_FALSE(res->has_header("x-gempool-warnings")) << res->get_header_value("x-gempool-warnings");
  const std::string content = Content(res->body);
  EXPECT_THAT(content, StartsWith("Here is the fox."));
  ExpectHostedImage(content, "/smms/i/");
  // The same image again: SM.MS answers "image_repeated" with the first
  // copy's link, which serves as well.
  auto again = Chat();
  ASSERT_TRUE(again);
  EXPECT_EQ(ImageLink(Content(again->body)), ImageLink(content));
  absl::StatusOr<json> uploads = host_->Uploads();
  ASSERT_TRUE(uploads.ok());
  ASSERT_THAT(*uploads, SizeIs(1));
  EXPECT_THAT((*uploads)[0]["filename"].get<std::string>(), ::testing::EndsWith(".png"));
}

TEST_F(ImageHostingTest, PicgoLinkInAStreamedChat) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "picgo"},
                                     {"PICGO_API_KEY", kCredentials.picgo_key},
                                     {"PICGO_API_URL", host_->Origin() + "/picgo/api/1/upload"}}));
  StreamedResponse res = ChatStreamed();
  ASSERT_TRUE(res.completed) << httplib::to_string(res.error);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.body, Not(HasSubstr("x-gempool-warnings")));
  const std::string content = StreamedContent(res.body);
  EXPECT_THAT(content, StartsWith("Here is "));
  EXPECT_THAT(content, ::testing::EndsWith("the fox."));
  ExpectHostedImage(content, "/picgo/images/");
  absl::StatusOr<json> uploads = host_->Uploads();
  ASSERT_TRUE(uploads.ok());
  ASSERT_THAT(*uploads, SizeIs(1));
  // A custom PICGO_API_URL gets the key as ?key=, as gemini-balance sends it.
  EXPECT_EQ((*uploads)[0]["query"], absl::StrCat("key=", kCredentials.picgo_key));
}

TEST_F(ImageHostingTest, CloudflareImgbedLinkOnItsOrigin) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "cloudflare_imgbed"},
                                     {"CLOUDFLARE_IMGBED_URL", host_->Origin() + "/imgbed/upload"},
                                     {"CLOUDFLARE_IMGBED_AUTH_CODE", kCredentials.imgbed_auth_code},
                                     {"CLOUDFLARE_IMGBED_UPLOAD_FOLDER", "gempool"}}));
  auto res = Chat();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ExpectHostedImage(Content(res->body), "/file/gempool/");
  absl::StatusOr<json> uploads = host_->Uploads();
  ASSERT_TRUE(uploads.ok());
  ASSERT_THAT(*uploads, SizeIs(1));
  EXPECT_THAT((*uploads)[0]["query"].get<std::string>(), HasSubstr("uploadNameType=origin"));
}

TEST_F(ImageHostingTest, AliyunOssSignedPutPathStyleOnAnIpEndpoint) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "aliyun_oss"},
                                     {"OSS_ENDPOINT", host_->Origin()},
                                     {"OSS_BUCKET_NAME", kCredentials.oss_bucket},
                                     {"OSS_ACCESS_KEY", kCredentials.oss_access_key},
                                     {"OSS_ACCESS_KEY_SECRET", kCredentials.oss_secret},
                                     {"OSS_REGION", "cn-hangzhou"}}));
  auto res = Chat();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_FALSE(res->has_header("x-gempool-warnings")) << res->get_header_value("x-gempool-warnings");
  ExpectHostedImage(Content(res->body), absl::StrCat("/", kCredentials.oss_bucket, "/"));
  StreamedResponse streamed = ChatStreamed();
  ASSERT_EQ(streamed.status, 200);
  ExpectHostedImage(StreamedContent(streamed.body), absl::StrCat("/", kCredentials.oss_bucket, "/"));
}

TEST_F(ImageHostingTest, AWrongOssSecretLeavesTheDataUriAndSaysWhy) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "aliyun_oss"},
                                     {"OSS_ENDPOINT", host_->Origin()},
                                     {"OSS_BUCKET_NAME", kCredentials.oss_bucket},
                                     {"OSS_ACCESS_KEY", kCredentials.oss_access_key},
                                     {"OSS_ACCESS_KEY_SECRET", "not-the-secret"}}));
  auto res = Chat();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(Content(res->body), HasSubstr("![image](" + DataUri() + ")"));
  EXPECT_EQ(res->get_header_value("x-gempool-warnings"),
            "image left inline as a data: URI: Aliyun OSS refused the upload (HTTP 403): SignatureDoesNotMatch: The "
            "request signature we calculated does not match the signature you provided. Check your key and signing "
            "method.");
}

TEST_F(ImageHostingTest, AFailingHostLeavesTheDataUriWithAWarning) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "picgo"},
                                     {"PICGO_API_KEY", kCredentials.picgo_key},
                                     {"PICGO_API_URL", host_->Origin() + "/picgo/api/1/upload"}}));
  ASSERT_TRUE(host_->FailNext("picgo", 503, R"({"status_code":503,"error":{"message":"Service Unavailable"}})", 2)
                  .ok());
  auto res = Chat();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(Content(res->body), HasSubstr("![image](" + DataUri() + ")"));
  EXPECT_EQ(res->get_header_value("x-gempool-warnings"),
            "image left inline as a data: URI: PicGo refused the upload (HTTP 503): Service Unavailable");

  // Streamed: the image stays inline and an SSE comment says why.
  StreamedResponse streamed = ChatStreamed();
  ASSERT_EQ(streamed.status, 200);
  EXPECT_THAT(StreamedContent(streamed.body), HasSubstr("![image](" + DataUri() + ")"));
  EXPECT_THAT(streamed.body, HasSubstr(": x-gempool-warnings: image left inline as a data: URI: PicGo refused the "
                                       "upload (HTTP 503): Service Unavailable\n\n"));
}

TEST_F(ImageHostingTest, FakeStreamingUploadsTheImagesOfTheWholeAnswer) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"FAKE_STREAM_ENABLED", "true"},
                                     {"UPLOAD_PROVIDER", "smms"},
                                     {"SMMS_SECRET_TOKEN", kCredentials.smms_token},
                                     {"SMMS_API_URL", host_->Origin() + "/smms/api/v2/upload"}}));
  // One buffered upstream call serves the stream: the whole answer.
  ASSERT_TRUE(fake()
                  .Script({{"model", kImageModel},
                           {"responses", json::array({{{"status", 200}, {"body", answer_}}})}})
                  .ok());
  const json body = {{"model", kImageModel},
                     {"stream", true},
                     {"messages", {{{"role", "user"}, {"content", "draw a fox"}}}}};
  StreamedResponse res = PostStreaming(stack().gateway_port(), "/v1/chat/completions", Bearer(), body.dump());
  ASSERT_TRUE(res.completed) << httplib::to_string(res.error);
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.Header("x-gempool-warnings"), "");
  ExpectHostedImage(StreamedContent(res.body), "/smms/i/");

  // A failing host: the image stays inline, and the warning is in the head
  // (the answer was in before the first heartbeat was due).
  ASSERT_TRUE(host_->FailNext("smms", 500, R"({"success":false,"code":"error","message":"Server error"})").ok());
  ASSERT_TRUE(fake()
                  .Script({{"model", kImageModel},
                           {"responses", json::array({{{"status", 200}, {"body", answer_}}})}})
                  .ok());
  StreamedResponse failed = PostStreaming(stack().gateway_port(), "/v1/chat/completions", Bearer(), body.dump());
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_THAT(StreamedContent(failed.body), HasSubstr("![image](" + DataUri() + ")"));
  EXPECT_EQ(failed.Header("x-gempool-warnings"),
            "image left inline as a data: URI: SM.MS refused the upload (HTTP 500): error: Server error");
}

TEST_F(ImageHostingTest, ImagesGenerationsWithUrlFormatAnswersLinks) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "cloudflare_imgbed"},
                                     {"CLOUDFLARE_IMGBED_URL", host_->Origin() + "/imgbed/upload"},
                                     {"CLOUDFLARE_IMGBED_AUTH_CODE", kCredentials.imgbed_auth_code}}));
  // Imagen (the fake's :predict answers a tiny PNG per image).
  auto res = stack().Gateway()->Post("/v1/images/generations", Bearer(),
                                     R"({"prompt":"a fox","n":2,"response_format":"url"})", "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_FALSE(res->has_header("x-gempool-warnings")) << res->get_header_value("x-gempool-warnings");
  const json images = json::parse(res->body);
  ASSERT_THAT(images["data"], SizeIs(2));
  for (const json& image : images["data"]) {
    const std::string link = image["url"];
    EXPECT_THAT(link, StartsWith(host_->Origin() + "/file/"));
    absl::StatusOr<std::string> served = host_->Fetch(link);
    ASSERT_TRUE(served.ok()) << served.status();
    EXPECT_THAT(*served, StartsWith("\x89PNG"));
  }
  // A Gemini image model's answer, too.
  ASSERT_TRUE(fake()
                  .Script({{"model", kImageModel},
                           {"responses", json::array({{{"status", 200}, {"body", answer_}}})}})
                  .ok());
  auto gemini = stack().Gateway()->Post(
      "/v1/images/generations", Bearer(),
      json{{"model", kImageModel}, {"prompt", "a fox"}, {"response_format", "url"}}.dump(), "application/json");
  ASSERT_TRUE(gemini);
  ASSERT_EQ(gemini->status, 200) << gemini->body;
  const std::string link = json::parse(gemini->body)["data"][0]["url"];
  absl::StatusOr<std::string> served = host_->Fetch(link);
  ASSERT_TRUE(served.ok()) << served.status() << " " << link;
  EXPECT_EQ(*served, kImageBytes);
}

TEST_F(ImageHostingTest, ASettingSavedOnTheAdminPageAppliesWithoutARestart) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "none"}}));
  const json values = {{"UPLOAD_PROVIDER", "picgo"},
                       {"PICGO_API_KEY", kCredentials.picgo_key},
                       {"PICGO_API_URL", host_->Origin() + "/picgo/api/1/upload"}};
  auto saved = stack().Gateway()->Post("/api/config",
                                       {{"Authorization", "Bearer " + stack().options().admin_token}},
                                       json{{"values", values}}.dump(), "application/json");
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 200) << saved->body;
  std::string content;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto res = Chat();
        content = res ? Content(res->body) : "";
        return ImageLink(content).rfind(host_->Origin(), 0) == 0;
      },
      15000))
      << "UPLOAD_PROVIDER saved on the admin page never applied; last answer: " << content.substr(0, 200);
  ExpectHostedImage(content, "/picgo/images/");
}

TEST_F(ImageHostingTest, NoHostConfiguredLeavesTheDataUriAndNamesTheMissingSetting) {
  ASSERT_NO_FATAL_FAILURE(StartWith({}));  // gemini-balance's default: smms, no token.
  auto res = Chat();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(Content(res->body), HasSubstr("![image](" + DataUri() + ")"));
  EXPECT_EQ(res->get_header_value("x-gempool-warnings"),
            "image left inline as a data: URI: UPLOAD_PROVIDER is smms but SMMS_SECRET_TOKEN is not set (set it, or "
            "UPLOAD_PROVIDER=none to keep images inline without this warning)");
}

TEST_F(ImageHostingTest, ProviderNoneKeepsTheDataUriSilently) {
  ASSERT_NO_FATAL_FAILURE(StartWith({{"UPLOAD_PROVIDER", "none"}}));
  auto res = Chat();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(Content(res->body), HasSubstr("![image](" + DataUri() + ")"));
  EXPECT_FALSE(res->has_header("x-gempool-warnings")) << res->get_header_value("x-gempool-warnings");
  StreamedResponse streamed = ChatStreamed();
  EXPECT_THAT(StreamedContent(streamed.body), HasSubstr("![image](" + DataUri() + ")"));
  EXPECT_THAT(streamed.body, Not(HasSubstr("x-gempool-warnings")));
  absl::StatusOr<json> uploads = host_->Uploads();
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
}

}  // namespace
}  // namespace gempool::integration
