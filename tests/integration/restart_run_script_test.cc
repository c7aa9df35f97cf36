// `make run` (scripts/run.sh) stopped with Ctrl-C, as a terminal sends it:
// SIGINT to the script's whole process group. The gateway drains first (the
// stream in flight ends, its log row is written), then the broker (its key
// states saved), then persistence, each on one signal; the script exits 0.
#include <dirent.h>
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gempool/testing/subprocess.h"
#include "gempool/testing/temp_files.h"
#include "httplib.h"
#include "integration/db_rows.h"
#include "integration/fake_upstream_process.h"
#include "integration/http_calls.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr char kToken[] = "sk-run-script";

// SIGKILLs every process whose environment holds `entry`: the services run
// in sessions of their own, so a failed test must not leave them behind.
void KillProcessesWithEnv(const std::string& entry) {
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return;
  while (dirent* d = readdir(proc)) {
    const int pid = std::atoi(d->d_name);
    if (pid <= 0) continue;
    std::ifstream in(absl::StrCat("/proc/", pid, "/environ"));
    const std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (absl::string_view variable : absl::StrSplit(environ, '\0')) {
      if (variable == entry) {
        kill(pid, SIGKILL);
        break;
      }
    }
  }
  closedir(proc);
}

class RunScriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = gempool::testing::MakeTempDir("gempool-run-script-");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (run_) run_->Stop(1000);
    KillProcessesWithEnv("DATA_DIR=" + dir_ + "/data");
    if (HasFailure() && run_) std::cout << "---- scripts/run.sh output ----\n" << run_->Output();
    fake_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<FakeUpstream> fake_;
  std::optional<gempool::testing::Subprocess> run_;
};

TEST_F(RunScriptTest, CtrlCDrainsTheGatewayThenStopsTheBrokerThenPersistence) {
  const std::string bin_dir = gempool::testing::BinDir();
  auto fake = FakeUpstream::Start(bin_dir, dir_ + "/work-fake", dir_ + "/fake-gemini.log", {});
  ASSERT_TRUE(fake.ok()) << fake.status();
  fake_ = *std::move(fake);
  const int port = gempool::testing::FreePort();
  const std::map<std::string, std::string> env = {
      {"API_KEYS", "[\"AIzaRunScriptKey000000000000000000000001\"]"},
      {"ALLOWED_TOKENS", absl::StrCat("[\"", kToken, "\"]")},
      {"AUTH_TOKEN", "admin-run-script"},
      {"BASE_URL", fake_->BaseUrl()},
      {"HOST", "127.0.0.1"},
      {"PORT", absl::StrCat(port)},
      {"KEYBROKER_ADDR", absl::StrCat("127.0.0.1:", gempool::testing::FreePort())},
      {"PERSISTENCE_ADDR", absl::StrCat("127.0.0.1:", gempool::testing::FreePort())},
      {"DATA_DIR", dir_ + "/data"},
      {"SQLITE_DATABASE", "gempool.db"},
      {"SHUTDOWN_GRACE_SECONDS", "20"},
      {"CHECK_INTERVAL_HOURS", "0"},
      {"GEMPOOL_ENV_FILE", dir_ + "/no-such.env"},
  };
  auto run = gempool::testing::Subprocess::Start(
      {"/bin/bash", std::string(GEMPOOL_SOURCE_DIR) + "/scripts/run.sh", bin_dir}, env, dir_ + "/work",
      dir_ + "/run.log");
  ASSERT_TRUE(run.ok()) << run.status();
  run_ = *std::move(run);
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        httplib::Client client("127.0.0.1", port);
        auto health = client.Get("/health");
        return health && health->status == 200;
      },
      60000))
      << "the stack never became healthy";

  constexpr int kChunks = 6;
  ASSERT_TRUE(fake_
                  ->ScriptKey("", "", json::array({{{"kind", "slow_stream"}, {"chunks", kChunks}, {"intervalMs", 200}}}),
                              /*repeat=*/false)
                  .ok());
  auto stream = std::async(std::launch::async, [port] {
    return PostStreaming(port, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
                         {{"x-goog-api-key", kToken}, {"x-request-id", "run-script-stream"}},
                         GenerateBody("stream while I press Ctrl-C"));
  });
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto seen = fake_->RequestsFor("streamGenerateContent");
        return seen.ok() && !seen->empty();
      },
      10000))
      << "the stream never reached the upstream";

  // What a terminal does on Ctrl-C: SIGINT to the foreground process group
  // (the script leads its own, as Subprocess starts it).
  ASSERT_EQ(kill(-run_->pid(), SIGINT), 0);

  StreamedResponse r = stream.get();
  ASSERT_TRUE(r.completed) << httplib::to_string(r.error);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr(absl::StrCat("chunk ", kChunks, " of ", kChunks)));
  EXPECT_EQ(run_->WaitExit(30000), 0);

  const std::string output = run_->Output();
  EXPECT_THAT(output, Not(HasSubstr("without finishing the drain"))) << "a service got two signals";
  EXPECT_THAT(output, Not(HasSubstr("not saved"))) << "the broker stopped after persistence";
  // The line number of each service's last words, as run.sh printed them.
  std::map<std::string, int> stopped_at;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    ++line_number;
    for (const char* service : {"gateway", "keybroker", "persistence"}) {
      if (absl::StrContains(line, absl::StrCat(" ", service, " main.cc")) && absl::EndsWith(line, " stopped")) {
        stopped_at[service] = line_number;
      }
    }
  }
  ASSERT_EQ(stopped_at.size(), 3u) << "not every service said it stopped";
  EXPECT_LT(stopped_at["gateway"], stopped_at["keybroker"]) << "the broker stopped before the gateway's drain ended";
  EXPECT_LT(stopped_at["keybroker"], stopped_at["persistence"]) << "persistence stopped before the broker";
  auto rows = SqliteQuery(dir_ + "/data/gempool.db",
                          "SELECT * FROM gempool_request_log WHERE request_id = 'run-script-stream'");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), 1u) << "the drained stream's request-log row was lost";
}

}  // namespace
}  // namespace gempool::integration
