#pragma once
// Server-side sessions of the admin web UI. A login gets a random 256-bit
// session id (from OpenSSL's RAND_bytes) that only the browser keeps, in an
// HttpOnly cookie; the shared store (persistence, so every gateway knows every
// session) keeps only its SHA-256. Sessions expire after a fixed lifetime and
// are revoked by logout. Each gateway caches sessions it has seen for a few
// seconds so a page's API calls do not each cost a round trip; a logout on
// another gateway therefore takes effect here within `cache_ttl_ms`.
//
// The CSRF token of a session is derived from its id (SHA-256 of a fixed
// label and the id), so it needs no storage and cannot be computed without
// the cookie. Thread-safe.

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gempool/common/clock.h"
#include "gempool/common/mutex.h"
#include "gempool/v1/persistence.pb.h"

namespace gempool::gateway::admin {

// Where sessions are stored; the persistence service in production.
class SessionBackend {
 public:
  virtual ~SessionBackend() = default;
  virtual absl::Status CreateSession(const v1::AdminSession& session) = 0;
  // kNotFound when unknown, revoked or expired.
  virtual absl::StatusOr<v1::AdminSession> GetSession(const std::string& id_hash) = 0;
  virtual absl::Status DeleteSession(const std::string& id_hash) = 0;
};

class SessionStore {
 public:
  struct Options {
    int64_t lifetime_ms = 3600 * 1000;  // ADMIN_SESSION_EXPIRE.
    int64_t cache_ttl_ms = 5000;
    size_t max_cached = 10000;
  };

  struct Session {
    // The id as the cookie carries it (43 base64url characters).
    std::string id;
    int64_t expires_at_ms = 0;
    // To echo in the X-CSRF-Token header of state-changing requests.
    std::string csrf_token;
  };

  // `backend` and `clock` must outlive the store.
  SessionStore(SessionBackend& backend, const Clock& clock, Options options);

  // Creates and stores a new session.
  absl::StatusOr<Session> Create() ABSL_LOCKS_EXCLUDED(mu_);
  // The session with cookie value `id`; kUnauthenticated when it is
  // malformed, unknown, revoked or expired; other codes when the backend
  // cannot answer.
  absl::StatusOr<Session> Validate(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);
  // Revokes the session (here and in the backend).
  absl::Status Revoke(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);

  // ADMIN_SESSION_EXPIRE in force: sessions created from now on get it
  // (those already open keep the expiry they were given).
  int64_t lifetime_ms() const { return lifetime_ms_.load(); }
  void set_lifetime_ms(int64_t lifetime_ms) { lifetime_ms_.store(lifetime_ms); }

  // SHA-256 of `id`, lowercase hex (what the backend stores).
  static std::string HashId(const std::string& id);
  // The CSRF token of session `id`.
  static std::string CsrfTokenFor(const std::string& id);

 private:
  struct Cached {
    int64_t expires_at_ms = 0;  // Unix ms.
    int64_t checked_ms = 0;     // Monotonic ms of the last backend check.
  };

  SessionBackend& backend_;
  const Clock& clock_;
  const Options options_;
  std::atomic<int64_t> lifetime_ms_;
  // Held only around the cache, never across a backend call.
  Mutex mu_;
  std::map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);  // By id hash.
};

}  // namespace gempool::gateway::admin
