// gempool-gateway: the HTTP endpoint clients call with their gempool token;
// forwards Gemini API calls upstream with keys from the key broker.

#include <iostream>

#include "gateway.h"
#include "gempool/common/clock.h"
#include "gempool/common/logging.h"
#include "gempool/common/memory.h"
#include "gempool/common/shutdown.h"
#include "gempool/config/config.h"

int main() {
  // No LimitHeapArenas here: glibc's default (eight arenas per core) is what
  // a thread per connection needs. With one per core, 64 connection threads
  // queued on two arena locks (~4 futex calls per chat call) and the gateway
  // used 25% more CPU per call, at the same memory (bench/analysis.md).
  gempool::KeepHeapTrimmed();
  gempool::BlockShutdownSignals();
  gempool::SetLogComponent("gateway");
  absl::StatusOr<gempool::Config> config = gempool::LoadProcessConfig({"API_KEYS"});
  if (!config.ok()) {
    std::cerr << "gempool-gateway: " << config.status().message() << "\n";
    return 2;
  }
  auto gateway = gempool::gateway::Gateway::Create(*config, gempool::SystemClock::Get());
  if (!gateway.ok()) {
    std::cerr << "gempool-gateway: " << gateway.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<int> port = (*gateway)->Start();
  if (!port.ok()) {
    std::cerr << "gempool-gateway: " << port.status().message() << "\n";
    return 2;
  }
  GEMPOOL_LOG(INFO) << "upstream " << config->base_url << ", key broker "
                    << config->keybroker_addr << ", persistence " << config->persistence_addr;
  GEMPOOL_LOG(INFO) << "gempool gateway listening on http://" << config->host << ":" << *port;
  const int signal = gempool::WaitForShutdownSignal();
  GEMPOOL_LOG(INFO) << "signal " << signal << ": stopping the gateway";
  (*gateway)->Stop();
  GEMPOOL_LOG(INFO) << "gateway stopped";
  return 0;
}
