#pragma once
// A gempool deployment spread over separate hosts (NetnsLab network
// namespaces) for the network-fault tests: each gateway on its own host, the
// key broker on another, persistence with its own MariaDB on a fourth
// ("store"); fake-gemini in the root namespace on the bridge, where the test
// itself calls the gateways from. Every process is the real binary started
// with `ip netns exec`. The MariaDB server is this stack's own (started,
// stopped and restarted by the test; never the shared test server).
//
// Teardown order matters: processes first (a namespace lives on while a
// process is in it), then the lab. When the test failed, every process's log
// is printed. Not thread-safe; owned by one test.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/testing/subprocess.h"
#include "httplib.h"
#include "integration/db_rows.h"
#include "integration/fake_upstream_process.h"
#include "integration/netns_lab.h"

namespace gempool::integration {

struct NetnsStackOptions {
  std::vector<std::string> keys;
  int gateways = 2;
  int max_retries = 3;
  int max_failures = 3;
  std::string token = "client-token-netns-5b2e";
  std::string admin_token = "admin-token-netns-7d41";
  std::string metrics_token = "metrics-token-netns-3c9a";
  // Added to (or overriding) every service's environment.
  std::map<std::string, std::string> extra_env;
};

// The stack's own MariaDB, inside one host, listening on that host's
// 127.0.0.1:3306 and a socket in its data directory (which the test, in the
// root namespace, uses to read rows whatever the network does).
class NetnsMariadb {
 public:
  NetnsMariadb(NetnsLab& lab, std::string host, std::string dir) : lab_(lab), host_(std::move(host)), dir_(std::move(dir)) {}
  ~NetnsMariadb();

  // Creates the data directory on the first start, then starts the server
  // and waits until it answers; creates the `gempool` database and user.
  absl::Status Start();
  // SIGTERM and wait (a clean shutdown), or SIGKILL (a crash).
  void Stop();
  void Kill();

  // For MYSQL_* settings inside the host.
  static constexpr int kPort = 3306;
  static constexpr char kUser[] = "gempool";
  static constexpr char kPassword[] = "gempool-netns";
  static constexpr char kDatabase[] = "gempool";
  // The database as the test reaches it (over the socket).
  MysqlTarget SocketTarget() const;
  std::string LogPath() const { return dir_ + "/mariadbd.log"; }

 private:
  absl::Status WaitUntilAnswering(int timeout_ms);

  NetnsLab& lab_;
  const std::string host_;
  const std::string dir_;
  bool initialized_ = false;
  std::optional<gempool::testing::Subprocess> server_;
};

class NetnsStack {
 public:
  enum class Service { kPersistence, kKeyBroker, kGateway };

  explicit NetnsStack(NetnsStackOptions options);
  ~NetnsStack();
  NetnsStack(const NetnsStack&) = delete;
  NetnsStack& operator=(const NetnsStack&) = delete;

  // Builds the network, then starts fake-gemini, MariaDB, persistence, the
  // broker and the gateways, each once the previous answers.
  absl::Status Start();

  NetnsLab& lab() { return *lab_; }
  NetnsMariadb& mariadb() { return *mariadb_; }
  FakeUpstream& fake() { return *fake_; }
  const NetnsStackOptions& options() const { return options_; }

  // Host names in the lab.
  static std::string GatewayHost(int index);
  static constexpr char kBrokerHost[] = "broker";
  static constexpr char kStoreHost[] = "store";

  // A client for gateway `index` (from the root namespace).
  std::unique_ptr<httplib::Client> Gateway(int index, int read_timeout_s = 30) const;
  std::string GatewayAddress(int index) const;
  static constexpr int kGatewayPort = 8080;

  // The Prometheus text of a gateway (its /metrics), the broker or
  // persistence (their metrics listeners); an error when unreachable.
  absl::StatusOr<std::string> GatewayMetrics(int index) const;
  absl::StatusOr<std::string> BrokerMetrics() const;

  // gempoolctl with `args` in the root namespace, reaching the broker over
  // the bridge: exit code and standard output.
  struct CtlResult {
    int exit_code = -1;
    std::string output;
  };
  CtlResult RunCtl(const std::vector<std::string>& args) const;

  int Stop(Service service, int gateway_index = 0);
  absl::Status Restart(Service service, int gateway_index = 0);

  std::string Logs() const;

 private:
  std::map<std::string, std::string> ServiceEnv() const;
  absl::StatusOr<gempool::testing::Subprocess> Launch(const std::string& name, const std::string& host,
                                             const std::string& binary, const std::map<std::string, std::string>& env);
  absl::Status WaitForPort(gempool::testing::Subprocess& process, const std::string& name, const std::string& host, int port);
  absl::Status WaitForGateway(int index);
  absl::Status StartPersistence();
  absl::Status StartKeyBroker();
  absl::Status StartGateway(int index);

  NetnsStackOptions options_;
  std::string dir_;
  std::string bin_dir_;
  std::unique_ptr<NetnsLab> lab_;
  std::unique_ptr<NetnsMariadb> mariadb_;
  std::unique_ptr<FakeUpstream> fake_;
  std::optional<gempool::testing::Subprocess> persistence_;
  std::optional<gempool::testing::Subprocess> keybroker_;
  std::vector<std::optional<gempool::testing::Subprocess>> gateways_;
  std::vector<std::string> log_paths_;
  mutable int ctl_runs_ = 0;
};

// The sum of every sample of metric `name` whose labels contain all of
// `labels` (e.g. {"state=\"disabled\""}) in Prometheus text `text`; -1 when
// none matches.
double MetricSum(const std::string& text, const std::string& name, const std::vector<std::string>& labels = {});

}  // namespace gempool::integration
