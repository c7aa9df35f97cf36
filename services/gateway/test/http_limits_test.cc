// Black-box tests of the gateway's HTTP server limits: header and body size
// limits, request timeouts (slowloris), connection caps, request smuggling,
// Expect: 100-continue, HEAD, pipelining, keep-alive, back-pressure on slow
// stream readers and clients that hang up mid-stream. The real gateway runs
// in-process (gateway_fixture.h); requests are written byte by byte through a
// raw socket (raw_http_client.h), since an HTTP client library would fix up
// exactly what these tests need to send wrong.
//
// Also covered in gateway_test.cc, not repeated here:
// - an upstream that breaks off mid-stream: the client sees the body end
//   without its last chunk and the key gets a CONNECTION_ERROR outcome
//   (GatewayTest.NoRetryOnceStreamingBegan);
// - a client leaving mid-stream while the upstream keeps sending: the key is
//   not blamed (GatewayTest.ClientLeavingMidStreamCancelsTheUpstreamCall).
//   ClientHangingUpWhileUpstreamIsQuietEndsTheUpstreamCall below covers the
//   case where the upstream is silent when the client leaves.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fake_services.h"
#include "fake_upstream.h"
#include "gateway_fixture.h"
#include "gempool/common/mutex.h"
#include "raw_http_client.h"

namespace gempool::gateway {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::FakeUpstream;
using testing::PoolKey;
using testing::RawHttpClient;
using SteadyClock = RawHttpClient::Clock;
using ReadStatus = RawHttpClient::ReadStatus;
using Response = RawHttpClient::Response;

constexpr char kLimitsClientToken[] = "sk-client-token-limits";
constexpr char kGeneratePath[] = "/v1beta/models/gemini-2.5-flash:generateContent";
constexpr char kStreamPath[] = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
constexpr char kLimitsOkBody[] =
    R"({"candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}, "finishReason": "STOP"}]})";

RawHttpClient::Deadline In(std::chrono::milliseconds ms) { return RawHttpClient::In(ms); }

std::string HealthRequest(const std::string& method = "GET") {
  return method + " /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

// A POST with `body` and Content-Length, authenticated with `token`.
std::string PostRequest(const std::string& path, const std::string& body, const std::string& token = kLimitsClientToken) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body;
}

// The head of a POST to generateContent, authenticated, ending in `framing`
// (header lines, each ending in \r\n) and the blank line.
std::string GenerateHead(const std::string& framing) {
  return std::string("POST ") + kGeneratePath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nx-goog-api-key: " + kLimitsClientToken +
         "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
}

// A GET /health whose head has `count` header lines in all.
std::string HealthWithHeaders(int count) {
  std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 1; i < count; ++i) {
    request += "X-Filler-" + std::to_string(i) + ": " + std::to_string(i) + "\r\n";
  }
  return request + "\r\n";
}

// Stream event `i` of the back-pressure test: exactly 64 KiB, numbered so
// that a lost, repeated or reordered event shows.
std::string BigEvent(size_t i) {
  constexpr size_t kSize = 64 * 1024;
  std::string head = "data: {\"i\":" + std::to_string(i) + ",\"pad\":\"";
  const std::string tail = "\"}\r\n\r\n";
  head.append(kSize - head.size() - tail.size(), static_cast<char>('a' + i % 26));
  return head + tail;
}

// The body is Google's error shape, {"error":{"code":N,"message":"...",...}}.
void ExpectGoogleError(const Response& r, int code) {
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(body.is_object() && body.contains("error") && body["error"].is_object()) << r.body;
  EXPECT_EQ(body["error"].value("code", 0), code) << r.body;
  EXPECT_TRUE(body["error"].contains("message") && body["error"]["message"].is_string()) << r.body;
}

class HttpLimitsTest : public testing::GatewayFixture {
 protected:
  HttpLimitsTest() : GatewayFixture(kLimitsClientToken) {}

