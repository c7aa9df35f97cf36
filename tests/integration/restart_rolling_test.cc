// A rolling restart loses nothing: nginx (configured from
// deploy/nginx/gempool.conf) in front of two gateways, 50 clients calling
// and streaming (native and OpenAI) without pause, and each gateway in turn
// stopped with SIGTERM (it drains and exits 0) and started again on its
// port. Every call succeeds and every call's request-log row reaches
// persistence.
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "gempool/testing/temp_files.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "integration/client_load.h"
#include "integration/db_rows.h"
#include "integration/nginx_process.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;

constexpr int kClients = 50;
constexpr int kStreamChunks = 3;

// The nginx config test: the deploy file's blocks come through.
TEST(NginxTestConfigTest, TakesTheDeployFilesUpstreamAndServerBlocks) {
  const std::string deploy = R"(# comment
resolver 127.0.0.11 valid=10s ipv6=off;
upstream gempool_gateways {
    zone gempool_gateways 64k;
    server gateway:8000 resolve max_fails=1 fail_timeout=10s;
    keepalive 64;
}
server {
    listen 8000;
    location / {
        proxy_pass http://gempool_gateways;  # trailing comment
        proxy_next_upstream error timeout non_idempotent;
    }
}
)";
  auto conf = NginxTestConfig(deploy, {1001, 1002}, 2000, "/tmp/x");
  ASSERT_TRUE(conf.ok()) << conf.status();
  EXPECT_THAT(*conf, ::testing::HasSubstr("server 127.0.0.1:1001 max_fails=1 fail_timeout=10s;"));
  EXPECT_THAT(*conf, ::testing::HasSubstr("server 127.0.0.1:1002 max_fails=1 fail_timeout=10s;"));
  EXPECT_THAT(*conf, ::testing::HasSubstr("keepalive 64;"));
  EXPECT_THAT(*conf, ::testing::HasSubstr("listen 127.0.0.1:2000;"));
  EXPECT_THAT(*conf, ::testing::HasSubstr("proxy_next_upstream error timeout non_idempotent;"));
  EXPECT_THAT(*conf, ::testing::Not(::testing::HasSubstr("resolver")));
  EXPECT_THAT(*conf, ::testing::Not(::testing::HasSubstr("listen 8000")));
  EXPECT_THAT(*conf, ::testing::Not(::testing::HasSubstr("trailing comment")));
  EXPECT_FALSE(NginxTestConfig("upstream x { keepalive 1; }", {1}, 2, "/tmp/x").ok());
}

class RollingRestartTest : public StackTest {
 protected:
  void TearDown() override {
    nginx_.reset();
    StackTest::TearDown();
    if (!nginx_dir_.empty() && !HasFailure()) std::filesystem::remove_all(nginx_dir_);
  }

  std::unique_ptr<NginxProcess> nginx_;
  std::string nginx_dir_;
};

