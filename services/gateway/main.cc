// gempool-gateway: the HTTP endpoint clients call with their gempool token;
// forwards Gemini API calls upstream with keys from the key broker.

#include <iostream>
#include <optional>

#include "gateway.h"
#include "gempool/common/clock.h"
#include "gempool/common/logging.h"
#include "gempool/common/memory.h"
#include "gempool/common/open_files.h"
#include "gempool/common/service_arguments.h"
#include "gempool/common/shutdown.h"
#include "gempool/config/config.h"

int main(int argc, char** argv) {
  constexpr gempool::ServiceDescription kService{
      "gempool-gateway",
      "The client-facing HTTP endpoint: the Gemini native API, the OpenAI Chat Completions, Responses,\n"
      "Embeddings, Images and Speech APIs, the Anthropic Messages API and the admin web UI (/admin). Hands out\n"
      "keys from an in-process replica of the key broker's pool; logs through gempool-persistence. Stateless:\n"
      "run as many as you like.",
      "  PORT, HOST                    where it listens (default 0.0.0.0:8000)\n"
      "  ALLOWED_TOKENS, AUTH_TOKEN    the client tokens, and the admin token\n"
      "  KEYBROKER_ADDR                the key broker (gRPC, host:port)\n"
      "  PERSISTENCE_ADDR              the persistence service (gRPC, host:port)\n"
      "  BASE_URL, TIME_OUT            the upstream and its time limit\n"
      "  GATEWAY_METRICS_LISTEN        Prometheus metrics (host:port; empty: none)"};
  if (std::optional<int> exit_code = gempool::HandleServiceArguments(argc, argv, kService, std::cout, std::cerr)) {
    return *exit_code;
  }
  gempool::KeepHeapTrimmed();
  // Every open client connection and upstream call is a file descriptor:
  // the soft limit (often 1024) would cap MAX_CONNECTIONS long before memory.
  const long open_files = gempool::RaiseOpenFileLimit();
  gempool::BlockShutdownSignals();
  gempool::SetLogComponent("gateway");
  absl::StatusOr<gempool::Config> config = gempool::LoadProcessConfig({"API_KEYS"});
  if (!config.ok()) {
    std::cerr << "gempool-gateway: " << config.status().message() << "\n";
    return 2;
  }
  auto gateway = gempool::gateway::Gateway::Create(*config, gempool::SystemClock::Get());
  if (!gateway.ok()) {
    // After LoadProcessConfig: in the LOG_FORMAT in force.
    GEMPOOL_LOG(ERROR) << "gempool-gateway: " << gateway.status().message();
    return 2;
  }
  absl::StatusOr<int> port = (*gateway)->Start();
  if (!port.ok()) {
    // After LoadProcessConfig: in the LOG_FORMAT in force.
    GEMPOOL_LOG(ERROR) << "gempool-gateway: " << port.status().message();
    return 2;
  }
  GEMPOOL_LOG(INFO) << "upstream " << config->base_url << ", key broker "
                    << config->keybroker_addr << ", persistence " << config->persistence_addr;
  GEMPOOL_LOG(INFO) << "gempool gateway listening on http://" << config->host << ":" << *port;
  if (open_files > 0 && open_files < config->max_connections + 1024) {
    GEMPOOL_LOG(WARNING) << "the open-file limit is " << open_files << ", below MAX_CONNECTIONS ("
                         << config->max_connections << ") plus upstream calls: raise it (ulimit -n, or "
                         << "ulimits.nofile in compose) or lower MAX_CONNECTIONS";
  }
  const int signal = gempool::WaitForShutdownSignal();
  GEMPOOL_LOG(INFO) << "signal " << signal << ": stopping the gateway (a second signal stops it at once)";
  gempool::EndAtNextShutdownSignal();
  // Drains: /health answers 503, calls and streams in flight finish (up to
  // SHUTDOWN_GRACE_SECONDS), then the queued log rows, outcome reports and
  // token usage are flushed.
  (*gateway)->Stop(config->shutdown_grace_seconds * 1000);
  GEMPOOL_LOG(INFO) << "gateway stopped";
  return 0;
}
