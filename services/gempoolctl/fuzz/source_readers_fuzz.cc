#include "fuzz/source_readers_fuzz.h"

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gemini_balance_files.h"
#include "gemini_balance_source.h"
#include "nlohmann/json.hpp"

namespace gempool::ctl {
namespace {

void Require(bool holds) {
  if (!holds) abort();
}

constexpr int64_t kNowMs = 1796558400000;  // 2026-12-06 12:00 UTC
constexpr char kKnownKey[] = "AIzaSyKnownPoolKey0000000000000000000";

std::string Escaped(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const unsigned char b = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

// The password as the DSN grammar places it: after "://", up to the last '@'
// before any '?', after the first ':'.
absl::string_view DsnPassword(absl::string_view dsn) {
  const size_t start = dsn.find("://");
  if (start == absl::string_view::npos) return "";
  absl::string_view rest = dsn.substr(start + 3);
  rest = rest.substr(0, rest.find('?'));
  const size_t at = rest.rfind('@');
  if (at == absl::string_view::npos) return "";
  const absl::string_view credentials = rest.substr(0, at);
  const size_t colon = credentials.find(':');
  return colon == absl::string_view::npos ? "" : credentials.substr(colon + 1);
}

void CheckDsn(absl::string_view dsn) {
  const absl::StatusOr<MysqlSettings> parsed = ParseMysqlDsn(dsn);
  if (!parsed.ok()) {
    Require(absl::IsInvalidArgument(parsed.status()) && !parsed.status().message().empty());
    // The password's text may also be a word of the message ("PASSWORD" in
    // its usage line): a canary in its place, letters found nowhere in the
    // DSN, must not show.
    const absl::string_view password = DsnPassword(dsn);
    if (!password.empty()) {
      std::string canary = "QzxCanary";
      while (absl::StrContains(dsn, canary)) canary += 'Q';
      const size_t at = password.data() - dsn.data();
      const std::string marked = absl::StrCat(dsn.substr(0, at), canary, dsn.substr(at + password.size()));
      Require(!absl::StrContains(ParseMysqlDsn(marked).status().message(), canary));
    }
    return;
  }
  const MysqlSettings& m = *parsed;
  Require(!m.user.empty() && !m.database.empty() && m.port >= 1 && m.port <= 65535);
  Require(!m.host.empty() || !m.socket.empty());
  // The host is taken as written; it cannot hold the DSN's separators.
  Require(m.host.find_first_of("/?@") == std::string::npos);
  std::string again = absl::StrCat("mysql://", Escaped(m.user), ":", Escaped(m.password), "@", m.host, ":", m.port,
                                   "/", Escaped(m.database));
  if (!m.socket.empty()) absl::StrAppend(&again, "?unix_socket=", Escaped(m.socket));
  const absl::StatusOr<MysqlSettings> reparsed = ParseMysqlDsn(again);
  Require(reparsed.ok());
  Require(reparsed->user == m.user && reparsed->password == m.password && reparsed->host == m.host &&
          reparsed->port == m.port && reparsed->database == m.database && reparsed->socket == m.socket);
}

void CheckTime(const std::string& text) {
  const std::optional<int64_t> ms = ParseGeminiBalanceTime(text);
  if (!ms.has_value()) return;
  const absl::Time t = absl::FromUnixMillis(*ms);
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  if (civil.year() < 1000 || civil.year() > 9999) return;
  const std::string written = absl::FormatTime("%Y-%m-%d %H:%M:%E3S", t, absl::UTCTimeZone());
  Require(ParseGeminiBalanceTime(written) == ms);
}

void CheckFiles(const std::vector<GeminiBalanceFileRow>& rows) {
  const std::map<std::string, int64_t> key_ids = {{kKnownKey, 7}};
  const FileRecordsPlan plan = PlanFileRecords(rows, key_ids, kNowMs);
  Require(plan.records.size() + plan.skipped_unknown_key.size() +
              static_cast<size_t>(plan.skipped_expired_or_incomplete) ==
          rows.size());
  for (const v1::FileRecord& record : plan.records) {
    Require(absl::StartsWith(record.name(), "files/"));
    Require(record.key_id() == 7);
    Require(record.created_at_ms() < record.expires_at_ms() && record.expires_at_ms() > kNowMs);
    Require(!record.owner().empty() && record.owner() != kKnownKey);
    const nlohmann::json metadata = nlohmann::json::parse(record.metadata_json(), nullptr, false);
    Require(metadata.is_object() && metadata.contains("name") && metadata.contains("expirationTime"));
  }
}

GeminiBalanceFileRow Row(absl::string_view line) {
  std::vector<std::string> f = absl::StrSplit(line, '\t');
  f.resize(11);
  GeminiBalanceFileRow row;
  row.name = f[0];
  row.display_name = f[1];
  row.mime_type = f[2];
  (void)absl::SimpleAtoi(f[3], &row.size_bytes);
  row.state = f[4];
  row.uri = f[5];
  row.api_key = f[6] == "known" ? kKnownKey : f[6];
  row.user_token = f[7];
  row.create_time = f[8];
  row.expiration_time = f[9];
  row.upload_completed = f[10] == "1" || f[10] == "true";
  return row;
}

}  // namespace

void FuzzSourceReaders(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(input, '\n');
  CheckDsn(lines[0]);
  CheckTime(std::string(lines[0]));
  std::vector<GeminiBalanceFileRow> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (!lines[i].empty()) rows.push_back(Row(lines[i]));
  }
  CheckFiles(rows);
}

}  // namespace gempool::ctl
