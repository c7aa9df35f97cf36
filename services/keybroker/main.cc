// gempool-keybroker: owns the pool of Gemini API keys. Gateways acquire keys
// and report outcomes over gRPC (gempool.v1.KeyBroker); gempoolctl and the
// admin UI manage keys (gempool.v1.KeyAdmin); key states live in the
// database through gempool-persistence. Settings saved in the admin UI
// (MAX_FAILURES, PROXIES, PAID_KEY, TEST_MODEL, CHECK_INTERVAL_HOURS, ...)
// are read at start-up and followed while it runs.

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "broker.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"
#include "gempool/common/logging.h"
#include "gempool/common/memory.h"
#include "gempool/common/service_arguments.h"
#include "gempool/common/shutdown.h"
#include "gempool/config/config.h"

int main(int argc, char** argv) {
  constexpr gempool::ServiceDescription kService{
      "gempool-keybroker",
      "The key broker: owns the key pool (states, cooldowns, re-validation), streams it to every\n"
      "gateway's replica, takes their outcome reports, and serves the admin calls gempoolctl makes (gRPC).",
      "  KEYBROKER_LISTEN              where it listens (gRPC, host:port)\n"
      "  PERSISTENCE_ADDR              the persistence service (gRPC, host:port)\n"
      "  API_KEYS, VERTEX_API_KEYS     keys added to the pool at start-up\n"
      "  MAX_FAILURES, MAX_FAILURES_RECHECK_SECONDS, CHECK_INTERVAL_HOURS, PROXIES, PAID_KEY\n"
      "  KEYBROKER_METRICS_LISTEN      Prometheus metrics (host:port; empty: none)"};
  if (std::optional<int> exit_code = gempool::HandleServiceArguments(argc, argv, kService, std::cout, std::cerr)) {
    return *exit_code;
  }
  // Off the request path (gateways hand keys out from their replicas): one
  // malloc arena, so that the memory loading the pool used is given back.
  gempool::LimitHeapArenas(1);
  gempool::BlockShutdownSignals();
  gempool::SetLogComponent("keybroker");
  absl::StatusOr<gempool::Config> config = gempool::LoadProcessConfig();
  if (!config.ok()) {
    std::cerr << "gempool-keybroker: " << config.status().message() << "\n";
    return 2;
  }
  // What the config was loaded from: settings saved in the admin UI are laid
  // over it (whichever changed last wins).
  absl::StatusOr<gempool::Environment> env = gempool::Environment::Load(gempool::DotEnvPath());
  if (!env.ok()) {
    // After LoadProcessConfig: in the LOG_FORMAT in force.
    GEMPOOL_LOG(ERROR) << "gempool-keybroker: " << env.status().message();
    return 2;
  }
  gempool::keybroker::BrokerOptions options;
  options.environment = *std::move(env);
  gempool::keybroker::Broker broker(*config, gempool::SystemClock::Get(), std::move(options));
  // The broker has its own copy of API_KEYS, dropped once they are loaded.
  std::vector<std::string>().swap(config->api_keys);
  if (absl::Status started = broker.Start(); !started.ok()) {
    // After LoadProcessConfig: in the LOG_FORMAT in force.
    GEMPOOL_LOG(ERROR) << "gempool-keybroker: " << started.message();
    // A setting key probes cannot use is a bad setting (2); a busy port is 1.
    return absl::IsInvalidArgument(started) ? 2 : 1;
  }
  GEMPOOL_LOG(INFO) << "listening on " << config->keybroker_listen << " (port " << broker.port()
                    << "); loading keys from persistence at " << config->persistence_addr;
  const int signal = gempool::WaitForShutdownSignal();
  GEMPOOL_LOG(INFO) << "stopping on signal " << signal << " (a second signal stops it at once)";
  gempool::EndAtNextShutdownSignal();
  // Ends the gateways' watch streams, lets the calls in flight finish (up to
  // SHUTDOWN_GRACE_SECONDS) and flushes the key states to persistence.
  broker.Shutdown();
  GEMPOOL_LOG(INFO) << "stopped";
  return 0;
}
