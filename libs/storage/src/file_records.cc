#include "file_records.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/storage/store.h"
#include "sql_params.h"
#include "text.h"

namespace gempool::storage {
namespace {

constexpr char kFilePrefix[] = "files/";
constexpr size_t kFilePrefixLength = sizeof(kFilePrefix) - 1;

bool IsIdChar(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '-'; }

bool AllIdChars(absl::string_view text) {
  for (char c : text) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

absl::Status CheckOwner(absl::string_view owner, absl::string_view what) {
  bool ok = !owner.empty() && owner.size() <= static_cast<size_t>(kMaxFileOwnerBytes);
  for (size_t i = 0; ok && i < owner.size(); ++i) ok = owner[i] > ' ' && owner[i] <= '~';
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("the owner of ", what, " must be the client token's id: 1 to ",
                                                 kMaxFileOwnerBytes, " printable ASCII characters without spaces"));
}

absl::Status CheckTimes(int64_t created, int64_t expires, absl::string_view what) {
  if (created > 0 && expires > created) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " must expire after it is created (created ", created, ", expires ", expires, ")"));
}

// A page token is "<created_at_ms>.<file id>" of the last record of the
// previous page: the keyset to continue after.
struct PageKey {
  long long created = 0;
  std::string name;
};

std::optional<PageKey> ParsePageToken(absl::string_view token) {
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos) return std::nullopt;
  PageKey key;
  if (!absl::SimpleAtoi(token.substr(0, dot), &key.created) || key.created < 0) return std::nullopt;
  key.name = absl::StrCat(kFilePrefix, token.substr(dot + 1));
  if (!CheckFileName(key.name).ok()) return std::nullopt;
  return key;
}

v1::FileRecord RecordFrom(std::string name, long long key_id, std::string owner, long long created,
                          long long expires, std::string metadata) {
  v1::FileRecord r;
  r.set_name(std::move(name));
  r.set_key_id(key_id);
  r.set_owner(std::move(owner));
  r.set_created_at_ms(created);
  r.set_expires_at_ms(expires);
  r.set_metadata_json(std::move(metadata));
  return r;
}

constexpr char kRecordColumns[] = "name, key_id, owner, created_at_ms, expires_at_ms, metadata";

// Runs a SELECT of kRecordColumns built with `params`, appending each row.
void SelectRecords(soci::session& session, const std::string& sql_text, const SqlParams& params,
                   std::vector<v1::FileRecord>& out) {
  std::string name, owner, metadata;
  long long key_id = 0, created = 0, expires = 0;
  soci::statement st(session);
  st.exchange(soci::into(name));
  st.exchange(soci::into(key_id));
  st.exchange(soci::into(owner));
  st.exchange(soci::into(created));
  st.exchange(soci::into(expires));
  st.exchange(soci::into(metadata));
  params.Prepare(st, sql_text, session.get_backend_name() == "sqlite3");
  st.execute();
  while (st.fetch()) out.push_back(RecordFrom(name, key_id, owner, created, expires, metadata));
}

}  // namespace

absl::Status CheckUploadSessionId(absl::string_view id) {
  if (id.size() >= static_cast<size_t>(kMinUploadSessionIdBytes) &&
      id.size() <= static_cast<size_t>(kMaxUploadSessionIdBytes) && AllIdChars(id)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("an upload session id must be ", kMinUploadSessionIdBytes, " to ",
                                                 kMaxUploadSessionIdBytes,
                                                 " letters, digits, '_' or '-'"));
}

absl::Status CheckUploadSession(const v1::UploadSession& upload) {
  if (absl::Status s = CheckUploadSessionId(upload.id()); !s.ok()) return s;
  if (absl::Status s = CheckOwner(upload.owner(), "an upload session"); !s.ok()) return s;
  if (upload.key_id() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("upload session ", upload.id(), " has no key id (", upload.key_id(),
                                                   ")"));
  }
  const std::string& url = upload.upstream_url();
  if (!(absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://")) ||
      url.size() > static_cast<size_t>(kMaxUploadUrlBytes) || !IsValidUtf8(url)) {
    return absl::InvalidArgumentError(absl::StrCat("upload session ", upload.id(),
                                                   ": the upstream URL must be an http(s):// URL of at most ",
                                                   kMaxUploadUrlBytes, " bytes"));
  }
  return CheckTimes(upload.created_at_ms(), upload.expires_at_ms(), absl::StrCat("upload session ", upload.id()));
}

