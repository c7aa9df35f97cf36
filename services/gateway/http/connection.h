#pragma once
// One client connection on the event loop: reads request heads and bodies
// under deadlines and limits, hands each complete request to the
// RequestHandler as an Exchange, and writes the answer (whole, or streamed
// with back-pressure) before reading the next request on the same socket
// (keep-alive and pipelining). Costs buffers, never a thread.
//
// A request whose handler streams its body (RequestHandler::
// StreamsRequestBody) is handed over as soon as its head is in, with
// HttpRequest::body_source: the body is then read from the socket only as the
// handler pulls it (at most kBodyPieceBytes held), "100 Continue" goes out at
// the first pull, each pull must see progress within `body_timeout` (else a
// 408 if nothing was answered yet, and the connection closes), chunked bodies
// get 411 (Content-Length is required), and an answer that starts before the
// whole body was read closes the connection after it (the unread rest cannot
// be told from a next request).
//
// Limits and defences: the whole head within `head_timeout` (a client
// trickling header lines is cut: slowloris), a head of at most
// `max_head_bytes` and `max_headers` fields (431), a body of at most
// `max_body_bytes` (413) arriving within `body_timeout` (408), an idle
// keep-alive connection closed after `keep_alive_timeout`, a write that makes
// no progress for `write_timeout` closes the connection, and the smuggling
// vectors refused (request_head_check.h). Refusals are answered with a
// Google-shaped JSON error and the connection closed after a short lingering
// read, so the client sees the answer rather than a reset.
//
// Threads: every member is used on the connection's strand only; Exchange's
// methods may be called from any thread (they post to it).

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "http/http_message.h"
#include "http/stream_response.h"

namespace gempool::gateway {

struct ConnectionLimits {
  std::chrono::milliseconds head_timeout{10000};        // REQUEST_HEAD_TIMEOUT
  std::chrono::milliseconds body_timeout{120000};       // REQUEST_BODY_TIMEOUT
  std::chrono::milliseconds keep_alive_timeout{60000};  // KEEP_ALIVE_TIMEOUT
  std::chrono::milliseconds write_timeout{60000};       // A stalled reader.
  size_t max_head_bytes = 64 * 1024;
  size_t max_headers = 100;
  uint64_t max_body_bytes = 128ull << 20;  // MAX_REQUEST_BODY_MB
  size_t stream_buffer_bytes = 4 << 20;    // Per stream, before the upstream read pauses.
};

class Connection;

// One request and its answer. Exactly one of Reply() or StartStream() per
// exchange. Thread-safe.
class ForwardCall;

class Exchange {
 public:
  Exchange(std::shared_ptr<Connection> connection, uint64_t id, HttpRequest request)
      : connection_(std::move(connection)), id_(id), request_(std::move(request)) {}

  const HttpRequest& request() const { return request_; }
  // Sends the whole answer.
  void Reply(HttpResponse response);
  // A streamed answer: feed the returned sink (StreamResponse::SetCall with
  // the forward; Finish when it ends); the connection writes as it fills.
  std::shared_ptr<StreamResponse> StartStream();
  // The whole answer waits on `call` (an upstream forward). If the client
  // leaves before Reply (the connection reads its end or an error), the call
  // is cancelled: its upstream call ends now instead of at TIME_OUT, no other
  // key is tried and none is blamed. A client that only half-closes counts as
  // gone too, as nginx counts it (a whole answer cannot be told apart from
  // it). Any thread; null does nothing.
  void CancelOnDeparture(std::shared_ptr<ForwardCall> call);

 private:
  const std::shared_ptr<Connection> connection_;
  const uint64_t id_;
  const HttpRequest request_;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // A complete request arrived (connection strand: must not block); for a
  // streamed body, its head, with HttpRequest::body_source set.
  virtual void Handle(std::shared_ptr<Exchange> exchange) = 0;
  // Whether the request whose head this is (body empty) should be handled
  // at once with its body streamed (connection strand; must not block).
  virtual bool StreamsRequestBody(const HttpRequest& /*head*/) { return false; }
  // A streamed answer started or ended (for shutdown's CancelStreams).
  virtual void StreamStarted(const std::shared_ptr<StreamResponse>& /*stream*/) {}
  // Whether the server is draining (a graceful stop): answers then carry
  // `Connection: close` and the connection closes after them (any thread).
  virtual bool Draining() const { return false; }
  // The body of the connection's own refusal (408, 413, 400) of a request
  // for `target` (its path and query, "" before the request line was read),
  // in the dialect of the API it was meant for; nullopt: Google's shape.
  virtual std::optional<HttpReply> Refusal(int /*status*/, absl::string_view /*message*/,
                                           absl::string_view /*target*/) {
    return std::nullopt;
  }
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // The most of a streamed request body read from the socket at once, and
  // so the most one connection holds of it.
  static constexpr size_t kBodyPieceBytes = 64 * 1024;

  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, Strand>;

  // `on_closed` runs once, when the socket is closed (any thread).
  Connection(Socket socket, std::string remote_addr, const ConnectionLimits& limits, RequestHandler& handler,
             std::function<void()> on_closed);
  ~Connection();

