// UpstreamClient against a real server on 127.0.0.1: what goes on the wire,
// streaming, keep-alive, pause/resume, cancel, the failure kinds and their
// deadlines, AbortAll and the blocking Send().

#include "gempool/upstream/upstream_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/post.hpp>

#include "gempool/common/notification.h"
#include "call_watcher.h"
#include "gempool/testing/subprocess.h"
#include "test_http_server.h"

namespace gempool::upstream {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::AnswerWith;
using testing::CallWatcher;
using testing::Chunk;
using testing::ChunkedHead;
using testing::HttpResponse;
using testing::kLastChunk;
using testing::MakeRequest;
using testing::ServerConnection;
using testing::ServerHandler;
using testing::ServerRequest;
using testing::TestHttpServer;

constexpr char kJson[] = R"({"candidates":[]})";

// Sends a stream's head and first event, then holds the connection until the
// client closes it (notifying `client_closed`) or 10 s have passed.
ServerHandler FirstEventThenWaitForClientClose(Notification& client_closed) {
  return [&client_closed](const ServerRequest&, ServerConnection& conn) {
    conn.Write(ChunkedHead(200, "text/event-stream"));
    conn.Write(Chunk("data: 1\r\n\r\n"));
    if (conn.WaitForClientClose(10'000)) client_closed.Notify();
    conn.Close();
  };
}

class UpstreamClientTest : public ::testing::Test {
 protected:
  UpstreamClient::Options DefaultOptions() {
    UpstreamClient::Options options;
    options.timeout_seconds = 10;
    return options;
  }

  testing::LoopThread loop_;
  UpstreamClient client_{loop_.io(), DefaultOptions()};
};

TEST_F(UpstreamClientTest, SendsTheRequestAsGivenAndDeliversAJsonAnswer) {
  TestHttpServer server(
      AnswerWith(HttpResponse(200, "application/json", kJson, "Server-Timing: gfet4t7; dur=12\r\nRetry-After: 3\r\n")));
  UpstreamRequest request = MakeRequest(server.SchemeHostPort(), "/v1beta/models/m:generateContent?alt=sse&x=%2F");
  request.headers.emplace_back("Host", "ignored.example");  // The client writes Host itself.
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, request));

  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  ASSERT_TRUE(watcher.head().has_value());
  EXPECT_EQ(watcher.head()->status, 200);
  EXPECT_EQ(watcher.head()->content_type, "application/json");
  EXPECT_EQ(watcher.head()->retry_after, "3");
  EXPECT_THAT(watcher.head()->passthrough,
              ElementsAre(std::make_pair(std::string("Server-Timing"), std::string("gfet4t7; dur=12"))));
  EXPECT_EQ(watcher.body(), kJson);
  EXPECT_EQ(watcher.done_thread(), loop_.thread_id());
  EXPECT_EQ(watcher.done_calls(), 1);
  const ServerRequest seen = server.last_request();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1beta/models/m:generateContent?alt=sse&x=%2F");
  EXPECT_EQ(seen.Header("Host"), absl::StrCat("127.0.0.1:", server.port()));
  EXPECT_EQ(seen.Header("x-goog-api-key"), "AIzaSyTest");
  EXPECT_EQ(seen.Header("Content-Length"), "15");
  EXPECT_EQ(seen.body, R"({"contents":[]})");
}

TEST_F(UpstreamClientTest, EachStreamedPieceArrivesBeforeTheServerSendsTheNext) {
  Notification first_piece_seen;
  std::atomic<bool> client_saw_first_in_time{false};
  TestHttpServer server([&](const ServerRequest&, ServerConnection& conn) {
    conn.Write(ChunkedHead(200, "text/event-stream"));
    conn.Write(Chunk("data: 1\r\n\r\n"));
    // The second piece waits until the client has the first: no buffering.
    client_saw_first_in_time = first_piece_seen.WaitForNotificationWithTimeout(absl::Seconds(10));
    conn.Write(Chunk("data: 2\r\n\r\n"));
    conn.Write(kLastChunk);
  });
  CallWatcher watcher;
  client_.Start(MakeRequest(server.SchemeHostPort()), watcher.Callbacks([&](absl::string_view) {
    if (!first_piece_seen.HasBeenNotified()) first_piece_seen.Notify();
    return BodyAction::kContinue;
  }));
  ASSERT_TRUE(watcher.WaitDone());
  EXPECT_TRUE(client_saw_first_in_time);
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_THAT(watcher.pieces(), ElementsAre("data: 1\r\n\r\n", "data: 2\r\n\r\n"));
  EXPECT_THAT(watcher.events(), ElementsAre("head", "body", "body", "done"));
}

TEST_F(UpstreamClientTest, SequentialCallsShareOneKeepAliveConnection) {
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kJson)));
  for (int i = 0; i < 3; ++i) {
    CallWatcher watcher;
    ASSERT_TRUE(watcher.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
    EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(UpstreamClientTest, ADeadPooledConnectionIsReplacedTransparently) {
  // The first connection answers once, then drops the next request unanswered
  // (as a server closing an idle connection just as the request arrives).
  TestHttpServer server([](const ServerRequest& request, ServerConnection& conn) {
    if (request.connection == 1 && request.Header("X-Call") == "2") return conn.Close();
    conn.Write(HttpResponse(200, "application/json", kJson));
  });
  for (const char* call : {"1", "2"}) {
    UpstreamRequest request = MakeRequest(server.SchemeHostPort());
    request.headers.emplace_back("X-Call", call);
    CallWatcher watcher;
    ASSERT_TRUE(watcher.StartAndWait(client_, request));
    EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << call << ": " << watcher.result().detail;
    EXPECT_EQ(watcher.body(), kJson);
  }
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests(), 3);  // The second call's request twice: dropped, then answered.
}

TEST_F(UpstreamClientTest, APausedCallStopsReadingWithoutTimingOutAndResumeFinishesIt) {
  constexpr size_t kBody = 64 << 20;
  constexpr size_t kBlock = 256 << 10;
  Notification server_stalled;
  std::atomic<size_t> written_at_stall{0};
  TestHttpServer server([&](const ServerRequest&, ServerConnection& conn) {
    conn.Write(absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ", kBody,
                            "\r\n\r\n"));
    const std::string block(kBlock, 'x');
    for (size_t written = 0; written < kBody; written += kBlock) {
      const bool ok = conn.Write(block, [&] {
        written_at_stall = written;
        if (!server_stalled.HasBeenNotified()) server_stalled.Notify();
      });
      if (!ok) return;
    }
  });
  UpstreamRequest request = MakeRequest(server.SchemeHostPort(), "/big", "GET", "");
  request.timeout_seconds = 1;  // A pause must not count against it.
  std::atomic<bool> resumed{false};
  CallWatcher watcher;
  std::shared_ptr<UpstreamCall> call = client_.Start(request, watcher.Callbacks([&](absl::string_view) {
    return resumed ? BodyAction::kContinue : BodyAction::kPause;
  }));
  ASSERT_TRUE(watcher.WaitPieces(1));
  ASSERT_TRUE(server_stalled.WaitForNotificationWithTimeout(absl::Seconds(20)));
  // Bounded by the kernel's socket buffers, not by the body.
  EXPECT_LT(written_at_stall.load(), size_t{40} << 20);
  EXPECT_TRUE(watcher.StaysRunning(absl::Milliseconds(1500))) << watcher.result().detail;
  EXPECT_EQ(watcher.pieces().size(), 1u) << "nothing is delivered while paused";

  resumed = true;
  call->Resume();
  ASSERT_TRUE(watcher.WaitDone(absl::Seconds(60)));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_EQ(watcher.bytes(), kBody);
  // After the end both are no-ops; the marker runs after them (one loop thread).
  call->Resume();
  call->Cancel();
  Notification marker;
  boost::asio::post(loop_.io(), [&] { marker.Notify(); });
  ASSERT_TRUE(marker.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(watcher.done_calls(), 1);
}

TEST_F(UpstreamClientTest, CancelMidStreamClosesTheConnection) {
  Notification client_closed;
  TestHttpServer server(FirstEventThenWaitForClientClose(client_closed));
  CallWatcher watcher;
  std::shared_ptr<UpstreamCall> call = client_.Start(MakeRequest(server.SchemeHostPort()), watcher.Callbacks());
  ASSERT_TRUE(watcher.WaitPieces(1));
  call->Cancel();
  ASSERT_TRUE(watcher.WaitDone());
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kCancelled);
  EXPECT_TRUE(client_closed.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST_F(UpstreamClientTest, ABodyCallbackAnsweringCancelEndsTheCall) {
  Notification client_closed;
  TestHttpServer server(FirstEventThenWaitForClientClose(client_closed));
  CallWatcher watcher;
  client_.Start(MakeRequest(server.SchemeHostPort()),
                watcher.Callbacks([](absl::string_view) { return BodyAction::kCancel; }));
  ASSERT_TRUE(watcher.WaitDone());
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kCancelled);
  EXPECT_TRUE(client_closed.WaitForNotificationWithTimeout(absl::Seconds(10)));
}

TEST_F(UpstreamClientTest, AResetMidBodyIsAConnectionFailure) {
  TestHttpServer server([](const ServerRequest&, ServerConnection& conn) {
    conn.Write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"candid");
    conn.Reset();
  });
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(watcher.result().failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(watcher.result().detail, HasSubstr(absl::StrCat("[", server.SchemeHostPort(), "]")));
  EXPECT_EQ(watcher.body(), "{\"candid");
}

TEST_F(UpstreamClientTest, AnEarlyCloseMidBodyIsAConnectionFailure) {
  TestHttpServer server([](const ServerRequest&, ServerConnection& conn) {
    conn.Write(ChunkedHead(200, "text/event-stream"));
    conn.Write(Chunk("data: 1\r\n\r\n"));
    conn.Close();
  });
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(watcher.result().failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(watcher.result().detail, HasSubstr("before the response was complete"));
}

TEST_F(UpstreamClientTest, AServerThatNeverAnswersTimesOut) {
  Notification release;
  TestHttpServer server([&](const ServerRequest&, ServerConnection& conn) {
    release.WaitForNotificationWithTimeout(absl::Seconds(20));
    conn.Close();
  });
  UpstreamRequest request = MakeRequest(server.SchemeHostPort());
  request.timeout_seconds = 1;
  CallWatcher watcher;
  const auto start = std::chrono::steady_clock::now();
  client_.Start(request, watcher.Callbacks());
  ASSERT_TRUE(watcher.WaitDone(absl::Seconds(10)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  release.Notify();
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(watcher.result().failure, gemini::TransportFailure::kTimeout);
  EXPECT_THAT(watcher.result().detail, HasSubstr("no data for 1 s (TIME_OUT)"));
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(UpstreamClientTest, ASlowButSteadyStreamDoesNotTimeOut) {
  // Each piece comes within the timeout, the whole stream takes longer.
  Notification never;
  TestHttpServer server([&](const ServerRequest&, ServerConnection& conn) {
    conn.Write(ChunkedHead(200, "text/event-stream"));
    for (int i = 0; i < 4; ++i) {
      never.WaitForNotificationWithTimeout(absl::Milliseconds(400));  // The server's pacing, not a sync.
      conn.Write(Chunk("data: x\r\n\r\n"));
    }
    conn.Write(kLastChunk);
  });
  UpstreamRequest request = MakeRequest(server.SchemeHostPort());
  request.timeout_seconds = 1;
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, request));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_EQ(watcher.pieces().size(), 4u);
}

TEST_F(UpstreamClientTest, NothingListeningIsAConnectionFailure) {
  CallWatcher watcher;
  const std::string target = absl::StrCat("http://127.0.0.1:", gempool::testing::FreePort());
  ASSERT_TRUE(watcher.StartAndWait(client_, MakeRequest(target)));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kFailed);
  EXPECT_EQ(watcher.result().failure, gemini::TransportFailure::kConnection);
  EXPECT_THAT(watcher.result().detail, HasSubstr("could not connect"));
  EXPECT_THAT(watcher.result().detail, HasSubstr(absl::StrCat("[", target, "]")));
}

TEST_F(UpstreamClientTest, AbortAllEndsCallsInFlightAndRefusesNewOnes) {
  Notification request_arrived;
  Notification release;
  TestHttpServer server([&](const ServerRequest&, ServerConnection& conn) {
    request_arrived.Notify();
    release.WaitForNotificationWithTimeout(absl::Seconds(20));
    conn.Close();
  });
  CallWatcher in_flight;
  client_.Start(MakeRequest(server.SchemeHostPort()), in_flight.Callbacks());
  ASSERT_TRUE(request_arrived.WaitForNotificationWithTimeout(absl::Seconds(10)));
  client_.AbortAll();
  ASSERT_TRUE(in_flight.WaitDone());
  EXPECT_EQ(in_flight.result().kind, UpstreamResult::Kind::kAborted);

  CallWatcher later;
  ASSERT_TRUE(later.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(later.result().kind, UpstreamResult::Kind::kAborted);
  EXPECT_EQ(later.done_thread(), loop_.thread_id()) << "on_done runs on the loop, never inside Start()";
  EXPECT_FALSE(later.head().has_value());
  release.Notify();
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(UpstreamClientTest, A204HasAHeadAndNoBody) {
  TestHttpServer server(AnswerWith("HTTP/1.1 204 No Content\r\n\r\n"));
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, MakeRequest(server.SchemeHostPort(), "/x", "GET", "")));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_EQ(watcher.head()->status, 204);
  EXPECT_THAT(watcher.events(), ElementsAre("head", "done"));
}

TEST_F(UpstreamClientTest, ABodyEndingWithTheConnectionIsComplete) {
  TestHttpServer server([](const ServerRequest&, ServerConnection& conn) {
    conn.Write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello ");
    conn.Write("world");
    conn.Close();
  });
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kComplete) << watcher.result().detail;
  EXPECT_EQ(watcher.body(), "hello world");
}

TEST_F(UpstreamClientTest, AnInterimResponseIsSkipped) {
  TestHttpServer server([](const ServerRequest&, ServerConnection& conn) {
    conn.Write("HTTP/1.1 100 Continue\r\n\r\n");
    conn.Write(HttpResponse(429, "application/json", kJson));
  });
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(watcher.head()->status, 429);
  EXPECT_EQ(watcher.body(), kJson);
}

TEST_F(UpstreamClientTest, RefusingTheHeadCancels) {
  TestHttpServer server(AnswerWith(HttpResponse(500, "application/json", kJson)));
  CallWatcher watcher;
  client_.Start(MakeRequest(server.SchemeHostPort()), watcher.Callbacks(nullptr, /*accept_head=*/false));
  ASSERT_TRUE(watcher.WaitDone());
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kCancelled);
  EXPECT_THAT(watcher.events(), ElementsAre("head", "done"));
}

