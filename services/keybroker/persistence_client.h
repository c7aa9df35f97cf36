#pragma once
// The broker's side of the persistence service: the key RPCs (load, add,
// delete, save states), key usage from the request log and the settings
// saved in the admin UI, each with a deadline, errors turned into
// absl::Status naming the address and what to check. Large pools fit: big
// responses are accepted and big requests are sent in chunks.
// Thread-safe (gRPC stubs are).

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gempool/keypool/key_info.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::keybroker {

class PersistenceClient {
 public:
  // Keys stored by AddKeys, one per requested secret, in request order.
  struct StoredKeys {
    std::vector<keypool::KeyInfo> keys;
    // Whether this call inserted the key (false: it was already stored).
    std::vector<bool> inserted;
  };

  // Connects to `addr` (host:port); each call gets `timeout_ms` (bulk calls
  // more).
  PersistenceClient(std::string addr, int timeout_ms);

  // Every stored key with its state. Over a connection of its own, closed
  // after the call: gRPC keeps read buffers sized by the largest recent
  // message while a connection idles (2 MB after 100,000 keys).
  absl::StatusOr<std::vector<keypool::KeyInfo>> LoadKeys();
  // Stores keys not stored yet (matched by secret) in `pool`; a key stored
  // before keeps its pool (its KeyInfo::pool says which).
  absl::StatusOr<StoredKeys> AddKeys(const std::vector<std::string>& secrets,
                                     keypool::Pool pool = keypool::Pool::kGemini);
  // Deletes keys by id; unknown ids are ignored.
  absl::Status DeleteKeys(const std::vector<int64_t>& ids);
  // Writes the state of a batch of keys; returns the rows updated.
  absl::StatusOr<int> SaveKeyStates(const std::vector<keypool::KeyInfo>& keys);

  // Request log rows of one key and model (GetKeyUsage).
  struct UsageRow {
    int64_t key_id = 0;
    std::string model;
    int64_t calls = 0;
    // Calls answered with status 400 or above.
    int64_t failures = 0;
  };
  // Calls per key and model since `since_ms`, for `key_ids` (empty: all).
  absl::StatusOr<std::vector<UsageRow>> GetKeyUsage(const std::vector<int64_t>& key_ids, int64_t since_ms);

  // The settings table (name → value as text): the admin UI's saves.
  absl::StatusOr<std::map<std::string, std::string>> GetSettings();

  // Managed client tokens (LoadClientTokens, PutClientToken,
  // DeleteClientToken): every stored token; a token stored (id 0: inserted)
  // as persistence returns it; whether a token was deleted.
  absl::StatusOr<std::vector<v1::ClientToken>> LoadClientTokens();
  absl::StatusOr<v1::ClientToken> PutClientToken(const v1::ClientToken& token);
  absl::StatusOr<bool> DeleteClientToken(int64_t id);

  // A page of request or error log rows (the KeyAdmin relays for
  // gempoolctl logs); persistence's errors (e.g. INVALID_ARGUMENT) keep
  // their code.
  absl::StatusOr<v1::QueryRequestLogsResponse> QueryRequestLogs(const v1::LogQuery& query);
  absl::StatusOr<v1::QueryErrorLogsResponse> QueryErrorLogs(const v1::LogQuery& query);

  // Token usage from the hourly usage table (Persistence.QueryUsage);
  // INVALID_ARGUMENT keeps its code and message.
  absl::StatusOr<v1::UsageReport> QueryUsage(const v1::UsageQuery& query);

  const std::string& addr() const { return addr_; }

 private:
  absl::Status Failed(const char* rpc, const grpc::Status& status) const;

  const std::string addr_;
  const int timeout_ms_;
  std::unique_ptr<v1::Persistence::Stub> stub_;
};

}  // namespace gempool::keybroker
