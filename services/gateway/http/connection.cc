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
#include "gempool/gemini/url.h"
#include "http/request_head_check.h"

namespace gempool::gateway {
namespace {

namespace beast_http = boost::beast::http;

// How long a refused connection keeps reading (and dropping) what the client
// still sends, so that closing does not reset the connection before the
// client has read the refusal.
constexpr std::chrono::milliseconds kLinger{2000};

}  // namespace

void Exchange::Reply(HttpResponse response) {
  boost::asio::post(connection_->socket_.get_executor(),
                    [connection = connection_, id = id_, response = std::move(response)]() mutable {
                      connection->Reply(id, std::move(response));
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
      // Only a write that made no progress sets a deadline here.
      GEMPOOL_LOG(DEBUG) << "closing the connection from " << remote_addr_ << ": the client read nothing for "
                         << limits_.write_timeout.count() / 1000 << " s";
      Close();
      return;
  }
}

void Connection::MaybeRead() {
  if (reading_ || closed_ || peer_closed_) return;
  // While a request is being answered, keep reading only to notice the
  // client leaving, and to take a pipelined request or two.
  if (in_.size() > limits_.max_head_bytes + read_buffer_.size()) return;
  reading_ = true;
  socket_.async_read_some(boost::asio::buffer(read_buffer_),
                          [self = shared_from_this()](const boost::system::error_code& ec, size_t bytes) {
                            self->OnRead(ec, bytes);
                          });
}

void Connection::OnRead(const boost::system::error_code& ec, size_t bytes) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    peer_closed_ = true;
    switch (phase_) {
      case Phase::kStreaming:
        // The client is gone: stop the upstream call (the key is not blamed).
        if (stream_ != nullptr) stream_->Cancel();
        Close();
        return;
      case Phase::kHandling:
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
  in_.append(read_buffer_.data(), bytes);
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
  if (const auto length = parser_->content_length(); length.has_value() && *length > limits_.max_body_bytes) {
    Refuse(413, absl::StrCat("the request body (", *length, " bytes) is larger than the gateway accepts (",
                             limits_.max_body_bytes >> 20, " MiB, MAX_REQUEST_BODY_MB)"));
    return false;
  }
  if (parser_->is_done()) {
    Dispatch();
    return true;
  }
  // The body is coming: answer "100 Continue" if the client waits for it.
  const auto expect = message.find(beast_http::field::expect);
  if (expect != message.end() && absl::EqualsIgnoreCase(absl::string_view(expect->value().data(), expect->value().size()),
                                                        "100-continue")) {
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

void Connection::Dispatch() {
  ClearDeadline();
  phase_ = Phase::kHandling;
  auto message = parser_->release();
  parser_.reset();
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
  request.body = std::move(message.body());
  request.remote_addr = remote_addr_;
  request.version = message.version() == 10 ? 10 : 11;
  version_ = request.version;
  keep_alive_ = message.keep_alive();
  head_only_ = request.method == "HEAD";
  stream_.reset();
  stream_ended_ = false;
  auto exchange = std::make_shared<Exchange>(shared_from_this(), ++exchange_id_, std::move(request));
  handler_.Handle(std::move(exchange));
  MaybeRead();
}

void Connection::Reply(uint64_t id, HttpResponse response) {
  if (closed_ || id != exchange_id_ || phase_ != Phase::kHandling) return;
  phase_ = Phase::kResponding;
  const bool keep_alive = keep_alive_ && !peer_closed_;
  std::string bytes = ResponseHead(response.status, response.headers, response.body.size(), keep_alive, version_);
  if (!head_only_) bytes += response.body;
  Send(std::move(bytes));
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
    const HttpResponse response = ToResponse(*output.failure);
    const bool keep_alive = keep_alive_ && !peer_closed_;
    std::string bytes = ResponseHead(response.status, response.headers, response.body.size(), keep_alive, version_);
    if (!head_only_) bytes += response.body;
    Send(std::move(bytes));
    return;
  }
  std::string bytes;
  if (output.head.has_value()) {
    HeaderList headers = output.head->passthrough;
    headers.emplace_back("Content-Type", output.head->content_type.empty() ? "application/json; charset=UTF-8"
                                                                            : output.head->content_type);
    // HTTP/1.0 has no chunks: the body ends when the connection does.
    if (version_ == 10) keep_alive_ = false;
    bytes = ResponseHead(output.head->status, headers, std::nullopt, keep_alive_ && !peer_closed_, version_);
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
                             if (self->phase_ == Phase::kBody) self->SetDeadline(self->limits_.body_timeout);
                             if (payload > 0 && self->stream_ != nullptr) self->stream_->Written(payload);
                             self->Flush();
                           });
}

void Connection::FinishExchange() {
  stream_.reset();
  if (!keep_alive_ || peer_closed_) return CloseAfterWrites();
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
  std::string target;
  if (parser_.has_value()) target = std::string(parser_->get().target());
  parser_.reset();
  std::optional<HttpReply> own = handler_.Refusal(status, message, target);
  Send(own.has_value() ? RefusalBytes(*own, version_) : RefusalBytes(status, message, {}, version_));
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
  if (stream_ != nullptr && !stream_ended_) stream_->Cancel();
  stream_.reset();
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
