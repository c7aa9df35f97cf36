#include "gempool/gemini/sse_splitter.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace gempool::gemini {

absl::Status SseSplitter::CheckSize() const {
  if (line_.size() + data_.size() <= max_event_bytes_) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "a server-sent event is larger than ", max_event_bytes_, " bytes (or never ends)"));
}

void SseSplitter::OnLine(absl::string_view line, std::vector<std::string>& events) {
  if (line.empty()) {
    if (has_data_) events.push_back(std::move(data_));
    data_.clear();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // A comment.
  const size_t colon = line.find(':');
  const absl::string_view field = line.substr(0, colon);
  if (field != "data") return;  // event:, id:, retry: and unknown fields.
  absl::string_view value = colon == absl::string_view::npos ? "" : line.substr(colon + 1);
  absl::ConsumePrefix(&value, " ");
  if (has_data_) data_.push_back('\n');
  data_.append(value.data(), value.size());
  has_data_ = true;
}

absl::StatusOr<std::vector<std::string>> SseSplitter::Feed(absl::string_view bytes) {
  std::vector<std::string> events;
  if (failed_) return absl::ResourceExhaustedError("the event stream already failed");
  size_t start = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\n' && c != '\r') {
      after_cr_ = false;
      continue;
    }
    if (c == '\n' && after_cr_ && i == start && line_.empty()) {
      // The LF of a CRLF whose CR ended the previous line.
      after_cr_ = false;
      start = i + 1;
      continue;
    }
    line_.append(bytes.data() + start, i - start);
    // Checked at every line end, not only after the read: an event that
    // outgrows the limit is refused however the reads cut the body.
    if (absl::Status size = CheckSize(); !size.ok()) {
      failed_ = true;
      return size;
    }
    OnLine(line_, events);
    line_.clear();
    after_cr_ = c == '\r';
    start = i + 1;
  }
  line_.append(bytes.data() + start, bytes.size() - start);
  if (absl::Status size = CheckSize(); !size.ok()) {
    failed_ = true;
    return size;
  }
  return events;
}

absl::StatusOr<std::vector<std::string>> SseSplitter::Finish() {
  if (failed_) return absl::ResourceExhaustedError("the event stream already failed");
  std::vector<std::string> events;
  if (!line_.empty()) {
    OnLine(line_, events);
    line_.clear();
  }
  OnLine("", events);
  after_cr_ = false;
  return events;
}

void SseSplitter::Reset() {
  line_.clear();
  data_.clear();
  has_data_ = false;
  after_cr_ = false;
  failed_ = false;
}

}  // namespace gempool::gemini
