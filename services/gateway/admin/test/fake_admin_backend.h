#pragma once
// An in-memory AdminBackend and SessionBackend for the admin API tests:
// a small key pool, log rows, a settings table and sessions, recording the
// calls it gets. Thread-safe: every backend call and accessor locks mu_.
// The public fields below are the test's set-up and inspection: the test
// thread reads and writes them directly, only while no call is in flight
// (before the calls, or after their answers came back), so they carry no
// ABSL_GUARDED_BY (the admin tests touch them in many places without the
// lock); anything read while another thread may call the fake goes through
// a locking accessor (delete_calls, CallCount).

#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "admin/admin_backend.h"
#include "admin/session_store.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "gempool/common/secrets.h"

namespace gempool::gateway::admin::testing {

class FakeAdminBackend final : public AdminBackend, public SessionBackend {
 public:
  explicit FakeAdminBackend(const Clock& clock) : clock_(clock) {}

  // Test set-up and inspection (see above): not guarded.
  // Keys: id → secret, and their states.
  std::map<int64_t, std::string> secrets;
  std::map<int64_t, v1::KeyState> states;
  std::vector<v1::RequestLogEntry> request_logs;
  std::vector<v1::ErrorLogEntry> error_logs;
  std::vector<v1::LogQuery> error_log_queries;  // What QueryErrorLogs got.
  std::map<std::string, std::string> settings;
  std::map<std::string, v1::AdminSession> sessions;
  std::vector<std::string> calls;
  v1::AggregateRequestLogsResponse aggregate;
  std::vector<v1::AggregateRequestLogsRequest> aggregate_requests;
  v1::TopErrorKeysResponse top_error_keys;
  std::vector<v1::TopErrorKeysRequest> top_error_requests;
  std::vector<v1::DeleteLogsRequest> deletes;
  v1::UsageReport usage_report;
  std::vector<v1::UsageQuery> usage_queries;
  bool session_backend_down = false;