TEST_F(UpstreamClientTest, AMalformedResponseIsAConnectionFailure) {
  TestHttpServer server([](const ServerRequest&, ServerConnection& conn) {
    conn.Write("SMTP ready\r\n\r\n");
    conn.Close();
  });
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, MakeRequest(server.SchemeHostPort())));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kFailed);
  EXPECT_THAT(watcher.result().detail, HasSubstr("malformed response"));
}

TEST_F(UpstreamClientTest, SendBlocksForTheWholeAnswer) {
  TestHttpServer server([](const ServerRequest&, ServerConnection& conn) {
    conn.Write(ChunkedHead(200, "application/json"));
    conn.Write(Chunk("[{\"a\":"));
    conn.Write(Chunk("1}]"));
    conn.Write(kLastChunk);
  });
  int status = 0;
  std::string body;
  UpstreamCallbacks callbacks;
  callbacks.on_head = [&](const UpstreamResponseHead& head) {
    status = head.status;
    return true;
  };
  callbacks.on_body = [&](absl::string_view piece) {
    body.append(piece.data(), piece.size());
    return true;
  };
  UpstreamResult result = client_.Send(MakeRequest(server.SchemeHostPort()), callbacks);
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kComplete) << result.detail;
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "[{\"a\":1}]");

  callbacks.on_body = [](absl::string_view) { return false; };
  EXPECT_EQ(client_.Send(MakeRequest(server.SchemeHostPort()), callbacks).kind, UpstreamResult::Kind::kCancelled);
}

