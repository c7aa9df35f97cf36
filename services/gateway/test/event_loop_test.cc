// EventLoop with the worker pool, the hand-off every gateway call makes:
// a connection's state lives on the loop (a strand per connection), blocking
// work goes to ElasticThreadPool, and its result comes back to the strand.
// Run under ThreadSanitizer by scripts/test-sanitize.sh, where a missing
// hand-off shows up as a data race.
#include "http/event_loop.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "absl/time/time.h"
#include "gempool/common/notification.h"
#include "gtest/gtest.h"
#include "http/elastic_thread_pool.h"

namespace gempool::gateway {
namespace {

namespace asio = boost::asio;

// A stand-in for a client connection: plain fields touched only on its strand.
struct FakeConnection {
  explicit FakeConnection(EventLoop& loop) : strand(asio::make_strand(loop.executor())) {}
  asio::strand<asio::io_context::executor_type> strand;
  std::string answer;   // Written on the strand only.
  int round_trips = 0;  // Written on the strand only.
};

TEST(EventLoopTest, WorkHandedToWorkersComesBackToTheConnectionsStrand) {
  EventLoop loop(2, "test-io");
  loop.Start();
  ElasticThreadPool::Options pool_options;
  pool_options.max_threads = 4;
  ElasticThreadPool workers(pool_options);
  constexpr int kConnections = 50;
  constexpr int kRoundTrips = 20;
  std::vector<std::unique_ptr<FakeConnection>> connections;
  for (int i = 0; i < kConnections; ++i) connections.push_back(std::make_unique<FakeConnection>(loop));
  std::atomic<int> finished{0};
  Notification all_finished;

  // Each round trip: on the strand, hand a "blocking call" to a worker,
  // whose result is posted back to the strand; repeat.
  std::function<void(FakeConnection*)> round_trip = [&](FakeConnection* connection) {
    workers.Submit([&, connection] {
      std::string result = "piece " + std::to_string(connection->round_trips);  // read: ordered by the post below
      asio::post(connection->strand, [&, connection, result = std::move(result)] {
        connection->answer += result;
        if (++connection->round_trips < kRoundTrips) {
          round_trip(connection);
        } else if (finished.fetch_add(1) + 1 == kConnections) {
          all_finished.Notify();
        }
      });
    });
  };
  for (auto& connection : connections) {
    asio::post(connection->strand, [&, c = connection.get()] { round_trip(c); });
  }
  ASSERT_TRUE(all_finished.WaitForNotificationWithTimeout(absl::Seconds(60)));
  loop.Stop();  // Joins the loop threads: their writes are visible from here.
  workers.Shutdown();
  for (const auto& connection : connections) {
    EXPECT_EQ(connection->round_trips, kRoundTrips);
    EXPECT_EQ(connection->answer.rfind("piece 19"), connection->answer.size() - 8);
  }
}

TEST(EventLoopTest, AHandlerThatThrowsDoesNotStopTheLoop) {
  EventLoop loop(1, "test-io");
  loop.Start();
  asio::post(loop.executor(), [] { throw std::runtime_error("boom"); });
  Notification ran;
  asio::post(loop.executor(), [&] { ran.Notify(); });
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(30)));
}

TEST(EventLoopTest, StopEndsPendingTimersAndJoins) {
  EventLoop loop(2, "test-io");
  loop.Start();
  asio::steady_timer timer(loop.context(), std::chrono::hours(1));
  std::atomic<bool> fired{false};
  timer.async_wait([&](const boost::system::error_code&) { fired = true; });
  loop.Stop();  // Returns although a timer is an hour away.
  loop.Stop();  // A second Stop is harmless.
  EXPECT_FALSE(fired.load());
}

}  // namespace
}  // namespace gempool::gateway
