#pragma once
// Splits a text/event-stream body into events as its bytes arrive, for code
// that reads Gemini's :streamGenerateContent?alt=sse (and any other SSE)
// incrementally: network reads cut events anywhere, including between the
// CR and LF of a line end. Follows the SSE line rules: lines end in LF, CRLF
// or CR; a blank line ends an event; "data:" lines (the space after the colon
// is optional) are joined with "\n"; comment lines (":...") and other fields
// (event:, id:, retry:) are ignored; an event without data lines yields
// nothing. Gemini frames events with CRLF ("data: {...}\r\n\r\n"), older
// captures with LF. Not thread-safe; one per stream.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::gemini {

class SseSplitter {
 public:
  // An event is refused when its joined data so far plus the line being
  // read is larger than this, whether the body comes in one read or many: a
  // peer that never ends an event must not grow memory without bound.
  static constexpr size_t kDefaultMaxEventBytes = 64u << 20;

  explicit SseSplitter(size_t max_event_bytes = kDefaultMaxEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Consumes the next bytes of the body; returns the data of every event they
  // complete, in order. ResourceExhausted once an event outgrows the limit
  // (the splitter stays failed).
  absl::StatusOr<std::vector<std::string>> Feed(absl::string_view bytes);

  // The end of the body: the data of a last event that was not followed by a
  // blank line, if any (an unterminated last line counts as a line).
  absl::StatusOr<std::vector<std::string>> Finish();

  // Forgets everything (a new body begins).
  void Reset();

 private:
  // Handles one complete line (without its line end).
  void OnLine(absl::string_view line, std::vector<std::string>& events);
  absl::Status CheckSize() const;

  const size_t max_event_bytes_;
  std::string line_;         // The current, unfinished line.
  std::string data_;         // Data lines of the current event, joined.
  bool has_data_ = false;    // Whether the current event has a data line.
  bool after_cr_ = false;    // The previous byte was a CR (an LF right after belongs to it).
  bool failed_ = false;
};

}  // namespace gempool::gemini
