#include "admin/log_retention.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"

namespace gempool::gateway::admin {
namespace {

constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;

}  // namespace

absl::Status LogRetention::MaybeRun(const Config& config) {
  const int64_t mono = clock_.MonotonicMs();
  // A retention saved in the admin UI applies at once, not at the next run.
  const std::string settings = absl::StrCat(config.auto_delete_request_logs, ":", config.auto_delete_request_logs_days,
                                            ":", config.auto_delete_error_logs, ":", config.auto_delete_error_logs_days);
  const bool changed = last_run_ms_ >= 0 && settings != last_settings_;
  if (last_run_ms_ >= 0 && !changed && mono - last_run_ms_ < interval_ms_) return absl::OkStatus();
  last_run_ms_ = mono;
  last_settings_ = settings;
  const int64_t now = clock_.NowUnixMs();
  absl::Status result = absl::OkStatus();
  const struct {
    bool enabled;
    int days;
    v1::LogTable table;
    const char* what;
  } kTables[] = {{config.auto_delete_request_logs, config.auto_delete_request_logs_days, v1::LOG_TABLE_REQUEST,
                  "request"},
                 {config.auto_delete_error_logs, config.auto_delete_error_logs_days, v1::LOG_TABLE_ERROR, "error"}};
  for (const auto& t : kTables) {
    if (!t.enabled || t.days <= 0) continue;
    v1::DeleteLogsRequest request;
    request.set_table(t.table);
    request.set_before_ms(now - t.days * kDayMs);
    absl::StatusOr<v1::DeleteLogsResponse> deleted = backend_.DeleteLogs(request);
    if (!deleted.ok()) {
      result = deleted.status();
      continue;
    }
    if (deleted->deleted() > 0) {
      GEMPOOL_LOG(INFO) << "log retention: deleted " << deleted->deleted() << " " << t.what << " log rows older than "
                        << t.days << " days";
    }
  }
  if (!result.ok()) last_run_ms_ = mono - interval_ms_ + 60 * 1000;  // Try again in a minute.
  return result;
}

}  // namespace gempool::gateway::admin
