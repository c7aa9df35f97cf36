// MediaFetcher against a loopback HTTP server (private addresses are allowed
// only where the test says so).
#include "upstream/media_fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

#include "gempool/openai/errors.h"
#include "gempool/testing/status_matchers.h"
#include "gempool/testing/httplib_server.h"

namespace gempool::gateway {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Optional;

const std::string kFetchedPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(32, 'x');

class MediaFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/cat.png", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kFetchedPng, "image/png");
    });
    server_.Get("/big.png", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(4096, 'x'), "image/png");
    });
    server_.Get("/chunked.png", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("image/png", [](size_t, httplib::DataSink& sink) {
        const std::string piece(1024, 'y');
        for (int i = 0; i < 8; ++i) sink.write(piece.data(), piece.size());
        sink.done();
        return true;
      });
    });
    server_.Get("/missing.png", [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
    server_.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "/cat.png");
    });
    server_.Get("/loop", [](const httplib::Request&, httplib::Response& res) {
      res.status = 301;
      res.set_header("Location", "loop");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_TRUE(gempool::testing::StartListening(server_, &thread_));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  static MediaFetcher Fetcher(bool allow_private, size_t max_bytes = 20u << 20) {
    MediaFetcher::Options options;
    options.allow_private = allow_private;
    options.max_bytes = max_bytes;
    options.timeout_seconds = 10;
    return MediaFetcher(options);
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(MediaFetcherTest, FetchesWhenPrivateAddressesAreAllowed) {
  auto media = Fetcher(true).Fetch(Url("/cat.png"), "messages[0].content[0].image_url.url", 30);
  ASSERT_TRUE(media.ok()) << media.status();
  EXPECT_EQ(media->bytes, kFetchedPng);
  EXPECT_EQ(media->content_type, "image/png");
}

TEST_F(MediaFetcherTest, RefusesLoopbackByDefaultNamingTheField) {
  const std::string field = "messages[1].content[2].image_url.url";
  for (const std::string& url : {Url("/cat.png"), "http://localhost:" + std::to_string(port_) + "/cat.png",
                                 std::string("http://[::1]/x.png"), std::string("http://169.254.169.254/latest"),
                                 std::string("https://10.0.0.1/a.png")}) {
    auto media = Fetcher(false).Fetch(url, field, 30);
    EXPECT_THAT(media, StatusIs(absl::StatusCode::kInvalidArgument,
                                AllOf(HasSubstr(field), HasSubstr("public addresses"))))
        << url;
    EXPECT_THAT(openai::ErrorParam(media.status()), Optional(field));
  }
}

TEST_F(MediaFetcherTest, FollowsRedirectsUpToALimit) {
  auto media = Fetcher(true).Fetch(Url("/redirect"), "f", 30);
  ASSERT_TRUE(media.ok()) << media.status();
  EXPECT_EQ(media->bytes, kFetchedPng);
  EXPECT_THAT(Fetcher(true).Fetch(Url("/loop"), "f", 30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("redirects")));
}

TEST_F(MediaFetcherTest, CapsTheSize) {
  EXPECT_THAT(Fetcher(true, 1000).Fetch(Url("/big.png"), "f", 30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  EXPECT_THAT(Fetcher(true, 1000).Fetch(Url("/chunked.png"), "f", 30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit")));
  EXPECT_TRUE(Fetcher(true, 8192).Fetch(Url("/chunked.png"), "f", 30).ok());
}

TEST_F(MediaFetcherTest, ReportsHttpErrors) {
  EXPECT_THAT(Fetcher(true).Fetch(Url("/missing.png"), "f", 30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("HTTP 404")));
}

TEST_F(MediaFetcherTest, RefusesMalformedAndUnsupportedUrls) {
  const MediaFetcher fetcher = Fetcher(true);
  EXPECT_THAT(fetcher.Fetch("ftp://example.com/a.png", "f", 30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("http(s)")));
  EXPECT_THAT(fetcher.Fetch("http://user:pw@example.com/a.png", "f", 30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("credentials")));
  EXPECT_THAT(fetcher.Fetch("http://exa mple.com/a.png", "f", 30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("spaces")));
  EXPECT_THAT(fetcher.Fetch("http:///a.png", "f", 30), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no host")));
  EXPECT_THAT(fetcher.Fetch("http://example.com:99999/a.png", "f", 30),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("port")));
}

}  // namespace
}  // namespace gempool::gateway
