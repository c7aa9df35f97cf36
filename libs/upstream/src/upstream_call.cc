#include "upstream_call.h"

#include <algorithm>
#include <utility>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "absl/strings/str_cat.h"
#include "proxy_tunnel.h"
#include "request_bytes.h"

namespace gempool::upstream {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using Tcp = asio::ip::tcp;

// The status line plus headers may not exceed this.
constexpr uint32_t kMaxHeadBytes = 64 * 1024;
// Bytes asked of the socket per read; with kMaxHeadBytes, the most a call
// ever buffers (a pause leaves the rest in the kernel, pushing back upstream).
constexpr size_t kReadBytes = 16 * 1024;
// Bytes handed to the socket per write, so a large body shows progress.
constexpr size_t kWriteBytes = 64 * 1024;

constexpr char kShuttingDown[] = "the gateway is shutting down";

UpstreamResult ResultOf(UpstreamResult::Kind kind, std::string detail = "") {
  UpstreamResult result;
  result.kind = kind;
  result.detail = std::move(detail);
  return result;
}

bool IsEndOfStream(const error_code& ec) {
  // A TLS peer that closes without close_notify (most HTTPS servers at the end
  // of a close-delimited body) is an end of stream, as in Beast.
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

CallImpl::CallImpl(std::shared_ptr<ClientCore> core, UpstreamRequest request, AsyncUpstreamCallbacks callbacks)
    : core_(std::move(core)),
      strand_(asio::make_strand(core_->io())),
      request_(std::move(request)),
      callbacks_(std::move(callbacks)),
      resolver_(strand_),
      timer_(strand_),
      buffer_(kMaxHeadBytes + kReadBytes),
      source_(request_.body_source) {}

CallImpl::~CallImpl() = default;

std::unique_ptr<ResponseStreamParser> CallImpl::NewParser() const {
  auto parser = std::make_unique<ResponseStreamParser>(kMaxHeadBytes);
  if (request_.method == "HEAD") parser->skip(true);
  return parser;
}

void CallImpl::Begin() {
  asio::post(strand_, [self = shared_from_this()] { self->Run(); });
}

void CallImpl::Abort() {
  asio::post(strand_, [self = shared_from_this()] {
    self->Finish(ResultOf(UpstreamResult::Kind::kAborted, kShuttingDown));
  });
}

void CallImpl::Cancel() {
  asio::post(strand_, [self = shared_from_this()] { self->Finish(ResultOf(UpstreamResult::Kind::kCancelled)); });
}

void CallImpl::Resume() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->done_ || !self->paused_) return;
    self->paused_ = false;
    self->WatchProgress();
    self->Pump();
  });
}

void CallImpl::Run() {
  if (done_) return;
  if (core_->aborted()) return Finish(ResultOf(UpstreamResult::Kind::kAborted, kShuttingDown));
  const int seconds = request_.timeout_seconds > 0 ? request_.timeout_seconds : core_->options().timeout_seconds;
  timeout_ = std::chrono::seconds(std::max(seconds, 1));
  absl::StatusOr<gemini::BaseUrl> target = gemini::ParseBaseUrl(request_.scheme_host_port);
  if (!target.ok()) return Fail(gemini::TransportFailure::kConnection, std::string(target.status().message()));
  target_ = *std::move(target);
  https_ = target_.scheme == "https";
  if (!request_.proxy.empty()) {
    absl::StatusOr<gemini::ProxyUrl> proxy = gemini::ParseProxyUrl(request_.proxy);
    if (!proxy.ok()) return Fail(gemini::TransportFailure::kConnection, std::string(proxy.status().message()));
    proxy_ = *std::move(proxy);
  }
  if (https_ && core_->tls() == nullptr) return Fail(gemini::TransportFailure::kConnection, core_->tls_error());
  // A plain-http upstream behind an HTTP proxy: the proxy gets the request
  // itself, in absolute-form; every other proxied case is a tunnel.
  const bool absolute_form = proxy_.has_value() && !proxy_->IsSocks5() && !https_;
  absl::StatusOr<std::string> wire = BuildRequestBytes(request_, target_, absolute_form ? &*proxy_ : nullptr);
  if (!wire.ok()) return Fail(gemini::TransportFailure::kConnection, std::string(wire.status().message()));
  wire_ = *std::move(wire);
  std::string().swap(request_.body);
  request_.body_source.reset();  // source_ has it.
  pool_key_ = absl::StrCat(request_.scheme_host_port, "|", request_.proxy);
  parser_ = NewParser();

  connection_ = core_->pool().Lease(pool_key_);
  if (connection_ != nullptr) {
    reused_ = true;
    return SendRequest();
  }
  Connect();
}