  absl::StatusOr<v1::ListKeysResponse> ListKeys(const v1::ListKeysRequest& request) override {
    MutexLock lock(&mu_);
    calls.push_back("ListKeys");
    v1::ListKeysResponse response;
    int matched = 0;
    for (const auto& [id, secret] : secrets) {
      if (!request.search().empty() && !absl::StrContains(secret, request.search())) continue;
      ++matched;
      if (matched <= request.offset() || response.keys_size() >= (request.limit() ? request.limit() : 100)) continue;
      v1::KeyView* view = response.add_keys();
      view->set_id(id);
      view->set_masked(MaskKey(secret));
      view->set_state(states.count(id) ? states[id] : v1::KEY_STATE_ACTIVE);
    }
    response.set_total(matched);
    return response;
  }
  absl::StatusOr<v1::AddKeysResponse> AddKeys(const v1::AddKeysRequest& request) override {
    MutexLock lock(&mu_);
    calls.push_back("AddKeys");
    v1::AddKeysResponse response;
    for (const std::string& s : request.secrets()) {
      bool known = false;
      for (const auto& [id, secret] : secrets) known |= secret == s;
      if (known) {
        response.add_duplicates(MaskKey(s));
        continue;
      }
      const int64_t id = secrets.empty() ? 1 : secrets.rbegin()->first + 1;
      secrets[id] = s;
      response.add_added_ids(id);
    }
    response.set_added(response.added_ids_size());
    return response;
  }
  absl::StatusOr<v1::KeyActionResponse> ApplyKeyAction(KeyAction action, const v1::KeySelection& selection) override {
    MutexLock lock(&mu_);
    calls.push_back(absl::StrCat("KeyAction", static_cast<int>(action)));
    v1::KeyActionResponse response;
    std::vector<int64_t> ids(selection.ids().begin(), selection.ids().end());
    if (selection.all()) {
      ids.clear();
      for (const auto& [id, secret] : secrets) ids.push_back(id);
    }
    for (int64_t id : ids) {
      if (!secrets.count(id)) return absl::NotFoundError(absl::StrCat("no key with id ", id));
    }
    for (int64_t id : ids) {
      if (action == KeyAction::kRemove) secrets.erase(id);
      if (action == KeyAction::kPause) states[id] = v1::KEY_STATE_PAUSED;
      if (action == KeyAction::kResume || action == KeyAction::kReset) states[id] = v1::KEY_STATE_ACTIVE;
    }
    response.set_affected(static_cast<int>(ids.size()));
    return response;
  }
  absl::StatusOr<v1::PoolSummary> GetPoolSummary(v1::Pool pool = v1::POOL_GEMINI) override {
    MutexLock lock(&mu_);
    v1::PoolSummary summary;
    summary.set_total(pool == v1::POOL_GEMINI ? static_cast<int>(secrets.size()) : 0);
    return summary;
  }
  absl::StatusOr<v1::ExportKeysResponse> ExportKeys(const v1::KeySelection& selection) override {
    MutexLock lock(&mu_);
    calls.push_back("ExportKeys");
    v1::ExportKeysResponse response;
    for (int64_t id : selection.ids()) {
      if (!secrets.count(id)) return absl::NotFoundError(absl::StrCat("no key with id ", id));
    }
    for (const auto& [id, secret] : secrets) {
      bool wanted = selection.all();
      for (int64_t want : selection.ids()) wanted |= want == id;
      if (!wanted) continue;
      response.add_ids(id);
      response.add_secrets(secret);
    }
    return response;
  }
  absl::StatusOr<v1::VerifyKeysResponse> VerifyKeys(const v1::KeySelection&) override {
    return absl::UnimplementedError("not in the fake");
  }
  absl::StatusOr<v1::KeyUsageResponse> GetKeyUsage(const v1::KeyUsageRequest& request) override {
    v1::KeyUsageResponse response;
    for (int64_t id : request.ids()) {
      v1::KeyUsage* key = response.add_keys();
      key->set_id(id);
      v1::ModelUsage* m = key->add_models();
      m->set_model("gemini-2.5-flash");
      m->set_calls_1h(2);
      m->set_calls_24h(5);
      m->set_failures_24h(1);
    }
    return response;
  }
  absl::StatusOr<v1::QueryRequestLogsResponse> QueryRequestLogs(const v1::LogQuery& query) override {
    MutexLock lock(&mu_);
    v1::QueryRequestLogsResponse response;
    for (const auto& e : request_logs) {
      if (query.key_id() != 0 && e.key_id() != query.key_id()) continue;
      if (query.status_code() != 0 && e.status_code() != query.status_code()) continue;
      *response.add_entries() = e;
    }
    response.set_total(response.entries_size());
    return response;
  }
  // As persistence answers: a page cuts each request body to its first
  // kFakeBodyPreviewBytes (persistence keeps more) and says its size; a
  // query by id answers that row whole, or NOT_FOUND naming the id.
  static constexpr size_t kFakeBodyPreviewBytes = 8;
  absl::StatusOr<v1::QueryErrorLogsResponse> QueryErrorLogs(const v1::LogQuery& query) override {
    MutexLock lock(&mu_);
    error_log_queries.push_back(query);
    v1::QueryErrorLogsResponse response;
    for (const auto& e : error_logs) {
      if (query.id() != 0 && e.id() != query.id()) continue;
      if (query.id() == 0 && query.key_id() != 0 && e.key_id() != query.key_id()) continue;
      v1::ErrorLogEntry* row = response.add_entries();
      *row = e;
      row->set_request_body_bytes(static_cast<int64_t>(e.request_body().size()));
      if (query.id() == 0) row->set_request_body(e.request_body().substr(0, kFakeBodyPreviewBytes));
    }
    if (query.id() != 0 && response.entries_size() == 0) {
      return absl::NotFoundError(absl::StrCat("persistence: error log row ", query.id(), " not found"));
    }
    response.set_total(response.entries_size());
    return response;
  }
  absl::StatusOr<v1::DeleteLogsResponse> DeleteLogs(const v1::DeleteLogsRequest& request) override {
    MutexLock lock(&mu_);
    deletes.push_back(request);
    v1::DeleteLogsResponse response;
    response.set_deleted(request.all() ? 10 : request.ids_size());
    return response;
  }
  // DeleteLogs calls so far (safe while another thread calls the fake).
  size_t delete_calls() ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    return deletes.size();
  }
  absl::StatusOr<v1::AggregateRequestLogsResponse> AggregateRequestLogs(
      const v1::AggregateRequestLogsRequest& request) override {
    MutexLock lock(&mu_);
    aggregate_requests.push_back(request);
    return aggregate;
  }
  absl::StatusOr<v1::UsageReport> QueryUsage(const v1::UsageQuery& query) override {
    MutexLock lock(&mu_);
    usage_queries.push_back(query);
    return usage_report;
  }
  // Managed client tokens: the requests it got, and what it answers.
  std::vector<v1::CreateClientTokenRequest> token_creates;
  std::vector<v1::UpdateClientTokenRequest> token_updates;
  v1::ListClientTokensResponse token_list;
  absl::StatusOr<v1::CreateClientTokenResponse> CreateClientToken(const v1::CreateClientTokenRequest& r) override {
    MutexLock lock(&mu_);
    token_creates.push_back(r);
    if (r.name() == "taken") return absl::AlreadyExistsError("a client token named 'taken' already exists (id 1)");
    v1::CreateClientTokenResponse response;
    response.mutable_token()->set_id(7);
    response.mutable_token()->set_name(r.name());
    response.mutable_token()->set_secret_sha256(std::string(64, 'a'));
    response.mutable_token()->set_expires_at_ms(r.expires_at_ms());
    *response.mutable_token()->mutable_limits() = r.limits();
    response.set_secret("gp-secret");
    return response;
  }
  absl::StatusOr<v1::ListClientTokensResponse> ListClientTokens() override {
    MutexLock lock(&mu_);
    return token_list;
  }
  absl::StatusOr<v1::ClientToken> UpdateClientToken(const v1::UpdateClientTokenRequest& r) override {
    MutexLock lock(&mu_);
    token_updates.push_back(r);
    if (r.id() != 7) return absl::NotFoundError(absl::StrCat("no client token with id ", r.id()));
    v1::ClientToken token;
    token.set_id(7);
    token.set_disabled(r.disabled());
    return token;
  }
  absl::StatusOr<v1::DeleteClientTokenResponse> DeleteClientToken(int64_t id) override {
    if (id != 7) return absl::NotFoundError(absl::StrCat("no client token with id ", id));
    v1::DeleteClientTokenResponse response;
    response.set_deleted(true);
    return response;
  }
  absl::StatusOr<v1::TopErrorKeysResponse> TopErrorKeys(const v1::TopErrorKeysRequest& request) override {
    MutexLock lock(&mu_);
    top_error_requests.push_back(request);
    return top_error_keys;
  }
  absl::StatusOr<std::map<std::string, std::string>> GetSettings() override {
    MutexLock lock(&mu_);
    return settings;
  }
  absl::Status PutSettings(const std::map<std::string, std::string>& values) override {
    MutexLock lock(&mu_);
    for (const auto& [name, value] : values) settings[name] = value;
    return absl::OkStatus();
  }

  absl::Status CreateSession(const v1::AdminSession& session) override {
    MutexLock lock(&mu_);
    if (session_backend_down) return absl::UnavailableError("persistence down");
    sessions[session.id_hash()] = session;
    return absl::OkStatus();
  }
  absl::StatusOr<v1::AdminSession> GetSession(const std::string& id_hash) override {
    MutexLock lock(&mu_);
    calls.push_back("GetSession");
    if (session_backend_down) return absl::UnavailableError("persistence down");
    auto it = sessions.find(id_hash);
    if (it == sessions.end() || it->second.expires_at_ms() <= clock_.NowUnixMs()) {
      return absl::NotFoundError("no such session");
    }
    return it->second;
  }
  absl::Status DeleteSession(const std::string& id_hash) override {
    MutexLock lock(&mu_);
    sessions.erase(id_hash);
    return absl::OkStatus();
  }

  int CallCount(const std::string& name) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    int n = 0;
    for (const auto& c : calls) n += c == name;
    return n;
  }

 private:
  const Clock& clock_;
  Mutex mu_;
};

}  // namespace gempool::gateway::admin::testing
