#pragma once
// KeyAdmin's managed client token calls (CreateClientToken,
// ListClientTokens, UpdateClientToken, DeleteClientToken): validate, write
// through persistence first (so the database and the broker agree), then
// apply to the registry and tell the watch hub, so every gateway has the
// change within milliseconds. The secret is made here, returned once and
// never kept: persistence and the registry hold its SHA-256.
// Thread-safe: Create, Update and Delete run one at a time (admin_mu_), so
// an Update racing a Delete cannot put the deleted token back in memory, and
// a check (name taken, token there) holds until the write. The lock is held
// across the persistence call, which is fine for calls this rare.

#include "absl/status/statusor.h"
#include "client_token_registry.h"
#include "client_token_watch_hub.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "gempool/v1/keybroker.pb.h"
#include "persistence_client.h"

namespace gempool::keybroker {

class ClientTokenAdmin {
 public:
  // All references must outlive this.
  ClientTokenAdmin(ClientTokenRegistry& registry, ClientTokenWatchHub& hub, PersistenceClient& persistence,
                   const Clock& clock);

  absl::StatusOr<v1::CreateClientTokenResponse> Create(const v1::CreateClientTokenRequest& request)
      ABSL_LOCKS_EXCLUDED(admin_mu_);
  v1::ListClientTokensResponse List() const;
  absl::StatusOr<v1::ClientToken> Update(const v1::UpdateClientTokenRequest& request)
      ABSL_LOCKS_EXCLUDED(admin_mu_);
  absl::StatusOr<v1::DeleteClientTokenResponse> Delete(const v1::DeleteClientTokenRequest& request)
      ABSL_LOCKS_EXCLUDED(admin_mu_);

 private:
  ClientTokenRegistry& registry_;
  ClientTokenWatchHub& hub_;
  PersistenceClient& persistence_;
  const Clock& clock_;
  // Serialises Create, Update and Delete (check, write through, apply). It
  // guards no member of this class: the references above are thread-safe
  // themselves; the lock only makes each check-then-write one step.
  Mutex admin_mu_;
};

}  // namespace gempool::keybroker
