#pragma once
// Base fixture of the integration tests: starts a Stack and offers the calls
// most tests make. Not thread-safe.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "httplib.h"
#include "integration/fake_upstream_process.h"
#include "integration/http_calls.h"
#include "integration/stack.h"

namespace gempool::integration {

inline constexpr char kFlash[] = "gemini-2.5-flash";
inline constexpr char kPro[] = "gemini-2.5-pro";

class StackTest : public ::testing::Test {
 protected:
  // Stops every process (printing their logs if the test failed) while the
  // test's other resources, such as a MariaDB database, still exist.
  void TearDown() override { stack_.reset(); }

  // Starts a stack with `options`. Callers follow it with
  // `if (HasFatalFailure()) return;` (or use ASSERT_NO_FATAL_FAILURE).
  void StartStack(StackOptions options = {});

  Stack& stack() { return *stack_; }
  FakeUpstream& fake() { return stack_->fake(); }

  // The client token as x-goog-api-key.
  httplib::Headers Auth() const { return {{"x-goog-api-key", stack_->token()}}; }
  static std::string GeneratePath(const std::string& model, const std::string& method = "generateContent") {
    return "/v1beta/models/" + model + ":" + method;
  }
  // POST generateContent for `model` through gateway `gateway`.
  httplib::Result Generate(const std::string& model = kFlash, int gateway = 0, const std::string& text = "hello");

  // What reached the upstream for `operation` ("" = everything) after id
  // `since`; records a test failure and returns {} when the fake cannot say.
  std::vector<UpstreamRequest> Upstream(const std::string& operation = "", int64_t since = 0);
  // The id of the newest upstream request so far (0 when none).
  int64_t LastUpstreamId();

  std::unique_ptr<Stack> stack_;
};

// How many times each of `keys` appears in `used`.
std::vector<int> CountPerKey(const std::vector<std::string>& keys, const std::vector<std::string>& used);

}  // namespace gempool::integration