  // Starts the gateway with config_ as it stands.
  bool Start() { return StartGateway() != nullptr; }

  RawHttpClient Connect(const RawHttpClient::Options& options = {}) {
    RawHttpClient c;
    EXPECT_TRUE(c.Connect(port_, In(5s), options)) << c.error();
    return c;
  }

  // Sends `request` on a new connection and reads one response.
  std::optional<Response> Exchange(const std::string& request, const RawHttpClient::Options& options = {}) {
    RawHttpClient c = Connect(options);
    if (!c.Send(request, In(5s))) return std::nullopt;
    return c.ReadResponse(In(5s));
  }

  // Sends `first` then one `next(i)` every 300 ms, never completing the
  // request, until the gateway closes the connection or `give_up`; returns
  // how long after connecting the close came (nullopt: it did not).
  std::optional<std::chrono::milliseconds> TrickleUntilClosed(RawHttpClient& c, SteadyClock::time_point connected,
                                                              const std::string& first,
                                                              const std::function<std::string(int)>& next,
                                                              SteadyClock::time_point give_up) {
    if (!c.Send(first, give_up)) return std::nullopt;
    for (int i = 0; SteadyClock::now() < give_up; ++i) {
      // Waiting for the gateway to answer or hang up is also the pace.
      const ReadStatus s = c.ReadSome(std::min(SteadyClock::now() + 300ms, give_up));
      if (s == ReadStatus::kEof || s == ReadStatus::kReset) break;
      if (s == ReadStatus::kData) continue;  // The 408, presumably; the close follows.
      if (s == ReadStatus::kError) return std::nullopt;
      if (!c.Send(next(i), give_up)) {
        // Sending failed: the gateway is gone, or about to say so.
        if (!c.WaitClosed(give_up)) return std::nullopt;
        break;
      }
    }
    if (SteadyClock::now() >= give_up) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - connected);
  }

  // Trickles a request on a new connection (see TrickleUntilClosed) for up
  // to 6 s: the gateway must close it, not before `setting` (set to 1 s) has
  // passed, with a 408 if it answers at all.
  void ExpectTrickleCut(const std::string& first, const std::function<std::string(int)>& next,
                        const std::string& setting) {
    const SteadyClock::time_point connected = SteadyClock::now();
    RawHttpClient c = Connect();
    auto closed_after = TrickleUntilClosed(c, connected, first, next, connected + 6s);
    ASSERT_TRUE(closed_after.has_value()) << "the connection was still open 6 s later";
    EXPECT_GE(*closed_after, 800ms) << "closed before " << setting;
    if (!c.buffer().empty()) {
      EXPECT_THAT(c.buffer(), StartsWith("HTTP/1.1 408"));
    }
  }

  // Opens `limit` idle connections (into `idle`): one more gets a 503 and is
  // closed.
  void ExpectOneMoreRefused(std::vector<RawHttpClient>& idle, size_t limit) {
    idle.resize(limit);
    for (RawHttpClient& c : idle) ASSERT_TRUE(c.Connect(port_, In(5s))) << c.error();
    RawHttpClient extra = Connect();
    extra.Send(HealthRequest(), In(2s));  // May already be refused.
    auto refused = extra.ReadResponse(In(2s));
    ASSERT_TRUE(refused.has_value()) << "no answer within 2 s; got: " << extra.buffer();
    EXPECT_EQ(refused->status, 503) << refused->body;
    EXPECT_TRUE(extra.WaitClosed(In(2s))) << "the refused connection was left open";
  }
};

// --- Request head limits ---

TEST_F(HttpLimitsTest, HundredAndOneHeaderLinesGet431WithGoogleShapedBody) {
  ASSERT_TRUE(Start());
  auto r = Exchange(HealthWithHeaders(101));
  ASSERT_TRUE(r.has_value()) << "no response";
  EXPECT_EQ(r->status, 431) << r->body;
  ExpectGoogleError(*r, 431);
}