absl::Status CheckFileName(absl::string_view name) {
  if (absl::StartsWith(name, kFilePrefix) && name.size() > kFilePrefixLength &&
      name.size() <= static_cast<size_t>(kMaxFileNameBytes) && AllIdChars(name.substr(kFilePrefixLength))) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("a file name must be \"files/\" followed by letters, digits, '_' "
                                                 "or '-', at most ",
                                                 kMaxFileNameBytes, " characters in all"));
}

absl::Status CheckFileRecord(const v1::FileRecord& record) {
  if (absl::Status s = CheckFileName(record.name()); !s.ok()) return s;
  if (record.key_id() < 1) {
    return absl::InvalidArgumentError(absl::StrCat("file ", record.name(), " has no key id (", record.key_id(), ")"));
  }
  if (absl::Status s = CheckOwner(record.owner(), absl::StrCat("file ", record.name())); !s.ok()) return s;
  if (record.metadata_json().size() > static_cast<size_t>(kMaxFileMetadataBytes) ||
      !IsValidUtf8(record.metadata_json())) {
    return absl::InvalidArgumentError(absl::StrCat("the metadata of file ", record.name(),
                                                   " must be valid UTF-8 of at most ", kMaxFileMetadataBytes,
                                                   " bytes"));
  }
  return CheckTimes(record.created_at_ms(), record.expires_at_ms(), absl::StrCat("file ", record.name()));
}

absl::StatusOr<int> CheckListFileRecords(const v1::ListFileRecordsRequest& request) {
  const int size = request.page_size() == 0 ? kDefaultFileListPageSize : request.page_size();
  if (size < 1 || size > kMaxFileListPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be 1 to ", kMaxFileListPageSize, " (0 means ", kDefaultFileListPageSize, ")"));
  }
  if (!request.owner().empty()) {
    if (absl::Status s = CheckOwner(request.owner(), "listed files"); !s.ok()) return s;
  }
  if (!request.page_token().empty() && !ParsePageToken(request.page_token()).has_value()) {
    return absl::InvalidArgumentError("page_token is not one this service handed out");
  }
  return size;
}

void ReplaceUploadSession(soci::session& session, const v1::UploadSession& upload) {
  const std::string& id = upload.id();
  const std::string& owner = upload.owner();
  const std::string& url = upload.upstream_url();
  const long long key_id = upload.key_id();
  const long long created = upload.created_at_ms();
  const long long expires = upload.expires_at_ms();
  // REPLACE INTO is spelled the same in SQLite and MySQL.
  session << "REPLACE INTO gempool_upload_sessions (id, owner, key_id, upstream_url, created_at_ms, expires_at_ms)"
             " VALUES (:id, :owner, :key, :url, :created, :expires)",
      soci::use(id, "id"), soci::use(owner, "owner"), soci::use(key_id, "key"), soci::use(url, "url"),
      soci::use(created, "created"), soci::use(expires, "expires");
}

std::optional<v1::UploadSession> FindUploadSession(soci::session& session, const std::string& id, int64_t now_ms) {
  std::string owner, url;
  long long key_id = 0, created = 0, expires = 0;
  const long long now = now_ms;
  soci::statement st = (session.prepare << "SELECT owner, key_id, upstream_url, created_at_ms, expires_at_ms"
                                           " FROM gempool_upload_sessions WHERE id = :id AND expires_at_ms > :now",
                        soci::into(owner), soci::into(key_id), soci::into(url), soci::into(created),
                        soci::into(expires), soci::use(id, "id"), soci::use(now, "now"));
  st.execute(true);
  if (!st.got_data()) return std::nullopt;
  v1::UploadSession found;
  found.set_id(id);
  found.set_owner(std::move(owner));
  found.set_key_id(key_id);
  found.set_upstream_url(std::move(url));
  found.set_created_at_ms(created);
  found.set_expires_at_ms(expires);
  return found;
}

