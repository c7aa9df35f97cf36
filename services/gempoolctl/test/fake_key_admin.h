#pragma once
// The fake key broker the gempoolctl command tests run against: a KeyAdmin
// answering with canned data and remembering the requests, and a fixture
// that runs a command against it and captures its output.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli.h"
#include "commands.h"
#include "gempool/common/mutex.h"
#include "gempool/rpc/server.h"
#include "gempool/v1/keybroker.grpc.pb.h"

namespace gempool::ctl::test {

constexpr char kToken[] = "t0k3n";

// Answers KeyAdmin calls with canned data and remembers the requests.
class FakeKeyAdmin final : public v1::KeyAdmin::Service {
 public:
  grpc::Status ListKeys(grpc::ServerContext* context, const v1::ListKeysRequest* request,
                        v1::ListKeysResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_list_ = *request;
    v1::KeyView* one = response->add_keys();
    one->set_id(1);
    one->set_masked("AIzaSy...aaaa");
    one->set_state(v1::KEY_STATE_ACTIVE);
    one->set_last_used_at_ms(1752609600000);  // 2025-07-15T20:00:00Z
    v1::ModelCooldown* cooldown = one->add_model_cooldowns();
    cooldown->set_model("gemini-2.5-pro");
    cooldown->set_until_ms(1752649200000);  // 2025-07-16T07:00:00Z
    cooldown->set_reason("RESOURCE_EXHAUSTED PerDay");
    v1::KeyView* two = response->add_keys();
    two->set_id(2);
    two->set_masked("AIzaSy...bbbb");
    two->set_state(v1::KEY_STATE_DISABLED);
    two->set_failure_count(3);
    two->set_state_reason("MAX_FAILURES");
    response->set_total(2);
    return grpc::Status::OK;
  }
  grpc::Status AddKeys(grpc::ServerContext* context, const v1::AddKeysRequest* request,
                       v1::AddKeysResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    for (const std::string& secret : request->secrets()) {
      added_.push_back(secret);
      if (secret == "dup") {
        response->add_duplicates("...up");
      } else {
        response->add_added_ids(static_cast<int64_t>(added_.size()) + 10);
      }
    }
    response->set_added(response->added_ids_size());
    return grpc::Status::OK;
  }
  grpc::Status PauseKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                         v1::KeyActionResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_selection_ = *request;
    for (int64_t id : request->ids()) {
      if (id == 42) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no key with id 42 in the pool");
    }
    response->set_affected(request->all() ? 5 : request->ids_size());
    return grpc::Status::OK;
  }
  grpc::Status RemoveKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                          v1::KeyActionResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_selection_ = *request;
    response->set_affected(1);
    return grpc::Status::OK;
  }
  grpc::Status ResetKeys(grpc::ServerContext*, const v1::KeySelection*, v1::KeyActionResponse*) override {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the key broker is still loading keys from persistence at 127.0.0.1:8002");
  }
  grpc::Status GetPoolSummary(grpc::ServerContext* context, const v1::GetPoolSummaryRequest*,
                              v1::PoolSummary* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    response->set_total(6);
    response->set_active(2);
    response->set_cooling(1);
    response->set_failing(1);
    response->set_disabled(1);
    response->set_paused(1);
    response->set_cooling_some_model(1);
    return grpc::Status::OK;
  }

  // Key 1 passes, key 2 is invalid; --all verifies both, ids verify those.
  grpc::Status VerifyKeys(grpc::ServerContext* context, const v1::KeySelection* request,
                          v1::VerifyKeysResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_selection_ = *request;
    std::vector<int64_t> ids(request->ids().begin(), request->ids().end());
    if (request->all()) ids = {1, 2};
    for (int64_t id : ids) {
      v1::KeyVerification* v = response->add_results();
      v->set_id(id);
      v->set_masked(id == 1 ? "AIzaSy...aaaa" : "AIzaSy...bbbb");
      v->set_passed(id == 1);
      v->set_state(id == 1 ? v1::KEY_STATE_ACTIVE : v1::KEY_STATE_DISABLED);
      v->set_http_status(id == 1 ? 200 : 400);
      v->set_message(id == 1 ? "the key works" : "the key is invalid (HTTP 400): API_KEY_INVALID");
      id == 1 ? response->set_passed(response->passed() + 1) : response->set_failed(response->failed() + 1);
    }
    return grpc::Status::OK;
  }
  grpc::Status GetKeyUsage(grpc::ServerContext* context, const v1::KeyUsageRequest* request,
                           v1::KeyUsageResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_usage_ = *request;
    response->set_now_ms(1752609600000);
    v1::KeyUsage* key = response->add_keys();
    key->set_id(1);
    key->set_masked("AIzaSy...aaaa");
    v1::ModelUsage* flash = key->add_models();
    flash->set_model("gemini-2.5-flash");
    flash->set_calls_1h(2);
    flash->set_calls_24h(30);
    flash->set_calls_30d(400);
    flash->set_failures_1h(1);
    flash->set_failures_24h(3);
    flash->set_failures_30d(7);
    v1::KeyUsage* idle = response->add_keys();
    idle->set_id(2);
    idle->set_masked("AIzaSy...bbbb");
    return grpc::Status::OK;
  }

  // One row each, of request "req-1" when the query names no other id.
  grpc::Status QueryRequestLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                                v1::QueryRequestLogsResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_log_query_ = *request;
    v1::RequestLogEntry* e = response->add_entries();
    e->set_id(7);
    e->set_time_ms(1752609600000);  // 2025-07-15T20:00:00Z
    e->set_request_id(request->request_id().empty() ? "req-1" : request->request_id());
    e->set_key_id(3);
    e->set_model("gemini-2.5-flash");
    e->set_operation("generateContent");
    e->set_status_code(500);
    e->set_latency_ms(120);
    e->set_attempts(2);
    response->set_total(1);
    return grpc::Status::OK;
  }
  // Row 9, whose request body is kFakeErrorRequestBody: a page carries its
  // first 10 bytes, LogQuery.id 9 all of it; another id is NOT_FOUND.
  static constexpr char kFakeErrorRequestBody[] = "{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}\nlast line";
  grpc::Status QueryErrorLogs(grpc::ServerContext* context, const v1::LogQuery* request,
                              v1::QueryErrorLogsResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_log_query_ = *request;
    if (request->id() != 0 && request->id() != 9) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "persistence at 127.0.0.1:1: QueryErrorLogs failed: error log row " +
                              std::to_string(request->id()) + " not found");
    }
    if (request->request_id() == "none") return grpc::Status::OK;
    const std::string body = kFakeErrorRequestBody;
    v1::ErrorLogEntry* e = response->add_entries();
    e->set_id(9);
    e->set_time_ms(1752609600000);
    e->set_request_id(request->request_id());
    e->set_key_id(3);
    e->set_model("gemini-2.5-flash");
    e->set_operation("generateContent");
    e->set_status_code(500);
    e->set_error_type("INTERNAL");
    e->set_message("upstream broke\nsecond line");
    e->set_request_body(request->id() != 0 ? body : body.substr(0, 10));
    e->set_request_body_bytes(static_cast<int64_t>(body.size()));
    response->set_total(1);
    return grpc::Status::OK;
  }
  v1::LogQuery last_log_query() {
    MutexLock lock(&mu_);
    return last_log_query_;
  }

  // A day of 3 requests on gemini-2.5-flash per asked day; a limit over 1000
  // is INVALID_ARGUMENT, as persistence says.
  grpc::Status QueryUsage(grpc::ServerContext* context, const v1::UsageQuery* request,
                          v1::UsageReport* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_usage_query_ = *request;
    if (request->limit() > 1000) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "limit out of range");
    for (int64_t start : request->day_starts_ms()) {
      v1::UsageDay* d = response->add_days();
      d->set_start_ms(start);
    }
    v1::UsageDay* last = response->mutable_days(response->days_size() - 1);
    last->mutable_count()->set_requests(3);
    last->mutable_count()->mutable_usage()->set_prompt_tokens(30);
    last->mutable_count()->mutable_usage()->set_candidates_tokens(12);
    last->mutable_count()->mutable_usage()->set_total_tokens(42);
    *response->mutable_total() = last->count();
    v1::UsageGroup* g = response->add_groups();
    g->set_group(request->group_by() == v1::USAGE_GROUP_BY_KEY     ? "3"
                 : request->group_by() == v1::USAGE_GROUP_BY_TOKEN ? "e65472d190eb"
                                                                   : "gemini-2.5-flash");
    if (request->group_by() == v1::USAGE_GROUP_BY_TOKEN) {
      *response->add_groups() = *g;
      response->mutable_groups(1)->set_group("0123456789ab");  // A flat ALLOWED_TOKENS token: no name.
    }
    *g->mutable_count() = last->count();
    response->set_other_groups(2);
    return grpc::Status::OK;
  }
  // Two managed tokens: "laptop" (disabled, 60 rpm) for `tokens list`, and
  // "cherry-laptop" for the names `usage --by token` shows.
  grpc::Status ListClientTokens(grpc::ServerContext* context, const v1::ListClientTokensRequest*,
                                v1::ListClientTokensResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    v1::ClientToken* laptop = response->add_tokens();
    laptop->set_id(5);
    laptop->set_name("laptop");
    laptop->set_token_id("abcdef012345");
    laptop->set_secret_prefix("gp-Xy12");
    laptop->set_disabled(true);
    laptop->mutable_limits()->set_requests_per_minute(60);
    v1::ClientToken* cherry = response->add_tokens();
    cherry->set_id(7);
    cherry->set_name("cherry-laptop");
    cherry->set_token_id("e65472d190eb");
    return grpc::Status::OK;
  }
  grpc::Status CreateClientToken(grpc::ServerContext* context, const v1::CreateClientTokenRequest* request,
                                 v1::CreateClientTokenResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_create_ = *request;
    if (request->name() == "taken") {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "a client token named 'taken' already exists (id 1)");
    }
    v1::ClientToken* token = response->mutable_token();
    token->set_id(5);
    token->set_name(request->name());
    token->set_token_id("abcdef012345");
    token->set_secret_prefix("gp-Xy12");
    *token->mutable_limits() = request->limits();
    response->set_secret("gp-Xy12secretsecretsecretsecretsecretsecre");
    return grpc::Status::OK;
  }
  grpc::Status UpdateClientToken(grpc::ServerContext* context, const v1::UpdateClientTokenRequest* request,
                                 v1::ClientToken* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    MutexLock lock(&mu_);
    last_update_ = *request;
    if (request->id() != 5) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no client token with id 9");
    response->set_id(5);
    response->set_name("laptop");
    response->set_disabled(request->disabled());
    return grpc::Status::OK;
  }
  grpc::Status DeleteClientToken(grpc::ServerContext* context, const v1::DeleteClientTokenRequest* request,
                                 v1::DeleteClientTokenResponse* response) override {
    if (grpc::Status auth = Auth(*context); !auth.ok()) return auth;
    response->set_deleted(request->id() == 5);
    return grpc::Status::OK;
  }

  v1::CreateClientTokenRequest last_create() {
    MutexLock lock(&mu_);
    return last_create_;
  }
  v1::UpdateClientTokenRequest last_update() {
    MutexLock lock(&mu_);
    return last_update_;
  }

  v1::UsageQuery last_usage_query() {
    MutexLock lock(&mu_);
    return last_usage_query_;
  }

  v1::KeyUsageRequest last_usage() {
    MutexLock lock(&mu_);
    return last_usage_;
  }
  v1::ListKeysRequest last_list() {
    MutexLock lock(&mu_);
    return last_list_;
  }
  v1::KeySelection last_selection() {
    MutexLock lock(&mu_);
    return last_selection_;
  }
  std::vector<std::string> added() {
    MutexLock lock(&mu_);
    return added_;
  }

 private:
  static grpc::Status Auth(const grpc::ServerContext& context) {
    auto it = context.client_metadata().find("authorization");
    if (it == context.client_metadata().end() ||
        std::string(it->second.data(), it->second.size()) != absl::StrCat("Bearer ", kToken)) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "wrong admin token: use the broker's AUTH_TOKEN");
    }
    return grpc::Status::OK;
  }

  Mutex mu_;
  v1::ListKeysRequest last_list_ ABSL_GUARDED_BY(mu_);
  v1::KeySelection last_selection_ ABSL_GUARDED_BY(mu_);
  v1::KeyUsageRequest last_usage_ ABSL_GUARDED_BY(mu_);
  v1::LogQuery last_log_query_ ABSL_GUARDED_BY(mu_);
  v1::UsageQuery last_usage_query_ ABSL_GUARDED_BY(mu_);
  v1::CreateClientTokenRequest last_create_ ABSL_GUARDED_BY(mu_);
  v1::UpdateClientTokenRequest last_update_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> added_ ABSL_GUARDED_BY(mu_);
};

