#include "persistence_client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gempool/rpc/channel.h"
#include "gempool/rpc/status.h"
#include "gempool/keypool/proto_convert.h"

namespace gempool::keybroker {
namespace {

// Secrets per AddKeys call: well under gRPC's 4 MiB request limit.
constexpr size_t kAddChunk = 1000;
// Bulk calls (a whole pool) get at least this long.
constexpr int kBulkTimeoutMs = 30000;

// `own_connection`: a connection no other channel shares (gRPC shares one
// per address and settings by default), closed with the channel.
std::shared_ptr<grpc::Channel> MakePersistenceChannel(const std::string& addr, bool own_connection = false) {
  // rpc::MakeChannel's settings, plus no limit on responses: LoadKeys of a
  // 100,000-key pool is larger than gRPC's default 4 MiB.
  grpc::ChannelArguments args;
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
}

}  // namespace

PersistenceClient::PersistenceClient(std::string addr, int timeout_ms)
    : addr_(std::move(addr)),
      timeout_ms_(timeout_ms),
      stub_(v1::Persistence::NewStub(MakePersistenceChannel(addr_))) {}

absl::Status PersistenceClient::Failed(const char* rpc, const grpc::Status& status) const {
  std::string hint;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    hint = " (is gempool-persistence running there? PERSISTENCE_ADDR sets where the broker looks)";
  }
  return rpc::FromGrpcStatus(grpc::Status(
      status.error_code(),
      absl::StrCat("persistence at ", addr_, ": ", rpc, " failed: ", status.error_message(), hint)));
}

absl::StatusOr<std::vector<keypool::KeyInfo>> PersistenceClient::LoadKeys() {
  const std::unique_ptr<v1::Persistence::Stub> bulk =
      v1::Persistence::NewStub(MakePersistenceChannel(addr_, /*own_connection=*/true));
  grpc::ClientContext context;
  rpc::SetDeadline(context, std::max(timeout_ms_, kBulkTimeoutMs));
  v1::LoadKeysResponse response;
  grpc::Status status = bulk->LoadKeys(&context, v1::LoadKeysRequest(), &response);
  if (!status.ok()) return Failed("LoadKeys", status);
  std::vector<keypool::KeyInfo> keys;
  keys.reserve(response.keys_size());
  for (const v1::KeyRecord& record : response.keys()) keys.push_back(keypool::FromRecord(record));
  return keys;
}

absl::StatusOr<PersistenceClient::StoredKeys> PersistenceClient::AddKeys(
    const std::vector<std::string>& secrets, keypool::Pool pool) {
  StoredKeys stored;
  for (size_t begin = 0; begin < secrets.size(); begin += kAddChunk) {
    const size_t end = std::min(secrets.size(), begin + kAddChunk);
    v1::AddKeysStoreRequest request;
    for (size_t i = begin; i < end; ++i) request.add_secrets(secrets[i]);
    request.set_pool(keypool::ToProto(pool));
    grpc::ClientContext context;
    rpc::SetDeadline(context, std::max(timeout_ms_, kBulkTimeoutMs));
    v1::AddKeysStoreResponse response;
    grpc::Status status = stub_->AddKeys(&context, request, &response);
    if (!status.ok()) return Failed("AddKeys", status);
    if (response.keys_size() != static_cast<int>(end - begin) ||
        response.inserted_size() != response.keys_size()) {
      return absl::InternalError(absl::StrCat("persistence at ", addr_, ": AddKeys answered ",
                                              response.keys_size(), " keys for ", end - begin,
                                              " secrets (a persistence bug)"));
    }
    for (int i = 0; i < response.keys_size(); ++i) {
      stored.keys.push_back(keypool::FromRecord(response.keys(i)));
      stored.inserted.push_back(response.inserted(i));
    }
  }
  return stored;
}

absl::Status PersistenceClient::DeleteKeys(const std::vector<int64_t>& ids) {
  v1::DeleteKeysRequest request;
  for (int64_t id : ids) request.add_ids(id);
  grpc::ClientContext context;
  rpc::SetDeadline(context, std::max(timeout_ms_, kBulkTimeoutMs));
  v1::DeleteKeysResponse response;
  grpc::Status status = stub_->DeleteKeys(&context, request, &response);
  if (!status.ok()) return Failed("DeleteKeys", status);
  return absl::OkStatus();
}