TEST_F(HttpLimitsTest, HundredHeaderLinesAreServed) {
  ASSERT_TRUE(Start());
  auto r = Exchange(HealthWithHeaders(100));
  ASSERT_TRUE(r.has_value()) << "no response";
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(HttpLimitsTest, RequestHeadOver64KiBGets431) {
  ASSERT_TRUE(Start());
  RawHttpClient c = Connect();
  // The gateway may answer and close before reading it all: a failed send is fine.
  c.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n", In(5s));
  auto r = c.ReadResponse(In(5s));
  ASSERT_TRUE(r.has_value()) << "no response; " << c.error();
  EXPECT_EQ(r->status, 431) << r->body;
  ExpectGoogleError(*r, 431);
}

// --- Request body limits ---

TEST_F(HttpLimitsTest, ContentLengthOverMaxRequestBodyGets413WithoutSendingTheBody) {
  config_.max_request_body_mb = 1;
  ASSERT_TRUE(Start());
  upstream_.Script(Reply(200, kLimitsOkBody));
  RawHttpClient c = Connect();
  ASSERT_TRUE(c.Send(GenerateHead("Content-Length: " + std::to_string(2 << 20) + "\r\n"), In(5s)));
  auto r = c.ReadResponse(In(5s));
  ASSERT_TRUE(r.has_value()) << "no answer to the head alone within 5 s";
  EXPECT_EQ(r->status, 413) << r->body;
  EXPECT_TRUE(upstream_.received().empty());
}

TEST_F(HttpLimitsTest, ChunkedBodyGrowingPastMaxRequestBodyGets413) {
  config_.max_request_body_mb = 1;
  ASSERT_TRUE(Start());
  upstream_.Script(Reply(200, kLimitsOkBody));
  RawHttpClient c = Connect();
  ASSERT_TRUE(c.Send(GenerateHead("Transfer-Encoding: chunked\r\n"), In(5s)));
  const std::string chunk = "10000\r\n" + std::string(64 * 1024, ' ') + "\r\n";
  // Up to 3 MiB, stopping once the gateway answers or stops taking bytes.
  for (int i = 0; i < 48; ++i) {
    if (!c.Send(chunk, In(2s))) break;
    if (c.ReadSome(SteadyClock::now()) != ReadStatus::kTimeout) break;
  }
  auto r = c.ReadResponse(In(5s));
  ASSERT_TRUE(r.has_value()) << "no response; " << c.error();
  EXPECT_EQ(r->status, 413) << r->body;
  EXPECT_TRUE(upstream_.received().empty());
}

// --- Request timeouts ---

TEST_F(HttpLimitsTest, HeadTricklingPastRequestHeadTimeoutIsCut) {
  config_.request_head_timeout_seconds = 1;
  ASSERT_TRUE(Start());
  ExpectTrickleCut(
      "GET /health HTTP/1.1\r\n", [](int i) { return "X-Trickle-" + std::to_string(i) + ": x\r\n"; },
      "REQUEST_HEAD_TIMEOUT");
}

TEST_F(HttpLimitsTest, BodyTricklingPastRequestBodyTimeoutIsCut) {
  config_.request_body_timeout_seconds = 1;
  ASSERT_TRUE(Start());
  ExpectTrickleCut(
      GenerateHead("Content-Length: 1000\r\n") + "{", [](int) { return std::string(" "); }, "REQUEST_BODY_TIMEOUT");
}

// Sends one more header line to every connection every 500 ms until
// destroyed (never completing a request). The sends run on thread_, outside
// the lock; the destructor sets stop_ from the test's thread.
class HeaderTrickler {
 public:
  explicit HeaderTrickler(std::vector<RawHttpClient>& connections)
      : thread_([this, &connections] {
          mu_.Lock();
          for (int line = 0; !stop_; ++line) {
            mu_.Unlock();
            for (RawHttpClient& c : connections) c.Send("X-Slow-" + std::to_string(line) + ": 1\r\n", In(1s));
            mu_.Lock();
            const absl::Time deadline = absl::Now() + absl::Milliseconds(500);
            while (!stop_ && !wake_.WaitWithDeadline(&mu_, deadline)) {
            }
          }
          mu_.Unlock();
        }) {}
  ~HeaderTrickler() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      MutexLock lock(&mu_);
      stop_ = true;
    }
    wake_.SignalAll();
    thread_.join();
  }

 private:
  Mutex mu_;
  CondVar wake_;  // Signalled when stop_ is set.
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