// Runs gempoolctl commands against a FakeKeyAdmin on a loopback port.
class FakeKeyAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<rpc::RunningServer> server = rpc::StartServer("fake broker", "127.0.0.1:0", {&admin_});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    addr_ = absl::StrCat("127.0.0.1:", server_.port);
  }
  void TearDown() override { server_.server->Shutdown(); }

  // Runs `args` against the fake (address and token given unless the
  // arguments say otherwise); returns the exit code.
  int RunCommand(std::vector<std::string> args, const std::string& input = "") {
    absl::StatusOr<Invocation> inv = ParseArgs(args);
    if (!inv.ok()) {
      ADD_FAILURE() << inv.status();
      return -1;
    }
    Targets targets;
    targets.keybroker_addr = inv->addr.value_or(addr_);
    targets.persistence_addr = addr_;
    targets.token = inv->token.value_or(kToken);
    out_.str("");
    err_.str("");
    std::istringstream in(input);
    return ctl::Run(*inv, targets, {in, out_, err_, false});
  }
  nlohmann::ordered_json OutJson() { return nlohmann::ordered_json::parse(out_.str()); }

  FakeKeyAdmin admin_;
  rpc::RunningServer server_;
  std::string addr_;
  std::ostringstream out_;
  std::ostringstream err_;
};

}  // namespace gempool::ctl::test
