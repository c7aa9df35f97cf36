#include "http/connection.h"

#include <algorithm>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"
#include "gempool/common/request_id.h"
#include "gempool/gemini/url.h"
#include "http/request_head_check.h"
#include "upstream/forwarder.h"

namespace gempool::gateway {
namespace {

namespace beast_http = boost::beast::http;

// How long a refused connection keeps reading (and dropping) what the client
// still sends, so that closing does not reset the connection before the
// client has read the refusal.
constexpr std::chrono::milliseconds kLinger{2000};

}  // namespace

// The handler's face of a streamed request body: every call posts to the
// connection's strand, where the body is read. Holds the connection weakly,
// so a handler keeping it does not keep a closed connection.
class RequestBodyStream final : public upstream::BodySource {
 public:
  RequestBodyStream(std::weak_ptr<Connection> connection, Connection::Strand strand, uint64_t id, uint64_t size)
      : connection_(std::move(connection)), strand_(std::move(strand)), id_(id), size_(size) {}

  uint64_t size() const override { return size_; }

  void Read(OnData on_data) override {
    boost::asio::post(strand_, [connection = connection_, id = id_, on_data = std::move(on_data)]() mutable {
      if (std::shared_ptr<Connection> locked = connection.lock()) return locked->BodyRead(id, std::move(on_data));
      on_data(absl::UnavailableError("the client connection is closed"));
    });
  }

  void Cancel() override {
    boost::asio::post(strand_, [connection = connection_, id = id_] {
      if (std::shared_ptr<Connection> locked = connection.lock()) locked->BodyCancel(id);
    });
  }

 private:
  const std::weak_ptr<Connection> connection_;
  const Connection::Strand strand_;
  const uint64_t id_;
  const uint64_t size_;
};

void Exchange::Reply(HttpResponse response) {
  boost::asio::post(connection_->socket_.get_executor(),
                    [connection = connection_, id = id_, response = std::move(response)]() mutable {
                      connection->Reply(id, std::move(response));
                    });
}

void Exchange::CancelOnDeparture(std::shared_ptr<ForwardCall> call) {
  if (call == nullptr) return;
  boost::asio::post(connection_->socket_.get_executor(),
                    [connection = connection_, id = id_, call = std::move(call)]() mutable {
                      connection->WatchPendingCall(id, std::move(call));
                    });
}

std::shared_ptr<StreamResponse> Exchange::StartStream() {
  std::weak_ptr<Connection> weak = connection_;
  auto stream = std::make_shared<StreamResponse>(connection_->limits_.stream_buffer_bytes, [weak] {
    if (std::shared_ptr<Connection> connection = weak.lock()) {
      boost::asio::post(connection->socket_.get_executor(), [connection] { connection->Pump(); });
    }
  });
  boost::asio::post(connection_->socket_.get_executor(),
                    [connection = connection_, id = id_, stream] { connection->AttachStream(id, stream); });
  connection_->handler_.StreamStarted(stream);
  return stream;
}

Connection::Connection(Socket socket, std::string remote_addr, const ConnectionLimits& limits,
                       RequestHandler& handler, std::function<void()> on_closed)
    : socket_(std::move(socket)),
      remote_addr_(std::move(remote_addr)),
      limits_(limits),
      handler_(handler),
      on_closed_(std::move(on_closed)),
      timer_(socket_.get_executor()) {}

Connection::~Connection() {
  if (!closed_ && on_closed_) on_closed_();
}

void Connection::Start() {
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->socket_.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
    // OnReadable's read must not block (a readiness can be spurious).
    self->socket_.non_blocking(true, ignored);
    // The whole first head, from the moment of connecting: a client that
    // connects and sends nothing, or trickles, is cut at the same deadline.
    self->phase_ = Phase::kHead;
    self->SetDeadline(self->limits_.head_timeout);
    self->MaybeRead();
  });
}

void Connection::Abort() {
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] { self->Close(); });
}