TEST_F(RollingRestartTest, RestartingEachGatewayBehindNginxLosesNoCallAndNoLogRow) {
  if (access(kNginxBinary, X_OK) != 0) {
    GTEST_SKIP() << kNginxBinary << " is not installed (Debian package nginx-light or nginx): the rolling-restart "
                 << "test needs a real load balancer in front of the gateways";
  }
  StackOptions options;
  options.gateways = 2;
  // Below the stack's 10 s before SIGKILL; the calls here take milliseconds.
  options.extra_env["SHUTDOWN_GRACE_SECONDS"] = "8";
  options.extra_env["LOG_LEVEL"] = "info";
  // Every client reaches the gateways from nginx's address.
  options.extra_env["MAX_CONNECTIONS_PER_IP"] = "0";
  ASSERT_NO_FATAL_FAILURE(StartStack(options));
  // Streams of three chunks 30 ms apart, so streams are open at every moment.
  ASSERT_TRUE(fake()
                  .ScriptKey("", "",
                             json::array({{{"kind", "slow_stream"}, {"chunks", kStreamChunks}, {"intervalMs", 30}}}),
                             /*repeat=*/true)
                  .ok());
  nginx_dir_ = testing::MakeTempDir("gempool-nginx-");
  auto nginx = NginxProcess::Start(std::string(GEMPOOL_SOURCE_DIR) + "/deploy/nginx/gempool.conf",
                                   {stack().gateway_port(0), stack().gateway_port(1)}, nginx_dir_);
  ASSERT_TRUE(nginx.ok()) << nginx.status();
  nginx_ = *std::move(nginx);

  ClientLoad::Options load_options;
  load_options.port = nginx_->port();
  load_options.token = stack().token();
  load_options.threads = kClients;
  load_options.id_prefix = "rolling";
  load_options.stream_chunks = kStreamChunks;
  ClientLoad load(load_options);
  ASSERT_TRUE(load.WaitForSucceeded(200, 30000)) << "the load never got going";

  const auto test_start = std::chrono::steady_clock::now();
  for (int gateway = 0; gateway < 2; ++gateway) {
    const auto stop_start = std::chrono::steady_clock::now();
    const int status = stack().Stop(Stack::Service::kGateway, gateway);
    const auto stopped = std::chrono::steady_clock::now();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "gateway " << gateway << " did not exit 0 after SIGTERM (wait status " << status << ")";
    ASSERT_TRUE(stack().Restart(Stack::Service::kGateway, gateway).ok());
    const auto healthy = std::chrono::steady_clock::now();
    // Before the next gateway goes, nginx must send to this one again: it
    // avoids a gateway that refused a connection for fail_timeout.
    const std::string upstream = absl::StrCat("127.0.0.1:", stack().gateway_port(gateway));
    ASSERT_TRUE(load.WaitForAnswerFrom(upstream, healthy, 30000))
        << "nginx did not send to the restarted gateway " << upstream;
    const auto back = std::chrono::steady_clock::now();
    auto ms = [](auto from, auto to) { return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count(); };
    std::cout << "gateway " << gateway << ": drained and exited in " << ms(stop_start, stopped)
              << " ms, healthy again after " << ms(stopped, healthy) << " ms, in nginx's rotation after "
              << ms(healthy, back) << " ms\n";
  }
  ASSERT_TRUE(load.WaitForSucceeded(load.succeeded() + 200, 30000));
  load.Stop();
  const auto test_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - test_start).count();

  const std::vector<ClientLoad::Call> calls = load.Calls();
  std::map<std::string, int> by_kind;
  std::vector<const ClientLoad::Call*> failed;
  for (const ClientLoad::Call& call : calls) {
    ++by_kind[ClientLoad::KindName(call.kind)];
    if (!call.ok) failed.push_back(&call);
  }
  std::string failures;
  for (size_t i = 0; i < failed.size() && i < 10; ++i) {
    absl::StrAppend(&failures, "\n  ", failed[i]->id, " (", ClientLoad::KindName(failed[i]->kind), "): ",
                    failed[i]->detail);
  }
  EXPECT_TRUE(failed.empty()) << failed.size() << " of " << calls.size() << " calls failed:" << failures
                              << "\nnginx error log:\n"
                              << nginx_->ErrorLog();

  // nginx's retries: requests whose upstream_addr lists two gateways.
  int retried = 0;
  for (absl::string_view line : absl::StrSplit(nginx_->AccessLog(), '\n')) {
    if (absl::StartsWith(line, "rolling-") && absl::StrContains(line, ", ")) ++retried;
  }

  // Every call's row, once the gateways' writers have sent them.
  std::set<std::string> expected;
  for (const ClientLoad::Call& call : calls) {
    if (call.ok) expected.insert(call.id);
  }
  std::set<std::string> missing;
  size_t rows_seen = 0;
  const bool all_rows = gempool::testing::WaitFor(
      [&] {
        auto rows = SqliteQuery(stack().SqlitePath(),
                                "SELECT request_id FROM gempool_request_log WHERE request_id LIKE 'rolling-%'");
        if (!rows.ok()) return false;
        rows_seen = rows->size();
        std::set<std::string> present;
        for (const Row& row : *rows) present.insert(row.at("request_id"));
        missing.clear();
        for (const std::string& id : expected) {
          if (present.count(id) == 0) missing.insert(id);
        }
        return missing.empty();
      },
      15000);
  EXPECT_TRUE(all_rows) << missing.size() << " request-log rows are missing"
                        << (missing.empty() ? std::string() : ", e.g. " + *missing.begin());
  std::cout << "rolling restart: " << calls.size() << " calls in " << test_ms << " ms (";
  for (const auto& [kind, n] : by_kind) std::cout << kind << " " << n << ", ";
  std::cout << "), " << failed.size() << " failed, " << retried << " retried by nginx on the other gateway, "
            << rows_seen << " rows for " << expected.size() << " answered calls\n";
}

}  // namespace
}  // namespace gempool::integration