void CallImpl::Connect() {
  reused_ = false;
  phase_ = Phase::kConnecting;
  ArmTimer(std::chrono::steady_clock::now() + timeout_);
  const std::string& host = proxy_ ? proxy_->host : target_.host;
  const int port = proxy_ ? proxy_->port : target_.port;
  error_code literal_ec;
  const asio::ip::address literal = asio::ip::make_address(host, literal_ec);
  if (!literal_ec) {
    // An IP address needs no lookup: skip the resolver's thread (a burst of
    // new connections would queue on it).
    return OnResolved({}, Tcp::resolver::results_type::create(Tcp::endpoint(literal, static_cast<unsigned short>(port)),
                                                              host, std::to_string(port)));
  }
  resolver_.async_resolve(host, std::to_string(port),
                          asio::bind_executor(strand_, [self = shared_from_this()](
                                                           const error_code& ec, Tcp::resolver::results_type results) {
                            self->OnResolved(ec, results);
                          }));
}

void CallImpl::OnResolved(const error_code& ec, const Tcp::resolver::results_type& results) {
  if (done_) return;
  if (ec) {
    return Fail(gemini::TransportFailure::kConnection,
                absl::StrCat("could not resolve ", proxy_ ? "the proxy host " : "", proxy_ ? proxy_->host : target_.host,
                             ": ", ec.message()));
  }
  connection_ = std::make_unique<UpstreamConnection>(core_->io());
  asio::async_connect(connection_->socket(), results,
                      asio::bind_executor(strand_, [self = shared_from_this()](const error_code& ec, const Tcp::endpoint&) {
                        self->OnConnected(ec);
                      }));
}

void CallImpl::OnConnected(const error_code& ec) {
  if (done_) return;
  if (ec) {
    return Fail(gemini::TransportFailure::kConnection,
                absl::StrCat("could not connect", proxy_ ? " to the proxy" : "", ": ", ec.message()));
  }
  // The request goes out in one write, but TLS records and proxy handshakes
  // are small writes too; with Nagle on, each waits for the peer's delayed
  // ACK (measured: 40 ms per call).
  error_code ignored;
  connection_->socket().set_option(Tcp::no_delay(true), ignored);
  if (proxy_ && (proxy_->IsSocks5() || https_)) {
    return AsyncOpenTunnel(connection_->socket(), strand_, *proxy_, target_.host, target_.port,
                           [self = shared_from_this()](absl::Status status) { self->OnTunnel(status); });
  }
  OnTunnel(absl::OkStatus());
}

void CallImpl::OnTunnel(const absl::Status& status) {
  if (done_) return;
  if (!status.ok()) return Fail(gemini::TransportFailure::kConnection, std::string(status.message()));
  if (https_) return StartTls();
  SendRequest();
}

void CallImpl::StartTls() {
  absl::Status started = connection_->StartTls(*core_->tls(), target_.host);
  if (!started.ok()) return Fail(gemini::TransportFailure::kConnection, std::string(started.message()));
  connection_->AsyncHandshake(asio::bind_executor(
      strand_, [self = shared_from_this()](const error_code& ec) { self->OnTlsHandshake(ec); }));
}

void CallImpl::OnTlsHandshake(const error_code& ec) {
  if (done_) return;
  if (ec) {
    const std::string verify = connection_->VerifyFailure();
    return Fail(gemini::TransportFailure::kConnection,
                verify.empty() ? absl::StrCat("TLS handshake failed: ", ec.message())
                               : absl::StrCat("TLS handshake failed: certificate verification failed: ", verify));
  }
  SendRequest();
}