void Connection::CloseIfIdle() {
  boost::asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ == Phase::kIdle || (self->phase_ == Phase::kHead && self->in_.empty())) self->Close();
  });
}

bool Connection::KeepAliveAnswer() const { return keep_alive_ && !peer_closed_ && !handler_.Draining(); }

void Connection::SetDeadline(std::chrono::milliseconds after) {
  const uint64_t generation = ++timer_generation_;
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
    if (ec || generation != self->timer_generation_) return;
    self->OnDeadline();
  });
}

void Connection::ClearDeadline() {
  ++timer_generation_;
  timer_.cancel();
}

void Connection::OnDeadline() {
  if (closed_) return;
  switch (phase_) {
    case Phase::kIdle:
      Close();  // An idle keep-alive connection: nothing to answer.
      return;
    case Phase::kHead:
      if (in_.empty()) {
        Close();
      } else {
        Refuse(408, absl::StrCat("the request head did not arrive within ", limits_.head_timeout.count() / 1000,
                                 " s (REQUEST_HEAD_TIMEOUT)"));
      }
      return;
    case Phase::kBody:
      Refuse(408, absl::StrCat("the request body did not arrive within ", limits_.body_timeout.count() / 1000,
                               " s (REQUEST_BODY_TIMEOUT)"));
      return;
    case Phase::kClosing:
      Close();
      return;
    case Phase::kHandling:
    case Phase::kResponding:
    case Phase::kStreaming:
      if (!writing_ && body_reader_) {
        // The handler waits for body bytes that do not come.
        const std::string message =
            absl::StrCat("the request body made no progress for ", limits_.body_timeout.count() / 1000,
                         " s (REQUEST_BODY_TIMEOUT)");
        if (phase_ == Phase::kHandling) return Refuse(408, message);
        AbandonBody(absl::DeadlineExceededError(message));
        return Close();
      }
      // Otherwise only a write that made no progress sets a deadline here.
      GEMPOOL_LOG(DEBUG) << "closing the connection from " << remote_addr_ << ": the client read nothing for "
                         << limits_.write_timeout.count() / 1000 << " s";
      Close();
      return;
  }
}

void Connection::MaybeRead() {
  if (reading_ || closed_ || peer_closed_) return;
  // A streamed body is read only when the handler asks (back-pressure).
  if (body_remaining_ > 0 && phase_ != Phase::kClosing) return;
  // While a request is being answered, keep reading only to notice the
  // client leaving, and to take a pipelined request or two.
  if (in_.size() > limits_.max_head_bytes + kReadBytes) return;
  reading_ = true;
  socket_.async_wait(Socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) { self->OnReadable(ec); });
}

void Connection::OnReadable(const boost::system::error_code& wait_ec) {
  if (wait_ec) return OnRead(wait_ec, {});
  // Used only within this call, on this thread: OnRead copies what it keeps.
  thread_local std::array<char, kReadBytes> buffer;
  boost::system::error_code ec;
  const size_t bytes = socket_.read_some(boost::asio::buffer(buffer), ec);
  if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
    // Nothing there after all: wait again (still reading).
    socket_.async_wait(Socket::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& e) { self->OnReadable(e); });
    return;
  }
  OnRead(ec, absl::string_view(buffer.data(), ec ? 0 : bytes));
}

