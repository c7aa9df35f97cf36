#include "stored_responses.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/storage/store.h"
#include "text.h"

namespace gempool::storage {
namespace {

constexpr char kIdPrefix[] = "resp_";
// The model column's size (schema.cc); the model is informational, so a
// longer one is cut rather than refused.
constexpr size_t kMaxStoredModelBytes = 128;

// SQLite's upsert only updates when the WHERE holds, so a row of another owner
// is left alone and the statement reports 0 changed rows.
constexpr char kSqliteUpsert[] =
    "INSERT INTO gempool_stored_responses (id, owner, created_at_ms, expires_at_ms, model, body)"
    " VALUES (:id, :owner, :created, :expires, :model, :body)"
    " ON CONFLICT(id) DO UPDATE SET created_at_ms = excluded.created_at_ms,"
    " expires_at_ms = excluded.expires_at_ms, model = excluded.model, body = excluded.body"
    " WHERE gempool_stored_responses.owner = excluded.owner";

// MySQL has no conditional upsert: each column keeps its value unless the
// owner matches. VALUES() still works on MySQL 8 (deprecated there, with a
// warning) and is the only spelling MariaDB knows. The body is sent once.
// Whether the row was ours is read back afterwards (UpsertStoredResponse).
constexpr char kMysqlUpsert[] =
    "INSERT INTO gempool_stored_responses (id, owner, created_at_ms, expires_at_ms, model, body)"
    " VALUES (:id, :owner, :created, :expires, :model, :body)"
    " ON DUPLICATE KEY UPDATE"
    " created_at_ms = IF(owner = VALUES(owner), VALUES(created_at_ms), created_at_ms),"
    " expires_at_ms = IF(owner = VALUES(owner), VALUES(expires_at_ms), expires_at_ms),"
    " model = IF(owner = VALUES(owner), VALUES(model), model),"
    " body = IF(owner = VALUES(owner), VALUES(body), body)";

}  // namespace

absl::Status CheckStoredResponseId(absl::string_view id) {
  bool ok = absl::StartsWith(id, kIdPrefix) && id.size() > sizeof(kIdPrefix) - 1 &&
            id.size() <= static_cast<size_t>(kMaxStoredResponseIdBytes);
  for (size_t i = 0; ok && i < id.size(); ++i) {
    ok = absl::ascii_isalnum(id[i]) || id[i] == '_' || id[i] == '-';
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("a stored response id must be \"resp_\" followed by letters, digits, "
                                                 "'_' or '-', at most ",
                                                 kMaxStoredResponseIdBytes, " characters in all"));
}

absl::Status CheckStoredResponseOwner(absl::string_view owner) {
  bool ok = !owner.empty() && owner.size() <= static_cast<size_t>(kMaxStoredResponseOwnerBytes);
  for (size_t i = 0; ok && i < owner.size(); ++i) ok = owner[i] > ' ' && owner[i] <= '~';
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("a stored response owner must be the client token's id: 1 to ",
                                                 kMaxStoredResponseOwnerBytes,
                                                 " printable ASCII characters without spaces"));
}

absl::Status CheckStoredResponse(const v1::StoredResponse& response) {
  if (absl::Status s = CheckStoredResponseId(response.id()); !s.ok()) return s;
  if (absl::Status s = CheckStoredResponseOwner(response.owner()); !s.ok()) return s;
  if (response.created_at_ms() <= 0 || response.expires_at_ms() <= response.created_at_ms()) {
    return absl::InvalidArgumentError(absl::StrCat("a stored response must expire after it is created (created ",
                                                   response.created_at_ms(), ", expires ", response.expires_at_ms(),
                                                   ")"));
  }
  if (static_cast<int64_t>(response.body().size()) > kMaxStoredResponseBodyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("stored response ", response.id(), " is ", response.body().size(),
                                                   " bytes; persistence stores at most ", kMaxStoredResponseBodyBytes,
                                                   " (64 MiB). Lower RESPONSES_STORE_MAX_KB"));
  }
  return absl::OkStatus();
}

