#include "fake_persistence.h"

#include <algorithm>
#include <string>
#include <utility>

namespace gempool::keybroker::testing {
namespace {

grpc::Status Down() { return grpc::Status(grpc::StatusCode::UNAVAILABLE, "fake persistence is down"); }

}  // namespace

grpc::Status FakePersistence::LoadKeys(grpc::ServerContext*, const v1::LoadKeysRequest*,
                                       v1::LoadKeysResponse* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  ++load_calls_;
  for (const auto& [id, record] : keys_) *response->add_keys() = record;
  return grpc::Status::OK;
}

grpc::Status FakePersistence::LoadClientTokens(grpc::ServerContext*, const v1::LoadClientTokensRequest*,
                                               v1::LoadClientTokensResponse* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  if (!stores_client_tokens_) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no client tokens here");
  for (const auto& [id, token] : client_tokens_) *response->add_tokens() = token;
  return grpc::Status::OK;
}

grpc::Status FakePersistence::PutClientToken(grpc::ServerContext*, const v1::ClientToken* request,
                                             v1::ClientToken* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  if (!stores_client_tokens_) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no client tokens here");
  *response = *request;
  if (response->id() == 0) response->set_id(next_id_++);
  client_tokens_[response->id()] = *response;
  return grpc::Status::OK;
}

void FakePersistence::set_stores_client_tokens(bool stores) {
  MutexLock lock(&mu_);
  stores_client_tokens_ = stores;
}

grpc::Status FakePersistence::AddKeys(grpc::ServerContext*, const v1::AddKeysStoreRequest* request,
                                      v1::AddKeysStoreResponse* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  add_calls_.emplace_back(request->secrets().begin(), request->secrets().end());
  for (const std::string& secret : request->secrets()) {
    auto existing = std::find_if(keys_.begin(), keys_.end(),
                                 [&](const auto& entry) { return entry.second.secret() == secret; });
    if (existing != keys_.end()) {
      *response->add_keys() = existing->second;
      response->add_inserted(false);
      continue;
    }
    v1::KeyRecord record;
    record.set_id(next_id_++);
    record.set_secret(secret);
    record.set_state(v1::KEY_STATE_ACTIVE);
    record.set_pool(request->pool());
    record.set_created_at_ms(1);
    record.set_updated_at_ms(1);
    keys_[record.id()] = record;
    *response->add_keys() = record;
    response->add_inserted(true);
  }
  return grpc::Status::OK;
}

grpc::Status FakePersistence::DeleteKeys(grpc::ServerContext*, const v1::DeleteKeysRequest* request,
                                         v1::DeleteKeysResponse* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  int deleted = 0;
  for (int64_t id : request->ids()) deleted += static_cast<int>(keys_.erase(id));
  response->set_deleted(deleted);
  return grpc::Status::OK;
}

grpc::Status FakePersistence::SaveKeyStates(grpc::ServerContext*, const v1::SaveKeyStatesRequest* request,
                                            v1::SaveKeyStatesResponse* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  save_batches_.push_back(request->keys_size());
  int updated = 0;
  for (const v1::KeyRecord& state : request->keys()) {
    auto it = keys_.find(state.id());
    if (it == keys_.end()) continue;
    v1::KeyRecord record = state;
    record.set_secret(it->second.secret());  // Not changed by a state write.
    record.set_created_at_ms(it->second.created_at_ms());
    it->second = record;
    ++updated;
  }
  response->set_updated(updated);
  return grpc::Status::OK;
}

grpc::Status FakePersistence::GetKeyUsage(grpc::ServerContext*, const v1::GetKeyUsageRequest* request,
                                          v1::GetKeyUsageResponse* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  usage_calls_.push_back(request->since_ms());
  std::map<std::pair<int64_t, std::string>, v1::KeyUsageRow> rows;
  for (const v1::RequestLogEntry& entry : request_log_) {
    if (entry.time_ms() < request->since_ms()) continue;
    if (request->key_ids_size() > 0 &&
        std::find(request->key_ids().begin(), request->key_ids().end(), entry.key_id()) == request->key_ids().end()) {
      continue;
    }
    v1::KeyUsageRow& row = rows[{entry.key_id(), entry.model()}];
    row.set_key_id(entry.key_id());
    row.set_model(entry.model());
    row.set_calls(row.calls() + 1);
    if (entry.status_code() >= 400) row.set_failures(row.failures() + 1);
  }
  for (auto& [key, row] : rows) *response->add_rows() = std::move(row);
  return grpc::Status::OK;
}

grpc::Status FakePersistence::QueryUsage(grpc::ServerContext*, const v1::UsageQuery* request,
                                         v1::UsageReport* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  usage_queries_.push_back(*request);
  if (request->limit() > 1000) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "limit 1001 is out of range: use 1 to 1000");
  }
  *response = usage_report_;
  return grpc::Status::OK;
}