void CallImpl::SendRequest() {
  phase_ = Phase::kTransfer;
  written_ = 0;
  received_ = 0;
  WatchProgress();
  WriteMore();
}

void CallImpl::WriteMore() {
  const size_t n = std::min(kWriteBytes, wire_.size() - written_);
  connection_->AsyncWriteSome(
      asio::buffer(wire_.data() + written_, n),
      asio::bind_executor(strand_, [self = shared_from_this()](const error_code& ec, size_t written) {
        self->OnWritten(ec, written);
      }));
}

void CallImpl::OnWritten(const error_code& ec, size_t n) {
  if (done_) return;
  if (ec) {
    if (RetryOnFreshConnection()) return;
    return Fail(gemini::TransportFailure::kConnection,
                absl::StrCat("the connection broke while sending the request: ", ec.message()));
  }
  NoteProgress();
  written_ += n;
  if (written_ < wire_.size()) return WriteMore();
  if (source_ != nullptr) return StartBody();
  ReadMore();
}

void CallImpl::StartBody() {
  body_started_ = true;
  // The response is read while the body goes out: an upstream that refuses
  // the request early (and may close) is heard rather than written into.
  ReadMore();
  PullBody();
}

void CallImpl::PullBody() {
  if (done_ || body_reading_ || body_eof_ || !body_next_.empty() || !write_error_.empty()) return;
  body_reading_ = true;
  // The piece is copied at once: the view is the producer's, valid only
  // until its next Read or Cancel, which may come from this strand first.
  source_->Read([self = shared_from_this()](absl::StatusOr<absl::string_view> data) {
    absl::StatusOr<std::string> owned =
        data.ok() ? absl::StatusOr<std::string>(std::string(*data)) : absl::StatusOr<std::string>(data.status());
    asio::post(self->strand_, [self, owned = std::move(owned)]() mutable { self->OnBodyData(std::move(owned)); });
  });
}

void CallImpl::OnBodyData(absl::StatusOr<std::string> data) {
  body_reading_ = false;
  if (done_) return;
  if (!data.ok()) {
    UpstreamResult result = ResultOf(UpstreamResult::Kind::kCancelled,
                                     absl::StrCat("the client's request body: ", data.status().message()));
    return Finish(std::move(result));
  }
  // The client is moving: the call is not stalled on the upstream's side.
  NoteProgress();
  const uint64_t size = source_->size();
  if (data->empty()) {
    body_eof_ = true;
    if (body_pulled_ != size) {
      return Finish(ResultOf(UpstreamResult::Kind::kCancelled,
                             absl::StrCat("the client's request body: it ended after ", body_pulled_, " of ", size,
                                          " bytes")));
    }
  } else {
    body_pulled_ += data->size();
    if (body_pulled_ > size) {
      return Finish(ResultOf(UpstreamResult::Kind::kCancelled,
                             absl::StrCat("the client's request body: more than its ", size, " bytes")));
    }
    if (!write_error_.empty()) return;  // Nowhere to write; the read side ends the call.
    if (body_writing_) {
      body_next_ = *std::move(data);
    } else {
      body_out_ = *std::move(data);
      body_out_written_ = 0;
      WriteBody();
    }
  }
  body_sent_ = body_eof_ && !body_writing_ && body_next_.empty();
  PullBody();
}

void CallImpl::WriteBody() {
  body_writing_ = true;
  const size_t n = std::min(kWriteBytes, body_out_.size() - body_out_written_);
  connection_->AsyncWriteSome(
      asio::buffer(body_out_.data() + body_out_written_, n),
      asio::bind_executor(strand_, [self = shared_from_this()](const error_code& ec, size_t written) {
        self->OnBodyWritten(ec, written);
      }));
}

