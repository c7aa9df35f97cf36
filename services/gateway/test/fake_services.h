#pragma once
// In-process stand-ins for the key broker and the persistence service, served
// over real gRPC on loopback port 0, recording what the gateway sends.
// Thread-safe: gRPC's threads call the services, the test thread sets them
// up and reads what they recorded; each locks its mu_ for all its state.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gempool/common/mutex.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::gateway::testing {

// Hands out keys in rotation, skipping excluded ones; records every call.
class FakeKeyBroker final : public v1::KeyBroker::Service {
 public:
  struct Key {
    int64_t id;
    std::string secret;
    std::string proxy;  // Handed out with the key ("" for direct).
  };

  explicit FakeKeyBroker(std::vector<Key> keys) : keys_(std::move(keys)) {}

  void SetKeys(std::vector<Key> keys) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    keys_ = std::move(keys);
    next_ = 0;
  }

  // Makes AcquireKey answer "no key" with this retry time and reason.
  void SetUnavailable(int64_t retry_at_ms, std::string reason) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    unavailable_ = true;
    retry_at_ms_ = retry_at_ms;
    reason_ = std::move(reason);
  }

  // Answers "no key until retry_at_ms" to the next `n` acquisitions only.
  void SetUnavailableForNextAcquires(int n, int64_t retry_at_ms, std::string reason) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    unavailable_answers_left_ = n;
    retry_at_ms_ = retry_at_ms;
    reason_ = std::move(reason);
  }

  grpc::Status AcquireKey(grpc::ServerContext*, const v1::AcquireKeyRequest* request,
                          v1::AcquireKeyResponse* response) override {
    MutexLock lock(&mu_);
    acquires_.push_back(*request);
    if (unavailable_answers_left_ > 0) {
      --unavailable_answers_left_;
      response->set_available(false);
      response->set_retry_at_ms(retry_at_ms_);
      response->set_unavailable_reason(reason_);
      return grpc::Status::OK;
    }
    if (unavailable_) {
      response->set_available(false);
      response->set_retry_at_ms(retry_at_ms_);
      response->set_unavailable_reason(reason_);
      return grpc::Status::OK;
    }
    if (request->key_id() > 0) {  // Pinned: that key or none (not in the pool: retry_at 0).
      for (const Key& key : keys_) {
        if (key.id != request->key_id()) continue;
        response->set_available(true);
        response->set_key_id(key.id);
        response->set_secret(key.secret);
        response->set_proxy(key.proxy);
        return grpc::Status::OK;
      }
      response->set_available(false);
      response->set_unavailable_reason("key " + std::to_string(request->key_id()) + " is no longer in the pool");
      return grpc::Status::OK;
    }
    for (size_t i = 0; i < keys_.size(); ++i) {
      const Key& key = keys_[(next_ + i) % keys_.size()];
      bool excluded = false;
      for (int64_t id : request->exclude_key_ids()) excluded |= id == key.id;
      if (excluded) continue;
      next_ = (next_ + i + 1) % keys_.size();
      response->set_available(true);
      response->set_key_id(key.id);
      response->set_secret(key.secret);
      response->set_proxy(key.proxy);
      return grpc::Status::OK;
    }
    response->set_available(false);
    response->set_unavailable_reason("every key was tried for this request");
    return grpc::Status::OK;
  }

  grpc::Status ReportOutcome(grpc::ServerContext*, const v1::ReportOutcomeRequest* request,
                             v1::ReportOutcomeResponse*) override {
    MutexLock lock(&mu_);
    reports_.push_back(*request);
    changed_.SignalAll();
    return grpc::Status::OK;
  }

  grpc::Status ReportOutcomes(grpc::ServerContext*, const v1::ReportOutcomesRequest* request,
                              v1::ReportOutcomesResponse* response) override {
    MutexLock lock(&mu_);
    for (const v1::ReportOutcomeRequest& report : request->reports()) reports_.push_back(report);
    response->set_applied(request->reports_size());
    changed_.SignalAll();
    return grpc::Status::OK;
  }

  // Waits (up to 10 s) until at least `n` reports arrived; returns them.
  std::vector<v1::ReportOutcomeRequest> WaitForReports(size_t n) ABSL_LOCKS_EXCLUDED(mu_) {
    return WaitForReportsFor(n, std::chrono::seconds(10));
  }
  // Waits up to `timeout` until at least `n` reports arrived; returns all so far.
  std::vector<v1::ReportOutcomeRequest> WaitForReportsFor(size_t n, std::chrono::milliseconds timeout)
      ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
    while (reports_.size() < n && !changed_.WaitWithDeadline(&mu_, deadline)) {
    }
    return reports_;
  }
  std::vector<v1::AcquireKeyRequest> acquires() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return acquires_;
  }

 private:
  Mutex mu_;
  CondVar changed_;  // Signalled when reports_ grows.
  std::vector<Key> keys_ ABSL_GUARDED_BY(mu_);
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  int unavailable_answers_left_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t retry_at_ms_ ABSL_GUARDED_BY(mu_) = 0;
  std::string reason_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::AcquireKeyRequest> acquires_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::ReportOutcomeRequest> reports_ ABSL_GUARDED_BY(mu_);
};

