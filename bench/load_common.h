#pragma once
// What the benchmark's load programs (stream_load.cc, conn_load.cc) share:
// the monotonic clock, an incremental HTTP/1.1 response reader, percentile
// summaries as JSON. Header-only; nothing here is thread-safe (each load
// program is one thread).

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace bench {

// Microseconds on the monotonic clock.
inline int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Incremental HTTP/1.1 response reader: head, then a chunked, sized or
// close-delimited body, handing decoded body bytes to a callback. Feed() what
// recv() returned, Eof() when the peer closed; state() says whether the
// response is complete (kDone) or malformed (kBad).
class ResponseReader {
 public:
  enum class State { kHead, kChunkSize, kChunkData, kChunkDataEnd, kTrailer, kSized, kUntilClose, kDone, kBad };

  // Feeds received bytes; `on_body` gets decoded body bytes.
  template <typename F>
  void Feed(const char* data, size_t n, F&& on_body) {
    size_t i = 0;
    // Each iteration consumes at least one byte or changes state towards
    // kDone/kBad, so this is bounded by n plus the number of state changes.
    while (i < n && state_ != State::kDone && state_ != State::kBad) {
      switch (state_) {
        case State::kHead: {
          head_.push_back(data[i++]);
          if (head_.size() > 64 * 1024) {
            Fail("response head over 64 KiB");
          } else if (EndsWith(head_, "\r\n\r\n")) {
            ParseHead();
          }
          break;
        }
        case State::kChunkSize:
        case State::kTrailer: {
          line_.push_back(data[i++]);
          if (line_.size() > 4096) {
            Fail("chunk line over 4 KiB");
          } else if (EndsWith(line_, "\r\n")) {
            const std::string line = line_.substr(0, line_.size() - 2);
            line_.clear();
            if (state_ == State::kTrailer) {
              if (line.empty()) state_ = State::kDone;
            } else {
              char* end = nullptr;
              const unsigned long long size = std::strtoull(line.c_str(), &end, 16);
              if (end == line.c_str()) {
                Fail("bad chunk size line");
              } else if (size == 0) {
                state_ = State::kTrailer;
              } else {
                remaining_ = size;
                state_ = State::kChunkData;
              }
            }
          }
          break;
        }
        case State::kChunkData:
        case State::kSized: {
          const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n - i));
          on_body(data + i, take);
          i += take;
          remaining_ -= take;
          if (remaining_ == 0) state_ = state_ == State::kSized ? State::kDone : State::kChunkDataEnd;
          break;
        }
        case State::kChunkDataEnd: {
          line_.push_back(data[i++]);
          if (line_.size() == 2) {
            if (line_ != "\r\n") Fail("chunk not followed by CRLF");
            line_.clear();
            if (state_ != State::kBad) state_ = State::kChunkSize;
          }
          break;
        }
        case State::kUntilClose:
          on_body(data + i, n - i);
          i = n;
          break;
        case State::kDone:
        case State::kBad:
          break;
      }
    }
  }

  // The peer closed the connection.
  void Eof() {
    if (state_ == State::kUntilClose) state_ = State::kDone;
  }

  State state() const { return state_; }
  int status() const { return status_; }
  const std::string& error() const { return error_; }

 private:
  static bool EndsWith(const std::string& s, const char* suffix) {
    const size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
  }

  void Fail(const std::string& why) {
    state_ = State::kBad;
    error_ = why;
  }

  void ParseHead() {
    // "HTTP/1.1 200 OK\r\n"
    if (head_.rfind("HTTP/1.", 0) != 0 || head_.size() < 12) {
      Fail("not an HTTP/1.x response");
      return;
    }
    status_ = std::atoi(head_.c_str() + 9);
    bool chunked = false;
    long long length = -1;
    std::istringstream lines(head_);
    std::string line;
    std::getline(lines, line);
    // Bounded by the 64 KiB head.
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
      if (name == "content-length") length = std::atoll(value.c_str());
    }
    head_.clear();
    if (chunked) {
      state_ = State::kChunkSize;
    } else if (length >= 0) {
      remaining_ = static_cast<uint64_t>(length);
      state_ = length == 0 ? State::kDone : State::kSized;
    } else {
      state_ = State::kUntilClose;
    }
  }

  State state_ = State::kHead;
  std::string head_;
  std::string line_;
  uint64_t remaining_ = 0;
  int status_ = 0;
  std::string error_;
};

// The nearest-rank percentile p (0-100) of v; sorts v. -1 when v is empty.
inline int64_t Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > v.size()) rank = v.size();
  return v[rank - 1];
}

// {"n", "mean", "min", "p1", "p50", "p90", "p99", "p999", "max"} of v as JSON (-1 when empty); sorts v.
inline std::string Summary(std::vector<int64_t>& v) {
  std::ostringstream out;
  double mean = 0;
  for (int64_t x : v) mean += static_cast<double>(x);
  if (!v.empty()) mean /= static_cast<double>(v.size());
  out << "{\"n\":" << v.size() << ",\"mean\":" << static_cast<int64_t>(mean)
      << ",\"min\":" << (v.empty() ? -1 : *std::min_element(v.begin(), v.end())) << ",\"p1\":" << Percentile(v, 1)
      << ",\"p50\":" << Percentile(v, 50) << ",\"p90\":" << Percentile(v, 90) << ",\"p99\":" << Percentile(v, 99)
      << ",\"p999\":" << Percentile(v, 99.9) << ",\"max\":" << (v.empty() ? -1 : v.back()) << "}";
  return out.str();
}

// s for a JSON string literal (control characters become spaces).
inline std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace bench
