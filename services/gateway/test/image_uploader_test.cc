// ImageUploader and ImageUploadingSink against the fake image hosts
// (tests/fake_image_host) on loopback: links in place of inline images, in
// order in a stream, and the image left inline with a warning when a host
// fails or is not configured.
#include "imagehost/image_uploader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "fake_image_host/fake_image_host.h"
#include "gempool/common/mutex.h"
#include "gempool/gemini/sse_splitter.h"
#include "httplib.h"
#include "imagehost/image_uploading_sink.h"
#include "nlohmann/json.hpp"
#include "gempool/testing/httplib_server.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

const std::string kPng("\x89PNG\r\n\x1a\nimage-bytes", 19);

class UploadRecordingSink final : public ResponseSink {
 public:
  void Begin(const UpstreamResponseHead&) override {}
  bool Write(absl::string_view data) override ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    all_.append(data.data(), data.size());
    return true;
  }
  bool Committed() const override { return false; }
  std::string All() const ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return all_;
  }
  std::vector<std::string> Events() const {
    gemini::SseSplitter splitter;
    absl::StatusOr<std::vector<std::string>> events = splitter.Feed(All());
    return events.ok() ? *events : std::vector<std::string>{};
  }

 private:
  mutable Mutex mu_;
  std::string all_ ABSL_GUARDED_BY(mu_);
};

class ImageUploaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_.Register(server_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    ASSERT_TRUE(gempool::testing::StartListening(server_, &server_thread_));
    loop_thread_ = std::thread([this] { io_.run(); });
    uploader_ = std::make_unique<ImageUploader>(io_);
  }
  void TearDown() override {
    uploader_.reset();
    work_.reset();
    loop_thread_.join();
    server_.stop();
    server_thread_.join();
  }

  ImageHosting Picgo() const {
    ImageHosting hosting;
    hosting.settings.provider = "picgo";
    hosting.settings.picgo_api_key = "picgo-key";
    hosting.settings.picgo_api_url = absl::StrCat("http://127.0.0.1:", port_, "/picgo/api/1/upload");
    hosting.timeout_seconds = 10;
    return hosting;
  }

  std::string Fetch(const std::string& link) {
    httplib::Client client(absl::StrCat("http://127.0.0.1:", port_));
    httplib::Result r = client.Get(link.substr(link.find('/', 8)).c_str());
    return r && r->status == 200 ? r->body : "<not served>";
  }

  void FailNext(const std::string& provider, int status, const std::string& body) {
    httplib::Client client(absl::StrCat("http://127.0.0.1:", port_));
    httplib::Result r = client.Post(
        "/_fake/fail", json{{"provider", provider}, {"status", status}, {"body", body}}.dump(), "application/json");
    ASSERT_TRUE(r && r->status == 200);
  }

  static json ImageEvent(const std::string& text_before) {
    return json{{"candidates",
                 {{{"content",
                    {{"role", "model"},
                     {"parts",
                      {{{"text", text_before}},
                       {{"inlineData", {{"mimeType", "image/png"}, {"data", absl::Base64Escape(kPng)}}}}}}}}}}}};
  }
  static json TextEvent(const std::string& text) {
    return json{{"candidates", {{{"content", {{"role", "model"}, {"parts", {{{"text", text}}}}}}}}}};
  }

  fake::FakeImageHost host_{fake::FakeImageHostOptions{}};
  httplib::Server server_;
  int port_ = 0;
  std::thread server_thread_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{io_.get_executor()};
  std::thread loop_thread_;
  std::unique_ptr<ImageUploader> uploader_;
};

TEST_F(ImageUploaderTest, ReplacesTheImageWithTheHostsLinkAndTheHostHoldsTheBytes) {
  json answer = ImageEvent("Here:");
  const std::vector<std::string> warnings = uploader_->ReplaceInlineImagesBlocking(answer, Picgo());
  EXPECT_THAT(warnings, IsEmpty());
  const std::string text = answer["candidates"][0]["content"]["parts"][1]["text"];
  ASSERT_THAT(text, StartsWith(absl::StrCat("\n\n![image](http://127.0.0.1:", port_, "/picgo/images/")));
  const std::string link = text.substr(11, text.size() - 11 - 3);
  EXPECT_EQ(Fetch(link), kPng);
}

TEST_F(ImageUploaderTest, AFailedUploadLeavesTheImageInlineWithAWarning) {
  FailNext("picgo", 503, R"({"status_code":503,"error":{"message":"Service Unavailable"}})");
  json answer = ImageEvent("Here:");
  const json before = answer;
  const std::vector<std::string> warnings = uploader_->ReplaceInlineImagesBlocking(answer, Picgo());
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_EQ(warnings[0],
            "image left inline as a data: URI: PicGo refused the upload (HTTP 503): Service Unavailable");
  EXPECT_EQ(answer, before);
}