TEST_F(HttpLimitsTest, SlowlorisConnectionsDoNotStarveHonestCalls) {
  config_.request_head_timeout_seconds = 30;
  config_.max_connections_per_ip = 0;  // All 300 come from 127.0.0.1.
  config_.gateway_threads = 16;        // Far fewer than the slow connections.
  ASSERT_TRUE(Start());
  std::vector<RawHttpClient> slow(300);
  for (RawHttpClient& c : slow) {
    ASSERT_TRUE(c.Connect(port_, In(5s))) << c.error();
    ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n", In(5s))) << c.error();
  }
  HeaderTrickler trickler(slow);
  for (int i = 0; i < 3; ++i) {
    upstream_.Script(Reply(200, kLimitsOkBody));
    const SteadyClock::time_point start = SteadyClock::now();
    auto r = Exchange(PostRequest(kGeneratePath, "{}"));
    ASSERT_TRUE(r.has_value()) << "honest call " << i << " got no answer within 5 s next to 300 slow connections";
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, kLimitsOkBody);
    EXPECT_LT(SteadyClock::now() - start, 5s);
  }
}

// --- Connection limits ---

TEST_F(HttpLimitsTest, ConnectionPastMaxConnectionsGets503AndIsClosed) {
  config_.max_connections = 8;
  ASSERT_TRUE(Start());
  std::vector<RawHttpClient> idle;
  ASSERT_NO_FATAL_FAILURE(ExpectOneMoreRefused(idle, 8));

  // Once the 8 are gone, connections are served again (as soon as the
  // gateway has seen them close).
  idle.clear();
  const SteadyClock::time_point give_up = SteadyClock::now() + 5s;
  int last_status = 0;
  while (last_status != 200 && SteadyClock::now() < give_up) {
    auto again = Exchange(HealthRequest());
    last_status = again.has_value() ? again->status : 0;
    if (last_status != 200 && last_status != 503) break;
  }
  EXPECT_EQ(last_status, 200);
}

TEST_F(HttpLimitsTest, ConnectionPastMaxConnectionsPerIpGets503OtherAddressesAreServed) {
  config_.max_connections_per_ip = 4;
  ASSERT_TRUE(Start());
  std::vector<RawHttpClient> idle;
  ASSERT_NO_FATAL_FAILURE(ExpectOneMoreRefused(idle, 4));

  RawHttpClient::Options other;
  other.source_address = "127.0.0.2";
  auto served = Exchange(HealthRequest(), other);
  ASSERT_TRUE(served.has_value()) << "no answer to a client at 127.0.0.2";
  EXPECT_EQ(served->status, 200) << served->body;
}

// --- Request smuggling: ambiguous framing is refused, and the connection
// closed, since the gateway cannot know where the next request starts. ---

struct SmugglingCase {
  const char* name;
  std::string request;
  bool refused_at_head;  // Wrong in the head itself (no upstream call may start).
};

void PrintTo(const SmugglingCase& c, std::ostream* os) { *os << c.name; }

class HttpSmugglingTest : public HttpLimitsTest, public ::testing::WithParamInterface<SmugglingCase> {};

