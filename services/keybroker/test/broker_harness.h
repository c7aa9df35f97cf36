#pragma once
// A key broker on a loopback port in front of an in-memory persistence, with
// stubs for both broker services and the health service. For tests; not
// thread-safe (one test owns it).

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "broker.h"
#include "fake_persistence.h"
#include "fake_probe_transport.h"
#include "gempool/rpc/channel.h"
#include "gempool/rpc/server.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace gempool::keybroker::testing {

inline constexpr char kAdminToken[] = "admin-token-for-tests";

class BrokerHarness {
 public:
  BrokerHarness() {
    absl::StatusOr<rpc::RunningServer> server =
        rpc::StartServer("fake persistence", "127.0.0.1:0", {&persistence_});
    if (!server.ok()) std::abort();
    persistence_server_ = std::move(*server);
  }
  ~BrokerHarness() {
    broker_.reset();
    persistence_server_.server->Shutdown();
  }

  Config MakeConfig(std::vector<std::string> api_keys) const {
    Config config;
    config.api_keys = std::move(api_keys);
    config.auth_token = kAdminToken;
    config.persistence_addr = absl::StrCat("127.0.0.1:", persistence_server_.port);
    config.keybroker_listen = "127.0.0.1:0";
    config.rpc_timeout_ms = 2000;
    return config;
  }

  static BrokerOptions Options(bool writer_thread) {
    BrokerOptions options;
    options.run_writer_thread = writer_thread;
    options.load_retry_initial_ms = 20;
    options.load_retry_max_ms = 50;
    options.run_revalidator = false;  // Tests run passes with verifier().RevalidateOnce().
    options.run_proxy_checks = false;  // Tests run them with proxy_checker().Check().
    return options;
  }

  // Starts a broker (replacing any previous one) and, if `wait`, waits until
  // it has loaded its keys. Its key probes go to a fresh fake transport
  // (probes()) unless `options` names one: never to the network.
  Broker& StartBroker(const Config& config, const BrokerOptions& options, bool wait = true) {
    broker_.reset();
    BrokerOptions with_probes = options;
    if (with_probes.probe_transport == nullptr) {
      probes_ = std::make_shared<FakeProbeTransport>();
      with_probes.probe_transport = probes_;
    }
    broker_ = std::make_unique<Broker>(config, clock_, with_probes);
    if (!broker_->Start().ok()) std::abort();
    const std::string addr = absl::StrCat("127.0.0.1:", broker_->port());
    auto channel = rpc::MakeChannel(addr);
    broker_stub_ = v1::KeyBroker::NewStub(channel);
    admin_stub_ = v1::KeyAdmin::NewStub(channel);
    health_stub_ = grpc::health::v1::Health::NewStub(channel);
    if (wait && !broker_->WaitUntilReady(absl::Seconds(10))) std::abort();
    return *broker_;
  }
  void StopBroker() { broker_.reset(); }

  // A context carrying `token` as the admin bearer token ("" for none).
  static std::unique_ptr<grpc::ClientContext> AdminContext(const std::string& token = kAdminToken) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }
  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  v1::AcquireKeyResponse Acquire(const std::string& model, std::vector<int64_t> exclude = {}) {
    v1::AcquireKeyRequest request;
    request.set_model(model);
    for (int64_t id : exclude) request.add_exclude_key_ids(id);
    v1::AcquireKeyResponse response;
    grpc::Status status = broker_stub_->AcquireKey(Context().get(), request, &response);
    if (!status.ok()) ADD_FAILURE() << "AcquireKey: " << status.error_message();
    return response;
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus Health() {
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status =
        health_stub_->Check(Context().get(), grpc::health::v1::HealthCheckRequest(), &response);
    if (!status.ok()) return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    return response.status();
  }

  FakePersistence& persistence() { return persistence_; }
  // The fake transport of the running broker's key probes.
  FakeProbeTransport& probes() { return *probes_; }
  gempool::testing::FakeClock& clock() { return clock_; }
  Broker& broker() { return *broker_; }
  v1::KeyBroker::Stub& broker_stub() { return *broker_stub_; }
  v1::KeyAdmin::Stub& admin_stub() { return *admin_stub_; }

 private:
  FakePersistence persistence_;
  rpc::RunningServer persistence_server_;
  gempool::testing::FakeClock clock_;
  std::shared_ptr<FakeProbeTransport> probes_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<v1::KeyBroker::Stub> broker_stub_;
  std::unique_ptr<v1::KeyAdmin::Stub> admin_stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_stub_;
};

// Test secrets shaped like Google keys (39 characters).
inline std::string TestKey(int n) {
  return absl::StrCat("AIzaSyTest", n, std::string(29 - std::to_string(n).size(), 'x'));
}

}  // namespace gempool::keybroker::testing
