// UpstreamClient sending a streamed request body (UpstreamRequest::
// body_source): the exact bytes with the source's Content-Length, large
// bodies, over TLS, a source that fails or stalls, Cancel(), an upstream that
// answers before the body is complete, and which connections are reused.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "call_watcher.h"
#include "gempool/testing/loopback_listener.h"
#include "gempool/upstream/upstream_client.h"
#include "test_body_source.h"
#include "test_certificate.h"
#include "test_http_server.h"

namespace gempool::upstream {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::AnswerWith;
using testing::CallWatcher;
using testing::HttpResponse;
using testing::MakeRequest;
using testing::PatternBytes;
using testing::TestBodySource;
using testing::TestCertificate;
using testing::TestHttpServer;

constexpr char kFileAnswer[] = R"({"file":{}})";

// The test holds the source to its end: the last reference must not go on
// the source's own thread (its destructor joins that thread).
std::shared_ptr<TestBodySource> Source(TestBodySource::Options options) {
  return std::make_shared<TestBodySource>(std::move(options));
}

UpstreamRequest StreamedRequest(const std::string& scheme_host_port, std::shared_ptr<BodySource> source) {
  UpstreamRequest request = MakeRequest(scheme_host_port, "/upload/v1beta/files?upload_id=u1", "POST", "");
  request.headers = {{"x-goog-api-key", "AIzaSyTest"}, {"X-Goog-Upload-Command", "upload, finalize"}};
  request.body_source = std::move(source);
  return request;
}

class UpstreamBodySourceTest : public ::testing::Test {
 protected:
  static UpstreamClient::Options Options() {
    UpstreamClient::Options options;
    options.timeout_seconds = 10;
    return options;
  }

  testing::LoopThread loop_{2};
  UpstreamClient client_{loop_.io(), Options()};
};

TEST_F(UpstreamBodySourceTest, SendsThePiecesAsOneBodyWithTheSourcesContentLength) {
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kFileAnswer)));
  auto source = Source({.size = 100'000, .piece = 30'000});
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, StreamedRequest(server.SchemeHostPort(), source)));

  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_EQ(watcher.body(), kFileAnswer);
  const testing::ServerRequest seen = server.last_request();
  EXPECT_EQ(seen.Header("Content-Length"), "100000");
  EXPECT_EQ(seen.Header("Transfer-Encoding"), "");
  EXPECT_EQ(seen.body, PatternBytes(0, 100'000));
  EXPECT_EQ(source->reads(), 5) << "four pieces and the end";
  EXPECT_EQ(source->cancels(), 0);
}

TEST_F(UpstreamBodySourceTest, ALargeBodyArrivesByteForByteAndTheConnectionIsReused) {
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kFileAnswer)));
  constexpr uint64_t kSize = 48ull << 20;
  auto source = Source({.size = kSize});
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, StreamedRequest(server.SchemeHostPort(), source), absl::Seconds(60)));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  const testing::ServerRequest seen = server.last_request();
  ASSERT_EQ(seen.body.size(), kSize);
  EXPECT_TRUE(seen.body == PatternBytes(0, kSize)) << "the body differs from what the source gave";

  CallWatcher second;
  ASSERT_TRUE(second.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(second.result().kind, UpstreamResult::Kind::kComplete) << second.result().detail;
  EXPECT_EQ(server.connections(), 1) << "a fully sent body leaves the connection reusable";
}

TEST_F(UpstreamBodySourceTest, AnEmptySourceSendsContentLengthZero) {
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kFileAnswer)));
  auto source = Source({.size = 0});
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, StreamedRequest(server.SchemeHostPort(), source)));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_EQ(server.last_request().Header("Content-Length"), "0");
}

TEST_F(UpstreamBodySourceTest, ASourceFailingMidwayCancelsTheCallAndTheConnectionIsNotReused) {
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kFileAnswer)));
  // A pooled connection first, so that a reuse (or a retry) would show.
  CallWatcher first;
  ASSERT_TRUE(first.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));

  auto source = Source({.size = 1'000'000, .fail_after = 200'000});
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, StreamedRequest(server.SchemeHostPort(), source)));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kCancelled);
  EXPECT_THAT(watcher.result().detail, StartsWith("the client's request body: "));
  EXPECT_THAT(watcher.result().detail, HasSubstr("the client closed the connection"));
  EXPECT_FALSE(watcher.head().has_value());
  EXPECT_EQ(server.requests(), 1) << "the half-sent request never completed at the server";

  CallWatcher after;
  ASSERT_TRUE(after.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(after.result().kind, UpstreamResult::Kind::kComplete) << after.result().detail;
  EXPECT_EQ(server.connections(), 2) << "the connection with half a body on it was reused";
}

