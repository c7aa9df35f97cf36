// A gateway killed with SIGKILL under load loses at most what its queues
// held: the request-log rows added since its writer last sent a batch (the
// writer sends every 200 ms, or at once when 100 rows are waiting; the queue
// keeps at most 20000 rows per table). Measured here: every call answered
// more than a second before the kill has its row, and the rows lost are far
// below the bound.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <set>

#include "integration/client_load.h"
#include "integration/db_rows.h"
#include "integration/stack_test_base.h"

namespace gempool::integration {
namespace {

// RequestLogWriter::Options::max_backlog (services/gateway/logs/
// request_log_writer.h): the most request-log rows a gateway holds.
constexpr size_t kRequestLogQueueBound = 20000;
// How far back a lost row may be: 5 times the writer's flush interval.
constexpr auto kLossWindow = std::chrono::milliseconds(1000);

class SigkillTest : public StackTest {};

TEST_F(SigkillTest, AKilledGatewayLosesOnlyItsLastQueuedRows) {
  StackOptions options;
  options.extra_env["LOG_LEVEL"] = "info";
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  ClientLoad::Options load_options;
  load_options.port = stack().gateway_port();
  load_options.token = stack().token();
  load_options.threads = 50;
  load_options.id_prefix = "killed";
  load_options.native_whole_only = true;
  ClientLoad load(load_options);
  // Long enough that most calls were answered well before the window below.
  ASSERT_TRUE(load.WaitForSucceeded(4000, 60000)) << "the load never got going";

  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(kill(stack().Process(Stack::Service::kGateway)->pid(), SIGKILL), 0);
  load.Stop();
  // Persistence finishes the writes it received (a SIGTERM drains it), so
  // the database below is final.
  const int persistence_status = stack().Stop(Stack::Service::kPersistence);
  EXPECT_EQ(persistence_status, 0);

  auto rows = SqliteQuery(stack().SqlitePath(),
                          "SELECT request_id FROM gempool_request_log WHERE request_id LIKE 'killed-%'");
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::set<std::string> present;
  for (const Row& row : *rows) present.insert(row.at("request_id"));

  size_t answered = 0;
  size_t answered_in_window = 0;
  size_t lost = 0;
  size_t lost_outside_window = 0;
  int64_t oldest_lost_ms = 0;
  for (const ClientLoad::Call& call : load.Calls()) {
    if (!call.ok || call.finished > killed_at) continue;
    ++answered;
    const bool recent = killed_at - call.finished <= kLossWindow;
    if (recent) ++answered_in_window;
    if (present.count(call.id) > 0) continue;
    ++lost;
    if (!recent) ++lost_outside_window;
    oldest_lost_ms = std::max<int64_t>(
        oldest_lost_ms, std::chrono::duration_cast<std::chrono::milliseconds>(killed_at - call.finished).count());
  }
  ASSERT_GT(answered, 2 * answered_in_window) << "the load ran too briefly for the window to mean anything";
  EXPECT_LE(lost, kRequestLogQueueBound);
  EXPECT_EQ(lost_outside_window, 0u) << "rows of calls answered more than " << kLossWindow.count()
                                     << " ms before the kill were lost: the queue held more than its last moments";
  std::cout << "SIGKILL under load (50 clients): " << answered << " calls answered before the kill, " << lost
            << " request-log rows lost (the oldest answered " << oldest_lost_ms << " ms before the kill; "
            << answered_in_window << " calls were answered in the last " << kLossWindow.count()
            << " ms); bound " << kRequestLogQueueBound << "\n";
}

}  // namespace
}  // namespace gempool::integration
