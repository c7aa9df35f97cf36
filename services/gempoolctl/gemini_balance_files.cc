#include "gemini_balance_files.h"

#include <soci/soci.h>

#include "absl/strings/str_cat.h"
#include "gempool/common/secrets.h"
#include "gempool/rpc/channel.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace gempool::ctl {
namespace {

// Google deletes a file 48 hours after upload; a row without an expiry gets
// that from its creation.
constexpr int64_t kFileLifetimeMs = 48LL * 60 * 60 * 1000;

bool HasTable(soci::session& sql, bool sqlite) {
  int tables = 0;
  if (sqlite) {
    sql << "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 't_file_records'", soci::into(tables);
  } else {
    sql << "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
           "TABLE_NAME = 't_file_records'",
        soci::into(tables);
  }
  return tables > 0;
}

// A text column that may be NULL.
std::string Text(const soci::row& row, size_t i) {
  if (row.get_indicator(i) == soci::i_null) return "";
  return row.get<std::string>(i);
}

}  // namespace

std::optional<int64_t> ParseGeminiBalanceTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::string normalized = absl::StrReplaceAll(text, {{" ", "T"}});
  absl::Time t;
  std::string error;
  for (const char* format : {"%Y-%m-%dT%H:%M:%E*S", "%Y-%m-%dT%H:%M:%E*S%Ez", "%Y-%m-%dT%H:%M:%E*SZ"}) {
    if (!absl::ParseTime(format, normalized, absl::UTCTimeZone(), &t, &error)) continue;
    // Only calendar dates (years 1 to 9999) are times gemini-balance wrote:
    // absl also reads "infinite-future" and six-digit years, whose
    // milliseconds overflow the expiry arithmetic.
    constexpr int64_t kYear1Ms = -62135596800000;
    constexpr int64_t kYear10000Ms = 253402300800000;
    if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) return std::nullopt;
    const int64_t ms = absl::ToUnixMillis(t);
    if (ms < kYear1Ms || ms >= kYear10000Ms) return std::nullopt;
    return ms;
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<GeminiBalanceFileRow>> ReadGeminiBalanceFiles(const GeminiBalanceSource& source) {
  absl::StatusOr<std::unique_ptr<soci::session>> sql = OpenGeminiBalance(source);
  if (!sql.ok()) return sql.status();
  const bool sqlite = source.type == GeminiBalanceSource::Type::kSqlite;
  std::vector<GeminiBalanceFileRow> rows;
  try {
    if (!HasTable(**sql, sqlite)) return rows;
    // Every column as text: SQLite keeps DATETIME as text, MySQL converts.
    const char* text = sqlite ? "CAST(%s AS TEXT)" : "CAST(%s AS CHAR)";
    auto col = [text](const char* name) { return absl::StrReplaceAll(text, {{"%s", name}}); };
    const std::string query =
        absl::StrCat("SELECT name, ", col("display_name"), ", ", col("mime_type"), ", ", col("size_bytes"), ", ",
                     col("state"), ", ", col("uri"), ", ", col("api_key"), ", ", col("user_token"), ", ",
                     col("create_time"), ", ", col("expiration_time"), ", ", col("upload_completed"),
                     " FROM t_file_records");
    soci::rowset<soci::row> result = ((*sql)->prepare << query);
    for (const soci::row& r : result) {
      GeminiBalanceFileRow row;
      row.name = Text(r, 0);
      row.display_name = Text(r, 1);
      row.mime_type = Text(r, 2);
      row.size_bytes = std::atoll(Text(r, 3).c_str());
      row.state = Text(r, 4);
      row.uri = Text(r, 5);
      row.api_key = Text(r, 6);
      row.user_token = Text(r, 7);
      row.create_time = Text(r, 8);
      row.expiration_time = Text(r, 9);
      const std::string completed = Text(r, 10);
      row.upload_completed = completed == "1" || completed == "true" || completed == "True";
      rows.push_back(std::move(row));
    }
  } catch (const soci::soci_error& e) {
    return absl::InternalError(
        absl::StrCat("cannot read t_file_records from ", DescribeSource(source), ": ", e.get_error_message()));
  }
  return rows;
}