TEST_F(UpstreamClientTest, SendOnALoopThreadFailsInsteadOfDeadlocking) {
  std::promise<UpstreamResult> sent;
  std::future<UpstreamResult> future = sent.get_future();
  boost::asio::post(loop_.io(), [&] { sent.set_value(client_.Send(MakeRequest("http://127.0.0.1:9"), {})); });
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  const UpstreamResult result = future.get();
  EXPECT_EQ(result.kind, UpstreamResult::Kind::kFailed);
  EXPECT_THAT(result.detail, HasSubstr("event-loop thread"));
}

TEST_F(UpstreamClientTest, AnInvalidHeaderFailsTheCallWithoutSendingIt) {
  TestHttpServer server(AnswerWith(HttpResponse(200, "application/json", kJson)));
  UpstreamRequest request = MakeRequest(server.SchemeHostPort());
  request.headers.emplace_back("X-Evil", "a\r\nX-Injected: 1");
  CallWatcher watcher;
  ASSERT_TRUE(watcher.StartAndWait(client_, request));
  EXPECT_EQ(watcher.result().kind, UpstreamResult::Kind::kFailed);
  EXPECT_THAT(watcher.result().detail, HasSubstr("X-Evil"));
  EXPECT_EQ(server.requests(), 0);
}

TEST(UpstreamClientConcurrencyTest, ManyCallsOnAMultiThreadedLoopPausedResumedAndCancelledFromOutside) {
  constexpr int kCalls = 32;
  constexpr int kPieces = 20;
  TestHttpServer server([](const ServerRequest&, ServerConnection& conn) {
    conn.Write(ChunkedHead(200, "text/event-stream"));
    for (int i = 0; i < kPieces; ++i) {
      if (!conn.Write(Chunk(absl::StrCat("data: ", i, "\r\n\r\n")))) return;
    }
    conn.Write(kLastChunk);
  });
  std::string expected;
  for (int i = 0; i < kPieces; ++i) absl::StrAppend(&expected, "data: ", i, "\r\n\r\n");

  testing::LoopThread loop(4);
  UpstreamClient client(loop.io(), UpstreamClient::Options{});
  std::vector<std::unique_ptr<CallWatcher>> watchers;
  std::vector<std::shared_ptr<UpstreamCall>> calls;
  for (int i = 0; i < kCalls; ++i) {
    watchers.push_back(std::make_unique<CallWatcher>());
    // Every piece pauses the call; the thread below resumes it.
    calls.push_back(client.Start(MakeRequest(server.SchemeHostPort()),
                                 watchers.back()->Callbacks([](absl::string_view) { return BodyAction::kPause; })));
  }
  std::atomic<bool> all_done{false};
  std::thread resumer([&] {
    while (!all_done) {
      for (int i = 0; i < kCalls; ++i) {
        // Every fourth call is cancelled while paused after its first piece.
        if (i % 4 != 3) {
          calls[i]->Resume();
        } else if (!watchers[i]->pieces().empty()) {
          calls[i]->Cancel();
        }
      }
      std::this_thread::yield();
    }
  });
  for (auto& watcher : watchers) EXPECT_TRUE(watcher->WaitDone(absl::Seconds(60)));
  all_done = true;
  resumer.join();
  for (int i = 0; i < kCalls; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(watchers[i]->done_calls(), 1);
    if (i % 4 == 3) {
      EXPECT_EQ(watchers[i]->result().kind, UpstreamResult::Kind::kCancelled) << watchers[i]->result().detail;
      EXPECT_EQ(watchers[i]->pieces().size(), 1u);
    } else {
      EXPECT_EQ(watchers[i]->result().kind, UpstreamResult::Kind::kComplete) << watchers[i]->result().detail;
      EXPECT_EQ(watchers[i]->body(), expected);
    }
  }
}

}  // namespace
}  // namespace gempool::upstream
