#pragma once
// Starts a test's cpp-httplib server on its own thread and returns once the
// server accepts. Waiting matters even for a test that never calls it:
// cpp-httplib 0.11's stop() does nothing before listen_after_bind() has
// started its accept loop, so a test that stops the server too early leaves
// the thread in accept() forever (a CI run hung 10 minutes on that).

#include <httplib.h>

#include <thread>

#include <gtest/gtest.h>

#include "gempool/testing/subprocess.h"

namespace gempool::testing {

// `server` must be bound (bind_to_any_port) and outlive `*thread`; join the
// thread after server.stop().
inline ::testing::AssertionResult StartListening(httplib::Server& server, std::thread* thread,
                                                 int timeout_ms = 10'000) {
  *thread = std::thread([&server] { server.listen_after_bind(); });
  if (WaitFor([&server] { return server.is_running(); }, timeout_ms)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the test's HTTP server did not start listening within " << timeout_ms
                                       << " ms";
}

}  // namespace gempool::testing
