#include "client_tokens.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gempool/clienttokens/token_validation.h"

namespace gempool::storage {
namespace {

constexpr char kColumns[] =
    "id, name, token_id, secret_sha256, secret_prefix, created_at_ms, updated_at_ms, expires_at_ms, disabled, "
    "requests_per_minute, tokens_per_day, allowed_models";

bool IsLowerHex(const std::string& text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// One row's columns, bound once to a statement.
struct Row {
  long long id = 0;
  std::string name, token_id, secret_sha256, secret_prefix;
  long long created = 0, updated = 0, expires = 0;
  int disabled = 0;
  long long rpm = 0, per_day = 0;
  std::string models;

  void Into(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(name));
    st.exchange(soci::into(token_id));
    st.exchange(soci::into(secret_sha256));
    st.exchange(soci::into(secret_prefix));
    st.exchange(soci::into(created));
    st.exchange(soci::into(updated));
    st.exchange(soci::into(expires));
    st.exchange(soci::into(disabled));
    st.exchange(soci::into(rpm));
    st.exchange(soci::into(per_day));
    st.exchange(soci::into(models));
  }

  v1::ClientToken ToRecord() const {
    v1::ClientToken token;
    token.set_id(id);
    token.set_name(name);
    token.set_token_id(token_id);
    token.set_secret_sha256(secret_sha256);
    token.set_secret_prefix(secret_prefix);
    token.set_created_at_ms(created);
    token.set_updated_at_ms(updated);
    token.set_expires_at_ms(expires);
    token.set_disabled(disabled != 0);
    // No limits message when there are none (as the broker sent it).
    if (rpm != 0 || per_day != 0 || !models.empty()) {
      token.mutable_limits()->set_requests_per_minute(static_cast<int32_t>(rpm));
      token.mutable_limits()->set_tokens_per_day(per_day);
      for (absl::string_view model : absl::StrSplit(models, '\n', absl::SkipEmpty())) {
        token.mutable_limits()->add_allowed_models(std::string(model));
      }
    }
    return token;
  }
};

// The id of another token with this name or secret hash (0: none), and
// which clashed.
std::pair<long long, const char*> FindClash(soci::session& session, const v1::ClientToken& token) {
  long long other = 0;
  soci::indicator ind = soci::i_null;
  const long long id = token.id();
  const std::string name = token.name();
  session << "SELECT id FROM gempool_client_tokens WHERE name = :name AND id <> :id", soci::into(other, ind),
      soci::use(name, "name"), soci::use(id, "id");
  if (ind == soci::i_ok && other > 0) return {other, "name"};
  const std::string hash = token.secret_sha256();
  ind = soci::i_null;
  session << "SELECT id FROM gempool_client_tokens WHERE secret_sha256 = :hash AND id <> :id",
      soci::into(other, ind), soci::use(hash, "hash"), soci::use(id, "id");
  if (ind == soci::i_ok && other > 0) return {other, "secret"};
  return {0, nullptr};
}

}  // namespace

absl::Status CheckClientToken(const v1::ClientToken& token) {
  if (token.id() < 0) return absl::InvalidArgumentError(absl::StrCat("a client token id is > 0; got ", token.id()));
  if (absl::Status name = clienttokens::ValidateName(token.name()); !name.ok()) return name;
  if (token.secret_sha256().size() != 64 || !IsLowerHex(token.secret_sha256())) {
    return absl::InvalidArgumentError("a client token's secret_sha256 must be 64 lowercase hex digits");
  }
  if (token.token_id().empty() || token.token_id().size() > 64) {
    return absl::InvalidArgumentError("a client token needs a token_id of 1 to 64 characters");
  }
  if (token.secret_prefix().size() > 16) {
    return absl::InvalidArgumentError("a client token's secret_prefix has at most 16 characters");
  }
  if (token.expires_at_ms() < 0) return absl::InvalidArgumentError("a client token's expires_at_ms must be >= 0");
  return clienttokens::ValidateLimits(token.limits());
}

std::vector<v1::ClientToken> LoadClientTokenRows(soci::session& session) {
  std::vector<v1::ClientToken> tokens;
  Row row;
  soci::statement st(session);
  row.Into(st);
  st.alloc();
  st.prepare(absl::StrCat("SELECT ", kColumns, " FROM gempool_client_tokens ORDER BY id"));
  st.define_and_bind();
  st.execute();
  while (st.fetch()) tokens.push_back(row.ToRecord());
  return tokens;
}

absl::StatusOr<v1::ClientToken> PutClientTokenRow(soci::session& session, v1::ClientToken token, int64_t now_ms) {
  if (token.created_at_ms() <= 0) token.set_created_at_ms(now_ms);
  if (token.updated_at_ms() <= 0) token.set_updated_at_ms(now_ms);
  if (token.id() > 0) {
    long long found = 0;
    soci::indicator ind = soci::i_null;
    const long long id = token.id();
    session << "SELECT id FROM gempool_client_tokens WHERE id = :id", soci::into(found, ind), soci::use(id, "id");
    if (ind != soci::i_ok) return absl::NotFoundError(absl::StrCat("no client token with id ", id));
  }
  if (auto [other, what] = FindClash(session, token); other > 0) {
    return absl::AlreadyExistsError(
        std::string(what) == "name"
            ? absl::StrCat("a client token named '", token.name(), "' already exists (id ", other,
                           "); choose another name")
            : absl::StrCat("another client token (id ", other, ") has the same secret"));
  }
  const std::string name = token.name(), token_id = token.token_id(), hash = token.secret_sha256(),
                    prefix = token.secret_prefix(),
                    models = absl::StrJoin(token.limits().allowed_models(), "\n");
  const long long created = token.created_at_ms(), updated = token.updated_at_ms(), expires = token.expires_at_ms(),
                  rpm = token.limits().requests_per_minute(), per_day = token.limits().tokens_per_day();
  const int disabled = token.disabled() ? 1 : 0;
  if (token.id() == 0) {
    session << "INSERT INTO gempool_client_tokens (name, token_id, secret_sha256, secret_prefix, created_at_ms, "
               "updated_at_ms, expires_at_ms, disabled, requests_per_minute, tokens_per_day, allowed_models) "
               "VALUES (:name, :token_id, :hash, :prefix, :created, :updated, :expires, :disabled, :rpm, :per_day, "
               ":models)",
        soci::use(name, "name"), soci::use(token_id, "token_id"), soci::use(hash, "hash"),
        soci::use(prefix, "prefix"), soci::use(created, "created"), soci::use(updated, "updated"),
        soci::use(expires, "expires"), soci::use(disabled, "disabled"), soci::use(rpm, "rpm"),
        soci::use(per_day, "per_day"), soci::use(models, "models");
    long long id = 0;
    if (!session.get_last_insert_id("gempool_client_tokens", id) || id <= 0) {
      throw soci::soci_error("the database did not report the id of the inserted client token");
    }
    token.set_id(id);
    return token;
  }
  const long long id = token.id();
  soci::statement update =
      (session.prepare << "UPDATE gempool_client_tokens SET name = :name, token_id = :token_id, "
                          "secret_sha256 = :hash, secret_prefix = :prefix, created_at_ms = :created, "
                          "updated_at_ms = :updated, expires_at_ms = :expires, disabled = :disabled, "
                          "requests_per_minute = :rpm, tokens_per_day = :per_day, allowed_models = :models "
                          "WHERE id = :id",
       soci::use(name, "name"), soci::use(token_id, "token_id"), soci::use(hash, "hash"),
       soci::use(prefix, "prefix"), soci::use(created, "created"), soci::use(updated, "updated"),
       soci::use(expires, "expires"), soci::use(disabled, "disabled"), soci::use(rpm, "rpm"),
       soci::use(per_day, "per_day"), soci::use(models, "models"), soci::use(id, "id"));
  // (MySQL reports 0 rows for a row written with its own values: the look-up
  // above says whether it exists.)
  update.execute(true);
  return token;
}

bool DeleteClientTokenRow(soci::session& session, int64_t id) {
  const long long target = id;
  soci::statement st = (session.prepare << "DELETE FROM gempool_client_tokens WHERE id = :id", soci::use(target, "id"));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

}  // namespace gempool::storage
