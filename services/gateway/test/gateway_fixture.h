#pragma once
// A gateway under test on a loopback port, in front of an in-process fake key
// broker, fake persistence and fake Gemini upstream: what the gateway's own
// tests and its OpenAI-route tests share. Not thread-safe (one test owns it).

#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <memory>
#include <string>

#include "fake_services.h"
#include "fake_upstream.h"
#include "gateway.h"
#include "gempool/config/config.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/fake_clock.h"

namespace gempool::gateway::testing {

// A Google-shaped pool key made of `c`.
inline std::string PoolKey(char c) { return "AIzaSy" + std::string(33, c); }

class GatewayFixture : public ::testing::Test {
 protected:
  // `client_token` is the one token ALLOWED_TOKENS lets in.
  explicit GatewayFixture(std::string client_token) : client_token_(std::move(client_token)) {}

  void SetUp() override {
    auto broker = rpc::StartServer("fake key broker", "127.0.0.1:0", {&broker_});
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_server_ = std::move(*broker);
    auto persistence = rpc::StartServer("fake persistence", "127.0.0.1:0", {&persistence_});
    ASSERT_TRUE(persistence.ok()) << persistence.status();
    persistence_server_ = std::move(*persistence);
    upstream_.Start();

    config_.allowed_tokens = {client_token_};
    config_.base_url = "http://127.0.0.1:" + std::to_string(upstream_.port()) + "/v1beta";
    config_.keybroker_addr = "127.0.0.1:" + std::to_string(broker_server_.port);
    config_.persistence_addr = "127.0.0.1:" + std::to_string(persistence_server_.port);
    config_.host = "127.0.0.1";
    config_.port = 0;
    config_.max_retries = 3;
    config_.time_out_seconds = 20;
    config_.gateway_threads = 16;
  }

  void TearDown() override {
    if (gateway_ != nullptr) gateway_->Stop(/*grace_ms=*/1000);
    upstream_.Stop();
    if (broker_server_.server) broker_server_.server->Shutdown();
    if (persistence_server_.server) persistence_server_.server->Shutdown();
  }

  // Starts the gateway with config_ as it stands; returns a client for it.
  std::unique_ptr<httplib::Client> StartGateway() {
    auto gateway = Gateway::Create(config_, clock_);
    EXPECT_TRUE(gateway.ok()) << gateway.status();
    if (!gateway.ok()) return nullptr;
    gateway_ = *std::move(gateway);
    auto port = gateway_->Start();
    EXPECT_TRUE(port.ok()) << port.status();
    if (!port.ok()) return nullptr;
    port_ = *port;
    auto client = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client->set_read_timeout(30, 0);
    return client;
  }

  // A whole (non-streamed) upstream answer.
  static FakeUpstream::Scripted Reply(int status, std::string body, std::map<std::string, std::string> headers = {}) {
    FakeUpstream::Scripted s;
    s.status = status;
    s.body = std::move(body);
    s.headers = std::move(headers);
    return s;
  }

  const std::string client_token_;
  gempool::testing::FakeClock clock_;
  FakeKeyBroker broker_{{{1, PoolKey('a'), ""}, {2, PoolKey('b'), ""}, {3, PoolKey('c'), ""}}};
  FakePersistence persistence_;
  FakeUpstream upstream_;
  rpc::RunningServer broker_server_;
  rpc::RunningServer persistence_server_;
  Config config_;
  std::unique_ptr<Gateway> gateway_;
  int port_ = 0;
};

}  // namespace gempool::gateway::testing