void Connection::OnRead(const boost::system::error_code& ec, absl::string_view data) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    peer_closed_ = true;
    if (body_remaining_ > 0 && phase_ != Phase::kClosing) {
      AbandonBody(absl::UnavailableError(absl::StrCat("the client closed the connection after ",
                                                      body_size_ - body_remaining_, " of ", body_size_,
                                                      " request body bytes")));
      return Close();
    }
    switch (phase_) {
      case Phase::kStreaming:
        // The client is gone: stop the upstream call (the key is not blamed).
        if (stream_ != nullptr) stream_->Cancel();
        Close();
        return;
      case Phase::kHandling:
        if (pending_call_ != nullptr) {
          // Gone while its whole answer was pending: Close() ends the
          // upstream call now (the key is not blamed); its answer finds the
          // socket closed.
          Close();
          return;
        }
        [[fallthrough]];
      case Phase::kResponding:
        // A half-closed client may still read the answer; a gone one makes
        // the write fail.
        if (ec != boost::asio::error::eof) Close();
        return;
      case Phase::kClosing:
        Close();
        return;
      default:
        Close();
        return;
    }
  }
  if (phase_ == Phase::kClosing) {
    // Lingering after a refusal: drop what still comes.
    in_.clear();
    MaybeRead();
    return;
  }
  in_.append(data.data(), data.size());
  if (body_reader_) DeliverBody();
  Process();
}

void Connection::Process() {
  while (!closed_) {
    switch (phase_) {
      case Phase::kIdle: {
        const size_t skip = LeadingEmptyLines(in_);
        if (skip > 0) in_.erase(0, skip);
        if (in_.empty()) return MaybeRead();
        phase_ = Phase::kHead;
        SetDeadline(limits_.head_timeout);
        break;
      }
      case Phase::kHead:
        if (!ParseHead()) return;
        break;
      case Phase::kBody:
        if (!ParseBody()) return;
        break;
      default:
        return MaybeRead();
    }
  }
}

// True when the head was taken (and the phase moved on).
bool Connection::ParseHead() {
  const size_t end = FindRequestHeadEnd(in_);
  if (end == std::string::npos) {
    if (in_.size() > limits_.max_head_bytes) {
      Refuse(431, absl::StrCat("the request head is larger than ", limits_.max_head_bytes / 1024, " KiB"));
      return false;
    }
    MaybeRead();
    return false;
  }
  if (end > limits_.max_head_bytes) {
    Refuse(431, absl::StrCat("the request head is larger than ", limits_.max_head_bytes / 1024, " KiB"));
    return false;
  }
  const size_t start = LeadingEmptyLines(in_);
  const absl::string_view head(in_.data() + start, end - start);
  if (std::optional<HeadRefusal> refusal = CheckRequestHead(head, limits_.max_headers)) {
    Refuse(refusal->status, refusal->message);
    return false;
  }
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(limits_.max_head_bytes + 1));
  parser_->body_limit(limits_.max_body_bytes);
  parser_->eager(true);
  boost::system::error_code ec;
  const size_t used = parser_->put(boost::asio::buffer(head.data(), head.size()), ec);
  if (ec == beast_http::error::body_limit) {
    // Beast compares Content-Length with the limit as it reads the head.
    Refuse(413, absl::StrCat("the request body is larger than the gateway accepts (", limits_.max_body_bytes >> 20,
                             " MiB, MAX_REQUEST_BODY_MB)"));
    return false;
  }
  if (ec || !parser_->is_header_done() || used != head.size()) {
    Refuse(400, absl::StrCat("the request head is malformed (", ec ? ec.message() : "incomplete", ")"));
    return false;
  }
  in_.erase(0, end);
  const auto& message = parser_->get();
  target_ = std::string(message.target());
  if (const auto length = parser_->content_length(); length.has_value() && *length > limits_.max_body_bytes) {
    Refuse(413, absl::StrCat("the request body (", *length, " bytes) is larger than the gateway accepts (",
                             limits_.max_body_bytes >> 20, " MiB, MAX_REQUEST_BODY_MB)"));
    return false;
  }
  const auto expect = message.find(beast_http::field::expect);
  const bool expect_continue =
      expect != message.end() &&
      absl::EqualsIgnoreCase(absl::string_view(expect->value().data(), expect->value().size()), "100-continue");
  pending_ = std::make_unique<HttpRequest>(HeadRequest());
  if (pending_->method != "HEAD" && handler_.StreamsRequestBody(*pending_)) {
    if (parser_->chunked()) {
      Refuse(411, "this endpoint streams the request body and needs its size: send it with Content-Length, "
                  "not Transfer-Encoding: chunked");
      return false;
    }
    DispatchStreamed(parser_->content_length().value_or(0), expect_continue);
    return true;
  }
  if (parser_->is_done()) {
    Dispatch();
    return true;
  }
  // The body is coming: answer "100 Continue" if the client waits for it.
  if (expect_continue) {
    Send(std::string(message.version() == 10 ? "HTTP/1.0" : "HTTP/1.1") + " 100 Continue\r\n\r\n");
  }
  phase_ = Phase::kBody;
  SetDeadline(limits_.body_timeout);
  return true;
}