TEST_P(HttpSmugglingTest, AmbiguousFramingGets400AndClose) {
  ASSERT_TRUE(Start());
  upstream_.Script(Reply(200, kLimitsOkBody));
  RawHttpClient c = Connect();
  c.Send(GetParam().request, In(5s));
  auto r = c.ReadResponse(In(5s));
  ASSERT_TRUE(r.has_value()) << "no response; got: " << c.buffer();
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_TRUE(c.WaitClosed(In(3s))) << "the connection was kept open after ambiguous framing";
  if (GetParam().refused_at_head) {
    EXPECT_TRUE(upstream_.received().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Framing, HttpSmugglingTest,
    ::testing::Values(
        SmugglingCase{"ContentLengthWithChunked",
                      GenerateHead("Content-Length: 7\r\nTransfer-Encoding: chunked\r\n") + "2\r\n{}\r\n0\r\n\r\n", true},
        SmugglingCase{"TwoEqualContentLengths", GenerateHead("Content-Length: 2\r\nContent-Length: 2\r\n") + "{}", true},
        SmugglingCase{"TwoDifferentContentLengths",
                      GenerateHead("Content-Length: 2\r\nContent-Length: 16\r\n") + "{}GET /health HT", true},
        SmugglingCase{"ObsFoldWithSpace", "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n b\r\n\r\n", true},
        SmugglingCase{"ObsFoldWithTab", "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Folded: a\r\n\tb\r\n\r\n", true},
        SmugglingCase{"InvalidChunkSize", GenerateHead("Transfer-Encoding: chunked\r\n") + "zz\r\n{}\r\n0\r\n\r\n",
                      false}),
    [](const ::testing::TestParamInfo<SmugglingCase>& info) { return std::string(info.param.name); });

// --- Protocol behaviour ---

TEST_F(HttpLimitsTest, ExpectContinueGets100BeforeTheBody) {
  // Nothing for the model options to add to "{}".
  config_.openai.safety_settings.clear();
  config_.openai.show_thinking_process = false;
  ASSERT_TRUE(Start());
  upstream_.Script(Reply(200, kLimitsOkBody));
  RawHttpClient c = Connect();
  ASSERT_TRUE(c.Send(GenerateHead("Content-Length: 2\r\nExpect: 100-continue\r\n"), In(5s)));
  auto interim = c.ReadHead(In(5s));
  ASSERT_TRUE(interim.has_value()) << "no 100 Continue; got: " << c.buffer();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("{}", In(5s)));
  auto r = c.ReadResponse(In(5s));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, kLimitsOkBody);
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "{}");
}

