#pragma once
// Minimal leveled logging to stderr, one line per message, safe to call from
// any thread (each line is written with a single write call).
//
//   GEMPOOL_LOG(INFO) << "listening on " << port;
//
// The level is process-wide and set once at start-up from LOG_LEVEL; it is the
// one piece of global state in gempool, read with a relaxed atomic load. The
// format (LOG_FORMAT: text or json, log_format.h) is set once at start-up too.
//
// A line names a request id when the statement gives one
// (GEMPOOL_LOG_REQUEST(INFO, id) << ...) or a ScopedRequestId is open on the
// thread (request_scope.h).

#include <cstdint>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };
enum class LogFormat { kText = 0, kJson = 1 };

// Parses "debug", "info", "warning"/"warn", "error" (any case).
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text);
// A change of level is logged once, at INFO, under whichever of the old and
// new levels shows INFO ("log level INFO -> ERROR").
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
// Name shown in each line, e.g. "gateway". Set once in main.
void SetLogComponent(absl::string_view component);
// Text (the default) or JSON lines. Set once in main (LoadProcessConfig).
void SetLogFormat(LogFormat format);

namespace internal {
// Collects one line and writes it when destroyed. Not thread-safe; one per
// statement.
class LogLine {
 public:
  // `request_id` empty: the thread's current one (request_scope.h), if any.
  LogLine(LogLevel level, const char* file, int line, absl::string_view request_id = {});
  ~LogLine();
  std::ostream& stream() { return stream_; }

 private:
  const int64_t unix_ms_;
  const LogLevel level_;
  const char* const file_;
  const int line_;
  const std::string request_id_;
  std::ostringstream stream_;
};
// Turns the stream expression into void, so both arms of GEMPOOL_LOG's
// conditional have one type; `&` binds looser than the `<<` chain.
struct LogVoidify {
  void operator&(std::ostream&) {}
};
}  // namespace internal

}  // namespace gempool

#define GEMPOOL_LOG_LEVEL_DEBUG ::gempool::LogLevel::kDebug
#define GEMPOOL_LOG_LEVEL_INFO ::gempool::LogLevel::kInfo
#define GEMPOOL_LOG_LEVEL_WARNING ::gempool::LogLevel::kWarning
#define GEMPOOL_LOG_LEVEL_ERROR ::gempool::LogLevel::kError
// An expression, not an if/else: `if (x) GEMPOOL_LOG(INFO) << y; else ...`
// means what it says (no dangling else), and nothing is formatted below the
// level in force.
#define GEMPOOL_LOG(severity)                                    \
  !::gempool::LogEnabled(GEMPOOL_LOG_LEVEL_##severity)           \
      ? (void)0                                                  \
      : ::gempool::internal::LogVoidify() &                      \
            ::gempool::internal::LogLine(GEMPOOL_LOG_LEVEL_##severity, __FILE__, __LINE__).stream()
// The same, naming `request_id` (a request's id, request_id.h) in the line.
#define GEMPOOL_LOG_REQUEST(severity, request_id)                                              \
  !::gempool::LogEnabled(GEMPOOL_LOG_LEVEL_##severity)                                         \
      ? (void)0                                                                                \
      : ::gempool::internal::LogVoidify() &                                                    \
            ::gempool::internal::LogLine(GEMPOOL_LOG_LEVEL_##severity, __FILE__, __LINE__, (request_id)).stream()
