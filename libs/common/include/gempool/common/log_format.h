#pragma once
// How one log line is written (LOG_FORMAT): pure functions, used by
// logging.cc and unit-tested on their own.
//
// text (the default), one line per entry:
//   2026-12-06T15:50:32.123Z INFO gateway forwarder.cc:390] message request_id=abc
// (" request_id=..." only when the entry carries one).
// json, one object per line, for Loki, ELK and the like:
//   {"time":"2026-12-06T15:50:32.123Z","level":"INFO","service":"gateway",
//    "message":"...","source":"forwarder.cc:390","request_id":"abc"}
// ("request_id" only when the entry carries one). Strings are escaped as
// JSON requires (quotes, backslashes, every control character), and bytes
// that are not valid UTF-8 become U+FFFD, so every line parses.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/common/logging.h"

namespace gempool {

// "DEBUG", "INFO", "WARN", "ERROR": as each line names its level.
const char* LogLevelName(LogLevel level);

// Parses "text" or "json" (any case, spaces around ignored; empty: text).
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text);

struct LogRecord {
  int64_t unix_ms = 0;
  LogLevel level = LogLevel::kInfo;
  absl::string_view service;
  absl::string_view file;  // A path; only its last component is written.
  int line = 0;
  absl::string_view message;
  absl::string_view request_id;  // Empty: none.
};

// The whole line, ending in '\n'.
std::string FormatLogRecord(LogFormat format, const LogRecord& record);

// "2026-12-06T15:50:32.123Z" (RFC 3339, UTC, milliseconds).
std::string LogTimestamp(int64_t unix_ms);

// Appends `text` as a JSON string (quotes included) to `out`: escaped, and
// invalid UTF-8 replaced by U+FFFD.
void AppendJsonString(std::string& out, absl::string_view text);

}  // namespace gempool
