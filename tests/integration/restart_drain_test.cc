// SIGTERM drains a gateway: it stops accepting, closes idle keep-alive
// connections, answers /health with 503 and every answer with
// `Connection: close`, lets the streams in flight finish (up to
// SHUTDOWN_GRACE_SECONDS), flushes their log rows and exits 0. A second
// signal ends the drain at once. The broker and persistence stop in well
// under a second with gateways connected.
#include <signal.h>
#include <sys/wait.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "integration/db_rows.h"
#include "integration/raw_http.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

int64_t ElapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count();
}

class RestartDrainTest : public StackTest {
 protected:
  void StartWithGrace(int grace_seconds) {
    StackOptions options;
    options.extra_env["SHUTDOWN_GRACE_SECONDS"] = std::to_string(grace_seconds);
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }

  // Starts a streamed call (request id `id`) on a thread and waits until the
  // upstream has it, so it is in flight when the test goes on.
  std::future<StreamedResponse> StartStream(const std::string& id) {
    const int port = stack().gateway_port();
    httplib::Headers headers = Auth();
    headers.emplace("x-request-id", id);
    auto call = std::async(std::launch::async, [port, headers] {
      return PostStreaming(port, GeneratePath(kFlash, "streamGenerateContent") + "?alt=sse", headers,
                           GenerateBody("drain me"));
    });
    const bool upstream_has_it = gempool::testing::WaitFor(
        [&] {
          auto seen = fake().RequestsFor("streamGenerateContent");
          return seen.ok() && !seen->empty();
        },
        10000);
    EXPECT_TRUE(upstream_has_it) << "the streamed call never reached the upstream";
    return call;
  }

  gempool::testing::Subprocess& GatewayProcess() { return *stack().Process(Stack::Service::kGateway); }

  std::vector<Row> RowsFor(const std::string& request_id) {
    auto rows = SqliteQuery(stack().SqlitePath(),
                            "SELECT * FROM gempool_request_log WHERE request_id = '" + request_id + "'");
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<Row>{};
  }
};

TEST_F(RestartDrainTest, SigtermFinishesTheStreamInFlightFlushesItsRowAndExitsZero) {
  ASSERT_NO_FATAL_FAILURE(StartWithGrace(20));
  constexpr int kChunks = 6;
  // The stream first, then a whole call answered a second late.
  ASSERT_TRUE(fake()
                  .ScriptKey("", "",
                             json::array({{{"kind", "slow_stream"}, {"chunks", kChunks}, {"intervalMs", 200}},
                                          {{"kind", "slow"}, {"delayMs", 1000}}}),
                             /*repeat=*/false)
                  .ok());
  const int port = stack().gateway_port();
  // A keep-alive connection left idle after one answer, and one whose
  // request head is half sent when the drain begins.
  auto idle = RawConnection::Connect(port);
  ASSERT_TRUE(idle.ok()) << idle.status();
  ASSERT_TRUE(idle->Send("GET /health HTTP/1.1\r\nHost: gw\r\n\r\n").ok());
  auto first = idle->ReadResponse(5000);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->status, 200) << first->body;
  auto half = RawConnection::Connect(port);
  ASSERT_TRUE(half.ok()) << half.status();
  ASSERT_TRUE(half->Send("GET /health HTTP/1.1\r\nHost: gw\r\n").ok());

  std::future<StreamedResponse> stream = StartStream("drain-stream-1");
  // A whole call on a raw connection, so its answer's head can be read.
  auto whole = RawConnection::Connect(port);
  ASSERT_TRUE(whole.ok()) << whole.status();
  const std::string body = GenerateBody("answer me late");
  ASSERT_TRUE(whole
                  ->Send(absl::StrCat("POST ", GeneratePath(kFlash), " HTTP/1.1\r\nHost: gw\r\nx-goog-api-key: ",
                                      stack().token(), "\r\nx-request-id: drain-whole-1\r\n",
                                      "Content-Type: application/json\r\nContent-Length: ", body.size(),
                                      "\r\n\r\n", body))
                  .ok());
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto seen = fake().RequestsFor("generateContent");
        return seen.ok() && !seen->empty();
      },
      10000))
      << "the whole call never reached the upstream";
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(GatewayProcess().pid(), SIGTERM), 0);

  // The idle connection is closed at once; nobody new gets in.
  EXPECT_TRUE(idle->WaitClosed(3000)) << "the idle keep-alive connection stayed open during the drain";
  EXPECT_TRUE(gempool::testing::WaitFor([port] { return ConnectionRefused(port); }, 3000))
      << "the draining gateway still accepts connections";
  // The request that was arriving is answered: 503 draining, and closed.
  ASSERT_TRUE(half->Send("\r\n").ok());
  auto draining = half->ReadResponse(5000);
  ASSERT_TRUE(draining.ok()) << draining.status();
  EXPECT_EQ(draining->status, 503);
  EXPECT_EQ(json::parse(draining->body, nullptr, false).value("status", ""), "draining") << draining->body;
  EXPECT_EQ(draining->Header("connection"), "close");
  EXPECT_TRUE(half->WaitClosed(3000));

  // The whole call in flight is answered, and its connection closed.
  auto late = whole->ReadResponse(10000);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->status, 200) << late->body;
  EXPECT_EQ(late->Header("connection"), "close") << "an answer during the drain must close its connection";
  EXPECT_TRUE(whole->WaitClosed(3000));

  // The stream in flight ends as it would have, then the process exits 0.
  StreamedResponse r = stream.get();
  ASSERT_TRUE(r.completed) << httplib::to_string(r.error);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("chunk 6 of 6"));
  EXPECT_EQ(GatewayProcess().WaitExit(20000), 0);
  const int64_t stop_ms = ElapsedMs(signalled);
  EXPECT_LT(stop_ms, 10000);
  // Its row was flushed before the exit: it is in the database already.
  EXPECT_EQ(RowsFor("drain-stream-1").size(), 1u) << "the drained stream's request-log row was lost";
  EXPECT_EQ(RowsFor("drain-whole-1").size(), 1u) << "the drained call's request-log row was lost";
  std::cout << "gateway drain: a " << kChunks << "-chunk stream finished; SIGTERM to exit " << stop_ms << " ms\n";
}