FileRecordsPlan PlanFileRecords(const std::vector<GeminiBalanceFileRow>& rows,
                                const std::map<std::string, int64_t>& key_ids, int64_t now_ms) {
  FileRecordsPlan plan;
  for (const GeminiBalanceFileRow& row : rows) {
    const std::optional<int64_t> created = ParseGeminiBalanceTime(row.create_time);
    std::optional<int64_t> expires = ParseGeminiBalanceTime(row.expiration_time);
    if (!expires.has_value() && created.has_value()) expires = *created + kFileLifetimeMs;
    if (!row.upload_completed || !expires.has_value() || *expires <= now_ms || row.name.rfind("files/", 0) != 0) {
      ++plan.skipped_expired_or_incomplete;
      continue;
    }
    auto key = key_ids.find(row.api_key);
    if (key == key_ids.end()) {
      plan.skipped_unknown_key.push_back(row.name);
      continue;
    }
    v1::FileRecord record;
    record.set_name(row.name);
    record.set_key_id(key->second);
    // gemini-balance's user_token is the client token itself; gempool keeps
    // only its id. Rows without one belong to no token ("" is refused):
    // the files stay usable (affinity) but invisible under isolation.
    record.set_owner(TokenId(row.user_token.empty() ? "gemini-balance" : row.user_token));
    record.set_created_at_ms(created.has_value() && *created < *expires ? *created : now_ms);
    if (record.created_at_ms() >= *expires) record.set_created_at_ms(*expires - 1);
    record.set_expires_at_ms(*expires);
    nlohmann::json metadata = {{"name", row.name}};
    if (!row.display_name.empty()) metadata["displayName"] = row.display_name;
    if (!row.mime_type.empty()) metadata["mimeType"] = row.mime_type;
    if (row.size_bytes > 0) metadata["sizeBytes"] = std::to_string(row.size_bytes);
    if (!row.state.empty()) metadata["state"] = row.state;
    if (!row.uri.empty()) metadata["uri"] = row.uri;
    const absl::Time expiry = absl::FromUnixMillis(*expires);
    metadata["expirationTime"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", expiry, absl::UTCTimeZone());
    record.set_metadata_json(metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    plan.records.push_back(std::move(record));
  }
  return plan;
}

absl::StatusOr<FilesImportOutcome> ImportGeminiBalanceFiles(const GeminiBalanceSource& source,
                                                            v1::Persistence::StubInterface& persistence,
                                                            const std::string& persistence_addr, int timeout_ms,
                                                            bool dry_run, const std::vector<std::string>& planned_keys,
                                                            int64_t now_ms) {
  absl::StatusOr<std::vector<GeminiBalanceFileRow>> rows = ReadGeminiBalanceFiles(source);
  if (!rows.ok()) return rows.status();
  FilesImportOutcome outcome;
  outcome.found = static_cast<int>(rows->size());
  if (rows->empty()) return outcome;
  auto failed = [&persistence_addr](const grpc::Status& status, const char* call) {
    return absl::UnavailableError(absl::StrCat(call, " at persistence (", persistence_addr,
                                               ") failed: ", status.error_message(),
                                               " (is gempool-persistence running? set PERSISTENCE_ADDR)"));
  };
  std::map<std::string, int64_t> key_ids;
  {
    grpc::ClientContext context;
    rpc::SetDeadline(context, timeout_ms);
    v1::LoadKeysResponse keys;
    const grpc::Status status = persistence.LoadKeys(&context, v1::LoadKeysRequest(), &keys);
    if (!status.ok()) return failed(status, "LoadKeys");
    for (const v1::KeyRecord& key : keys.keys()) key_ids[key.secret()] = key.id();
  }
  if (dry_run) {
    for (const std::string& key : planned_keys) key_ids.emplace(key, 1);  // Would be added.
  }
  const FileRecordsPlan plan = PlanFileRecords(*rows, key_ids, now_ms);
  outcome.skipped_unknown_key = plan.skipped_unknown_key;
  outcome.skipped_expired_or_incomplete = plan.skipped_expired_or_incomplete;
  for (const v1::FileRecord& record : plan.records) {
    if (!dry_run) {
      grpc::ClientContext context;
      rpc::SetDeadline(context, timeout_ms);
      v1::PutFileRecordResponse reply;
      const grpc::Status status = persistence.PutFileRecord(&context, record, &reply);
      if (!status.ok()) return failed(status, "PutFileRecord");
    }
    ++outcome.imported;
  }
  return outcome;
}

}  // namespace gempool::ctl
