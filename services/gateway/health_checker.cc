#include "health_checker.h"

#include <future>

#include <nlohmann/json.hpp>

namespace gempool::gateway {

HealthChecker::HealthChecker(KeyBrokerClient& broker, PersistenceClient& persistence,
                             int timeout_ms)
    : broker_(broker), persistence_(persistence), timeout_ms_(timeout_ms) {}

HealthChecker::Report HealthChecker::Check() {
  std::future<absl::StatusOr<v1::PingResponse>> ping =
      std::async(std::launch::async, [this] { return persistence_.Ping(timeout_ms_); });
  const absl::Status broker = broker_.CheckHealth(timeout_ms_);
  const absl::StatusOr<v1::PingResponse> persistence = ping.get();

  Report report;
  report.healthy = broker.ok() && persistence.ok();
  nlohmann::ordered_json body;
  body["status"] = report.healthy ? "ok" : "unavailable";
  body["keybroker"] = broker.ok() ? "ok" : "unavailable";
  body["persistence"] = persistence.ok() ? "ok" : "unavailable";
  if (!report.healthy) {
    nlohmann::ordered_json errors = nlohmann::ordered_json::object();
    if (!broker.ok()) errors["keybroker"] = std::string(broker.message());
    if (!persistence.ok()) errors["persistence"] = std::string(persistence.status().message());
    body["errors"] = errors;
  }
  report.json = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return report;
}

}  // namespace gempool::gateway
