// StoredResponsesClient over real gRPC to an in-process stand-in for the
// persistence service: round trips, owner scoping, status codes kept for the
// caller to map, and errors that name the persistence address.

#include "responses/stored_responses_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "fake_services.h"
#include "gempool/rpc/channel.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::gateway {
namespace {

using ::gempool::testing::IsOk;
using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

v1::StoredResponse Response(const std::string& id, const std::string& owner) {
  v1::StoredResponse r;
  r.set_id(id);
  r.set_owner(owner);
  r.set_created_at_ms(1000);
  r.set_expires_at_ms(2000);
  r.set_model("gemini-2.5-flash");
  r.set_body(R"({"input":[],"output":[]})");
  return r;
}

// Answers GetStoredResponse after `delay`, later than the client waits.
class SlowPersistence final : public v1::Persistence::Service {
 public:
  grpc::Status GetStoredResponse(grpc::ServerContext*, const v1::GetStoredResponseRequest*,
                                 v1::StoredResponse*) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return grpc::Status::OK;
  }
};

class StoredResponsesClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = rpc::StartServer("fake persistence", "127.0.0.1:0", {&persistence_});
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    address_ = "127.0.0.1:" + std::to_string(server_.port);
    client_ = std::make_unique<StoredResponsesClient>(rpc::MakeChannel(address_), address_, 5000);
  }

  void TearDown() override {
    if (server_.server) server_.server->Shutdown();
  }

  testing::FakePersistence persistence_;
  rpc::RunningServer server_;
  std::string address_;
  std::unique_ptr<StoredResponsesClient> client_;
};

TEST_F(StoredResponsesClientTest, PutGetDeleteRoundTrip) {
  const v1::StoredResponse stored = Response("resp_abc", "a1b2c3d4e5f6");
  ASSERT_THAT(client_->Put(stored), IsOk());
  auto got = client_->Get("resp_abc", "a1b2c3d4e5f6");
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->body(), stored.body());
  EXPECT_EQ(got->model(), "gemini-2.5-flash");
  EXPECT_EQ(got->expires_at_ms(), 2000);
  EXPECT_THAT(client_->Delete("resp_abc", "a1b2c3d4e5f6"), IsOkAndHolds(true));
  EXPECT_THAT(client_->Delete("resp_abc", "a1b2c3d4e5f6"), IsOkAndHolds(false));
  EXPECT_TRUE(persistence_.StoredResponses().empty());
}

TEST_F(StoredResponsesClientTest, NotFoundKeepsItsCodeAndNamesTheAddress) {
  ASSERT_THAT(client_->Put(Response("resp_abc", "owner-one")), IsOk());
  EXPECT_THAT(client_->Get("resp_abc", "owner-two"),
              StatusIs(absl::StatusCode::kNotFound, AllOf(HasSubstr(address_), HasSubstr("GetStoredResponse"))));
  EXPECT_THAT(client_->Get("resp_unknown", "owner-one"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(client_->Delete("resp_abc", "owner-two"), IsOkAndHolds(false));
  EXPECT_THAT(client_->Put(Response("resp_abc", "owner-two")), StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(StoredResponsesClientTest, UnreachablePersistenceSaysWhereAndWhatToCheck) {
  server_.server->Shutdown();
  server_.server.reset();
  StoredResponsesClient client(rpc::MakeChannel(address_), address_, 500);
  EXPECT_THAT(client.Put(Response("resp_abc", "o")),
              StatusIs(absl::StatusCode::kUnavailable,
                       AllOf(HasSubstr("persistence at " + address_), HasSubstr("PERSISTENCE_ADDR"))));
  EXPECT_THAT(client.Get("resp_abc", "o"), StatusIs(absl::StatusCode::kUnavailable, HasSubstr(address_)));
  EXPECT_THAT(client.Delete("resp_abc", "o"), StatusIs(absl::StatusCode::kUnavailable, HasSubstr(address_)));
}

TEST_F(StoredResponsesClientTest, EveryCallHasTheDeadline) {
  SlowPersistence slow;
  auto server = rpc::StartServer("slow persistence", "127.0.0.1:0", {&slow});
  ASSERT_THAT(server, IsOk());
  const std::string address = "127.0.0.1:" + std::to_string(server->port);
  StoredResponsesClient client(rpc::MakeChannel(address), address, 100);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(client.Get("resp_abc", "o"), StatusIs(absl::StatusCode::kUnavailable, HasSubstr("not answering")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(450));
  server->server->Shutdown();
}

}  // namespace
}  // namespace gempool::gateway