// True when the body is complete and was dispatched.
bool Connection::ParseBody() {
  while (!in_.empty()) {
    boost::system::error_code ec;
    const size_t used = parser_->put(boost::asio::buffer(in_), ec);
    in_.erase(0, used);
    if (ec == beast_http::error::need_more) {
      if (used == 0) break;
      continue;
    }
    if (ec == beast_http::error::body_limit) {
      Refuse(413, absl::StrCat("the request body is larger than the gateway accepts (", limits_.max_body_bytes >> 20,
                               " MiB, MAX_REQUEST_BODY_MB)"));
      return false;
    }
    if (ec) {
      Refuse(400, absl::StrCat("the request body is malformed (", ec.message(), ")"));
      return false;
    }
    if (parser_->is_done()) {
      Dispatch();
      return true;
    }
  }
  MaybeRead();
  return false;
}

HttpRequest Connection::HeadRequest() {
  const auto& message = parser_->get();
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  const auto [raw_path, raw_query] = gemini::SplitTarget(request.target);
  request.raw_path = std::string(raw_path);
  request.raw_query = std::string(raw_query);
  request.path = gemini::PercentDecode(raw_path, /*plus_as_space=*/false);
  request.headers.reserve(std::distance(message.begin(), message.end()));
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.remote_addr = remote_addr_;
  request.request_id = RequestIdFor(request.Header(kRequestIdHeader));
  request_id_ = request.request_id;
  request.version = message.version() == 10 ? 10 : 11;
  version_ = request.version;
  keep_alive_ = message.keep_alive();
  return request;
}

void Connection::Dispatch() {
  auto message = parser_->release();
  parser_.reset();
  pending_->body = std::move(message.body());
  body_streamed_ = false;
  body_size_ = 0;
  body_remaining_ = 0;
  DispatchRequest(std::move(*pending_));
}

void Connection::DispatchStreamed(uint64_t length, bool expect_continue) {
  parser_.reset();
  body_streamed_ = true;
  body_size_ = length;
  body_remaining_ = length;
  body_error_ = absl::OkStatus();
  body_reader_ = nullptr;
  std::string().swap(body_piece_);
  continue_pending_ = expect_continue && length > 0;
  pending_->body_source = std::make_shared<RequestBodyStream>(weak_from_this(), socket_.get_executor(),
                                                              exchange_id_ + 1, length);
  DispatchRequest(std::move(*pending_));
}

void Connection::DispatchRequest(HttpRequest request) {
  ClearDeadline();
  phase_ = Phase::kHandling;
  pending_.reset();
  head_only_ = request.method == "HEAD";
  stream_.reset();
  stream_ended_ = false;
  auto exchange = std::make_shared<Exchange>(shared_from_this(), ++exchange_id_, std::move(request));
  handler_.Handle(std::move(exchange));
  MaybeRead();
}

// --- The streamed request body (connection strand) ---

void Connection::BodyRead(uint64_t id, std::function<void(absl::StatusOr<absl::string_view>)> on_data) {
  if (closed_ || id != exchange_id_ || !body_streamed_) {
    return on_data(absl::UnavailableError("the client connection is closed"));
  }
  if (body_reader_) return on_data(absl::FailedPreconditionError("a request body read is already pending"));
  if (!body_error_.ok()) return on_data(body_error_);
  if (body_remaining_ == 0) return on_data(absl::string_view());  // All of it was handed over.
  body_reader_ = std::move(on_data);
  DeliverBody();
}