// Records log rows; Ping succeeds unless told otherwise. Keeps stored
// responses in memory, scoped to their owner like the real service (no
// expiry, no validation).
class FakePersistence final : public v1::Persistence::Service {
 public:
  void SetPingError(std::string message) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    ping_error_ = std::move(message);
  }

  grpc::Status WriteRequestLogs(grpc::ServerContext*, const v1::WriteRequestLogsRequest* request,
                                v1::WriteLogsResponse* response) override {
    MutexLock lock(&mu_);
    for (const auto& e : request->entries()) requests_.push_back(e);
    response->set_written(request->entries_size());
    changed_.SignalAll();
    return grpc::Status::OK;
  }

  grpc::Status WriteErrorLogs(grpc::ServerContext*, const v1::WriteErrorLogsRequest* request,
                              v1::WriteLogsResponse* response) override {
    MutexLock lock(&mu_);
    for (const auto& e : request->entries()) errors_.push_back(e);
    response->set_written(request->entries_size());
    changed_.SignalAll();
    return grpc::Status::OK;
  }

  grpc::Status Ping(grpc::ServerContext*, const v1::PingRequest*,
                    v1::PingResponse* response) override {
    MutexLock lock(&mu_);
    if (!ping_error_.empty()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, ping_error_);
    response->set_backend("sqlite");
    response->set_schema_version(1);
    return grpc::Status::OK;
  }

  grpc::Status PutStoredResponse(grpc::ServerContext*, const v1::StoredResponse* request,
                                 v1::PutStoredResponseResponse*) override {
    MutexLock lock(&mu_);
    auto it = stored_.find(request->id());
    if (it != stored_.end() && it->second.owner() != request->owner()) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "id stored for another owner");
    }
    stored_[request->id()] = *request;
    return grpc::Status::OK;
  }

  grpc::Status GetStoredResponse(grpc::ServerContext*, const v1::GetStoredResponseRequest* request,
                                 v1::StoredResponse* response) override {
    MutexLock lock(&mu_);
    auto it = stored_.find(request->id());
    if (it == stored_.end() || it->second.owner() != request->owner()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no stored response " + request->id());
    }
    *response = it->second;
    return grpc::Status::OK;
  }

  grpc::Status DeleteStoredResponse(grpc::ServerContext*, const v1::DeleteStoredResponseRequest* request,
                                    v1::DeleteStoredResponseResponse* response) override {
    MutexLock lock(&mu_);
    auto it = stored_.find(request->id());
    const bool found = it != stored_.end() && it->second.owner() == request->owner();
    if (found) stored_.erase(it);
    response->set_deleted(found);
    return grpc::Status::OK;
  }

  // The stored responses by id.
  std::map<std::string, v1::StoredResponse> StoredResponses() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return stored_;
  }

  // Wait (up to 10 s) for at least `n` rows; return all rows so far.
  std::vector<v1::RequestLogEntry> WaitForRequestLogs(size_t n) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (requests_.size() < n && !changed_.WaitWithDeadline(&mu_, deadline)) {
    }
    return requests_;
  }
  std::vector<v1::ErrorLogEntry> WaitForErrorLogs(size_t n) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (errors_.size() < n && !changed_.WaitWithDeadline(&mu_, deadline)) {
    }
    return errors_;
  }

 private:
  Mutex mu_;
  CondVar changed_;  // Signalled when requests_ or errors_ grows.
  std::string ping_error_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RequestLogEntry> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::ErrorLogEntry> errors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::StoredResponse> stored_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gempool::gateway::testing