void CallImpl::OnBodyWritten(const error_code& ec, size_t n) {
  body_writing_ = false;
  if (done_) return;
  if (ec) {
    // The upstream may have answered and closed (a refusal before the whole
    // body): the read side has the verdict. Stop pulling.
    write_error_ = ec.message();
    CancelSource();
    body_out_.clear();
    body_next_.clear();
    if (!reading_ && !paused_) {
      return Fail(gemini::TransportFailure::kConnection,
                  absl::StrCat("the connection broke while sending the request body: ", write_error_));
    }
    return;
  }
  NoteProgress();
  body_out_written_ += n;
  if (body_out_written_ < body_out_.size()) return WriteBody();
  body_out_.clear();
  if (!body_next_.empty()) {
    body_out_.swap(body_next_);
    body_out_written_ = 0;
    WriteBody();
  }
  body_sent_ = body_eof_ && !body_writing_;
  PullBody();
}

void CallImpl::CancelSource() {
  // Every byte pulled (only the end marker may still be on its way, when the
  // upstream answered at once): the body was consumed, nothing to give up.
  if (source_ == nullptr || body_eof_ || source_cancelled_ || body_pulled_ == source_->size()) return;
  source_cancelled_ = true;
  source_->Cancel();
}

std::string CallImpl::WithWriteError(std::string what) const {
  if (write_error_.empty()) return what;
  return absl::StrCat(what, " (sending the request body failed: ", write_error_, ")");
}

void CallImpl::ReadMore() {
  if (reading_) return;
  const size_t room = std::min(kReadBytes, buffer_.max_size() - buffer_.size());
  if (room == 0) {
    // Only a head longer than the parser's limit fills the buffer, and the
    // parser reports that first; this is a guard.
    return Fail(gemini::TransportFailure::kConnection, "the upstream response head is too large");
  }
  reading_ = true;
  connection_->AsyncReadSome(
      buffer_.prepare(room),
      asio::bind_executor(strand_, [self = shared_from_this()](const error_code& ec, size_t n) {
        self->OnRead(ec, n);
      }));
}

void CallImpl::OnRead(const error_code& ec, size_t n) {
  reading_ = false;
  if (done_) return;
  if (n > 0) {
    buffer_.commit(n);
    received_ += n;
    NoteProgress();
  }
  if (!ec) return Pump();
  if (IsEndOfStream(ec)) return OnEndOfStream();
  if (received_ == 0 && RetryOnFreshConnection()) return;
  Fail(gemini::TransportFailure::kConnection,
       WithWriteError(absl::StrCat("the connection broke while reading the response: ", ec.message())));
}

void CallImpl::OnEndOfStream() {
  if (received_ == 0) {
    if (RetryOnFreshConnection()) return;
    return Fail(gemini::TransportFailure::kConnection,
                WithWriteError("the upstream closed the connection without answering"));
  }
  // Everything read so far has been parsed (Pump reads only when it needs
  // more), so a body delimited by the close is now complete.
  if (parser_->is_header_done() && parser_->need_eof()) {
    error_code ec;
    parser_->put_eof(ec);
    if (!ec && parser_->is_done()) return Finish(ResultOf(UpstreamResult::Kind::kComplete));
  }
  Fail(gemini::TransportFailure::kConnection,
       WithWriteError("the upstream closed the connection before the response was complete"));
}

