#include "admin/session_store.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"

namespace gempool::gateway::admin {
namespace {

constexpr size_t kIdBytes = 32;  // 256 bits.

// A well-formed cookie value: 43 base64url characters.
bool LooksLikeId(const std::string& id) {
  if (id.size() != 43) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

absl::Status NotLoggedIn() {
  return absl::UnauthenticatedError("not logged in, or the session expired: log in again with the admin token");
}

}  // namespace

SessionStore::SessionStore(SessionBackend& backend, const Clock& clock, Options options)
    : backend_(backend), clock_(clock), options_(options), lifetime_ms_(options.lifetime_ms) {}

std::string SessionStore::HashId(const std::string& id) { return Sha256Hex(id); }

std::string SessionStore::CsrfTokenFor(const std::string& id) { return Sha256Hex("gempool-admin-csrf\n" + id); }

absl::StatusOr<SessionStore::Session> SessionStore::Create() {
  unsigned char bytes[kIdBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("the system random number generator failed; cannot create a session");
  }
  std::string id;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)), &id);
  const int64_t now = clock_.NowUnixMs();
  v1::AdminSession record;
  record.set_id_hash(HashId(id));
  record.set_created_at_ms(now);
  record.set_expires_at_ms(now + lifetime_ms());
  if (absl::Status stored = backend_.CreateSession(record); !stored.ok()) return stored;
  {
    MutexLock lock(&mu_);
    if (cache_.size() < options_.max_cached) {
      cache_[record.id_hash()] = Cached{record.expires_at_ms(), clock_.MonotonicMs()};
    }
  }
  return Session{id, record.expires_at_ms(), CsrfTokenFor(id)};
}

absl::StatusOr<SessionStore::Session> SessionStore::Validate(const std::string& id) {
  if (!LooksLikeId(id)) return NotLoggedIn();
  const std::string hash = HashId(id);
  const int64_t now = clock_.NowUnixMs();
  const int64_t mono = clock_.MonotonicMs();
  {
    MutexLock lock(&mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end()) {
      if (it->second.expires_at_ms <= now) {
        cache_.erase(it);
        return NotLoggedIn();
      }
      if (mono - it->second.checked_ms < options_.cache_ttl_ms) {
        return Session{id, it->second.expires_at_ms, CsrfTokenFor(id)};
      }
    }
  }
  absl::StatusOr<v1::AdminSession> stored = backend_.GetSession(hash);
  MutexLock lock(&mu_);
  if (!stored.ok()) {
    cache_.erase(hash);
    if (stored.status().code() == absl::StatusCode::kNotFound) return NotLoggedIn();
    return stored.status();
  }
  if (stored->expires_at_ms() <= now) {
    cache_.erase(hash);
    return NotLoggedIn();
  }
  if (cache_.size() >= options_.max_cached) {
    // Drop what is stale rather than grow without bound.
    for (auto it = cache_.begin(); it != cache_.end();) {
      it = mono - it->second.checked_ms >= options_.cache_ttl_ms ? cache_.erase(it) : std::next(it);
    }
  }
  if (cache_.size() < options_.max_cached) cache_[hash] = Cached{stored->expires_at_ms(), mono};
  return Session{id, stored->expires_at_ms(), CsrfTokenFor(id)};
}

absl::Status SessionStore::Revoke(const std::string& id) {
  if (!LooksLikeId(id)) return absl::OkStatus();
  const std::string hash = HashId(id);
  {
    MutexLock lock(&mu_);
    cache_.erase(hash);
  }
  return backend_.DeleteSession(hash);
}

}  // namespace gempool::gateway::admin
