#pragma once
// One client connection driven by hand, for the restart tests: the test
// decides what is sent when (a request head in two parts, a request on a
// connection kept alive) and reads answers and the peer's close with
// deadlines. Blocking; not thread-safe.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::integration {

class RawConnection {
 public:
  struct Response {
    int status = 0;
    // Header names in lower case.
    std::map<std::string, std::string> headers;
    std::string body;

    std::string Header(const std::string& lower_name) const;
  };

  // Connects to 127.0.0.1:`port`.
  static absl::StatusOr<RawConnection> Connect(int port);
  RawConnection(RawConnection&& other) noexcept;
  RawConnection& operator=(RawConnection&& other) noexcept;
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection();

  absl::Status Send(absl::string_view bytes);
  // Reads one whole response (Content-Length or chunked body) within
  // `timeout_ms`.
  absl::StatusOr<Response> ReadResponse(int timeout_ms);
  // Whether the peer closes the connection (end of stream or reset) within
  // `timeout_ms`; bytes that arrive meanwhile are dropped.
  bool WaitClosed(int timeout_ms);

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  // Reads what is available into buffer_, waiting until `deadline_ms` (a
  // steady-clock time); an error on end of stream, reset or timeout.
  absl::Status Fill(int64_t deadline_ms);

  int fd_ = -1;
  std::string buffer_;
};

// Whether a connection to 127.0.0.1:`port` is refused (nobody listens).
bool ConnectionRefused(int port);

}  // namespace gempool::integration
