#include "fuzz/request_id_fuzz.h"

#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "gempool/common/log_format.h"
#include "gempool/common/request_id.h"

namespace gempool {
namespace {

// Whether `line` (without its final '\n') holds no control character and
// only well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF).
bool PrintableUtf8(absl::string_view line) {
  size_t i = 0;
  while (i < line.size()) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) return false;
      ++i;
      continue;
    }
    size_t length = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (length == 0 || c < 0xC2 || c > 0xF4 || i + length > line.size()) return false;
    uint32_t code = c & (0xFF >> (length + 1));
    for (size_t k = 1; k < length; ++k) {
      const unsigned char next = static_cast<unsigned char>(line[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000) || code > 0x10FFFF ||
        (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

void FuzzRequestIdAndLogLine(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  // The first line is the client's header, the whole input the message.
  const absl::string_view client = input.substr(0, input.find('\n'));
  const std::string id = RequestIdFor(client);
  if (!IsSaneRequestId(id)) abort();
  if (IsSaneRequestId(client) != (id == client)) abort();

  LogRecord record;
  record.unix_ms = static_cast<int64_t>(size) * 7919;
  record.service = client;
  record.file = input;
  record.line = static_cast<int>(size);
  record.message = input;
  record.request_id = id;
  const std::string json = FormatLogRecord(LogFormat::kJson, record);
  if (!absl::EndsWith(json, "}\n") || json.find('\n') != json.size() - 1) abort();
  if (!PrintableUtf8(absl::string_view(json).substr(0, json.size() - 1))) abort();
  const std::string text = FormatLogRecord(LogFormat::kText, record);
  if (text.empty() || text.back() != '\n') abort();
}

}  // namespace gempool
