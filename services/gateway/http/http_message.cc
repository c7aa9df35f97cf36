#include "http/http_message.h"

#include <boost/beast/http/status.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gempool/gemini/error_body.h"
#include "gempool/gemini/google_status.h"

namespace gempool::gateway {

std::optional<std::string> HttpRequest::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

HttpResponse ToResponse(const HttpReply& reply) {
  HttpResponse response;
  response.status = reply.status;
  response.headers.emplace_back("Content-Type", reply.content_type.empty() ? "application/json; charset=UTF-8"
                                                                           : reply.content_type);
  if (!reply.retry_after.empty()) response.headers.emplace_back("Retry-After", reply.retry_after);
  response.body = reply.body;
  return response;
}

std::string ResponseHead(int status, const HeaderList& headers, std::optional<size_t> content_length,
                         bool keep_alive, int version) {
  const auto beast_reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  absl::string_view reason(beast_reason.data(), beast_reason.size());
  // Statuses outside Beast's table: Anthropic's 529 has a name; others go
  // without one (the reason phrase may be empty).
  if (status == 529) {
    reason = "Overloaded";
  } else if (reason == "<unknown-status>") {
    reason = "";
  }
  std::string out = absl::StrCat(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ", status, " ", reason, "\r\n");
  for (const auto& [name, value] : headers) {
    // A header value with a line break would split the response: never sent.
    if (value.find_first_of("\r\n") != std::string::npos || name.find_first_of("\r\n:") != std::string::npos) {
      continue;
    }
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (content_length.has_value()) {
    absl::StrAppend(&out, "Content-Length: ", *content_length, "\r\n");
  } else if (version != 10) {
    out += "Transfer-Encoding: chunked\r\n";
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (version == 10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return out;
}

namespace {

// Google's status name for a status the HTTP layer refuses with: Google's
// own where it has one (501 UNIMPLEMENTED, 503 UNAVAILABLE), for a request
// that took too long DEADLINE_EXCEEDED, and for the rest (413, 431: a
// request too large) INVALID_ARGUMENT, as for a 400.
absl::string_view RefusalStatusName(int status) {
  if (std::optional<absl::string_view> name = gemini::GoogleStatusName(status)) return *name;
  return status == 408 ? "DEADLINE_EXCEEDED" : "INVALID_ARGUMENT";
}

}  // namespace

std::string RefusalBytes(int status, absl::string_view message, const HeaderList& extra_headers, int version) {
  const std::string body = gemini::MakeErrorBody(status, RefusalStatusName(status), std::string(message));
  HeaderList headers = {{"Content-Type", "application/json; charset=UTF-8"}};
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
  return ResponseHead(status, headers, body.size(), /*keep_alive=*/false, version) + body;
}

std::string RefusalBytes(const HttpReply& reply, int version, const HeaderList& extra_headers) {
  HeaderList headers = {{"Content-Type", reply.content_type.empty() ? "application/json; charset=UTF-8"
                                                                    : reply.content_type}};
  if (!reply.retry_after.empty()) headers.emplace_back("Retry-After", reply.retry_after);
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
  return ResponseHead(reply.status, headers, reply.body.size(), /*keep_alive=*/false, version) + reply.body;
}

void AppendHeaderValue(HeaderList& headers, absl::string_view name, absl::string_view value) {
  for (auto& [existing_name, existing] : headers) {
    if (absl::EqualsIgnoreCase(existing_name, name)) {
      absl::StrAppend(&existing, "; ", value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

std::string ChunkFrame(absl::string_view data) {
  std::string out = absl::StrFormat("%x\r\n", data.size());
  out.reserve(out.size() + data.size() + 2);
  out.append(data.data(), data.size());
  out += "\r\n";
  return out;
}

}  // namespace gempool::gateway
