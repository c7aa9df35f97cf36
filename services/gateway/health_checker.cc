#include "health_checker.h"

#include <future>
#include <utility>

#include <nlohmann/json.hpp>

namespace gempool::gateway {

HealthChecker::HealthChecker(KeyBrokerClient& broker, PersistenceClient& persistence, int timeout_ms,
                             BlockingRunner run_blocking)
    : broker_(broker), persistence_(persistence), timeout_ms_(timeout_ms), run_blocking_(std::move(run_blocking)) {}

void HealthChecker::CheckShared(std::chrono::milliseconds max_age, std::function<void(const Report&)> done) {
  std::optional<Report> fresh;
  {
    MutexLock lock(&mu_);
    if (last_.has_value() && std::chrono::steady_clock::now() - last_at_ <= max_age) {
      fresh = *last_;
    } else {
      waiting_.push_back(std::move(done));
      if (checking_) return;
      checking_ = true;
    }
  }
  if (fresh.has_value()) {
    done(*fresh);  // Outside the lock.
    return;
  }
  if (run_blocking_) {
    run_blocking_([this] { RunSharedCheck(); });
  } else {
    RunSharedCheck();
  }
}

void HealthChecker::RunSharedCheck() {
  const Report report = Check();
  std::vector<std::function<void(const Report&)>> waiting;
  {
    MutexLock lock(&mu_);
    last_ = report;
    last_at_ = std::chrono::steady_clock::now();
    checking_ = false;
    waiting.swap(waiting_);
  }
  for (auto& done : waiting) done(report);
}

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