void CallImpl::Pump() {
  while (!done_ && !paused_) {
    if (parser_->is_done()) {
      // Reusable only when the upstream agrees, nothing unread follows, and
      // no streamed request body is left half-sent (an early answer).
      const bool keep = parser_->keep_alive() && buffer_.size() == 0 && (source_ == nullptr || body_sent_);
      return Finish(ResultOf(UpstreamResult::Kind::kComplete), keep);
    }
    if (buffer_.size() == 0) return ReadMore();
    const bool had_head = parser_->is_header_done();
    parser_->clear_piece();
    error_code ec;
    const size_t used = parser_->put(buffer_.data(), ec);
    if (ec == http::error::need_more) {
      buffer_.consume(used);
      return ReadMore();
    }
    if (ec) {
      return Fail(gemini::TransportFailure::kConnection,
                  absl::StrCat("the upstream sent a malformed response: ", ec.message()));
    }
    if (!had_head && parser_->is_header_done()) {
      buffer_.consume(used);
      const int status = parser_->head().status;
      if (status >= 100 && status < 200 && status != 101) {
        parser_ = NewParser();  // Interim (100 Continue, 103 Early Hints): the real head follows.
        continue;
      }
      std::string().swap(wire_);
      head_delivered_ = true;
      if (callbacks_.on_head && !callbacks_.on_head(parser_->head())) {
        return Finish(ResultOf(UpstreamResult::Kind::kCancelled));
      }
      continue;
    }
    BodyAction action = BodyAction::kContinue;
    const absl::string_view piece = parser_->piece();
    // The piece points into buffer_: hand it over before consuming it.
    if (!piece.empty() && callbacks_.on_body) action = callbacks_.on_body(piece);
    buffer_.consume(used);
    if (action == BodyAction::kCancel) return Finish(ResultOf(UpstreamResult::Kind::kCancelled));
    if (action == BodyAction::kPause) {
      paused_ = true;
      StopTimer();  // The consumer is slow, not the upstream.
      return;
    }
    if (used == 0) return ReadMore();  // Cannot happen with a non-empty buffer; never spin.
  }
}

bool CallImpl::RetryOnFreshConnection() {
  // Body bytes pulled from a source cannot be pulled again.
  if (!reused_ || retried_ || received_ > 0 || head_delivered_ || body_started_) return false;
  retried_ = true;
  // The failed read or write was the connection's only pending operation,
  // so it can go now.
  connection_->Close();
  connection_.reset();
  buffer_.clear();
  parser_ = NewParser();
  Connect();
  return true;
}

void CallImpl::ArmTimer(std::chrono::steady_clock::time_point when) {
  const uint64_t generation = ++timer_generation_;
  timer_.expires_at(when);
  timer_.async_wait(asio::bind_executor(strand_, [self = shared_from_this(), generation](const error_code& ec) {
    self->OnTimer(ec, generation);
  }));
}

void CallImpl::WatchProgress() {
  NoteProgress();
  ArmTimer(progress_deadline_);
}

void CallImpl::StopTimer() {
  ++timer_generation_;
  timer_.cancel();
}

void CallImpl::OnTimer(const error_code& ec, uint64_t generation) {
  if (ec == asio::error::operation_aborted || generation != timer_generation_ || done_) return;
  const int64_t seconds = timeout_.count();
  if (phase_ == Phase::kConnecting) {
    return Fail(gemini::TransportFailure::kTimeout, absl::StrCat("connect timed out after ", seconds, " s"));
  }
  if (paused_) return;
  // Progress moved the deadline on since the timer was set: wait for the new one.
  if (std::chrono::steady_clock::now() < progress_deadline_) return ArmTimer(progress_deadline_);
  Fail(gemini::TransportFailure::kTimeout, absl::StrCat("no data for ", seconds, " s (TIME_OUT)"));
}

void CallImpl::Fail(gemini::TransportFailure failure, const std::string& what) {
  UpstreamResult result;
  result.kind = UpstreamResult::Kind::kFailed;
  result.failure = failure;
  result.detail = absl::StrCat(what, " [", request_.scheme_host_port, request_.proxy.empty() ? "" : " via proxy", "]");
  Finish(std::move(result));
}

void CallImpl::Finish(UpstreamResult result, bool keep_connection) {
  if (done_) return;
  done_ = true;
  StopTimer();
  resolver_.cancel();
  if (connection_ != nullptr) {
    if (keep_connection) {
      // Before on_done, so a call it starts can have this connection.
      core_->pool().Return(pool_key_, std::move(connection_));
    } else {
      // Closed, not destroyed: an operation may still be pending on it.
      connection_->Close();
    }
  }
  // The producer stops feeding a body nobody will send; let it go here, on
  // the strand, rather than with the last handler holding this call.
  CancelSource();
  source_.reset();
  core_->Unregister(this);
  auto on_done = std::move(callbacks_.on_done);
  callbacks_ = AsyncUpstreamCallbacks{};
  if (on_done) on_done(std::move(result));
}

}  // namespace gempool::upstream
