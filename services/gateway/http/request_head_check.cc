#include "http/request_head_check.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gempool::gateway {
namespace {

// RFC 9110 §5.6.2 token characters: a field name is one token.
bool IsTokenChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

HeadRefusal Refuse(int status, std::string message) { return HeadRefusal{status, std::move(message)}; }

}  // namespace

size_t LeadingEmptyLines(absl::string_view data) {
  size_t at = 0;
  while (data.size() - at >= 2 && data[at] == '\r' && data[at + 1] == '\n') at += 2;
  return at;
}

size_t FindRequestHeadEnd(absl::string_view data) {
  const size_t start = LeadingEmptyLines(data);
  const size_t end = data.find("\r\n\r\n", start);
  return end == absl::string_view::npos ? absl::string_view::npos : end + 4;
}

std::optional<HeadRefusal> CheckRequestHead(absl::string_view head, size_t max_headers) {
  const size_t first_end = head.find("\r\n");
  if (first_end == absl::string_view::npos) return Refuse(400, "the request head is incomplete");
  size_t headers = 0;
  int content_lengths = 0;
  int transfer_encodings = 0;
  std::string transfer_encoding;
  size_t at = first_end + 2;
  while (at < head.size()) {
    const size_t end = head.find("\r\n", at);
    if (end == absl::string_view::npos || end == at) break;  // The empty line ending the head.
    const absl::string_view line = head.substr(at, end - at);
    at = end + 2;
    if (line[0] == ' ' || line[0] == '\t') {
      return Refuse(400, "a header line starts with whitespace (obs-fold line folding is not accepted); "
                         "send each header on one line");
    }
    if (++headers > max_headers) {
      return Refuse(431, absl::StrCat("the request has more than ", max_headers, " headers"));
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos || colon == 0) {
      return Refuse(400, "a header line has no field name and colon");
    }
    const absl::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!IsTokenChar(c)) {
        return Refuse(400, c == ' ' || c == '\t'
                               ? "a header has whitespace between its name and the colon"
                               : "a header name has a character that header names cannot have");
      }
    }
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "content-length")) {
      ++content_lengths;
    } else if (absl::EqualsIgnoreCase(name, "transfer-encoding")) {
      ++transfer_encodings;
      transfer_encoding = std::string(value);
    }
  }
  if (content_lengths > 1) {
    return Refuse(400, "the request has more than one Content-Length header; send exactly one");
  }
  if (content_lengths > 0 && transfer_encodings > 0) {
    return Refuse(400, "the request has both Content-Length and Transfer-Encoding; send one of them");
  }
  if (transfer_encodings > 1) {
    return Refuse(400, "the request has more than one Transfer-Encoding header");
  }
  if (transfer_encodings == 1 && !absl::EqualsIgnoreCase(transfer_encoding, "chunked")) {
    return Refuse(501, absl::StrCat("Transfer-Encoding '", transfer_encoding,
                                    "' is not supported; send the body with Content-Length or chunked"));
  }
  return std::nullopt;
}

}  // namespace gempool::gateway
