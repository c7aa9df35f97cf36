#pragma once
// A whole gempool deployment for one test: the fake Gemini upstream plus the
// real persistence, key broker and gateway binaries as subprocesses on free
// loopback ports, each with its own temporary DATA_DIR and environment. Any
// service can be stopped and started again on the same port. When the test
// has failed, the destructor prints every process's log. Not thread-safe;
// owned by one test.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/testing/subprocess.h"
#include "httplib.h"
#include "integration/fake_upstream_process.h"

namespace gempool::integration {

struct MysqlTarget {
  std::string host;
  int port = 3306;
  std::string user;
  std::string password;
  std::string database;
  std::string socket;
};

struct StackOptions {
  // The pool (API_KEYS). Defaults to three Google-shaped keys.
  std::vector<std::string> keys = {TestKey(1), TestKey(2), TestKey(3)};
  // The keys the fake upstream accepts; empty accepts every key.
  std::vector<std::string> upstream_valid_keys;
  // Client tokens (ALLOWED_TOKENS) and the admin token (AUTH_TOKEN).
  std::vector<std::string> tokens = {"client-token-alpha-7f3a"};
  std::string admin_token = "admin-token-9c1e";
  int max_retries = 3;
  int max_failures = 3;
  // Gateway processes sharing the one broker.
  int gateways = 1;
  // "sqlite" or "mysql" (then `mysql` must be set).
  std::string database_type = "sqlite";
  std::optional<MysqlTarget> mysql;
  // Added to (or overriding) every service's environment.
  std::map<std::string, std::string> extra_env;

  // A Google-shaped (AIza + 35 characters) test key, distinct per `n`.
  static std::string TestKey(int n);
};

class Stack {
 public:
  enum class Service { kPersistence, kKeyBroker, kGateway };

  explicit Stack(StackOptions options);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Starts the fake upstream, persistence, the broker and every gateway, in
  // that order, each once the previous answers; returns the first failure
  // with the failing process's output.
  absl::Status Start();

  // Stops one service (gracefully: SIGTERM, then SIGKILL after 10 s);
  // returns its wait status (as from waitpid; -1 if it was not running).
  int Stop(Service service, int gateway_index = 0);
  // Starts it again on the same port and waits until it answers.
  absl::Status Restart(Service service, int gateway_index = 0);
  // The service's process (to signal it and read its exit code), null when
  // it was never started.
  gempool::testing::Subprocess* Process(Service service, int gateway_index = 0);

  const StackOptions& options() const { return options_; }
  FakeUpstream& fake() { return *fake_; }
  int gateway_port(int index = 0) const { return gateway_ports_.at(index); }
  // A client for gateway `index` with generous timeouts.
  std::unique_ptr<httplib::Client> Gateway(int index = 0) const;
  const std::string& token() const { return options_.tokens.front(); }
  // The SQLite database file (DATABASE_TYPE=sqlite).
  std::string SqlitePath() const;
  // The environment every service starts with.
  std::map<std::string, std::string> ServiceEnv() const;
  // Runs `bin_dir`/services/gempoolctl/gempoolctl with `args` in the stack's
  // environment, `stdin_text` on its standard input; returns its exit code,
  // standard output and standard error.
  struct CtlResult {
    int exit_code = -1;
    std::string output;
    std::string error;
  };
  CtlResult RunCtl(const std::vector<std::string>& args, const std::string& stdin_text = "") const;

  // Every process's captured output, for failure messages.
  std::string Logs() const;
  // The captured output (standard output and error, with a "==== start
  // NAME ====" line before each start) of one process: "persistence",
  // "keybroker", "gateway0", ...
  std::string ServiceLog(const std::string& name) const;

 private:
  absl::Status StartPersistence();
  absl::Status StartKeyBroker();
  absl::Status StartGateway(int index);
  absl::StatusOr<gempool::testing::Subprocess> Launch(const std::string& name, const std::string& binary,
                                             const std::map<std::string, std::string>& env);
  absl::Status WaitForPort(gempool::testing::Subprocess& process, const std::string& name, int port);
  absl::Status WaitForGateway(gempool::testing::Subprocess& process, int index);

  StackOptions options_;
  std::string dir_;
  std::string bin_dir_;
  int persistence_port_ = 0;
  int keybroker_port_ = 0;
  std::vector<int> gateway_ports_;
  std::unique_ptr<FakeUpstream> fake_;
  std::optional<gempool::testing::Subprocess> persistence_;
  std::optional<gempool::testing::Subprocess> keybroker_;
  std::vector<std::optional<gempool::testing::Subprocess>> gateways_;
  std::vector<std::string> log_paths_;
  mutable int ctl_runs_ = 0;
};

}  // namespace gempool::integration
