#pragma once
// KeyAdmin's managed client token calls (CreateClientToken,
// ListClientTokens, UpdateClientToken, DeleteClientToken): validate, write
// through persistence first (so the database and the broker agree), then
// apply to the registry and tell the watch hub, so every gateway has the
// change within milliseconds. The secret is made here, returned once and
// never kept: persistence and the registry hold its SHA-256.
// Thread-safe (no lock here; persistence and the registry are).

#include "absl/status/statusor.h"
#include "client_token_registry.h"
#include "client_token_watch_hub.h"
#include "gempool/common/clock.h"
#include "gempool/v1/keybroker.pb.h"
#include "persistence_client.h"

namespace gempool::keybroker {

class ClientTokenAdmin {
 public:
  // All references must outlive this.
  ClientTokenAdmin(ClientTokenRegistry& registry, ClientTokenWatchHub& hub, PersistenceClient& persistence,
                   const Clock& clock);

  absl::StatusOr<v1::CreateClientTokenResponse> Create(const v1::CreateClientTokenRequest& request);
  v1::ListClientTokensResponse List() const;
  absl::StatusOr<v1::ClientToken> Update(const v1::UpdateClientTokenRequest& request);
  absl::StatusOr<v1::DeleteClientTokenResponse> Delete(const v1::DeleteClientTokenRequest& request);

 private:
  ClientTokenRegistry& registry_;
  ClientTokenWatchHub& hub_;
  PersistenceClient& persistence_;
  const Clock& clock_;
};

}  // namespace gempool::keybroker
