#pragma once
// One upstream request as a state machine on its own strand of the client's
// io_context: lease a pooled connection or resolve, connect, open the proxy
// tunnel and shake hands with TLS; write the request; read the head and hand
// it over; then read the body piece by piece, each piece going to on_body as
// soon as it is parsed. A pause stops reading (the socket's receive window
// then pushes back on the upstream); Resume() reads on.
//
// A request with a body_source (a streamed upload chunk) writes its head,
// then pulls the body one piece at a time (the next piece is asked for while
// the previous one is written: at most two pieces held) and reads the
// response meanwhile, so an early error answer is seen as such.
//
// Deadlines: connecting (DNS, TCP, proxy, TLS) must finish within the timeout;
// after that every read or write must make progress within it, except while
// the consumer has paused the call. A pooled connection found dead on reuse
// (write error, or EOF or reset before any response byte) is replaced once by
// a fresh one, transparently.
//
// Thread-safe: Resume(), Cancel() and Abort() post onto the strand; every
// callback runs on the strand, so one at a time, never inside Start().

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "absl/status/statusor.h"
#include "client_core.h"
#include "gempool/gemini/upstream_url.h"
#include "gempool/upstream/upstream_client.h"
#include "response_stream_parser.h"
#include "upstream_connection.h"

namespace gempool::upstream {

class CallImpl final : public UpstreamCall, public std::enable_shared_from_this<CallImpl> {
 public:
  CallImpl(std::shared_ptr<ClientCore> core, UpstreamRequest request, AsyncUpstreamCallbacks callbacks);
  ~CallImpl() override;

  // Runs the call (on the strand). Called once, by UpstreamClient::Start().
  void Begin();
  // Ends the call kAborted (AbortAll).
  void Abort();

  // UpstreamCall
  void Resume() override;
  void Cancel() override;

 private:
  enum class Phase { kConnecting, kTransfer };

  void Run();
  void Connect();
  void OnResolved(const boost::system::error_code& ec, const boost::asio::ip::tcp::resolver::results_type& results);
  void OnConnected(const boost::system::error_code& ec);
  void OnTunnel(const absl::Status& status);
  void StartTls();
  void OnTlsHandshake(const boost::system::error_code& ec);
  void SendRequest();
  void WriteMore();
  void OnWritten(const boost::system::error_code& ec, size_t n);
  // The streamed body (source_): pull, write, and note its end.
  void StartBody();
  void PullBody();
  void OnBodyData(absl::StatusOr<std::string> data);
  void WriteBody();
  void OnBodyWritten(const boost::system::error_code& ec, size_t n);
  // Tells the source the rest of the body is not wanted (once; not after its end).
  void CancelSource();
  // `what`, with why writing the body stopped, if it did.
  std::string WithWriteError(std::string what) const;
  void ReadMore();
  void OnRead(const boost::system::error_code& ec, size_t n);
  void OnEndOfStream();
  // Parses what has been read, hands head and pieces over, and reads more
  // when the parser needs it; stops while paused.
  void Pump();
  // A reused connection failed before any response byte: start over on a
  // fresh one (once). False when that does not apply.
  bool RetryOnFreshConnection();

  void ArmTimer(std::chrono::steady_clock::time_point when);
  void OnTimer(const boost::system::error_code& ec, uint64_t generation);
  void WatchProgress();
  void NoteProgress() { progress_deadline_ = std::chrono::steady_clock::now() + timeout_; }
  void StopTimer();

  void Fail(gemini::TransportFailure failure, const std::string& what);
  // Ends the call: on_done gets `result`. `keep_connection`: the response was
  // read completely and the connection may carry another.
  void Finish(UpstreamResult result, bool keep_connection = false);
  std::unique_ptr<ResponseStreamParser> NewParser() const;

  const std::shared_ptr<ClientCore> core_;
  Strand strand_;
  UpstreamRequest request_;
  AsyncUpstreamCallbacks callbacks_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer timer_;

  // Set by Run().
  gemini::BaseUrl target_;
  std::optional<gemini::ProxyUrl> proxy_;
  bool https_ = false;
  std::string pool_key_;
  std::chrono::seconds timeout_{0};
  std::string wire_;  // The request bytes; kept until a response byte arrives (for the retry).

  std::unique_ptr<UpstreamConnection> connection_;
  bool reused_ = false;   // connection_ came from the pool.
  bool retried_ = false;  // A dead pooled connection was already replaced.
  size_t written_ = 0;
  size_t received_ = 0;  // Response bytes read on connection_.
  bool reading_ = false;
  boost::beast::flat_buffer buffer_;
  std::unique_ptr<ResponseStreamParser> parser_;
  bool head_delivered_ = false;
  bool paused_ = false;
  bool done_ = false;

  // The streamed request body (taken from request_.body_source).
  std::shared_ptr<BodySource> source_;
  bool body_started_ = false;  // The head is written; no retry from here on.
  bool body_reading_ = false;  // A Read is pending.
  bool body_writing_ = false;  // body_out_ is being written.
  bool body_eof_ = false;      // The source delivered its end.
  bool body_sent_ = false;     // The whole body is on the wire.
  bool source_cancelled_ = false;
  uint64_t body_pulled_ = 0;
  std::string body_out_;       // The piece being written.
  size_t body_out_written_ = 0;
  std::string body_next_;      // The piece pulled meanwhile.
  std::string write_error_;    // Why writing the body broke off ("" if it did not).

  Phase phase_ = Phase::kConnecting;
  uint64_t timer_generation_ = 0;  // A timer wait whose generation is stale is ignored.
  std::chrono::steady_clock::time_point progress_deadline_;
};

}  // namespace gempool::upstream