TEST_F(HttpLimitsTest, HeadHealthHasNoBodyAndThePipelinedNextResponseFollows) {
  ASSERT_TRUE(Start());
  RawHttpClient c = Connect();
  ASSERT_TRUE(c.Send(HealthRequest("HEAD") + HealthRequest("GET"), In(5s)));
  auto head = c.ReadResponse(In(5s), /*head_request=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200) << head->body;
  // Had the HEAD answer carried body bytes, they would stand where this
  // status line must be.
  auto get = c.ReadResponse(In(5s));
  ASSERT_TRUE(get.has_value()) << "the GET's response does not follow the HEAD's head; got: " << c.buffer();
  EXPECT_EQ(get->status, 200) << get->body;
  EXPECT_THAT(get->body, HasSubstr(R"("status":"ok")"));
  EXPECT_TRUE(c.buffer().empty()) << c.buffer();
}

TEST_F(HttpLimitsTest, PipelinedRequestsAreAnsweredInOrder) {
  ASSERT_TRUE(Start());
  upstream_.Script(Reply(200, kLimitsOkBody));
  RawHttpClient c = Connect();
  ASSERT_TRUE(c.Send(HealthRequest() + PostRequest(kGeneratePath, "{}", "sk-not-a-token") +
                         PostRequest(kGeneratePath, "{}"),
                     In(5s)));
  auto health = c.ReadResponse(In(5s));
  ASSERT_TRUE(health.has_value()) << "no first response; got: " << c.buffer();
  auto unauthorized = c.ReadResponse(In(5s));
  ASSERT_TRUE(unauthorized.has_value()) << "no second response; got: " << c.buffer();
  auto generated = c.ReadResponse(In(5s));
  ASSERT_TRUE(generated.has_value()) << "no third response; got: " << c.buffer();
  EXPECT_EQ(health->status, 200) << health->body;
  EXPECT_THAT(health->body, HasSubstr("keybroker"));
  EXPECT_EQ(unauthorized->status, 401) << unauthorized->body;
  EXPECT_EQ(generated->status, 200) << generated->body;
  EXPECT_EQ(generated->body, kLimitsOkBody);
}

// x-request-id: each answer on a connection carries its own request's id,
// the client's when sane (else a new one), also on the server's own refusals.
TEST_F(HttpLimitsTest, EveryAnswerCarriesItsRequestsId) {
  ASSERT_TRUE(Start());
  upstream_.Script(Reply(200, kLimitsOkBody));
  RawHttpClient c = Connect();
  const std::string with_id = "x-request-id: gen-3\r\n";
  std::string generate = PostRequest(kGeneratePath, "{}");
  generate.insert(generate.find("\r\n") + 2, with_id);
  std::string unauthorized = PostRequest(kGeneratePath, "{}", "sk-not-a-token");
  unauthorized.insert(unauthorized.find("\r\n") + 2, "x-request-id: has a space\r\n");
  ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: probe:1/a=b\r\n\r\n" + unauthorized +
                         generate,
                     In(5s)));
  auto health = c.ReadResponse(In(5s));
  auto refused = c.ReadResponse(In(5s));
  auto generated = c.ReadResponse(In(5s));
  ASSERT_TRUE(health.has_value() && refused.has_value() && generated.has_value()) << c.buffer();
  EXPECT_EQ(health->Header("x-request-id"), "probe:1/a=b");
  EXPECT_EQ(refused->status, 401);
  EXPECT_THAT(refused->Header("x-request-id"), ::testing::MatchesRegex("[0-9a-f]{32}"));
  EXPECT_EQ(generated->status, 200);
  EXPECT_EQ(generated->Header("x-request-id"), "gen-3");

  RawHttpClient big = Connect();  // Over the default MAX_REQUEST_BODY_MB (128).
  ASSERT_TRUE(big.Send(GenerateHead(with_id + "Content-Length: " + std::to_string(256 << 20) + "\r\n"), In(5s)));
  auto too_large = big.ReadResponse(In(5s));
  ASSERT_TRUE(too_large.has_value()) << big.buffer();
  EXPECT_EQ(too_large->status, 413);
  EXPECT_EQ(too_large->Header("x-request-id"), "gen-3");
}

TEST_F(HttpLimitsTest, KeepAliveConnectionServesRequestsInTurn) {
  ASSERT_TRUE(Start());
  RawHttpClient c = Connect();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(HealthRequest(), In(5s))) << "request " << i << ": " << c.error();
    auto r = c.ReadResponse(In(5s));
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200) << "request " << i;
    EXPECT_TRUE(r->complete) << "request " << i;
  }
}

TEST_F(HttpLimitsTest, IdleKeepAliveConnectionIsClosedAfterKeepAliveTimeout) {
  config_.keep_alive_timeout_seconds = 1;
  ASSERT_TRUE(Start());
  RawHttpClient c = Connect();
  ASSERT_TRUE(c.Send(HealthRequest(), In(5s)));
  auto r = c.ReadResponse(In(5s));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->Header("connection"), "close");
  const SteadyClock::time_point idle_since = SteadyClock::now();
  ASSERT_TRUE(c.WaitClosed(idle_since + 4s)) << "the idle connection was still open 4 s later";
  EXPECT_GE(SteadyClock::now() - idle_since, 500ms) << "closed long before KEEP_ALIVE_TIMEOUT";
}

// --- Streams ---

TEST_F(HttpLimitsTest, SlowStreamReaderPushesBackOnTheUpstream) {
  constexpr size_t kEvents = 640;  // 40 MiB: far more than the gateway and the sockets may buffer.
  ASSERT_TRUE(Start());
  FakeUpstream::Scripted stream;
  stream.content_type = "text/event-stream";
  stream.generated_chunks = kEvents;
  stream.generate_chunk = BigEvent;
  upstream_.Script(stream);
  RawHttpClient::Options small_window;
  small_window.receive_buffer_bytes = 64 * 1024;
  RawHttpClient c = Connect(small_window);
  ASSERT_TRUE(c.Send(PostRequest(kStreamPath, "{}"), In(5s)));
  auto head = c.ReadHead(In(10s));
  ASSERT_TRUE(head.has_value()) << "no response head";
  ASSERT_EQ(head->status, 200);

  // The client reads nothing more: the upstream must stall.
  EXPECT_FALSE(upstream_.WaitForChunksWritten(kEvents, 2s))
      << "the upstream wrote all 40 MiB to a client that reads nothing: the gateway buffers without bound";
  EXPECT_GT(upstream_.chunks_written(), 0u);

  c.ReadBody(*head, In(60s));
  EXPECT_TRUE(head->complete) << "the stream ended early, after " << head->body.size() << " bytes";
  std::string expected;
  expected.reserve(kEvents * 64 * 1024);
  for (size_t i = 0; i < kEvents; ++i) expected += BigEvent(i);
  ASSERT_EQ(head->body.size(), expected.size());
  EXPECT_TRUE(head->body == expected) << "the stream arrived complete in size but altered";
}

TEST_F(HttpLimitsTest, ClientHangingUpWhileUpstreamIsQuietEndsTheUpstreamCall) {
  ASSERT_TRUE(Start());
  FakeUpstream::Scripted stream;
  stream.content_type = "text/event-stream";
  stream.chunks.push_back("data: {\"first\":true}\r\n\r\n");
  for (int i = 0; i < 200; ++i) stream.chunks.push_back("data: " + std::string(16384, 'x') + "\r\n\r\n");
  stream.latch_after_first = true;  // The upstream goes quiet after the first event.
  upstream_.Script(stream);
  RawHttpClient c = Connect();
  ASSERT_TRUE(c.Send(PostRequest(kStreamPath, "{}"), In(5s)));
  ASSERT_TRUE(c.ReadUntil("\"first\":true", In(10s)).has_value()) << "no first event; got: " << c.buffer();
  c.Close();

  // The gateway notices the hang-up without waiting for the upstream's next
  // byte, and the key did its job.
  auto reports = broker_.WaitForReportsFor(1, 5s);
  ASSERT_EQ(reports.size(), 1u) << "no outcome report within 5 s of the client leaving a quiet stream";
  EXPECT_EQ(reports[0].kind(), v1::OUTCOME_KIND_SUCCESS);
  auto received = upstream_.received();
  ASSERT_EQ(received.size(), 1u);
  const std::map<std::string, int64_t> key_ids = {{PoolKey('a'), 1}, {PoolKey('b'), 2}, {PoolKey('c'), 3}};
  auto used = received[0].headers.find("x-goog-api-key");
  ASSERT_NE(used, received[0].headers.end());
  ASSERT_EQ(key_ids.count(used->second), 1u);
  EXPECT_EQ(reports[0].key_id(), key_ids.at(used->second));

  // And it closed the upstream connection rather than draining it: once the
  // upstream speaks again, its writes fail.
  upstream_.ReleaseLatch();
  EXPECT_TRUE(upstream_.WaitForWriteFailure(5s)) << "the upstream connection outlived the client";
  EXPECT_FALSE(upstream_.latch_timed_out());
}

}  // namespace
}  // namespace gempool::gateway
