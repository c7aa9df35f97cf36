// gempool-persistence: the only process that opens the database. Serves
// gempool.v1.Persistence (plus gRPC health and reflection) on
// PERSISTENCE_LISTEN.
//
// The server starts before the database is open: the database is opened in
// the background and retried (StoreOpener) until it opens, so a refused MySQL
// login or an unreachable server is explained where users look. Until then
// the gRPC health is NOT_SERVING and every call, Ping included, answers
// UNAVAILABLE with the reason (which user was refused by which server, and
// what to do), which the gateways' GET /health shows.
//
// Exit codes: 0 after SIGINT/SIGTERM, 2 for a bad setting, 1 when the port
// cannot be bound.

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "deferred_store.h"
#include "files_cleanup.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"
#include "gempool/common/logging.h"
#include "gempool/common/memory.h"
#include "gempool/common/service_arguments.h"
#include "gempool/common/shutdown.h"
#include "gempool/config/config.h"
#include "gempool/config/settings_follower.h"
#include "gempool/metrics/metrics_listener.h"
#include "gempool/rpc/server.h"
#include "gempool/storage/soci_store.h"
#include "persistence_metrics.h"
#include "persistence_service.h"
#include "store_opener.h"

int main(int argc, char** argv) {
  constexpr gempool::ServiceDescription kService{
      "gempool-persistence",
      "The persistence service: the only process that opens the database (SQLite by default, MySQL or\n"
      "MariaDB in production): settings, keys and their states, request and error logs (gRPC).",
      "  PERSISTENCE_LISTEN            where it listens (gRPC, host:port)\n"
      "  DATABASE_TYPE                 sqlite (default) or mysql\n"
      "  DATA_DIR, SQLITE_DATABASE     where the SQLite file lives\n"
      "  MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE\n"
      "  PERSISTENCE_METRICS_LISTEN    Prometheus metrics (host:port; empty: none)"};
  if (std::optional<int> exit_code = gempool::HandleServiceArguments(argc, argv, kService, std::cout, std::cerr)) {
    return *exit_code;
  }
  gempool::BlockShutdownSignals();
  gempool::SetLogComponent("persistence");
  auto config = gempool::LoadProcessConfig({"API_KEYS"});
  if (!config.ok()) {
    std::cerr << "gempool-persistence: " << config.status().message() << std::endl;
    return 2;
  }
  const std::string what = absl::StrCat(config->database_type, " database");

  // Declared before the service and the server, so it outlives both.
  gempool::persistence::DeferredStore store(absl::StrCat("opening the ", what, " (first attempt in progress)"));
  gempool::persistence::PersistenceService service(store);
  // PERSISTENCE_METRICS_LISTEN: RPCs, database write latency, the process.
  gempool::persistence::PersistenceMetrics metrics;
  service.TimeWritesInto(metrics.db_writes());
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(metrics.rpcs().MakeInterceptorFactory());
  auto server = gempool::rpc::StartServer("gempool-persistence", config->persistence_listen, {&service},
                                          gempool::persistence::kMaxRequestBytes, std::move(interceptors));
  if (!server.ok()) {
    // After LoadProcessConfig: in the LOG_FORMAT in force.
    GEMPOOL_LOG(ERROR) << "gempool-persistence: " << server.status().message();
    return 1;
  }
  gempool::metrics::MetricsListener metrics_listener([&metrics] { return metrics.registry().Render(); });
  if (!config->persistence_metrics_listen.empty()) {
    absl::StatusOr<int> metrics_port =
        metrics_listener.Start("PERSISTENCE_METRICS_LISTEN", config->persistence_metrics_listen);
    if (!metrics_port.ok()) {
      GEMPOOL_LOG(ERROR) << "gempool-persistence: " << metrics_port.status().message();
      return 1;
    }
    GEMPOOL_LOG(INFO) << "metrics on http://" << config->persistence_metrics_listen << "/metrics";
  }
  grpc::HealthCheckServiceInterface* health = server->server->GetHealthCheckService();
  health->SetServingStatus(false);  // Until the database is open.
  GEMPOOL_LOG(INFO) << "gempool-persistence listening on " << config->persistence_listen << " (port " << server->port
                    << "), " << what;

  gempool::persistence::StoreOpener opener(
      what,
      [&config]() -> absl::StatusOr<std::unique_ptr<gempool::storage::Store>> {
        auto opened = gempool::storage::OpenStore(*config);
        if (!opened.ok()) return opened.status();
        return std::unique_ptr<gempool::storage::Store>(*std::move(opened));
      },
      store, [health] { health->SetServingStatus(true); }, gempool::SystemClock::Get(),
      gempool::persistence::StoreOpener::Options());
  opener.Start();

  // LOG_LEVEL saved on the admin page applies here too, without a restart,
  // and so do FILES_CLEANUP_ENABLED and FILES_CLEANUP_INTERVAL_HOURS.
  gempool::persistence::FilesCleanup files_cleanup(store, gempool::SystemClock::Get());
  std::unique_ptr<gempool::config::SettingsFollower> settings;
  {
    absl::StatusOr<gempool::Environment> env = gempool::Environment::Load(gempool::DotEnvPath());
    if (!env.ok()) {
      // After LoadProcessConfig: in the LOG_FORMAT in force.
      GEMPOOL_LOG(ERROR) << "gempool-persistence: " << env.status().message();
      return 2;
    }
    gempool::config::SettingsFollower::Options follow;
    follow.ignore = {"API_KEYS"};  // The follower keeps a copy without it.
    // FILES_CLEANUP_ENABLED / FILES_CLEANUP_INTERVAL_HOURS as saved in the
    // admin UI, checked after every poll.
    follow.after_poll = [&files_cleanup](const gempool::Config& current) { return files_cleanup.Tick(current); };
    settings = std::make_unique<gempool::config::SettingsFollower>(
        *env, [&store] { return store.GetSettings(); },
        [](std::shared_ptr<const gempool::Config> next) { gempool::SetLogLevel(next->log_level); }, follow);
  }
  gempool::ReleaseFreeMemory();  // The environment as read, API_KEYS included.
  settings->Start();

  const int signal_number = gempool::WaitForShutdownSignal();
  GEMPOOL_LOG(INFO) << "signal " << signal_number << ": stopping (a second signal stops it at once)";
  gempool::EndAtNextShutdownSignal();
  settings->Stop();
  // An attempt to open the database in progress ends within its connect
  // timeout; after Stop the opener no longer touches the server.
  opener.Stop();
  // Calls in flight (database writes of log rows and key states) finish,
  // up to SHUTDOWN_GRACE_SECONDS; new ones are refused, and the gateways'
  // and the broker's queues keep their rows until a persistence answers.
  server->server->Shutdown(std::chrono::system_clock::now() +
                           std::chrono::seconds(std::max(config->shutdown_grace_seconds, 0)));
  server->server->Wait();
  GEMPOOL_LOG(INFO) << "stopped";
  return 0;
}
