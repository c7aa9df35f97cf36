#include "integration/http_calls.h"

#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {

std::string StreamedResponse::Header(const std::string& name) const {
  auto it = headers.find(name);  // httplib::Headers compares names case-insensitively
  return it == headers.end() ? "" : it->second;
}

int64_t StreamedResponse::ArrivalOf(const std::string& needle) const {
  std::string so_far;
  for (const TimedPiece& p : pieces) {
    so_far += p.data;
    if (absl::StrContains(so_far, needle)) return p.at_ms;
  }
  return -1;
}

StreamedResponse PostStreaming(int port, const std::string& path, const httplib::Headers& headers,
                               const std::string& body) {
  StreamedResponse out;
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(30, 0);
  const auto start = std::chrono::steady_clock::now();
  httplib::Request req;
  req.method = "POST";
  req.path = path;
  req.headers = headers;
  req.headers.emplace("Content-Type", "application/json");
  req.body = body;
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    const auto now = std::chrono::steady_clock::now();
    out.pieces.push_back(
        {std::chrono::duration_cast<std::chrono::milliseconds>(now - start).count(), std::string(data, n)});
    out.body.append(data, n);
    return true;
  };
  httplib::Response res;
  out.completed = client.send(req, res, out.error);
  out.status = res.status;
  out.headers = res.headers;
  return out;
}

std::vector<std::string> SseEvents(const std::string& body) {
  const std::string normalized = absl::StrReplaceAll(body, {{"\r\n", "\n"}});
  std::vector<std::string> events;
  for (absl::string_view event : absl::StrSplit(normalized, "\n\n", absl::SkipWhitespace())) {
    event = absl::StripAsciiWhitespace(event);
    if (absl::ConsumePrefix(&event, "data:")) events.emplace_back(absl::StripLeadingAsciiWhitespace(event));
  }
  return events;
}

std::string GenerateBody(const std::string& text) {
  nlohmann::json body = {{"contents", {{{"role", "user"}, {"parts", {{{"text", text}}}}}}}};
  return body.dump();
}

}  // namespace gempool::integration
