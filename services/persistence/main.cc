// gempool-persistence: the only process that opens the database. Serves
// gempool.v1.Persistence (plus gRPC health and reflection) on
// PERSISTENCE_LISTEN.
//
// Exit codes: 0 after SIGINT/SIGTERM, 2 for a bad setting, 3 when the database
// cannot be opened (the message says why and what to do; docker compose's
// restart policy starts the service again, which also covers a database that
// is still starting), 1 when the port cannot be bound.

#include <chrono>
#include <iostream>

#include "gempool/common/logging.h"
#include "gempool/common/shutdown.h"
#include "gempool/config/config.h"
#include "gempool/rpc/server.h"
#include "gempool/storage/soci_store.h"
#include "persistence_service.h"

int main() {
  gempool::BlockShutdownSignals();
  gempool::SetLogComponent("persistence");
  auto config = gempool::LoadProcessConfig();
  if (!config.ok()) {
    std::cerr << "gempool-persistence: " << config.status().message() << std::endl;
    return 2;
  }

  auto store = gempool::storage::OpenStore(*config);
  if (!store.ok()) {
    GEMPOOL_LOG(ERROR) << "cannot open the " << config->database_type << " database: " << store.status().message();
    GEMPOOL_LOG(ERROR) << "exiting with code 3 (under docker compose the service restarts and tries again)";
    return 3;
  }

  gempool::persistence::PersistenceService service(**store);  // Outlives the server.
  auto server = gempool::rpc::StartServer("gempool-persistence", config->persistence_listen, {&service},
                                          gempool::persistence::kMaxRequestBytes);
  if (!server.ok()) {
    std::cerr << "gempool-persistence: " << server.status().message() << std::endl;
    return 1;
  }
  GEMPOOL_LOG(INFO) << "gempool-persistence listening on " << config->persistence_listen << " (port " << server->port
                    << "), " << config->database_type << " database";

  const int signal_number = gempool::WaitForShutdownSignal();
  GEMPOOL_LOG(INFO) << "signal " << signal_number << ": stopping";
  // In-flight calls are short database operations; gRPC also waits out this
  // deadline while clients (broker, gateways) keep idle connections open.
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->server->Wait();
  return 0;
}
