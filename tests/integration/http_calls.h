#pragma once
// HTTP helpers for talking to a gateway like a client would: a POST whose
// body is captured piece by piece with arrival times (to prove streaming),
// and parsers for Gemini's SSE and JSON-array stream framings.

#include <cstdint>
#include <string>
#include <vector>

#include "httplib.h"

namespace gempool::integration {

struct TimedPiece {
  // Milliseconds since the request was sent.
  int64_t at_ms = 0;
  std::string data;
};

struct StreamedResponse {
  // Whether the whole response arrived (false on a connection cut mid-body).
  bool completed = false;
  httplib::Error error = httplib::Error::Success;
  int status = 0;
  httplib::Headers headers;
  std::string body;
  std::vector<TimedPiece> pieces;

  // The value of response header `name` (any case), "" when absent.
  std::string Header(const std::string& name) const;
  // Arrival time of the first piece containing `needle`, -1 when none.
  int64_t ArrivalOf(const std::string& needle) const;
};

// POSTs `body` to 127.0.0.1:`port``path` and records the body as it arrives.
StreamedResponse PostStreaming(int port, const std::string& path, const httplib::Headers& headers,
                               const std::string& body);

// The payload of every `data:` event of an SSE body (events end with a blank
// line, CRLF or LF).
std::vector<std::string> SseEvents(const std::string& body);

// A minimal GenerateContentRequest asking `text`.
std::string GenerateBody(const std::string& text);

}  // namespace gempool::integration