bool UpsertStoredResponse(soci::session& session, Backend backend, const v1::StoredResponse& response) {
  const std::string& id = response.id();
  const std::string& owner = response.owner();
  const long long created = response.created_at_ms();
  const long long expires = response.expires_at_ms();
  const std::string model = ValidUtf8Prefix(response.model(), kMaxStoredModelBytes);
  const std::string& body = response.body();
  soci::statement upsert =
      (session.prepare << (backend == Backend::kSqlite ? kSqliteUpsert : kMysqlUpsert), soci::use(id, "id"),
       soci::use(owner, "owner"), soci::use(created, "created"), soci::use(expires, "expires"),
       soci::use(model, "model"), soci::use(body, "body"));
  upsert.execute(true);
  if (backend == Backend::kSqlite) return upsert.get_affected_rows() > 0;
  // MySQL's row count cannot tell: SOCI's connections report found rows
  // (CLIENT_FOUND_ROWS), so a row kept as it was counts 1, like an insert,
  // and without that flag an unchanged re-put would count 0, like a refusal.
  // The row's owner tells: it is ours unless another owner held the id.
  // (Gone again means our owner deleted it meanwhile, or it expired and was
  // purged: it was stored.)
  std::string stored_owner;
  soci::indicator ind = soci::i_null;
  session << "SELECT owner FROM gempool_stored_responses WHERE id = :id", soci::into(stored_owner, ind),
      soci::use(id, "id");
  return !session.got_data() || ind != soci::i_ok || stored_owner == owner;
}

std::optional<v1::StoredResponse> FindStoredResponse(soci::session& session, const std::string& id,
                                                     const std::string& owner, int64_t now_ms) {
  const long long now = now_ms;
  long long created = 0, expires = 0;
  std::string model, body;
  soci::statement st =
      (session.prepare << "SELECT created_at_ms, expires_at_ms, model, body FROM gempool_stored_responses"
                          " WHERE id = :id AND owner = :owner AND expires_at_ms > :now",
       soci::into(created), soci::into(expires), soci::into(model), soci::into(body), soci::use(id, "id"),
       soci::use(owner, "owner"), soci::use(now, "now"));
  st.execute(true);
  if (!st.got_data()) return std::nullopt;
  v1::StoredResponse found;
  found.set_id(id);
  found.set_owner(owner);
  found.set_created_at_ms(created);
  found.set_expires_at_ms(expires);
  found.set_model(std::move(model));
  found.set_body(std::move(body));
  return found;
}

bool DeleteStoredResponseRow(soci::session& session, const std::string& id, const std::string& owner,
                             int64_t now_ms) {
  const long long now = now_ms;
  soci::statement st = (session.prepare << "DELETE FROM gempool_stored_responses"
                                           " WHERE id = :id AND owner = :owner AND expires_at_ms > :now",
                        soci::use(id, "id"), soci::use(owner, "owner"), soci::use(now, "now"));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

long long PurgeExpiredStoredResponses(soci::session& session, Backend backend, int64_t now_ms) {
  // Neither dialect takes the other's bounded DELETE: SQLite has no
  // DELETE ... LIMIT (unless built with it), MySQL no LIMIT in an IN subquery.
  const long long now = now_ms;
  const std::string sql_text =
      backend == Backend::kSqlite
          ? absl::StrCat("DELETE FROM gempool_stored_responses WHERE id IN (SELECT id FROM gempool_stored_responses"
                         " WHERE expires_at_ms <= :now LIMIT ",
                         kStoredResponsePurgeBatch, ")")
          : absl::StrCat("DELETE FROM gempool_stored_responses WHERE expires_at_ms <= :now LIMIT ",
                         kStoredResponsePurgeBatch);
  soci::statement st = (session.prepare << sql_text, soci::use(now, "now"));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace gempool::storage
