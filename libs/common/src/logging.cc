#include "gempool/common/logging.h"

#include <unistd.h>

#include <atomic>
#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/log_format.h"
#include "gempool/common/request_scope.h"

namespace gempool {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kText)};

// Component name: written once in main before threads start, read after.
std::string& Component() {
  static std::string* component = new std::string("gempool");
  return *component;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info" || lower.empty()) return LogLevel::kInfo;
  if (lower == "warning" || lower == "warn") return LogLevel::kWarning;
  if (lower == "error" || lower == "critical") return LogLevel::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not a log level; use DEBUG, INFO, WARNING or ERROR"));
}

void SetLogLevel(LogLevel level) {
  const auto before = static_cast<LogLevel>(g_level.exchange(static_cast<int>(level), std::memory_order_relaxed));
  if (before == level) return;
  // One INFO line, written under whichever of the two levels shows INFO: an
  // admin who turns logging down (LOG_LEVEL saved on the admin page) sees
  // the change as the last INFO line, one who turns it up as the first.
  if (before <= LogLevel::kInfo || level <= LogLevel::kInfo) {
    internal::LogLine(LogLevel::kInfo, __FILE__, __LINE__).stream()
        << "log level " << LogLevelName(before) << " -> " << LogLevelName(level);
  }
}

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void SetLogComponent(absl::string_view component) { Component() = std::string(component); }

void SetLogFormat(LogFormat format) { g_format.store(static_cast<int>(format), std::memory_order_relaxed); }

namespace internal {

LogLine::LogLine(LogLevel level, const char* file, int line, absl::string_view request_id)
    : unix_ms_(NowUnixMs()),
      level_(level),
      file_(file),
      line_(line),
      request_id_(request_id.empty() ? CurrentRequestId() : std::string(request_id)) {}

LogLine::~LogLine() {
  const std::string message = stream_.str();
  LogRecord record;
  record.unix_ms = unix_ms_;
  record.level = level_;
  record.service = Component();
  record.file = file_;
  record.line = line_;
  record.message = message;
  record.request_id = request_id_;
  const std::string text =
      FormatLogRecord(static_cast<LogFormat>(g_format.load(std::memory_order_relaxed)), record);
  // One write per line keeps lines from different threads whole.
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

}  // namespace internal
}  // namespace gempool
