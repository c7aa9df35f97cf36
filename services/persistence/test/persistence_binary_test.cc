// The real gempool-persistence binary: serves Ping on its configured address
// and stops cleanly on SIGTERM; when the database cannot be opened it keeps
// running, NOT_SERVING, answers every call with the reason, and opens the
// database as soon as it can; a bad setting exits with code 2.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gempool/rpc/channel.h"
#include "gempool/testing/subprocess.h"
#include "gempool/v1/persistence.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace gempool::persistence {
namespace {

using ::gempool::testing::BinDir;
using ::gempool::testing::FreePort;
using ::gempool::testing::Subprocess;
using ::gempool::testing::WaitFor;
using ::testing::HasSubstr;

class PersistenceBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("GEMPOOL_BIN_DIR") == nullptr) GTEST_SKIP() << "GEMPOOL_BIN_DIR is not set (run through ctest)";
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool_persistence_bin_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::string Binary() const { return BinDir() + "/services/persistence/gempool-persistence"; }

  std::string dir_;
};

// The gRPC health status of the server at `addr` ("" on a failed call).
std::string HealthOf(const std::string& addr) {
  auto stub = grpc::health::v1::Health::NewStub(rpc::MakeChannel(addr));
  grpc::ClientContext context;
  rpc::SetDeadline(context, 5000);
  grpc::health::v1::HealthCheckResponse response;
  if (!stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response).ok()) return "";
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

TEST_F(PersistenceBinaryTest, ServesPingAndStopsOnSigterm) {
  const std::string addr = "127.0.0.1:" + std::to_string(FreePort());
  auto process = Subprocess::Start(
      {Binary()}, {{"DATA_DIR", dir_ + "/data"}, {"PERSISTENCE_ADDR", addr}, {"GEMPOOL_ENV_FILE", dir_ + "/none.env"}},
      dir_, dir_ + "/persistence.log");
  ASSERT_TRUE(process.ok()) << process.status();
  absl::StatusOr<int> port = gempool::testing::WaitForListeningPort(*process, 15000);
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_EQ(std::to_string(*port), addr.substr(addr.rfind(':') + 1));
  // The database opens in the background; health says when.
  ASSERT_TRUE(WaitFor([&] { return HealthOf(addr) == "SERVING"; }, 15000)) << process->Output();
  {
    auto stub = v1::Persistence::NewStub(rpc::MakeChannel(addr));
    grpc::ClientContext context;
    rpc::SetDeadline(context, 10000);
    v1::PingResponse pong;
    const grpc::Status status = stub->Ping(&context, v1::PingRequest(), &pong);
    ASSERT_TRUE(status.ok()) << status.error_message() << "\n" << process->Output();
    EXPECT_EQ(pong.backend(), "sqlite");
    EXPECT_GE(pong.schema_version(), 1);
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/data/default_db"));
  const int status = process->Stop(10000);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << process->Output();
}

TEST_F(PersistenceBinaryTest, UnopenableDatabaseKeepsServingTheReasonUntilItOpens) {
  const std::string blocker = dir_ + "/file";
  std::ofstream(blocker) << "x";
  const std::string addr = "127.0.0.1:" + std::to_string(FreePort());
  auto process = Subprocess::Start(
      {Binary()},
      {{"DATA_DIR", blocker + "/data"}, {"PERSISTENCE_ADDR", addr}, {"GEMPOOL_ENV_FILE", dir_ + "/none.env"}},
      dir_, dir_ + "/persistence.log");
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(WaitFor([&] { return process->Output().find("cannot create the data directory") != std::string::npos; },
                      15000))
      << process->Output();
  EXPECT_TRUE(process->Running()) << process->Output();
  EXPECT_EQ(HealthOf(addr), "NOT_SERVING");
  auto stub = v1::Persistence::NewStub(rpc::MakeChannel(addr));
  {
    grpc::ClientContext context;
    rpc::SetDeadline(context, 10000);
    v1::PingResponse pong;
    const grpc::Status status = stub->Ping(&context, v1::PingRequest(), &pong);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_THAT(status.error_message(), HasSubstr("cannot create the data directory"));
    EXPECT_THAT(status.error_message(), HasSubstr("DATA_DIR"));
  }

  // The cause goes away: the next attempt (at most 10 s later) opens it.
  std::filesystem::remove(blocker);
  ASSERT_TRUE(WaitFor([&] { return HealthOf(addr) == "SERVING"; }, 20000)) << process->Output();
  {
    grpc::ClientContext context;
    rpc::SetDeadline(context, 10000);
    v1::PingResponse pong;
    const grpc::Status status = stub->Ping(&context, v1::PingRequest(), &pong);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  const int status = process->Stop(10000);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << process->Output();
}

TEST_F(PersistenceBinaryTest, StopsPromptlyWhileWaitingForTheDatabase) {
  const std::string blocker = dir_ + "/file";
  std::ofstream(blocker) << "x";
  auto process = Subprocess::Start({Binary()},
                                   {{"DATA_DIR", blocker + "/data"},
                                    {"PERSISTENCE_ADDR", "127.0.0.1:" + std::to_string(FreePort())},
                                    {"GEMPOOL_ENV_FILE", dir_ + "/none.env"}},
                                   dir_, dir_ + "/persistence.log");
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE(WaitFor([&] { return process->Output().find("keeps trying") != std::string::npos; }, 15000))
      << process->Output();
  const int status = process->Stop(5000);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n" << process->Output();
}

TEST_F(PersistenceBinaryTest, BadSettingExitsWithCode2) {
  auto process =
      Subprocess::Start({Binary()}, {{"DATABASE_TYPE", "postgres"}, {"GEMPOOL_ENV_FILE", dir_ + "/none.env"}}, dir_,
                        dir_ + "/persistence.log");
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_EQ(process->WaitExit(15000), 2) << process->Output();
  EXPECT_THAT(process->Output(), HasSubstr("gempool-persistence: DATABASE_TYPE"));
}

}  // namespace
}  // namespace gempool::persistence
