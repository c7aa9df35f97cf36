#include "gempool/testing/temp_files.h"
#include "integration/netns_stack.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gempool::integration {
namespace {

constexpr int kStartTimeoutMs = 20000;
constexpr int kStopTimeoutMs = 10000;
constexpr size_t kMaxLogBytes = 24 * 1024;
constexpr int kBrokerPort = 50051;
constexpr int kPersistencePort = 50052;
constexpr int kBrokerMetricsPort = 9464;

}  // namespace

// ---- NetnsMariadb ----

NetnsMariadb::~NetnsMariadb() { Stop(); }

MysqlTarget NetnsMariadb::SocketTarget() const {
  MysqlTarget target;
  target.host = "localhost";
  target.user = kUser;
  target.password = kPassword;
  target.database = kDatabase;
  target.socket = dir_ + "/mysqld.sock";
  return target;
}

absl::Status NetnsMariadb::WaitUntilAnswering(int timeout_ms) {
  const std::string socket = dir_ + "/mysqld.sock";
  bool exited = false;
  const bool up = gempool::testing::WaitFor(
      [&] {
        if (!server_->Running()) {
          exited = true;
          return true;
        }
        return RunTool({"mysqladmin", "--no-defaults", "-S", socket, "-uroot", "ping"}).ok();
      },
      timeout_ms);
  if (exited || !up) {
    return absl::UnavailableError(absl::StrCat("MariaDB in host ", host_, exited ? " exited" : " did not answer",
                                               "; its log:\n", testing::ReadWholeFile(LogPath())));
  }
  return absl::OkStatus();
}

absl::Status NetnsMariadb::Start() {
  const std::string data = dir_ + "/data";
  // Its own temporary directory: two stacks' servers bootstrapping at once in
  // the shared /tmp lost each other's temporary tables (mariadb-install-db:
  // "Could not remove temporary table ... error: 2", "Unknown table
  // 'mysql.tmp_user_sys'").
  const std::string tmp = dir_ + "/tmp";
  if (!initialized_) {
    std::filesystem::create_directories(tmp);
    std::string output;
    if (absl::Status s = RunTool({"mariadb-install-db", "--no-defaults", "--user=root", "--datadir=" + data,
                                  "--tmpdir=" + tmp, "--auth-root-authentication-method=normal", "--skip-test-db"},
                                 &output);
        !s.ok()) {
      return absl::UnavailableError(absl::StrCat("mariadb-install-db failed: ", output));
    }
  }
  std::string mysqld = FindTool("mariadbd");
  if (mysqld.empty()) mysqld = FindTool("mysqld");
  if (mysqld.empty()) return absl::NotFoundError("the MariaDB server (mariadbd) is not installed");
  auto process = gempool::testing::Subprocess::Start(
      lab_.Wrap(host_, {mysqld, "--no-defaults", "--user=root", "--datadir=" + data, "--tmpdir=" + tmp,
                        "--socket=" + dir_ + "/mysqld.sock",
                        absl::StrCat("--port=", kPort), "--bind-address=127.0.0.1", "--skip-name-resolve",
                        "--pid-file=" + dir_ + "/mysqld.pid", "--innodb-buffer-pool-size=32M",
                        "--innodb-flush-log-at-trx-commit=2"}),
      {}, dir_, LogPath());
  if (!process.ok()) return process.status();
  server_ = *std::move(process);
  if (absl::Status s = WaitUntilAnswering(kStartTimeoutMs); !s.ok()) return s;
  if (!initialized_) {
    const std::string sql = absl::StrCat(
        "CREATE DATABASE IF NOT EXISTS `", kDatabase, "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;",
        "CREATE USER IF NOT EXISTS '", kUser, "'@'%' IDENTIFIED BY '", kPassword, "';",
        "CREATE USER IF NOT EXISTS '", kUser, "'@'localhost' IDENTIFIED BY '", kPassword, "';",
        "GRANT ALL PRIVILEGES ON `", kDatabase, "`.* TO '", kUser, "'@'%';",
        "GRANT ALL PRIVILEGES ON `", kDatabase, "`.* TO '", kUser, "'@'localhost';", "FLUSH PRIVILEGES;");
    std::string output;
    if (absl::Status s = RunTool({"mariadb", "--no-defaults", "-S", dir_ + "/mysqld.sock", "-uroot", "-e", sql},
                                 &output);
        !s.ok()) {
      return absl::UnavailableError(absl::StrCat("cannot create the gempool database and user: ", output));
    }
    initialized_ = true;
  }
  return absl::OkStatus();
}