void ReplaceFileRecord(soci::session& session, const v1::FileRecord& record) {
  const std::string& name = record.name();
  const std::string& owner = record.owner();
  const std::string& metadata = record.metadata_json();
  const long long key_id = record.key_id();
  const long long created = record.created_at_ms();
  const long long expires = record.expires_at_ms();
  session << "REPLACE INTO gempool_file_records (name, key_id, owner, created_at_ms, expires_at_ms, metadata)"
             " VALUES (:name, :key, :owner, :created, :expires, :metadata)",
      soci::use(name, "name"), soci::use(key_id, "key"), soci::use(owner, "owner"), soci::use(created, "created"),
      soci::use(expires, "expires"), soci::use(metadata, "metadata");
}

std::vector<v1::FileRecord> FindFileRecords(soci::session& session, const std::vector<std::string>& names,
                                            int64_t now_ms) {
  std::vector<v1::FileRecord> out;
  if (names.empty()) return out;
  SqlParams params;
  std::vector<std::string> placeholders;
  placeholders.reserve(names.size());
  for (const std::string& name : names) placeholders.push_back(params.Add(name));
  const std::string sql_text =
      absl::StrCat("SELECT ", kRecordColumns, " FROM gempool_file_records WHERE name IN (",
                   absl::StrJoin(placeholders, ", "), ") AND expires_at_ms > ", params.Add(now_ms));
  SelectRecords(session, sql_text, params, out);
  return out;
}

v1::ListFileRecordsResponse ListFileRecordRows(soci::session& session, const v1::ListFileRecordsRequest& request,
                                               int page_size, int64_t now_ms) {
  SqlParams params;
  std::string where = absl::StrCat("expires_at_ms > ", params.Add(now_ms));
  if (!request.owner().empty()) absl::StrAppend(&where, " AND owner = ", params.Add(request.owner()));
  if (std::optional<PageKey> after = ParsePageToken(request.page_token()); after.has_value()) {
    const std::string created = params.Add(after->created);
    absl::StrAppend(&where, " AND (created_at_ms < ", created, " OR (created_at_ms = ", created,
                    " AND name < ", params.Add(after->name), "))");
  }
  // One row more than the page tells whether another page follows.
  const std::string sql_text = absl::StrCat("SELECT ", kRecordColumns, " FROM gempool_file_records WHERE ", where,
                                            " ORDER BY created_at_ms DESC, name DESC LIMIT ", page_size + 1);
  std::vector<v1::FileRecord> rows;
  SelectRecords(session, sql_text, params, rows);
  v1::ListFileRecordsResponse page;
  const bool more = rows.size() > static_cast<size_t>(page_size);
  if (more) rows.resize(page_size);
  for (v1::FileRecord& row : rows) *page.add_records() = std::move(row);
  if (more) {
    const v1::FileRecord& last = page.records(page.records_size() - 1);
    page.set_next_page_token(absl::StrCat(last.created_at_ms(), ".", last.name().substr(kFilePrefixLength)));
  }
  return page;
}

bool DeleteFileRecordRow(soci::session& session, const std::string& name) {
  soci::statement st =
      (session.prepare << "DELETE FROM gempool_file_records WHERE name = :name", soci::use(name, "name"));
  st.execute(true);
  return st.get_affected_rows() > 0;
}

long long PurgeExpiredFileRows(soci::session& session, Backend backend, int64_t now_ms, int limit) {
  // Neither dialect takes the other's bounded DELETE (see stored_responses.cc).
  const long long now = now_ms;
  long long removed = 0;
  for (const auto& [table, key] : {std::pair<const char*, const char*>{"gempool_upload_sessions", "id"},
                                   std::pair<const char*, const char*>{"gempool_file_records", "name"}}) {
    const std::string sql_text =
        backend == Backend::kSqlite
            ? absl::StrCat("DELETE FROM ", table, " WHERE ", key, " IN (SELECT ", key, " FROM ", table,
                           " WHERE expires_at_ms <= :now LIMIT ", limit, ")")
            : absl::StrCat("DELETE FROM ", table, " WHERE expires_at_ms <= :now LIMIT ", limit);
    soci::statement st = (session.prepare << sql_text, soci::use(now, "now"));
    st.execute(true);
    removed += st.get_affected_rows();
  }
  return removed;
}

}  // namespace gempool::storage
