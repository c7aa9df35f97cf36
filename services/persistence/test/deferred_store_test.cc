// DeferredStore: answers UNAVAILABLE with the current reason until a store is
// installed, then forwards; and the same through the gRPC service (Ping is
// what the gateways' /health reports).

#include "deferred_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <string>

#include "gempool/rpc/channel.h"
#include "gempool/rpc/server.h"
#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "persistence_service.h"

namespace gempool::persistence {
namespace {

using ::gempool::testing::FakeClock;
using ::gempool::testing::IsOk;
using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class DeferredStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool_deferred_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::unique_ptr<storage::Store> OpenSqlite() {
    storage::StoreOptions options;
    options.backend = storage::Backend::kSqlite;
    options.sqlite_path = dir_ + "/gempool.db";
    options.data_dir = dir_;
    auto store = storage::SociStore::Open(options, clock_);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::unique_ptr<storage::Store>(*std::move(store)) : nullptr;
  }

  FakeClock clock_;
  std::string dir_;
};

TEST_F(DeferredStoreTest, EveryCallAnswersUnavailableWithTheCurrentReason) {
  DeferredStore store("opening the mysql database (first attempt in progress)");
  EXPECT_FALSE(store.IsOpen());
  EXPECT_THAT(store.Ping(), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("first attempt in progress")));

  store.SetReason("cannot connect to MySQL at db:3306 as user 'gempool': Access denied");
  const auto refused = [](const absl::Status& s) {
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable,
                            HasSubstr("has no database yet (it keeps trying): cannot connect to MySQL at db:3306 "
                                      "as user 'gempool': Access denied")));
  };
  refused(store.Ping().status());
  refused(store.LoadKeys().status());
  refused(store.AddKeys({"AIzaX"}).status());
  refused(store.DeleteKeys({1}).status());
  refused(store.SaveKeyStates({}).status());
  refused(store.WriteRequestLogs({}).status());
  refused(store.WriteErrorLogs({}).status());
  refused(store.QueryRequestLogs(v1::LogQuery()).status());
  refused(store.QueryErrorLogs(v1::LogQuery()).status());
  refused(store.GetKeyUsage({}, 0).status());
  refused(store.GetSettings().status());
  refused(store.PutSettings({{"MAX_RETRIES", "2"}}));
  refused(store.CreateAdminSession(v1::AdminSession()));
  refused(store.GetAdminSession("x").status());
  refused(store.DeleteAdminSession("x").status());
  refused(store.PutStoredResponse(v1::StoredResponse()));
  refused(store.GetStoredResponse("resp_1", "owner").status());
  refused(store.DeleteStoredResponse("resp_1", "owner").status());
  refused(store.DeleteLogs(v1::DeleteLogsRequest()).status());
  refused(store.AggregateRequestLogs(v1::AggregateRequestLogsRequest()).status());
  // Logged once by the opener, not again by every RPC that returns it.
  EXPECT_TRUE(store.Ping().status().GetPayload(kLoggedPayloadUrl).has_value());
}

TEST_F(DeferredStoreTest, ForwardsOnceInstalledAndKeepsTheFirstStore) {
  DeferredStore store("not yet");
  store.Install(OpenSqlite());
  ASSERT_TRUE(store.IsOpen());
  EXPECT_THAT(store.Unavailable(), IsOk());
  EXPECT_THAT(store.Ping(), IsOk());
  ASSERT_THAT(store.AddKeys({"AIzaInstalled"}), IsOk());
  EXPECT_THAT(store.LoadKeys(), IsOkAndHolds(SizeIs(1)));
  ASSERT_THAT(store.PutSettings({{"MAX_RETRIES", "2"}}), IsOk());
  EXPECT_THAT(store.GetSettings(), IsOkAndHolds(SizeIs(1)));
  v1::StoredResponse response;
  response.set_id("resp_1");
  response.set_owner("owner");
  response.set_created_at_ms(1);
  response.set_expires_at_ms(std::numeric_limits<int64_t>::max());
  ASSERT_THAT(store.PutStoredResponse(response), IsOk());
  EXPECT_THAT(store.GetStoredResponse("resp_1", "owner"), IsOk());
  EXPECT_THAT(store.DeleteStoredResponse("resp_1", "owner"), IsOkAndHolds(true));

  // A second store is refused; the first keeps serving.
  std::filesystem::create_directories(dir_ + "/other");
  storage::StoreOptions other;
  other.backend = storage::Backend::kSqlite;
  other.sqlite_path = dir_ + "/other/gempool.db";
  auto second = storage::SociStore::Open(other, clock_);
  ASSERT_THAT(second, IsOk());
  store.Install(*std::move(second));
  EXPECT_THAT(store.LoadKeys(), IsOkAndHolds(SizeIs(1)));
}

TEST_F(DeferredStoreTest, TheGrpcServiceCarriesTheReasonInPing) {
  DeferredStore store(
      "cannot connect to MySQL at db:3306 as user 'gempool': Access denied for user 'gempool'@'10.0.0.7'");
  PersistenceService service(store);
  auto server = rpc::StartServer("test persistence", "127.0.0.1:0", {&service});
  ASSERT_THAT(server, IsOk());
  auto stub = v1::Persistence::NewStub(rpc::MakeChannel("127.0.0.1:" + std::to_string(server->port)));
  {
    grpc::ClientContext context;
    rpc::SetDeadline(context, 10000);
    v1::PingResponse pong;
    const grpc::Status status = stub->Ping(&context, v1::PingRequest(), &pong);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_THAT(status.error_message(), HasSubstr("Access denied for user 'gempool'@'10.0.0.7'"));
  }
  store.Install(OpenSqlite());
  {
    grpc::ClientContext context;
    rpc::SetDeadline(context, 10000);
    v1::PingResponse pong;
    const grpc::Status status = stub->Ping(&context, v1::PingRequest(), &pong);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(pong.backend(), "sqlite");
  }
  server->server->Shutdown();
}

}  // namespace
}  // namespace gempool::persistence
