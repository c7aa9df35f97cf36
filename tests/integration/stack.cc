#include "gempool/testing/temp_files.h"
#include "integration/stack.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace gempool::integration {
namespace {

constexpr int kStartTimeoutMs = 20000;
// A graceful stop (SIGTERM) may take a few seconds while peers hold gRPC
// streams open; only then SIGKILL.
constexpr int kStopTimeoutMs = 10000;
constexpr size_t kMaxLogBytes = 24 * 1024;

}  // namespace

std::string StackOptions::TestKey(int n) {
  // "AIzaSy" + 33 characters: the shape RedactSecrets recognizes.
  std::string key = absl::StrCat("AIzaSyTest", n, "x");
  while (key.size() < 39) key += static_cast<char>('a' + (key.size() * 7 + n) % 26);
  return key;
}

Stack::Stack(StackOptions options) : options_(std::move(options)) {
  dir_ = testing::MakeTempDir("gempool-it-");
  bin_dir_ = testing::BinDir();
  gateways_.resize(options_.gateways);
}

Stack::~Stack() {
  const bool failed = ::testing::Test::HasFailure();
  for (auto& g : gateways_) {
    if (g) g->Stop(kStopTimeoutMs);
  }
  if (keybroker_) keybroker_->Stop(kStopTimeoutMs);
  if (persistence_) persistence_->Stop(kStopTimeoutMs);
  if (fake_) fake_->process().Stop();
  if (failed) {
    std::cerr << "==== logs of the failed test's processes (kept in " << dir_ << ") ====\n" << Logs();
  } else if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string Stack::ServiceLog(const std::string& name) const {
  return testing::ReadWholeFile(absl::StrCat(dir_, "/", name, ".log"));
}

std::string Stack::Logs() const {
  return testing::TailsOfFiles(log_paths_, kMaxLogBytes);
}

std::map<std::string, std::string> Stack::ServiceEnv() const {
  std::map<std::string, std::string> env = {
      {"API_KEYS", absl::StrCat("[\"", absl::StrJoin(options_.keys, "\",\""), "\"]")},
      {"ALLOWED_TOKENS", absl::StrCat("[\"", absl::StrJoin(options_.tokens, "\",\""), "\"]")},
      {"AUTH_TOKEN", options_.admin_token},
      {"BASE_URL", fake_ ? fake_->BaseUrl() : "http://127.0.0.1:1/v1beta"},
      // The fake's Vertex AI Express routes (tests/fake_upstream/vertex_routes.cc).
      {"VERTEX_EXPRESS_BASE_URL",
       absl::StrCat(absl::StripSuffix(fake_ ? fake_->BaseUrl() : "http://127.0.0.1:1/v1beta", "/v1beta"),
                    "/v1beta1/publishers/google")},
      {"MAX_RETRIES", absl::StrCat(options_.max_retries)},
      {"MAX_FAILURES", absl::StrCat(options_.max_failures)},
      {"TIME_OUT", "20"},
      {"CHECK_INTERVAL_HOURS", "0"},
      {"MAX_FAILURES_RECHECK_SECONDS", "0"},
      {"LOG_LEVEL", "debug"},
      {"HOST", "127.0.0.1"},
      {"KEYBROKER_ADDR", absl::StrCat("127.0.0.1:", keybroker_port_)},
      {"PERSISTENCE_ADDR", absl::StrCat("127.0.0.1:", persistence_port_)},
      {"DATA_DIR", dir_ + "/data"},
      {"DATABASE_TYPE", options_.database_type},
      {"SQLITE_DATABASE", "gempool.db"},
      // No .env: the test's environment is the whole configuration.
      {"GEMPOOL_ENV_FILE", dir_ + "/no-such.env"},
  };
  if (options_.mysql) {
    env["MYSQL_HOST"] = options_.mysql->host;
    env["MYSQL_PORT"] = absl::StrCat(options_.mysql->port);
    env["MYSQL_USER"] = options_.mysql->user;
    env["MYSQL_PASSWORD"] = options_.mysql->password;
    env["MYSQL_DATABASE"] = options_.mysql->database;
    if (!options_.mysql->socket.empty()) env["MYSQL_SOCKET"] = options_.mysql->socket;
  }
  for (const auto& [k, v] : options_.extra_env) env[k] = v;
  return env;
}

std::string Stack::SqlitePath() const { return dir_ + "/data/gempool.db"; }

absl::StatusOr<gempool::testing::Subprocess> Stack::Launch(const std::string& name, const std::string& binary,
                                                  const std::map<std::string, std::string>& env) {
  const std::string path = absl::StrCat(bin_dir_, "/", binary);
  if (access(path.c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat(name, " binary not found at ", path, " (GEMPOOL_BIN_DIR=", bin_dir_, "): build it first"));
  }
  const std::string log = absl::StrCat(dir_, "/", name, ".log");
  if (std::find(log_paths_.begin(), log_paths_.end(), log) == log_paths_.end()) log_paths_.push_back(log);
  std::ofstream(log, std::ios::app) << "==== start " << name << " ====\n";
  return gempool::testing::Subprocess::Start({path}, env, absl::StrCat(dir_, "/work-", name), log);
}

absl::Status Stack::WaitForPort(gempool::testing::Subprocess& process, const std::string& name, int port) {
  bool exited = false;
  const bool up = gempool::testing::WaitFor(
      [&] {
        if (!process.Running()) {
          exited = true;
          return true;
        }
        return testing::AcceptsTcp("127.0.0.1", port);
      },
      kStartTimeoutMs);
  if (exited || !up) {
    return absl::UnavailableError(absl::StrCat(name, exited ? " exited at start-up" : " did not listen on port ",
                                               exited ? "" : absl::StrCat(port), "; its output:\n", process.Output()));
  }
  return absl::OkStatus();
}

absl::Status Stack::WaitForGateway(gempool::testing::Subprocess& process, int index) {
  bool exited = false;
  std::string last;
  const bool up = gempool::testing::WaitFor(
      [&] {
        if (!process.Running()) {
          exited = true;
          return true;
        }
        httplib::Client client("127.0.0.1", gateway_ports_[index]);
        client.set_connection_timeout(1, 0);
        client.set_read_timeout(2, 0);
        auto r = client.Get("/health");
        if (!r) return false;
        last = absl::StrCat(r->status, " ", r->body);
        return r->status == 200;
      },
      kStartTimeoutMs);
  if (exited || !up) {
    return absl::UnavailableError(absl::StrCat(
        "gateway ", index, exited ? " exited at start-up" : " never became healthy",
        last.empty() ? "" : absl::StrCat(" (last /health: ", last, ")"), "; its output:\n", process.Output()));
  }
  return absl::OkStatus();
}

absl::Status Stack::Start() {
  if (dir_.empty()) return absl::InternalError("cannot create a temporary directory");
  std::filesystem::create_directories(dir_ + "/data");
  auto fake =
      FakeUpstream::Start(bin_dir_, dir_ + "/work-fake", dir_ + "/fake-gemini.log", options_.upstream_valid_keys);
  log_paths_.push_back(dir_ + "/fake-gemini.log");
  if (!fake.ok()) return fake.status();
  fake_ = *std::move(fake);
  persistence_port_ = testing::FreePort();
  keybroker_port_ = testing::FreePort();
  gateway_ports_.clear();
  for (int i = 0; i < options_.gateways; ++i) gateway_ports_.push_back(testing::FreePort());
  // FreePort() cannot reserve the port, so a test running in parallel may
  // take it first; a service that exits at start-up gets a fresh port.
  auto start_with_retry = [](int& port, const std::function<absl::Status()>& start,
                             const std::function<bool()>& running) {
    absl::Status status;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (attempt > 0) port = testing::FreePort();
      status = start();
      if (status.ok() || running()) return status;
    }
    return status;
  };
  if (auto s = start_with_retry(
          persistence_port_, [this] { return StartPersistence(); },
          [this] { return persistence_ && persistence_->Running(); });
      !s.ok()) {
    return s;
  }
  if (auto s = start_with_retry(
          keybroker_port_, [this] { return StartKeyBroker(); }, [this] { return keybroker_ && keybroker_->Running(); });
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < options_.gateways; ++i) {
    if (auto s = start_with_retry(
            gateway_ports_[i], [this, i] { return StartGateway(i); },
            [this, i] { return gateways_[i] && gateways_[i]->Running(); });
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status Stack::StartPersistence() {
  auto p = Launch("persistence", "services/persistence/gempool-persistence", ServiceEnv());
  if (!p.ok()) return p.status();
  persistence_ = *std::move(p);
  return WaitForPort(*persistence_, "gempool-persistence", persistence_port_);
}

absl::Status Stack::StartKeyBroker() {
  auto p = Launch("keybroker", "services/keybroker/gempool-keybroker", ServiceEnv());
  if (!p.ok()) return p.status();
  keybroker_ = *std::move(p);
  return WaitForPort(*keybroker_, "gempool-keybroker", keybroker_port_);
}

absl::Status Stack::StartGateway(int index) {
  std::map<std::string, std::string> env = ServiceEnv();
  env["PORT"] = absl::StrCat(gateway_ports_[index]);
  auto p = Launch(absl::StrCat("gateway", index), "services/gateway/gempool-gateway", env);
  if (!p.ok()) return p.status();
  gateways_[index] = *std::move(p);
  return WaitForGateway(*gateways_[index], index);
}

int Stack::Stop(Service service, int gateway_index) {
  std::optional<gempool::testing::Subprocess>* process = nullptr;
  switch (service) {
    case Service::kPersistence:
      process = &persistence_;
      break;
    case Service::kKeyBroker:
      process = &keybroker_;
      break;
    case Service::kGateway:
      process = &gateways_.at(gateway_index);
      break;
  }
  return *process ? (*process)->Stop(kStopTimeoutMs) : -1;
}

gempool::testing::Subprocess* Stack::Process(Service service, int gateway_index) {
  std::optional<gempool::testing::Subprocess>* process = nullptr;
  switch (service) {
    case Service::kPersistence:
      process = &persistence_;
      break;
    case Service::kKeyBroker:
      process = &keybroker_;
      break;
    case Service::kGateway:
      process = &gateways_.at(gateway_index);
      break;
  }
  return *process ? &**process : nullptr;
}

absl::Status Stack::Restart(Service service, int gateway_index) {
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

std::unique_ptr<httplib::Client> Stack::Gateway(int index) const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", gateway_ports_.at(index));
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(30, 0);
  client->set_write_timeout(10, 0);
  return client;
}

Stack::CtlResult Stack::RunCtl(const std::vector<std::string>& args, const std::string& stdin_text) const {
  CtlResult result;
  const std::string binary = bin_dir_ + "/services/gempoolctl/gempoolctl";
  if (access(binary.c_str(), X_OK) != 0) {
    result.error = "gempoolctl not built at " + binary;
    return result;
  }
  const std::string base = absl::StrCat(dir_, "/ctl-", ++ctl_runs_);
  const std::string log = base + ".log";
  const std::string input = base + ".in";
  std::ofstream(input) << stdin_text;
  // Through a shell for stdin redirection; every argument single-quoted.
  std::string command = "'" + binary + "'";
  for (const std::string& a : args) {
    std::string quoted;
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    absl::StrAppend(&command, " '", quoted, "'");
  }
  absl::StrAppend(&command, " < '", input, "' 2> '", base, ".err'");
  auto p = gempool::testing::Subprocess::Start({"/bin/sh", "-c", command}, ServiceEnv(), dir_ + "/work-ctl", log);
  if (!p.ok()) {
    result.error = std::string(p.status().message());
    return result;
  }
  result.exit_code = p->WaitExit(30000);
  result.output = p->Output();
  result.error = testing::ReadWholeFile(base + ".err");
  return result;
}

}  // namespace gempool::integration