TEST_F(UpstreamBodySourceTest, CancelWhileTheSourceIsQuietEndsTheCallAndCancelsTheSource) {
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kFileAnswer)));
  auto source = Source({.size = 1'000'000, .stall_after = 100'000});
  CallWatcher watcher;
  std::shared_ptr<UpstreamCall> call =
      client_.Start(StreamedRequest(server.SchemeHostPort(), source), watcher.Callbacks());
  ASSERT_TRUE(source->stalled().WaitForNotificationWithTimeout(absl::Seconds(10)));
  call->Cancel();
  ASSERT_TRUE(watcher.WaitDone());
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kCancelled);
  EXPECT_EQ(source->cancels(), 1);
}

TEST_F(UpstreamBodySourceTest, AQuietSourceDoesNotCountAgainstTimeOutWhileItMoves) {
  // A source that delivers slowly but steadily keeps a 1 s TIME_OUT call
  // alive for longer than 1 s: its bytes are progress.
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kFileAnswer)));
  auto source = Source({.size = 8, .piece = 1, .pace = std::chrono::milliseconds(300)});
  UpstreamRequest request = StreamedRequest(server.SchemeHostPort(), source);
  request.timeout_seconds = 1;
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, request));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_EQ(server.last_request().body, PatternBytes(0, 8));
}

TEST_F(UpstreamBodySourceTest, ASourceGivingMoreThanItsSizeFailsTheCall) {
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kFileAnswer)));
  auto source = Source({.size = 1000, .piece = 600, .actual_size = 1200});
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, StreamedRequest(server.SchemeHostPort(), source)));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kCancelled);
  EXPECT_THAT(watcher.result().detail, HasSubstr("more than its 1000 bytes"));
}

TEST_F(UpstreamBodySourceTest, AnAnswerBeforeTheBodyIsCompleteIsDeliveredAndTheSourceCancelled) {
  // The upstream refuses after the head (as Google does for a bad upload
  // session) while the client is still sending.
  std::atomic<bool> stop{false};
  gempool::testing::LoopbackListener listener([&](int fd) {
    std::string in;
    char buffer[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
      const int n = gempool::testing::ReadSome(fd, buffer, sizeof(buffer), stop);
      if (n <= 0) return;
      in.append(buffer, static_cast<size_t>(n));
    }
    gempool::testing::WriteAll(fd, HttpResponse(400, "application/json", R"({"error":{"code":400}})"), stop);
    // Drop what still comes until the client closes.
    while (gempool::testing::ReadSome(fd, buffer, sizeof(buffer), stop) > 0) {
    }
  });
  auto source = Source({.size = 10'000'000, .stall_after = 64 * 1024});
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(
      client_, StreamedRequest(absl::StrCat("http://127.0.0.1:", listener.port()), source)));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  ASSERT_TRUE(watcher.head().has_value());
  EXPECT_EQ(watcher.head()->status, 400);
  EXPECT_EQ(watcher.body(), R"({"error":{"code":400}})");
  EXPECT_EQ(source->cancels(), 1);
  stop = true;
  listener.Stop();
}

TEST_F(UpstreamBodySourceTest, StreamsOverTls) {
  TestCertificate certificate("gempool test server", "DNS:localhost,IP:127.0.0.1");
  auto context = certificate.ServerContext();
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kFileAnswer)), context.get());
  UpstreamClient::Options options = Options();
  options.ca_cert_file = certificate.WriteCaFile("body_source_tls");
  UpstreamClient client(loop_.io(), options);
  constexpr uint64_t kSize = 3ull << 20;
  auto source = Source({.size = kSize});
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client, StreamedRequest(server.SchemeHostPort(), source)));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_TRUE(server.last_request().body == PatternBytes(0, kSize));
}

}  // namespace
}  // namespace gempool::upstream
