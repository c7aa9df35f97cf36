#include "gempool/common/log_format.h"

#include <cstdio>
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/utf8.h"

namespace gempool {
namespace {

absl::string_view BaseName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (lower.empty() || lower == "text") return LogFormat::kText;
  if (lower == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat("LOG_FORMAT is '", text, "': expected text (the default) or json"));
}

std::string LogTimestamp(int64_t unix_ms) {
  int64_t seconds = unix_ms / 1000;
  int ms = static_cast<int>(unix_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[48];
  const size_t n = std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof(stamp) - n, ".%03dZ", ms);
  return stamp;
}

void AppendJsonString(std::string& out, absl::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text.substr(i));
      if (length == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD for one invalid byte.
        ++i;
      } else {
        out.append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

std::string FormatLogRecord(LogFormat format, const LogRecord& record) {
  const std::string time = LogTimestamp(record.unix_ms);
  const absl::string_view file = BaseName(record.file);
  std::string out;
  if (format == LogFormat::kJson) {
    out.reserve(record.message.size() + 160);
    out += "{\"time\":\"";
    out += time;
    out += "\",\"level\":\"";
    out += LogLevelName(record.level);
    out += "\",\"service\":";
    AppendJsonString(out, record.service);
    out += ",\"message\":";
    AppendJsonString(out, record.message);
    out += ",\"source\":";
    AppendJsonString(out, absl::StrCat(file, ":", record.line));
    if (!record.request_id.empty()) {
      out += ",\"request_id\":";
      AppendJsonString(out, record.request_id);
    }
    out += "}\n";
    return out;
  }
  absl::StrAppend(&out, time, " ", LogLevelName(record.level), " ", record.service, " ", file, ":", record.line, "] ",
                  record.message);
  if (!record.request_id.empty()) absl::StrAppend(&out, " request_id=", record.request_id);
  out.push_back('\n');
  return out;
}

}  // namespace gempool
