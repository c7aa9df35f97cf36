// The compose topology of docker-compose.yml as local processes against the
// test MariaDB, with the environment docker compose would give each service:
// the test's .env (.env.example with test values, as a user fills it in)
// overlaid by the service's `environment:` block, read from the compose file
// itself (compose_env.h). Compose's service names are mapped to loopback:
//   MYSQL_HOST db            → the test MariaDB's host, MYSQL_PORT 3306 → its port
//   persistence:8002         → 127.0.0.1:<free port>
//   keybroker:8001           → 127.0.0.1:<free port>
//   gateway's PORT 8000      → a free port (HOST=127.0.0.1 in the .env: never all interfaces)
//   DATA_DIR /data (volume)  → a temporary directory
// The database and the application user are created the way the mysql image
// does when its volume is created (CREATE DATABASE; CREATE USER ...
// IDENTIFIED BY MYSQL_PASSWORD; GRANT ALL ON db.*). The test server's
// administrator (GEMPOOL_TEST_MYSQL_USER) plays root, named by
// MYSQL_ROOT_USER. Services start in compose order without waiting for each
// other's health (depends_on: service_started).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "gempool/testing/temp_files.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/environment.h"
#include "gempool/testing/subprocess.h"
#include "httplib.h"
#include "integration/compose_env.h"
#include "integration/db_rows.h"
#include "integration/fake_upstream_process.h"
#include "integration/http_calls.h"
#include "integration/stack.h"
#include "nlohmann/json.hpp"

#ifndef GEMPOOL_SOURCE_DIR
#error "GEMPOOL_SOURCE_DIR must name the source tree (set in tests/integration/CMakeLists.txt)"
#endif

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kStartTimeoutMs = 20000;
constexpr int kStopTimeoutMs = 10000;
// Persistence retries the database at most every 10 s.
constexpr int kRecoverTimeoutMs = 30000;
constexpr char kToken[] = "sk-compose-client-4d2b";
constexpr char kAdminToken[] = "sk-compose-admin-8a1f";

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  return absl::StrCat(getpid(), "_", ++counter, "_", std::rand() % 100000);
}

// The three gempool services of docker-compose.yml as processes.
class ComposeTopology {
 public:
  static constexpr const char* kServices[] = {"persistence", "keybroker", "gateway"};

  ComposeTopology(std::map<std::string, ComposeService> services, std::map<std::string, std::string> dotenv,
                  MysqlTarget server, std::string dir, std::unique_ptr<FakeUpstream> fake)
      : services_(std::move(services)),
        dotenv_(std::move(dotenv)),
        server_(std::move(server)),
        dir_(std::move(dir)),
        fake_(std::move(fake)) {
    ports_["persistence"] = testing::FreePort();
    ports_["keybroker"] = testing::FreePort();
    ports_["gateway"] = testing::FreePort();
    for (const auto& [service, port] : ports_) metrics_ports_[service] = testing::FreePort();
  }