TEST_F(ImageUploaderTest, MissingSettingsAndNone) {
  ImageHosting hosting = Picgo();
  hosting.settings.picgo_api_key.clear();
  json answer = ImageEvent("x");
  EXPECT_THAT(uploader_->ReplaceInlineImagesBlocking(answer, hosting),
              ::testing::ElementsAre("image left inline as a data: URI: UPLOAD_PROVIDER is picgo but PICGO_API_KEY "
                                     "is not set (set it, or UPLOAD_PROVIDER=none to keep images inline without "
                                     "this warning)"));
  hosting.settings.provider = "none";
  EXPECT_THAT(uploader_->ReplaceInlineImagesBlocking(answer, hosting), IsEmpty());
  EXPECT_TRUE(answer["candidates"][0]["content"]["parts"][1].contains("inlineData"));
}

TEST_F(ImageUploaderTest, AHostThatNeverAnswersTimesOut) {
  // A listening socket nobody accepts on: the connection opens (backlog),
  // the answer never comes.
  httplib::Server silent;
  silent.Post("/up", [](const httplib::Request&, httplib::Response&) {
    std::this_thread::sleep_for(std::chrono::seconds(3));
  });
  const int port = silent.bind_to_any_port("127.0.0.1");
  std::thread thread;
  ASSERT_TRUE(gempool::testing::StartListening(silent, &thread));
  ImageHosting hosting;
  hosting.settings.provider = "cloudflare_imgbed";
  hosting.settings.cloudflare_imgbed_url = absl::StrCat("http://127.0.0.1:", port, "/up");
  hosting.timeout_seconds = 1;
  json answer = ImageEvent("x");
  const auto started = std::chrono::steady_clock::now();
  const std::vector<std::string> warnings = uploader_->ReplaceInlineImagesBlocking(answer, hosting);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500));
  ASSERT_THAT(warnings, SizeIs(1));
  EXPECT_THAT(warnings[0], HasSubstr("took longer than 1 s (TIME_OUT)"));
  silent.stop();
  thread.join();
}

TEST_F(ImageUploaderTest, AStreamKeepsItsOrderAndPausesWhileUploading) {
  UploadRecordingSink inner;
  UploadRecordingSink client;
  auto sink = std::make_shared<ImageUploadingSink>(inner, client, *uploader_, Picgo());
  sink->Begin(UpstreamResponseHead{200, "text/event-stream", "", {}});
  const std::string first = absl::StrCat("data: ", TextEvent("one ").dump(), "\r\n\r\n");
  const std::string image = absl::StrCat("data: ", ImageEvent("two ").dump(), "\r\n\r\n");
  const std::string last = absl::StrCat("data: ", TextEvent("three").dump(), "\r\n\r\n");
  ASSERT_TRUE(sink->Write(first));
  EXPECT_FALSE(sink->PauseUntilDrained([] {}));
  // The image event and half of the next arrive together: the read pauses.
  ASSERT_TRUE(sink->Write(image + last.substr(0, 10)));
  std::promise<void> resumed;
  EXPECT_TRUE(sink->PauseUntilDrained([&resumed] { resumed.set_value(); }));
  ASSERT_EQ(resumed.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  ASSERT_TRUE(sink->Write(last.substr(10)));
  std::promise<void> drained;
  sink->WhenDrained(true, [&drained] { drained.set_value(); });
  ASSERT_EQ(drained.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);

  const std::vector<std::string> events = inner.Events();
  ASSERT_THAT(events, SizeIs(3));
  EXPECT_EQ(json::parse(events[0]), TextEvent("one "));
  const json uploaded = json::parse(events[1]);
  EXPECT_EQ(uploaded["candidates"][0]["content"]["parts"][0]["text"], "two ");
  EXPECT_THAT(uploaded["candidates"][0]["content"]["parts"][1]["text"].get<std::string>(),
              HasSubstr(absl::StrCat("![image](http://127.0.0.1:", port_, "/picgo/images/")));
  EXPECT_EQ(json::parse(events[2]), TextEvent("three"));
  EXPECT_EQ(client.All(), "");
}

TEST_F(ImageUploaderTest, AStreamWarnsTheClientInACommentWhenTheUploadFails) {
  FailNext("picgo", 400, R"({"status_code":400,"error":{"message":"Invalid API v1 key."}})");
  UploadRecordingSink inner;
  UploadRecordingSink client;
  auto sink = std::make_shared<ImageUploadingSink>(inner, client, *uploader_, Picgo());
  sink->Begin(UpstreamResponseHead{200, "text/event-stream", "", {}});
  ASSERT_TRUE(sink->Write(absl::StrCat("data: ", ImageEvent("x").dump(), "\n\n")));
  std::promise<void> drained;
  sink->WhenDrained(true, [&drained] { drained.set_value(); });
  ASSERT_EQ(drained.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(client.All(),
            ": x-gempool-warnings: image left inline as a data: URI: PicGo refused the upload (HTTP 400): Invalid "
            "API v1 key.\n\n");
  ASSERT_THAT(inner.Events(), SizeIs(1));
  EXPECT_EQ(json::parse(inner.Events()[0]), ImageEvent("x"));
}

}  // namespace
}  // namespace gempool::gateway
