// GET /health answers 200 only while the broker and persistence answer, and
// names the one that does not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "integration/stack_test_base.h"

namespace gempool::integration {
namespace {

constexpr int kHealthWaitMs = 15000;

class HealthTest : public StackTest {
 protected:
  // A service stops gracefully on SIGTERM (exit code 0), while a gateway
  // still holds connections to it.
  static void ExpectCleanExit(int wait_status, const std::string& name) {
    EXPECT_TRUE(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0)
        << name << " did not exit cleanly on SIGTERM within 10 s (wait status " << wait_status << ")";
  }

  // Waits until /health answers `status`; returns the last body seen.
  std::string WaitForHealth(int status) {
    std::string body;
    int last_status = 0;
    const bool reached = gempool::testing::WaitFor(
        [&] {
          auto r = stack().Gateway()->Get("/health");
          if (!r) return false;
          last_status = r->status;
          body = r->body;
          return r->status == status;
        },
        kHealthWaitMs);
    EXPECT_TRUE(reached) << "/health stayed " << last_status << ": " << body;
    return body;
  }
};

TEST_F(HealthTest, Names503PersistenceWhenItIsStopped) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  WaitForHealth(200);
  ExpectCleanExit(stack().Stop(Stack::Service::kPersistence), "gempool-persistence");
  const std::string body = absl::AsciiStrToLower(WaitForHealth(503));
  EXPECT_THAT(body, ::testing::HasSubstr("persistence"));
  // Requests are still served without the database.
  auto r = Generate();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  ASSERT_TRUE(stack().Restart(Stack::Service::kPersistence).ok());
  WaitForHealth(200);
}

TEST_F(HealthTest, Names503BrokerWhenItIsStopped) {
  ASSERT_NO_FATAL_FAILURE(StartStack());
  ExpectCleanExit(stack().Stop(Stack::Service::kKeyBroker), "gempool-keybroker");
  const std::string body = absl::AsciiStrToLower(WaitForHealth(503));
  EXPECT_THAT(body, ::testing::HasSubstr("broker"));
  ASSERT_TRUE(stack().Restart(Stack::Service::kKeyBroker).ok());
  WaitForHealth(200);
  auto r = Generate();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

}  // namespace
}  // namespace gempool::integration
