#include "logs_command.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/common/clock.h"
#include "gempool/keypool/admin_json.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "shown_time_zone.h"
#include "admin_client.h"
#include "text_table.h"

namespace gempool::ctl {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kDefaultLimit = 50;
// Error messages are shown whole in JSON; in the table, their first line cut here.
constexpr size_t kShownMessage = 100;

std::string ShortMessage(const std::string& message) {
  std::string line = message.substr(0, message.find('\n'));
  if (line.size() > kShownMessage) line = absl::StrCat(line.substr(0, kShownMessage), "...");
  return line;
}

std::string Or(const std::string& text) { return text.empty() ? "-" : text; }

// One error row whole (logs --errors --id): its fields one per line, then
// its message and its request body in full, each under its own heading so a
// multi-line body reads as it was sent.
void PrintWholeErrorRow(std::ostream& out, const v1::ErrorLogEntry& e, const ShownTimeZone& zone) {
  PrintTable(out, {{"id", absl::StrCat(e.id())},
                   {"time", FormatShownTime(e.time_ms(), zone)},
                   {"request id", Or(e.request_id())},
                   {"status", absl::StrCat(e.status_code())},
                   {"key", e.key_id() != 0 ? absl::StrCat("#", e.key_id()) : "-"},
                   {"model", Or(e.model())},
                   {"operation", Or(e.operation())},
                   {"error type", Or(e.error_type())}});
  out << "\nmessage:\n" << e.message() << "\n";
  if (e.request_body().empty()) {
    out << "\nrequest body: not recorded (ERROR_LOG_RECORD_REQUEST_BODY was off)\n";
  } else {
    // 0 from a persistence older than request_body_bytes: the body is whole.
    const int64_t bytes = std::max(e.request_body_bytes(), static_cast<int64_t>(e.request_body().size()));
    out << "\nrequest body (" << bytes << " bytes):\n" << e.request_body() << "\n";
  }
  out << "\ntimes in " << zone.name << " (TIMEZONE)\n";
}

}  // namespace

int RunLogs(const Invocation& inv, const Targets& targets, std::ostream& out, std::ostream& err) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::LogQuery query;
  if (inv.log_row_id != 0) {
    // One row by its id: the server applies no other filter.
    query.set_id(inv.log_row_id);
  } else {
    query.set_request_id(inv.request_id);
    if (inv.since_seconds > 0) query.set_since_ms(SystemClock::Get().NowUnixMs() - inv.since_seconds * 1000);
    query.set_limit(inv.limit > 0 ? inv.limit : kDefaultLimit);
    query.set_offset(inv.offset);
  }

  Json entries = Json::array();
  std::vector<std::vector<std::string>> rows;
  int64_t total = 0;
  int shown = 0;
  const ShownTimeZone zone =
      inv.json ? ShownTimeZone{"UTC", absl::UTCTimeZone()} : ResolveShownTimeZone(targets.persistence_addr, 2000);
  if (inv.logs_errors) {
    v1::QueryErrorLogsResponse page;
    grpc::Status status = admin.stub().QueryErrorLogs(admin.Context().get(), query, &page);
    if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, out, err);
    total = page.total();
    shown = page.entries_size();
    if (inv.log_row_id != 0) {
      // Matched by id here too: a persistence older than LogQuery.id ignores
      // it and answers a page.
      const v1::ErrorLogEntry* row = nullptr;
      for (const v1::ErrorLogEntry& e : page.entries()) {
        if (e.id() == inv.log_row_id) row = &e;
      }
      if (row == nullptr) {
        return Fail(inv, grpc::StatusCode::NOT_FOUND,
                    absl::StrCat("error log row ", inv.log_row_id,
                                 " not found (or persistence is older than this gempoolctl and cannot read one row)"),
                    out, err);
      }
      if (inv.json) {
        Json one = Json::array();
        one.push_back(keypool::ErrorLogEntryJson(*row));
        out << Json{{"total", 1}, {"offset", 0}, {"entries", one}}.dump(2) << "\n";
        return kExitOk;
      }
      PrintWholeErrorRow(out, *row, zone);
      return kExitOk;
    }
    rows.push_back({"TIME", "REQUEST ID", "STATUS", "KEY", "MODEL", "OPERATION", "ERROR TYPE", "MESSAGE"});
    for (const v1::ErrorLogEntry& e : page.entries()) {
      entries.push_back(keypool::ErrorLogEntryJson(e));
      rows.push_back({FormatShownTime(e.time_ms(), zone), Or(e.request_id()), absl::StrCat(e.status_code()),
                      e.key_id() != 0 ? absl::StrCat("#", e.key_id()) : "-", Or(e.model()), Or(e.operation()),
                      Or(e.error_type()), ShortMessage(e.message())});
    }
  } else {
    v1::QueryRequestLogsResponse page;
    grpc::Status status = admin.stub().QueryRequestLogs(admin.Context().get(), query, &page);
    if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, out, err);
    total = page.total();
    shown = page.entries_size();
    rows.push_back({"TIME", "REQUEST ID", "STATUS", "KEY", "MODEL", "OPERATION", "LATENCY", "ATTEMPTS"});
    for (const v1::RequestLogEntry& e : page.entries()) {
      entries.push_back(keypool::RequestLogEntryJson(e));
      rows.push_back({FormatShownTime(e.time_ms(), zone), Or(e.request_id()), absl::StrCat(e.status_code()),
                      e.key_id() != 0 ? absl::StrCat("#", e.key_id()) : "-", Or(e.model()),
                      absl::StrCat(Or(e.operation()), e.stream() ? " (stream)" : ""),
                      absl::StrCat(e.latency_ms(), " ms"), absl::StrCat(e.attempts())});
    }
  }
  if (inv.json) {
    out << Json{{"total", total}, {"offset", inv.offset}, {"entries", entries}}.dump(2) << "\n";
    return kExitOk;
  }
  const char* what = inv.logs_errors ? "error log" : "request log";
  if (shown == 0) {
    out << (total == 0 ? absl::StrCat("no ", what, " rows match\n")
                       : absl::StrCat("no ", what, " rows at offset ", inv.offset, " of ", total, "\n"));
    return kExitOk;
  }
  PrintTable(out, rows);
  out << what << " rows " << inv.offset + 1 << "-" << inv.offset + shown << " of " << total << "\n";
  out << "times in " << zone.name << " (TIMEZONE)\n";
  return kExitOk;
}

}  // namespace gempool::ctl