void NetnsMariadb::Stop() {
  if (server_) server_->Stop(30000);
  server_.reset();
}

void NetnsMariadb::Kill() {
  if (!server_) return;
  kill(server_->pid(), SIGKILL);
  server_->WaitExit(10000);
  server_.reset();
}

// ---- NetnsStack ----

NetnsStack::NetnsStack(NetnsStackOptions options) : options_(std::move(options)) {
  dir_ = testing::MakeTempDir("gempool-netns-");
  bin_dir_ = testing::BinDir();
  gateways_.resize(static_cast<size_t>(options_.gateways));
}

NetnsStack::~NetnsStack() {
  const bool failed = ::testing::Test::HasFailure();
  // Lift any fault first: a process whose peers vanished would otherwise sit
  // out its whole shutdown deadline.
  if (lab_) {
    for (const std::string& host : {std::string(kBrokerHost), std::string(kStoreHost)}) {
      (void)lab_->Undrop(host);
      (void)lab_->LinkUp(host);
    }
  }
  for (auto& g : gateways_) {
    if (g) g->Stop(kStopTimeoutMs);
  }
  if (keybroker_) keybroker_->Stop(kStopTimeoutMs);
  if (persistence_) persistence_->Stop(kStopTimeoutMs);
  if (mariadb_) mariadb_->Stop();
  if (fake_) fake_->process().Stop();
  gateways_.clear();
  keybroker_.reset();
  persistence_.reset();
  mariadb_.reset();
  fake_.reset();
  lab_.reset();
  if (failed) {
    std::cerr << "==== logs of the failed test's processes (kept in " << dir_ << ") ====\n" << Logs();
  } else if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string NetnsStack::GatewayHost(int index) { return absl::StrCat("gw", index); }

std::string NetnsStack::GatewayAddress(int index) const { return lab_->Address(GatewayHost(index)); }

std::string NetnsStack::Logs() const {
  std::vector<std::string> paths = log_paths_;
  if (mariadb_) paths.push_back(mariadb_->LogPath());
  return testing::TailsOfFiles(paths, kMaxLogBytes);
}

std::map<std::string, std::string> NetnsStack::ServiceEnv() const {
  std::vector<std::string> quoted;
  for (const std::string& k : options_.keys) quoted.push_back(absl::StrCat("\"", k, "\""));
  std::map<std::string, std::string> env = {
      {"API_KEYS", absl::StrCat("[", absl::StrJoin(quoted, ","), "]")},
      {"ALLOWED_TOKENS", absl::StrCat("[\"", options_.token, "\"]")},
      {"AUTH_TOKEN", options_.admin_token},
      {"METRICS_TOKEN", options_.metrics_token},
      {"BASE_URL", fake_ ? fake_->BaseUrl() : "http://127.0.0.1:1/v1beta"},
      {"MAX_RETRIES", absl::StrCat(options_.max_retries)},
      {"MAX_FAILURES", absl::StrCat(options_.max_failures)},
      {"TIME_OUT", "20"},
      {"CHECK_INTERVAL_HOURS", "0"},
      {"MAX_FAILURES_RECHECK_SECONDS", "0"},
      {"LOG_LEVEL", "debug"},
      {"HOST", "0.0.0.0"},
      {"PORT", absl::StrCat(kGatewayPort)},
      {"KEYBROKER_ADDR", absl::StrCat(lab_->Address(kBrokerHost), ":", kBrokerPort)},
      {"KEYBROKER_LISTEN", absl::StrCat("0.0.0.0:", kBrokerPort)},
      {"KEYBROKER_METRICS_LISTEN", absl::StrCat("0.0.0.0:", kBrokerMetricsPort)},
      {"PERSISTENCE_ADDR", absl::StrCat(lab_->Address(kStoreHost), ":", kPersistencePort)},
      {"PERSISTENCE_LISTEN", absl::StrCat("0.0.0.0:", kPersistencePort)},
      {"DATABASE_TYPE", "mysql"},
      {"MYSQL_HOST", "127.0.0.1"},
      {"MYSQL_PORT", absl::StrCat(NetnsMariadb::kPort)},
      {"MYSQL_USER", NetnsMariadb::kUser},
      {"MYSQL_PASSWORD", NetnsMariadb::kPassword},
      {"MYSQL_DATABASE", NetnsMariadb::kDatabase},
      {"GEMPOOL_ENV_FILE", dir_ + "/no-such.env"},
  };
  for (const auto& [k, v] : options_.extra_env) env[k] = v;
  return env;
}

absl::StatusOr<gempool::testing::Subprocess> NetnsStack::Launch(const std::string& name, const std::string& host,
                                                       const std::string& binary,
                                                       const std::map<std::string, std::string>& env) {
  const std::string path = absl::StrCat(bin_dir_, "/", binary);
  if (access(path.c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat(name, " binary not found at ", path, " (GEMPOOL_BIN_DIR=", bin_dir_, "): build it first"));
  }
  const std::string log = absl::StrCat(dir_, "/", name, ".log");
  if (std::find(log_paths_.begin(), log_paths_.end(), log) == log_paths_.end()) log_paths_.push_back(log);
  std::ofstream(log, std::ios::app) << "==== start " << name << " in host " << host << " ("
                                    << lab_->Address(host) << ") ====\n";
  std::map<std::string, std::string> own = env;
  own["DATA_DIR"] = absl::StrCat(dir_, "/data-", name);  // Each host its own disk.
  std::filesystem::create_directories(own["DATA_DIR"]);
  return gempool::testing::Subprocess::Start(lab_->Wrap(host, {path}), own, absl::StrCat(dir_, "/work-", name), log);
}

absl::Status NetnsStack::WaitForPort(gempool::testing::Subprocess& process, const std::string& name, const std::string& host,
                                     int port) {
  bool exited = false;
  const std::string address = lab_->Address(host);
  const bool up = gempool::testing::WaitFor(
      [&] {
        if (!process.Running()) {
          exited = true;
          return true;
        }
        return testing::AcceptsTcp(address, port);
      },
      kStartTimeoutMs);
  if (exited || !up) {
    return absl::UnavailableError(absl::StrCat(name, exited ? " exited at start-up" : " did not listen on ", address,
                                               ":", port, "; its output:\n", process.Output()));
  }
  return absl::OkStatus();
}

absl::Status NetnsStack::WaitForGateway(int index) {
  gempool::testing::Subprocess& process = *gateways_[static_cast<size_t>(index)];
  bool exited = false;
  std::string last;
  const bool up = gempool::testing::WaitFor(
      [&] {
        if (!process.Running()) {
          exited = true;
          return true;
        }
        auto client = Gateway(index, 2);
        client->set_connection_timeout(1, 0);
        auto r = client->Get("/health");
        if (!r) return false;
        last = absl::StrCat(r->status, " ", r->body);
        return r->status == 200;
      },
      kStartTimeoutMs);
  if (exited || !up) {
    return absl::UnavailableError(absl::StrCat("gateway ", index, exited ? " exited at start-up" : " never became healthy",
                                               last.empty() ? "" : absl::StrCat(" (last /health: ", last, ")"),
                                               "; its output:\n", process.Output()));
  }
  return absl::OkStatus();
}

absl::Status NetnsStack::Start() {
  if (dir_.empty()) return absl::InternalError("cannot create a temporary directory");
  std::vector<std::string> hosts = {kBrokerHost, kStoreHost};
  for (int i = 0; i < options_.gateways; ++i) hosts.push_back(GatewayHost(i));
  auto lab = NetnsLab::Create(hosts, dir_);
  if (!lab.ok()) return lab.status();
  lab_ = *std::move(lab);
  auto fake = FakeUpstream::Start(bin_dir_, dir_ + "/work-fake", dir_ + "/fake-gemini.log", {}, lab_->RootAddress());
  log_paths_.push_back(dir_ + "/fake-gemini.log");
  if (!fake.ok()) return fake.status();
  fake_ = *std::move(fake);
  mariadb_ = std::make_unique<NetnsMariadb>(*lab_, kStoreHost, dir_ + "/mariadb");
  if (absl::Status s = mariadb_->Start(); !s.ok()) return s;
  if (absl::Status s = StartPersistence(); !s.ok()) return s;
  if (absl::Status s = StartKeyBroker(); !s.ok()) return s;
  for (int i = 0; i < options_.gateways; ++i) {
    if (absl::Status s = StartGateway(i); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status NetnsStack::StartPersistence() {
  auto p = Launch("persistence", kStoreHost, "services/persistence/gempool-persistence", ServiceEnv());
  if (!p.ok()) return p.status();
  persistence_ = *std::move(p);
  return WaitForPort(*persistence_, "gempool-persistence", kStoreHost, kPersistencePort);
}

absl::Status NetnsStack::StartKeyBroker() {
  auto p = Launch("keybroker", kBrokerHost, "services/keybroker/gempool-keybroker", ServiceEnv());
  if (!p.ok()) return p.status();
  keybroker_ = *std::move(p);
  return WaitForPort(*keybroker_, "gempool-keybroker", kBrokerHost, kBrokerPort);
}

absl::Status NetnsStack::StartGateway(int index) {
  auto p = Launch(absl::StrCat("gateway", index), GatewayHost(index), "services/gateway/gempool-gateway", ServiceEnv());
  if (!p.ok()) return p.status();
  gateways_[static_cast<size_t>(index)] = *std::move(p);
  return WaitForGateway(index);
}

int NetnsStack::Stop(Service service, int gateway_index) {
  std::optional<gempool::testing::Subprocess>* process = nullptr;
  switch (service) {
    case Service::kPersistence:
      process = &persistence_;
      break;
    case Service::kKeyBroker:
      process = &keybroker_;
      break;
    case Service::kGateway:
      process = &gateways_.at(static_cast<size_t>(gateway_index));
      break;
  }
  return *process ? (*process)->Stop(kStopTimeoutMs) : -1;
}

absl::Status NetnsStack::Restart(Service service, int gateway_index) {
  Stop(service, gateway_index);
  switch (service) {
    case Service::kPersistence:
      return StartPersistence();
    case Service::kKeyBroker:
      return StartKeyBroker();
    case Service::kGateway:
      return StartGateway(gateway_index);
  }
  return absl::InternalError("unknown service");
}

std::unique_ptr<httplib::Client> NetnsStack::Gateway(int index, int read_timeout_s) const {
  auto client = std::make_unique<httplib::Client>(GatewayAddress(index), kGatewayPort);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(read_timeout_s, 0);
  client->set_write_timeout(10, 0);
  return client;
}

absl::StatusOr<std::string> NetnsStack::GatewayMetrics(int index) const {
  auto client = Gateway(index, 5);
  auto r = client->Get("/metrics", {{"Authorization", "Bearer " + options_.metrics_token}});
  if (!r) return absl::UnavailableError(absl::StrCat("gateway ", index, " /metrics: ", httplib::to_string(r.error())));
  if (r->status != 200) return absl::UnavailableError(absl::StrCat("gateway ", index, " /metrics: ", r->status));
  return r->body;
}

absl::StatusOr<std::string> NetnsStack::BrokerMetrics() const {
  httplib::Client client(lab_->Address(kBrokerHost), kBrokerMetricsPort);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  auto r = client.Get("/metrics");
  if (!r) return absl::UnavailableError(absl::StrCat("broker /metrics: ", httplib::to_string(r.error())));
  if (r->status != 200) return absl::UnavailableError(absl::StrCat("broker /metrics: ", r->status));
  return r->body;
}

NetnsStack::CtlResult NetnsStack::RunCtl(const std::vector<std::string>& args) const {
  CtlResult result;
  const std::string binary = bin_dir_ + "/services/gempoolctl/gempoolctl";
  const std::string log = absl::StrCat(dir_, "/ctl-", ++ctl_runs_, ".log");
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), args.begin(), args.end());
  std::map<std::string, std::string> env = ServiceEnv();
  env["DATA_DIR"] = dir_ + "/data-ctl";
  std::filesystem::create_directories(env["DATA_DIR"]);
  auto p = gempool::testing::Subprocess::Start(argv, env, dir_ + "/work-ctl", log);
  if (!p.ok()) {
    result.output = std::string(p.status().message());
    return result;
  }
  result.exit_code = p->WaitExit(30000);
  result.output = p->Output();
  return result;
}

double MetricSum(const std::string& text, const std::string& name, const std::vector<std::string>& labels) {
  double sum = 0;
  bool found = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) continue;
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, name)) continue;
    if (!rest.empty() && rest[0] != '{' && rest[0] != ' ') continue;  // A longer name.
    const size_t space = rest.rfind(' ');
    if (space == absl::string_view::npos) continue;
    const absl::string_view label_text = rest.substr(0, space);
    bool matches = true;
    for (const std::string& l : labels) matches = matches && absl::StrContains(label_text, l);
    double value = 0;
    if (!matches || !absl::SimpleAtod(rest.substr(space + 1), &value)) continue;
    sum += value;
    found = true;
  }
  return found ? sum : -1;
}

}  // namespace gempool::integration