TEST_F(RestartDrainTest, TheDrainDeadlineCutsWhatIsLeftAndStillExitsZero) {
  ASSERT_NO_FATAL_FAILURE(StartWithGrace(1));
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "hang"}}}), /*repeat=*/true).ok());
  std::future<StreamedResponse> stream = StartStream("drain-hang-1");
  const auto signalled = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(GatewayProcess().pid(), SIGTERM), 0);
  EXPECT_EQ(GatewayProcess().WaitExit(10000), 0);
  const int64_t stop_ms = ElapsedMs(signalled);
  EXPECT_GE(stop_ms, 900) << "the call in flight was cut before SHUTDOWN_GRACE_SECONDS";
  EXPECT_LT(stop_ms, 4000) << "SHUTDOWN_GRACE_SECONDS=1 did not bound the drain";
  StreamedResponse r = stream.get();
  EXPECT_FALSE(r.completed && r.status == 200) << "a hanging call cannot have succeeded: " << r.body;
  ASSERT_TRUE(fake().Reset().ok());  // Releases the hanging upstream call.
}

TEST_F(RestartDrainTest, ASecondSignalEndsTheDrainAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartWithGrace(60));
  ASSERT_TRUE(fake().ScriptKey("", "", json::array({{{"kind", "hang"}}}), /*repeat=*/true).ok());
  std::future<StreamedResponse> stream = StartStream("drain-hang-2");
  const int port = stack().gateway_port();
  ASSERT_EQ(kill(GatewayProcess().pid(), SIGTERM), 0);
  ASSERT_TRUE(gempool::testing::WaitFor([port] { return ConnectionRefused(port); }, 3000)) << "the drain did not begin";
  const auto second = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(GatewayProcess().pid(), SIGTERM), 0);
  EXPECT_EQ(GatewayProcess().WaitExit(5000), 128 + SIGTERM);
  EXPECT_LT(ElapsedMs(second), 2000);
  stream.wait();
  ASSERT_TRUE(fake().Reset().ok());
}

// The broker ends the gateways' watch streams first, so gRPC's shutdown does
// not wait out its deadline for them; persistence has no streams.
TEST_F(RestartDrainTest, BrokerAndPersistenceStopFastWithGatewaysConnected) {
  StackOptions options;
  options.gateways = 2;
  options.extra_env["SHUTDOWN_GRACE_SECONDS"] = "30";
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  for (int gateway = 0; gateway < 2; ++gateway) {
    auto r = Generate(kFlash, gateway);
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
  }
  for (Stack::Service service : {Stack::Service::kKeyBroker, Stack::Service::kPersistence}) {
    const char* name = service == Stack::Service::kKeyBroker ? "broker" : "persistence";
    gempool::testing::Subprocess& process = *stack().Process(service);
    const auto signalled = std::chrono::steady_clock::now();
    ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
    EXPECT_EQ(process.WaitExit(10000), 0) << name;
    const int64_t stop_ms = ElapsedMs(signalled);
    EXPECT_LT(stop_ms, 2000) << name << " took " << stop_ms << " ms to stop with two gateways connected";
    std::cout << name << " stop with 2 gateways connected: " << stop_ms << " ms\n";
  }
  // Both come back, and the gateways find them again.
  ASSERT_TRUE(stack().Restart(Stack::Service::kPersistence).ok());
  ASSERT_TRUE(stack().Restart(Stack::Service::kKeyBroker).ok());
  EXPECT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto r = Generate(kFlash, 1);
        return r && r->status == 200;
      },
      10000));
}

}  // namespace
}  // namespace gempool::integration