  void Start();
  // Closes at once (shutdown); any thread.
  void Abort();
  // Draining: closes the connection now if it is between requests (idle
  // keep-alive, or no byte of a request read yet); otherwise the answer in
  // progress goes out with `Connection: close` (RequestHandler::Draining)
  // and the connection closes after it. Any thread.
  void CloseIfIdle();

 private:
  friend class Exchange;
  friend class RequestBodyStream;
  enum class Phase { kIdle, kHead, kBody, kHandling, kResponding, kStreaming, kClosing };

  void Process();
  bool ParseHead();
  bool ParseBody();
  // The head as handlers see it (no body); sets version_ and keep_alive_.
  HttpRequest HeadRequest();
  // Hands a request whose head is in over to the handler with its body
  // streamed (`length` bytes to come).
  void DispatchStreamed(uint64_t length, bool expect_continue);
  void Dispatch();
  void DispatchRequest(HttpRequest request);

  // The streamed request body (HttpRequest::body_source of exchange `id`).
  void BodyRead(uint64_t id, std::function<void(absl::StatusOr<absl::string_view>)> on_data);
  void BodyCancel(uint64_t id);
  void DeliverBody();
  void OnBodyBytes(const boost::system::error_code& ec, size_t bytes);
  void GiveBody(size_t bytes);
  // No more of the body will be read: a pending and every later read gets
  // `why`; the connection is not reused if bytes of it are left unread.
  void AbandonBody(const absl::Status& why);
  // The answer is starting: the body's unread rest is abandoned.
  void AnswerStarting();
  void Reply(uint64_t id, HttpResponse response);
  void AttachStream(uint64_t id, std::shared_ptr<StreamResponse> stream);
  void WatchPendingCall(uint64_t id, std::shared_ptr<ForwardCall> call);
  void CancelPendingCall();
  void Pump();
  void FinishExchange();
  // Whether the answer starting now may keep the connection open.
  bool KeepAliveAnswer() const;
  void Refuse(int status, const std::string& message);
  // Sets x-request-id to the current request's id.
  void AddRequestIdHeader(HeaderList& headers) const;
  void Send(std::string bytes, size_t payload_bytes = 0);
  void Flush();
  void MaybeRead();
  // The socket is readable (or failed): reads what is there into the event
  // loop thread's buffer and hands it to OnRead.
  void OnReadable(const boost::system::error_code& ec);
  // `data` was read (valid only during the call), or the read failed.
  void OnRead(const boost::system::error_code& ec, absl::string_view data);
  void SetDeadline(std::chrono::milliseconds after);
  void ClearDeadline();
  void OnDeadline();
  void CloseAfterWrites();
  void LingerThenClose();
  void Close();

  Socket socket_;
  const std::string remote_addr_;
  // A copy: the server now builds the limits per connection (live settings).
  const ConnectionLimits limits_;
  RequestHandler& handler_;
  std::function<void()> on_closed_;
  boost::asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;

  Phase phase_ = Phase::kHead;
  std::string in_;  // Received, not yet parsed.
  // Most bytes taken from the socket at once. Reads wait for readability
  // first and then read into a buffer of the event-loop thread, so an idle
  // connection holds no read buffer: one each used to keep a page or more
  // resident per connection (10,000 idle connections, docs/benchmarks.md).
  static constexpr size_t kReadBytes = 16 * 1024;
  bool reading_ = false;
  bool peer_closed_ = false;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;

  // Writes, in order; `payload` counts a stream's body bytes in each.
  struct Pending {
    std::string bytes;
    size_t payload = 0;
  };
  std::deque<Pending> out_;
  bool writing_ = false;
  bool close_after_writes_ = false;
  bool closed_ = false;

  uint64_t exchange_id_ = 0;
  bool keep_alive_ = true;
  bool head_only_ = false;  // A HEAD request: no body bytes.
  int version_ = 11;
  std::shared_ptr<StreamResponse> stream_;
  bool stream_ended_ = false;
  // The forward a whole answer waits on (Exchange::CancelOnDeparture):
  // cancelled if the client leaves first.
  std::shared_ptr<ForwardCall> pending_call_;
  std::string target_;  // The current request's target, for Refuse().
  // The current request's id (HttpRequest::request_id), answered in
  // x-request-id; empty until its head is read.
  std::string request_id_;
  // The current request while its body arrives; null between requests, so
  // an idle connection does not carry an empty request (about 300 bytes).
  std::unique_ptr<HttpRequest> pending_;

  // The current exchange's streamed body.
  bool body_streamed_ = false;
  uint64_t body_size_ = 0;
  uint64_t body_remaining_ = 0;  // Not yet taken from the socket (or in_).
  std::function<void(absl::StatusOr<absl::string_view>)> body_reader_;  // The pending read.
  std::string body_piece_;       // The piece last handed over (valid until the next read).
  absl::Status body_error_;      // Once set, what every read gets.
  bool continue_pending_ = false;  // "100 Continue" goes out at the first read.
};

}  // namespace gempool::gateway