grpc::Status FakePersistence::QueryErrorLogs(grpc::ServerContext*, const v1::LogQuery* request,
                                             v1::QueryErrorLogsResponse* response) {
  constexpr size_t kPreviewBytes = 4;
  MutexLock lock(&mu_);
  if (down_) return Down();
  error_log_queries_.push_back(*request);
  for (auto it = error_log_.rbegin(); it != error_log_.rend(); ++it) {
    if (request->id() != 0 && it->id() != request->id()) continue;
    v1::ErrorLogEntry* e = response->add_entries();
    *e = *it;
    e->set_request_body_bytes(static_cast<int64_t>(it->request_body().size()));
    if (request->id() == 0) e->set_request_body(it->request_body().substr(0, kPreviewBytes));
  }
  if (request->id() != 0 && response->entries_size() == 0) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "error log row " + std::to_string(request->id()) + " not found");
  }
  response->set_total(response->entries_size());
  return grpc::Status::OK;
}

void FakePersistence::SeedErrorLog(const v1::ErrorLogEntry& entry) {
  MutexLock lock(&mu_);
  error_log_.push_back(entry);
}

std::vector<v1::LogQuery> FakePersistence::error_log_queries() const {
  MutexLock lock(&mu_);
  return error_log_queries_;
}

void FakePersistence::set_usage_report(const v1::UsageReport& report) {
  MutexLock lock(&mu_);
  usage_report_ = report;
}

std::vector<v1::UsageQuery> FakePersistence::usage_queries() const {
  MutexLock lock(&mu_);
  return usage_queries_;
}

void FakePersistence::SeedRequestLog(const v1::RequestLogEntry& entry) {
  MutexLock lock(&mu_);
  request_log_.push_back(entry);
}

std::vector<int64_t> FakePersistence::usage_calls() const {
  MutexLock lock(&mu_);
  return usage_calls_;
}

void FakePersistence::Seed(const v1::KeyRecord& record) {
  MutexLock lock(&mu_);
  keys_[record.id()] = record;
  next_id_ = std::max(next_id_, record.id() + 1);
}

grpc::Status FakePersistence::GetSettings(grpc::ServerContext*, const v1::GetSettingsRequest*,
                                          v1::Settings* response) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  ++settings_calls_;
  if (settings_error_ != grpc::StatusCode::OK) return grpc::Status(settings_error_, "fake GetSettings failure");
  for (const auto& [name, value] : settings_) (*response->mutable_values())[name] = value;
  return grpc::Status::OK;
}

grpc::Status FakePersistence::PutSettings(grpc::ServerContext*, const v1::Settings* request,
                                          v1::PutSettingsResponse*) {
  MutexLock lock(&mu_);
  if (down_) return Down();
  for (const auto& [name, value] : request->values()) settings_[name] = value;
  return grpc::Status::OK;
}

void FakePersistence::PutSetting(const std::string& name, const std::string& value) {
  MutexLock lock(&mu_);
  settings_[name] = value;
}

int FakePersistence::settings_calls() const {
  MutexLock lock(&mu_);
  return settings_calls_;
}

void FakePersistence::set_settings_error(grpc::StatusCode code) {
  MutexLock lock(&mu_);
  settings_error_ = code;
}

void FakePersistence::set_down(bool down) {
  MutexLock lock(&mu_);
  down_ = down;
}

std::map<int64_t, v1::KeyRecord> FakePersistence::keys() const {
  MutexLock lock(&mu_);
  return keys_;
}

std::optional<v1::KeyRecord> FakePersistence::key(int64_t id) const {
  MutexLock lock(&mu_);
  auto it = keys_.find(id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::vector<int> FakePersistence::save_batches() const {
  MutexLock lock(&mu_);
  return save_batches_;
}

std::vector<std::vector<std::string>> FakePersistence::add_calls() const {
  MutexLock lock(&mu_);
  return add_calls_;
}

int FakePersistence::load_calls() const {
  MutexLock lock(&mu_);
  return load_calls_;
}

}  // namespace gempool::keybroker::testing