void Connection::BodyCancel(uint64_t id) {
  if (closed_ || id != exchange_id_ || !body_streamed_) return;
  AbandonBody(absl::CancelledError("the request body is no longer read"));
}

void Connection::DeliverBody() {
  if (!body_reader_ || closed_) return;
  if (!in_.empty()) {
    // Bytes that came with the head, or with a read started before: never
    // more than the body's own (a pipelined request may follow).
    const size_t n = static_cast<size_t>(std::min<uint64_t>({in_.size(), body_remaining_, kBodyPieceBytes}));
    body_piece_.assign(in_.data(), n);
    in_.erase(0, n);
    body_remaining_ -= n;
    return GiveBody(n);
  }
  if (continue_pending_) {
    continue_pending_ = false;
    Send(std::string(version_ == 10 ? "HTTP/1.0" : "HTTP/1.1") + " 100 Continue\r\n\r\n");
  }
  // The client must move while the handler waits (a write in progress has
  // its own deadline; the body's is set again when it completes).
  if (!writing_) SetDeadline(limits_.body_timeout);
  if (reading_) return;  // A read already in flight delivers through OnRead.
  body_piece_.resize(static_cast<size_t>(std::min<uint64_t>(body_remaining_, kBodyPieceBytes)));
  reading_ = true;
  socket_.async_read_some(boost::asio::buffer(body_piece_),
                          [self = shared_from_this()](const boost::system::error_code& ec, size_t bytes) {
                            self->OnBodyBytes(ec, bytes);
                          });
}

void Connection::OnBodyBytes(const boost::system::error_code& ec, size_t bytes) {
  reading_ = false;
  if (closed_) return;
  if (phase_ == Phase::kClosing) return MaybeRead();  // Lingering: dropped.
  if (ec) {
    peer_closed_ = true;
    AbandonBody(absl::UnavailableError(absl::StrCat("the client closed the connection after ",
                                                    body_size_ - body_remaining_, " of ", body_size_,
                                                    " request body bytes")));
    return Close();
  }
  if (!body_reader_) return MaybeRead();  // Abandoned meanwhile: these bytes go nowhere.
  body_remaining_ -= bytes;
  GiveBody(bytes);
}

void Connection::GiveBody(size_t bytes) {
  if (!writing_) ClearDeadline();
  auto reader = std::move(body_reader_);
  body_reader_ = nullptr;
  reader(absl::string_view(body_piece_.data(), bytes));
  // The whole body is in: read on as for any request being answered (to
  // notice the client leaving, or a pipelined request).
  if (body_remaining_ == 0) MaybeRead();
}

void Connection::AbandonBody(const absl::Status& why) {
  if (!body_streamed_) return;
  if (body_remaining_ > 0) keep_alive_ = false;
  body_remaining_ = 0;
  continue_pending_ = false;
  if (body_error_.ok()) body_error_ = why;
  if (body_reader_) {
    auto reader = std::move(body_reader_);
    body_reader_ = nullptr;
    reader(body_error_);
  }
}

void Connection::AnswerStarting() {
  if (body_remaining_ > 0 || body_reader_) {
    AbandonBody(absl::FailedPreconditionError("the answer was sent before the request body was read"));
  }
}

void Connection::Reply(uint64_t id, HttpResponse response) {
  if (closed_ || id != exchange_id_ || phase_ != Phase::kHandling) return;
  phase_ = Phase::kResponding;
  pending_call_.reset();
  AnswerStarting();
  AddRequestIdHeader(response.headers);
  keep_alive_ = KeepAliveAnswer();
  std::string bytes = ResponseHead(response.status, response.headers, response.body.size(), keep_alive_, version_);
  if (!head_only_) bytes += response.body;
  Send(std::move(bytes));
}