absl::StatusOr<int> PersistenceClient::SaveKeyStates(const std::vector<keypool::KeyInfo>& keys) {
  v1::SaveKeyStatesRequest request;
  for (const keypool::KeyInfo& key : keys) {
    v1::KeyRecord* record = request.add_keys();
    *record = keypool::ToRecord(key);
    record->clear_secret();  // Not changed by a state write: keep it off the wire.
  }
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::SaveKeyStatesResponse response;
  grpc::Status status = stub_->SaveKeyStates(&context, request, &response);
  if (!status.ok()) return Failed("SaveKeyStates", status);
  return response.updated();
}

absl::StatusOr<std::vector<PersistenceClient::UsageRow>> PersistenceClient::GetKeyUsage(
    const std::vector<int64_t>& key_ids, int64_t since_ms) {
  v1::GetKeyUsageRequest request;
  for (int64_t id : key_ids) request.add_key_ids(id);
  request.set_since_ms(since_ms);
  grpc::ClientContext context;
  // An aggregate over up to 30 days of the request log.
  rpc::SetDeadline(context, std::max(timeout_ms_, kBulkTimeoutMs));
  v1::GetKeyUsageResponse response;
  grpc::Status status = stub_->GetKeyUsage(&context, request, &response);
  if (!status.ok()) return Failed("GetKeyUsage", status);
  std::vector<UsageRow> rows;
  rows.reserve(response.rows_size());
  for (const v1::KeyUsageRow& row : response.rows()) {
    rows.push_back({row.key_id(), row.model(), row.calls(), row.failures()});
  }
  return rows;
}

absl::StatusOr<std::map<std::string, std::string>> PersistenceClient::GetSettings() {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::Settings response;
  grpc::Status status = stub_->GetSettings(&context, v1::GetSettingsRequest(), &response);
  if (!status.ok()) return Failed("GetSettings", status);
  return std::map<std::string, std::string>(response.values().begin(), response.values().end());
}

absl::StatusOr<std::vector<v1::ClientToken>> PersistenceClient::LoadClientTokens() {
  grpc::ClientContext context;
  rpc::SetDeadline(context, std::max(timeout_ms_, kBulkTimeoutMs));
  v1::LoadClientTokensResponse response;
  grpc::Status status = stub_->LoadClientTokens(&context, v1::LoadClientTokensRequest(), &response);
  if (!status.ok()) return Failed("LoadClientTokens", status);
  return std::vector<v1::ClientToken>(response.tokens().begin(), response.tokens().end());
}

absl::StatusOr<v1::ClientToken> PersistenceClient::PutClientToken(const v1::ClientToken& token) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::ClientToken response;
  grpc::Status status = stub_->PutClientToken(&context, token, &response);
  if (!status.ok()) return Failed("PutClientToken", status);
  return response;
}

absl::StatusOr<bool> PersistenceClient::DeleteClientToken(int64_t id) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, timeout_ms_);
  v1::DeleteClientTokenRequest request;
  request.set_id(id);
  v1::DeleteClientTokenResponse response;
  grpc::Status status = stub_->DeleteClientToken(&context, request, &response);
  if (!status.ok()) return Failed("DeleteClientToken", status);
  return response.deleted();
}

absl::StatusOr<v1::QueryRequestLogsResponse> PersistenceClient::QueryRequestLogs(const v1::LogQuery& query) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, std::max(timeout_ms_, kBulkTimeoutMs));
  v1::QueryRequestLogsResponse response;
  grpc::Status status = stub_->QueryRequestLogs(&context, query, &response);
  if (!status.ok()) return Failed("QueryRequestLogs", status);
  return response;
}

absl::StatusOr<v1::QueryErrorLogsResponse> PersistenceClient::QueryErrorLogs(const v1::LogQuery& query) {
  grpc::ClientContext context;
  rpc::SetDeadline(context, std::max(timeout_ms_, kBulkTimeoutMs));
  v1::QueryErrorLogsResponse response;
  grpc::Status status = stub_->QueryErrorLogs(&context, query, &response);
  if (!status.ok()) return Failed("QueryErrorLogs", status);
  return response;
}

absl::StatusOr<v1::UsageReport> PersistenceClient::QueryUsage(const v1::UsageQuery& query) {
  grpc::ClientContext context;
  // A few aggregates over up to 400 days of hourly rows.
  rpc::SetDeadline(context, std::max(timeout_ms_, kBulkTimeoutMs));
  v1::UsageReport response;
  grpc::Status status = stub_->QueryUsage(&context, query, &response);
  if (!status.ok()) return Failed("QueryUsage", status);
  return response;
}

}  // namespace gempool::keybroker