  ~ComposeTopology() {
    StopAll();
    if (fake_) fake_->process().Stop();
    if (::testing::Test::HasFailure()) {
      std::cerr << "==== logs of the compose topology (kept in " << dir_ << ") ====\n" << Logs();
    } else {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // The user's .env: edit it as a user would, then restart.
  std::map<std::string, std::string>& dotenv() { return dotenv_; }

  // What docker compose gives `service`, mapped to loopback.
  std::map<std::string, std::string> EnvOf(const std::string& service) const {
    std::map<std::string, std::string> env = ComposeEnvironment(services_.at(service), dotenv_);
    for (auto& [name, value] : env) {
      for (const auto& [peer, port] : ports_) {
        if (absl::StartsWith(value, peer + ":")) value = absl::StrCat("127.0.0.1:", port);
      }
      if (name == "MYSQL_HOST" && value == "db") value = server_.host;
      if (name == "DATA_DIR" && value == "/data") value = dir_ + "/volume-gempool_data";
      // Each container has its own network: here the services share one
      // host, so each metrics listener gets a port of its own.
      if (absl::EndsWith(name, "_METRICS_LISTEN") && !value.empty()) {
        value = absl::StrCat("127.0.0.1:", metrics_ports_.at(service));
      }
    }
    if (services_.at(service).environment.count("MYSQL_HOST") > 0 && env["MYSQL_PORT"] == "3306") {
      env["MYSQL_PORT"] = absl::StrCat(server_.port);
    }
    if (service == "gateway") env["PORT"] = absl::StrCat(ports_.at("gateway"));
    // Compose passes .env in as variables; the container has no .env file.
    env["GEMPOOL_ENV_FILE"] = dir_ + "/no-such.env";
    return env;
  }

  absl::Status Start(const std::string& service) {
    const std::string binary = absl::StrCat(testing::BinDir(), "/services/", service, "/gempool-", service);
    const std::string log = absl::StrCat(dir_, "/", service, ".log");
    std::ofstream(log, std::ios::app) << "==== start " << service << " ====\n";
    auto process = gempool::testing::Subprocess::Start({binary}, EnvOf(service), absl::StrCat(dir_, "/work-", service), log);
    if (!process.ok()) return process.status();
    processes_[service] = *std::move(process);
    gempool::testing::Subprocess& p = *processes_[service];
    const int port = ports_.at(service);
    bool exited = false;
    const bool listening = gempool::testing::WaitFor(
        [&] {
          if (!p.Running()) {
            exited = true;
            return true;
          }
          httplib::Client probe("127.0.0.1", port);  // Any TCP answer will do; gRPC ports refuse HTTP politely.
          probe.set_connection_timeout(0, 200000);
          probe.set_read_timeout(0, 200000);
          auto r = probe.Get("/");
          return r || r.error() != httplib::Error::Connection;
        },
        kStartTimeoutMs);
    if (exited || !listening) {
      return absl::UnavailableError(
          absl::StrCat(service, exited ? " exited at start-up" : " never listened", ":\n", p.Output()));
    }
    return absl::OkStatus();
  }

  // Compose order, each once it is started (not healthy).
  absl::Status StartAll() {
    for (const char* service : kServices) {
      if (absl::Status s = Start(service); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  void StopAll() {
    for (auto it = std::rbegin(kServices); it != std::rend(kServices); ++it) {
      if (auto p = processes_.find(*it); p != processes_.end() && p->second) p->second->Stop(kStopTimeoutMs);
    }
  }

  bool Running(const std::string& service) {
    auto p = processes_.find(service);
    return p != processes_.end() && p->second && p->second->Running();
  }

  std::string LogOf(const std::string& service) const {
    return testing::ReadWholeFile(absl::StrCat(dir_, "/", service, ".log"));
  }

  // GET /health: status (0 when nothing answered) and body.
  std::pair<int, std::string> Health() const {
    httplib::Client client("127.0.0.1", ports_.at("gateway"));
    client.set_connection_timeout(1, 0);
    client.set_read_timeout(5, 0);
    auto r = client.Get("/health");
    return r ? std::make_pair(r->status, r->body) : std::make_pair(0, std::string());
  }

  // Waits until /health answers `status` and `body_check` accepts the body;
  // returns the last answer.
  std::pair<int, std::string> WaitForHealth(int status, const std::function<bool(const std::string&)>& body_check,
                                            int timeout_ms) const {
    std::pair<int, std::string> last;
    gempool::testing::WaitFor(
        [&] {
          last = Health();
          return last.first == status && body_check(last.second);
        },
        timeout_ms);
    return last;
  }

  httplib::Result Generate() const {
    httplib::Client client("127.0.0.1", ports_.at("gateway"));
    client.set_read_timeout(30, 0);
    return client.Post("/v1beta/models/gemini-2.5-flash:generateContent", {{"x-goog-api-key", kToken}},
                       GenerateBody("hello"), "application/json");
  }

  // gempoolctl as `docker compose exec keybroker gempoolctl ARGS`.
  Stack::CtlResult Ctl(const std::vector<std::string>& args) {
    Stack::CtlResult result;
    const std::string base = absl::StrCat(dir_, "/ctl-", ++ctl_runs_);
    std::string command = absl::StrCat("'", testing::BinDir(), "/services/gempoolctl/gempoolctl'");
    for (const std::string& a : args) absl::StrAppend(&command, " '", a, "'");
    absl::StrAppend(&command, " 2> '", base, ".err'");
    auto p = gempool::testing::Subprocess::Start({"/bin/sh", "-c", command}, EnvOf("keybroker"), dir_ + "/work-ctl",
                                        base + ".log");
    if (!p.ok()) {
      result.error = std::string(p.status().message());
      return result;
    }
    result.exit_code = p->WaitExit(30000);
    result.output = p->Output();
    result.error = testing::ReadWholeFile(base + ".err");
    return result;
  }

  std::string Logs() const {
    std::string out;
    for (const char* service : kServices) absl::StrAppend(&out, "---- ", service, " ----\n", LogOf(service), "\n");
    return out;
  }

 private:
  std::map<std::string, ComposeService> services_;
  std::map<std::string, std::string> dotenv_;
  MysqlTarget server_;
  std::string dir_;
  std::unique_ptr<FakeUpstream> fake_;
  std::map<std::string, int> ports_;
  std::map<std::string, int> metrics_ports_;
  std::map<std::string, std::optional<gempool::testing::Subprocess>> processes_;
  int ctl_runs_ = 0;
};

class ComposeTopologyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<MysqlTarget> server = MysqlTestServer();
    if (!server.has_value()) {
      if (MysqlRequired()) FAIL() << "GEMPOOL_REQUIRE_MYSQL=1 but GEMPOOL_TEST_MYSQL_HOST is not set";
      GTEST_SKIP() << "no test MariaDB (eval \"$(scripts/mariadb-test-server.sh start)\")";
    }
    server_ = *server;
    auto db = MysqlDatabase::Create(server_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    app_user_ = absl::StrCat("gp_app_", UniqueSuffix());
  }

  void TearDown() override {
    topology_.reset();  // Stops the services while the database still exists.
    if (db_) {
      (void)db_->Query(absl::StrCat("DROP USER IF EXISTS '", app_user_, "'@'%'"));
      for (const std::string& extra : extra_databases_) {
        (void)db_->Query(absl::StrCat("DROP DATABASE IF EXISTS `", extra, "`"));
      }
    }
  }

  // What the mysql image does when its volume is created.
  void InitialiseDatabaseLikeTheMysqlImage(const std::string& password) {
    for (const std::string& sql :
         {absl::StrCat("CREATE USER '", app_user_, "'@'%' IDENTIFIED BY '", password, "'"),
          absl::StrCat("GRANT ALL PRIVILEGES ON `", db_->target().database, "`.* TO '", app_user_, "'@'%'")}) {
      auto done = db_->Query(sql);
      ASSERT_TRUE(done.ok()) << done.status();
    }
  }

  // The compose topology with the user's .env: .env.example filled in.
  void MakeTopology(const std::string& app_password, bool with_root) {
    const std::string source = GEMPOOL_SOURCE_DIR;
    auto services = ReadComposeServices(source + "/docker-compose.yml");
    ASSERT_TRUE(services.ok()) << services.status();
    for (const char* name : ComposeTopology::kServices) {
      ASSERT_TRUE(services->count(name)) << "docker-compose.yml has no service " << name;
      ASSERT_TRUE(services->at(name).env_file) << name << " does not read .env in docker-compose.yml";
    }
    auto dotenv = ParseDotEnv(testing::ReadWholeFile(source + "/.env.example"), ".env.example");
    ASSERT_TRUE(dotenv.ok()) << dotenv.status();
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool-compose-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    auto fake = FakeUpstream::Start(testing::BinDir(), pattern + "/work-fake", pattern + "/fake-gemini.log", {});
    ASSERT_TRUE(fake.ok()) << fake.status();
    std::map<std::string, std::string>& env = *dotenv;
    env["API_KEYS"] = absl::StrCat("[\"", StackOptions::TestKey(1), "\",\"", StackOptions::TestKey(2), "\"]");
    env["ALLOWED_TOKENS"] = absl::StrCat("[\"", kToken, "\"]");
    env["AUTH_TOKEN"] = kAdminToken;
    env["BASE_URL"] = (*fake)->BaseUrl();
    env["CHECK_INTERVAL_HOURS"] = "0";
    env["MAX_FAILURES_RECHECK_SECONDS"] = "0";
    env["LOG_LEVEL"] = "DEBUG";
    env["HOST"] = "127.0.0.1";
    env["MYSQL_USER"] = app_user_;
    env["MYSQL_PASSWORD"] = app_password;
    env["MYSQL_DATABASE"] = db_->target().database;
    if (with_root) {
      env["MYSQL_ROOT_USER"] = server_.user;
      env["MYSQL_ROOT_PASSWORD"] = server_.password;
    } else {
      env["MYSQL_ROOT_PASSWORD"] = "";
    }
    topology_ = std::make_unique<ComposeTopology>(*std::move(services), std::move(env), server_, pattern,
                                                  *std::move(fake));
  }

  // The number of rows in `table` of the application database.
  int64_t Rows(const std::string& table) {
    auto rows = db_->Query(absl::StrCat("SELECT COUNT(*) AS n FROM `", table, "`"));
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() && !rows->empty() ? std::stoll(rows->front().at("n")) : -1;
  }

  MysqlTarget server_;
  std::unique_ptr<MysqlDatabase> db_;
  std::string app_user_;
  std::vector<std::string> extra_databases_;
  std::unique_ptr<ComposeTopology> topology_;
};

TEST_F(ComposeTopologyTest, OnlyPersistenceGetsTheDatabasePasswords) {
  ASSERT_NO_FATAL_FAILURE(MakeTopology("first-password-1", /*with_root=*/true));
  EXPECT_EQ(topology_->EnvOf("persistence").at("MYSQL_PASSWORD"), "first-password-1");
  EXPECT_EQ(topology_->EnvOf("persistence").at("MYSQL_ROOT_PASSWORD"), server_.password);
  for (const char* service : {"keybroker", "gateway"}) {
    const auto env = topology_->EnvOf(service);
    EXPECT_EQ(env.at("MYSQL_PASSWORD"), "") << service;
    EXPECT_EQ(env.at("MYSQL_ROOT_PASSWORD"), "") << service;
    EXPECT_EQ(env.at("AUTH_TOKEN"), kAdminToken) << service;  // Everything else from .env.
  }
}

TEST_F(ComposeTopologyTest, ChangingTheApplicationPasswordKeepsTheDataAndTheStackWorking) {
  ASSERT_NO_FATAL_FAILURE(InitialiseDatabaseLikeTheMysqlImage("first-password-1"));
  ASSERT_NO_FATAL_FAILURE(MakeTopology("first-password-1", /*with_root=*/true));
  ComposeTopology& stack = *topology_;
  ASSERT_TRUE(stack.StartAll().ok()) << stack.Logs();
  auto health = stack.WaitForHealth(200, [](const std::string&) { return true; }, kStartTimeoutMs);
  ASSERT_EQ(health.first, 200) << health.second << "\n" << stack.Logs();

  // Data: a key added by hand, and a request in the request log.
  const std::string added_key = StackOptions::TestKey(9);
  Stack::CtlResult added = stack.Ctl({"keys", "add", added_key, "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.output << added.error;
  EXPECT_EQ(json::parse(added.output, nullptr, false).value("added", -1), 1) << added.output;
  auto r = stack.Generate();
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return Rows("gempool_request_log") >= 1; }, 15000)) << stack.Logs();
  const int64_t logged = Rows("gempool_request_log");

  // The user edits MYSQL_PASSWORD in .env and runs docker compose up -d: the
  // MySQL server keeps the old password, the three services restart.
  stack.StopAll();
  stack.dotenv()["MYSQL_PASSWORD"] = "second-password-2";
  ASSERT_TRUE(stack.StartAll().ok()) << stack.Logs();
  health = stack.WaitForHealth(200, [](const std::string&) { return true; }, kStartTimeoutMs);
  ASSERT_EQ(health.first, 200) << health.second << "\n" << stack.Logs();
  EXPECT_THAT(stack.LogOf("persistence"), HasSubstr("MYSQL_PASSWORD did not match MySQL user '" + app_user_ + "'"));
  EXPECT_THAT(stack.LogOf("persistence"), Not(HasSubstr("second-password-2")));

  // The data is all there, and the stack works.
  Stack::CtlResult listed = stack.Ctl({"keys", "list", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output << listed.error;
  EXPECT_EQ(json::parse(listed.output, nullptr, false).value("total", -1), 3) << listed.output;
  EXPECT_GE(Rows("gempool_request_log"), logged);
  r = stack.Generate();
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
  ASSERT_TRUE(gempool::testing::WaitFor([&] { return Rows("gempool_request_log") > logged; }, 15000)) << stack.Logs();

  // The account itself now has the new password (MariaDB's PASSWORD() hash).
  auto account = db_->Query(absl::StrCat("SELECT COUNT(*) AS n FROM mysql.user WHERE User = '", app_user_,
                                         "' AND Host = '%' AND authentication_string = PASSWORD('second-password-2')"));
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->front().at("n"), "1");
}

TEST_F(ComposeTopologyTest, ARefusedLoginIsExplainedAtTheGatewayAndHealsWithoutARestart) {
  ASSERT_NO_FATAL_FAILURE(InitialiseDatabaseLikeTheMysqlImage("the-server-password"));
  // .env has another password and no root password.
  ASSERT_NO_FATAL_FAILURE(MakeTopology("the-env-password", /*with_root=*/false));
  ComposeTopology& stack = *topology_;
  ASSERT_TRUE(stack.StartAll().ok()) << stack.Logs();

  const std::string refused = absl::StrCat("Access denied for user '", app_user_, "'");
  auto health = stack.WaitForHealth(
      503, [&](const std::string& body) { return absl::StrContains(body, refused); }, kStartTimeoutMs);
  ASSERT_EQ(health.first, 503) << health.second << "\n" << stack.Logs();
  const json body = json::parse(health.second, nullptr, false);
  ASSERT_TRUE(body.is_object()) << health.second;
  EXPECT_EQ(body.value("status", ""), "unavailable");
  EXPECT_EQ(body.value("persistence", ""), "unavailable");
  const std::string persistence = body["errors"].value("persistence", "");
  // Which user, refused by which server, and what to do.
  EXPECT_THAT(persistence, HasSubstr(absl::StrCat("cannot connect to MySQL at ", server_.host, ":", server_.port,
                                                  " as user '", app_user_, "'")));
  EXPECT_THAT(persistence, HasSubstr(refused));
  EXPECT_THAT(persistence, HasSubstr("MYSQL_ROOT_PASSWORD"));
  EXPECT_THAT(persistence, HasSubstr("ALTER USER '" + app_user_ + "'@'%'"));
  EXPECT_THAT(persistence, HasSubstr("docs/deploy.md"));
  EXPECT_THAT(persistence, Not(HasSubstr("is not answering")));
  EXPECT_THAT(health.second, Not(HasSubstr("the-env-password")));
  EXPECT_THAT(health.second, Not(HasSubstr("the-server-password")));
  // Nothing crashed or restarts: compose shows them up, and unhealthy.
  for (const char* service : ComposeTopology::kServices) EXPECT_TRUE(stack.Running(service)) << service;
  Stack::CtlResult ctl = stack.Ctl({"health", "--json"});
  EXPECT_EQ(ctl.exit_code, 1) << ctl.output << ctl.error;
  EXPECT_THAT(ctl.output, HasSubstr("NOT_SERVING"));
  EXPECT_THAT(stack.LogOf("persistence"), HasSubstr(refused));
  EXPECT_THAT(stack.LogOf("keybroker"), HasSubstr("waiting for persistence"));

  // An administrator sets the password .env has (the manual fix in
  // docs/deploy.md): persistence opens the database on its next attempt.
  auto fixed = db_->Query(absl::StrCat("ALTER USER '", app_user_, "'@'%' IDENTIFIED BY 'the-env-password'"));
  ASSERT_TRUE(fixed.ok()) << fixed.status();
  health = stack.WaitForHealth(200, [](const std::string&) { return true; }, kRecoverTimeoutMs);
  EXPECT_EQ(health.first, 200) << health.second << "\n" << stack.Logs();
  auto r = stack.Generate();
  EXPECT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
}

TEST_F(ComposeTopologyTest, ARenamedDatabaseIsNotCreatedEmptyAndTheOldOneIsNamed) {
  ASSERT_NO_FATAL_FAILURE(InitialiseDatabaseLikeTheMysqlImage("a-password-3"));
  ASSERT_NO_FATAL_FAILURE(MakeTopology("a-password-3", /*with_root=*/true));
  ComposeTopology& stack = *topology_;
  ASSERT_TRUE(stack.StartAll().ok()) << stack.Logs();
  auto health = stack.WaitForHealth(200, [](const std::string&) { return true; }, kStartTimeoutMs);
  ASSERT_EQ(health.first, 200) << health.second << "\n" << stack.Logs();

  stack.StopAll();
  const std::string old_name = db_->target().database;
  const std::string new_name = absl::StrCat("gp_renamed_", UniqueSuffix());
  extra_databases_.push_back(new_name);
  stack.dotenv()["MYSQL_DATABASE"] = new_name;
  ASSERT_TRUE(stack.StartAll().ok()) << stack.Logs();
  health = stack.WaitForHealth(
      503, [&](const std::string& body) { return absl::StrContains(body, "MYSQL_DATABASE is"); }, kStartTimeoutMs);
  ASSERT_EQ(health.first, 503) << health.second << "\n" << stack.Logs();
  EXPECT_THAT(health.second, HasSubstr("MYSQL_DATABASE is '" + new_name + "'"));
  EXPECT_THAT(health.second, HasSubstr("gempool data in database '" + old_name + "'"));
  auto exists = db_->Query(
      absl::StrCat("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '", new_name, "'"));
  ASSERT_TRUE(exists.ok()) << exists.status();
  EXPECT_EQ(exists->front().at("n"), "0") << "an empty database was created";
}

}  // namespace
}  // namespace gempool::integration