void Connection::WatchPendingCall(uint64_t id, std::shared_ptr<ForwardCall> call) {
  // Answered already (its Reply came first): nothing to watch.
  if (id != exchange_id_ || phase_ != Phase::kHandling) return;
  if (closed_ || peer_closed_) {
    call->Cancel();  // Left before the call was even handed over.
    return;
  }
  pending_call_ = std::move(call);
}

void Connection::CancelPendingCall() {
  if (pending_call_ == nullptr) return;
  std::shared_ptr<ForwardCall> call = std::move(pending_call_);  // Leaves it null.
  call->Cancel();
}

void Connection::AttachStream(uint64_t id, std::shared_ptr<StreamResponse> stream) {
  if (closed_ || id != exchange_id_ || phase_ != Phase::kHandling || peer_closed_) {
    // The client left while the handler worked: nobody to stream to.
    stream->Cancel();
    if (!closed_ && id == exchange_id_ && peer_closed_) Close();
    return;
  }
  phase_ = Phase::kStreaming;
  stream_ = std::move(stream);
  Pump();
}

void Connection::Pump() {
  if (closed_ || phase_ != Phase::kStreaming || stream_ == nullptr || stream_ended_) return;
  // One write at a time: what arrives meanwhile is taken in one piece when
  // it completes (fewer, larger writes when the client is slower).
  if (writing_) return;
  StreamResponse::Output output = stream_->Take();
  if (output.failure.has_value()) {
    // Nothing was committed: an ordinary answer.
    stream_ended_ = true;
    phase_ = Phase::kResponding;
    AnswerStarting();
    HttpResponse response = ToResponse(*output.failure);
    AddRequestIdHeader(response.headers);
    keep_alive_ = KeepAliveAnswer();
    std::string bytes = ResponseHead(response.status, response.headers, response.body.size(), keep_alive_, version_);
    if (!head_only_) bytes += response.body;
    Send(std::move(bytes));
    return;
  }
  std::string bytes;
  if (output.head.has_value()) {
    AnswerStarting();
    HeaderList headers = output.head->passthrough;
    AddRequestIdHeader(headers);
    headers.emplace_back("Content-Type", output.head->content_type.empty() ? "application/json; charset=UTF-8"
                                                                            : output.head->content_type);
    // HTTP/1.0 has no chunks: the body ends when the connection does.
    if (version_ == 10) keep_alive_ = false;
    keep_alive_ = KeepAliveAnswer();
    bytes = ResponseHead(output.head->status, headers, std::nullopt, keep_alive_, version_);
    if (head_only_) {
      stream_ended_ = true;
      stream_->Cancel();
      phase_ = Phase::kResponding;
      Send(std::move(bytes));
      return;
    }
  }
  const size_t payload = output.data.size();
  if (payload > 0) bytes += version_ == 10 ? output.data : ChunkFrame(output.data);
  if (output.ended) {
    stream_ended_ = true;
    if (output.succeeded) {
      if (version_ != 10) bytes.append(kLastChunk.data(), kLastChunk.size());
      phase_ = Phase::kResponding;
    } else {
      // Ending without the last chunk tells the client the stream broke.
      keep_alive_ = false;
      close_after_writes_ = true;
    }
  }
  if (!bytes.empty()) {
    Send(std::move(bytes), payload);
  } else if (close_after_writes_) {
    CloseAfterWrites();
  }
}

void Connection::Send(std::string bytes, size_t payload_bytes) {
  out_.push_back(Pending{std::move(bytes), payload_bytes});
  Flush();
}

void Connection::Flush() {
  if (writing_ || closed_) return;
  if (out_.empty()) {
    if (close_after_writes_) return CloseAfterWrites();
    if (phase_ == Phase::kResponding) return FinishExchange();
    if (phase_ == Phase::kStreaming) return Pump();
    return;
  }
  writing_ = true;
  // A client that stops reading holds the write: give up after a while.
  SetDeadline(limits_.write_timeout);
  boost::asio::async_write(socket_, boost::asio::buffer(out_.front().bytes),
                           [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                             self->writing_ = false;
                             if (self->closed_) return;
                             if (ec) {
                               if (self->stream_ != nullptr) self->stream_->Cancel();
                               self->Close();
                               return;
                             }
                             const size_t payload = self->out_.front().payload;
                             self->out_.pop_front();
                             self->ClearDeadline();
                             if (self->phase_ == Phase::kBody || self->body_reader_) {
                               self->SetDeadline(self->limits_.body_timeout);
                             }
                             if (payload > 0 && self->stream_ != nullptr) self->stream_->Written(payload);
                             self->Flush();
                           });
}

void Connection::FinishExchange() {
  stream_.reset();
  // Released, not only cleared: an idle keep-alive connection keeps no
  // buffer of the last request (10,000 idle connections, docs/benchmarks.md).
  std::string().swap(target_);
  std::string().swap(request_id_);
  if (in_.empty()) std::string().swap(in_);  // Unless a pipelined request is here.
  // Draining: an answer that went out with keep-alive before the drain began
  // still ends the connection (a client sending on it meanwhile sees the
  // close and retries elsewhere).
  if (!keep_alive_ || peer_closed_ || handler_.Draining()) return CloseAfterWrites();
  phase_ = Phase::kIdle;
  SetDeadline(limits_.keep_alive_timeout);
  // A pipelined request may already be here.
  Process();
}

void Connection::Refuse(int status, const std::string& message) {
  GEMPOOL_LOG(DEBUG) << "refusing a request from " << remote_addr_ << " with " << status << ": " << message;
  in_.clear();
  phase_ = Phase::kClosing;
  keep_alive_ = false;
  close_after_writes_ = true;
  AbandonBody(status == 408 ? absl::DeadlineExceededError(message) : absl::AbortedError(message));
  std::string target = target_;
  if (parser_.has_value()) target = std::string(parser_->get().target());
  if (request_id_.empty()) {
    // Refused before the handlers saw the head: the id is made here.
    std::optional<absl::string_view> client_id;
    // The fields read so far (a head refused for its Content-Length is not
    // "done" for the parser, but its fields are all in).
    if (parser_.has_value()) {
      const auto& head = parser_->get();
      if (const auto field = head.find(boost::beast::string_view(kRequestIdHeader.data(), kRequestIdHeader.size()));
          field != head.end()) {
        client_id = absl::string_view(field->value().data(), field->value().size());
      }
    }
    request_id_ = RequestIdFor(client_id);
  }
  parser_.reset();
  std::optional<HttpReply> own = handler_.Refusal(status, message, target);
  HeaderList headers;
  AddRequestIdHeader(headers);
  Send(own.has_value() ? RefusalBytes(*own, version_, headers) : RefusalBytes(status, message, headers, version_));
}

void Connection::AddRequestIdHeader(HeaderList& headers) const {
  if (request_id_.empty()) return;
  // Ours replaces any an upstream answer carried.
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& h) { return absl::EqualsIgnoreCase(h.first, kRequestIdHeader); }),
                headers.end());
  headers.emplace_back(std::string(kRequestIdHeader), request_id_);
}

void Connection::CloseAfterWrites() {
  if (writing_ || !out_.empty()) {
    close_after_writes_ = true;
    return;
  }
  LingerThenClose();
}

void Connection::LingerThenClose() {
  if (closed_) return;
  if (stream_ != nullptr && !stream_ended_) stream_->Cancel();
  phase_ = Phase::kClosing;
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  if (peer_closed_) return Close();
  in_.clear();
  SetDeadline(kLinger);
  MaybeRead();
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  ClearDeadline();
  AbandonBody(absl::UnavailableError("the client connection was closed"));
  if (stream_ != nullptr && !stream_ended_) stream_->Cancel();
  stream_.reset();
  CancelPendingCall();
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  in_.clear();
  out_.clear();
  if (on_closed_) {
    auto closed = std::move(on_closed_);
    on_closed_ = nullptr;
    closed();
  }
}

}  // namespace gempool::gateway
